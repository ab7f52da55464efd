//! Opening and seeking a big recording (`replay`): a real nonblocking
//! server under 10 chatty swarm clients is recorded by the real recorder
//! until the file passes 100 MB; then, three times over, the time to read
//! it, to the first frame (the replay's first feed and a 120×36 draw),
//! and for each seek: to the end (everything learnt on from the start),
//! back to the middle (forgotten and learnt again from the start), 10 s
//! forward, to the start. Each seek's time includes the frame after it.
//!
//! Run with `cargo bench --bench replay`. Only 127.0.0.1 is used; the
//! recording is deleted at the end.

use std::time::{Duration, Instant};

use ioscope::app::Dashboard;
use ioscope::client::swarm::{self, Scene, SwarmConfig};
use ioscope::probe::channel::{self, DRAIN_EVERY, Flow};
use ioscope::record::{self, Header, Recorder};
use ioscope::replay::{ManualClock, Mark, Replay};
use ioscope::server::{Model, ServerConfig, ServerHost};
use ioscope::source::{Command, Seek, Source};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TARGET_BYTES: u64 = 100 << 20;
const ROUNDS: usize = 3;

fn main() {
    let path = std::env::temp_dir().join(format!("ioscope-bench-{}.jsonl", std::process::id()));
    let recorded = record_until_big(&path);
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "ioscope replay: a recording of {:.1} MB, {} events, {:.1} s of a busy loop (recorded in {:.1} s)",
        bytes as f64 / 1e6,
        recorded.0,
        recorded.1.as_secs_f64(),
        recorded.2.as_secs_f64()
    );
    for round in 1..=ROUNDS {
        let start = Instant::now();
        let recording = record::open(&path).expect("read the recording");
        let read = start.elapsed();
        let events = recording.events.len();
        let rss = ioscope::sys::rss_bytes().unwrap_or(0);
        // A mark a second before the end: `"` from the end goes back to it,
        // the worst a seek back can be (almost everything learnt again).
        let first_t = recording.events.first().map_or(0, |e| e.t_us);
        let length = recording.totals.map_or(0, |t| t.duration_us) - first_t;
        let mark = Mark {
            at_us: length.saturating_sub(1_000_000),
            note: String::new(),
            pause: false,
        };
        let clock = ManualClock::new();
        let replay = Replay::with_clock(recording, vec![mark], Box::new(clock.clone()));
        let mut d = Dashboard::new();
        let mut terminal = Terminal::new(TestBackend::new(120, 36)).unwrap();
        let mut frame = |replay: &Replay, d: &mut Dashboard| {
            replay.feed(d, None);
            d.replay = replay.replay();
            terminal.draw(|f| ioscope::ui::draw(f, d)).unwrap();
        };
        frame(&replay, &mut d);
        let first = start.elapsed();
        let mut seek = |to: Seek, d: &mut Dashboard| {
            let start = Instant::now();
            replay.command(Command::Seek(to)).unwrap();
            frame(&replay, d);
            start.elapsed()
        };
        replay.command(Command::TogglePause).unwrap();
        let end = seek(Seek::End, &mut d);
        let info = replay.info();
        assert!(info.ended, "{info:?}");
        let almost_all = seek(Seek::PrevMark, &mut d);
        seek(Seek::End, &mut d);
        // Back to the middle: ← as many times as it takes, the last timed.
        let back = (info.duration_us / 2).div_ceil(10_000_000).max(1);
        for _ in 1..back {
            replay.command(Command::Seek(Seek::Back)).unwrap();
        }
        let middle = seek(Seek::Back, &mut d);
        let forward = seek(Seek::Forward, &mut d);
        let home = seek(Seek::Start, &mut d);
        println!(
            "  round {round}: read {events} events {} (RSS {} MB), first frame {} · seek to the end {}, back to 1 s before it {}, back to the middle {}, 10 s on {}, to the start {}",
            ms(read),
            rss >> 20,
            ms(first),
            ms(end),
            ms(almost_all),
            ms(middle),
            ms(forward),
            ms(home)
        );
        drop(clock);
    }
    let _ = std::fs::remove_file(&path);
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// Records a nonblocking server under 10 chatty clients until the file
/// passes [`TARGET_BYTES`] (at most 60 s): events, the recording's
/// length, the wall time it took.
fn record_until_big(path: &std::path::Path) -> (u64, Duration, Duration) {
    let (tx, events) = channel::channel();
    let epoch = Instant::now();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.model = Model::Nonblocking;
    let host = ServerHost::start(config, tx, epoch, Duration::from_micros(200)).unwrap();
    let addr = host.addr();
    let recorder = Recorder::create(path, &Header::now()).unwrap();
    let tap = recorder.tap();
    let reader = std::thread::spawn(move || {
        loop {
            let mut batch = Vec::new();
            let flow = events.drain(usize::MAX, |e| batch.push(e));
            tap.forward(batch);
            if flow == Flow::Ended {
                break;
            }
            std::thread::sleep(DRAIN_EVERY);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && std::fs::metadata(path).map_or(0, |m| m.len()) < TARGET_BYTES
    {
        let mut load = SwarmConfig::new(addr, Scene::Chatty);
        load.clients = 10;
        load.messages = 1_000_000;
        load.duration = Duration::from_secs(2);
        swarm::run(&load).expect("swarm");
    }
    drop(host);
    reader.join().unwrap();
    let length = epoch.elapsed();
    let totals = recorder.finish(length.as_micros() as u64).unwrap();
    (totals.events, length, epoch.elapsed())
}
