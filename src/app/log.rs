//! The event log: what the sockets did, in time order, WouldBlock summaries
//! between two real events merged into one line.

use std::collections::VecDeque;

use crate::event::{Event, EventKind};

/// Lines kept.
pub const LOG_CAP: usize = 1000;
/// How far back among the newest lines a late event is put in its place.
const LATE_WINDOW: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct Log {
    entries: VecDeque<Event>,
}

impl Log {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &VecDeque<Event> {
        &self.entries
    }

    /// Adds a line in time order: events from several threads (and the
    /// built-in clients' notes) can arrive a little out of order. Returns
    /// the index the line went to (counted from the oldest line kept).
    pub fn push(&mut self, event: Event) -> usize {
        if self.entries.len() == LOG_CAP {
            self.entries.pop_front();
        }
        // Nearly always the newest: no search.
        if self.entries.back().is_none_or(|e| e.t_us <= event.t_us) {
            self.entries.push_back(event);
            return self.entries.len() - 1;
        }
        // A late event (another thread's, a client's note) is at most a few
        // milliseconds late: it is looked for among the newest lines only,
        // so a stream whose clock went backwards costs no more.
        let len = self.entries.len();
        let window = len.min(LATE_WINDOW);
        let at = self
            .entries
            .range(len - window..)
            .rposition(|e| e.t_us <= event.t_us)
            .map_or(len - window, |i| len - window + i + 1);
        self.entries.insert(at, event);
        at
    }

    /// Adds WouldBlock counts: to the newest line if it is a WouldBlock
    /// line, else as a new line. Returns the new line's index, if one was
    /// added.
    pub fn would_block(&mut self, t_us: u64, counts: [u64; 3]) -> Option<usize> {
        if let Some(Event {
            kind: EventKind::WouldBlock { accept, recv, send },
            ..
        }) = self.entries.back_mut()
        {
            *accept += counts[0];
            *recv += counts[1];
            *send += counts[2];
            return None;
        }
        let [accept, recv, send] = counts;
        Some(self.push(Event {
            t_us,
            kind: EventKind::WouldBlock { accept, recv, send },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(t_us: u64, conn: u64) -> Event {
        Event {
            t_us,
            kind: EventKind::Closed { conn },
        }
    }

    #[test]
    fn lines_stay_in_time_order_and_would_blocks_merge() {
        let mut log = Log::default();
        assert_eq!(log.push(closed(10, 1)), 0);
        assert_eq!(log.push(closed(30, 3)), 1);
        // late, from another thread: it says where it went
        assert_eq!(log.push(closed(20, 2)), 1);
        assert_eq!(log.would_block(40, [1, 2, 0]), Some(3));
        assert_eq!(log.would_block(50, [1, 0, 0]), None, "merged: no new line");
        let times: Vec<u64> = log.entries().iter().map(|e| e.t_us).collect();
        assert_eq!(times, [10, 20, 30, 40]);
        assert_eq!(
            log.entries()[3].kind,
            EventKind::WouldBlock {
                accept: 2,
                recv: 2,
                send: 0
            }
        );
        for i in 0..2 * LOG_CAP as u64 {
            log.push(closed(100 + i, i));
        }
        assert_eq!(log.len(), LOG_CAP);
        // An event older than every line goes in before the newest 64,
        // without a search of the whole log.
        let went = log.push(closed(0, 7));
        let at = log.entries().iter().position(|e| e.t_us == 0).unwrap();
        assert_eq!(at, LOG_CAP - 1 - LATE_WINDOW);
        assert_eq!(went, at);
    }
}
