//! The replies a single-threaded loop (`nonblocking`, `multiplex`) holds for
//! a client the kernel will not take them for yet: sent before any newer
//! reply, retried until they are out, bounded by the pending cap (and timed
//! while they sit at it), their memory given back once a burst has drained.

use std::io::{self, ErrorKind, Write};
use std::time::{Duration, Instant};

use crate::event::{Call, ConnId};
use crate::probe::Probe;

/// A buffer that grew past this is freed once it is empty again.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What one write of the queued bytes did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flush {
    /// The kernel took this many bytes.
    Wrote(usize),
    /// The kernel takes nothing now (reported as a WouldBlock on `send`).
    WouldBlock,
}

/// The connection failed on `send` (reported as a `reset`): drop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failed;

/// One connection's queued reply bytes.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    buf: Vec<u8>,
    /// Since when the queue is at the cap (a reader that stalls).
    full_since: Option<Instant>,
}

impl Pending {
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Sends `reply` now, and queues what the kernel will not take. Behind
    /// bytes already queued it only queues: a reply never overtakes earlier
    /// bytes for the same client. Reported as a `send` of what went out (0
    /// bytes: queued whole) with what is queued afterwards.
    pub fn send_or_queue<P: Probe>(
        &mut self,
        sock: &mut impl Write,
        conn: ConnId,
        reply: &[u8],
        spin: u64,
        probe: &mut P,
    ) -> Result<(), Failed> {
        let sent = if self.buf.is_empty() {
            match write(sock, reply) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    probe.would_block(Call::Send);
                    0
                }
                Err(e) => {
                    probe.reset(conn, Call::Send, &e, None);
                    return Err(Failed);
                }
            }
        } else {
            0
        };
        self.buf.extend_from_slice(&reply[sent..]);
        probe.send(conn, &reply[..sent], self.buf.len(), spin);
        Ok(())
    }

    /// One write of what is queued, reported as a `send` with what is left.
    pub fn flush_once<P: Probe>(
        &mut self,
        sock: &mut impl Write,
        conn: ConnId,
        spin: u64,
        probe: &mut P,
    ) -> Result<Flush, Failed> {
        match write(sock, &self.buf) {
            Ok(n) => {
                probe.send(conn, &self.buf[..n], self.buf.len() - n, spin);
                self.buf.drain(..n);
                if self.buf.is_empty() && self.buf.capacity() > KEEP_CAPACITY {
                    self.buf = Vec::new(); // give a burst's memory back
                }
                Ok(Flush::Wrote(n))
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                probe.would_block(Call::Send);
                Ok(Flush::WouldBlock)
            }
            Err(e) => {
                probe.reset(conn, Call::Send, &e, None);
                Err(Failed)
            }
        }
    }

    /// At `cap` or beyond: how long the queue has been there (the clock is
    /// read only then). Below it: `None`, and the next time starts afresh.
    pub fn stalled_for(&mut self, cap: usize) -> Option<Duration> {
        if self.buf.len() < cap {
            self.full_since = None;
            return None;
        }
        let now = Instant::now();
        Some(now.duration_since(*self.full_since.get_or_insert(now)))
    }
}

/// `write`, again if a signal interrupted it.
fn write(sock: &mut impl Write, data: &[u8]) -> io::Result<usize> {
    loop {
        match sock.write(data) {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ResetNote;

    /// A socket that takes `room` more bytes, then would block; or fails.
    #[derive(Default)]
    struct Sock {
        room: usize,
        got: Vec<u8>,
        error: Option<ErrorKind>,
        interrupt_once: bool,
    }

    impl Write for Sock {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if std::mem::take(&mut self.interrupt_once) {
                return Err(ErrorKind::Interrupted.into());
            }
            if let Some(kind) = self.error {
                return Err(kind.into());
            }
            if self.room == 0 {
                return Err(ErrorKind::WouldBlock.into());
            }
            let n = data.len().min(self.room);
            self.room -= n;
            self.got.extend_from_slice(&data[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What the probe was told, a line a call.
    #[derive(Default)]
    struct Told(Vec<String>);

    impl Probe for Told {
        fn would_block(&mut self, call: Call) {
            self.0.push(format!("would_block {}", call.name()));
        }
        fn send(&mut self, _conn: ConnId, data: &[u8], pending: usize, _spin: u64) {
            self.0.push(format!("send {} +{pending}", data.len()));
        }
        fn reset(&mut self, _conn: ConnId, call: Call, _e: &io::Error, _n: Option<ResetNote>) {
            self.0.push(format!("reset {}", call.name()));
        }
    }

    #[test]
    fn a_reply_the_kernel_takes_whole_queues_nothing() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        sock.room = 100;
        sock.interrupt_once = true; // retried, not a WouldBlock
        assert_eq!(
            p.send_or_queue(&mut sock, 1, b"HELLO", 1, &mut told),
            Ok(())
        );
        assert_eq!(sock.got, b"HELLO");
        assert!(p.is_empty());
        assert_eq!(told.0, ["send 5 +0"]);
    }

    #[test]
    fn what_the_kernel_does_not_take_is_queued_and_goes_first() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        sock.room = 2;
        p.send_or_queue(&mut sock, 1, b"ABCDE", 1, &mut told)
            .unwrap();
        assert_eq!(p.len(), 3);
        // Behind queued bytes a reply is only queued, even with room now.
        sock.room = 100;
        p.send_or_queue(&mut sock, 1, b"FG", 2, &mut told).unwrap();
        assert_eq!((sock.got.as_slice(), p.len()), (&b"AB"[..], 5));
        assert_eq!(
            p.flush_once(&mut sock, 1, 3, &mut told),
            Ok(Flush::Wrote(5))
        );
        assert_eq!(sock.got, b"ABCDEFG");
        assert!(p.is_empty());
        assert_eq!(told.0, ["send 2 +3", "send 0 +5", "send 5 +0"]);
    }

    #[test]
    fn a_socket_that_would_block_queues_the_reply_whole() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        p.send_or_queue(&mut sock, 1, b"WAIT", 1, &mut told)
            .unwrap();
        assert_eq!(
            p.flush_once(&mut sock, 1, 2, &mut told),
            Ok(Flush::WouldBlock)
        );
        assert_eq!(p.len(), 4);
        assert_eq!(
            told.0,
            ["would_block send", "send 0 +4", "would_block send"]
        );
    }

    #[test]
    fn a_failed_send_is_a_reset() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        sock.error = Some(ErrorKind::ConnectionReset);
        assert_eq!(
            p.send_or_queue(&mut sock, 1, b"X", 1, &mut told),
            Err(Failed)
        );
        sock.error = None;
        p.send_or_queue(&mut sock, 1, b"Y", 1, &mut told).unwrap();
        sock.error = Some(ErrorKind::BrokenPipe);
        assert_eq!(p.flush_once(&mut sock, 1, 2, &mut told), Err(Failed));
        assert_eq!(
            told.0,
            ["reset send", "would_block send", "send 0 +1", "reset send"]
        );
    }

    #[test]
    fn a_drained_burst_gives_its_memory_back() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        let burst = vec![b'A'; 4 * KEEP_CAPACITY];
        p.send_or_queue(&mut sock, 1, &burst, 1, &mut told).unwrap();
        assert!(p.buf.capacity() >= burst.len());
        sock.room = KEEP_CAPACITY;
        p.flush_once(&mut sock, 1, 2, &mut told).unwrap();
        assert!(p.buf.capacity() >= burst.len(), "kept while not empty");
        sock.room = usize::MAX;
        p.flush_once(&mut sock, 1, 3, &mut told).unwrap();
        assert!(p.is_empty());
        assert_eq!(p.buf.capacity(), 0);
        // A small queue keeps its buffer for the next time.
        sock.room = 0;
        p.send_or_queue(&mut sock, 1, b"small", 4, &mut told)
            .unwrap();
        sock.room = usize::MAX;
        p.flush_once(&mut sock, 1, 5, &mut told).unwrap();
        assert!(p.is_empty() && p.buf.capacity() >= 5);
    }

    #[test]
    fn time_at_the_cap_is_counted_from_when_it_got_there() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        assert_eq!(p.stalled_for(4), None);
        p.send_or_queue(&mut sock, 1, b"FULL", 1, &mut told)
            .unwrap();
        let first = p.stalled_for(4).expect("at the cap");
        let since = p.full_since.unwrap();
        let later = p.stalled_for(4).unwrap();
        assert!(later >= first);
        assert_eq!(p.full_since, Some(since), "counted from the first time");
        // Below the cap the count ends; at it again, it starts afresh.
        sock.room = 1;
        p.flush_once(&mut sock, 1, 2, &mut told).unwrap();
        assert_eq!(p.stalled_for(4), None);
        assert_eq!(p.full_since, None);
        p.send_or_queue(&mut sock, 1, b"!", 3, &mut told).unwrap();
        assert!(p.stalled_for(4).is_some());
        assert!(p.full_since.unwrap() >= since);
    }
}
