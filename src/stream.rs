//! Events as JSON lines, one per line (`--headless`): the writer thread.
//!
//! It takes what the server's threads handed over every
//! [`DRAIN_EVERY`](crate::probe::channel::DRAIN_EVERY) — never parking on
//! the channel, so no server thread ever has to wake it — serializes the
//! lot into one reused buffer and writes it with one `write_all`, on a
//! thread of its own, so a reader that stopped reading (`| sleep 60`)
//! never keeps the process from stopping.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_channel::Receiver;

use crate::event::{Event, EventKind};
use crate::probe::EventRx;
use crate::probe::channel::{DRAIN_EVERY, Flow};

/// At most this many events go out in one write.
const WRITE_MAX: usize = 8_192;

/// The thread that writes the events, and what it has done.
pub struct Writer {
    /// Its result, once the channel has ended or a write failed.
    pub done: Receiver<io::Result<()>>,
    /// The events (see [`weight`]) of the write in progress, if any.
    writing: Arc<AtomicU64>,
}

/// What an event stands for: itself, and for a `dropped` report the
/// events it reports too (a reader that never gets it never hears of them).
fn weight(event: &Event) -> u64 {
    match event.kind {
        EventKind::Dropped { count } => 1 + count,
        _ => 1,
    }
}

impl Writer {
    /// Writes every event of `events` to `out` until the senders are gone
    /// or a write fails.
    pub fn spawn(events: EventRx, mut out: impl Write + Send + 'static) -> io::Result<Self> {
        let (done_tx, done) = crossbeam_channel::bounded(1);
        let writing = Arc::new(AtomicU64::new(0));
        let in_write = writing.clone();
        std::thread::Builder::new()
            .name("ioscope-writer".into())
            .spawn(move || {
                let result = write_all(&events, &mut out, &in_write, DRAIN_EVERY);
                let _ = done_tx.send(result);
            })?;
        Ok(Writer { done, writing })
    }

    /// Waits up to `grace` for the writer to write what is left; a writer
    /// still stuck then is left behind (the process exits without it), and
    /// what it did not write is counted on stderr.
    pub fn finish(self, grace: Duration, events: &EventRx) -> io::Result<()> {
        if let Ok(wrote) = self.done.recv_timeout(grace) {
            return wrote;
        }
        let mut queued = 0;
        events.drain(usize::MAX, |e| queued += weight(&e));
        let _ = writeln!(
            io::stderr(),
            "ioscope: {} events not written (the reader stopped reading)",
            queued + self.writing.load(Ordering::SeqCst)
        );
        Ok(())
    }
}

/// The writer's loop: take what is there, write it in one go, sleep
/// `every` when there was nothing more.
fn write_all(
    events: &EventRx,
    out: &mut impl Write,
    writing: &AtomicU64,
    every: Duration,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 20);
    loop {
        buf.clear();
        let (mut taken, mut weights) = (0, 0);
        let mut failed = Ok(());
        let flow = events.drain(WRITE_MAX, |event| {
            taken += 1;
            weights += weight(&event);
            if failed.is_ok() {
                failed = write_line(&mut buf, &event);
            }
        });
        failed?;
        if !buf.is_empty() {
            writing.store(weights, Ordering::SeqCst);
            out.write_all(&buf)?;
            out.flush()?;
            writing.store(0, Ordering::SeqCst);
        }
        if flow == Flow::Ended {
            return Ok(());
        }
        if taken < WRITE_MAX {
            std::thread::sleep(every);
        }
    }
}

/// One event as one JSON line.
pub fn write_line(out: &mut Vec<u8>, event: &Event) -> io::Result<()> {
    serde_json::to_writer(&mut *out, event)?;
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::channel;

    #[test]
    fn writes_every_event_as_a_line_in_order_and_ends_with_the_channel() {
        let (tx, rx) = channel::channel();
        let batch = |from: u64| -> Vec<Event> {
            (from..from + 3)
                .map(|conn| Event {
                    t_us: conn,
                    kind: EventKind::Closed { conn },
                })
                .collect()
        };
        tx.try_send(batch(1)).unwrap();
        tx.try_send(batch(4)).unwrap();
        drop(tx);
        let mut out = Vec::new();
        write_all(&rx, &mut out, &AtomicU64::new(0), Duration::ZERO).unwrap();
        let lines: Vec<Event> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, [batch(1), batch(4)].concat());
    }
}
