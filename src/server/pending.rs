//! The replies a single-threaded loop (`nonblocking`, `multiplex`) holds for
//! clients the kernel will not take them for yet: sent before any newer
//! reply, retried until they are out, their memory given back once a burst
//! has drained — and bounded twice, by the [`Budget`]: per client
//! (`--pending-cap`) and for all clients together (`--pending-total`).
//!
//! At either bound the loop stops reading from a client (its own `send`
//! then blocks in its kernel: TCP's flow control does the rest). Whom it
//! stops reading at the total:
//!
//! - every client that has replies queued, once the total reaches three
//!   quarters of the cap. A queued reply means the kernel refused it: that
//!   client is not reading now, so more of its requests would only queue
//!   more; stopping it costs it nothing it would not wait for anyway, and it
//!   is read again as soon as its queue is out (or the total falls);
//! - everyone, when the next `recv` could take the total over the cap.
//!
//! The quarter between is kept for clients with nothing queued — a chatty
//! client whose replies go straight out — so that hundreds of slow readers
//! at the total do not stop it: each client can add at most one `recv`'s
//! reply there before it counts as queued, so filling the reserve takes
//! (cap / 4) / 1 KiB clients (16,384 at the 64 MiB default). And the total
//! never exceeds the cap.
//!
//! A client the loop stopped reading whose replies then sit unread (not a
//! byte of them taken) for `--stall-timeout` is evicted, with the bound
//! that stopped it first.

use std::cell::Cell;
use std::io::{self, ErrorKind, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::{Limits, RECV_SIZE};
use crate::event::{Call, ConnId, Evict};
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

/// What one loop's clients may hold in queued replies, and what they hold.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    /// The bytes queued for all the loop's clients: every [`Pending`] made
    /// by [`Budget::pending`] adds and takes its own (the loop is one
    /// thread).
    held: Rc<Cell<usize>>,
    per_client: usize,
    total: usize,
    /// Clients with replies queued are not read from at this total.
    line: usize,
}

impl Budget {
    pub fn new(limits: &Limits) -> Self {
        // Room for one recv's reply at the least, or nobody could be read.
        let total = limits.pending_total.max(2 * RECV_SIZE);
        let reserve = (total / 4).max(RECV_SIZE);
        Budget {
            held: Rc::default(),
            per_client: limits.pending_cap,
            total,
            line: total - reserve,
        }
    }

    /// A new client's queue, counted in this budget.
    pub fn pending(&self) -> Pending {
        Pending {
            buf: Vec::new(),
            held: Rc::clone(&self.held),
            stuck: None,
        }
    }

    /// The bytes queued for all clients now.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.held.get()
    }

    /// The bound `why` names, for the `evicted` event.
    pub fn limit(&self, why: Evict) -> u64 {
        match why {
            Evict::TotalCap => self.total as u64,
            _ => self.per_client as u64,
        }
    }

    /// Whether the loop must not read from the client whose queue is
    /// `pending` now, and for which bound. `in_flight`: reply bytes read
    /// since the total was last brought up to date (the busy loop reads
    /// every client before it replies to any).
    pub fn hold(&self, pending: &Pending, in_flight: usize) -> Option<Evict> {
        let total = self.held.get() + in_flight;
        if pending.len() >= self.per_client {
            Some(Evict::Stalled)
        } else if (!pending.is_empty() && total >= self.line) || total + RECV_SIZE > self.total {
            Some(Evict::TotalCap)
        } else {
            None
        }
    }
}

/// One connection's queued reply bytes.
#[derive(Debug)]
pub(crate) struct Pending {
    buf: Vec<u8>,
    /// Its budget's count of every client's queued bytes.
    held: Rc<Cell<usize>>,
    /// Since when its replies sit unread while the loop does not read from
    /// it, and the bound that stopped it then.
    stuck: Option<(Instant, Evict)>,
}

impl Default for Pending {
    /// A queue with a budget of its own.
    fn default() -> Self {
        Budget::new(&Limits::default()).pending()
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.held.set(self.held.get() - self.buf.len());
    }
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
                    probe.would_block(Call::Send, Some(conn));
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
        let queued = &reply[sent..];
        self.buf.extend_from_slice(queued);
        self.held.set(self.held.get() + queued.len());
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
                self.held.set(self.held.get() - n);
                if n > 0 {
                    self.stuck = None; // the client reads
                }
                if self.buf.is_empty() && self.buf.capacity() > KEEP_CAPACITY {
                    self.buf = Vec::new(); // give a burst's memory back
                }
                Ok(Flush::Wrote(n))
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                probe.would_block(Call::Send, Some(conn));
                Ok(Flush::WouldBlock)
            }
            Err(e) => {
                probe.reset(conn, Call::Send, &e, None);
                Err(Failed)
            }
        }
    }

    /// The loop does not read from this client now, stopped by `why`:
    /// from now on (unless already) the time its replies sit unread is
    /// counted, until a byte of them goes out. Returns that time and the
    /// bound that stopped it first; `None` with nothing queued (then
    /// nothing sits: the client is only waiting for room).
    pub fn hold(&mut self, why: Evict, now: Instant) -> Option<(Duration, Evict)> {
        if self.buf.is_empty() {
            return None;
        }
        let (since, first) = *self.stuck.get_or_insert((now, why));
        Some((now.saturating_duration_since(since), first))
    }

    /// Whether the loop stopped reading from this client and it has not
    /// taken a byte of its replies since.
    #[cfg(test)]
    pub fn is_stuck(&self) -> bool {
        self.stuck.is_some()
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
        fn would_block(&mut self, call: Call, _conn: Option<ConnId>) {
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
    fn unread_time_counts_from_the_first_hold_until_a_byte_goes_out() {
        let (mut sock, mut told, mut p) = (Sock::default(), Told::default(), Pending::default());
        let t0 = Instant::now();
        let later = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(
            p.hold(Evict::Stalled, t0),
            None,
            "nothing queued: nothing sits"
        );
        assert!(!p.is_stuck());
        p.send_or_queue(&mut sock, 1, b"FULL", 1, &mut told)
            .unwrap();
        assert_eq!(
            p.hold(Evict::TotalCap, t0),
            Some((Duration::ZERO, Evict::TotalCap))
        );
        // Counted from the first hold, with the bound that stopped it then.
        assert_eq!(
            p.hold(Evict::Stalled, later(700)),
            Some((Duration::from_millis(700), Evict::TotalCap))
        );
        assert!(p.is_stuck());
        // Nothing taken: still stuck.
        p.flush_once(&mut sock, 1, 2, &mut told).unwrap();
        assert!(p.is_stuck());
        // A byte taken: the count ends; held again, it starts afresh.
        sock.room = 1;
        p.flush_once(&mut sock, 1, 3, &mut told).unwrap();
        assert!(!p.is_stuck());
        assert_eq!(
            p.hold(Evict::Stalled, later(900)),
            Some((Duration::ZERO, Evict::Stalled))
        );
    }

    fn budget(per_client: usize, total: usize) -> Budget {
        Budget::new(&Limits {
            pending_cap: per_client,
            pending_total: total,
            ..Limits::default()
        })
    }

    /// Queues `n` bytes for a client whose socket takes nothing.
    fn queue(p: &mut Pending, n: usize) {
        let (mut sock, mut told) = (Sock::default(), Told::default());
        p.send_or_queue(&mut sock, 1, &vec![b'X'; n], 1, &mut told)
            .unwrap();
    }

    #[test]
    fn the_budget_counts_every_queue_until_it_is_sent_or_dropped() {
        let b = budget(1 << 20, 1 << 20);
        let (mut one, mut two) = (b.pending(), b.pending());
        queue(&mut one, 100);
        queue(&mut two, 50);
        assert_eq!(b.held(), 150);
        let (mut sock, mut told) = (Sock::default(), Told::default());
        sock.room = 30;
        one.flush_once(&mut sock, 1, 2, &mut told).unwrap();
        assert_eq!(b.held(), 120);
        drop(two);
        assert_eq!(b.held(), 70);
        drop(one);
        assert_eq!(b.held(), 0);
    }

    #[test]
    fn the_budget_stops_reading_queued_clients_at_three_quarters_and_everyone_at_the_cap() {
        let k = RECV_SIZE;
        let b = budget(16 * k, 40 * k); // the line at 30 KiB
        let (mut heavy, mut light, empty) = (b.pending(), b.pending(), b.pending());
        // Its own cap first.
        queue(&mut heavy, 16 * k);
        assert_eq!(b.hold(&heavy, 0), Some(Evict::Stalled));
        assert_eq!(b.hold(&empty, 0), None);
        // Below the line, a client with replies queued is read from...
        queue(&mut light, 13 * k);
        assert_eq!(b.hold(&light, 0), None);
        // ... at it (what was read this spin counts), not.
        assert_eq!(b.hold(&light, k), Some(Evict::TotalCap));
        queue(&mut light, k);
        assert_eq!(b.hold(&light, 0), Some(Evict::TotalCap));
        // A client with nothing queued is, while a recv's reply fits.
        assert_eq!(b.hold(&empty, 0), None);
        assert_eq!(b.hold(&empty, 9 * k), None);
        assert_eq!(b.hold(&empty, 9 * k + 1), Some(Evict::TotalCap));
        assert_eq!(b.limit(Evict::TotalCap), 40 * k as u64);
        assert_eq!(b.limit(Evict::Stalled), 16 * k as u64);
    }

    #[test]
    fn a_tiny_total_still_lets_one_reply_through() {
        let b = budget(1 << 20, 0);
        assert_eq!(b.hold(&b.pending(), 0), None);
    }
}
