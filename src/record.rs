//! Recordings (`serve --record FILE`) and their reader (`replay`).
//!
//! A recording is the headless stream with a line before and a line
//! after: a header (`{"ioscope_recording":1,...}`: the format version a
//! reader checks, the ioscope version that wrote it, the platform facts the
//! screen needs, the start time), every event as [`write_line`] writes it
//! for `--headless`, then a summary (`{"ioscope_summary":{...}}`: events
//! written, events dropped, the duration).
//!
//! The fan-out: there is one event channel and one reader of it (the
//! dashboard's runtime, or the headless writer thread). That reader hands
//! each batch it took to a [`Tap`] as well, which passes it on to the
//! recorder's own thread over a second bounded channel with `try_send`: a
//! recorder that falls behind (a slow disk) never holds up the reader,
//! let alone the server — what does not fit is dropped and counted, and
//! the summary line says how many. The recorder thread writes what it was
//! given every [`DRAIN_EVERY`], so a crash loses at most that much.
//!
//! Every message a user reads about a recording is in [`RecordingError`]
//! and [`Cut`].

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use crossbeam_channel::{RecvTimeoutError, Sender};
use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use crate::app::Dashboard;
use crate::event::{Event, Model};
use crate::i18n::Lang;
use crate::probe::channel::{self, Batch, DRAIN_EVERY, EventRx, EventTx};
use crate::replay::Cursor;
use crate::stream::write_line;
use crate::sys;

/// The format this ioscope writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Events on their way to the recorder, at most: beyond this the recorder
/// is behind, and what does not fit is dropped and counted.
const RECORD_CAP: usize = 262_144;
const RECORD_SLOTS: usize = 4_096;

/// The first line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The format version.
    pub ioscope_recording: u32,
    /// The ioscope that wrote it.
    pub version: String,
    pub platform: Platform,
    /// When the recording started, seconds since 1970 (UTC).
    pub started: u64,
}

/// What the screen needs to know of the machine that recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    /// The CPU time is split into user and kernel time.
    pub cpu_split: bool,
}

impl Header {
    /// The header of a recording starting now on this machine.
    pub fn now() -> Self {
        Header {
            ioscope_recording: FORMAT_VERSION,
            version: env!("CARGO_PKG_VERSION").to_string(),
            platform: Platform {
                os: std::env::consts::OS.to_string(),
                cpu_split: sys::CPU_SPLIT,
            },
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

/// The last line of a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Event lines written.
    pub events: u64,
    /// Events the recorder was handed and could not keep up with.
    pub dropped: u64,
    /// From the server clock's start to the end of the recording.
    pub duration_us: u64,
}

#[derive(Serialize, Deserialize)]
struct SummaryLine {
    ioscope_summary: Totals,
}

/// Where the reader of the events hands them on to the recorder. Cheap to
/// clone; never waits.
#[derive(Debug, Clone)]
pub struct Tap {
    tx: EventTx,
    dropped: Arc<AtomicU64>,
}

impl Tap {
    /// A tap and the recorder's end of it: at most `events` events in at
    /// most `batches` batches on their way.
    fn new(events: usize, batches: usize) -> (Tap, EventRx) {
        let (tx, rx) = channel::with_capacity(events, batches);
        let dropped = Arc::new(AtomicU64::new(0));
        (Tap { tx, dropped }, rx)
    }

    /// Hands `batch` to the recorder, or counts it as dropped when the
    /// recorder is behind (or gone after a write error).
    pub fn forward(&self, batch: Batch) {
        let n = batch.len() as u64;
        if n > 0 && self.tx.try_send(batch).is_err() {
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// The recorder's thread, writing one file.
pub struct Recorder {
    tap: Tap,
    path: PathBuf,
    stop: Sender<Option<u64>>,
    thread: Option<JoinHandle<io::Result<Totals>>>,
}

impl Recorder {
    /// Creates `path` and writes the header at once (so a file that cannot
    /// be written is known before anything starts), then records what the
    /// tap is handed until [`finish`](Recorder::finish).
    pub fn create(path: &Path, header: &Header) -> Result<Self, RecordingError> {
        let cannot = |e: io::Error| RecordingError::Write(path.to_path_buf(), e.to_string());
        let mut file = File::create(path).map_err(cannot)?;
        let mut line = serde_json::to_vec(header).expect("a header serializes");
        line.push(b'\n');
        file.write_all(&line).map_err(cannot)?;
        let (tap, events) = Tap::new(RECORD_CAP, RECORD_SLOTS);
        Self::spawn(path, file, tap, events).map_err(cannot)
    }

    fn spawn(
        path: &Path,
        out: impl Write + Send + 'static,
        tap: Tap,
        events: EventRx,
    ) -> io::Result<Self> {
        let (stop, stopped) = crossbeam_channel::bounded(1);
        let dropped = tap.dropped.clone();
        let thread = std::thread::Builder::new()
            .name("ioscope-record".into())
            .spawn(move || record(&events, out, &stopped, &dropped))?;
        Ok(Recorder {
            tap,
            path: path.to_path_buf(),
            stop,
            thread: Some(thread),
        })
    }

    /// Where the reader hands the events over.
    pub fn tap(&self) -> Tap {
        self.tap.clone()
    }

    /// Writes what was handed over, then the summary line (its duration is
    /// `end_us` on the server clock, or the last event's time), and
    /// flushes. Also done when a recorder is dropped (a panic unwinding).
    pub fn finish(mut self, end_us: u64) -> Result<Totals, RecordingError> {
        self.stop_and_join(Some(end_us))
    }

    fn stop_and_join(&mut self, end_us: Option<u64>) -> Result<Totals, RecordingError> {
        let Some(thread) = self.thread.take() else {
            return Ok(Totals::default());
        };
        let _ = self.stop.try_send(end_us);
        match thread.join() {
            Ok(Ok(totals)) => Ok(totals),
            Ok(Err(e)) => Err(RecordingError::Write(self.path.clone(), e.to_string())),
            Err(_) => Err(RecordingError::Write(
                self.path.clone(),
                "the recorder thread panicked".into(),
            )),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.stop_and_join(None);
    }
}

/// The recorder's loop: every [`DRAIN_EVERY`] the events handed over are
/// written; once asked to stop, the rest, then the summary line.
fn record(
    events: &EventRx,
    mut out: impl Write,
    stop: &crossbeam_channel::Receiver<Option<u64>>,
    dropped: &AtomicU64,
) -> io::Result<Totals> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut totals = Totals::default();
    let mut write = |out: &mut dyn Write, totals: &mut Totals| -> io::Result<()> {
        buf.clear();
        let mut failed = Ok(());
        events.drain(usize::MAX, |event| {
            totals.events += 1;
            totals.duration_us = totals.duration_us.max(event.t_us);
            if failed.is_ok() {
                failed = write_line(&mut buf, &event);
            }
        });
        failed?;
        out.write_all(&buf)
    };
    let end = loop {
        match stop.recv_timeout(DRAIN_EVERY) {
            Ok(end) => break end,
            Err(RecvTimeoutError::Disconnected) => break None,
            Err(RecvTimeoutError::Timeout) => write(&mut out, &mut totals)?,
        }
    };
    write(&mut out, &mut totals)?;
    totals.dropped = dropped.load(Ordering::Relaxed);
    totals.duration_us = totals.duration_us.max(end.unwrap_or(0));
    let mut line = serde_json::to_vec(&SummaryLine {
        ioscope_summary: totals,
    })
    .expect("a summary serializes");
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()?;
    Ok(totals)
}

/// A recording read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub header: Header,
    pub events: Vec<Event>,
    /// The summary line, if the recording has one.
    pub totals: Option<Totals>,
    /// Where a recording without its summary line stopped.
    pub cut: Option<Cut>,
}

/// How a recording that was not finished ends: the events up to there
/// are whole and replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    /// Line `n`, the last, is cut short.
    MidLine(usize),
    /// The last line, `n`, is whole but no summary follows it.
    NoSummary(usize),
}

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cut::MidLine(n) => write!(
                f,
                "line {n} is cut short (the recording stops there, unfinished): replayed up to line {}",
                n - 1
            ),
            Cut::NoSummary(n) => write!(
                f,
                "no summary line after line {n} (the recording was not finished): replayed up to line {n}"
            ),
        }
    }
}

/// Everything that can go wrong with a recording, each one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingError {
    /// It cannot be opened or read.
    Read(String),
    /// It cannot be created or written (`--record`).
    Write(PathBuf, String),
    Empty,
    /// Line 1 is not a recording's header.
    NotARecording(String),
    /// Written by a newer ioscope.
    Newer {
        format: u64,
        by: String,
    },
    /// Line `n` is not what it should be.
    Corrupt {
        line: usize,
        what: String,
    },
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordingError::Read(e) => write!(f, "cannot read: {e}"),
            RecordingError::Write(path, e) => {
                write!(f, "cannot record to {}: {e}", path.display())
            }
            RecordingError::Empty => write!(f, "the file is empty: not a recording"),
            RecordingError::NotARecording(why) => write!(f, "not a recording: line 1 {why}"),
            RecordingError::Newer { format, by } => write!(
                f,
                "line 1: recording format {format} (written by ioscope {by}) is newer than \
                 this ioscope reads (format {FORMAT_VERSION}): use a newer ioscope"
            ),
            RecordingError::Corrupt { line, what } => write!(f, "line {line}: {what}"),
        }
    }
}

impl std::error::Error for RecordingError {}

/// What serde says was wrong, with the column but without its "line 1"
/// (the line is the recording's, named by the caller).
fn why(e: &serde_json::Error) -> String {
    let said = e.to_string();
    let what = said.rfind(" at line ").map_or(&said[..], |at| &said[..at]);
    format!("{what} (column {})", e.column())
}

/// The first line: a header of a format this ioscope reads.
fn header(line: &str) -> Result<Header, RecordingError> {
    let not = |why: &str| RecordingError::NotARecording(why.to_string());
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|_| not("is not JSON (a recording begins with a header written by --record)"))?;
    let Some(format) = value.get("ioscope_recording") else {
        return Err(if value.get("t_us").is_some() {
            not("is an event, not a header: a --headless stream? (record with --record FILE)")
        } else {
            not(
                "has no \"ioscope_recording\" header (a recording begins with one, written by --record)",
            )
        });
    };
    let Some(format) = format.as_u64() else {
        return Err(not("has a header whose format version is not a number"));
    };
    if format > u64::from(FORMAT_VERSION) {
        let by = value.get("version").and_then(|v| v.as_str()).unwrap_or("?");
        return Err(RecordingError::Newer {
            format,
            by: by.to_string(),
        });
    }
    serde_json::from_value(value).map_err(|e| RecordingError::Corrupt {
        line: 1,
        what: format!("a broken header: {}", why(&e)),
    })
}

/// A line after the header.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Event(Event),
    /// The summary line, which ends a recording.
    Summary(Totals),
}

/// Parses line `n` (a line after the header, without its newline).
pub fn parse_line(n: usize, text: &str) -> Result<Line, RecordingError> {
    let corrupt = |what: &str, e: serde_json::Error| RecordingError::Corrupt {
        line: n,
        what: format!("{what}: {}", why(&e)),
    };
    if text.starts_with("{\"ioscope_summary\"") {
        serde_json::from_str::<SummaryLine>(text)
            .map(|s| Line::Summary(s.ioscope_summary))
            .map_err(|e| corrupt("a broken summary line", e))
    } else {
        serde_json::from_str::<Event>(text)
            .map(Line::Event)
            .map_err(|e| corrupt("not an event", e))
    }
}

/// Parses the first line of a stream that may or may not begin with a
/// header (`replay -` follows a recording or a `--headless` stream alike):
/// the header, or the first event.
pub fn parse_first(text: &str) -> Result<Result<Header, Event>, RecordingError> {
    if text.starts_with("{\"ioscope_recording\"") {
        return header(text).map(Ok);
    }
    match parse_line(1, text)? {
        Line::Event(event) => Ok(Err(event)),
        Line::Summary(_) => Err(RecordingError::Corrupt {
            line: 1,
            what: "a summary line before any event".into(),
        }),
    }
}

/// Reads a recording line by line. A corrupt line is an error; a file
/// that stops before its summary line (a crash, a kill) is read up to the
/// last whole line, and [`Recording::cut`] says where it stopped.
pub fn read(mut input: impl BufRead) -> Result<Recording, RecordingError> {
    let mut line = String::new();
    let mut next = |line: &mut String| -> Result<bool, RecordingError> {
        line.clear();
        match input.read_line(line) {
            Ok(n) => Ok(n > 0),
            Err(e) => Err(RecordingError::Read(e.to_string())),
        }
    };
    if !next(&mut line)? {
        return Err(RecordingError::Empty);
    }
    if !line.ends_with('\n') && header(&line).is_err() {
        // A header cut short: nothing to replay.
        return Err(RecordingError::Corrupt {
            line: 1,
            what: "the header is cut short: the recording stopped before it began".into(),
        });
    }
    let header = header(line.trim_end())?;
    let mut recording = Recording {
        header,
        events: Vec::new(),
        totals: None,
        cut: None,
    };
    let mut n = 1;
    while next(&mut line)? {
        n += 1;
        let whole = line.ends_with('\n');
        let text = line.trim_end_matches(['\n', '\r']);
        if recording.totals.is_some() {
            return Err(RecordingError::Corrupt {
                line: n,
                what: "a line after the summary line (the summary ends a recording)".into(),
            });
        }
        // A whole line that does not parse is corrupt; the last one, cut
        // short, ends the recording there.
        let parsed = parse_line(n, text).map(|parsed| match parsed {
            Line::Event(event) => recording.events.push(event),
            Line::Summary(totals) => recording.totals = Some(totals),
        });
        match parsed {
            Ok(()) => {}
            Err(_) if !whole => {
                recording.cut = Some(Cut::MidLine(n));
                return Ok(recording);
            }
            Err(e) => return Err(e),
        }
    }
    if recording.totals.is_none() {
        recording.cut = Some(Cut::NoSummary(n));
    }
    Ok(recording)
}

/// Reads the recording at `path`.
pub fn open(path: &Path) -> Result<Recording, RecordingError> {
    let file = File::open(path).map_err(|e| RecordingError::Read(e.to_string()))?;
    read(io::BufReader::with_capacity(1 << 20, file))
}

/// A session in a few numbers, the dashboard's own: the events are fed to
/// a [`Dashboard`] as the live one was fed.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub duration_us: u64,
    /// Each model that ran: how many times, how long, its messages.
    pub models: Vec<(Model, bool, usize, u64, u64)>,
    pub connections: u64,
    pub messages: u64,
    pub resets: u64,
    pub peak_spins: f64,
    pub peak_cpu: f64,
    /// Events the server could not hand over (the dashboard's count).
    pub dropped_server: u64,
    /// Events the recorder could not keep up with.
    pub dropped_recorder: u64,
    /// The viewer's markers (`M`): when, from the recording's first event,
    /// and the note.
    pub markers: Vec<(u64, String)>,
}

/// Feeds the recording to a dashboard as a replay plays it to its end
/// (the same [`Cursor`]: a tick every 100 ms of the recording's time),
/// keeping the peaks of the rates it ticks to.
pub fn summarize(recording: &Recording) -> Session {
    let mut d = Dashboard::new();
    let (mut peak_spins, mut peak_cpu) = (0f64, 0f64);
    let mut peaks = |d: &Dashboard| {
        let rates = d.rates();
        peak_spins = peak_spins.max(rates.spins);
        peak_cpu = peak_cpu.max(rates.cpu());
    };
    let first = recording.events.first().map_or(0, |e| e.t_us);
    let last = recording.events.iter().map(|e| e.t_us).max().unwrap_or(0);
    let duration_us = recording.totals.map_or(last, |t| t.duration_us.max(last));
    Cursor::new(first).advance(&recording.events, &mut d, duration_us, &mut peaks);
    d.tick(duration_us);
    peaks(&d);
    let rows = d.compare();
    Session {
        duration_us,
        models: rows
            .iter()
            .map(|r| (r.model, r.faithful, r.runs, r.ran_us, r.messages))
            .collect(),
        connections: d.conns.accepted,
        messages: rows.iter().map(|r| r.messages).sum(),
        resets: d.conns.counts.reset,
        peak_spins,
        peak_cpu,
        dropped_server: d.dropped,
        dropped_recorder: recording.totals.map_or(0, |t| t.dropped),
        markers: d
            .markers
            .iter()
            .map(|(t, note)| (t.saturating_sub(first), note.clone()))
            .collect(),
    }
}

impl Session {
    /// The summary as `replay --summary` prints it, in `lang`: a label a
    /// line (in a column as wide as the widest), and its figures.
    pub fn text(&self, lang: Lang) -> String {
        use crate::t;
        use crate::ui::{fmt as f, text};
        let secs = |us: u64| format!("{:.1}", us as f64 / 1e6);
        let labels = [
            "summary-duration",
            "summary-models",
            "summary-connections",
            "summary-messages",
            "summary-resets",
            "summary-peak",
            "summary-dropped",
            "summary-markers",
        ]
        .map(|id| t!(lang, id));
        let cols = labels.iter().map(|l| l.width()).max().unwrap_or(0) + 2;
        let label = |i: usize| format!("{}{}", labels[i], " ".repeat(cols - labels[i].width()));
        let models: Vec<String> = self
            .models
            .iter()
            .map(|(model, faithful, runs, ran_us, messages)| {
                let mut run = text::model_name(lang, *model).into_owned();
                if *faithful {
                    run.push_str(&format!(" ({})", t!(lang, "compare-faithful")));
                }
                if *runs > 1 {
                    run.push_str(&format!(" ×{runs}"));
                }
                t!(
                    lang,
                    "summary-model-run",
                    run = run,
                    secs = secs(*ran_us),
                    messages = messages.to_string()
                )
                .into_owned()
            })
            .collect();
        let models = if models.is_empty() {
            t!(lang, "summary-none").into_owned()
        } else {
            models.join("; ")
        };
        let mut out = format!("{}{} s\n", label(0), secs(self.duration_us));
        out += &format!("{}{models}\n", label(1));
        out += &format!("{}{}\n", label(2), self.connections);
        out += &format!("{}{}\n", label(3), self.messages);
        out += &format!("{}{}\n", label(4), self.resets);
        out += &format!(
            "{}{}\n",
            label(5),
            t!(
                lang,
                "summary-peak-value",
                spins = f::rate(self.peak_spins),
                cpu = format!("{:.0}", self.peak_cpu)
            )
        );
        out += &format!(
            "{}{}",
            label(6),
            t!(
                lang,
                "summary-dropped-value",
                server = self.dropped_server.to_string(),
                recorder = self.dropped_recorder.to_string()
            )
        );
        if self.markers.is_empty() {
            out += &format!("\n{}{}", label(7), t!(lang, "summary-none"));
            return out;
        }
        out += &format!("\n{}{}", label(7), self.markers.len());
        for (t_us, note) in &self.markers {
            out += &format!(
                "\n  {}  {}",
                f::tenths(*t_us),
                text::marker_note(lang, note)
            );
        }
        out
    }
}

/// The summary in English (see [`Session::text`] for the viewer's
/// language).
impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use std::sync::Mutex;

    /// A `Write` the test can look into after the recorder is done.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn closed(t_us: u64) -> Event {
        Event {
            t_us,
            kind: EventKind::Closed { conn: t_us },
        }
    }

    fn recorded(
        cap: usize,
        batches: Vec<Batch>,
        finish: impl FnOnce(Recorder) -> Option<Totals>,
    ) -> (String, Option<Totals>) {
        let out = Shared::default();
        let header = serde_json::to_string(&Header::now()).unwrap() + "\n";
        out.clone().write_all(header.as_bytes()).unwrap();
        // Handed over before the recorder's thread starts: what it drops
        // does not depend on how soon that thread runs.
        let (tap, events) = Tap::new(cap, 1000);
        for batch in batches {
            tap.forward(batch);
        }
        let recorder = Recorder::spawn(Path::new("test"), out.clone(), tap, events).unwrap();
        let totals = finish(recorder);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        (text, totals)
    }

    #[test]
    fn a_recording_reads_back_as_written_header_events_summary() {
        let events: Vec<Event> = (1..=5).map(closed).collect();
        let (text, totals) = recorded(100, vec![events[..2].to_vec(), events[2..].to_vec()], |r| {
            r.finish(7_000).ok()
        });
        let totals = totals.unwrap();
        assert_eq!(
            totals,
            Totals {
                events: 5,
                dropped: 0,
                duration_us: 7_000
            }
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("{\"ioscope_recording\":1,"), "{text}");
        assert_eq!(
            lines[6],
            r#"{"ioscope_summary":{"events":5,"dropped":0,"duration_us":7000}}"#
        );
        let back = read(text.as_bytes()).unwrap();
        assert_eq!(back.header.ioscope_recording, FORMAT_VERSION);
        assert_eq!(back.header.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(back.events, events);
        assert_eq!(back.totals, Some(totals));
        assert_eq!(back.cut, None);
        // The event lines are the headless stream's, byte for byte.
        let mut stream = Vec::new();
        for e in &events {
            write_line(&mut stream, e).unwrap();
        }
        assert_eq!(
            lines[1..6].join("\n") + "\n",
            String::from_utf8(stream).unwrap()
        );
    }

    #[test]
    fn a_recorder_behind_drops_and_counts_and_a_dropped_one_still_ends_with_its_summary() {
        // Room for 4 events: the second batch does not fit and is dropped
        // whole.
        let (text, totals) = recorded(
            4,
            vec![
                vec![closed(1), closed(2), closed(3)],
                vec![closed(4), closed(5)],
            ],
            |r| {
                drop(r);
                None
            },
        );
        assert_eq!(totals, None);
        let back = read(text.as_bytes()).unwrap();
        assert_eq!(back.events, [closed(1), closed(2), closed(3)]);
        let t = back.totals.expect("dropping a recorder writes its summary");
        assert_eq!((t.events, t.dropped, t.duration_us), (3, 2, 3));
    }

    #[test]
    fn a_recorder_writes_what_it_is_handed_while_it_runs() {
        let out = Shared::default();
        let (tap, events) = Tap::new(100, 100);
        let recorder =
            Recorder::spawn(Path::new("test"), out.clone(), tap.clone(), events).unwrap();
        tap.forward(vec![closed(1), closed(2)]);
        // Written on the recorder's own clock, before any finish: a kill
        // loses at most the last few.
        let mut expected = Vec::new();
        write_line(&mut expected, &closed(1)).unwrap();
        write_line(&mut expected, &closed(2)).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while *out.0.lock().unwrap() != expected {
            assert!(
                std::time::Instant::now() < deadline,
                "not written within 30 s of being handed over"
            );
            std::thread::sleep(DRAIN_EVERY / 4);
        }
        tap.forward(vec![closed(3)]);
        let totals = recorder.finish(0).unwrap();
        assert_eq!((totals.events, totals.dropped), (3, 0));
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.starts_with(std::str::from_utf8(&expected).unwrap()),
            "{text}"
        );
        assert!(text.ends_with("\"duration_us\":3}}\n"), "{text}");
    }

    fn recording(lines: &[&str]) -> String {
        let header = serde_json::to_string(&Header::now()).unwrap();
        std::iter::once(header.as_str())
            .chain(lines.iter().copied())
            .map(|l| format!("{l}\n"))
            .collect()
    }

    const EVENT: &str = r#"{"t_us":5,"kind":"closed","conn":1}"#;
    const SUMMARY: &str = r#"{"ioscope_summary":{"events":1,"dropped":0,"duration_us":9}}"#;

    #[test]
    fn a_corrupt_line_names_its_line() {
        let text = recording(&[EVENT, r#"{"t_us":6,"kind":"nonsense"}"#, SUMMARY]);
        let e = read(text.as_bytes()).unwrap_err();
        assert!(matches!(e, RecordingError::Corrupt { line: 3, .. }), "{e}");
        assert!(e.to_string().starts_with("line 3: not an event"), "{e}");
        assert!(e.to_string().ends_with("(column 28)"), "{e}");
        assert!(!e.to_string().contains("line 1"), "{e}");
        let text = recording(&[EVENT, "garbage", SUMMARY]);
        assert!(
            read(text.as_bytes())
                .unwrap_err()
                .to_string()
                .starts_with("line 3:")
        );
        let text = recording(&[SUMMARY, EVENT]);
        let e = read(text.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("line 3: a line after the summary"), "{e}");
    }

    #[test]
    fn a_truncated_recording_replays_what_is_whole_and_says_where_it_stopped() {
        let text = recording(&[EVENT, EVENT, SUMMARY]);
        let cut = &text[..text.find(SUMMARY).unwrap() - 10];
        let back = read(cut.as_bytes()).unwrap();
        assert_eq!(back.events.len(), 1);
        assert_eq!(back.cut, Some(Cut::MidLine(3)));
        assert!(
            back.cut
                .unwrap()
                .to_string()
                .contains("line 3 is cut short")
        );
        // Whole lines but no summary (killed): all of it, and said.
        let cut = &text[..text.find(SUMMARY).unwrap()];
        let back = read(cut.as_bytes()).unwrap();
        assert_eq!((back.events.len(), back.totals), (2, None));
        assert_eq!(back.cut, Some(Cut::NoSummary(3)));
        // A summary cut short.
        let back = read(&text.as_bytes()[..text.len() - 5]).unwrap();
        assert_eq!((back.events.len(), back.cut), (2, Some(Cut::MidLine(4))));
        // A header cut short.
        let e = read(&text.as_bytes()[..10]).unwrap_err().to_string();
        assert!(e.starts_with("line 1: the header is cut short"), "{e}");
    }

    #[test]
    fn empty_newer_and_not_a_recording_are_told_apart() {
        assert_eq!(read(&b""[..]).unwrap_err(), RecordingError::Empty);
        let newer = text_with_header(r#"{"ioscope_recording":99,"version":"9.0.0"}"#);
        let e = read(newer.as_bytes()).unwrap_err().to_string();
        assert!(
            e.contains("format 99") && e.contains("9.0.0") && e.contains("newer"),
            "{e}"
        );
        let stream = text_with_header(EVENT);
        let e = read(stream.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("not a recording: line 1 is an event"), "{e}");
        for other in ["hello world", r#"{"name":"x"}"#, "[1,2]"] {
            let e = read(text_with_header(other).as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("not a recording: line 1"), "{other}: {e}");
        }
        let broken = text_with_header(r#"{"ioscope_recording":1,"version":3}"#);
        let e = read(broken.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("line 1: a broken header"), "{e}");
    }

    fn text_with_header(first: &str) -> String {
        format!("{first}\n{EVENT}\n{SUMMARY}\n")
    }

    #[test]
    fn the_summary_is_the_dashboards_own_numbers() {
        let text = recording(&[
            r#"{"t_us":10,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}"#,
            r#"{"t_us":20,"kind":"accept","conn":1,"peer":"127.0.0.1:9"}"#,
            r#"{"t_us":30,"kind":"recv","conn":1,"bytes":2,"spin":1,"preview":"hi"}"#,
            r#"{"t_us":40,"kind":"send","conn":1,"bytes":2,"spin":1,"preview":"HI","pending":0}"#,
            r#"{"t_us":2000000,"kind":"closed","conn":1}"#,
            r#"{"ioscope_summary":{"events":5,"dropped":0,"duration_us":2500000}}"#,
        ]);
        let s = summarize(&read(text.as_bytes()).unwrap());
        assert_eq!(s.duration_us, 2_500_000);
        assert_eq!((s.connections, s.messages, s.resets), (1, 1, 0));
        assert_eq!(s.models.len(), 1);
        assert_eq!(s.models[0].0, Model::Nonblocking);
        let shown = s.to_string();
        assert!(
            shown.contains("connections  1") && shown.contains("nonblocking"),
            "{shown}"
        );
        assert!(s.markers.is_empty());
        assert!(shown.ends_with("\nmarkers      none"), "{shown}");
    }

    #[test]
    fn markers_are_recorded_in_order_read_back_and_listed_by_the_summary() {
        let marker = |t_us, note: &str| Event {
            t_us,
            kind: EventKind::Marker { note: note.into() },
        };
        let listening: Event = serde_json::from_str(
            r#"{"t_us":500000,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"cpu_split":true}"#,
        )
        .unwrap();
        let events = vec![
            listening,
            closed(600_000),
            marker(1_750_000, "the loop at 100% — \"看这里\""),
            closed(1_800_000),
            marker(63_000_000, ""),
        ];
        let (text, _) = recorded(100, vec![events.clone()], |r| r.finish(64_000_000).ok());
        assert!(
            text.contains(r#"{"t_us":63000000,"kind":"marker","note":""}"#),
            "{text}"
        );
        let back = read(text.as_bytes()).unwrap();
        assert_eq!(back.events, events, "in order, as written");
        let s = summarize(&back);
        assert_eq!(
            s.markers,
            [
                (1_250_000, "the loop at 100% — \"看这里\"".to_string()),
                (62_500_000, String::new())
            ],
            "timed from the first event"
        );
        let shown = s.to_string();
        assert!(
            shown.ends_with(
                "\nmarkers      2\n  00:01.2  \"the loop at 100% — \"看这里\"\"\n  01:02.5  (no note)"
            ),
            "{shown}"
        );
    }
}
