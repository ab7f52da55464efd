//! What the thread-based models show: where each server thread is parked,
//! and the pool's queue.

use std::collections::{BTreeMap, VecDeque};

use crate::event::{Call, ConnId, Role};

/// How many recent queue waits are kept for the pool's figures.
const WAITS_CAP: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    Running,
    Blocked { call: Call, conn: Option<ConnId> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRow {
    pub name: String,
    pub role: Option<Role>,
    pub state: ThreadState,
    /// Since when (server clock) it is in `state`.
    pub since_us: u64,
    /// Parked by the pause before its next call.
    pub held: bool,
}

/// The server's threads and the pool's queue.
#[derive(Debug, Clone, Default)]
pub struct Threads {
    /// Live threads, in a natural order: accept, server, conn-2 before conn-10.
    pub rows: BTreeMap<(String, u64), ThreadRow>,
    pub started: u64,
    pub ended: u64,
    /// `pool`: clients accepted and waiting for a worker, since when.
    pub queue: BTreeMap<ConnId, u64>,
    /// `pool`: how long recent clients waited for a worker, µs, newest last.
    pub waits: VecDeque<u64>,
}

fn key(name: &str) -> (String, u64) {
    let split = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let n = name[split.len()..].parse().unwrap_or(0);
    (split.to_string(), n)
}

impl Threads {
    pub fn started(&mut self, name: &str, role: Role, t: u64) {
        self.started += 1;
        self.rows.insert(
            key(name),
            ThreadRow {
                name: name.to_string(),
                role: Some(role),
                state: ThreadState::Running,
                since_us: t,
                held: false,
            },
        );
    }

    pub fn ended(&mut self, name: &str) {
        if self.rows.remove(&key(name)).is_some() {
            self.ended += 1;
        }
    }

    pub fn set_state(&mut self, name: &str, state: ThreadState, t: u64) {
        let row = self.rows.entry(key(name)).or_insert_with(|| ThreadRow {
            name: name.to_string(),
            role: None,
            state,
            since_us: t,
            held: false,
        });
        row.state = state;
        row.since_us = t;
    }

    /// `name` parked for the pause (`true`) or went on.
    /// `name` holds for the pause (or goes on); whether that is news (a
    /// thread that parks again after a step was held already).
    pub fn held(&mut self, name: &str, held: bool) -> bool {
        match self.rows.get_mut(&key(name)) {
            Some(row) => std::mem::replace(&mut row.held, held) != held,
            None => true,
        }
    }

    /// The longest a client waited for a worker: of those taken lately,
    /// and of those still waiting at `now_us`.
    pub fn longest_wait(&self, now_us: u64) -> Option<u64> {
        let waiting = self
            .queue
            .values()
            .map(|since| now_us.saturating_sub(*since));
        self.waits.iter().copied().chain(waiting).max()
    }

    pub fn queued(&mut self, conn: ConnId, t: u64) {
        self.queue.insert(conn, t);
    }

    pub fn dequeued(&mut self, conn: ConnId, waited_us: u64) {
        self.queue.remove(&conn);
        if self.waits.len() == WAITS_CAP {
            self.waits.pop_front();
        }
        self.waits.push_back(waited_us);
    }

    /// Workers serving a client, and workers waiting for one.
    pub fn pool_workers(&self) -> (usize, usize) {
        let workers = self.rows.values().filter(|r| r.name.starts_with("worker"));
        let idle = workers
            .clone()
            .filter(|r| {
                matches!(
                    r.state,
                    ThreadState::Blocked {
                        call: Call::Queue,
                        ..
                    }
                )
            })
            .count();
        (workers.count() - idle, idle)
    }

    /// The thread serving `conn`, if one is blocked on it.
    pub fn serving(&self, conn: ConnId) -> Option<&ThreadRow> {
        self.rows
            .values()
            .find(|r| matches!(r.state, ThreadState::Blocked { conn: Some(c), .. } if c == conn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_sort_naturally_and_the_pool_counts_busy_and_idle() {
        let mut t = Threads::default();
        for name in ["worker-10", "worker-2", "accept"] {
            t.started(name, Role::Worker, 0);
        }
        let names: Vec<_> = t.rows.values().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["accept", "worker-2", "worker-10"]);
        t.set_state(
            "worker-2",
            ThreadState::Blocked {
                call: Call::Queue,
                conn: None,
            },
            1,
        );
        t.set_state(
            "worker-10",
            ThreadState::Blocked {
                call: Call::Recv,
                conn: Some(3),
            },
            1,
        );
        assert_eq!(t.pool_workers(), (1, 1));
        assert_eq!(t.serving(3).unwrap().name, "worker-10");
        t.held("worker-10", true);
        assert!(t.serving(3).unwrap().held);
        t.ended("worker-2");
        assert_eq!((t.started, t.ended, t.rows.len()), (3, 1, 2));
    }

    #[test]
    fn the_longest_wait_counts_clients_still_in_the_queue() {
        let mut t = Threads::default();
        t.queued(1, 0);
        t.dequeued(1, 88);
        t.queued(2, 1_000_000);
        assert_eq!(t.longest_wait(7_000_000), Some(6_000_000));
        t.dequeued(2, 6_000_000);
        assert_eq!(t.longest_wait(9_000_000), Some(6_000_000));
        assert_eq!(Threads::default().longest_wait(5), None);
    }
}
