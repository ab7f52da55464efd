//! The dashboard, rendered with TestBackend from scripted events and
//! snapshotted; and the runtime driven by keys against a real server.

mod common;

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ioscope::app::action_for_key;
use ioscope::app::{Action, Dashboard, Notice, Panel};
use ioscope::client::builtin::BuiltinClients;
use ioscope::event::{Call, ClientRole, Event, EventKind, Role};
use ioscope::i18n::Lang;
use ioscope::probe::{EventRx, channel};
use ioscope::runtime::{self, Exit, Input, Session};
use ioscope::server::{Model, ServerConfig, ServerHost};
use ioscope::source::Live;

/// A server slot as the dashboard has it, on 127.0.0.1:0.
fn host(model: Model) -> (ServerHost, EventRx, Instant) {
    let (tx, events) = channel::channel();
    let epoch = Instant::now();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.model = model;
    let host = ServerHost::start(config, tx, epoch, std::time::Duration::from_micros(200)).unwrap();
    (host, events, epoch)
}
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn ev(t_us: u64, kind: EventKind) -> Event {
    Event { t_us, kind }
}

/// The blocking model's one thread starts.
fn blocking_server_thread(t_us: u64) -> Event {
    ev(
        t_us,
        EventKind::Thread {
            thread: "server".into(),
            role: Role::AcceptAndServe,
            alive: true,
            conn: None,
        },
    )
}

/// Three seconds of a lecture: clients come, talk, close and reset while the
/// loop spins at ~500k/s on a full core.
fn lecture_script(faithful: bool) -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Nonblocking,
            backlog: 5,
            faithful,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    let mut t = 0;
    let mut spins = 0;
    while t < 3_000_000 {
        t += 20_000;
        spins += 10_000;
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins: 10_000,
                cpu_user_us: 1_000,
                cpu_sys_us: 19_000,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        d.apply(&ev(
            t,
            EventKind::WouldBlock {
                accept: 10_000,
                recv: 20_000,
                send: 0,
            },
        ));
        match t {
            400_000 => {
                for conn in 1..=4 {
                    d.apply(&ev(
                        t,
                        EventKind::Accept {
                            conn,
                            peer: format!("127.0.0.1:{}", 50_000 + conn),
                        },
                    ));
                }
            }
            800_000 => {
                d.apply(&ev(
                    t,
                    EventKind::Recv {
                        conn: 1,
                        bytes: 6,
                        spin: spins,
                        preview: "hello\\n".into(),
                    },
                ));
                d.apply(&ev(
                    t,
                    EventKind::Recv {
                        conn: 2,
                        bytes: 9,
                        spin: spins,
                        preview: "\\x1b[2Jbin\\x00\\xff".into(),
                    },
                ));
                d.apply(&ev(
                    t,
                    EventKind::Send {
                        conn: 1,
                        bytes: 6,
                        spin: spins,
                        preview: "HELLO\\n".into(),
                        pending: 0,
                    },
                ));
                d.apply(&ev(
                    t,
                    EventKind::Send {
                        conn: 2,
                        bytes: 9,
                        spin: spins,
                        preview: "\\x1b[2JBIN\\x00\\xff".into(),
                        pending: 0,
                    },
                ));
            }
            1_600_000 => d.apply(&ev(t, EventKind::Closed { conn: 3 })),
            2_000_000 => d.apply(&ev(
                t,
                EventKind::Reset {
                    conn: 4,
                    call: Call::Recv,
                    error: "ECONNRESET".into(),
                    note: None,
                },
            )),
            2_400_000 => {
                d.apply(&ev(
                    t,
                    EventKind::Recv {
                        conn: 1,
                        bytes: 1024,
                        spin: spins,
                        preview: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…".into(),
                    },
                ));
                d.apply(&ev(
                    t,
                    EventKind::Send {
                        conn: 1,
                        bytes: 0,
                        spin: spins,
                        preview: Default::default(),
                        pending: 1024,
                    },
                ));
            }
            _ => {}
        }
        d.tick(t);
    }
    d.apply(&ev(t, EventKind::Dropped { count: 3 }));
    d.tick(3_050_000);
    d
}

fn render(d: &Dashboard, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ioscope::ui::draw(f, d)).unwrap();
    terminal
}

#[test]
fn snapshot_80x24() {
    insta::assert_snapshot!(render(&lecture_script(false), 80, 24).backend());
}

#[test]
fn snapshot_160x48() {
    insta::assert_snapshot!(render(&lecture_script(false), 160, 48).backend());
}

#[test]
fn snapshot_projector_200x60() {
    insta::assert_snapshot!(render(&lecture_script(false), 200, 60).backend());
}

#[test]
fn snapshot_help_overlay() {
    let mut d = lecture_script(false);
    d.handle(Action::ToggleHelp);
    insta::assert_snapshot!(render(&d, 80, 24).backend());
}

#[test]
fn snapshot_faithful_close_wait() {
    let mut d = lecture_script(true);
    d.apply(&ev(
        3_060_000,
        EventKind::Recv {
            conn: 2,
            bytes: 0,
            spin: 1_600_000,
            preview: Default::default(),
        },
    ));
    for i in 1..=50 {
        d.apply(&ev(
            3_060_000 + i * 20_000,
            EventKind::Spin {
                spins: 4_000,
                cpu_user_us: 2_000,
                cpu_sys_us: 18_000,
                empty_recvs: 4_000,
                empty_sends: 4_000,
            },
        ));
    }
    d.tick(4_100_000);
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

/// As the keys do it on a screen of `size`, drawn before (the log's page
/// is known): the log focused (Shift-Tab from the first panel), ↑ until the
/// selected line is the first (newest) one `is` picks, Enter.
fn explain_newest(d: &mut Dashboard, size: (u16, u16), is: impl Fn(&EventKind) -> bool) {
    render(d, size.0, size.1);
    d.handle(Action::FocusPrev);
    d.handle(Action::ScrollUp(1));
    while !is(&d.selected_event().expect("a line is selected").kind) {
        let before = d.view.selected();
        d.handle(Action::ScrollUp(1));
        assert_ne!(d.view.selected(), before, "no such line in the log");
    }
    d.handle(Action::Explain);
    assert!(d.view.explain && d.overlay_open());
}

#[test]
fn snapshot_explain_would_block() {
    let mut d = lecture_script(false);
    explain_newest(&mut d, (120, 36), |k| {
        matches!(k, EventKind::WouldBlock { .. })
    });
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_explain_closed() {
    let mut d = lecture_script(false);
    explain_newest(&mut d, (120, 36), |k| matches!(k, EventKind::Closed { .. }));
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_explain_reset() {
    let mut d = lecture_script(false);
    explain_newest(&mut d, (120, 36), |k| matches!(k, EventKind::Reset { .. }));
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_explain_reset_80x24() {
    let mut d = lecture_script(false);
    explain_newest(&mut d, (80, 24), |k| matches!(k, EventKind::Reset { .. }));
    insta::assert_snapshot!(render(&d, 80, 24).backend());
}

/// The explain panel in Chinese (`L`), on the same lines as above.
fn explain_newest_zh(size: (u16, u16), is: impl Fn(&EventKind) -> bool) -> Dashboard {
    let mut d = lecture_script(false);
    d.view.lang = Lang::Zh;
    explain_newest(&mut d, size, is);
    d
}

#[test]
fn snapshot_explain_would_block_zh() {
    let d = explain_newest_zh((120, 36), |k| matches!(k, EventKind::WouldBlock { .. }));
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_explain_closed_zh() {
    let d = explain_newest_zh((120, 36), |k| matches!(k, EventKind::Closed { .. }));
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_explain_reset_zh_80x24() {
    let d = explain_newest_zh((80, 24), |k| matches!(k, EventKind::Reset { .. }));
    insta::assert_snapshot!(render(&d, 80, 24).backend());
}

/// A row of the screen as it is seen: a wide character's second cell is
/// not a character of its own.
fn seen(terminal: &Terminal<TestBackend>, y: u16, xs: std::ops::Range<u16>) -> String {
    use unicode_width::UnicodeWidthStr;
    let buf = terminal.backend().buffer();
    let mut row = String::new();
    let mut skip = 0;
    for x in xs {
        let symbol = buf[(x, y)].symbol();
        if skip == 0 {
            row.push_str(symbol);
        }
        skip = symbol.width().max(skip).saturating_sub(1);
    }
    row
}

/// In Chinese, at the lecture's two screen sizes, every character of the
/// explanation is in the panel (nothing cut at the right or the bottom),
/// and every row of the panel ends at its right border.
#[test]
fn the_chinese_explain_panel_shows_every_word_at_80x24_and_120x36() {
    use ioscope::ui::explain::{About, explain};
    let about = About {
        model: Some(Model::Nonblocking),
        faithful: false,
    };
    let kinds: [fn(&EventKind) -> bool; 6] = [
        |k| matches!(k, EventKind::WouldBlock { .. }),
        |k| matches!(k, EventKind::Closed { .. }),
        |k| matches!(k, EventKind::Reset { .. }),
        |k| matches!(k, EventKind::Accept { .. }),
        |k| matches!(k, EventKind::Recv { bytes: 6, .. }),
        |k| matches!(k, EventKind::Send { pending: 1.., .. }),
    ];
    for (w, h) in [(80u16, 24u16), (120, 36)] {
        for is in kinds {
            let d = explain_newest_zh((w, h), is);
            let event = d.selected_event().unwrap().clone();
            let e = explain(&event.kind, about, Lang::Zh);
            let screen = render(&d, w, h);
            let text: Vec<String> = (0..h).map(|y| seen(&screen, y, 0..w)).collect();
            // The panel's corners: its title's row, and the bottom.
            let top = text.iter().position(|r| r.contains("┌ 解释：")).unwrap();
            let width = w.min(76);
            let left = (w - width) / 2;
            let right = left + width - 1;
            let buf = screen.backend().buffer();
            assert_eq!(buf[(left, top as u16)].symbol(), "┌");
            assert_eq!(buf[(right, top as u16)].symbol(), "┐");
            let bottom = (top + 1..h as usize)
                .find(|&y| buf[(left, y as u16)].symbol() == "└")
                .unwrap();
            let mut inside = String::new();
            for y in top + 1..bottom {
                assert_eq!(buf[(right, y as u16)].symbol(), "│", "{w}x{h} row {y}");
                inside.push_str(&seen(&screen, y as u16, left + 1..right));
            }
            let bare = |t: &str| t.replace(' ', "");
            let inside = bare(&inside);
            for part in [&e.call, &e.returned, &e.meaning, &e.lecture] {
                assert!(
                    inside.contains(&bare(part)),
                    "{w}x{h}: {part:?} not whole in the panel:\n{}",
                    text.join("\n")
                );
            }
            assert!(
                inside.contains("调用") && inside.contains("讲义"),
                "{inside}"
            );
        }
    }
}

#[test]
fn the_explain_panel_renders_at_every_size() {
    let mut d = lecture_script(false);
    explain_newest(&mut d, (80, 24), |k| matches!(k, EventKind::Reset { .. }));
    for (w, h) in [(1, 1), (20, 5), (40, 12), (79, 23), (250, 80)] {
        render(&d, w, h);
    }
}

/// The selected line is reversed across the log panel, and only it; the
/// explain panel follows ↑ ↓ and Esc closes it.
#[test]
fn the_selected_log_line_is_drawn_reversed_and_the_panel_follows_it() {
    use ratatui::style::Modifier;
    let mut d = lecture_script(false);
    explain_newest(&mut d, (120, 36), |k| matches!(k, EventKind::Closed { .. }));
    d.handle(Action::CloseOverlay);
    assert!(!d.overlay_open());
    let screen = render(&d, 120, 36);
    let text = lines(&screen);
    let buf = screen.backend().buffer();
    let reversed: Vec<usize> = (0..36)
        .filter(|&y| buf[(10, y as u16)].modifier.contains(Modifier::REVERSED))
        .collect();
    assert_eq!(reversed.len(), 1, "{reversed:?}");
    let row = &text[reversed[0]];
    assert!(row.contains("closed      #3 recv → 0"), "{row}");
    // Reversed from the border to the border, and not beyond.
    let y = reversed[0] as u16;
    assert!(buf[(1, y)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(0, y)].modifier.contains(Modifier::REVERSED));
    // The panel explains whatever is selected now.
    d.handle(Action::Explain);
    d.handle(Action::ScrollDown(2));
    assert!(matches!(
        d.selected_event().unwrap().kind,
        EventKind::Reset { .. }
    ));
    let text = lines(&render(&d, 120, 36)).join("\n");
    assert!(text.contains(" Explain: reset "), "{text}");
    assert!(
        text.contains("ECONNRESET (ConnectionResetError in Python)"),
        "{text}"
    );
    // Enter closes it again; End follows the tail with nothing selected.
    d.handle(Action::Explain);
    d.handle(Action::ScrollEnd);
    assert!(!d.overlay_open() && d.selected_event().is_none());
    assert!(
        lines(&render(&d, 120, 36))
            .join("\n")
            .contains("Enter explain")
    );
}

#[test]
fn every_size_from_tiny_to_huge_renders_without_panic() {
    let d = lecture_script(false);
    for (w, h) in [
        (1, 1),
        (20, 5),
        (40, 12),
        (80, 24),
        (119, 30),
        (120, 30),
        (250, 80),
    ] {
        render(&d, w, h);
    }
}

#[test]
fn pressing_space_pauses_the_real_server_and_q_quits() {
    let (host, events, epoch) = host(Model::Nonblocking);
    let control = host.control();
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let ui = std::thread::spawn(move || {
        let source = Live::new(host, events, epoch);
        common::run_dashboard(&source, None, &inputs, (100, 30))
    });
    let key = |c| Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    input_tx.send(key(' ')).unwrap();
    let deadline = Instant::now() + common::DEADLINE;
    while !control.is_paused() {
        assert!(Instant::now() < deadline, "space did not pause the server");
        std::thread::yield_now();
    }
    input_tx.send(key('q')).unwrap();
    let (exit, d, terminal) = ui.join().unwrap();
    assert_eq!(exit, Exit::Quit);
    assert!(d.paused);
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("PAUSED"), "{screen}");
    assert!(
        d.server.is_some(),
        "the dashboard saw the server's listening event"
    );
}

#[test]
fn the_dashboard_shows_a_real_client() {
    let mut t = common::TestServer::start();
    let mut c = t.connect();
    common::round_trip(&mut c, b"hello from a test\n");
    t.wait_for("send", |k| matches!(k, EventKind::Send { .. }));
    let mut d = Dashboard::new();
    for e in &t.seen {
        d.apply(e);
    }
    let buffer = render(&d, 120, 36).backend().buffer().clone();
    let screen: String = buffer.content.iter().map(|c| c.symbol()).collect();
    assert!(
        screen.contains(&c.local_addr().unwrap().to_string()),
        "peer not listed"
    );
    assert!(screen.contains("HELLO FROM A TEST"), "reply not shown");
}

/// Feeds server events and built-in client notes to the dashboard, as the
/// runtime does, until `done` holds.
fn pump_until(
    d: &mut Dashboard,
    events: &EventRx,
    notes: &crossbeam_channel::Receiver<Event>,
    what: &str,
    done: impl Fn(&Dashboard) -> bool,
) {
    pump_within(d, events, notes, what, common::DEADLINE, done);
}

/// As [`pump_until`], with a deadline of its own.
fn pump_within(
    d: &mut Dashboard,
    events: &EventRx,
    notes: &crossbeam_channel::Receiver<Event>,
    what: &str,
    within: std::time::Duration,
    done: impl Fn(&Dashboard) -> bool,
) {
    // The server's events come in batches on a channel of their own: wait
    // on it in short slices, and take the clients' notes between them.
    const SLICE: std::time::Duration = std::time::Duration::from_millis(5);
    let deadline = Instant::now() + within;
    while !done(d) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            panic!("{what}: not within {within:?}; log: {:#?}", d.log);
        }
        if let Ok(batch) = events.recv_timeout(left.min(SLICE)) {
            batch.iter().for_each(|e| d.apply(e));
        }
        for note in notes.try_iter() {
            d.apply(&note);
        }
    }
}

/// A real server and the dashboard's built-in clients, as the runtime
/// has them; the tests drive them through the same action path as keys.
struct Rig {
    source: Live,
    events: EventRx,
    notes: crossbeam_channel::Receiver<Event>,
    clients: BuiltinClients,
}

impl Rig {
    fn new() -> Rig {
        let (host, events, epoch) = host(Model::Nonblocking);
        let (note_tx, notes) = crossbeam_channel::unbounded();
        let clients = BuiltinClients::start(host.addr(), epoch, false, move |e| {
            let _ = note_tx.send(e);
        })
        .unwrap();
        Rig {
            source: Live::new(host, events.clone(), epoch),
            events,
            notes,
            clients,
        }
    }

    fn session(&self) -> Session<'_> {
        Session {
            source: &self.source,
            clients: Some(&self.clients),
            record: None,
        }
    }
}

/// The action a key press gives.
fn press(c: char) -> Action {
    action_for_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), false).unwrap()
}

#[test]
fn key_c_adds_a_built_in_client_the_lists_show_and_x_resets_it() {
    let rig = Rig::new();
    let (events, notes, session) = (&rig.events, &rig.notes, rig.session());
    let mut d = Dashboard::new();

    runtime::perform(press('c'), &mut d, session);
    pump_until(
        &mut d,
        events,
        notes,
        "a talking built-in chatty client",
        |d| {
            d.conns
                .live
                .values()
                .any(|c| c.builtin == Some(ClientRole::Chatty) && c.bytes_out > 0)
        },
    );
    assert_eq!(d.builtin_count(), 1);
    let screen = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(
        screen.contains("chatty") && screen.contains("(◆ 1)"),
        "{screen}"
    );

    runtime::perform(press('i'), &mut d, session);
    pump_until(&mut d, events, notes, "an idle built-in client", |d| {
        d.builtin_count() == 2
    });

    runtime::perform(press('x'), &mut d, session);
    pump_until(&mut d, events, notes, "a reset", |d| {
        d.conns.counts.reset == 1
    });
    assert_eq!(d.conns.gone[0].reason(), ioscope::event::Reason::Reset);
    assert_eq!(d.builtin_count(), 1);

    runtime::perform(press('X'), &mut d, session);
    pump_until(&mut d, events, notes, "a close", |d| {
        d.conns.counts.closed == 1
    });
    assert_eq!(d.builtin_count(), 0);
}

#[test]
fn key_s_makes_the_chatty_built_in_clients_talk_and_d_runs_the_demo() {
    let rig = Rig::new();
    let (events, notes, session) = (&rig.events, &rig.notes, rig.session());
    let mut d = Dashboard::new();
    runtime::perform(press('c'), &mut d, session);
    runtime::perform(press('c'), &mut d, session);
    pump_until(&mut d, events, notes, "two chatty clients", |d| {
        d.builtin_count() == 2
    });
    runtime::perform(press('s'), &mut d, session);
    assert_eq!(d.notice(), None);
    pump_until(&mut d, events, notes, "both talk", |d| {
        d.conns.live.values().all(|c| c.bytes_out > 0)
    });

    runtime::perform(press('d'), &mut d, session);
    assert!(d.demo);
    // The demo keeps clients coming, talking and leaving by itself. It
    // rolls dice every 0.7 s and leaves in about a third of its steps: 14
    // steps (10 s) without one came about once in 140 runs, so it gets 40.
    pump_within(
        &mut d,
        events,
        notes,
        "demo activity",
        common::DEADLINE * 3,
        |d| d.conns.accepted >= 4 && d.conns.counts.closed + d.conns.counts.reset >= 1,
    );
    runtime::perform(press('d'), &mut d, session);
    assert!(!d.demo);
}

/// A pool of two workers, both busy, two clients queued, the listen queue
/// holding one more.
fn pool_script() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Pool,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    d.apply(&ev(
        10,
        EventKind::Thread {
            thread: "accept".into(),
            role: Role::AcceptQueue,
            alive: true,
            conn: None,
        },
    ));
    for w in ["worker-1", "worker-2"] {
        d.apply(&ev(
            10,
            EventKind::Thread {
                thread: w.into(),
                role: Role::Worker,
                alive: true,
                conn: None,
            },
        ));
        d.apply(&ev(
            10,
            EventKind::Blocked {
                thread: w.into(),
                call: Call::Queue,
                conn: None,
            },
        ));
    }
    for conn in 1..=4u64 {
        let t = conn * 100_000;
        d.apply(&ev(
            t,
            EventKind::Accept {
                conn,
                peer: format!("127.0.0.1:{}", 50_000 + conn),
            },
        ));
        d.apply(&ev(t, EventKind::Queued { conn }));
        if conn <= 2 {
            let w = format!("worker-{conn}");
            d.apply(&ev(
                t + 40,
                EventKind::Unblocked {
                    thread: w.clone(),
                    call: Call::Queue,
                    conn: None,
                    waited_us: t,
                },
            ));
            d.apply(&ev(
                t + 40,
                EventKind::Dequeued {
                    conn,
                    thread: w.clone(),
                    waited_us: 40,
                },
            ));
            d.apply(&ev(
                t + 50,
                EventKind::Blocked {
                    thread: w,
                    call: Call::Recv,
                    conn: Some(conn),
                },
            ));
        }
    }
    d.apply(&ev(
        500_000,
        EventKind::Blocked {
            thread: "accept".into(),
            call: Call::Accept,
            conn: None,
        },
    ));
    d.apply(&ev(
        600_000,
        EventKind::Sample {
            rss_bytes: 5 << 20,
            threads: 9,
            listen_queue: Some(1),
            listen_max: Some(5),
            listen_overflows: None,
            vm_bytes: None,
        },
    ));
    d.tick(2_600_000);
    d
}

#[test]
fn snapshot_pool_workers_and_queue() {
    insta::assert_snapshot!(render(&pool_script(), 120, 30).backend());
}

#[test]
fn snapshot_blocking_parked_in_recv_with_a_listen_queue() {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Blocking,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    d.apply(&blocking_server_thread(0));
    d.apply(&ev(
        1_000,
        EventKind::Accept {
            conn: 1,
            peer: "127.0.0.1:50001".into(),
        },
    ));
    d.apply(&ev(
        2_000,
        EventKind::Recv {
            conn: 1,
            bytes: 6,
            spin: 1,
            preview: "hello\\n".into(),
        },
    ));
    d.apply(&ev(
        2_000,
        EventKind::Send {
            conn: 1,
            bytes: 6,
            spin: 1,
            preview: "HELLO\\n".into(),
            pending: 0,
        },
    ));
    d.apply(&ev(
        2_100,
        EventKind::Blocked {
            thread: "server".into(),
            call: Call::Recv,
            conn: Some(1),
        },
    ));
    d.apply(&ev(
        300_000,
        EventKind::Sample {
            rss_bytes: 4 << 20,
            threads: 5,
            listen_queue: Some(2),
            listen_max: Some(5),
            listen_overflows: None,
            vm_bytes: None,
        },
    ));
    d.tick(3_200_000);
    let screen = render(&d, 100, 30);
    let text = format!("{:?}", screen.backend().buffer());
    assert!(text.contains("recv() #1"), "{text}");
    assert!(text.contains("listen queue 2 of 5"), "{text}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn snapshot_models_compared() {
    let mut d = pool_script();
    d.apply(&ev(
        2_700_000,
        EventKind::Reply {
            peer: "127.0.0.1:50001".into(),
            rtt_us: 120,
        },
    ));
    d.apply(&ev(
        3_000_000,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Multiplex,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    assert!(
        d.conns.live.is_empty(),
        "the switch closed the old model's clients"
    );
    assert_eq!(d.conns.gone.len(), 4);
    assert_eq!(d.conns.counts.ended, 4, "counted apart from client closes");
    assert_eq!(d.conns.counts.closed, 0);
    let wide = format!("{:?}", render(&d, 200, 60).backend().buffer());
    assert!(wide.contains("Disconnected 4 ─"), "{wide}");
    assert!(wide.contains("└ 4 ended ─"), "{wide}");
    for i in 1..=20u64 {
        d.apply(&ev(
            3_000_000 + i * 20_000,
            EventKind::Spin {
                spins: 1,
                cpu_user_us: 2,
                cpu_sys_us: 3,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
    }
    d.tick(6_100_000);
    d.handle(Action::ToggleCompare);
    let screen = render(&d, 120, 30);
    let text = format!("{:?}", screen.backend().buffer());
    assert!(
        text.contains("pool") && text.contains("multiplex ◀"),
        "{text}"
    );
    insta::assert_snapshot!(screen.backend());
}

/// Defect 12: a key for the built-in clients that would do nothing says
/// why, on the footer, for a few seconds.
#[test]
fn keys_for_built_in_clients_say_why_when_they_would_do_nothing() {
    let rig = Rig::new();
    let (events, notes, session) = (&rig.events, &rig.notes, rig.session());
    let mut d = Dashboard::new();
    pump_until(&mut d, events, notes, "listening", |d| d.server.is_some());
    for key in ['x', 'X'] {
        runtime::perform(press(key), &mut d, session);
        assert_eq!(d.notice(), Some(&Notice::NoBuiltinClients), "{key}");
    }
    let screen = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(
        screen.contains("no built-in client is connected"),
        "{screen}"
    );
    runtime::perform(press('s'), &mut d, session);
    assert_eq!(d.notice(), Some(&Notice::NoChattyClients));

    // An idle client is not made to talk by `s`: still nothing to do.
    runtime::perform(press('i'), &mut d, session);
    pump_until(&mut d, events, notes, "an idle client", |d| {
        d.builtin_count() == 1
    });
    runtime::perform(press('s'), &mut d, session);
    assert_eq!(d.notice(), Some(&Notice::NoChattyClients));
    // ... but it can be reset, and no notice is given for that.
    d.view = Default::default();
    runtime::perform(press('x'), &mut d, session);
    assert_eq!(d.notice(), None);
    pump_until(&mut d, events, notes, "a reset", |d| {
        d.conns.counts.reset == 1
    });

    // The notice fades.
    d.notify(Notice::NoBuiltinClients);
    d.tick(d.now_us + ioscope::app::NOTICE_US);
    assert_eq!(d.notice(), None);
    let screen = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(!screen.contains("no built-in client"), "{screen}");
}

/// A busy loop for `secs` seconds from `from`, then its summaries stop.
fn spin_for(d: &mut Dashboard, from: u64, secs: u64, spins: u64, cpu_us: u64) -> u64 {
    let mut t = from;
    while t < from + secs * 1_000_000 {
        t += 20_000;
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins,
                cpu_user_us: cpu_us / 10,
                cpu_sys_us: cpu_us - cpu_us / 10,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        if t % 100_000 == 0 {
            d.tick(t);
        }
    }
    t
}

fn listening_of(t: u64, model: Model) -> Event {
    ev(
        t,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    )
}

/// The lecture's punchline: the busy loop, then `m` to epoll, and the
/// History shows both runs, a marker between them, each named.
fn busy_loop_then_epoll() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening_of(0, Model::Nonblocking));
    let t = spin_for(&mut d, 0, 12, 5_000, 20_000);
    d.apply(&listening_of(t + 500_000, Model::Multiplex));
    let mut t = t + 500_000;
    for _ in 0..80 {
        t += 100_000;
        d.apply(&ev(
            t,
            EventKind::Wakeup {
                wakeups: 2,
                ready: 2,
            },
        ));
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins: 2,
                cpu_user_us: 10,
                cpu_sys_us: 20,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        d.tick(t);
    }
    d
}

#[test]
fn snapshot_history_across_a_switch() {
    let d = busy_loop_then_epoll();
    let screen = render(&d, 120, 36);
    let text = format!("{:?}", screen.backend().buffer());
    // The headline is the new run's: wakeups, not the busy loop's spins.
    assert!(text.contains("wakeups 160 "), "{text}");
    assert!(!text.contains("3,000,000"), "{text}");
    assert!(text.contains("wakeups/s 20 max 20"), "{text}");
    // Both runs named under their bars, a marker between them.
    assert!(
        text.contains("nonblocking") && text.contains("│multiplex"),
        "{text}"
    );
    assert_eq!(
        d.history
            .columns(60)
            .iter()
            .filter(|c| **c == ioscope::app::Column::Switch)
            .count(),
        1
    );
    insta::assert_snapshot!(screen.backend());
}

/// Defect 6: one row per model, however many switches.
#[test]
fn snapshot_compare_one_row_per_model_after_fifty_switches() {
    let mut d = Dashboard::new();
    let mut model = Model::Nonblocking;
    let mut t = 0;
    for _ in 0..50 {
        d.apply(&listening_of(t, model));
        t = spin_for(&mut d, t, 2, 100, 2_000);
        d.apply(&ev(
            t,
            EventKind::Recv {
                conn: 1,
                bytes: 3,
                spin: 1,
                preview: "hi\\n".into(),
            },
        ));
        model = model.next();
    }
    d.tick(t);
    d.handle(Action::ToggleCompare);
    let screen = render(&d, 120, 36);
    let text = format!("{:?}", screen.backend().buffer());
    for m in Model::ALL {
        let row = format!("│{} ", m.name());
        assert_eq!(text.matches(&row).count(), 1, "{m}: {text}");
    }
    assert!(text.contains("×10"), "ten runs each: {text}");
    insta::assert_snapshot!(screen.backend());
}

/// Defect 5: the title counts every way of leaving, and the rows.
#[test]
fn the_disconnected_title_counts_every_row() {
    let mut d = Dashboard::new();
    d.apply(&listening_of(0, Model::Nonblocking));
    for conn in 1..=5 {
        d.apply(&ev(
            conn,
            EventKind::Accept {
                conn,
                peer: format!("127.0.0.1:{}", 50_000 + conn),
            },
        ));
    }
    d.apply(&ev(10, EventKind::Closed { conn: 1 }));
    d.apply(&ev(11, EventKind::Closed { conn: 2 }));
    d.apply(&ev(
        12,
        EventKind::Reset {
            conn: 3,
            call: Call::Recv,
            error: "ECONNRESET".into(),
            note: None,
        },
    ));
    d.apply(&ev(
        13,
        EventKind::Evicted {
            conn: 4,
            why: ioscope::event::Evict::Stalled,
            limit_bytes: Some(1 << 20),
            stall_ms: 5_000,
        },
    ));
    d.apply(&listening_of(14, Model::Multiplex));
    d.tick(1_000_000);
    let wide = format!("{:?}", render(&d, 200, 60).backend().buffer());
    assert!(
        wide.contains("Disconnected 5 ─")
            && wide.contains("└ 2 closed · 1 reset · 1 evicted · 1 ended ─"),
        "{wide}"
    );
    let narrow = format!("{:?}", render(&d, 80, 24).backend().buffer());
    assert!(narrow.contains("Disconnected 5 ─"), "{narrow}");
    assert!(
        narrow.contains("└ 2 closed · 1 reset · 1 evicted · 1 ended ─"),
        "{narrow}"
    );
}

/// Defects 10 and 11: what pause means for the thread models, and a
/// resume called a resume.
#[test]
fn pause_on_a_thread_model_says_what_it_holds_and_resume_is_logged_as_such() {
    let mut d = Dashboard::new();
    d.apply(&listening_of(0, Model::Blocking));
    d.apply(&blocking_server_thread(1));
    d.handle(Action::TogglePause);
    d.apply(&ev(
        2_000,
        EventKind::Paused {
            paused: true,
            thread: Some("server".into()),
        },
    ));
    d.tick(10_000);
    let text = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(
        text.contains("each thread stops before its next call"),
        "{text}"
    );
    assert!(text.contains("µs ‖ paused"), "{text}");
    assert!(text.contains("server holds before its next call"), "{text}");
    d.apply(&ev(
        3_000,
        EventKind::Paused {
            paused: false,
            thread: Some("server".into()),
        },
    ));
    let text = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(text.contains("resumed     server goes on"), "{text}");
    assert!(!text.contains("PAUSED"), "{text}");
}

/// Defect 7: replies lost show with their unit, and only in the run that
/// lost them; the next model is not called a faithful listing.
#[test]
fn replies_lost_have_a_unit_and_stay_with_their_run() {
    let mut d = lecture_script(true);
    d.apply(&ev(
        3_100_000,
        EventKind::Lost {
            conn: 1,
            bytes: 222 << 20,
        },
    ));
    let text = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(text.contains("replies lost 222 MiB"), "{text}");
    assert!(text.contains("(faithful listing)"), "{text}");
    d.apply(&listening_of(3_200_000, Model::Multiplex));
    d.tick(3_300_000);
    let text = format!("{:?}", render(&d, 120, 36).backend().buffer());
    assert!(!text.contains("replies lost"), "{text}");
    assert!(!text.contains("faithful"), "{text}");
}

/// A hall that pushes every value to its widest: ids past 1,000, millions
/// of spins, five-digit ports, the listing's notes, evictions, a client's
/// emoji.
fn hostile_hall() -> Dashboard {
    let mut d = Dashboard::new();
    d.demo = true;
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:18082".into(),
            model: Model::Nonblocking,
            backlog: 5,
            faithful: true,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    let mut t = 0;
    for i in 0..150u64 {
        t += 20_000;
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins: 23_571,
                cpu_user_us: 4_000,
                cpu_sys_us: 16_000,
                empty_recvs: 5_000,
                empty_sends: 5_000,
            },
        ));
        d.apply(&ev(
            t,
            EventKind::WouldBlock {
                accept: 23_571,
                recv: 1_234_567,
                send: 2,
            },
        ));
        if i == 10 {
            for conn in 4_580..4_600u64 {
                d.apply(&ev(
                    t,
                    EventKind::Accept {
                        conn,
                        peer: format!("127.0.0.1:{}", 60_000 + conn),
                    },
                ));
            }
            d.apply(&ev(
                t,
                EventKind::Recv {
                    conn: 4_588,
                    bytes: 240,
                    spin: 1_000_000,
                    preview: ioscope::event::Preview::of(
                        "wide:全角文字テスト🙂👍🏽❤️全角文字テスト".as_bytes(),
                    ),
                },
            ));
            d.apply(&ev(
                t,
                EventKind::Send {
                    conn: 4_588,
                    bytes: 240,
                    spin: 1_000_000,
                    preview: "WIDE".into(),
                    pending: 0,
                },
            ));
            d.apply(&ev(
                t,
                EventKind::Reset {
                    conn: 4_590,
                    call: Call::Send,
                    error: "EPIPE".into(),
                    note: Some(ioscope::event::ResetNote::ListingCrashes),
                },
            ));
            d.apply(&ev(
                t,
                EventKind::Evicted {
                    conn: 4_591,
                    why: ioscope::event::Evict::Stalled,
                    limit_bytes: Some(1 << 20),
                    stall_ms: 5_000,
                },
            ));
            d.apply(&ev(
                t,
                EventKind::Reset {
                    conn: 4_592,
                    call: Call::Recv,
                    error: "ECONNRESET".into(),
                    note: None,
                },
            ));
            d.apply(&ev(
                t,
                EventKind::Lost {
                    conn: 4_589,
                    bytes: 222 << 20,
                },
            ));
        }
        d.tick(t);
    }
    d.apply(&ev(t, EventKind::Dropped { count: 12_345 }));
    d
}

/// The screen as lines of text.
fn lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// `value` is never cut by a panel's edge: no beginning of it (all but
/// one to five of its characters) runs into a border or the screen's end.
fn assert_whole(screen: &[String], value: &str, size: &str) {
    let chars: Vec<char> = value.chars().collect();
    for cut in 1..=5.min(chars.len() - 1) {
        let prefix: String = chars[..chars.len() - cut].iter().collect();
        for line in screen {
            for (at, _) in line.match_indices(&prefix) {
                let after = line[at + prefix.len()..].chars().next();
                assert!(
                    !matches!(
                        after,
                        None | Some('│' | '┐' | '┘' | '┤' | '║' | '█' | '▲' | '▼')
                    ),
                    "{size}: {value:?} is cut to {prefix:?} in\n{line}\n{}",
                    screen.join("\n")
                );
            }
        }
    }
}

/// Issue 9, items 6 and 7: at 80×24 and 120×36 every number and every
/// reason is whole, every border stands, and the footer keeps `? help`.
#[test]
fn every_value_is_whole_and_every_border_stands_at_80x24_and_120x36() {
    let d = hostile_hall();
    for (w, h) in [(80, 24), (120, 36)] {
        let size = format!("{w}x{h}");
        let screen = lines(&render(&d, w, h));
        for value in [
            "#4588",
            "#4590",
            "#4591",
            "#4599",
            "127.0.0.1:64588",
            "ECONNRESET on recv",
            "EPIPE on send",
            "(the listing crashes here)",
            "1.0M unread",
            "for 5 s",
            "1,178,550",
            "12,345",
            "222 MiB",
            "1,234,567",
            "DEMO",
            "nc 127.0.0.1 18082",
        ] {
            assert_whole(&screen, value, &size);
        }
        // The right border stands on every row but the footer's.
        for (y, line) in screen.iter().enumerate().take(h as usize - 1) {
            let last = line.chars().last().unwrap();
            assert!("┐│┘┤║█▲▼".contains(last), "{size} row {y}: {line}");
        }
        assert!(screen[h as usize - 1].contains("? help"), "{size}");
    }
}

/// `t` at 80×24: the model names stay whole (the least telling columns
/// make room), with CPU s/1k and idle CPU kept.
#[test]
fn the_comparison_keeps_model_names_whole_at_80x24() {
    let mut d = busy_loop_then_epoll();
    d.handle(Action::ToggleCompare);
    let screen = lines(&render(&d, 80, 24));
    let text = screen.join("\n");
    assert!(text.contains("│nonblocking "), "{text}");
    assert!(text.contains("│multiplex ◀ "), "{text}");
    assert!(
        text.contains("CPU s/1k") && text.contains("idle CPU"),
        "{text}"
    );
}

/// The lecture's loop paused with one client; prediction on; the stepped
/// loop's recv on #1 came back WouldBlock, and the loop parked again.
fn guessing_script() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Nonblocking,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    d.apply(&ev(
        100_000,
        EventKind::Accept {
            conn: 1,
            peer: "127.0.0.1:50001".into(),
        },
    ));
    let park = |t| {
        ev(
            t,
            EventKind::Paused {
                paused: true,
                thread: Some("loop".into()),
            },
        )
    };
    d.apply(&park(200_000));
    d.handle(Action::TogglePrediction);
    d.apply(&ev(
        300_000,
        EventKind::WouldBlockOn {
            call: Call::Recv,
            conn: Some(1),
        },
    ));
    d.apply(&park(300_010));
    d.tick(400_000);
    d
}

#[test]
fn snapshot_prediction_held_and_revealed() {
    let mut d = guessing_script();
    assert!(
        d.log
            .entries()
            .iter()
            .all(|e| e.kind.name() != "would_block_on"),
        "the outcome waits for the reveal"
    );
    for guess in [1, 1, 1, 0, 2] {
        d.handle(Action::Guess(guess));
    }
    insta::assert_snapshot!("prediction_held", render(&d, 120, 36).backend());
    d.handle(Action::Reveal);
    assert!(
        d.log
            .entries()
            .iter()
            .any(|e| e.kind.name() == "would_block_on"),
        "revealed: the call is in the log"
    );
    insta::assert_snapshot!("prediction_revealed", render(&d, 120, 36).backend());
}

// The code panel (`v`).

fn listening_faithful(t: u64, model: Model, faithful: bool) -> Event {
    ev(
        t,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model,
            backlog: 5,
            faithful,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    )
}

fn accept_n(d: &mut Dashboard, t: u64, conns: std::ops::RangeInclusive<u64>) {
    for conn in conns {
        d.apply(&ev(
            t,
            EventKind::Accept {
                conn,
                peer: format!("127.0.0.1:{}", 50_000 + conn),
            },
        ));
    }
}

fn recv_of(t: u64, conn: u64, data: &str) -> Event {
    ev(
        t,
        EventKind::Recv {
            conn,
            bytes: data.len(),
            spin: t,
            preview: ioscope::event::Preview::of(data.as_bytes()),
        },
    )
}

fn send_of(t: u64, conn: u64, data: &str) -> Event {
    ev(
        t,
        EventKind::Send {
            conn,
            bytes: data.len(),
            spin: t,
            preview: ioscope::event::Preview::of(data.as_bytes()),
            pending: 0,
        },
    )
}

fn one_call(t: u64, call: Call, conn: Option<u64>) -> Event {
    ev(t, EventKind::WouldBlockOn { call, conn })
}

/// The lecture's loop with three clients, a second at full speed; then
/// paused, and one step shown call by call as far as the recv of #3.
fn nonblocking_stepped() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Nonblocking, false));
    accept_n(&mut d, 100_000, 1..=3);
    spin_for(&mut d, 100_000, 1, 10_000, 20_000);
    d.handle(Action::TogglePause);
    d.apply(&ev(
        1_200_000,
        EventKind::Paused {
            paused: true,
            thread: Some("loop".into()),
        },
    ));
    let t = 1_500_000;
    d.apply(&ev(
        t,
        EventKind::Spin {
            spins: 1,
            cpu_user_us: 1,
            cpu_sys_us: 2,
            empty_recvs: 0,
            empty_sends: 0,
        },
    ));
    d.apply(&one_call(t, Call::Accept, None));
    d.apply(&one_call(t, Call::Recv, Some(1)));
    d.apply(&one_call(t, Call::Recv, Some(2)));
    d.apply(&recv_of(t, 3, "hello\n"));
    d.tick(1_600_000);
    d.handle(Action::ToggleCode);
    d
}

#[test]
fn snapshot_code_nonblocking_stepped_120x36() {
    let d = nonblocking_stepped();
    let screen = render(&d, 120, 36);
    let text = lines(&screen).join("\n");
    assert!(text.contains(r#"data = conn.recv(1024)"#), "{text}");
    assert!(text.contains(r#"◀ #3 → 6 B "hello\n""#), "{text}");
    assert!(
        text.contains("ready_send_list.append((conn, data.upper()))"),
        "{text}"
    );
    // The call's line lit strongly, its branch softly, and its client.
    let buf = screen.backend().buffer();
    let row_of = |needle: &str| {
        lines(&screen)
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {text}")) as u16
    };
    let col_of = |needle: &str, y: u16| {
        let line = &lines(&screen)[y as usize];
        line[..line.find(needle).unwrap()].chars().count() as u16
    };
    let y = row_of("data = conn.recv(1024)");
    let x = col_of("data = conn.recv(1024)", y);
    assert_eq!(buf[(x, y)].style().bg, Some(ratatui::style::Color::Yellow));
    let y = row_of("ready_send_list.append((conn");
    let x = col_of("ready_send_list.append((conn", y);
    assert_eq!(buf[(x, y)].style().fg, Some(ratatui::style::Color::Yellow));
    let y = row_of("#3   ");
    assert_eq!(buf[(1, y)].style().bg, Some(ratatui::style::Color::Yellow));
    let y = row_of("#2   ");
    assert_ne!(buf[(1, y)].style().bg, Some(ratatui::style::Color::Yellow));
    // The whole listing fits at 120×36.
    assert!(
        text.contains(" 1▶") || text.contains(" 1 while True:"),
        "{text}"
    );
    assert!(
        text.contains("28 ") && text.contains("connected_list.remove(conn)"),
        "{text}"
    );
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn snapshot_code_nonblocking_stepped_80x24() {
    let d = nonblocking_stepped();
    let screen = render(&d, 80, 24);
    let text = lines(&screen).join("\n");
    // Scrolled so that the call and its branch are in sight.
    assert!(text.contains(r#"◀ #3 → 6 B "hello\n""#), "{text}");
    assert!(
        text.contains("ready_send_list.append((conn, data.upper()))"),
        "{text}"
    );
    assert!(screen_is_whole(&screen), "{text}");
    insta::assert_snapshot!(screen.backend());
}

/// Every row but the footer ends on a border: nothing ran off.
fn screen_is_whole(screen: &Terminal<TestBackend>) -> bool {
    let l = lines(screen);
    l.iter()
        .take(l.len() - 1)
        .all(|line| "┐│┘┤║█▲▼".contains(line.chars().last().unwrap()))
}

/// The lecture's sentence: recv runs hundreds of thousands of times a
/// second, send twice.
#[test]
fn snapshot_code_nonblocking_at_full_speed() {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Nonblocking, false));
    accept_n(&mut d, 0, 1..=2);
    let mut t = 0;
    while t < 3_000_000 {
        t += 20_000;
        d.apply(&ev(
            t,
            EventKind::Spin {
                spins: 11_000,
                cpu_user_us: 1_000,
                cpu_sys_us: 19_000,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        d.apply(&ev(
            t,
            EventKind::WouldBlock {
                accept: 11_000,
                recv: 21_999 + u64::from(t % 500_000 != 0),
                send: 0,
            },
        ));
        if t % 500_000 == 0 {
            d.apply(&recv_of(t, 1, "hi\n"));
            d.apply(&send_of(t, 1, "HI\n"));
        }
        if t % 100_000 == 0 {
            d.tick(t);
        }
    }
    d.handle(Action::ToggleCode);
    let screen = render(&d, 120, 36);
    let text = lines(&screen).join("\n");
    let line_with = |needle: &str| {
        lines(&screen)
            .into_iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(
        line_with("data = conn.recv(1024)").contains("1,100,000"),
        "{text}"
    );
    assert!(line_with("conn.send(data)").ends_with(" 2│"), "{text}");
    assert!(line_with("while True:").contains("550,000"), "{text}");
    assert!(line_with("server.accept()").contains("550,000"), "{text}");
    assert!(line_with("if not data:").contains("—"), "{text}");
    assert!(!text.contains('▶'), "nothing lit at full speed: {text}");
    insta::assert_snapshot!(screen.backend());
}

/// `threaded`: an accept thread parked in accept(), five client threads
/// parked in their recv().
/// The threaded model with five clients, each thread parked in recv(),
/// the accept thread in accept(), the code panel open.
fn threaded_parked() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Threaded, false));
    d.apply(&ev(
        10,
        EventKind::Thread {
            thread: "accept".into(),
            role: Role::AcceptSpawn,
            alive: true,
            conn: None,
        },
    ));
    for conn in 1..=5u64 {
        let t = conn * 100_000;
        accept_n(&mut d, t, conn..=conn);
        d.apply(&ev(
            t,
            EventKind::Thread {
                thread: format!("conn-{conn}"),
                role: Role::Client,
                alive: true,
                conn: Some(conn),
            },
        ));
        d.apply(&ev(
            t + 10,
            EventKind::Spin {
                spins: 1,
                cpu_user_us: 1,
                cpu_sys_us: 1,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ));
        d.apply(&ev(
            t + 10,
            EventKind::Blocked {
                thread: format!("conn-{conn}"),
                call: Call::Recv,
                conn: Some(conn),
            },
        ));
    }
    d.apply(&recv_of(600_000, 2, "hi\n"));
    d.apply(&send_of(600_000, 2, "HI\n"));
    d.apply(&ev(
        600_010,
        EventKind::Blocked {
            thread: "conn-2".into(),
            call: Call::Recv,
            conn: Some(2),
        },
    ));
    d.apply(&ev(
        600_000,
        EventKind::Blocked {
            thread: "accept".into(),
            call: Call::Accept,
            conn: None,
        },
    ));
    d.tick(1_000_000);
    d.handle(Action::ToggleCode);
    d
}

#[test]
fn snapshot_code_threaded_parked_threads() {
    let d = threaded_parked();
    let screen = render(&d, 120, 36);
    let text = lines(&screen).join("\n");
    let line_with = |needle: &str| {
        lines(&screen)
            .into_iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(
        line_with("data = conn.recv(1024)").contains("◀ conn-1 conn-2"),
        "{text}"
    );
    assert!(
        line_with("data = conn.recv(1024)").contains("more"),
        "{text}"
    );
    assert!(line_with("server.accept()").contains("◀ accept"), "{text}");
    assert!(screen_is_whole(&screen), "{text}");
    insta::assert_snapshot!(screen.backend());
    // At 80×24 the parked recv() stays in sight.
    let narrow = render(&d, 80, 24);
    let text = lines(&narrow).join("\n");
    assert!(text.contains("◀ conn-1"), "{text}");
    assert!(screen_is_whole(&narrow), "{text}");
}

/// `multiplex`, stepped: a `select()` wakeup with one ready socket, and
/// the recv that followed.
#[test]
fn snapshot_code_multiplex_after_a_wakeup_and_a_recv() {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Multiplex, false));
    d.apply(&ev(
        100_000,
        EventKind::Wakeup {
            wakeups: 2,
            ready: 2,
        },
    ));
    accept_n(&mut d, 100_000, 1..=2);
    d.handle(Action::TogglePause);
    d.apply(&ev(
        200_000,
        EventKind::Paused {
            paused: true,
            thread: Some("loop".into()),
        },
    ));
    d.apply(&ev(
        300_000,
        EventKind::Wakeup {
            wakeups: 1,
            ready: 1,
        },
    ));
    let wakeup = lines(&render(
        &{
            let mut w = d.clone();
            w.handle(Action::ToggleCode);
            w
        },
        120,
        36,
    ))
    .join("\n");
    assert!(
        wakeup.contains("events = sel.select()") && wakeup.contains("◀ → 1 ready"),
        "{wakeup}"
    );
    d.apply(&recv_of(300_000, 2, "hi\n"));
    d.tick(400_000);
    d.handle(Action::ToggleCode);
    let screen = render(&d, 120, 36);
    let text = lines(&screen).join("\n");
    assert!(text.contains(r#"◀ #2 → 3 B "hi\n""#), "{text}");
    assert!(screen_is_whole(&screen), "{text}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn v_opens_and_closes_the_code_panel_at_every_size() {
    let mut d = lecture_script(false);
    assert!(!format!("{:?}", render(&d, 120, 36).backend().buffer()).contains("nonblocking.py"));
    d.handle(press('v'));
    for (w, h) in [
        (1, 1),
        (20, 5),
        (40, 12),
        (80, 24),
        (119, 30),
        (120, 36),
        (250, 80),
    ] {
        render(&d, w, h);
    }
    for faithful in [false, true] {
        let mut d = lecture_script(faithful);
        d.handle(press('v'));
        let text = format!("{:?}", render(&d, 120, 36).backend().buffer());
        let file = if faithful {
            "nonblocking-faithful.py"
        } else {
            "nonblocking.py"
        };
        assert!(text.contains(file), "{text}");
    }
    d.handle(press('v'));
    assert!(!format!("{:?}", render(&d, 120, 36).backend().buffer()).contains("nonblocking.py"));
}

/// The per-line counts add up to the loop's own counters: a real busy
/// loop with two idle clients, paused and stepped a known number of spins.
#[test]
fn the_code_panels_counts_add_up_to_the_real_loops_counters() {
    use ioscope::app::Point;
    let mut t = common::TestServer::start();
    let _a = t.connect();
    let _b = t.connect();
    t.wait_for_count("two accepts", 2, |k| matches!(k, EventKind::Accept { .. }));
    let paused = |k: &EventKind| matches!(k, EventKind::Paused { paused: true, .. });
    t.server.control().set_paused(true);
    t.wait_for_count("paused", 1, paused);
    let mut d = Dashboard::new();
    let parked = t.seen.iter().position(|e| paused(&e.kind)).unwrap();
    for e in &t.seen[..=parked] {
        d.apply(e);
    }
    let counts = |d: &Dashboard| Point::ALL.map(|p| d.code.count(p));
    let before = counts(&d);
    const STEPS: u64 = 5;
    for step in 1..=STEPS {
        t.server.control().step();
        t.wait_for_count("parked again", 1 + step as usize, paused);
    }
    for e in &t.seen[parked + 1..] {
        d.apply(e);
    }
    let after = counts(&d);
    let grew = |p: Point| after[p as usize] - before[p as usize];
    assert_eq!(grew(Point::Spin), STEPS);
    assert_eq!(grew(Point::Accept), STEPS, "one accept a spin");
    assert_eq!(grew(Point::AcceptAgain), STEPS);
    assert_eq!(grew(Point::Recv), 2 * STEPS, "a recv a client a spin");
    assert_eq!(grew(Point::RecvAgain), 2 * STEPS);
    for p in [Point::Send, Point::Data, Point::Accepted, Point::Removed] {
        assert_eq!(grew(p), 0, "{p:?}");
    }
    // The whole run: each line against the loop's own summaries.
    let totals = d.totals();
    let [accept_wb, recv_wb, send_wb] = totals.counted.would_block;
    let count = |p: Point| d.code.count(p);
    assert_eq!(count(Point::Spin), totals.spins());
    assert_eq!(count(Point::AcceptAgain), accept_wb);
    assert_eq!(count(Point::Accept), totals.spins() + totals.accepted);
    assert_eq!(count(Point::Accept), accept_wb + totals.accepted);
    assert_eq!(count(Point::Accepted), 2);
    assert_eq!(count(Point::RecvAgain), recv_wb);
    assert_eq!(count(Point::Recv), recv_wb);
    assert_eq!(count(Point::Send), send_wb);
    // Stepped, the last call was a recv that would block.
    let at = d.code.at.as_ref().unwrap();
    assert_eq!(at.call, Point::Recv);
    // (one by one, or the step's last two in one summary)
    assert!(
        matches!(at.returned, ioscope::app::Returned::WouldBlock(1 | 2)),
        "{at:?}"
    );
    let common::TestServer { server, .. } = t;
    server.stop();
}

/// `--faithful` in slow motion: `b''` is data to the listing, and a reply
/// that would block is thrown away, on the lines that do it.
#[test]
fn the_faithful_listing_shows_b_empty_as_data_and_a_lost_reply() {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Nonblocking, true));
    accept_n(&mut d, 10, 1..=1);
    d.apply(&ev(
        10,
        EventKind::Pace {
            call_delay_us: 500_000,
            backoff: Default::default(),
            backoff_us: 0,
        },
    ));
    d.apply(&recv_of(20, 1, ""));
    d.handle(Action::ToggleCode);
    let line_with = |screen: &[String], needle: &str| {
        screen
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {}", screen.join("\n")))
            .clone()
    };
    let screen = lines(&render(&d, 120, 36));
    assert!(line_with(&screen, "nonblocking-faithful.py").contains("slow motion"));
    assert!(line_with(&screen, "data = conn.recv(1024)").contains("◀ #1 → b''"));
    assert!(line_with(&screen, "ready_send_list.append(").contains('›'));
    d.apply(&ev(
        30,
        EventKind::WouldBlock {
            accept: 0,
            recv: 0,
            send: 1,
        },
    ));
    d.apply(&ev(
        30,
        EventKind::Lost {
            conn: 1,
            bytes: 2048,
        },
    ));
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = lines(&render(&d, w, h));
        let send = line_with(&screen, "conn.send(data)");
        // Whole where there is room, shorter where not.
        let wide = send.contains("◀ #1 → 2.0 KiB thrown away");
        assert!(wide || send.contains("◀ #1 → lost"), "{send}");
        assert_eq!(wide, w == 80, "{send}");
        let at = screen
            .iter()
            .position(|l| l.contains("conn.send(data)"))
            .unwrap();
        assert!(
            screen[at + 1].contains("› ") && screen[at + 1].contains("except BlockingIOError:"),
            "{}",
            screen[at + 1]
        );
    }
}

#[test]
fn focus_goes_only_to_panels_on_screen() {
    let mut d = lecture_script(false);
    let cycle = |d: &mut Dashboard| {
        (0..8)
            .map(|_| {
                d.handle(Action::FocusNext);
                d.view.focus
            })
            .collect::<Vec<Panel>>()
    };
    render(&d, 120, 36);
    assert!(cycle(&mut d).contains(&Panel::Disconnected));
    // The code panel takes Disconnected's place at 120 columns.
    d.handle(Action::ToggleCode);
    render(&d, 120, 36);
    let focused = cycle(&mut d);
    assert!(!focused.contains(&Panel::Disconnected), "{focused:?}");
    assert!(focused.contains(&Panel::Log) && focused.contains(&Panel::Connected));
    // Narrower, it takes Ready's place too.
    render(&d, 80, 24);
    let focused = cycle(&mut d);
    assert!(!focused.contains(&Panel::Ready), "{focused:?}");
}

/// `threaded`, backlog 5, a burst: the queue full, the kernel dropping.
fn overflow_script() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Threaded,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    for (t, dropped, vm) in [(500_000, 3_767, 350 << 20), (1_000_000, 3_867, 700 << 20)] {
        d.apply(&ev(
            t,
            EventKind::Sample {
                rss_bytes: 6 << 20,
                threads: 41,
                listen_queue: Some(6),
                listen_max: Some(5),
                listen_overflows: Some(dropped),
                vm_bytes: Some(vm),
            },
        ));
    }
    d.tick(1_100_000);
    d
}

#[test]
fn snapshot_listen_queue_full_and_overflows() {
    let d = overflow_script();
    assert_eq!(d.overflows.since_run(), Some(100));
    insta::assert_snapshot!("overflows_120x36", render(&d, 120, 36).backend());
    insta::assert_snapshot!("overflows_80x24", render(&d, 80, 24).backend());
}

/// `--verbatim`: the lecture's loop parked in a blocking recv() on #1.
fn verbatim_parked() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Nonblocking,
            backlog: 5,
            faithful: true,
            verbatim: true,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    d.apply(&ev(
        10,
        EventKind::Thread {
            thread: "loop".into(),
            role: Role::BusyLoop,
            alive: true,
            conn: None,
        },
    ));
    d.apply(&ev(
        2_000_000,
        EventKind::Accept {
            conn: 1,
            peer: "127.0.0.1:50001".into(),
        },
    ));
    d.apply(&ev(
        2_000_100,
        EventKind::Blocked {
            thread: "loop".into(),
            call: Call::Recv,
            conn: Some(1),
        },
    ));
    d.apply(&ev(
        5_000_000,
        EventKind::Sample {
            rss_bytes: 4 << 20,
            threads: 3,
            listen_queue: Some(1),
            listen_max: Some(5),
            listen_overflows: Some(0),
            vm_bytes: None,
        },
    ));
    d.tick(14_300_100);
    d
}

#[test]
fn snapshot_verbatim_parked_in_recv() {
    let d = verbatim_parked();
    let screen = format!("{:?}", render(&d, 120, 36).backend());
    assert!(
        screen.contains("parked in recv() on #1 for 12.3 s"),
        "{screen}"
    );
    insta::assert_snapshot!("verbatim_120x36", render(&d, 120, 36).backend());
    insta::assert_snapshot!("verbatim_80x24", render(&d, 80, 24).backend());
}

#[test]
fn the_help_scrolls_to_every_key_on_a_small_screen() {
    let mut d = lecture_script(false);
    d.handle(Action::ToggleHelp);
    let screen = |d: &Dashboard| format!("{:?}", render(d, 80, 24).backend());
    let first = screen(&d);
    assert!(first.contains("↓ more") && !first.contains("explain the selected"));
    d.handle(Action::ScrollEnd);
    let last = screen(&d);
    assert!(last.contains("explain the selected line"), "{last}");
    assert!(last.contains("↑ more") && !last.contains("q Esc Ctrl-C"));
    // Every key is on one of the pages: the first and the last together.
    for binding in ioscope::app::KEYS {
        let keys = binding.keys_text();
        assert!(first.contains(&keys) || last.contains(&keys), "{keys}");
    }
    // The help open, the arrows scroll it, not the focused list.
    assert_eq!(d.view.scroll_of(Panel::Connected), 0);
}

// The kernel's queues (`recvq`, `sendq`).

/// The lecture's loop with three clients, paused: #2 typed `hello` since
/// (6 bytes wait in the kernel, none copied), #3 sent 4 MiB and does not
/// read the replies (2.5 MiB of them wait in the server's kernel: the
/// client's kernel, its own buffer full, takes no more).
fn kernel_waiting() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening_faithful(0, Model::Nonblocking, false));
    accept_n(&mut d, 100_000, 1..=3);
    spin_for(&mut d, 100_000, 1, 10_000, 20_000);
    d.apply(&recv_of(1_100_000, 1, "hi\n"));
    d.apply(&send_of(1_100_000, 1, "HI\n"));
    let big = 4 << 20;
    let preview = ioscope::event::Preview::of(b"aaaa");
    d.apply(&ev(
        1_100_000,
        EventKind::Recv {
            conn: 3,
            bytes: big,
            spin: 500_000,
            preview,
        },
    ));
    d.apply(&ev(
        1_100_000,
        EventKind::Send {
            conn: 3,
            bytes: big,
            spin: 500_000,
            preview,
            pending: 0,
        },
    ));
    d.handle(Action::TogglePause);
    d.apply(&ev(
        1_200_000,
        EventKind::Paused {
            paused: true,
            thread: Some("loop".into()),
        },
    ));
    d.apply(&ev(
        1_400_000,
        EventKind::KernelQueues {
            conns: vec![(2, 6, 0), (3, 0, 5 << 19)],
        },
    ));
    d.tick(1_500_000);
    d
}

/// ... and one step later: the spin's recv copied #2's 6 bytes, the next
/// reading finds none waiting.
fn kernel_copied() -> Dashboard {
    let mut d = kernel_waiting();
    let t = 1_600_000;
    d.apply(&one_call(t, Call::Accept, None));
    d.apply(&one_call(t, Call::Recv, Some(1)));
    d.apply(&recv_of(t, 2, "hello\n"));
    d.apply(&one_call(t, Call::Recv, Some(3)));
    d.apply(&send_of(t, 2, "HELLO\n"));
    d.apply(&ev(
        t,
        EventKind::Paused {
            paused: true,
            thread: Some("loop".into()),
        },
    ));
    d.apply(&ev(
        t + 100,
        EventKind::KernelQueues {
            conns: vec![(2, 0, 0)],
        },
    ));
    d.tick(1_700_000);
    d
}

/// The Connected row of `conn`, as text, and its line on screen.
fn conn_row(screen: &Terminal<TestBackend>, conn: u64) -> (String, u16) {
    let rows = lines(screen);
    let y = rows
        .iter()
        .position(|l| l.starts_with(&format!("│#{conn} ")))
        .unwrap_or_else(|| panic!("no row #{conn}: {}", rows.join("\n")));
    // The Connected list is the leftmost panel: its row ends at its border.
    let row = rows[y][3..].split('│').next().unwrap().to_string();
    (row, y as u16)
}

#[test]
fn snapshot_kernel_queues_waiting_120x36() {
    let screen = render(&kernel_waiting(), 120, 36);
    let text = lines(&screen).join("\n");
    assert!(text.contains("recvq in    out   sendq"), "{text}");
    let (row, y) = conn_row(&screen, 2);
    let cells: Vec<&str> = row.split_whitespace().collect();
    // #2 peer recvq in out sendq: 6 waiting in the kernel, 0 copied.
    assert_eq!(&cells[1..6], [":50002", "6", "0", "0", "0"], "{row}");
    // It stands out: its id and its waiting bytes.
    let buf = screen.backend().buffer();
    let waiting = ioscope::ui::theme::KERNEL_WAITING.bg;
    assert_eq!(buf[(1, y)].style().bg, waiting, "{row}");
    let x = 1 + row.find(" 6 ").unwrap() as u16 + 1;
    assert_eq!(buf[(x, y)].symbol(), "6");
    assert_eq!(buf[(x, y)].style().bg, waiting);
    let (row, y) = conn_row(&screen, 3);
    assert_eq!(
        &row.split_whitespace().collect::<Vec<_>>()[1..6],
        [":50003", "0", "4.0M", "4.0M", "2.5M"],
        "{row}"
    );
    assert_ne!(buf[(1, y)].style().bg, waiting, "nothing waits for #3");
    assert!(screen_is_whole(&screen), "{text}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn snapshot_kernel_queues_waiting_80x24() {
    let screen = render(&kernel_waiting(), 80, 24);
    let text = lines(&screen).join("\n");
    let (row, _) = conn_row(&screen, 2);
    assert_eq!(
        &row.split_whitespace().collect::<Vec<_>>()[1..6],
        [":50002", "6", "0", "0", "0"],
        "{row}"
    );
    assert!(screen_is_whole(&screen), "{text}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn snapshot_kernel_queues_copied_after_a_step() {
    let screen = render(&kernel_copied(), 120, 36);
    let (row, y) = conn_row(&screen, 2);
    // 0 waiting, 6 copied (and 6 handed back).
    assert_eq!(
        &row.split_whitespace().collect::<Vec<_>>()[1..6],
        [":50002", "0", "6", "6", "0"],
        "{row}"
    );
    let waiting = ioscope::ui::theme::KERNEL_WAITING.bg;
    let buf = screen.backend().buffer();
    // The row is the one the loop's last call was on (lit as such), not
    // one with bytes waiting.
    assert_ne!(buf[(1, y)].style().bg, waiting, "{row}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn narrow_lists_drop_idle_then_sendq_then_pend_before_they_cut_a_peer() {
    let mut d = kernel_waiting();
    // A peer with a long short form: CLOSE-WAIT (the faithful listing).
    d.apply(&recv_of(1_450_000, 1, ""));
    for (width, height, titles) in [
        (80, 24, "recvq in    out   pend"),
        (120, 36, "recvq in    out   pend"),
        (160, 48, "recvq in    out   sendq idle pend"),
    ] {
        let screen = render(&d, width, height);
        let text = lines(&screen).join("\n");
        assert!(text.contains(titles), "{width}x{height}: {text}");
        assert!(
            text.contains(":50001 CLOSE-WAIT"),
            "{width}x{height}: {text}"
        );
    }
}

#[test]
fn an_accept_line_says_how_long_it_waited_in_the_listen_queue() {
    let mut d = Dashboard::new();
    d.apply(&ev(
        0,
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model: Model::Blocking,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        },
    ));
    d.apply(&ev(
        3_900_000,
        EventKind::Accept {
            conn: 2,
            peer: "127.0.0.1:50002".into(),
        },
    ));
    let screen = |d: &Dashboard| format!("{:?}", render(d, 120, 36).backend());
    assert!(!screen(&d).contains("queued"), "not measured yet");
    // The sampler measures it a little later.
    d.apply(&ev(
        4_000_000,
        EventKind::AcceptWait {
            conn: 2,
            waited_ms: 1_500,
        },
    ));
    let now = screen(&d);
    assert!(
        now.contains("#2 from 127.0.0.1:50002 · queued 1.5 s"),
        "{now}"
    );
    assert_eq!(
        now.matches("queued").count(),
        1,
        "on the accept's line, not one of its own"
    );
}

/// A small recording, written with the recorder, read back as `replay`
/// reads it.
fn small_recording() -> ioscope::record::Recording {
    use ioscope::record::{self, Header, Recorder};
    let lines = [
        r#"{"t_us":10,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}"#,
        r#"{"t_us":20,"kind":"accept","conn":1,"peer":"127.0.0.1:9"}"#,
        r#"{"t_us":1000000,"kind":"recv","conn":1,"bytes":2,"spin":1,"preview":"hi"}"#,
        r#"{"t_us":1000010,"kind":"send","conn":1,"bytes":2,"spin":1,"preview":"HI","pending":0}"#,
        r#"{"t_us":2000000,"kind":"closed","conn":1}"#,
    ];
    let events: Vec<Event> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let path = std::env::temp_dir().join(format!("ioscope-replay-{}.jsonl", std::process::id()));
    let recorder = Recorder::create(&path, &Header::now()).unwrap();
    recorder.tap().forward(events.clone());
    recorder.finish(2_500_000).unwrap();
    let recording = record::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(recording.events, events);
    recording
}

#[test]
fn a_replay_on_screen_pauses_steps_one_event_and_shows_its_progress() {
    use ioscope::replay::{ManualClock, Replay};
    // The replay's clock stands still (nobody advances it): only the first
    // event is due, and what comes after is the keys' doing.
    let source = Replay::with_clock(small_recording(), vec![], Box::new(ManualClock::new()));
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let key = |c| Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    for c in [' ', 'n', 'm', ']', 'q'] {
        input_tx.send(key(c)).unwrap();
    }
    let (exit, d, terminal) = common::run_dashboard(&source, None, &inputs, (100, 30));
    assert_eq!(exit, Exit::Quit);
    // Paused, then one event: the listening and the accept, no more.
    assert!(d.server.is_some());
    assert_eq!(d.conns.accepted, 1);
    assert_eq!(d.log.len(), 2, "{:#?}", d.log);
    // The player's pause is not the recorded server's.
    assert!(!d.paused);
    let info = d
        .replay
        .clone()
        .expect("the runtime passed the progress in");
    assert!(info.paused && !info.ended, "{info:?}");
    assert_eq!(info.speed, 2.0);
    let buffer = terminal.backend().buffer();
    let footer: String = (0..buffer.area.width)
        .map(|x| buffer[(x, buffer.area.height - 1)].symbol())
        .collect();
    assert!(
        footer.contains("▶ 00:00.0 / 00:02.4 · 2× · ‖ paused"),
        "{footer}"
    );
    // `m` means nothing in a replay, and says so.
    assert!(footer.contains("a replay: the models run as"), "{footer}");
    assert_eq!(
        d.notice(),
        Some(&Notice::Replay(ioscope::app::ReplayCant::SwitchModel))
    );
}

#[test]
fn speed_keys_in_a_live_session_say_they_are_a_replays() {
    let rig = Rig::new();
    let mut d = Dashboard::new();
    runtime::perform(press(']'), &mut d, rig.session());
    assert_eq!(d.notice(), Some(&Notice::SpeedNeedsReplay));
    runtime::perform(press('['), &mut d, rig.session());
    assert_eq!(d.notice(), Some(&Notice::SpeedNeedsReplay));
}

/// Types `text` into the marker's note, as keys.
fn type_keys(input: &crossbeam_channel::Sender<Input>, text: &str) {
    for c in text.chars() {
        input
            .send(Input::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )))
            .unwrap();
    }
}

fn special(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn snapshot_marker_note_input_80x24() {
    let mut d = lecture_script(false);
    d.handle(Action::Marker);
    for c in "看这里: the loop at 100% of a core".chars() {
        d.view.edit_note(ioscope::app::NoteEdit::Type(c));
    }
    let mut terminal = render(&d, 80, 24);
    insta::assert_snapshot!(terminal.backend());
    // The terminal's cursor stands after the text (an input method
    // composes there): " " + 34 columns, inside the box's border at 2.
    terminal
        .backend_mut()
        .assert_cursor_position((3 + 1 + 34, 21));
}

#[test]
fn a_marker_is_a_lit_line_of_its_own_and_enter_explains_it() {
    let mut d = lecture_script(false);
    d.apply(&ev(
        3_100_000,
        EventKind::Marker {
            note: "看这里 \u{1b}[2J".into(),
        },
    ));
    let screen = text_of(&render(&d, 120, 36));
    assert!(
        screen.contains(r#"◆ marker    "看这里 \x1b[2J""#),
        "escaped, never sent to the terminal: {screen}"
    );
    d.handle(Action::FocusPrev);
    assert_eq!(d.view.focus, Panel::Log);
    d.handle(Action::Explain);
    let screen = lines(&render(&d, 120, 36)).join("\n");
    assert!(screen.contains("Explain: ◆ marker"), "{screen}");
    assert!(
        screen.contains("The lecturer's marker, dropped with M"),
        "{screen}"
    );
}

/// The screen as text, a wide character once (not with the cell it
/// covers).
fn text_of(terminal: &Terminal<TestBackend>) -> String {
    use unicode_width::UnicodeWidthStr;
    let buf = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            text.push_str(symbol);
            x += symbol.width().max(1) as u16;
        }
        text.push('\n');
    }
    text
}

/// The events of the recording at `path` so far (whole lines only: the
/// recorder may be half-way through a write).
fn recorded_so_far(path: &std::path::Path) -> Vec<Event> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Waits until the recording at `path` holds an event `is`.
fn wait_recorded(path: &std::path::Path, what: &str, is: impl Fn(&EventKind) -> bool) {
    let deadline = Instant::now() + common::DEADLINE;
    while !recorded_so_far(path).iter().any(|e| is(&e.kind)) {
        assert!(Instant::now() < deadline, "{what}: not recorded");
        std::thread::yield_now();
    }
}

fn sent(text: &'static str) -> impl Fn(&EventKind) -> bool {
    move |k| matches!(k, EventKind::Send { preview, .. } if preview == text)
}

/// `M`, a note typed on the spot (`q` and `M` are text meanwhile),
/// Enter: the marker lands in the real recorder's file among the server's
/// events, in the order it came, and `--summary` lists it.
#[test]
fn m_drops_a_marker_with_its_note_into_the_recording_in_order() {
    use ioscope::record::{self, Header, Recorder};
    let (host, events, epoch) = host(Model::Nonblocking);
    let addr = host.addr();
    let path = std::env::temp_dir().join(format!("ioscope-marker-{}.jsonl", std::process::id()));
    let recorder = Recorder::create(&path, &Header::now()).unwrap();
    let tap = recorder.tap();
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let ui = std::thread::spawn(move || {
        let source = Live::new(host, events, epoch);
        common::run_dashboard(&source, Some(&tap), &inputs, (100, 30))
    });
    let mut before = std::net::TcpStream::connect(addr).unwrap();
    common::round_trip(&mut before, b"before");
    wait_recorded(&path, "the reply before", sent("BEFORE"));

    input_tx.send(special(KeyCode::Char('M'))).unwrap();
    type_keys(&input_tx, "看这里 q Mx");
    input_tx.send(special(KeyCode::Backspace)).unwrap();
    input_tx.send(special(KeyCode::Enter)).unwrap();
    let note = "看这里 q M";
    wait_recorded(
        &path,
        "the marker",
        |k| matches!(k, EventKind::Marker { note: n } if n == note),
    );

    let mut after = std::net::TcpStream::connect(addr).unwrap();
    common::round_trip(&mut after, b"after");
    wait_recorded(&path, "the reply after", sent("AFTER"));
    input_tx.send(special(KeyCode::Char('q'))).unwrap();
    let (exit, d, terminal) = ui.join().unwrap();
    assert_eq!(exit, Exit::Quit, "q typed into the note did not quit");
    recorder.finish(epoch.elapsed().as_micros() as u64).unwrap();

    // The dashboard: one marker, its own log line, no notice (recorded).
    assert_eq!(d.markers.len(), 1);
    assert_eq!(d.markers[0].1, note);
    assert_eq!(d.notice(), None);
    assert!(d.view.note().is_none());
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("◆ marker"), "{screen}");

    // The file: the marker once, after the reply before it and before the
    // one after it, on the same clock.
    let recording = record::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let at = |is: &dyn Fn(&EventKind) -> bool| {
        let found: Vec<usize> = (0..recording.events.len())
            .filter(|&i| is(&recording.events[i].kind))
            .collect();
        assert_eq!(found.len(), 1, "{:#?}", recording.events);
        found[0]
    };
    let marker = at(&|k| matches!(k, EventKind::Marker { .. }));
    let (first, second) = (at(&sent("BEFORE")), at(&sent("AFTER")));
    assert!(
        first < marker && marker < second,
        "{first} {marker} {second}"
    );
    let t = |i: usize| recording.events[i].t_us;
    assert!(t(first) <= t(marker) && t(marker) <= t(second));
    assert_eq!(
        recording.events[marker].kind,
        EventKind::Marker { note: note.into() }
    );

    // `replay FILE --summary` lists it, timed from the first event.
    let listed = record::summarize(&recording).to_string();
    let shown = ioscope::ui::fmt::tenths(t(marker) - recording.events[0].t_us);
    assert!(
        listed.contains(&format!("markers      1\n  {shown}  \"{note}\"")),
        "{listed}"
    );
}

#[test]
fn without_record_a_marker_is_logged_and_the_footer_says_it_is_not_recorded() {
    let (host, events, epoch) = host(Model::Nonblocking);
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    input_tx.send(special(KeyCode::Char('M'))).unwrap();
    type_keys(&input_tx, "q");
    input_tx.send(special(KeyCode::Enter)).unwrap();
    // Esc cancels a second one; then q is q again.
    input_tx.send(special(KeyCode::Char('M'))).unwrap();
    type_keys(&input_tx, "never");
    input_tx.send(special(KeyCode::Esc)).unwrap();
    input_tx.send(special(KeyCode::Char('q'))).unwrap();
    let source = Live::new(host, events, epoch);
    let (exit, d, terminal) = common::run_dashboard(&source, None, &inputs, (100, 30));
    assert_eq!(exit, Exit::Quit);
    let markers: Vec<&str> = d.markers.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(markers, ["q"]);
    assert!(
        d.log
            .entries()
            .iter()
            .any(|e| e.kind == EventKind::Marker { note: "q".into() })
    );
    assert_eq!(d.notice(), Some(&Notice::MarkerNotRecorded));
    let buffer = terminal.backend().buffer();
    let footer: String = (0..buffer.area.width)
        .map(|x| buffer[(x, buffer.area.height - 1)].symbol())
        .collect();
    assert!(footer.contains("marker in the log only"), "{footer}");
}

#[test]
fn m_in_a_replay_says_markers_are_dropped_live() {
    use ioscope::replay::{ManualClock, Replay};
    let source = Replay::with_clock(small_recording(), vec![], Box::new(ManualClock::new()));
    let session = Session {
        source: &source,
        clients: None,
        record: None,
    };
    let mut d = Dashboard::new();
    runtime::perform(press('M'), &mut d, session);
    assert!(d.view.note().is_none(), "no note input in a replay");
    assert_eq!(
        d.notice(),
        Some(&Notice::Replay(ioscope::app::ReplayCant::Markers))
    );
    let footer = lines(&render(&d, 100, 30)).pop().unwrap();
    assert!(
        footer.contains("markers are dropped during a live run"),
        "{footer}"
    );
}

// The screen in the viewer's language (issue 14): Chinese, and the
// pseudo language that marks every message `⟦…⟧`.

fn speaking(mut d: Dashboard, lang: Lang) -> Dashboard {
    d.view.lang = lang;
    d
}

/// A replay paused at a lecturer's note, as the player shows it.
fn replaying_at_a_note(mut d: Dashboard) -> Dashboard {
    use ioscope::replay::{Mark, ReplayInfo};
    let marks: Vec<Mark> = vec![
        Mark {
            at_us: 1_000_000,
            // The lecturer's words: data, in any language.
            note: "看计数器:它从不等待".into(),
            pause: true,
        },
        Mark {
            at_us: 2_500_000,
            note: String::new(),
            pause: false,
        },
    ];
    d.replay = Some(ReplayInfo {
        at_us: 1_200_000,
        duration_us: 3_000_000,
        speed: 1.0,
        paused: true,
        ended: false,
        live: false,
        stopped: None,
        wall_us: 0,
        marks: marks.into(),
        reached: Some(0),
    });
    d
}

/// The screen's rows as a terminal shows them: a wide character's second
/// cell is not a character of its own.
fn shown_lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                let symbol = buf[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                row.push_str(symbol);
                skip = symbol.width().saturating_sub(1);
            }
            row
        })
        .collect()
}

/// The screens the room sees, each in a state of its own.
fn every_state() -> Vec<(&'static str, Dashboard)> {
    let mut help = lecture_script(false);
    help.handle(Action::ToggleHelp);
    let mut compare = busy_loop_then_epoll();
    compare.handle(Action::ToggleCompare);
    let mut revealed = guessing_script();
    revealed.handle(Action::Guess(1));
    revealed.handle(Action::Reveal);
    let mut noticed = pool_script();
    noticed.notify(Notice::PoolQueueFull);
    let mut multiplex_code = busy_loop_then_epoll();
    multiplex_code.handle(Action::ToggleCode);
    let mut typing = lecture_script(false);
    typing.handle(Action::Marker);
    for c in "看这里: 100%".chars() {
        typing.view.edit_note(ioscope::app::NoteEdit::Type(c));
    }
    vec![
        ("nothing yet", Dashboard::new()),
        ("the lecture", lecture_script(false)),
        ("faithful", lecture_script(true)),
        ("a hostile hall", hostile_hall()),
        ("the pool", pool_script()),
        ("a notice", noticed),
        ("help", help),
        ("the code panel", nonblocking_stepped()),
        ("multiplex's code", multiplex_code),
        ("threads parked in the code", threaded_parked()),
        ("verbatim, parked", verbatim_parked()),
        ("a note typed", typing),
        ("a question", guessing_script()),
        ("an answer", revealed),
        ("compared", compare),
        (
            "a replay at a note",
            replaying_at_a_note(lecture_script(false)),
        ),
        ("the kernel's queues", kernel_waiting()),
        ("overflows", overflow_script()),
    ]
}

#[test]
fn snapshot_zh_80x24() {
    let d = speaking(lecture_script(false), Lang::Zh);
    insta::assert_snapshot!(render(&d, 80, 24).backend());
}

#[test]
fn snapshot_zh_120x36() {
    let d = speaking(lecture_script(false), Lang::Zh);
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_zh_help_overlay() {
    let mut d = speaking(lecture_script(false), Lang::Zh);
    d.handle(Action::ToggleHelp);
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_zh_pool_and_code_panel() {
    let d = speaking(pool_script(), Lang::Zh);
    insta::assert_snapshot!("zh_pool_80x24", render(&d, 80, 24).backend());
    let d = speaking(nonblocking_stepped(), Lang::Zh);
    insta::assert_snapshot!("zh_code_120x36", render(&d, 120, 36).backend());
}

/// Chinese at 80×24, 120×36 and 200×60, in every state: every border
/// stands, no wide character is half covered (a terminal would hide what
/// covers it), every row is as wide as the screen, numbers and names are
/// whole, and the footer keeps its help key.
#[test]
fn in_chinese_every_border_stands_and_every_value_is_whole() {
    use unicode_width::UnicodeWidthStr;
    for (name, d) in every_state() {
        let d = speaking(d, Lang::Zh);
        for (w, h) in [(80, 24), (120, 36), (200, 60)] {
            let size = format!("{name} at {w}x{h}");
            let terminal = render(&d, w, h);
            let buf = terminal.backend().buffer();
            for y in 0..h {
                for x in 0..w - 1 {
                    if buf[(x, y)].symbol().width() > 1 {
                        assert_eq!(
                            buf[(x + 1, y)].symbol(),
                            " ",
                            "{size}: ({x}, {y}) is half covered"
                        );
                    }
                }
            }
            let screen = shown_lines(&terminal);
            for (y, line) in screen.iter().enumerate() {
                assert_eq!(line.width(), w as usize, "{size} row {y}: {line}");
            }
            let replay = d.replay.is_some();
            let body = h as usize - if replay { 2 } else { 1 };
            for (y, line) in screen.iter().enumerate().take(body) {
                let last = line.chars().last().unwrap();
                assert!(
                    "┐│┘┤║█▲▼".contains(last),
                    "{size} row {y}: {line}\n{}",
                    screen.join("\n")
                );
            }
            let footer = &screen[h as usize - 1];
            assert!(
                d.view.note().is_some()
                    || footer.contains("? 帮助")
                    || footer.contains("⚠")
                    || footer.contains("? 或 Esc"),
                "{size}: {footer}"
            );
            // The hostile hall's values, as the English test has them.
            if name != "a hostile hall" {
                continue;
            }
            for value in [
                "#4588",
                "#4590",
                "#4591",
                "#4599",
                "127.0.0.1:64588",
                "recv 遇到 ECONNRESET",
                "send 遇到 EPIPE",
                "(讲义代码在这里崩溃)",
                "1.0M 没人读",
                "持续 5 秒",
                "1,178,550",
                "12,345",
                "222 MiB",
                "1,234,567",
                "演示",
                "nc 127.0.0.1 18082",
            ] {
                assert_whole(&screen, value, &size);
            }
        }
    }
}

/// The pseudo language marks every message `⟦…⟧`: a screen in it, with
/// what is inside the marks taken out, keeps only data. Every word left
/// (a run of three or more ASCII letters) must be one the program does not
/// translate: system calls, errno names and the like that the lecture
/// keeps, key names, units, and what the clients and the fixtures sent.
#[test]
fn in_the_pseudo_language_no_unmarked_word_is_left_on_screen() {
    // Kept in every language, with why.
    const KEPT: &[&str] = &[
        // The program's name, in the header's border.
        "ioscope",
        // System calls and their result, as the lecture writes them.
        "accept",
        "recv",
        "send",
        "WouldBlock",
        // Measures named as the tools name them.
        "CPU",
        "RSS",
        "MiB",
        // Key names (the help and the footers).
        "space",
        "Tab",
        "Esc",
        "Ctrl",
        "Shift",
        "Home",
        "End",
        "PgUp",
        "PgDn",
        // Thread names, as the server reports them (`conn-3`).
        "server",
        "conn",
        "worker",
        // What the fixtures' clients sent (`\x1b[2Jbin`).
        "hello",
        "HELLO",
        "Jbin",
        "JBIN",
        "WIDE",
        "wide",
    ];
    // The listings' code (not their comments, which are marked) and
    // their file names.
    let mut code: Vec<String> = Vec::new();
    for model in Model::ALL {
        for faithful in [false, true] {
            let listing = ioscope::app::listing(Lang::Pseudo, model, faithful);
            code.push(listing.file.to_string());
            for line in &listing.lines {
                code.push(ioscope::app::split_comment(line.text).0.to_string());
            }
        }
    }
    let code = code.join(" ");
    let is_data = |word: &str| {
        KEPT.contains(&word)
            || code
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w == word)
            || word.chars().all(|c| c == 'a')
    };
    let mut left = Vec::new();
    for (name, d) in every_state() {
        let d = speaking(d, Lang::Pseudo);
        let screen = shown_lines(&render(&d, 200, 60));
        let overlay = d.view.help || d.view.compare || d.prediction.on;
        let text = unmarked(&screen.join("\n"), !overlay);
        if std::env::var("SHOW_PSEUDO").is_ok() {
            println!("== {name}\n{}\n{text}", screen.join("\n"));
        }
        for word in words(&text) {
            if !is_data(&word) {
                left.push(format!("{name}: {word}"));
            }
        }
    }
    left.dedup();
    assert!(left.is_empty(), "unmarked words on screen: {left:#?}");
}

/// `screen` without what is inside `⟦…⟧` (marks nest: a message's
/// argument may be one), nor client bytes' escapes (`\\xff`).
/// `strict`: no overlay covers the panels and nothing wraps, so no mark
/// may be cut (a cut one would hide what follows it). Else a border ends
/// what a mark holds, and a message wrapped in a box goes on on the next
/// line where the box's text starts.
fn unmarked(screen: &str, strict: bool) -> String {
    use unicode_width::UnicodeWidthChar;
    let border = |c: char| ('\u{2500}'..='\u{257f}').contains(&c);
    let mut out = String::new();
    // The marks open at the end of each box's text on the line above, by
    // the column the text starts at.
    let mut open: Vec<(usize, usize)> = Vec::new();
    for line in screen.lines() {
        let mut still_open = Vec::new();
        let mut column = 0;
        let mut segments = Vec::new();
        let mut segment = String::new();
        let mut starts = 0;
        for c in line.chars() {
            if border(c) {
                segments.push((starts, std::mem::take(&mut segment)));
                column += 1;
                starts = column;
            } else {
                segment.push(c);
                column += c.width().unwrap_or(0);
            }
        }
        segments.push((starts, segment));
        for (starts, segment) in segments {
            let carried = open.iter().find(|(at, _)| *at == starts).map(|(_, d)| *d);
            let mut depth = if strict { 0 } else { carried.unwrap_or(0) };
            let mut kept = String::new();
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                match c {
                    '⟦' => depth += 1,
                    '⟧' if depth == 0 => {
                        // The end of a mark an overlay cut: what came
                        // before it in this box was in the mark.
                        assert!(!strict, "a mark closes that was not opened:\n{line}");
                        kept.clear();
                    }
                    '⟧' => depth -= 1,
                    '\\' if depth == 0 => {
                        // An escape: `\\xNN` or `\\n`.
                        if chars.next() == Some('x') {
                            chars.next();
                            chars.next();
                        }
                        kept.push(' ');
                    }
                    c if depth == 0 => kept.push(c),
                    _ => {}
                }
            }
            assert!(!strict || depth == 0, "a mark is cut:\n{line}");
            if depth > 0 {
                still_open.push((starts, depth));
            }
            out.push_str(&kept);
            out.push(' ');
        }
        open = still_open;
        out.push('\n');
    }
    out
}

/// The runs of three or more ASCII letters in `text`.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .map(String::from)
        .collect()
}

#[test]
fn the_pseudo_check_finds_what_is_not_marked() {
    let text = unmarked("⟦Connected⟧ 2 ⟦of ⟦4⟧ accepted⟧ nope \\xff recv", true);
    assert_eq!(words(&text), ["nope", "recv"]);
    let cut = std::panic::catch_unwind(|| unmarked("⟦con ⟦peer⟧ hidden", true));
    assert!(cut.is_err(), "a cut mark hides what follows it");
    // Under an overlay a border ends the mark; wrapped in a box, a mark
    // goes on where the box's text starts on the next line.
    let text = unmarked("│⟦one two│three⟧ four│⟦five⟧", false);
    assert_eq!(words(&text), ["four"]);
    let text = unmarked("│ab│⟦one two│\n│cd│three four│\n│ef│five⟧ six│", false);
    assert_eq!(words(&text), ["six"]);
}

/// `L` switches the whole screen's language, says so for a few seconds,
/// and switches back.
#[test]
fn l_switches_the_language_live_and_says_so() {
    let mut d = lecture_script(false);
    let footer = |d: &Dashboard| {
        let t = render(d, 120, 36);
        let b = t.backend().buffer();
        // Without blanks: a wide character's second column is one.
        let rows: Vec<String> = (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol())
                    .filter(|s| *s != " ")
                    .collect()
            })
            .collect();
        rows
    };
    let before = footer(&d);
    assert!(before[1].contains("RUNNING"), "{}", before[1]);
    let key = KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT);
    d.handle(action_for_key(key, false).unwrap());
    assert_eq!(d.view.lang, Lang::Zh);
    let after = footer(&d);
    assert!(after[1].contains("运行中"), "{}", after[1]);
    assert!(after[35].contains("语言:中文"), "{}", after[35]);
    d.handle(Action::NextLang);
    assert_eq!(d.view.lang, Lang::En);
    assert!(footer(&d)[35].contains("language:English"));
}
