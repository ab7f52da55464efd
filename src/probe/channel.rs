//! How events travel from the server's threads to whoever watches them: in
//! batches, on a bounded channel, never waiting.
//!
//! A server thread fills a batch of its own and hands it over whole, so
//! that the channel is touched once per batch, not once per event. The
//! readers that run all the time (the dashboard, the headless writer) never
//! park on the channel: they take what is there on a clock of their own
//! ([`DRAIN_EVERY`]), so handing a batch over never has to wake a sleeping
//! reader — no system call is made on behalf of watching. A reader that
//! does park (a test waiting for an event) is woken once per batch.
//!
//! The channel is bounded twice: in batches (the slots of the channel) and
//! in events (a shared count of what has been handed over and not taken
//! yet), so that a reader that falls behind costs bounded memory, and the
//! server counts what it could not hand over instead of waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, TrySendError};

use crate::event::Event;

/// Events handed over and not taken yet, at most (about 10 MB).
pub const EVENT_CHANNEL_CAP: usize = 65_536;

/// Batches handed over and not taken yet, at most. Thread models hand over
/// small batches (a thread's events before each blocking call), so there
/// are many more slots than `EVENT_CHANNEL_CAP / BATCH`.
pub const BATCH_SLOTS: usize = 4_096;

/// How often the readers that run all the time take what is there: as
/// often as the probe sends its summaries.
pub const DRAIN_EVERY: Duration = Duration::from_millis(20);

/// Events of one thread, in the order it made them.
pub type Batch = Vec<Event>;

/// A new channel: the server's threads hold clones of the sender, the
/// reader the receiver.
pub fn channel() -> (EventTx, EventRx) {
    with_capacity(EVENT_CHANNEL_CAP, BATCH_SLOTS)
}

/// A channel holding at most `events` events in at most `batches` batches.
pub fn with_capacity(events: usize, batches: usize) -> (EventTx, EventRx) {
    let (tx, rx) = crossbeam_channel::bounded(batches.max(1));
    let in_flight = Arc::new(AtomicUsize::new(0));
    (
        EventTx {
            tx,
            in_flight: in_flight.clone(),
            cap: events.max(1),
        },
        EventRx { rx, in_flight },
    )
}

/// The sending side.
#[derive(Debug, Clone)]
pub struct EventTx {
    tx: Sender<Batch>,
    in_flight: Arc<AtomicUsize>,
    cap: usize,
}

impl EventTx {
    /// Hands `batch` over without waiting. `Full` gives it back when the
    /// channel holds as many events or batches as it may (the reader is
    /// behind), `Disconnected` when nobody reads any more.
    pub fn try_send(&self, batch: Batch) -> Result<(), TrySendError<Batch>> {
        let n = batch.len();
        if self.in_flight.fetch_add(n, Ordering::AcqRel) + n > self.cap {
            self.in_flight.fetch_sub(n, Ordering::AcqRel);
            return Err(TrySendError::Full(batch));
        }
        self.tx.try_send(batch).inspect_err(|_| {
            self.in_flight.fetch_sub(n, Ordering::AcqRel);
        })
    }
}

/// The receiving side. Clones share the channel: a batch goes to one of
/// them.
#[derive(Debug, Clone)]
pub struct EventRx {
    rx: Receiver<Batch>,
    in_flight: Arc<AtomicUsize>,
}

/// Whether the senders are still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// More may come.
    Open,
    /// Every sender is gone and everything was taken.
    Ended,
}

impl EventRx {
    fn took(&self, batch: Batch) -> Batch {
        self.in_flight.fetch_sub(batch.len(), Ordering::AcqRel);
        batch
    }

    /// Waits up to `timeout` for the next batch. For tests and tools: a
    /// reader that parks here is woken by every batch handed over.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Batch, RecvTimeoutError> {
        self.rx.recv_timeout(timeout).map(|b| self.took(b))
    }

    /// The next batch if one is there.
    pub fn try_recv(&self) -> Result<Batch, TryRecvError> {
        self.rx.try_recv().map(|b| self.took(b))
    }

    /// Every event there now, in order, without waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = Event> + '_ {
        std::iter::from_fn(|| self.try_recv().ok()).flatten()
    }

    /// Gives every event there now to `apply`, in order, without waiting;
    /// stops early once `max_events` have been given (the rest stays for
    /// the next call).
    pub fn drain(&self, max_events: usize, mut apply: impl FnMut(Event)) -> Flow {
        let mut given = 0;
        while given < max_events {
            match self.try_recv() {
                Ok(batch) => {
                    given += batch.len();
                    batch.into_iter().for_each(&mut apply);
                }
                Err(TryRecvError::Empty) => return Flow::Open,
                Err(TryRecvError::Disconnected) => return Flow::Ended,
            }
        }
        Flow::Open
    }

    /// Gives every event to `apply` until every sender is gone, taking
    /// what is there every `every` and sleeping in between: the way a
    /// reader that runs all the time reads, so that no server thread ever
    /// has to wake it.
    pub fn follow(&self, every: Duration, mut apply: impl FnMut(Event)) {
        while self.drain(usize::MAX, &mut apply) == Flow::Open {
            std::thread::sleep(every);
        }
    }

    /// Events handed over and not taken yet.
    pub fn len(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;

    fn batch(first: u64, n: u64) -> Batch {
        (first..first + n)
            .map(|conn| Event {
                t_us: conn,
                kind: EventKind::Closed { conn },
            })
            .collect()
    }

    #[test]
    fn bounded_in_events_as_well_as_in_batches() {
        let (tx, rx) = with_capacity(10, 100);
        tx.try_send(batch(1, 6)).unwrap();
        // 6 + 6 > 10: refused whole, and given back.
        let Err(TrySendError::Full(back)) = tx.try_send(batch(7, 6)) else {
            panic!("a batch beyond the event cap must be refused");
        };
        assert_eq!(back.len(), 6);
        tx.try_send(batch(7, 4)).unwrap();
        assert_eq!(rx.len(), 10);
        let mut seen = Vec::new();
        assert_eq!(rx.drain(usize::MAX, |e| seen.push(e.t_us)), Flow::Open);
        assert_eq!(seen, (1..=10).collect::<Vec<_>>());
        assert!(rx.is_empty());
        // Taken: room again.
        tx.try_send(batch(11, 10)).unwrap();
        let (tx, _rx) = with_capacity(1000, 2);
        tx.try_send(batch(1, 1)).unwrap();
        tx.try_send(batch(2, 1)).unwrap();
        assert!(matches!(
            tx.try_send(batch(3, 1)),
            Err(TrySendError::Full(_))
        ));
    }

    #[test]
    fn drain_stops_after_max_events_and_says_when_the_senders_are_gone() {
        let (tx, rx) = channel();
        for i in 0..4 {
            tx.try_send(batch(i * 10, 5)).unwrap();
        }
        let mut n = 0;
        assert_eq!(rx.drain(8, |_| n += 1), Flow::Open);
        assert_eq!(n, 10, "whole batches, stopping once 8 were given");
        drop(tx);
        assert_eq!(rx.drain(usize::MAX, |_| n += 1), Flow::Ended);
        assert_eq!(n, 20);
    }
}
