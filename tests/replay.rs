//! Record, replay, publish: a real server recorded by the real recorder
//! while the dashboard watches it live, then the recording replayed and
//! cast, and what each one learnt compared.

mod common;

use std::io::{Read, Write};
use std::time::Instant;

use crossbeam_channel::Sender;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ioscope::app::Dashboard;
use ioscope::event::Model;
use ioscope::probe::channel;
use ioscope::record::{self, Header, Recorder, Recording};
use ioscope::replay::cast::Cast;
use ioscope::replay::notes::Mark;
use ioscope::replay::{ManualClock, Replay};
use ioscope::runtime::{Exit, Input};
use ioscope::server::{ServerConfig, ServerHost};
use ioscope::source::{Command, Live, Source};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A file of this test's own under the target's scratch directory.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn key(c: char) -> Input {
    Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// What the events taught a dashboard, apart from what its ticks computed
/// (rates and seconds follow the clock the dashboard was ticked by: the
/// wall clock live, the recording's in a replay).
fn learnt(d: &Dashboard) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        d.server,
        d.conns,
        d.log,
        d.totals(),
        d.threads,
        d.pace,
        d.markers,
        d.dropped
    )
}

/// A nonblocking server watched live by the dashboard (its runtime, a
/// `TestBackend`) and recorded: two clients talk, one resets, a marker is
/// dropped, the server is paused; then `q`. The live dashboard, and the
/// recording.
fn watched_and_recorded(path: &std::path::Path) -> (Dashboard, Recording) {
    let (tx, events) = channel::channel();
    let epoch = Instant::now();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.model = Model::Nonblocking;
    let host = ServerHost::start(config, tx, epoch, std::time::Duration::from_micros(200)).unwrap();
    let addr = host.addr();
    let control = host.control();
    let recorder = Recorder::create(path, &Header::now()).unwrap();
    let tap = recorder.tap();
    let (input_tx, inputs) = crossbeam_channel::unbounded::<Input>();
    let ui = std::thread::spawn(move || {
        let source = Live::new(host, events, epoch);
        let (exit, d, _) = common::run_dashboard(&source, Some(&tap), &inputs, (120, 36));
        assert_eq!(exit, Exit::Quit);
        d
    });
    let mut a = std::net::TcpStream::connect(addr).unwrap();
    let mut b = std::net::TcpStream::connect(addr).unwrap();
    common::round_trip(&mut a, b"hello\n");
    common::round_trip(&mut b, "你好 🙂\n".as_bytes());
    type_marker(&input_tx, "after the hellos");
    // b resets: RST, not FIN.
    socket2::SockRef::from(&b)
        .set_linger(Some(std::time::Duration::ZERO))
        .unwrap();
    drop(b);
    common::round_trip(&mut a, b"again\n");
    // Paused, the loop parks: what it counted is handed over.
    let mut parks = 0;
    control.wait_park_or_stop(std::time::Duration::ZERO, &mut parks);
    let before = parks;
    input_tx.send(key(' ')).unwrap();
    control.wait_park_or_stop(common::DEADLINE, &mut parks);
    assert!(parks > before, "the loop did not park");
    input_tx.send(key('q')).unwrap();
    let live = ui.join().unwrap();
    let mut buf = [0u8; 1];
    drop(a.read(&mut buf));
    recorder.finish(epoch.elapsed().as_micros() as u64).unwrap();
    (live, record::open(path).unwrap())
}

/// `M`, the note, Enter.
fn type_marker(input_tx: &Sender<Input>, note: &str) {
    input_tx
        .send(Input::Key(KeyEvent::new(
            KeyCode::Char('M'),
            KeyModifiers::SHIFT,
        )))
        .unwrap();
    for c in note.chars() {
        input_tx.send(key(c)).unwrap();
    }
    input_tx
        .send(Input::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .unwrap();
}

/// Plays `recording` to its end on a hand-moved clock.
fn replayed_to_the_end(recording: Recording, marks: Vec<Mark>) -> (Replay, Dashboard) {
    let clock = ManualClock::new();
    let replay = Replay::with_clock(recording, marks, Box::new(clock.clone()));
    let mut d = Dashboard::new();
    for _ in 0..10_000 {
        let info = replay.info();
        if info.ended {
            break;
        }
        if info.paused {
            // A note paused it: on.
            replay.command(Command::TogglePause).unwrap();
        }
        clock.advance(1_000_000);
        replay.feed(&mut d, None);
    }
    assert!(replay.info().ended, "the replay does not end");
    d.replay = Some(replay.info());
    (replay, d)
}

#[test]
fn a_recorded_run_replayed_to_its_end_learnt_what_the_live_dashboard_learnt() {
    let path = scratch("watched.jsonl");
    let (live, recording) = watched_and_recorded(&path);
    assert_eq!(recording.totals.map(|t| t.dropped), Some(0));
    let (_, replayed) = replayed_to_the_end(recording, vec![]);
    assert_eq!(learnt(&replayed), learnt(&live));
    // It learnt something: the clients, the reset, the marker, the pause.
    assert_eq!(live.conns.accepted, 2);
    assert_eq!(live.conns.counts.reset, 1);
    assert_eq!(live.totals().messages, 3);
    assert_eq!(live.markers.len(), 1);
    assert!(live.paused && replayed.paused);
}

/// The text of each row of a `TestBackend` render of `d`, trailing blanks
/// trimmed (a wide character's second cell is the character's).
fn rendered_rows(d: &Dashboard, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ioscope::ui::draw(f, d)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row.trim_end().to_string()
        })
        .collect()
}

#[test]
fn a_cast_played_back_by_a_terminal_shows_what_the_dashboard_draws() {
    let path = scratch("cast.jsonl");
    let (_, recording) = watched_and_recorded(&path);
    let marks = ioscope::replay::notes::parse("0:00.0 pause the start of the tour\n").unwrap();
    let (width, height) = (120, 36);
    let mut cast = Cast::new(recording.clone(), marks.clone(), width, height).unwrap();
    let mut term = vt100::Parser::new(height.try_into().unwrap(), width.try_into().unwrap(), 0);
    let mut frames = 0;
    let mut last_t = 0;
    while let Some((t_us, text)) = cast.frame().unwrap() {
        assert!(t_us >= last_t, "time goes forward");
        last_t = t_us;
        term.process(text.as_bytes());
        frames += 1;
    }
    // A frame a tenth of a second, and three seconds held at the pausing
    // note.
    let duration = recording.totals.unwrap().duration_us - recording.events[0].t_us;
    assert!(frames as u64 >= duration / 100_000, "{frames} frames");
    assert!(
        last_t >= duration / 100_000 * 100_000 + 3_000_000,
        "{last_t}"
    );
    // The terminal shows the last frame as a TestBackend draws the same
    // dashboard.
    let shown: Vec<String> = term
        .screen()
        .rows(0, width)
        .map(|r| r.trim_end().to_string())
        .collect();
    let drawn = rendered_rows(cast.dashboard(), width, height);
    assert_eq!(shown, drawn);
    assert!(shown.iter().any(|r| r.contains("· end")), "{shown:#?}");
    assert!(shown.iter().any(|r| r.contains("你好 🙂")), "{shown:#?}");
    // ... which is the replay's last state.
    let (_, replayed) = replayed_to_the_end(recording, marks);
    assert_eq!(learnt(cast.dashboard()), learnt(&replayed));
    // The whole file: a header asciinema reads, then [time, "o", text].
    let mut out = Vec::new();
    let written = Cast::new(record::open(&path).unwrap(), vec![], width, height)
        .unwrap()
        .write("test", &mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        (&header["version"], &header["width"], &header["height"]),
        (&2.into(), &120.into(), &36.into())
    );
    let frames: Vec<(f64, String, String)> =
        lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(frames.len(), written);
    assert!(
        frames
            .iter()
            .all(|(_, o, text)| o == "o" && !text.is_empty())
    );
    let _ = std::io::stdout().flush();
}
