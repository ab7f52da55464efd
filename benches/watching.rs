//! What watching costs a loop under load: the very same server loop with
//! its events compiled out (`NoProbe`), and instrumented with its real
//! reader running — the dashboard (`runtime::run`: events applied, frames
//! drawn to a `TestBackend` at 10 frames/s) or the headless JSON writer
//! (`stream::Writer`, to a sink).
//!
//! The server's thread and its reader share CPU 0 (pinned), so that the
//! whole cost of watching counts, as on a laptop whose other core is busy;
//! the load — `swarm` chatty clients, 64-byte messages, send, wait for the
//! reply, send again — runs on CPU 1. For `nonblocking` and `multiplex`,
//! at 1, 10 and 100 chatty clients and at 1 chatty beside 1,000 idle ones;
//! the three variants alternate, in one process run.
//!
//! Printed per row: replies/s (what the swarm verified over its run), RTT
//! p50/p99, batches the server thread handed over per 1,000 replies (each
//! could wake a reader parked on the channel at most once; these readers
//! never park on it, so none does), the server thread's context switches
//! per 1,000 replies (voluntary: it slept in a system call; involuntary: it
//! was preempted, by its reader among others), events dropped, and the
//! ratio to events-off. The ratio is the median of each round's own ratio
//! (a round runs the three variants back to back, in turn first), so that
//! the machine's drift from one minute to the next cancels out. Then the
//! headless writer's own speed, on one core.
//!
//! Run with `cargo bench --bench watching` (Linux, two cores or more). Only
//! 127.0.0.1 is used; every run is bounded in time.

mod common;

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ioscope::app::{Action, Dashboard, Notice};
use ioscope::client::swarm::{self, Scene, SwarmConfig};
use ioscope::control::Control;
use ioscope::event::{Event, EventKind, Preview};
use ioscope::probe::channel::{self, EventRx, EventTx, Flow};
use ioscope::probe::{BATCH, ChannelProbe, NoProbe, Probe};
use ioscope::record::Tap;
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
const BACKLOG: i32 = 1024;
const SERVER_CPU: usize = 0;
const LOAD_CPU: usize = 1;
const WRITER_EVENTS: usize = 400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Off,
    Dashboard,
    Headless,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Off, Variant::Dashboard, Variant::Headless];

    fn name(self) -> &'static str {
        match self {
            Variant::Off => "events off",
            Variant::Dashboard => "dashboard",
            Variant::Headless => "headless",
        }
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
}

impl Sample {
    fn per_1k(&self, n: u64) -> f64 {
        n as f64 * 1000.0 / self.replies.max(1) as f64
    }
}

fn main() {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    if cores < 2 || sys::pin_thread(SERVER_CPU).is_err() {
        println!("ioscope watching: needs Linux and two cores (found {cores}); skipped");
        return;
    }
    let fd_limit = sys::raise_fd_limit();
    println!(
        "ioscope watching: the server loop with events off and with its real reader, under load, on 127.0.0.1"
    );
    println!(
        "  server thread + reader pinned to CPU {SERVER_CPU}, swarm (chatty, 64-byte messages, no pause) pinned to CPU {LOAD_CPU}; {} s per sample; {REPEATS} rounds of the three variants back to back, each first in turn; medians shown, the ratio is the median of the rounds' ratios",
        WINDOW.as_secs_f64()
    );
    println!(
        "  events off = the loop with NoProbe; dashboard = ChannelProbe + runtime::run drawing 120x36 to a TestBackend at 10 frames/s; headless = ChannelProbe + the JSON-lines writer to a sink"
    );
    println!(
        "  hand-overs = batches (up to {BATCH} events) the server thread handed to the channel; readers take them every {} ms and never park on the channel",
        channel::DRAIN_EVERY.as_millis()
    );
    println!(
        "  target: ratio >= {TARGET_RATIO} in every row, 0 dropped at 10 chatty; cores: {cores}, fd limit: {}",
        fd_limit.map_or("?".into(), |n| n.to_string())
    );
    println!();

    let whole = Load::now();
    println!(
        "{:<12} {:<17} {:<11} {:>11} {:>7} {:>7} {:>6} {:>14} {:>14} {:>8}",
        "model",
        "load",
        "variant",
        "replies/s",
        "p50 µs",
        "p99 µs",
        "ratio",
        "hand-overs/1k",
        "ctx sw/1k v+i",
        "dropped"
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
            let mut samples: [Vec<Sample>; 3] = Default::default();
            for rep in 0..REPEATS {
                for k in 0..Variant::ALL.len() {
                    let i = (k + rep) % Variant::ALL.len();
                    samples[i].push(run_sample(model, Variant::ALL[i], chatty, idle));
                }
            }
            let load = if idle > 0 {
                format!("{chatty} chatty+{idle} idle")
            } else {
                format!("{chatty} chatty")
            };
            for (i, variant) in Variant::ALL.iter().enumerate() {
                let m = median_sample(&samples[i]);
                let ratio = median_ratio(&samples[i], &samples[0]);
                let dropped: u64 = samples[i].iter().map(|s| s.dropped).sum();
                let ok = *variant == Variant::Off
                    || (ratio >= TARGET_RATIO && (chatty != 10 || dropped == 0));
                if !ok {
                    misses.push(format!("{model} {load} {}", variant.name()));
                }
                println!(
                    "{:<12} {:<17} {:<11} {:>11} {:>7} {:>7} {:>6} {:>14} {:>14} {:>8}",
                    model.name(),
                    load,
                    variant.name(),
                    group(m.replies_per_s),
                    m.p50_us,
                    m.p99_us,
                    if *variant == Variant::Off {
                        "-".to_string()
                    } else {
                        format!("{ratio:.2}")
                    },
                    if *variant == Variant::Off {
                        "-".to_string()
                    } else {
                        format!("{:.2}", m.per_1k(m.handed_over))
                    },
                    format!(
                        "{:.1}+{:.1}",
                        m.per_1k(m.switches.0),
                        m.per_1k(m.switches.1)
                    ),
                    dropped
                );
            }
            let runs: Vec<String> = Variant::ALL
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
    println!("{}", whole.report_since());
}

/// The headless writer alone: a realistic mix of events (recv and send
/// with 40-byte previews, and the summaries) already handed over, written
/// to a sink by the writer's thread; events per second of that thread.
fn writer_speed() {
    let (tx, rx) = channel::with_capacity(WRITER_EVENTS, WRITER_EVENTS / BATCH + 1);
    let data = b"Hello, this is a chatty client; message 1234567";
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..WRITER_EVENTS as u64 {
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
            tx.try_send(std::mem::take(&mut batch))
                .expect("room for every batch");
        }
    }
    if !batch.is_empty() {
        tx.try_send(batch).expect("room for the last batch");
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
    /// Starts on CPU 0, beside the server.
    fn start(variant: Variant, events: EventRx, epoch: Instant) -> Reader {
        match variant {
            Variant::Off => Reader::None,
            Variant::Dashboard => {
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
                            record: None,
                        };
                        runtime::run(&mut terminal, &mut dashboard, session, &inputs)
                            .expect("the dashboard's loop");
                        dashboard
                    })
                    .expect("spawn the dashboard");
                Reader::Dashboard { quit, ui }
            }
            Variant::Headless => {
                // Started from a pinned thread: the writer's thread inherits
                // CPU 0.
                let (tx, rx) = crossbeam_channel::bounded(1);
                thread::spawn(move || {
                    sys::pin_thread(SERVER_CPU).expect("pin the writer");
                    let _ = tx.send(Writer::spawn(events, io::sink()).expect("spawn the writer"));
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
    let epoch = Instant::now();
    let (tx, rx) = channel::channel();
    let reader = Reader::start(variant, rx, epoch);
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
    reader.stop();
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
