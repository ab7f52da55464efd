//! The five IO models side by side, in one run: what each costs idle, what
//! it delivers to chatty clients, and what it holds for idle ones.
//!
//! Every model runs in this process through `ServerHost::start` on
//! 127.0.0.1:0 (backlog 1024, pool workers 4, idle delay 0 so that the
//! non-blocking model is the lecture's real busy loop). A separate thread
//! drains the server's event channel, as the dashboard would, and counts what
//! the tables need. A fresh server is started for every row and stopped
//! (the `ServerHost` dropped, its threads joined) before the next.
//!
//! (1) Idle CPU over 5 s with no client: the server threads' own CPU as
//!     reported in their `spin` summaries, and the whole process's CPU
//!     (getrusage RUSAGE_SELF).
//! (2) Throughput and round trips: `swarm::run` with the chatty scene
//!     (64-byte messages, no pause between them) against each model for a
//!     fixed time, with 10 and then 100 clients.
//! (3) Threads and resident memory while 500 idle clients are connected.
//!
//! Run with `cargo bench --bench models`. Only 127.0.0.1 is used.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ioscope::client::stats::Summary;
use ioscope::client::swarm::{self, Scene, SwarmConfig};
use ioscope::event::{ConnId, EventKind};
use ioscope::probe::EVENT_CHANNEL_CAP;
use ioscope::probe::channel::{self, DRAIN_EVERY, EventRx};
use ioscope::server::{Model, ServerConfig, ServerHost};
use ioscope::sys;

use common::{Load, Usage, group};

const BACKLOG: i32 = 1024;
const WORKERS: usize = 4;
/// Time a new server gets before a measurement starts.
const SETTLE: Duration = Duration::from_millis(500);

const IDLE_WINDOW: Duration = Duration::from_secs(5);
const MULTIPLEX_TARGET_PCT: f64 = 0.5;
/// "about 100% of one core": the busy loop must show at least this much.
const NONBLOCKING_TARGET_PCT: f64 = 90.0;

const CHATTY_CLIENTS: [usize; 2] = [10, 100];
const CHATTY_RUN: Duration = Duration::from_secs(3);
/// Far more than any client can exchange in `CHATTY_RUN`: time ends the run.
const CHATTY_MESSAGES: u64 = 1_000_000_000;
const MESSAGE_SIZE: usize = 64;

const IDLE_CLIENTS: usize = 500;
/// The longest wait for the server to accept all idle clients.
const ACCEPT_WAIT: Duration = Duration::from_secs(5);
/// ... cut short when no client has been accepted for this long.
const ACCEPT_STALL: Duration = Duration::from_secs(1);
/// After the last accept, before reading threads and RSS.
const READ_SETTLE: Duration = Duration::from_millis(300);
/// The idle swarm's own bound; it ends as soon as the server stops.
const IDLE_SWARM_RUN: Duration = Duration::from_secs(10);

/// Stopping a server, or a thread finishing after it, must take at most this.
const JOIN_GRACE: Duration = Duration::from_secs(10);

fn main() {
    let fd_limit = sys::raise_fd_limit();
    let whole = Load::now();
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "ioscope models: the five IO models side by side, each server in this process via ServerHost::start on 127.0.0.1:0"
    );
    println!(
        "  backlog {BACKLOG}, pool workers {WORKERS}, idle delay 0 (nonblocking is the real busy loop); a separate thread takes the events every {} ms, as the dashboard does (channel cap {EVENT_CHANNEL_CAP} events)",
        DRAIN_EVERY.as_millis()
    );
    println!(
        "  a fresh server for every row, stopped (ServerHost dropped, threads joined) before the next; cores: {cores}, fd limit: {}",
        fd_limit.map_or("?".to_string(), |n| n.to_string())
    );
    println!(
        "  'other %' = CPU of other processes during that row, % of one core: a row is trustworthy only if it is near 0"
    );
    println!();

    let idle: Vec<IdleRow> = Model::ALL.iter().map(|&m| idle_cpu(m)).collect();
    print_idle(&idle);

    let mut chatty = Vec::new();
    for &clients in &CHATTY_CLIENTS {
        for &model in &Model::ALL {
            chatty.push(chatty_run(model, clients));
        }
    }
    print_chatty(&chatty);

    let hold: Vec<HoldRow> = Model::ALL.iter().map(|&m| hold_idle(m)).collect();
    print_hold(&hold);

    println!("{}", whole.report_since());
}

// ---------------------------------------------------------------- (1) idle

struct IdleRow {
    model: Model,
    wall_s: f64,
    spin_events: usize,
    spins: u64,
    server_cpu_us: u64,
    process_cpu_us: Option<u64>,
    load: Option<Usage>,
}

fn idle_cpu(model: Model) -> IdleRow {
    let load = Load::now();
    let server = Running::start(model);
    thread::sleep(SETTLE);
    let t0 = server.now_us();
    let cpu0 = process_cpu_us();
    let start = Instant::now();
    thread::sleep(IDLE_WINDOW);
    let t1 = server.now_us();
    let cpu1 = process_cpu_us();
    let wall_s = start.elapsed().as_secs_f64();
    let drained = server.stop();
    let in_window: Vec<&SpinReport> = drained
        .spin
        .iter()
        .filter(|s| s.t_us > t0 && s.t_us <= t1)
        .collect();
    IdleRow {
        model,
        wall_s,
        spin_events: in_window.len(),
        spins: in_window.iter().map(|s| s.spins).sum(),
        server_cpu_us: in_window.iter().map(|s| s.cpu_us).sum(),
        process_cpu_us: cpu0.zip(cpu1).map(|(a, b)| b.saturating_sub(a)),
        load: load.since(),
    }
}

fn print_idle(rows: &[IdleRow]) {
    println!(
        "(1) Idle CPU, no clients, over {} s, % of one core (100% = one core fully busy)",
        IDLE_WINDOW.as_secs()
    );
    println!(
        "    server threads = sum of cpu_user_us + cpu_sys_us of the spin summaries received in the window (each server thread's own CPU)"
    );
    println!(
        "    process        = getrusage(RUSAGE_SELF) over the same window: server threads + the sampler + the drain thread + this idle main thread"
    );
    println!(
        "    targets: multiplex <= {MULTIPLEX_TARGET_PCT}% (both columns); nonblocking ~100% (server threads >= {NONBLOCKING_TARGET_PCT:.0}%)"
    );
    println!(
        "{:>11} | {:>16} | {:>11} | {:>14} | {:>9} | {:>6} | {:>7}",
        "model", "server threads %", "spin events", "spins/s", "process %", "target", "other %"
    );
    println!("{}", "-".repeat(11 + 16 + 11 + 14 + 9 + 6 + 7 + 6 * 3));
    for r in rows {
        let server_pct = pct(r.server_cpu_us, r.wall_s);
        let process_pct = r.process_cpu_us.map(|us| pct(us, r.wall_s));
        let target = match r.model {
            Model::Multiplex => verdict(
                server_pct <= MULTIPLEX_TARGET_PCT
                    && process_pct.is_some_and(|p| p <= MULTIPLEX_TARGET_PCT),
            ),
            Model::Nonblocking => verdict(server_pct >= NONBLOCKING_TARGET_PCT),
            _ => "-",
        };
        println!(
            "{:>11} | {:>16.2} | {:>11} | {:>14} | {:>9} | {:>6} | {:>7}",
            r.model.name(),
            server_pct,
            r.spin_events,
            group(r.spins as f64 / r.wall_s),
            process_pct.map_or("?".to_string(), |p| format!("{p:.2}")),
            target,
            other(r.load)
        );
    }
    println!(
        "    a thread reports its CPU in a spin summary only while it counts loop iterations: threads parked in accept/recv (blocking,"
    );
    println!(
        "    threaded, pool) or asleep in epoll (multiplex) send none, so their 0 is by construction; the process column is the check"
    );
    println!(
        "    spin summaries go out every ~20 ms, so a window's edges are off by up to one summary"
    );
    println!();
}

// -------------------------------------------------------------- (2) chatty

struct ChattyRow {
    model: Model,
    clients: usize,
    summary: Summary,
    accepted: usize,
    served: usize,
    dropped: u64,
    process_cpu_us: Option<u64>,
    load: Option<Usage>,
}

fn chatty_run(model: Model, clients: usize) -> ChattyRow {
    let load = Load::now();
    let server = Running::start(model);
    let mut config = SwarmConfig::new(server.addr, Scene::Chatty);
    config.clients = clients;
    config.messages = CHATTY_MESSAGES;
    config.size = MESSAGE_SIZE;
    config.interval = Duration::ZERO;
    config.duration = CHATTY_RUN;
    let cpu0 = process_cpu_us();
    let t0 = server.now_us();
    let summary = swarm::run(&config).expect("the chatty swarm failed");
    let cpu1 = process_cpu_us();
    // Counted up to the end of the run: once the swarm closes its clients, a
    // blocking server goes through the ones that waited (each now closed).
    let cutoff = t0 + (summary.elapsed_s * 1e6) as u64;
    let drained = server.stop();
    ChattyRow {
        model,
        clients,
        accepted: drained.accept_t_us.iter().filter(|&&t| t <= cutoff).count(),
        served: drained
            .first_recv_t_us
            .values()
            .filter(|&&t| t <= cutoff)
            .count(),
        summary,
        dropped: drained.dropped,
        process_cpu_us: cpu0.zip(cpu1).map(|(a, b)| b.saturating_sub(a)),
        load: load.since(),
    }
}

fn print_chatty(rows: &[ChattyRow]) {
    println!(
        "(2) Throughput and round trip: swarm::run, scene chatty, {MESSAGE_SIZE}-byte messages, interval 0 (next message as soon as the reply is in), {} s per row",
        CHATTY_RUN.as_secs()
    );
    println!(
        "    replies/s = replies verified byte for byte / run time; RTT = send to whole reply, over the replies received (a client never answered adds no sample)"
    );
    println!(
        "    lost = sent but not answered when time ran out (each client's message in flight at the end counts: ~1 per client is normal)"
    );
    println!(
        "    accepted = accept events, served = connections the server received data from, both up to the end of the run; process % = CPU of the whole process"
    );
    println!("    (swarm and drain threads included) over the run, % of one core");
    println!(
        "{:>7} | {:>11} | {:>11} | {:>10} | {:>10} | {:>9} | {:>8} | {:>6} | {:>8} | {:>6} | {:>9} | {:>7} | {:>7}",
        "clients",
        "model",
        "replies/s",
        "RTT p50",
        "RTT p99",
        "replies",
        "lost",
        "bad",
        "accepted",
        "served",
        "process %",
        "dropped",
        "other %"
    );
    println!(
        "{}",
        "-".repeat(7 + 11 + 11 + 10 + 10 + 9 + 8 + 6 + 8 + 6 + 9 + 7 + 7 + 12 * 3)
    );
    for r in rows {
        let s = &r.summary;
        let rtt = |v: u64| {
            if s.rtt_us.count == 0 {
                "-".to_string()
            } else {
                micros(v)
            }
        };
        println!(
            "{:>7} | {:>11} | {:>11} | {:>10} | {:>10} | {:>9} | {:>8} | {:>6} | {:>8} | {:>6} | {:>9} | {:>7} | {:>7}",
            r.clients,
            r.model.name(),
            group(s.replies_per_s),
            rtt(s.rtt_us.p50),
            rtt(s.rtt_us.p99),
            s.replies_verified,
            s.lost,
            s.mismatches,
            r.accepted,
            r.served,
            r.process_cpu_us
                .map_or("?".to_string(), |us| format!("{:.0}", pct(us, s.elapsed_s))),
            r.dropped,
            other(r.load)
        );
    }
    println!(
        "    bad = replies that did not match; dropped = events the probe could not deliver (channel full): the server went on, only the counts above miss them"
    );
    println!(
        "    blocking serves one client at a time until it leaves (head-of-line): a chatty client never leaves, so one is served and every other"
    );
    println!(
        "    waits the whole run in the listen queue with its first message unanswered; pool serves at most {WORKERS} (one per worker), the rest wait in its queue"
    );
    println!(
        "    on {} cores the server, the swarm thread and the drain thread share the CPU: replies/s is what this machine gives, not a model's ceiling",
        thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
}

// ---------------------------------------------------------------- (3) hold

struct HoldRow {
    model: Model,
    accepted: u64,
    waited_s: f64,
    listen_queue: Option<i64>,
    threads_before: Option<u64>,
    threads_with: Option<u64>,
    rss_before: Option<u64>,
    rss_with: Option<u64>,
    /// The swarm's view: connections it completed, and how it ended.
    summary: Summary,
    /// The swarm was still holding its clients when threads and RSS were read.
    held_at_reading: bool,
    swarm_end_s: f64,
    load: Option<Usage>,
}

fn hold_idle(model: Model) -> HoldRow {
    let load = Load::now();
    let server = Running::start(model);
    thread::sleep(SETTLE);

    let mut config = SwarmConfig::new(server.addr, Scene::Idle);
    config.clients = IDLE_CLIENTS;
    config.duration = IDLE_SWARM_RUN;
    let (go_tx, go_rx) = crossbeam_channel::bounded::<()>(1);
    // Started before the "before" reading so that its own thread is in both.
    let swarm = thread::Builder::new()
        .name("bench-swarm".into())
        .spawn(move || {
            go_rx
                .recv()
                .ok()
                .map(|()| swarm::run(&config).expect("the idle swarm failed"))
        })
        .expect("spawn the swarm thread");
    thread::sleep(Duration::from_millis(50));
    release_free_memory();
    let threads_before = sys::process_threads();
    let rss_before = sys::rss_bytes();
    go_tx.send(()).expect("the swarm thread is gone");

    // Until every client is accepted, nobody has been for ACCEPT_STALL, or
    // ACCEPT_WAIT is over.
    let started = Instant::now();
    let mut last = 0;
    let mut last_change = started;
    loop {
        let n = server.accepts();
        if n != last {
            last = n;
            last_change = Instant::now();
        }
        if n >= IDLE_CLIENTS as u64
            || last_change.elapsed() >= ACCEPT_STALL
            || started.elapsed() >= ACCEPT_WAIT
        {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let waited_s = started.elapsed().as_secs_f64();
    thread::sleep(READ_SETTLE);
    let threads_with = sys::process_threads();
    let rss_with = sys::rss_bytes();
    let accepted = server.accepts();
    let listen_queue = server.listen_queue();
    let held_at_reading = !swarm.is_finished();

    let stopping = Instant::now();
    server.stop();
    let summary = join_within(swarm, IDLE_SWARM_RUN + JOIN_GRACE, "the idle swarm")
        .expect("the swarm thread got no go");
    HoldRow {
        model,
        accepted,
        waited_s,
        listen_queue,
        threads_before,
        threads_with,
        rss_before,
        rss_with,
        summary,
        held_at_reading,
        swarm_end_s: stopping.elapsed().as_secs_f64(),
        load: load.since(),
    }
}

fn print_hold(rows: &[HoldRow]) {
    println!(
        "(3) Threads and resident memory with {IDLE_CLIENTS} idle clients (swarm::run, scene idle, on its own thread: connect, then stay silent)"
    );
    println!(
        "    before = server started, swarm thread spawned, no client yet (read after malloc_trim(0), so memory earlier rows freed does not hide growth)"
    );
    println!(
        "    with   = after the server accepted all {IDLE_CLIENTS} (or stopped accepting: no accept for {} s; at most {} s), then {} ms",
        ACCEPT_STALL.as_secs(),
        ACCEPT_WAIT.as_secs(),
        READ_SETTLE.as_millis()
    );
    println!("    threads = sys::process_threads, RSS = sys::rss_bytes (MB = 10^6 bytes)");
    println!(
        "{:>11} | {:>9} | {:>8} | {:>8} | {:>7} | {:>7} | {:>7} | {:>9} | {:>9} | {:>9} | {:>11} | {:>7}",
        "model",
        "connected",
        "accepted",
        "waited s",
        "l.queue",
        "threads",
        "+thr",
        "RSS MB",
        "+RSS MB",
        "+KB/client",
        "held/closed",
        "other %"
    );
    println!(
        "{}",
        "-".repeat(11 + 9 + 8 + 8 + 7 + 7 + 7 + 9 + 9 + 9 + 11 + 7 + 11 * 3)
    );
    for r in rows {
        let thr_delta = r
            .threads_with
            .zip(r.threads_before)
            .map(|(a, b)| a as i64 - b as i64);
        let rss_delta = r
            .rss_with
            .zip(r.rss_before)
            .map(|(a, b)| a as i64 - b as i64);
        println!(
            "{:>11} | {:>9} | {:>8} | {:>8.2} | {:>7} | {:>7} | {:>7} | {:>9} | {:>9} | {:>9} | {:>11} | {:>7}",
            r.model.name(),
            r.summary.connections_made,
            r.accepted,
            r.waited_s,
            r.listen_queue.map_or("?".to_string(), |q| q.to_string()),
            opt(r.threads_with),
            thr_delta.map_or("?".to_string(), |d| format!("{d:+}")),
            r.rss_with
                .map_or("?".to_string(), |b| format!("{:.1}", b as f64 / 1e6)),
            rss_delta.map_or("?".to_string(), |d| format!("{:+.1}", d as f64 / 1e6)),
            rss_delta.map_or("?".to_string(), |d| format!(
                "{:.1}",
                d as f64 / 1e3 / IDLE_CLIENTS as f64
            )),
            format!(
                "{}/{:.2}s",
                if r.held_at_reading { "yes" } else { "NO" },
                r.swarm_end_s
            ),
            other(r.load)
        );
    }
    let before = |f: fn(&HoldRow) -> Option<u64>| {
        rows.iter()
            .map(|r| format!("{} {}", r.model.name(), opt(f(r))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "    threads before: {}",
        before(|r: &HoldRow| r.threads_before)
    );
    println!(
        "    RSS MB before: {}",
        rows.iter()
            .map(|r| format!(
                "{} {}",
                r.model.name(),
                r.rss_before
                    .map_or("?".to_string(), |b| format!("{:.1}", b as f64 / 1e6))
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "    connected = connections the swarm completed (the kernel completes a handshake whether or not the server accepts it);"
    );
    println!(
        "    accepted = accept events the server reported; l.queue = the listen queue at the reading: completed but not accepted"
    );
    println!(
        "    blocking accepts one client and serves it until it leaves, which an idle client never does: the others stay in the listen queue;"
    );
    println!(
        "    pool: {WORKERS} workers take one client each, the accept thread fills the pool's bounded work queue and then waits, the rest stay in the listen queue"
    );
    println!(
        "    the client sockets live in this same process; the swarm is one thread (in 'before' and 'with'), so +thr is the server's own new threads;"
    );
    println!(
        "    +RSS includes the swarm's client state as well as the server's (socket buffers are kernel memory, not RSS); +KB/client = +RSS / {IDLE_CLIENTS}"
    );
    println!(
        "    the rows run one after another in one process: deltas below ~1 MB are at the allocator's noise level"
    );
    println!(
        "    held/closed = the swarm still held its clients at the reading / how long after the server stop the swarm saw them closed and ended"
    );
    println!();
}

// -------------------------------------------------------------- the server

/// One `spin` summary: when, how many iterations, and its thread's CPU.
struct SpinReport {
    t_us: u64,
    spins: u64,
    cpu_us: u64,
}

/// What the drain thread knows while the server runs.
struct Live {
    accepts: AtomicU64,
    /// The last listen queue a `sample` reported (-1: none yet).
    listen_queue: AtomicI64,
}

/// What the drain thread counted, once the server is gone.
#[derive(Default)]
struct Drained {
    spin: Vec<SpinReport>,
    /// When each `accept` happened.
    accept_t_us: Vec<u64>,
    /// When the server first received data from each connection.
    first_recv_t_us: HashMap<ConnId, u64>,
    dropped: u64,
}

struct Running {
    host: ServerHost,
    addr: SocketAddr,
    epoch: Instant,
    live: Arc<Live>,
    drain: JoinHandle<Drained>,
}

impl Running {
    fn start(model: Model) -> Running {
        let (tx, rx) = channel::channel();
        let live = Arc::new(Live {
            accepts: AtomicU64::new(0),
            listen_queue: AtomicI64::new(-1),
        });
        let drain = {
            let live = live.clone();
            thread::Builder::new()
                .name("bench-drain".into())
                .spawn(move || drain(&rx, &live))
                .expect("spawn the drain thread")
        };
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        config.model = model;
        config.backlog = BACKLOG;
        config.workers = WORKERS;
        let epoch = Instant::now();
        let host = ServerHost::start(config, tx, epoch, Duration::ZERO)
            .unwrap_or_else(|e| panic!("start {model}: {e}"));
        Running {
            addr: host.addr(),
            host,
            epoch,
            live,
            drain,
        }
    }

    /// Microseconds on the server's event clock.
    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    fn accepts(&self) -> u64 {
        self.live.accepts.load(Ordering::Relaxed)
    }

    fn listen_queue(&self) -> Option<i64> {
        Some(self.live.listen_queue.load(Ordering::Relaxed)).filter(|q| *q >= 0)
    }

    /// Drops the server (its threads stop and are joined, its sockets
    /// close), then collects what the drain thread counted. Bounded.
    fn stop(self) -> Drained {
        let model = self.host.model();
        let host = self.host;
        let stopper = thread::Builder::new()
            .name("bench-stop".into())
            .spawn(move || drop(host))
            .expect("spawn the stopping thread");
        join_within(stopper, JOIN_GRACE, &format!("stopping {model}"));
        // Every sender is gone with the server: the drain thread ends.
        join_within(self.drain, JOIN_GRACE, "the drain thread")
    }
}

/// Receives every event until the server is gone.
fn drain(rx: &EventRx, live: &Live) -> Drained {
    let mut d = Drained::default();
    rx.follow(DRAIN_EVERY, |event| match event.kind {
        EventKind::Accept { .. } => {
            live.accepts.fetch_add(1, Ordering::Relaxed);
            d.accept_t_us.push(event.t_us);
        }
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            ..
        } => d.spin.push(SpinReport {
            t_us: event.t_us,
            spins,
            cpu_us: cpu_user_us + cpu_sys_us,
        }),
        EventKind::Recv { conn, .. } => {
            d.first_recv_t_us.entry(conn).or_insert(event.t_us);
        }
        EventKind::Dropped { count } => d.dropped += count,
        EventKind::Sample {
            listen_queue: Some(q),
            ..
        } => live.listen_queue.store(i64::from(q), Ordering::Relaxed),
        _ => {}
    });
    d
}

/// Joins `handle`, waiting at most `grace`.
fn join_within<T>(handle: JoinHandle<T>, grace: Duration, what: &str) -> T {
    let deadline = Instant::now() + grace;
    while !handle.is_finished() {
        assert!(
            Instant::now() < deadline,
            "{what} did not finish within {grace:?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
    handle.join().unwrap_or_else(|_| panic!("{what} panicked"))
}

// ----------------------------------------------------------------- helpers

/// The whole process's CPU time so far (user + system), microseconds.
#[cfg(unix)]
#[allow(unsafe_code)] // one libc call, as in ioscope::sys
fn process_cpu_us() -> Option<u64> {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a full `rusage` into the pointer we pass.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: rc == 0, so the kernel filled the struct (and it was zeroed).
    let ru = unsafe { ru.assume_init() };
    let us = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64;
    Some(us(ru.ru_utime) + us(ru.ru_stime))
}

#[cfg(not(unix))]
fn process_cpu_us() -> Option<u64> {
    None
}

/// Hands the allocator's free memory back to the kernel (glibc), so that
/// memory freed by earlier rows does not hide growth in the next.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // one libc call
fn release_free_memory() {
    // SAFETY: malloc_trim only returns free heap memory to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// CPU microseconds over `secs` of wall time, as % of one core.
fn pct(cpu_us: u64, secs: f64) -> f64 {
    cpu_us as f64 / 1e6 / secs.max(1e-9) * 100.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn other(load: Option<Usage>) -> String {
    load.map_or("?".to_string(), |u| format!("{:.0}", u.other_pct))
}

fn opt(v: Option<u64>) -> String {
    v.map_or("?".to_string(), |v| v.to_string())
}

/// 8734 -> "8734 µs", 12345 -> "12.3 ms"
fn micros(v: u64) -> String {
    if v >= 10_000 {
        format!("{:.1} ms", v as f64 / 1e3)
    } else {
        format!("{v} µs")
    }
}
