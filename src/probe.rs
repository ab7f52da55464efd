//! The server side of the event channel.
//!
//! A model reports what its sockets did through a [`Probe`]. The real one,
//! [`ChannelProbe`], turns that into [`Event`]s on a bounded crossbeam
//! channel without ever waiting: discrete events (accept, recv, ...) go out
//! one by one with `try_send`, and what the hot loop does millions of times a
//! second (spins, WouldBlocks) is only counted and flushed as a summary about
//! every 20 ms. When the channel is full the event is counted, and the count
//! goes out later as a `dropped` event. [`NoProbe`] does nothing at all, so a
//! benchmark can run the very same loop with the instrumentation compiled out.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError};

use crate::event::{
    Call, ConnId, Event, EventKind, Evict, Model, PREVIEW_BYTES, Refuse, ResetNote, Role,
    escape_bytes,
};
use crate::sys::{self, CpuTime};

/// Slots in the event channel between the server and its reader.
pub const EVENT_CHANNEL_CAP: usize = 4096;

/// How often summaries go out.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// The probe reads the clock at most once per this many counted operations
/// (spins, and every call the loop reports: WouldBlocks, `recv` → b'' and
/// empty sends, polls), so with no clients that is once per ~1000 spins,
/// and with many clients once per ~1000 syscalls: either way the ~30 ns
/// clock read stays far below 0.1% of the loop's time, and a summary is
/// never more than ~1000 calls late. An event that goes out one by one
/// (accept, recv, ...) reads the clock anyway, and sends the summaries first
/// when they are due.
const CLOCK_EVERY_OPS: u32 = 1024;

/// Everything a model can report. All methods default to doing nothing.
pub trait Probe {
    fn listening(&mut self, _addr: SocketAddr, _model: Model, _backlog: i32, _faithful: bool) {}
    /// One loop iteration began.
    #[inline]
    fn spin(&mut self) {}
    /// A call answered EAGAIN/EWOULDBLOCK.
    #[inline]
    fn would_block(&mut self, _call: Call) {}
    /// `--faithful`: a `recv` returned 0 bytes and was treated as data.
    #[inline]
    fn empty_recv(&mut self) {}
    /// `--faithful`: an empty reply was sent.
    #[inline]
    fn empty_send(&mut self) {}
    fn accept(&mut self, _conn: ConnId, _peer: SocketAddr) {}
    fn recv(&mut self, _conn: ConnId, _data: &[u8], _spin: u64) {}
    fn send(&mut self, _conn: ConnId, _data: &[u8], _pending: usize, _spin: u64) {}
    fn closed(&mut self, _conn: ConnId) {}
    fn reset(&mut self, _conn: ConnId, _call: Call, _error: &io::Error, _note: Option<ResetNote>) {}
    fn lost(&mut self, _conn: ConnId, _bytes: usize) {}
    fn evicted(&mut self, _conn: ConnId, _why: Evict, _limit_bytes: Option<u64>, _stall: Duration) {
    }
    fn refused(&mut self, _peer: SocketAddr, _why: Refuse, _limit: u64) {}
    fn accept_error(&mut self, _error: &io::Error, _backoff: Duration) {}
    /// `thread` parked for the pause (`true`) or went on (`false`).
    fn paused(&mut self, _paused: bool, _thread: &str) {}
    /// A blocking model's thread is about to block in `call`.
    fn blocked(&mut self, _thread: &str, _call: Call, _conn: Option<ConnId>) {}
    /// ... and came back after `waited`.
    fn unblocked(&mut self, _thread: &str, _call: Call, _conn: Option<ConnId>, _waited: Duration) {}
    fn thread(&mut self, _thread: &str, _role: Role, _alive: bool, _conn: Option<ConnId>) {}
    fn queued(&mut self, _conn: ConnId) {}
    fn dequeued(&mut self, _conn: ConnId, _thread: &str, _waited: Duration) {}
    /// `multiplex`: `poll` returned with `ready` events.
    #[inline]
    fn wakeup(&mut self, _ready: usize) {}
    /// Push out the summaries now (before pausing or stopping).
    fn flush(&mut self) {}
    /// While `on` (a paused loop let through for one step), what was
    /// counted goes out before each event that goes out one by one, so the
    /// events come in the order of the calls; off, summaries go out about
    /// every 20 ms.
    fn in_call_order(&mut self, _on: bool) {}
    /// Push out the summaries if ~20 ms have passed since the last ones.
    fn flush_if_due(&mut self) {}
}

/// Instrumentation compiled out: the bare loop, for comparison.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProbe;

impl Probe for NoProbe {}

/// The real probe: events on a bounded channel, never blocking.
#[derive(Debug)]
pub struct ChannelProbe {
    tx: Sender<Event>,
    epoch: Instant,
    ops_until_clock: u32,
    last_flush_us: u64,
    in_call_order: bool,
    // Counted since the last delivered summary.
    spins: u64,
    would_block: [u64; 3],
    wakeups: u64,
    ready: u64,
    empty_recvs: u64,
    empty_sends: u64,
    dropped: u64,
    cpu_reported: CpuTime,
}

impl ChannelProbe {
    /// `epoch` is the run's clock: event times are microseconds since it.
    /// Create the probe on the thread it reports for: CPU time is that
    /// thread's.
    pub fn new(tx: Sender<Event>, epoch: Instant) -> Self {
        let mut probe = ChannelProbe {
            tx,
            epoch,
            ops_until_clock: CLOCK_EVERY_OPS,
            last_flush_us: 0,
            in_call_order: false,
            spins: 0,
            would_block: [0; 3],
            wakeups: 0,
            ready: 0,
            empty_recvs: 0,
            empty_sends: 0,
            dropped: 0,
            cpu_reported: sys::thread_cpu(),
        };
        probe.last_flush_us = probe.now_us();
        probe
    }

    /// Counts not delivered yet (the last flush found the channel full).
    pub fn has_unreported(&self) -> bool {
        self.spins > 0
            || self.would_block != [0; 3]
            || self.wakeups > 0
            || self.empty_recvs > 0
            || self.empty_sends > 0
            || self.dropped > 0
    }

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    /// Sends one event; `false` if it had to be dropped.
    fn emit_at(&mut self, t_us: u64, kind: EventKind) -> bool {
        match self.tx.try_send(Event { t_us, kind }) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped += 1;
                false
            }
            // Nobody listens any more: nothing to count.
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Sends one event now, after the summaries if they are due (or, in
    /// call order, if anything was counted): its clock read serves both,
    /// and a loop busy with events that go out one by one still sends its
    /// summaries.
    fn emit(&mut self, kind: EventKind) -> bool {
        let t = self.now_us();
        if self.in_call_order && self.has_unreported() {
            self.flush_at(t);
        } else {
            self.flush_if_due_at(t);
        }
        self.emit_at(t, kind)
    }

    #[inline]
    fn count_op(&mut self) {
        self.ops_until_clock -= 1;
        if self.ops_until_clock == 0 {
            self.ops_until_clock = CLOCK_EVERY_OPS;
            let now = self.now_us();
            self.flush_if_due_at(now);
        }
    }

    fn flush_if_due_at(&mut self, now: u64) {
        if now.saturating_sub(self.last_flush_us) >= FLUSH_EVERY.as_micros() as u64 {
            self.flush_at(now);
        }
    }

    fn flush_at(&mut self, now: u64) {
        self.last_flush_us = now;
        let cpu = sys::thread_cpu();
        let used = cpu.since(self.cpu_reported);
        let counted = self.spins > 0 || self.empty_recvs > 0 || self.empty_sends > 0;
        if counted || used.total_us() > 0 {
            let summary = EventKind::Spin {
                spins: self.spins,
                cpu_user_us: used.user_us,
                cpu_sys_us: used.sys_us,
                empty_recvs: self.empty_recvs,
                empty_sends: self.empty_sends,
            };
            if self.emit_at(now, summary) {
                self.spins = 0;
                self.empty_recvs = 0;
                self.empty_sends = 0;
                self.cpu_reported = cpu;
            }
        }
        if self.would_block != [0; 3] {
            let [accept, recv, send] = self.would_block;
            if self.emit_at(now, EventKind::WouldBlock { accept, recv, send }) {
                self.would_block = [0; 3];
            }
        }
        if self.wakeups > 0 {
            let (wakeups, ready) = (self.wakeups, self.ready);
            if self.emit_at(now, EventKind::Wakeup { wakeups, ready }) {
                self.wakeups = 0;
                self.ready = 0;
            }
        }
        if self.dropped > 0 {
            let count = self.dropped;
            // Sending this may itself fail and count one more: that is fine,
            // the count is reported on a later flush.
            if self.emit_at(now, EventKind::Dropped { count }) {
                self.dropped -= count;
            }
        }
    }
}

impl Probe for ChannelProbe {
    fn listening(&mut self, addr: SocketAddr, model: Model, backlog: i32, faithful: bool) {
        self.emit(EventKind::Listening {
            addr: addr.to_string(),
            model,
            backlog,
            faithful,
            cpu_split: sys::CPU_SPLIT,
        });
    }

    #[inline]
    fn spin(&mut self) {
        self.spins += 1;
        self.count_op();
    }

    #[inline]
    fn would_block(&mut self, call: Call) {
        let i = match call {
            Call::Accept => 0,
            Call::Recv => 1,
            Call::Send | Call::Queue => 2,
        };
        self.would_block[i] += 1;
        self.count_op();
    }

    #[inline]
    fn empty_recv(&mut self) {
        self.empty_recvs += 1;
        self.count_op();
    }

    #[inline]
    fn empty_send(&mut self) {
        self.empty_sends += 1;
        self.count_op();
    }

    fn accept(&mut self, conn: ConnId, peer: SocketAddr) {
        self.emit(EventKind::Accept {
            conn,
            peer: peer.to_string(),
        });
    }

    fn recv(&mut self, conn: ConnId, data: &[u8], spin: u64) {
        self.emit(EventKind::Recv {
            conn,
            bytes: data.len(),
            spin,
            preview: escape_bytes(data, PREVIEW_BYTES),
        });
    }

    fn send(&mut self, conn: ConnId, data: &[u8], pending: usize, spin: u64) {
        self.emit(EventKind::Send {
            conn,
            bytes: data.len(),
            spin,
            preview: escape_bytes(data, PREVIEW_BYTES),
            pending,
        });
    }

    fn closed(&mut self, conn: ConnId) {
        self.emit(EventKind::Closed { conn });
    }

    fn reset(&mut self, conn: ConnId, call: Call, error: &io::Error, note: Option<ResetNote>) {
        self.emit(EventKind::Reset {
            conn,
            call,
            error: error_name(error),
            note,
        });
    }

    fn lost(&mut self, conn: ConnId, bytes: usize) {
        self.emit(EventKind::Lost { conn, bytes });
    }

    fn evicted(&mut self, conn: ConnId, why: Evict, limit_bytes: Option<u64>, stall: Duration) {
        self.emit(EventKind::Evicted {
            conn,
            why,
            limit_bytes,
            stall_ms: stall.as_millis() as u64,
        });
    }

    fn refused(&mut self, peer: SocketAddr, why: Refuse, limit: u64) {
        self.emit(EventKind::Refused {
            peer: peer.to_string(),
            why,
            limit,
        });
    }

    fn accept_error(&mut self, error: &io::Error, backoff: Duration) {
        self.emit(EventKind::AcceptError {
            error: error_name(error),
            backoff_ms: backoff.as_millis() as u64,
        });
    }

    fn paused(&mut self, paused: bool, thread: &str) {
        self.emit(EventKind::Paused {
            paused,
            thread: Some(thread.to_string()),
        });
    }

    fn blocked(&mut self, thread: &str, call: Call, conn: Option<ConnId>) {
        // About to sleep in the kernel: `emit` reports the CPU used so far
        // (at the summaries' pace: a thread that blocks 50,000 times a
        // second must not send 50,000 summaries).
        self.emit(EventKind::Blocked {
            thread: thread.to_string(),
            call,
            conn,
        });
    }

    fn unblocked(&mut self, thread: &str, call: Call, conn: Option<ConnId>, waited: Duration) {
        self.emit(EventKind::Unblocked {
            thread: thread.to_string(),
            call,
            conn,
            waited_us: waited.as_micros() as u64,
        });
    }

    fn thread(&mut self, thread: &str, role: Role, alive: bool, conn: Option<ConnId>) {
        if !alive {
            self.flush();
        }
        self.emit(EventKind::Thread {
            thread: thread.to_string(),
            role,
            alive,
            conn,
        });
    }

    fn queued(&mut self, conn: ConnId) {
        self.emit(EventKind::Queued { conn });
    }

    fn dequeued(&mut self, conn: ConnId, thread: &str, waited: Duration) {
        self.emit(EventKind::Dequeued {
            conn,
            thread: thread.to_string(),
            waited_us: waited.as_micros() as u64,
        });
    }

    #[inline]
    fn wakeup(&mut self, ready: usize) {
        self.wakeups += 1;
        self.ready += ready as u64;
        self.count_op();
    }

    fn flush(&mut self) {
        let now = self.now_us();
        self.flush_at(now);
    }

    fn flush_if_due(&mut self) {
        let now = self.now_us();
        self.flush_if_due_at(now);
    }

    fn in_call_order(&mut self, on: bool) {
        self.in_call_order = on;
    }
}

/// A short, stable name for an IO error: `ECONNRESET`, `EPIPE`, ...
pub fn error_name(e: &io::Error) -> String {
    let name = match e.raw_os_error() {
        Some(libc::ECONNRESET) => "ECONNRESET",
        Some(libc::EPIPE) => "EPIPE",
        Some(libc::ECONNABORTED) => "ECONNABORTED",
        Some(libc::ETIMEDOUT) => "ETIMEDOUT",
        Some(libc::EMFILE) => "EMFILE",
        Some(libc::ENFILE) => "ENFILE",
        Some(libc::ENOBUFS) => "ENOBUFS",
        Some(libc::ENOMEM) => "ENOMEM",
        Some(libc::EAGAIN) => "EAGAIN",
        Some(libc::EHOSTUNREACH) => "EHOSTUNREACH",
        Some(libc::ENETUNREACH) => "ENETUNREACH",
        Some(libc::ENOTCONN) => "ENOTCONN",
        Some(n) => return format!("errno {n}"),
        None => return format!("{:?}", e.kind()),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_channel_counts_drops_and_reports_them_later() {
        let (tx, rx) = crossbeam_channel::bounded(2);
        let mut probe = ChannelProbe::new(tx, Instant::now());
        let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
        for conn in 1..=5 {
            probe.accept(conn, peer);
        }
        assert_eq!(rx.len(), 2);
        assert_eq!(probe.dropped, 3);
        rx.try_iter().count();
        probe.flush();
        let kinds: Vec<_> = rx.try_iter().map(|e| e.kind).collect();
        assert!(
            kinds.contains(&EventKind::Dropped { count: 3 }),
            "{kinds:?}"
        );
    }

    #[test]
    fn counts_a_full_channel_refused_stay_unreported_until_delivered() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let mut probe = ChannelProbe::new(tx, Instant::now());
        probe.accept(1, "127.0.0.1:1".parse().unwrap()); // fills the channel
        probe.wakeup(3);
        probe.flush(); // fails: the channel is full
        assert!(
            probe.has_unreported(),
            "a loop must not go to sleep on these"
        );
        // One slot: each flush delivers one summary (a `spin` first when
        // the thread's CPU time moved meanwhile), so flush until all are out.
        let mut kinds = Vec::new();
        for _ in 0..10 {
            if !probe.has_unreported() {
                break;
            }
            kinds.extend(rx.try_iter().map(|e| e.kind.name()));
            probe.flush();
        }
        kinds.extend(rx.try_iter().map(|e| e.kind.name()));
        assert!(kinds.contains(&"wakeup"), "{kinds:?}");
        assert!(!probe.has_unreported(), "{kinds:?}");
        assert_eq!(probe.dropped, 0);
    }

    /// A probe whose last summary went out 100 ms ago.
    fn probe_due_for_a_summary() -> (ChannelProbe, crossbeam_channel::Receiver<Event>) {
        let (tx, rx) = crossbeam_channel::bounded(256);
        let epoch = Instant::now()
            .checked_sub(Duration::from_millis(100))
            .expect("a clock that has run 100 ms");
        let mut probe = ChannelProbe::new(tx, epoch);
        probe.last_flush_us = probe.now_us() - 100_000;
        (probe, rx)
    }

    #[test]
    fn empty_recvs_alone_bring_the_summary() {
        // `--faithful` with thousands of CLOSE-WAIT sockets: a spin is
        // thousands of recv → 0 and empty sends, and few spins.
        let (mut probe, rx) = probe_due_for_a_summary();
        for _ in 0..CLOCK_EVERY_OPS {
            probe.empty_recv();
        }
        let summaries: Vec<_> = rx
            .try_iter()
            .filter_map(|e| match e.kind {
                EventKind::Spin { empty_recvs, .. } => Some(empty_recvs),
                _ => None,
            })
            .collect();
        assert_eq!(summaries, [u64::from(CLOCK_EVERY_OPS)]);
    }

    #[test]
    fn every_reported_call_counts_towards_the_clock() {
        type Call1 = fn(&mut ChannelProbe);
        let calls: [(&str, Call1); 9] = [
            ("empty_send", |p| p.empty_send()),
            ("wakeup", |p| p.wakeup(1)),
            ("recv", |p| p.recv(1, b"x", 1)),
            ("send", |p| p.send(1, b"X", 0, 1)),
            ("accept", |p| p.accept(1, ([127, 0, 0, 1], 1).into())),
            ("closed", |p| p.closed(1)),
            ("reset", |p| {
                p.reset(
                    1,
                    Call::Recv,
                    &io::Error::from_raw_os_error(libc::ECONNRESET),
                    None,
                )
            }),
            ("lost", |p| p.lost(1, 1)),
            ("unblocked", |p| {
                p.unblocked("t", Call::Recv, Some(1), Duration::ZERO)
            }),
        ];
        for (name, call) in calls {
            let (mut probe, rx) = probe_due_for_a_summary();
            probe.spins = 1; // something to summarise
            for _ in 0..CLOCK_EVERY_OPS {
                call(&mut probe);
            }
            assert!(
                rx.try_iter()
                    .any(|e| matches!(e.kind, EventKind::Spin { .. })),
                "{name}: no summary after {CLOCK_EVERY_OPS} calls"
            );
        }
    }

    #[test]
    fn in_call_order_what_was_counted_goes_out_before_the_next_event() {
        let (tx, rx) = crossbeam_channel::bounded(256);
        let mut probe = ChannelProbe::new(tx, Instant::now());
        probe.in_call_order(true);
        probe.would_block(Call::Accept);
        probe.recv(1, b"x", 1);
        probe.would_block(Call::Recv);
        probe.send(1, b"X", 0, 1);
        let names: Vec<_> = rx
            .try_iter()
            .map(|e| e.kind.name())
            .filter(|n| *n != "spin")
            .collect();
        assert_eq!(names, ["would_block", "recv", "would_block", "send"]);
        // Off again: counted, summarised later (the last summary went out
        // "now": the next is not due for a minute).
        probe.in_call_order(false);
        probe.last_flush_us = probe.now_us() + 60_000_000;
        probe.would_block(Call::Accept);
        probe.recv(1, b"y", 2);
        let names: Vec<_> = rx.try_iter().map(|e| e.kind.name()).collect();
        assert_eq!(names, ["recv"]);
    }

    #[test]
    fn would_blocks_are_summarised_not_sent_one_by_one() {
        let (tx, rx) = crossbeam_channel::bounded(256);
        let mut probe = ChannelProbe::new(tx, Instant::now());
        for _ in 0..10_000 {
            probe.spin();
            probe.would_block(Call::Accept);
        }
        probe.flush();
        let events: Vec<_> = rx.try_iter().collect();
        assert!(events.len() < 50, "{} events for 10k spins", events.len());
        let (spins, accepts) = events.iter().fold((0, 0), |(s, a), e| match e.kind {
            EventKind::Spin { spins, .. } => (s + spins, a),
            EventKind::WouldBlock { accept, .. } => (s, a + accept),
            _ => (s, a),
        });
        assert_eq!((spins, accepts), (10_000, 10_000));
    }
}
