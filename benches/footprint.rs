//! What the dashboard costs while little happens.
//!
//! (a) The UI thread's own CPU time: `ioscope::runtime::run` draws into a
//!     ratatui `TestBackend` (wrapped to count the frames) against a real server on 127.0.0.1:0, once with the
//!     server paused (parked: only a tick every 100 ms reaches the UI) and
//!     once running (the probe then sends ~100 summary events/s). Measured
//!     with `ioscope::sys::thread_cpu()` inside the thread that calls `run`.
//! (b) The process's resident memory with the server running, a dashboard
//!     fed by its events, and 1,000 idle clients connected.
//!
//! Run with `cargo bench --bench footprint`. Only 127.0.0.1 is used.

mod common;

use std::convert::Infallible;
use std::io;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use ioscope::app::{Action, Dashboard};

use ioscope::probe::channel::{self, EventRx, EventTx};
use ioscope::runtime::{self, Exit, Input, Session};
use ioscope::server::{DEFAULT_BACKLOG, ServerConfig, ServerHost};
use ioscope::source::Live;
use ioscope::sys::{self, CpuTime};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use common::{Load, connect_clients};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;
const UI_RUN: Duration = Duration::from_secs(5);
const CPU_TARGET_PCT: f64 = 3.0;
const CLIENTS: usize = 1_000;
const RSS_TARGET_MB: f64 = 50.0;
/// Server idle delay during the memory run, to spare the second core.
const IDLE_DELAY: Duration = Duration::from_millis(1);
/// Backlog of the memory run: the lecture's `listen(5)` would overflow
/// while 1,000 clients connect one after another, and each dropped SYN
/// costs a client a retransmission (1 s, 3 s, ...).
const CLIENT_BACKLOG: i32 = 1024;
const SETTLE: Duration = Duration::from_secs(2);
const JOIN_GRACE: Duration = Duration::from_secs(10);

fn main() {
    let rss_start = sys::rss_bytes();
    let whole = Load::now();
    let fd_limit = sys::raise_fd_limit();
    println!(
        "ioscope footprint: (a) UI-thread CPU of runtime::run, % of one core (target <= {CPU_TARGET_PCT}%); (b) process RSS in MB (target <= {RSS_TARGET_MB} MB)"
    );
    println!(
        "  dashboard: runtime::run drawing into a {WIDTH}x{HEIGHT} ratatui TestBackend, tick {} ms; server: ServerHost::start on 127.0.0.1:0 (non-blocking model)",
        runtime::TICK.as_millis()
    );
    println!(
        "  cores: {}, fd limit: {}, RSS at process start: {}",
        thread::available_parallelism().map_or(0, |n| n.get()),
        fd_limit.map_or("?".to_string(), |n| n.to_string()),
        mb(rss_start)
    );
    println!();

    println!(
        "(a) UI thread CPU over {} s of runtime::run (thread_cpu() of the thread calling run)",
        UI_RUN.as_secs()
    );
    println!(
        "{:>15} | {:>8} | {:>8} | {:>8} | {:>9} | {:>6} | {:>7} | {:>14} | {:>12} | {:>6}",
        "server",
        "wall s",
        "user ms",
        "sys ms",
        "UI CPU %",
        "frames",
        "ms/frm",
        "spins seen",
        "server CPU %",
        "target"
    );
    for paused in [true, false] {
        let r = ui_cpu(paused);
        let cpu_ms = r.cpu.total_us() as f64 / 1e3;
        let pct = cpu_ms / 1e3 / r.wall * 100.0;
        let server_pct = r.dashboard.totals().cpu_us() as f64 / 1e6 / r.wall * 100.0;
        println!(
            "{:>15} | {:>8.2} | {:>8.1} | {:>8.1} | {:>9.2} | {:>6} | {:>7.2} | {:>14} | {:>12.0} | {:>6}",
            if paused { "paused" } else { "running (busy)" },
            r.wall,
            r.cpu.user_us as f64 / 1e3,
            r.cpu.sys_us as f64 / 1e3,
            pct,
            r.frames,
            if r.frames > 0 {
                cpu_ms / r.frames as f64
            } else {
                0.0
            },
            r.dashboard.totals().spins(),
            server_pct,
            if pct <= CPU_TARGET_PCT {
                "ok"
            } else {
                "MISSED"
            }
        );
        assert_eq!(r.exit, Exit::Quit, "the runtime ended by itself");
    }
    println!(
        "  frames = frames flushed to the backend; spins seen / server CPU % = what the dashboard learnt from the probe's summaries"
    );
    if !sys::CPU_SPLIT {
        println!("  (this platform reports thread CPU as a total, shown as user)");
    }
    println!();

    let m = memory();
    println!(
        "(b) process RSS (ioscope::sys::rss_bytes), server running with idle delay {} ms and backlog {CLIENT_BACKLOG}, dashboard (runtime::run, {WIDTH}x{HEIGHT} TestBackend) fed by its events",
        IDLE_DELAY.as_millis()
    );
    println!("{:>48} | {:>9}", "state", "RSS MB");
    println!("{:>48} | {:>9}", "before the server starts", mb(m.before));
    println!(
        "{:>48} | {:>9}",
        "server + dashboard running, no clients",
        mb(m.no_clients)
    );
    println!(
        "{:>48} | {:>9}  target <= {RSS_TARGET_MB} MB: {}",
        format!("with {CLIENTS} idle clients connected (max of 5)"),
        mb(m.with_clients),
        match m.with_clients {
            Some(b) if b as f64 / 1e6 <= RSS_TARGET_MB => "ok",
            Some(_) => "MISSED",
            None => "unknown",
        }
    );
    println!(
        "  connecting the {CLIENTS} clients took {:.2} s; the dashboard then listed {} connected clients, {} accepted in total, {} events dropped by the probe",
        m.connect_secs,
        m.dashboard.conns.live.len(),
        m.dashboard.conns.accepted,
        m.dashboard.dropped
    );
    println!(
        "  note: the {CLIENTS} client sockets live in this same process (client and server ends both count here); socket buffers are kernel memory, not RSS"
    );
    println!("  MB = 10^6 bytes");
    println!();
    println!("{}", whole.report_since());
}

struct UiRun {
    exit: Exit,
    cpu: CpuTime,
    wall: f64,
    frames: u64,
    dashboard: Dashboard,
}

/// Runs the dashboard for `UI_RUN` against a paused or running server.
fn ui_cpu(paused: bool) -> UiRun {
    let (tx, events) = channel::channel();
    let epoch = Instant::now();
    let server = start_server(tx, epoch, Duration::ZERO, DEFAULT_BACKLOG);
    server.control().set_paused(paused);
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let ui = spawn_ui(server, epoch, inputs, events);
    thread::sleep(UI_RUN);
    quit_ui(&input_tx, ui)
}

struct Memory {
    before: Option<u64>,
    no_clients: Option<u64>,
    with_clients: Option<u64>,
    connect_secs: f64,
    dashboard: Dashboard,
}

fn memory() -> Memory {
    let before = sys::rss_bytes();
    let (tx, events) = channel::channel();
    let epoch = Instant::now();
    let server = start_server(tx, epoch, IDLE_DELAY, CLIENT_BACKLOG);
    let addr = server.addr();
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let ui = spawn_ui(server, epoch, inputs, events);
    thread::sleep(SETTLE);
    let no_clients = sys::rss_bytes();

    let connecting = Instant::now();
    let clients = connect_clients(addr, CLIENTS);
    let connect_secs = connecting.elapsed().as_secs_f64();
    // Let the server accept them all and the dashboard draw them a while;
    // keep the highest reading.
    let mut with_clients = None;
    for _ in 0..5 {
        thread::sleep(SETTLE / 5);
        with_clients = with_clients.max(sys::rss_bytes());
    }
    let r = quit_ui(&input_tx, ui);
    drop(clients);
    Memory {
        before,
        no_clients,
        with_clients,
        connect_secs,
        dashboard: r.dashboard,
    }
}

fn start_server(tx: EventTx, epoch: Instant, idle_delay: Duration, backlog: i32) -> ServerHost {
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.backlog = backlog;
    ServerHost::start(config, tx, epoch, idle_delay).expect("start the server")
}

type UiHandle = JoinHandle<(io::Result<Exit>, CpuTime, f64, u64, Dashboard)>;

/// The UI thread: builds the terminal, then measures only `runtime::run`.
/// The server lives in the UI thread, as in the real dashboard, and stops
/// when it ends.
fn spawn_ui(
    server: ServerHost,
    epoch: Instant,
    inputs: Receiver<Input>,
    events: EventRx,
) -> UiHandle {
    thread::Builder::new()
        .name("bench-ui".into())
        .spawn(move || {
            let backend = Headless {
                inner: TestBackend::new(WIDTH, HEIGHT),
                frames: 0,
            };
            let mut terminal = Terminal::new(backend).expect("terminal");
            let mut dashboard = Dashboard::new();
            let cpu_before = sys::thread_cpu();
            let start = Instant::now();
            let source = Live::new(server, events, epoch);
            let session = Session {
                source: &source,
                clients: None,
                record: None,
            };
            let exit = runtime::run(&mut terminal, &mut dashboard, session, &inputs);
            let cpu = sys::thread_cpu().since(cpu_before);
            let wall = start.elapsed().as_secs_f64();
            (exit, cpu, wall, terminal.backend().frames, dashboard)
        })
        .expect("spawn the UI thread")
}

fn quit_ui(input_tx: &Sender<Input>, ui: UiHandle) -> UiRun {
    input_tx
        .send(Input::Action(Action::Quit))
        .expect("the UI thread is gone");
    let deadline = Instant::now() + JOIN_GRACE;
    while !ui.is_finished() {
        assert!(
            Instant::now() < deadline,
            "the UI did not quit within the grace time"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let (exit, cpu, wall, frames, dashboard) = ui.join().expect("the UI thread panicked");
    UiRun {
        exit: exit.expect("runtime::run failed"),
        cpu,
        wall,
        frames,
        dashboard,
    }
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("?".to_string(), |b| format!("{:.1}", b as f64 / 1e6))
}

/// `TestBackend` that counts the frames flushed to it.
#[derive(Debug)]
struct Headless {
    inner: TestBackend,
    frames: u64,
}

fn never<T>(r: Result<T, Infallible>) -> io::Result<T> {
    r.map_err(|e| match e {})
}

impl Backend for Headless {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        never(self.inner.draw(content))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        never(self.inner.append_lines(n))
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        never(self.inner.hide_cursor())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        never(self.inner.show_cursor())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        never(self.inner.get_cursor_position())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        never(self.inner.set_cursor_position(position))
    }

    fn clear(&mut self) -> io::Result<()> {
        never(self.inner.clear())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        never(self.inner.clear_region(clear_type))
    }

    fn size(&self) -> io::Result<Size> {
        never(self.inner.size())
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        never(self.inner.window_size())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.frames += 1;
        never(self.inner.flush())
    }
}
