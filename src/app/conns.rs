//! The lecture's `connected_list` and who left it, how and when: for the
//! whole session, across model runs (connection ids are never reused).

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::event::{Call, ClientRole, ConnId, EventKind, Evict, Reason, ResetNote};

/// Disconnected clients kept.
pub const GONE_CAP: usize = 500;
/// Built-in client addresses remembered (they are few; a cap all the same).
const BUILTIN_CAP: usize = 10_000;
/// Kernel queue readings kept for connections not accepted yet.
const EARLY_CAP: usize = 1_024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnRow {
    pub id: ConnId,
    pub peer: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub last_us: u64,
    pub pending: usize,
    /// Reply bytes thrown away (`--faithful`).
    pub lost: u64,
    /// A built-in client of the dashboard, and its role.
    pub builtin: Option<ClientRole>,
    /// `--faithful`: the peer closed, but the listing keeps the socket.
    pub close_wait: bool,
    /// Bytes the kernel received for this connection that the server has
    /// not copied yet (`SIOCINQ`): the lecture's recv, waiting for data.
    pub kernel_in: u32,
    /// Reply bytes the server's kernel still holds: the client's kernel
    /// has not taken them (`SIOCOUTQ`).
    pub kernel_out: u32,
}

/// How a client left, with what the server said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    Closed,
    Reset {
        call: Call,
        error: String,
        note: Option<ResetNote>,
    },
    Evicted {
        why: Evict,
        limit_bytes: Option<u64>,
        stall_ms: u64,
    },
    /// The server closed it because another model took over the address.
    Ended,
}

impl Departure {
    /// The client and how it left, if `kind` says one did.
    pub fn of(kind: &EventKind) -> Option<(ConnId, Departure)> {
        let (conn, how) = match kind {
            EventKind::Closed { conn } => (conn, Departure::Closed),
            EventKind::Reset {
                conn,
                call,
                error,
                note,
            } => (
                conn,
                Departure::Reset {
                    call: *call,
                    error: error.clone(),
                    note: *note,
                },
            ),
            EventKind::Evicted {
                conn,
                why,
                limit_bytes,
                stall_ms,
            } => (
                conn,
                Departure::Evicted {
                    why: *why,
                    limit_bytes: *limit_bytes,
                    stall_ms: *stall_ms,
                },
            ),
            _ => return None,
        };
        Some((*conn, how))
    }

    pub fn reason(&self) -> Reason {
        match self {
            Departure::Closed => Reason::Closed,
            Departure::Reset { .. } => Reason::Reset,
            Departure::Evicted { .. } => Reason::Evicted,
            Departure::Ended => Reason::Switched,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoneRow {
    pub id: ConnId,
    pub peer: String,
    pub how: Departure,
    pub t_us: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

impl GoneRow {
    pub fn reason(&self) -> Reason {
        self.how.reason()
    }
}

/// How many left, by how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoneCounts {
    pub closed: u64,
    pub reset: u64,
    pub evicted: u64,
    /// Closed by the server at a model switch.
    pub ended: u64,
}

impl GoneCounts {
    pub fn total(&self) -> u64 {
        self.closed + self.reset + self.evicted + self.ended
    }
}

#[derive(Debug, Clone, Default)]
pub struct Connections {
    /// Connected now, by id.
    pub live: BTreeMap<ConnId, ConnRow>,
    /// Newest first, at most [`GONE_CAP`].
    pub gone: VecDeque<GoneRow>,
    pub counts: GoneCounts,
    /// Accepted in the whole session.
    pub accepted: u64,
    /// Turned away in the whole session (`--max-conns`).
    pub refused: u64,
    /// Peers that are built-in clients, and their roles.
    builtin_peers: HashMap<String, ClientRole>,
    /// The newest connection accepted (ids come in accept order).
    newest: ConnId,
    /// Kernel queues read for connections whose `accept` has not come
    /// yet (the sampler reports on a thread of its own), at most
    /// [`EARLY_CAP`].
    early: HashMap<ConnId, (u32, u32)>,
}

impl Connections {
    pub fn accept(&mut self, id: ConnId, peer: &str, t: u64) {
        self.accepted += 1;
        self.newest = self.newest.max(id);
        let (kernel_in, kernel_out) = self.early.remove(&id).unwrap_or_default();
        if !self.early.is_empty() {
            // Older ones will never come (their accept was dropped).
            let newest = self.newest;
            self.early.retain(|early, _| *early > newest);
        }
        self.live.insert(
            id,
            ConnRow {
                id,
                peer: peer.to_string(),
                bytes_in: 0,
                bytes_out: 0,
                last_us: t,
                pending: 0,
                lost: 0,
                close_wait: false,
                builtin: self.builtin_peers.get(peer).copied(),
                kernel_in,
                kernel_out,
            },
        );
    }

    /// A `kernel_queues` reading: `(conn, in, out)` of the connections
    /// whose queues changed. One whose `accept` is still on its way is
    /// kept for it; one that left already is ignored.
    pub fn kernel_queues(&mut self, conns: &[(ConnId, u32, u32)]) {
        for &(id, kernel_in, kernel_out) in conns {
            if let Some(row) = self.live.get_mut(&id) {
                row.kernel_in = kernel_in;
                row.kernel_out = kernel_out;
            } else if id > self.newest {
                if self.early.len() >= EARLY_CAP {
                    self.early.clear();
                }
                self.early.insert(id, (kernel_in, kernel_out));
            }
        }
    }

    pub fn recv(&mut self, id: ConnId, bytes: usize, t: u64) {
        if let Some(row) = self.live.get_mut(&id) {
            row.bytes_in += bytes as u64;
            row.last_us = t;
            if bytes == 0 {
                row.close_wait = true;
            }
        }
    }

    pub fn send(&mut self, id: ConnId, bytes: usize, pending: usize, t: u64) {
        if let Some(row) = self.live.get_mut(&id) {
            row.bytes_out += bytes as u64;
            row.last_us = t;
            row.pending = pending;
        }
    }

    pub fn lost(&mut self, id: ConnId, bytes: usize) {
        if let Some(row) = self.live.get_mut(&id) {
            row.lost += bytes as u64;
        }
    }

    /// `id` left the connected list.
    pub fn leave(&mut self, id: ConnId, how: Departure, t: u64) {
        let counts = &mut self.counts;
        match how {
            Departure::Closed => counts.closed += 1,
            Departure::Reset { .. } => counts.reset += 1,
            Departure::Evicted { .. } => counts.evicted += 1,
            Departure::Ended => counts.ended += 1,
        }
        let row = self.live.remove(&id);
        if let Some(r) = &row {
            self.builtin_peers.remove(&r.peer);
        }
        let (peer, bytes_in, bytes_out) = row
            .map(|r| (r.peer, r.bytes_in, r.bytes_out))
            .unwrap_or_default();
        self.gone.push_front(GoneRow {
            id,
            peer,
            how,
            t_us: t,
            bytes_in,
            bytes_out,
        });
        self.gone.truncate(GONE_CAP);
    }

    /// Another model took over: every client still connected was closed
    /// by the old one.
    pub fn end_all(&mut self, t: u64) {
        let ids: Vec<ConnId> = self.live.keys().copied().collect();
        for id in ids {
            self.leave(id, Departure::Ended, t);
        }
    }

    /// A built-in client connected from `peer` (its accept may come before
    /// or after this note).
    pub fn builtin(&mut self, peer: &str, role: ClientRole) {
        if let Some(row) = self.live.values_mut().find(|c| c.peer == peer) {
            row.builtin = Some(role);
        }
        if self.builtin_peers.len() >= BUILTIN_CAP {
            self.builtin_peers.clear();
        }
        self.builtin_peers.insert(peer.to_string(), role);
    }

    /// Connected clients that are the dashboard's own, of `role` if given.
    pub fn builtin_count(&self, role: Option<ClientRole>) -> usize {
        self.live
            .values()
            .filter(|c| c.builtin.is_some() && (role.is_none() || c.builtin == role))
            .count()
    }

    pub fn close_wait(&self) -> impl Iterator<Item = &ConnRow> {
        self.live.values().filter(|c| c.close_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_leaving_is_counted_and_the_total_is_the_rows() {
        let mut c = Connections::default();
        for id in 1..=5 {
            c.accept(id, &format!("127.0.0.1:{}", 5000 + id), id);
        }
        c.builtin("127.0.0.1:5001", ClientRole::Chatty);
        assert_eq!(c.builtin_count(Some(ClientRole::Chatty)), 1);
        assert_eq!(c.builtin_count(Some(ClientRole::Idle)), 0);
        c.leave(1, Departure::Closed, 10);
        c.leave(
            2,
            Departure::Reset {
                call: Call::Recv,
                error: "ECONNRESET".into(),
                note: None,
            },
            11,
        );
        c.leave(
            3,
            Departure::Evicted {
                why: Evict::Stalled,
                limit_bytes: Some(1024),
                stall_ms: 1000,
            },
            12,
        );
        c.end_all(13);
        assert!(c.live.is_empty());
        assert_eq!(c.builtin_count(None), 0);
        assert_eq!(
            c.counts,
            GoneCounts {
                closed: 1,
                reset: 1,
                evicted: 1,
                ended: 2
            }
        );
        assert_eq!(c.counts.total(), c.gone.len() as u64);
        assert_eq!(c.gone[0].reason(), Reason::Switched);
        assert_eq!(c.gone[4].peer, "127.0.0.1:5001");
    }

    #[test]
    fn kernel_queues_reach_their_row_even_before_its_accept() {
        let mut c = Connections::default();
        c.accept(1, "p1", 0);
        c.kernel_queues(&[(1, 6, 0), (2, 3, 0)]);
        assert_eq!((c.live[&1].kernel_in, c.live[&1].kernel_out), (6, 0));
        // #2's accept comes after the reading (another thread reported it).
        c.accept(2, "p2", 1);
        assert_eq!(c.live[&2].kernel_in, 3);
        // Copied: back to 0.
        c.kernel_queues(&[(1, 0, 0)]);
        assert_eq!(c.live[&1].kernel_in, 0);
        // A reading for a connection that left already is no news.
        c.leave(2, Departure::Closed, 2);
        c.kernel_queues(&[(2, 7, 0)]);
        assert!(c.early.is_empty() && !c.live.contains_key(&2));
        // Never accepted (its accept was dropped): forgotten at the next.
        c.kernel_queues(&[(3, 1, 0)]);
        c.accept(4, "p4", 3);
        assert!(c.early.is_empty());
        for id in 10..(10 + EARLY_CAP as u64 * 3) {
            c.kernel_queues(&[(id, 1, 1)]);
        }
        assert!(c.early.len() <= EARLY_CAP);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut c = Connections::default();
        for id in 0..(GONE_CAP as u64 * 3) {
            c.accept(id, "p", id);
            c.leave(id, Departure::Closed, id);
        }
        assert!(c.live.is_empty());
        assert_eq!(c.gone.len(), GONE_CAP);
        assert_eq!(c.counts.closed, GONE_CAP as u64 * 3);
    }
}
