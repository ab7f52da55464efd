//! How long the dashboard takes to learn and to draw when it is busy: a
//! frame with 10,000 connected clients, and `Dashboard::apply` at full
//! speed. Run with `cargo bench --bench render`.

use std::time::{Duration, Instant};

use ioscope::app::Dashboard;
use ioscope::event::{Event, EventKind, Model};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CONNS: u64 = 10_000;
const FRAMES: usize = 200;

fn ev(t_us: u64, kind: EventKind) -> Event {
    Event { t_us, kind }
}

/// A dashboard that has seen `CONNS` clients connect and talk, and a
/// minute of busy-loop summaries.
fn busy_dashboard() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Nonblocking,
            backlog: 4096,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    for conn in 1..=CONNS {
        let t = conn * 10;
        d.apply(&ev(
            t,
            EventKind::Accept {
                conn,
                peer: format!("127.0.0.1:{}", 10_000 + conn),
            },
        ));
        d.apply(&ev(
            t,
            EventKind::Recv {
                conn,
                bytes: 6,
                spin: conn,
                preview: "hello\\n".into(),
            },
        ));
        d.apply(&ev(
            t,
            EventKind::Send {
                conn,
                bytes: 6,
                spin: conn,
                preview: "HELLO\\n".into(),
                pending: 0,
            },
        ));
    }
    for i in 0..3_000u64 {
        let t = 100_000 + i * 20_000;
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins: 5,
                cpu_user_us: 1_000,
                cpu_sys_us: 19_000,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        d.apply(&ev(
            t,
            EventKind::WouldBlock {
                accept: 5,
                recv: 5 * CONNS,
                send: 0,
            },
        ));
    }
    d.tick(60_200_000);
    d
}

fn frame_times(d: &Dashboard, width: u16, height: u16) -> Vec<Duration> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            terminal.draw(|f| ioscope::ui::draw(f, d)).expect("draw");
            start.elapsed()
        })
        .collect()
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    println!(
        "ioscope render: the dashboard with {CONNS} connected clients (TestBackend, release build)"
    );
    println!(
        "  frame = Terminal::draw of the whole dashboard (layout, every panel, diff); {FRAMES} frames per size"
    );
    println!(
        "  the runtime draws 10 frames a second: a frame must stay far below 100 ms to keep keys responsive"
    );
    println!();
    // `cargo bench --bench render -- apply`: only the apply() figure.
    let frames = !std::env::args().any(|a| a == "apply");
    let d = busy_dashboard();
    println!(
        "{:>9} | {:>10} | {:>10} | {:>10}",
        "size", "median ms", "p99 ms", "max ms"
    );
    for (w, h) in [(80, 24), (120, 36), (200, 60)]
        .into_iter()
        .filter(|_| frames)
    {
        let mut times = frame_times(&d, w, h);
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:>9} | {:>10.3} | {:>10.3} | {:>10.3}",
            format!("{w}x{h}"),
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.99)),
            ms(*times.last().expect("frames"))
        );
    }

    // apply(): how many events a second the UI thread can learn from.
    // After the busy dashboard's own events: time goes forward.
    let events: Vec<Event> = (60_200_000..61_200_000u64)
        .map(|i| match i % 4 {
            0 => ev(
                i,
                EventKind::Spin {
                    spins: 5_000,
                    cpu_user_us: 1,
                    cpu_sys_us: 19,
                    empty_recvs: 0,
                    empty_sends: 0,
                },
            ),
            1 => ev(
                i,
                EventKind::WouldBlock {
                    accept: 5_000,
                    recv: 0,
                    send: 0,
                },
            ),
            2 => ev(
                i,
                EventKind::Recv {
                    conn: 1 + i % CONNS,
                    bytes: 6,
                    spin: i,
                    preview: "hello\\n".into(),
                },
            ),
            _ => ev(
                i,
                EventKind::Send {
                    conn: 1 + i % CONNS,
                    bytes: 6,
                    spin: i,
                    preview: "HELLO\\n".into(),
                    pending: 0,
                },
            ),
        })
        .collect();
    let mut d = busy_dashboard();
    let start = Instant::now();
    for e in &events {
        d.apply(e);
    }
    let secs = start.elapsed().as_secs_f64();
    println!();
    println!(
        "Dashboard::apply: {} events in {:.3} s = {:.2} M events/s (spin, would_block, recv, send in turn; 10,000 clients connected)",
        events.len(),
        secs,
        events.len() as f64 / secs / 1e6
    );
    println!(
        "dashboard memory bounds: log {} lines, disconnected {} rows, history {} s (caps, whatever the load)",
        ioscope::app::LOG_CAP,
        ioscope::app::GONE_CAP,
        ioscope::app::HISTORY_SECS
    );
}
