//! The real probe: a batch per thread, handed over whole.
//!
//! Events that matter one by one (accept, recv, send, close, ...) go into
//! the thread's batch; what the hot loop does millions of times a second
//! (spins, WouldBlocks, polls) is only counted, and the counts go into the
//! batch as summaries about every 20 ms. The batch is handed to the reader
//! when it holds [`BATCH`] events, with the summaries, when the loop parks
//! or steps or stops ([`Probe::flush`]), and before the thread sleeps in a
//! blocking call or a pause. Handing over never waits: a channel that is
//! full refuses the batch, its events are counted as dropped (its summaries
//! go back to the counts, so totals stay exact) and the count goes out
//! later as a `dropped` event.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crossbeam_channel::TrySendError;

use super::channel::{Batch, EventTx};
use super::{FLUSH_EVERY, Probe, error_name};
use crate::event::{
    Backoff, Call, ConnId, Event, EventKind, Evict, Model, Preview, Reach, Refuse, ResetNote, Role,
};
use crate::sys::{self, CpuTime};

/// A thread's batch is handed over once it holds this many events.
pub const BATCH: usize = 256;

/// The probe reads the clock at most once per this many counted operations
/// (spins, and every call the loop reports: WouldBlocks, `recv` → b'' and
/// empty sends, polls), so with no clients that is once per ~1000 spins,
/// and with many clients once per ~1000 syscalls: either way the ~30 ns
/// clock read stays far below 0.1% of the loop's time, and a summary is
/// never more than ~1000 calls late. An event that matters one by one
/// (accept, recv, ...) reads the clock anyway, and adds the summaries first
/// when they are due.
const CLOCK_EVERY_OPS: u32 = 1024;

/// The smallest room a new batch is made with. A batch is made with room
/// for as many events as the last one carried (to the next power of two,
/// up to [`BATCH`]): a busy loop fills whole batches, a thread that blocks
/// after every few events hands over a few at a time, and should not keep
/// 22 KB of room per handful in the channel.
const MIN_ROOM: usize = 8;

/// The real probe. Create it on the thread it reports for: CPU time is that
/// thread's, and the batch is that thread's events in order.
#[derive(Debug)]
pub struct ChannelProbe {
    tx: EventTx,
    epoch: Instant,
    batch: Batch,
    /// Room for the next batch.
    room: usize,
    ops_until_clock: u32,
    last_flush_us: u64,
    traced: bool,
    // Counted since the last summary that reached the reader.
    spins: u64,
    would_block: [u64; 3],
    wakeups: u64,
    ready: u64,
    empty_recvs: u64,
    empty_sends: u64,
    dropped: u64,
    cpu_reported: CpuTime,
    /// CPU time of summaries in a batch the channel refused.
    cpu_carried: CpuTime,
    // For benchmarks: what this probe did over its life.
    handed_over: u64,
    dropped_total: u64,
}

impl ChannelProbe {
    /// `epoch` is the run's clock: event times are microseconds since it.
    pub fn new(tx: EventTx, epoch: Instant) -> Self {
        let mut probe = ChannelProbe {
            tx,
            epoch,
            batch: Vec::new(),
            room: BATCH,
            ops_until_clock: CLOCK_EVERY_OPS,
            last_flush_us: 0,
            traced: false,
            spins: 0,
            would_block: [0; 3],
            wakeups: 0,
            ready: 0,
            empty_recvs: 0,
            empty_sends: 0,
            dropped: 0,
            cpu_reported: sys::thread_cpu(),
            cpu_carried: CpuTime::default(),
            handed_over: 0,
            dropped_total: 0,
        };
        probe.last_flush_us = probe.now_us();
        probe
    }

    /// Batches handed to the reader so far: each can wake a parked reader
    /// at most once (the dashboard and the headless writer never park on
    /// the channel, so for them it wakes nobody).
    pub fn batches_handed_over(&self) -> u64 {
        self.handed_over
    }

    /// Events the channel refused over the probe's life.
    pub fn events_dropped(&self) -> u64 {
        self.dropped_total
    }

    /// Counts not in a summary yet.
    fn has_counted(&self) -> bool {
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

    /// Adds one event to the batch; a full batch is handed over.
    fn push(&mut self, t_us: u64, kind: EventKind) {
        if self.batch.capacity() == 0 {
            self.batch.reserve_exact(self.room);
        }
        self.batch.push(Event { t_us, kind });
        if self.batch.len() >= BATCH {
            self.hand_over();
        }
    }

    /// Hands the batch to the reader without waiting. Refused (the reader
    /// is behind): its events are counted as dropped, its summaries go
    /// back to the counts.
    fn hand_over(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.room = batch.len().next_power_of_two().clamp(MIN_ROOM, BATCH);
        let mut back = match self.tx.try_send(batch) {
            Ok(()) => {
                self.handed_over += 1;
                return;
            }
            Err(TrySendError::Full(back)) => {
                for event in &back {
                    self.take_back(&event.kind);
                }
                back
            }
            // Nobody reads any more: nothing to count.
            Err(TrySendError::Disconnected(back)) => back,
        };
        back.clear();
        self.batch = back;
    }

    /// A refused event: a summary's counts are counted again, any other
    /// event is counted as dropped.
    fn take_back(&mut self, kind: &EventKind) {
        match *kind {
            EventKind::Spin {
                spins,
                cpu_user_us,
                cpu_sys_us,
                empty_recvs,
                empty_sends,
            } => {
                self.spins += spins;
                self.empty_recvs += empty_recvs;
                self.empty_sends += empty_sends;
                self.cpu_carried.user_us += cpu_user_us;
                self.cpu_carried.sys_us += cpu_sys_us;
            }
            EventKind::WouldBlock { accept, recv, send } => {
                self.would_block[0] += accept;
                self.would_block[1] += recv;
                self.would_block[2] += send;
            }
            EventKind::Wakeup { wakeups, ready } => {
                self.wakeups += wakeups;
                self.ready += ready;
            }
            EventKind::Dropped { count } => self.dropped += count,
            _ => {
                self.dropped += 1;
                self.dropped_total += 1;
            }
        }
    }

    /// Adds an event now, after the summaries if they are due (or, in call
    /// order, if anything was counted): its clock read serves both, and a
    /// loop busy with events that matter one by one still sends its
    /// summaries.
    fn emit(&mut self, kind: EventKind) {
        let t = self.now_us();
        if self.traced && self.has_counted() {
            self.summarise_at(t);
        } else if self.is_due(t) {
            self.flush_at(t);
        }
        self.push(t, kind);
    }

    /// As `emit`, then hands the batch over: the thread is about to sleep.
    fn emit_and_deliver(&mut self, kind: EventKind) {
        self.emit(kind);
        self.hand_over();
    }

    #[inline]
    fn count_op(&mut self) {
        self.ops_until_clock -= 1;
        if self.ops_until_clock == 0 {
            self.ops_until_clock = CLOCK_EVERY_OPS;
            let now = self.now_us();
            if self.is_due(now) {
                self.flush_at(now);
            }
        }
    }

    fn is_due(&self, now: u64) -> bool {
        now.saturating_sub(self.last_flush_us) >= FLUSH_EVERY.as_micros() as u64
    }

    /// The summaries into the batch, then the batch to the reader.
    fn flush_at(&mut self, now: u64) {
        self.summarise_at(now);
        self.hand_over();
    }

    /// What was counted goes into the batch as summaries.
    fn summarise_at(&mut self, now: u64) {
        self.last_flush_us = now;
        let cpu = sys::thread_cpu();
        let used = cpu.since(self.cpu_reported);
        let (user, sys) = (
            used.user_us + self.cpu_carried.user_us,
            used.sys_us + self.cpu_carried.sys_us,
        );
        let counted = self.spins > 0 || self.empty_recvs > 0 || self.empty_sends > 0;
        if counted || user + sys > 0 {
            let summary = EventKind::Spin {
                spins: std::mem::take(&mut self.spins),
                cpu_user_us: user,
                cpu_sys_us: sys,
                empty_recvs: std::mem::take(&mut self.empty_recvs),
                empty_sends: std::mem::take(&mut self.empty_sends),
            };
            self.cpu_reported = cpu;
            self.cpu_carried = CpuTime::default();
            self.push(now, summary);
        }
        if self.would_block != [0; 3] {
            let [accept, recv, send] = std::mem::take(&mut self.would_block);
            self.push(now, EventKind::WouldBlock { accept, recv, send });
        }
        if self.wakeups > 0 {
            let wakeups = std::mem::take(&mut self.wakeups);
            let ready = std::mem::take(&mut self.ready);
            self.push(now, EventKind::Wakeup { wakeups, ready });
        }
        if self.dropped > 0 {
            let count = std::mem::take(&mut self.dropped);
            self.push(now, EventKind::Dropped { count });
        }
    }
}

impl Drop for ChannelProbe {
    /// A thread that ends (or unwinds from a panic) hands over what it has.
    fn drop(&mut self) {
        self.hand_over();
    }
}

impl Probe for ChannelProbe {
    fn listening(
        &mut self,
        addr: SocketAddr,
        model: Model,
        backlog: i32,
        listing: Option<bool>,
        reachable: &[Reach],
    ) {
        self.emit(EventKind::Listening {
            addr: addr.to_string(),
            model,
            backlog,
            faithful: listing.is_some(),
            verbatim: listing == Some(true),
            cpu_split: sys::CPU_SPLIT,
            reachable: reachable.to_vec(),
        });
    }

    fn pace(&mut self, call_delay: Duration, backoff: Backoff, sleep: Duration) {
        self.emit(EventKind::Pace {
            call_delay_us: call_delay.as_micros() as u64,
            backoff,
            backoff_us: sleep.as_micros() as u64,
        });
    }

    #[inline]
    fn spin(&mut self) {
        self.spins += 1;
        self.count_op();
    }

    #[inline]
    fn would_block(&mut self, call: Call, conn: Option<ConnId>) {
        if self.traced {
            self.emit(EventKind::WouldBlockOn { call, conn });
            return;
        }
        self.would_block[call.would_block_slot()] += 1;
        self.count_op();
    }

    #[inline]
    fn empty_recv(&mut self, conn: ConnId, spin: u64) {
        if self.traced {
            self.recv(conn, &[], spin);
            return;
        }
        self.empty_recvs += 1;
        self.count_op();
    }

    #[inline]
    fn empty_send(&mut self, conn: ConnId, spin: u64) {
        if self.traced {
            self.send(conn, &[], 0, spin);
            return;
        }
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
            preview: Preview::of(data),
        });
    }

    fn send(&mut self, conn: ConnId, data: &[u8], pending: usize, spin: u64) {
        self.emit(EventKind::Send {
            conn,
            bytes: data.len(),
            spin,
            preview: Preview::of(data),
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
        self.emit_and_deliver(EventKind::AcceptError {
            error: error_name(error),
            backoff_ms: backoff.as_millis() as u64,
        });
    }

    fn paused(&mut self, paused: bool, thread: &str) {
        self.emit_and_deliver(EventKind::Paused {
            paused,
            thread: Some(thread.to_string()),
        });
    }

    fn blocked(&mut self, thread: &str, call: Call, conn: Option<ConnId>) {
        // About to sleep in the kernel: `emit` adds the CPU used so far (at
        // the summaries' pace: a thread that blocks 50,000 times a second
        // must not send 50,000 summaries), and the batch goes out, so that
        // nothing this thread saw waits for it to wake.
        self.emit_and_deliver(EventKind::Blocked {
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
        if !alive {
            self.hand_over();
        }
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
        if self.traced {
            self.emit(EventKind::Wakeup {
                wakeups: 1,
                ready: ready as u64,
            });
            return;
        }
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
        if self.is_due(now) {
            self.flush_at(now);
        }
    }

    fn trace(&mut self, on: bool) {
        self.traced = on;
    }

    fn deliver(&mut self) {
        self.hand_over();
    }

    fn has_unreported(&self) -> bool {
        self.has_counted() || !self.batch.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::channel::{self, EventRx};

    fn probe_on(events: usize, batches: usize) -> (ChannelProbe, EventRx) {
        let (tx, rx) = channel::with_capacity(events, batches);
        (ChannelProbe::new(tx, Instant::now()), rx)
    }

    /// Everything handed over so far, in order.
    fn taken(rx: &EventRx) -> Vec<EventKind> {
        let mut out = Vec::new();
        rx.drain(usize::MAX, |e| out.push(e.kind));
        out
    }

    fn names(kinds: &[EventKind]) -> Vec<&'static str> {
        kinds
            .iter()
            .map(|k| k.name())
            .filter(|n| *n != "spin")
            .collect()
    }

    fn local() -> SocketAddr {
        "127.0.0.1:1".parse().unwrap()
    }

    #[test]
    fn events_wait_in_the_batch_until_it_is_full_and_come_out_in_order() {
        let (mut probe, rx) = probe_on(100_000, 100);
        probe.last_flush_us = u64::MAX / 2; // no summary due for ages
        for conn in 1..BATCH as u64 {
            probe.closed(conn);
        }
        assert!(
            rx.is_empty(),
            "nothing handed over before the batch is full"
        );
        assert_eq!(probe.batches_handed_over(), 0);
        probe.closed(BATCH as u64);
        assert_eq!(probe.batches_handed_over(), 1);
        let conns: Vec<u64> = taken(&rx)
            .iter()
            .map(|k| match k {
                EventKind::Closed { conn } => *conn,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(conns, (1..=BATCH as u64).collect::<Vec<_>>());
    }

    #[test]
    fn a_batch_is_made_as_big_as_the_last_one_was() {
        let (mut probe, rx) = probe_on(100_000, 1_000);
        probe.last_flush_us = u64::MAX / 2;
        // A thread that blocks after every two events.
        for conn in 1..=3 {
            probe.recv(conn, b"x", 0);
            probe.blocked("conn-1", Call::Recv, Some(conn));
        }
        probe.recv(9, b"x", 0);
        assert_eq!(probe.batch.capacity(), MIN_ROOM);
        // A busy loop fills whole batches: room for a whole one again.
        for conn in 1..=BATCH as u64 {
            probe.closed(conn);
        }
        assert_eq!(probe.batch.capacity(), BATCH);
        assert_eq!(probe.batch.len(), 1);
        assert_eq!(taken(&rx).len(), 3 * 2 + BATCH, "none lost");
    }

    #[test]
    fn a_park_a_step_a_stop_or_a_sleep_hands_the_batch_over() {
        type Then = fn(&mut ChannelProbe);
        let ways: [(&str, Then); 6] = [
            // The loop parks or stops: it flushes.
            ("flush", |p| p.flush()),
            // ... and says so.
            ("paused", |p| p.paused(true, "loop")),
            ("blocked", |p| p.blocked("conn-1", Call::Recv, Some(1))),
            ("accept_error", |p| {
                p.accept_error(&io::Error::from_raw_os_error(libc::EMFILE), FLUSH_EVERY)
            }),
            ("thread end", |p| {
                p.thread("conn-1", Role::Client, false, Some(1))
            }),
            ("deliver", |p| p.deliver()),
        ];
        for (name, then) in ways {
            let (mut probe, rx) = probe_on(100_000, 100);
            probe.last_flush_us = u64::MAX / 2;
            probe.accept(7, local());
            probe.recv(7, b"hi", 1);
            assert!(rx.is_empty(), "{name}: held in the batch");
            then(&mut probe);
            let got = names(&taken(&rx));
            assert_eq!(got[..2], ["accept", "recv"], "{name}: {got:?}");
            assert!(!probe.has_unreported(), "{name}");
        }
    }

    #[test]
    fn a_step_shows_every_call_in_call_order_at_the_next_park() {
        let (mut probe, rx) = probe_on(100_000, 100);
        probe.trace(true);
        probe.would_block(Call::Accept, None);
        probe.recv(1, b"x", 1);
        probe.would_block(Call::Recv, Some(3));
        probe.send(1, b"X", 0, 1);
        probe.empty_recv(4, 1);
        probe.empty_send(4, 1);
        probe.wakeup(2);
        assert!(rx.is_empty());
        probe.flush(); // the loop parks again after the step
        let kinds: Vec<EventKind> = taken(&rx)
            .into_iter()
            .filter(|k| k.name() != "spin")
            .collect();
        assert_eq!(
            names(&kinds),
            [
                "would_block_on",
                "recv",
                "would_block_on",
                "send",
                "recv",
                "send",
                "wakeup"
            ]
        );
        assert_eq!(
            kinds[2],
            EventKind::WouldBlockOn {
                call: Call::Recv,
                conn: Some(3)
            }
        );
        assert!(matches!(
            kinds[4],
            EventKind::Recv {
                conn: 4,
                bytes: 0,
                ..
            }
        ));
        assert!(matches!(
            kinds[6],
            EventKind::Wakeup {
                wakeups: 1,
                ready: 2
            }
        ));
        // Off again: counted, summarised later.
        probe.trace(false);
        probe.last_flush_us = u64::MAX / 2;
        probe.would_block(Call::Accept, None);
        probe.recv(1, b"y", 2);
        probe.deliver();
        assert_eq!(names(&taken(&rx)), ["recv"]);
    }

    #[test]
    fn a_full_channel_counts_drops_without_blocking_and_reports_them_later() {
        // Room for one batch of 2 events.
        let (mut probe, rx) = probe_on(2, 1);
        probe.last_flush_us = u64::MAX / 2;
        for conn in 1..=2 {
            probe.accept(conn, local());
        }
        probe.deliver(); // taken: the channel is full now
        for conn in 3..=5 {
            probe.accept(conn, local());
        }
        probe.deliver(); // refused, counted
        assert_eq!(probe.events_dropped(), 3);
        assert_eq!(names(&taken(&rx)), ["accept", "accept"]);
        probe.flush();
        let kinds = taken(&rx);
        assert!(
            kinds.contains(&EventKind::Dropped { count: 3 }),
            "{kinds:?}"
        );
        assert!(!probe.has_unreported());
    }

    #[test]
    fn summaries_in_a_refused_batch_go_back_to_the_counts() {
        let (mut probe, rx) = probe_on(3, 1);
        probe.last_flush_us = u64::MAX / 2;
        probe.accept(1, local());
        probe.deliver(); // fills the channel
        for _ in 0..10 {
            probe.spin();
            probe.would_block(Call::Recv, None);
            probe.wakeup(2);
        }
        probe.flush(); // refused: spin, would_block, wakeup summaries
        assert!(probe.has_unreported(), "a loop must not sleep on these");
        assert_eq!(probe.events_dropped(), 0, "summaries are not lost");
        taken(&rx);
        probe.flush();
        let (mut spins, mut recvs, mut wakeups) = (0, 0, 0);
        for kind in taken(&rx) {
            match kind {
                EventKind::Spin { spins: s, .. } => spins += s,
                EventKind::WouldBlock { recv, .. } => recvs += recv,
                EventKind::Wakeup { wakeups: w, .. } => wakeups += w,
                _ => {}
            }
        }
        assert_eq!((spins, recvs, wakeups), (10, 10, 10));
        assert!(!probe.has_unreported());
    }

    /// A probe whose last summary went out 100 ms ago.
    fn probe_due_for_a_summary() -> (ChannelProbe, EventRx) {
        let (tx, rx) = channel::with_capacity(100_000, 1000);
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
            probe.empty_recv(1, 1);
        }
        let summaries: Vec<_> = taken(&rx)
            .into_iter()
            .filter_map(|k| match k {
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
            ("empty_send", |p| p.empty_send(1, 1)),
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
                taken(&rx)
                    .iter()
                    .any(|k| matches!(k, EventKind::Spin { .. })),
                "{name}: no summary handed over after {CLOCK_EVERY_OPS} calls"
            );
        }
    }

    #[test]
    fn would_blocks_are_summarised_not_sent_one_by_one() {
        let (mut probe, rx) = probe_on(100_000, 1000);
        for _ in 0..10_000 {
            probe.spin();
            probe.would_block(Call::Accept, None);
        }
        probe.flush();
        let events = taken(&rx);
        assert!(events.len() < 50, "{} events for 10k spins", events.len());
        let (spins, accepts) = events.iter().fold((0, 0), |(s, a), k| match k {
            EventKind::Spin { spins, .. } => (s + spins, a),
            EventKind::WouldBlock { accept, .. } => (s, a + accept),
            _ => (s, a),
        });
        assert_eq!((spins, accepts), (10_000, 10_000));
    }

    #[test]
    fn a_thread_that_ends_or_unwinds_hands_over_what_it_has() {
        let (tx, rx) = channel::with_capacity(1000, 10);
        let worker = std::thread::spawn(move || {
            let mut probe = ChannelProbe::new(tx, Instant::now());
            probe.accept(1, local());
            panic!("a model thread panics with an event in its batch");
        });
        assert!(worker.join().is_err());
        assert_eq!(names(&taken(&rx)), ["accept"]);
    }
}
