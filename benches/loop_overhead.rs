//! What the instrumentation costs the non-blocking loop.
//!
//! The very same `ioscope::server::nonblocking::run` is run twice per sample:
//! with `NoProbe` (events compiled out) and with `ChannelProbe`, whose
//! channel a separate thread drains and only counts, as the dashboard would.
//! Each sample lasts a fixed time and ends with `Control::stop()` from the
//! main thread; `run` returns its spin count, the loop thread times itself.
//!
//! The idle clients connect before the loop starts: they wait in the accept
//! queue (backlog 1024) and the loop accepts them all in its first spins (64
//! per spin). That accept phase lies inside the timed window for both
//! variants; its length is measured from the instrumented run's `accept`
//! events and printed, so its share of the window can be judged. After each
//! sample every client checks that the server had accepted it: an accepted
//! connection sees an orderly close (read = 0) when the loop drops it, one
//! left in the accept queue sees a reset when the listener closes.
//!
//! Run with `cargo bench --bench loop_overhead`. Only 127.0.0.1 is used.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ioscope::control::Control;
use ioscope::event::EventKind;
use ioscope::probe::channel::{self, DRAIN_EVERY, EventRx, EventTx};
use ioscope::probe::{ChannelProbe, EVENT_CHANNEL_CAP, NoProbe};
use ioscope::server;
use ioscope::server::nonblocking::{self, LoopOptions};

use common::{Load, Usage, connect_clients, group};

const IDLE_CONNS: [usize; 4] = [0, 10, 100, 1_000];
const WINDOW: Duration = Duration::from_secs(2);
const REPEATS: usize = 3;
const TARGET_RATIO: f64 = 0.95;
const BACKLOG: i32 = 1024;
const CHECK_TIMEOUT: Duration = Duration::from_millis(200);
/// The loop must return this soon after `stop()`.
const JOIN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Off,
    Instrumented,
}

/// What the draining thread saw.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    events: u64,
    accepts: u64,
    dropped: u64,
    /// When the last `accept` happened, since the loop started.
    last_accept_us: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    spins: u64,
    secs: f64,
    /// Clients that saw the server's orderly close: they had been accepted.
    verified: usize,
    counts: Option<Counts>,
}

impl Sample {
    fn rate(&self) -> f64 {
        self.spins as f64 / self.secs
    }
}

fn main() {
    let fd_limit = ioscope::sys::raise_fd_limit();
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "ioscope loop_overhead: spins per second (spins/s) of the non-blocking server loop, default mode, on 127.0.0.1"
    );
    println!("  events off   = nonblocking::run with NoProbe (instrumentation compiled out)");
    println!(
        "  instrumented = nonblocking::run with ChannelProbe; a separate thread takes the events every {} ms as the dashboard does (channel cap {EVENT_CHANNEL_CAP} events) and only counts",
        DRAIN_EVERY.as_millis()
    );
    println!(
        "  {} s per sample, the two variants alternate, {REPEATS} samples each, median shown; target: ratio instrumented/off >= {TARGET_RATIO:.2}",
        WINDOW.as_secs_f64()
    );
    println!(
        "  idle conns = std TcpStream clients connected before the loop starts, never sending; cores: {cores}, fd limit: {}",
        fd_limit.map_or("?".to_string(), |n| n.to_string())
    );
    println!();

    let whole = Load::now();
    let mut rows = Vec::new();
    for &conns in &IDLE_CONNS {
        let load = Load::now();
        let mut off = Vec::new();
        let mut instr = Vec::new();
        for rep in 0..REPEATS {
            let order = if rep % 2 == 0 {
                [Variant::Off, Variant::Instrumented]
            } else {
                [Variant::Instrumented, Variant::Off]
            };
            for variant in order {
                let sample = run_sample(variant, conns);
                assert_eq!(
                    sample.verified, conns,
                    "{variant:?} with {conns} clients: only {} were accepted",
                    sample.verified
                );
                match variant {
                    Variant::Off => off.push(sample),
                    Variant::Instrumented => instr.push(sample),
                }
            }
        }
        rows.push((conns, off, instr, load.since()));
    }

    println!(
        "{:>10} | {:>20} | {:>20} | {:>7} | {:>6}",
        "idle conns", "spins/s events off", "spins/s instrumented", "ratio", "target"
    );
    println!("{}", "-".repeat(10 + 3 + 20 + 3 + 20 + 3 + 7 + 3 + 6));
    for (conns, off, instr, _) in &rows {
        let m_off = median(off.iter().map(Sample::rate).collect());
        let m_instr = median(instr.iter().map(Sample::rate).collect());
        let ratio = m_instr / m_off;
        println!(
            "{:>10} | {:>20} | {:>20} | {:>7.3} | {:>6}",
            conns,
            group(m_off),
            group(m_instr),
            ratio,
            if ratio >= TARGET_RATIO {
                "ok"
            } else {
                "MISSED"
            }
        );
    }

    println!();
    println!("Samples (spins/s, in run order per variant):");
    for (conns, off, instr, usage) in &rows {
        let list = |v: &[Sample]| {
            v.iter()
                .map(|s| group(s.rate()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let load = usage.map_or("?".to_string(), |u: Usage| {
            format!("{:.0}%, steal {:.0}%", u.other_pct, u.steal_pct)
        });
        println!(
            "  {conns:>5} conns: off [{}]  instrumented [{}]  other processes' CPU meanwhile: {load}",
            list(off),
            list(instr)
        );
    }

    println!();
    println!(
        "Instrumented runs: events the draining thread received per {} s sample, events the probe had to drop (channel full), accept phase",
        WINDOW.as_secs_f64()
    );
    println!(
        "{:>10} | {:>26} | {:>14} | {:>16} | {:>30}",
        "idle conns",
        "events per sample (each)",
        "dropped (sum)",
        "accepts (each)",
        "last accept after loop start"
    );
    for (conns, _, instr, _) in &rows {
        let counts: Vec<Counts> = instr.iter().filter_map(|s| s.counts).collect();
        let events = counts
            .iter()
            .map(|c| c.events.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let dropped: u64 = counts.iter().map(|c| c.dropped).sum();
        let accepts = counts
            .iter()
            .map(|c| c.accepts.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let phase = counts
            .iter()
            .map(|c| {
                c.last_accept_us
                    .map_or("-".to_string(), |us| format!("{:.1} ms", us as f64 / 1e3))
            })
            .collect::<Vec<_>>()
            .join(", ");
        println!("{conns:>10} | {events:>26} | {dropped:>14} | {accepts:>16} | {phase:>30}");
    }
    println!();
    println!(
        "Every sample's clients were all accepted by the loop (checked client-side: each saw the server's orderly close)."
    );
    println!("{}", whole.report_since());
}

/// One timed run of the loop with `conns` idle clients.
fn run_sample(variant: Variant, conns: usize) -> Sample {
    let listener = server::bind("127.0.0.1:0".parse().unwrap(), BACKLOG).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let clients = connect_clients(addr, conns);

    let control = Arc::new(Control::new());
    let opts = LoopOptions::default();
    let (tx, drainer) = match variant {
        Variant::Off => (None, None),
        Variant::Instrumented => {
            let (tx, rx) = channel::channel();
            let drainer = thread::Builder::new()
                .name("bench-drain".into())
                .spawn(move || drain(&rx))
                .expect("spawn drainer");
            (Some(tx), Some(drainer))
        }
    };
    let loop_control = control.clone();
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    let server = thread::Builder::new()
        .name("bench-loop".into())
        .spawn(move || {
            let spins_and_time = run_loop(listener, opts, &loop_control, tx);
            let _ = done_tx.send(());
            spins_and_time
        })
        .expect("spawn loop thread");

    thread::sleep(WINDOW);
    control.stop();
    done_rx
        .recv_timeout(JOIN_GRACE)
        .expect("the loop did not stop within the grace time");
    let (spins, secs) = server.join().expect("loop thread panicked");
    let counts = drainer.map(|d| d.join().expect("drainer panicked"));
    let verified = count_orderly_closes(clients);
    Sample {
        spins,
        secs,
        verified,
        counts,
    }
}

/// Runs the loop on this thread; returns its spins and how long it ran.
fn run_loop(
    listener: std::net::TcpListener,
    opts: LoopOptions,
    control: &Control,
    tx: Option<EventTx>,
) -> (u64, f64) {
    let start = Instant::now();
    let spins = match tx {
        None => nonblocking::run(listener, opts, control, &mut NoProbe),
        Some(tx) => {
            // Created on this thread, timed from the loop's start.
            let mut probe = ChannelProbe::new(tx, start);
            nonblocking::run(listener, opts, control, &mut probe)
        }
    }
    .expect("the loop failed");
    (spins, start.elapsed().as_secs_f64())
}

/// Counts events until the probe is gone, as a dashboard would receive them.
fn drain(rx: &EventRx) -> Counts {
    let mut c = Counts::default();
    rx.follow(DRAIN_EVERY, |event| {
        c.events += 1;
        match event.kind {
            EventKind::Accept { .. } => {
                c.accepts += 1;
                c.last_accept_us = Some(event.t_us);
            }
            EventKind::Dropped { count } => c.dropped += count,
            _ => {}
        }
    });
    c
}

/// After the loop has ended: how many clients see an orderly close (the
/// loop had accepted them and dropped them on stop). A connection still in
/// the accept queue is reset when the listener closes instead.
fn count_orderly_closes(clients: Vec<TcpStream>) -> usize {
    let mut buf = [0u8; 16];
    clients
        .into_iter()
        .filter(|mut c| {
            c.set_read_timeout(Some(CHECK_TIMEOUT)).is_ok() && matches!(c.read(&mut buf), Ok(0))
        })
        .count()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
