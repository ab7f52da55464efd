//! What watching costs a loop under load: the very same server loop with
//! its events compiled out (`NoProbe`), and instrumented with its real
//! reader running — the dashboard (`runtime::run`: events applied, frames
//! drawn to a `TestBackend` at 10 frames/s) or the headless JSON writer
//! (`stream::Writer`, to a sink) — and each of the two recording as well
//! (`serve --record`: the real `record::Recorder`, writing to a file in
//! the temp directory that is deleted after each sample).
//!
//! The server's thread and its reader share CPU 0 (pinned), so that the
//! whole cost of watching counts, as on a laptop whose other core is busy;
//! the recorder's thread is part of the watching process, and is pinned to
//! CPU 0 with them. The load — `swarm` chatty clients, 64-byte messages,
//! send, wait for the reply, send again — runs on CPU 1. For `nonblocking`
//! and `multiplex`, at 1, 10 and 100 chatty clients and at 1 chatty beside
//! 1,000 idle ones; the variants alternate, in one process run.
//!
//! Printed per row: replies/s (what the swarm verified over its run), RTT
//! p50/p99, batches the server thread handed over per 1,000 replies (each
//! could wake a reader parked on the channel at most once; these readers
//! never park on it, so none does), the server thread's context switches
//! per 1,000 replies (voluntary: it slept in a system call; involuntary: it
//! was preempted, by its reader among others), events dropped, and the
//! ratio to events-off. The ratio is the median of each round's own ratio
//! (a round runs the variants back to back, in turn first), so that the
//! machine's drift from one minute to the next cancels out. Then the
//! headless writer's own speed, on one core, and the CPU time the
//! recorder takes to write a busy session's events to a file.
//!
//! The recording variants also print: `vs unrec`, the median of each
//! round's ratio to the same reader without recording (what recording
//! itself costs the loop; the target is >= 0.95, issue 13), the events the
//! recorder dropped (summed over the rounds, as `dropped` is), and the
//! recording's size per minute (the file's bytes over the recording's own
//! duration, as its summary line gives it, times 60; in MB, 10^6 bytes).
//! Every variant that reads also prints the CPU time its reader's thread
//! and its recorder's thread took over the sample, as a share of one core
//! (they take it from CPU 0, the loop's): a figure that the noise of a
//! busy machine moves less than replies/s.
//!
//! Run with `cargo bench --bench watching` (Linux, two cores or more). Only
//! 127.0.0.1 is used; every run is bounded in time. By default every row
//! and every variant runs (about 8 minutes on two cores). To run fewer:
//!
//! - `cargo bench --bench watching -- multiplex 100`: only the rows whose
//!   model and load name every word given;
//! - `IOSCOPE_BENCH_VARIANTS=off,dashboard,dashboard+record`: only these
//!   variants (of `off`, `dashboard`, `headless`, `dashboard+record`,
//!   `headless+record`; `off` is always run, the ratios need it).

mod common;

use std::io;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::thread;
use std::time::{Duration, Instant};

use ioscope::app::{Action, Dashboard, Notice};
use ioscope::client::swarm::{self, Scene, SwarmConfig};
use ioscope::control::Control;
use ioscope::event::{Event, EventKind, Preview};
use ioscope::probe::channel::{self, EventRx, EventTx, Flow};
use ioscope::probe::{BATCH, ChannelProbe, NoProbe, Probe};
use ioscope::record::{Header, Recorder, Tap, Totals};
use ioscope::runtime::{self, Input, Session};
use ioscope::server::nonblocking::{self, LoopOptions};
use ioscope::server::{self, Limits, Model, multiplex};
use ioscope::source::{self, Command, Source};
use ioscope::stream::Writer;
use ioscope::sys;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::{Load, connect_clients, group};

/// (chatty clients, idle clients)
const LOADS: [(usize, usize); 4] = [(1, 0), (10, 0), (100, 0), (1, 1_000)];
const MODELS: [Model; 2] = [Model::Nonblocking, Model::Multiplex];
const WINDOW: Duration = Duration::from_millis(1_500);
const REPEATS: usize = 7;
const TARGET_RATIO: f64 = 0.9;
/// Recording: replies/s with it over replies/s without it, at least.
const TARGET_RECORD_RATIO: f64 = 0.95;
const BACKLOG: i32 = 1024;
const SERVER_CPU: usize = 0;
const LOAD_CPU: usize = 1;
const WRITER_EVENTS: usize = 400_000;
/// A thousand batches, one a millisecond.
const RECORDER_EVENTS: usize = 1_000 * BATCH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Off,
    Dashboard,
    Headless,
    DashboardRecord,
    HeadlessRecord,
}

impl Variant {
    const ALL: [Variant; 5] = [
        Variant::Off,
        Variant::Dashboard,
        Variant::Headless,
        Variant::DashboardRecord,
        Variant::HeadlessRecord,
    ];

    fn name(self) -> &'static str {
        match self {
            Variant::Off => "events off",
            Variant::Dashboard => "dashboard",
            Variant::Headless => "headless",
            Variant::DashboardRecord => "dashboard+record",
            Variant::HeadlessRecord => "headless+record",
        }
    }

    /// Its name in `IOSCOPE_BENCH_VARIANTS`.
    fn key(self) -> &'static str {
        match self {
            Variant::Off => "off",
            other => other.name(),
        }
    }

    fn records(self) -> bool {
        matches!(self, Variant::DashboardRecord | Variant::HeadlessRecord)
    }

    /// The same reader, not recording.
    fn unrecorded(self) -> Variant {
        match self {
            Variant::DashboardRecord => Variant::Dashboard,
            Variant::HeadlessRecord => Variant::Headless,
            other => other,
        }
    }

    /// `IOSCOPE_BENCH_VARIANTS=off,dashboard,...`, or all of them; `off`
    /// always, first.
    fn selected() -> Vec<Variant> {
        let Ok(list) = std::env::var("IOSCOPE_BENCH_VARIANTS") else {
            return Variant::ALL.to_vec();
        };
        let asked: Vec<&str> = list.split(',').map(str::trim).collect();
        for a in &asked {
            assert!(
                a.is_empty() || Variant::ALL.iter().any(|v| v.key() == *a),
                "IOSCOPE_BENCH_VARIANTS: unknown variant {a:?} (known: {})",
                Variant::ALL.map(Variant::key).join(",")
            );
        }
        Variant::ALL
            .into_iter()
            .filter(|v| *v == Variant::Off || asked.contains(&v.key()))
            .collect()
    }
}

/// One timed run.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    replies_per_s: f64,
    replies: u64,
    p50_us: u64,
    p99_us: u64,
    handed_over: u64,
    switches: (u64, u64),
    dropped: u64,
    /// From the reader's start to the server's stop.
    run_us: u64,
    /// CPU time of the reader's thread (the dashboard's, the writer's).
    reader_cpu_ns: Option<u64>,
    /// The recording, when the variant records.
    recorded: Option<Recorded>,
}

/// What one sample's recording came to.
#[derive(Debug, Clone, Copy, Default)]
struct Recorded {
    bytes: u64,
    totals: Totals,
    /// CPU time of the recorder's thread.
    cpu_ns: Option<u64>,
}

impl Recorded {
    fn mb_per_min(&self) -> f64 {
        let secs = self.totals.duration_us as f64 / 1e6;
        self.bytes as f64 / secs.max(1e-3) * 60.0 / 1e6
    }
}

impl Sample {
    fn per_1k(&self, n: u64) -> f64 {
        n as f64 * 1000.0 / self.replies.max(1) as f64
    }

    /// `ns` of CPU time as a share of one core over the sample, in %.
    fn cpu_pct(&self, ns: u64) -> f64 {
        ns as f64 / 1e3 / self.run_us.max(1) as f64 * 100.0
    }
}

/// CPU time so far of this process's thread named `name` (Linux:
/// /proc/self/task/*/schedstat, nanoseconds on a CPU).
fn thread_cpu_ns(name: &str) -> Option<u64> {
    std::fs::read_dir("/proc/self/task").ok()?.find_map(|task| {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        if comm.trim_end() != name {
            return None;
        }
        let stat = std::fs::read_to_string(dir.join("schedstat")).ok()?;
        stat.split_whitespace().next()?.parse().ok()
    })
}

fn main() {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    if cores < 2 || sys::pin_thread(SERVER_CPU).is_err() {
        println!("ioscope watching: needs Linux and two cores (found {cores}); skipped");
        return;
    }
    let fd_limit = sys::raise_fd_limit();
    let variants = Variant::selected();
    println!(
        "ioscope watching: the server loop with events off and with its real reader, under load, on 127.0.0.1"
    );
    println!(
        "  server thread + reader (+ recorder) pinned to CPU {SERVER_CPU}, swarm (chatty, 64-byte messages, no pause) pinned to CPU {LOAD_CPU}; {} s per sample; {REPEATS} rounds of the {} variants back to back, each first in turn; medians shown, the ratio is the median of the rounds' ratios",
        WINDOW.as_secs_f64(),
        variants.len()
    );
    println!(
        "  events off = the loop with NoProbe; dashboard = ChannelProbe + runtime::run drawing 120x36 to a TestBackend at 10 frames/s; headless = ChannelProbe + the JSON-lines writer to a sink"
    );
    println!(
        "  +record = the same reader with --record: the real record::Recorder, its thread pinned to CPU {SERVER_CPU} with the reader, writing to a file in {} (deleted after each sample)",
        std::env::temp_dir().display()
    );
    println!(
        "  hand-overs = batches (up to {BATCH} events) the server thread handed to the channel; readers take them every {} ms and never park on the channel",
        channel::DRAIN_EVERY.as_millis()
    );
    println!(
        "  vs unrec = the median of the rounds' ratios to the same reader without recording; rec drop = events the recorder dropped (all rounds); rec MB/min = the file's size over the recording's duration, x 60"
    );
    println!(
        "  rd CPU% / rec CPU% = CPU time of the reader's / the recorder's thread over the sample, % of one core (CPU {SERVER_CPU}, shared with the loop), median of the rounds"
    );
    println!(
        "  target: ratio >= {TARGET_RATIO} in every row, 0 dropped at 10 chatty; recording: vs unrec >= {TARGET_RECORD_RATIO}; cores: {cores}, fd limit: {}",
        fd_limit.map_or("?".into(), |n| n.to_string())
    );
    println!();

    let whole = Load::now();
    println!(
        "{:<12} {:<17} {:<16} {:>11} {:>7} {:>7} {:>6} {:>8} {:>14} {:>14} {:>8} {:>8} {:>10} {:>8} {:>8}",
        "model",
        "load",
        "variant",
        "replies/s",
        "p50 µs",
        "p99 µs",
        "ratio",
        "vs unrec",
        "hand-overs/1k",
        "ctx sw/1k v+i",
        "dropped",
        "rec drop",
        "rec MB/min",
        "rd CPU%",
        "rec CPU%"
    );
    // `cargo bench --bench watching -- multiplex 100`: only the rows whose
    // model and load name every word given.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mut misses = Vec::new();
    for model in MODELS {
        for (chatty, idle) in LOADS {
            let name = format!("{model} {chatty} chatty {idle} idle");
            if !only.iter().all(|w| name.split(' ').any(|p| p == w)) {
                continue;
            }
            let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); variants.len()];
            for rep in 0..REPEATS {
                for k in 0..variants.len() {
                    let i = (k + rep) % variants.len();
                    samples[i].push(run_sample(model, variants[i], chatty, idle));
                }
            }
            let load = if idle > 0 {
                format!("{chatty} chatty+{idle} idle")
            } else {
                format!("{chatty} chatty")
            };
            let of = |v: Variant| variants.iter().position(|w| *w == v);
            for (i, variant) in variants.iter().enumerate() {
                let m = median_sample(&samples[i]);
                let ratio = median_ratio(&samples[i], &samples[0]);
                let vs_unrec = of(variant.unrecorded())
                    .filter(|_| variant.records())
                    .map(|base| median_ratio(&samples[i], &samples[base]));
                let dropped: u64 = samples[i].iter().map(|s| s.dropped).sum();
                let rec_dropped: u64 = samples[i]
                    .iter()
                    .filter_map(|s| s.recorded)
                    .map(|r| r.totals.dropped)
                    .sum();
                let ok = *variant == Variant::Off
                    || (ratio >= TARGET_RATIO && (chatty != 10 || dropped == 0));
                if !ok {
                    misses.push(format!("{model} {load} {}", variant.name()));
                }
                if vs_unrec.is_some_and(|r| r < TARGET_RECORD_RATIO) {
                    misses.push(format!("{model} {load} {} (vs unrec)", variant.name()));
                }
                let dash = || "-".to_string();
                println!(
                    "{:<12} {:<17} {:<16} {:>11} {:>7} {:>7} {:>6} {:>8} {:>14} {:>14} {:>8} {:>8} {:>10} {:>8} {:>8}",
                    model.name(),
                    load,
                    variant.name(),
                    group(m.replies_per_s),
                    m.p50_us,
                    m.p99_us,
                    if *variant == Variant::Off {
                        dash()
                    } else {
                        format!("{ratio:.2}")
                    },
                    vs_unrec.map_or_else(dash, |r| format!("{r:.2}")),
                    if *variant == Variant::Off {
                        dash()
                    } else {
                        format!("{:.2}", m.per_1k(m.handed_over))
                    },
                    format!(
                        "{:.1}+{:.1}",
                        m.per_1k(m.switches.0),
                        m.per_1k(m.switches.1)
                    ),
                    dropped,
                    if variant.records() {
                        rec_dropped.to_string()
                    } else {
                        dash()
                    },
                    m.recorded
                        .map_or_else(dash, |r| format!("{:.1}", r.mb_per_min())),
                    median_pct(&samples[i], |s| s.reader_cpu_ns)
                        .map_or_else(dash, |p| format!("{p:.1}")),
                    median_pct(&samples[i], |s| s.recorded.and_then(|r| r.cpu_ns))
                        .map_or_else(dash, |p| format!("{p:.1}")),
                );
            }
            let runs: Vec<String> = variants
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let rates: Vec<String> = samples[i]
                        .iter()
                        .zip(&samples[0])
                        .map(|(s, off)| match v {
                            Variant::Off => group(s.replies_per_s),
                            _ => format!(
                                "{} ({:.2})",
                                group(s.replies_per_s),
                                s.replies_per_s / off.replies_per_s.max(1.0)
                            ),
                        })
                        .collect();
                    format!("{}: {}", v.name(), rates.join(", "))
                })
                .collect();
            println!(
                "{:<30} samples by round (ratio in that round): {}",
                "",
                runs.join("; ")
            );
        }
    }
    println!();
    println!(
        "Rows that miss the target: {}",
        if misses.is_empty() {
            "none".to_string()
        } else {
            misses.join(", ")
        }
    );
    println!();
    writer_speed();
    recorder_speed();
    println!("{}", whole.report_since());
}

/// A realistic mix of `n` events in batches of [`BATCH`]: recv and send
/// with 40-byte previews, and the summaries.
fn event_mix(n: usize) -> Vec<Vec<Event>> {
    let data = b"Hello, this is a chatty client; message 1234567";
    let mut batches = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..n as u64 {
        let kind = match i % 10 {
            0 => EventKind::Spin {
                spins: 123_456,
                cpu_user_us: 15_000,
                cpu_sys_us: 5_000,
                empty_recvs: 0,
                empty_sends: 0,
            },
            1 => EventKind::WouldBlock {
                accept: 123_456,
                recv: 1_234_567,
                send: 0,
            },
            n if n % 2 == 0 => EventKind::Recv {
                conn: i % 100,
                bytes: data.len(),
                spin: i,
                preview: Preview::of(data),
            },
            _ => EventKind::Send {
                conn: i % 100,
                bytes: data.len(),
                spin: i,
                preview: Preview::of(&data.to_ascii_uppercase()),
                pending: 0,
            },
        };
        batch.push(Event {
            t_us: 1_000_000 + i * 5,
            kind,
        });
        if batch.len() == BATCH {
            batches.push(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

/// The headless writer alone: [`event_mix`] already handed over, written
/// to a sink by the writer's thread; events per second of that thread.
fn writer_speed() {
    let (tx, rx) = channel::with_capacity(WRITER_EVENTS, WRITER_EVENTS / BATCH + 1);
    for batch in event_mix(WRITER_EVENTS) {
        tx.try_send(batch).expect("room for every batch");
    }
    drop(tx);
    let out = Counting::default();
    let written = out.bytes.clone();
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        sys::pin_thread(SERVER_CPU).expect("pin");
        let start = Instant::now();
        let writer = Writer::spawn(rx, out).expect("spawn the writer");
        let result = writer.done.recv().expect("the writer's result");
        let _ = done_tx.send((result, start.elapsed()));
    });
    let (result, took) = done_rx.recv().expect("the writer thread");
    result.expect("writing to a sink");
    let bytes = written.load(std::sync::atomic::Ordering::Relaxed);
    let rate = WRITER_EVENTS as f64 / took.as_secs_f64();
    println!(
        "headless writer: {} events ({} bytes of JSON lines) in {:.3} s on one core: {} events/s (target >= 2 000 000); at 200 000 events/s it would take {:.1}% of a core",
        group(WRITER_EVENTS as f64),
        group(bytes as f64),
        took.as_secs_f64(),
        group(rate),
        200_000.0 / rate * 100.0
    );
}

/// The recorder alone, as in a busy session: [`event_mix`] handed to its
/// tap a batch of [`BATCH`] every millisecond (256,000 events/s) for
/// about a second, written by its thread (pinned to CPU 0) to a file in
/// the temp directory; the CPU time that thread took (not the wall time:
/// other processes on the machine hardly move it).
fn recorder_speed() {
    let mix = event_mix(RECORDER_EVENTS);
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        sys::pin_thread(SERVER_CPU).expect("pin");
        let recording = Recording::start();
        let tap = recording.recorder.tap();
        let start = Instant::now();
        for (k, batch) in mix.into_iter().enumerate() {
            let at = start + Duration::from_millis(k as u64);
            thread::sleep(at.saturating_duration_since(Instant::now()));
            tap.forward(batch);
        }
        let took = start.elapsed();
        // Its last write, of what was handed over last.
        thread::sleep(channel::DRAIN_EVERY * 3);
        let cpu_ns = thread_cpu_ns("ioscope-record");
        let recorded = recording.finish(0);
        let _ = done_tx.send((recorded, cpu_ns, took));
    });
    let (recorded, cpu_ns, took) = done_rx.recv().expect("the recorder's run");
    assert_eq!(
        (recorded.totals.events, recorded.totals.dropped),
        (RECORDER_EVENTS as u64, 0),
        "the recorder kept every event"
    );
    let Some(cpu_ns) = cpu_ns else {
        println!("recorder: its CPU time cannot be read here (/proc/self/task)");
        return;
    };
    let per_event = cpu_ns as f64 / RECORDER_EVENTS as f64;
    println!(
        "recorder: {} events ({} bytes in the file) handed over at {} events/s for {:.2} s: its thread took {:.1} ms of CPU, {:.0} ns per event; at 200 000 events/s it would take {:.1}% of a core",
        group(RECORDER_EVENTS as f64),
        group(recorded.bytes as f64),
        group(RECORDER_EVENTS as f64 / took.as_secs_f64()),
        took.as_secs_f64(),
        cpu_ns as f64 / 1e6,
        per_event,
        200_000.0 * per_event / 1e9 * 100.0
    );
}

/// A sink that counts what it is given.
#[derive(Default)]
struct Counting {
    bytes: Arc<std::sync::atomic::AtomicU64>,
}

impl io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes
            .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The dashboard's source in this bench: the channel, and a clock.
struct Channel {
    events: EventRx,
    epoch: Instant,
}

impl Source for Channel {
    fn feed(&self, dashboard: &mut Dashboard, record: Option<&Tap>) -> Flow {
        source::feed_from(&self.events, dashboard, record)
    }

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    fn is_alive(&self) -> bool {
        true
    }

    fn command(&self, _command: Command) -> Result<(), Notice> {
        Ok(())
    }
}

/// What reads the events of one sample.
enum Reader {
    None,
    Dashboard {
        quit: crossbeam_channel::Sender<Input>,
        ui: thread::JoinHandle<Dashboard>,
    },
    Headless(Writer),
}

impl Reader {
    /// Starts on CPU 0, beside the server; hands what it takes to `tap`
    /// too, when given one.
    fn start(variant: Variant, events: EventRx, epoch: Instant, tap: Option<Tap>) -> Reader {
        match variant {
            Variant::Off => Reader::None,
            Variant::Dashboard | Variant::DashboardRecord => {
                let (quit, inputs) = crossbeam_channel::unbounded();
                let ui = thread::Builder::new()
                    .name("bench-dashboard".into())
                    .spawn(move || {
                        sys::pin_thread(SERVER_CPU).expect("pin the dashboard");
                        let mut terminal =
                            Terminal::new(TestBackend::new(120, 36)).expect("terminal");
                        let mut dashboard = Dashboard::new();
                        let source = Channel { events, epoch };
                        let session = Session {
                            source: &source,
                            clients: None,
                            record: tap.as_ref(),
                        };
                        runtime::run(&mut terminal, &mut dashboard, session, &inputs)
                            .expect("the dashboard's loop");
                        dashboard
                    })
                    .expect("spawn the dashboard");
                Reader::Dashboard { quit, ui }
            }
            Variant::Headless | Variant::HeadlessRecord => {
                // Started from a pinned thread: the writer's thread inherits
                // CPU 0.
                let (tx, rx) = crossbeam_channel::bounded(1);
                thread::spawn(move || {
                    sys::pin_thread(SERVER_CPU).expect("pin the writer");
                    let writer = Writer::spawn_recorded(events, io::sink(), tap);
                    let _ = tx.send(writer.expect("spawn the writer"));
                });
                Reader::Headless(rx.recv().expect("the writer"))
            }
        }
    }

    fn stop(self) {
        match self {
            Reader::None => {}
            Reader::Dashboard { quit, ui } => {
                let _ = quit.send(Input::Action(Action::Quit));
                let dashboard = ui.join().expect("the dashboard panicked");
                assert!(dashboard.server.is_some(), "the dashboard saw the server");
            }
            Reader::Headless(writer) => {
                let done = writer
                    .done
                    .recv_timeout(Duration::from_secs(10))
                    .expect("the writer ends with the channel");
                done.expect("writing to a sink");
            }
        }
    }
}

/// A recording of one sample: the real recorder, writing to a file of its
/// own in the temp directory.
struct Recording {
    recorder: Recorder,
    path: PathBuf,
}

impl Recording {
    /// Created from a thread pinned to CPU 0: the recorder's thread
    /// inherits it.
    fn start() -> Recording {
        static SAMPLE: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ioscope-bench-watching-{}-{}.jsonl",
            std::process::id(),
            SAMPLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let at = path.clone();
        let recorder = thread::spawn(move || {
            sys::pin_thread(SERVER_CPU).expect("pin the recorder");
            Recorder::create(&at, &Header::now()).expect("create the recording")
        })
        .join()
        .expect("the recorder's start panicked");
        Recording { recorder, path }
    }

    /// Writes the summary line, measures the file and deletes it.
    fn finish(self, end_us: u64) -> Recorded {
        // Before its thread ends (the last write, of the last 20 ms, is
        // left out).
        let cpu_ns = thread_cpu_ns("ioscope-record");
        let totals = self.recorder.finish(end_us).expect("the recording");
        let bytes = std::fs::metadata(&self.path)
            .expect("the recording's file")
            .len();
        std::fs::remove_file(&self.path).expect("delete the recording");
        Recorded {
            bytes,
            totals,
            cpu_ns,
        }
    }
}

/// What the server thread reports at the end.
struct Served {
    handed_over: u64,
    dropped: u64,
    switches: (u64, u64),
}

fn run_sample(model: Model, variant: Variant, chatty: usize, idle: usize) -> Sample {
    let listener = server::bind("127.0.0.1:0".parse().unwrap(), BACKLOG).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let idle_clients: Vec<TcpStream> = connect_clients(addr, idle);
    let control = Arc::new(Control::new());
    let recording = variant.records().then(Recording::start);
    let epoch = Instant::now();
    let (tx, rx) = channel::channel();
    let tap = recording.as_ref().map(|r| r.recorder.tap());
    let reader = Reader::start(variant, rx, epoch, tap);
    let server = {
        let control = control.clone();
        let tx = (variant != Variant::Off).then_some(tx);
        thread::Builder::new()
            .name("bench-loop".into())
            .spawn(move || serve(model, listener, &control, tx, epoch))
            .expect("spawn the loop")
    };
    let load = thread::Builder::new()
        .name("bench-load".into())
        .spawn(move || {
            sys::pin_thread(LOAD_CPU).expect("pin the load");
            let mut config = SwarmConfig::new(addr, Scene::Chatty);
            config.clients = chatty;
            config.messages = 10_000_000;
            config.size = 64;
            config.duration = WINDOW;
            swarm::run(&config)
        })
        .expect("spawn the load");
    let summary = load.join().expect("the load panicked").expect("the swarm");
    control.stop();
    let served = server.join().expect("the loop panicked");
    let end_us = epoch.elapsed().as_micros() as u64;
    let reader_cpu_ns = match variant {
        Variant::Off => None,
        Variant::Dashboard | Variant::DashboardRecord => thread_cpu_ns("bench-dashboard"),
        Variant::Headless | Variant::HeadlessRecord => thread_cpu_ns("ioscope-writer"),
    };
    reader.stop();
    let recorded = recording.map(|r| r.finish(end_us));
    drop(idle_clients);
    assert!(
        summary.replies_verified > 0 && summary.mismatches == 0,
        "{model} {variant:?}: {summary}"
    );
    Sample {
        replies_per_s: summary.replies_verified as f64 / summary.elapsed_s,
        replies: summary.replies_verified,
        p50_us: summary.rtt_us.p50,
        p99_us: summary.rtt_us.p99,
        handed_over: served.handed_over,
        switches: served.switches,
        dropped: served.dropped,
        run_us: end_us,
        reader_cpu_ns,
        recorded,
    }
}

/// The server's thread: pinned to CPU 0, runs `model`'s loop until stopped.
fn serve(
    model: Model,
    listener: std::net::TcpListener,
    control: &Control,
    tx: Option<EventTx>,
    epoch: Instant,
) -> Served {
    sys::pin_thread(SERVER_CPU).expect("pin the loop");
    let before = sys::thread_switches().unwrap_or((0, 0));
    let limits = Limits {
        max_conns: 100_000,
        ..Limits::default()
    };
    let (handed_over, dropped) = match tx {
        None => {
            run_loop(model, listener, limits, control, &mut NoProbe);
            (0, 0)
        }
        Some(tx) => {
            let mut probe = ChannelProbe::new(tx, epoch);
            run_loop(model, listener, limits, control, &mut probe);
            probe.flush();
            (probe.batches_handed_over(), probe.events_dropped())
        }
    };
    let after = sys::thread_switches().unwrap_or((0, 0));
    Served {
        handed_over,
        dropped,
        switches: (after.0 - before.0, after.1 - before.1),
    }
}

fn run_loop<P: Probe>(
    model: Model,
    listener: std::net::TcpListener,
    limits: Limits,
    control: &Control,
    probe: &mut P,
) {
    // As a model's first thread does: the dashboard learns the model.
    let addr = listener.local_addr().expect("local address");
    probe.listening(addr, model, BACKLOG, None, &[]);
    probe.flush();
    let ids = Default::default();
    match model {
        Model::Nonblocking => {
            let opts = LoopOptions {
                limits,
                conn_ids: ids,
                ..LoopOptions::default()
            };
            nonblocking::run(listener, opts, control, probe).expect("the nonblocking loop");
        }
        Model::Multiplex => {
            multiplex::Prepared::new(listener, control)
                .expect("a poll")
                .run(limits, &ids, control, probe)
                .expect("the multiplex loop");
        }
        other => unreachable!("{other} is not benchmarked here"),
    }
}

/// The sample with the median rate (its other figures with it).
fn median_sample(samples: &[Sample]) -> Sample {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.replies_per_s.total_cmp(&b.replies_per_s));
    sorted[sorted.len() / 2]
}

/// The median over rounds of a thread's CPU time (`of`) as a share of one
/// core over its sample, in %.
fn median_pct(samples: &[Sample], of: impl Fn(&Sample) -> Option<u64>) -> Option<f64> {
    let mut pcts: Vec<f64> = samples
        .iter()
        .filter_map(|s| of(s).map(|ns| s.cpu_pct(ns)))
        .collect();
    pcts.sort_by(f64::total_cmp);
    pcts.get(pcts.len() / 2).copied()
}

/// The median over rounds of `samples`' rate over `base`'s in that round.
fn median_ratio(samples: &[Sample], base: &[Sample]) -> f64 {
    let mut ratios: Vec<f64> = samples
        .iter()
        .zip(base)
        .map(|(s, b)| s.replies_per_s / b.replies_per_s.max(1.0))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}
