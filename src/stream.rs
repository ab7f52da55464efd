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

use crate::event::{Event, EventKind, Preview};
use crate::probe::EventRx;
use crate::probe::channel::{DRAIN_EVERY, Flow};
use crate::record::Tap;

/// At most this many events go out in one write.
const WRITE_MAX: usize = 8_192;

/// The thread that writes the events, and what it has done.
pub struct Writer {
    /// Its result, once the channel has ended or a write failed.
    pub done: Receiver<io::Result<()>>,
    /// The events (see [`weight`]) of the write in progress, if any.
    writing: Arc<AtomicU64>,
    /// `--record`: every event taken goes there too.
    tap: Option<Tap>,
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
    pub fn spawn(events: EventRx, out: impl Write + Send + 'static) -> io::Result<Self> {
        Self::spawn_recorded(events, out, None)
    }

    /// [`spawn`](Writer::spawn), handing every event it takes to `tap` as
    /// well (before writing it: a reader that stopped reading does not
    /// keep it from the recording).
    pub fn spawn_recorded(
        events: EventRx,
        mut out: impl Write + Send + 'static,
        tap: Option<Tap>,
    ) -> io::Result<Self> {
        let (done_tx, done) = crossbeam_channel::bounded(1);
        let writing = Arc::new(AtomicU64::new(0));
        let in_write = writing.clone();
        let recorded = tap.clone();
        std::thread::Builder::new()
            .name("ioscope-writer".into())
            .spawn(move || {
                let result =
                    write_all(&events, &mut out, &in_write, DRAIN_EVERY, recorded.as_ref());
                let _ = done_tx.send(result);
            })?;
        Ok(Writer { done, writing, tap })
    }

    /// Waits up to `grace` for the writer to write what is left; a writer
    /// still stuck then is left behind (the process exits without it), and
    /// what it did not write is counted on stderr.
    pub fn finish(self, grace: Duration, events: &EventRx) -> io::Result<()> {
        if let Ok(wrote) = self.done.recv_timeout(grace) {
            return wrote;
        }
        let mut queued = 0;
        let mut batch = Vec::new();
        events.drain(usize::MAX, |e| {
            queued += weight(&e);
            if self.tap.is_some() {
                batch.push(e);
            }
        });
        if let Some(tap) = &self.tap {
            tap.forward(batch);
        }
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
    tap: Option<&Tap>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 20);
    loop {
        buf.clear();
        let (mut taken, mut weights) = (0, 0);
        let mut failed = Ok(());
        let mut batch = Vec::new();
        let flow = events.drain(WRITE_MAX, |event| {
            taken += 1;
            weights += weight(&event);
            if failed.is_ok() {
                failed = write_line(&mut buf, &event);
            }
            if tap.is_some() {
                batch.push(event);
            }
        });
        if let Some(tap) = tap {
            tap.forward(batch);
        }
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

/// `key` then the number `n`.
fn num(out: &mut Vec<u8>, key: &[u8], n: u64) {
    out.extend_from_slice(key);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// The fields `recv` and `send` share, up to the preview (the object left
/// open).
fn data_event(
    out: &mut Vec<u8>,
    t_us: u64,
    kind: &[u8],
    conn: u64,
    bytes: usize,
    spin: u64,
    preview: &Preview,
) {
    num(out, b"{\"t_us\":", t_us);
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(kind);
    num(out, b"\",\"conn\":", conn);
    num(out, b",\"bytes\":", bytes as u64);
    num(out, b",\"spin\":", spin);
    out.extend_from_slice(b",\"preview\":\"");
    let bytes = preview.bytes();
    // Printable ASCII but `\` and `"` is shown as it is and needs no JSON
    // escape: the common case, checked without a branch per byte.
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & matches!(b, b' '..=b'~') & (b != b'\\') & (b != b'"')
    });
    if plain {
        out.extend_from_slice(bytes);
        if preview.is_cut() {
            out.extend_from_slice("…".as_bytes());
        }
    } else {
        preview
            .write_shown(&mut JsonText(out))
            .expect("a Vec takes every write");
    }
    out.push(b'"');
}

/// Writes text as the inside of a JSON string, escaped as serde_json
/// escapes it.
struct JsonText<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for JsonText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let out = &mut *self.0;
        let mut run = 0;
        for (at, &b) in s.as_bytes().iter().enumerate() {
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 => b"",
                _ => continue,
            };
            out.extend_from_slice(&s.as_bytes()[run..at]);
            if short.is_empty() {
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
            } else {
                out.extend_from_slice(short);
            }
            run = at + 1;
        }
        out.extend_from_slice(&s.as_bytes()[run..]);
        Ok(())
    }
}

/// One event as one JSON line. The events a busy loop makes by the
/// hundred thousand a second (recv, send and the summaries) are written
/// field by field, exactly as serde writes them (a test holds the two
/// together), at a fraction of the cost; the others go through serde.
pub fn write_line(out: &mut Vec<u8>, event: &Event) -> io::Result<()> {
    match &event.kind {
        EventKind::Recv {
            conn,
            bytes,
            spin,
            preview,
        } => {
            data_event(out, event.t_us, b"recv", *conn, *bytes, *spin, preview);
            out.extend_from_slice(b"}\n");
        }
        EventKind::Send {
            conn,
            bytes,
            spin,
            preview,
            pending,
        } => {
            data_event(out, event.t_us, b"send", *conn, *bytes, *spin, preview);
            num(out, b",\"pending\":", *pending as u64);
            out.extend_from_slice(b"}\n");
        }
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            empty_recvs,
            empty_sends,
        } => {
            num(out, b"{\"t_us\":", event.t_us);
            num(out, b",\"kind\":\"spin\",\"spins\":", *spins);
            num(out, b",\"cpu_user_us\":", *cpu_user_us);
            num(out, b",\"cpu_sys_us\":", *cpu_sys_us);
            if *empty_recvs != 0 {
                num(out, b",\"empty_recvs\":", *empty_recvs);
            }
            if *empty_sends != 0 {
                num(out, b",\"empty_sends\":", *empty_sends);
            }
            out.extend_from_slice(b"}\n");
        }
        EventKind::WouldBlock { accept, recv, send } => {
            num(out, b"{\"t_us\":", event.t_us);
            num(out, b",\"kind\":\"would_block\",\"accept\":", *accept);
            num(out, b",\"recv\":", *recv);
            num(out, b",\"send\":", *send);
            out.extend_from_slice(b"}\n");
        }
        _ => {
            serde_json::to_writer(&mut *out, event)?;
            out.push(b'\n');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::channel;

    #[test]
    fn text_is_escaped_for_json_as_serde_escapes_it() {
        use std::fmt::Write as _;
        for c in (0..=0x7fu8).map(char::from).chain(['é', '世', '…', '🙂']) {
            let text = format!("a{c}b{c}");
            let mut out = Vec::new();
            JsonText(&mut out).write_str(&text).unwrap();
            let serde = serde_json::to_string(&text).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde[1..serde.len() - 1],
                "{c:?}"
            );
        }
    }

    #[test]
    fn the_hot_events_are_written_exactly_as_serde_writes_them() {
        let kinds = [
            EventKind::Recv {
                conn: 3,
                bytes: 6,
                spin: 1_234_567,
                preview: "hello\\n \"quoted\" \\x1b[2J 世界…".into(),
            },
            EventKind::Send {
                conn: u64::MAX,
                bytes: 0,
                spin: 0,
                preview: Default::default(),
                pending: 0,
            },
            EventKind::Send {
                conn: 7,
                bytes: 1024,
                spin: 9,
                preview: "HELLO".into(),
                pending: 65_536,
            },
            EventKind::Spin {
                spins: 1,
                cpu_user_us: 2,
                cpu_sys_us: 3,
                empty_recvs: 0,
                empty_sends: 0,
            },
            EventKind::Spin {
                spins: 10,
                cpu_user_us: 0,
                cpu_sys_us: 0,
                empty_recvs: 4,
                empty_sends: 5,
            },
            EventKind::WouldBlock {
                accept: 1,
                recv: 0,
                send: 12_345_678_901,
            },
            EventKind::Closed { conn: 1 },
        ];
        for kind in kinds {
            let event = Event { t_us: 42, kind };
            let mut ours = Vec::new();
            write_line(&mut ours, &event).unwrap();
            let serde = serde_json::to_string(&event).unwrap() + "\n";
            assert_eq!(String::from_utf8(ours).unwrap(), serde);
        }
    }

    /// The viewer's markers are not hot: serde writes them, and they read
    /// back whatever the note holds.
    #[test]
    fn a_marker_is_written_as_serde_writes_it_and_reads_back() {
        for note in ["", "here", "看这里 \"quoted\" \\ \u{1b}[2J\n🙂"] {
            let event = Event {
                t_us: 7,
                kind: EventKind::Marker { note: note.into() },
            };
            let mut ours = Vec::new();
            write_line(&mut ours, &event).unwrap();
            let line = String::from_utf8(ours).unwrap();
            assert_eq!(line, serde_json::to_string(&event).unwrap() + "\n");
            assert_eq!(line.lines().count(), 1, "{line}");
            assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), event);
        }
    }

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
        write_all(&rx, &mut out, &AtomicU64::new(0), Duration::ZERO, None).unwrap();
        let lines: Vec<Event> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, [batch(1), batch(4)].concat());
    }
}
