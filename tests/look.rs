//! How the screen looks for a room: the themes (`--theme`, `T`), plain
//! ASCII (`--ascii`), `NO_COLOR`, the mouse through the runtime, and the
//! addresses the room's laptops reach a server on `0.0.0.0` at.

mod common;

use std::net::IpAddr;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ioscope::app::{Action, Dashboard, Panel, Theme};
use ioscope::event::{Call, Event, EventKind, Model, Reach, Role};
use ioscope::i18n::Lang;
use ioscope::probe::channel;
use ioscope::replay::{ManualClock, Replay, ReplayInfo};
use ioscope::runtime::{Exit, Input};
use ioscope::server::{ServerConfig, ServerHost};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn ev(t_us: u64, kind: EventKind) -> Event {
    Event { t_us, kind }
}

fn listening(model: Model, addr: &str, reachable: Vec<Reach>) -> Event {
    ev(
        0,
        EventKind::Listening {
            addr: addr.into(),
            model,
            backlog: 5,
            faithful: false,
            verbatim: false,
            cpu_split: true,
            reachable,
        },
    )
}

fn spin(t: u64) -> [Event; 2] {
    [
        ev(
            t,
            EventKind::Spin {
                spins: 10_000,
                cpu_user_us: 1_000,
                cpu_sys_us: 19_000,
                empty_recvs: 0,
                empty_sends: 0,
            },
        ),
        ev(
            t,
            EventKind::WouldBlock {
                accept: 10_000,
                recv: 20_000,
                send: 0,
            },
        ),
    ]
}

/// Three seconds of the busy loop: clients come and talk (one with bytes
/// no terminal font has), one closes, one resets; the history has bars.
fn busy_loop() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening(Model::Nonblocking, "127.0.0.1:8080", vec![]));
    let mut t = 0;
    while t < 3_000_000 {
        t += 20_000;
        for e in spin(t) {
            d.apply(&e);
        }
        match t {
            400_000 => {
                for conn in 1..=4 {
                    let peer = format!("127.0.0.1:{}", 50_000 + conn);
                    d.apply(&ev(t, EventKind::Accept { conn, peer }));
                }
            }
            800_000 => {
                for (conn, text, upper) in [
                    (1, "hello\\n", "HELLO\\n"),
                    (2, "ni hao 你好 ✓\\n", "NI HAO 你好 ✓\\n"),
                ] {
                    d.apply(&ev(
                        t,
                        EventKind::Recv {
                            conn,
                            bytes: 6,
                            spin: 1,
                            preview: text.into(),
                        },
                    ));
                    d.apply(&ev(
                        t,
                        EventKind::Send {
                            conn,
                            bytes: 6,
                            spin: 1,
                            preview: upper.into(),
                            pending: 0,
                        },
                    ));
                }
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
            _ => {}
        }
        d.tick(t);
    }
    d.apply(&ev(t, EventKind::Dropped { count: 3 }));
    d.tick(3_050_000);
    d
}

/// `threaded`: a thread per client, each parked in recv().
fn threads() -> Dashboard {
    let mut d = Dashboard::new();
    d.apply(&listening(Model::Threaded, "127.0.0.1:8080", vec![]));
    let thread = |t, name: &str, role, conn| {
        ev(
            t,
            EventKind::Thread {
                thread: name.into(),
                role,
                alive: true,
                conn,
            },
        )
    };
    d.apply(&thread(10, "accept", Role::AcceptSpawn, None));
    for conn in 1..=3u64 {
        let t = conn * 100_000;
        let peer = format!("127.0.0.1:{}", 50_000 + conn);
        d.apply(&ev(t, EventKind::Accept { conn, peer }));
        let name = format!("conn-{conn}");
        d.apply(&thread(t, &name, Role::Client, Some(conn)));
        d.apply(&ev(
            t + 10,
            EventKind::Blocked {
                thread: name,
                call: Call::Recv,
                conn: Some(conn),
            },
        ));
    }
    d.tick(1_000_000);
    d
}

fn render(d: &Dashboard, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ioscope::ui::draw(f, d)).unwrap();
    terminal
}

/// The screen's rows as a person reads them (a wide character once, not
/// followed by the column it hides).
fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            let mut row = String::new();
            let mut hidden = 0;
            for x in area.left()..area.right() {
                let symbol = buffer[(x, y)].symbol();
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                hidden = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cells a terminal shows: not the columns a wide character covers
/// (the terminal paints them with the wide character's colours; a test
/// backend leaves them as they were).
fn shown_cells(buffer: &Buffer) -> Vec<&ratatui::buffer::Cell> {
    let mut hidden = 0;
    let mut cells = Vec::new();
    for cell in &buffer.content {
        if hidden > 0 {
            hidden -= 1;
            continue;
        }
        hidden = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
        cells.push(cell);
    }
    cells
}

fn with_theme(mut d: Dashboard, theme: Theme) -> Dashboard {
    d.view.theme = theme;
    d
}

/// The frame with its styles (fg, bg, modifiers), as a terminal gets it.
fn styled(d: &Dashboard, width: u16, height: u16) -> String {
    format!("{:?}", render(d, width, height).backend().buffer())
}

#[test]
fn snapshot_dark_theme_styles() {
    insta::assert_snapshot!(styled(&busy_loop(), 80, 24));
}

#[test]
fn snapshot_light_theme_styles() {
    insta::assert_snapshot!(styled(&with_theme(busy_loop(), Theme::Light), 80, 24));
}

#[test]
fn snapshot_high_contrast_theme_styles() {
    insta::assert_snapshot!(styled(
        &with_theme(busy_loop(), Theme::HighContrast),
        80,
        24
    ));
}

/// The dark theme is the screen as it always was: asked for by name or
/// not, the frame is the same, cell for cell and style for style.
#[test]
fn dark_is_the_screen_as_it_was() {
    let d = busy_loop();
    assert_eq!(d.view.theme, Theme::Dark, "the default");
    let named = with_theme(busy_loop(), Theme::Dark);
    assert_eq!(
        render(&d, 120, 36).backend().buffer(),
        render(&named, 120, 36).backend().buffer()
    );
}

/// Every state that says something by colour in the dark theme says it in
/// words or a symbol too, so high contrast (no red, no green) loses none.
#[test]
fn high_contrast_has_no_red_or_green_and_every_state_has_words() {
    let mut d = with_theme(busy_loop(), Theme::HighContrast);
    for (width, height) in [(80, 24), (120, 36), (200, 60)] {
        let screen = render(&d, width, height);
        let buffer = screen.backend().buffer();
        for cell in shown_cells(buffer) {
            for c in [cell.fg, cell.bg] {
                assert!(
                    matches!(c, Color::Indexed(_)),
                    "a colour the terminal's scheme may change: {c:?}"
                );
                assert!(!is_red_or_green(c), "{c:?} at {width}x{height}");
            }
        }
        let shown = text(buffer);
        for words in ["● RUNNING", "reset", "closed", "ECONNRESET"] {
            assert!(shown.contains(words), "{words}: {shown}");
        }
    }
    d.handle(Action::TogglePause);
    assert!(text(render(&d, 120, 36).backend().buffer()).contains("‖ PAUSED"));
    // The focused panel's border is heavy: the focus is not a colour only.
    let shown = text(render(&d, 120, 36).backend().buffer());
    assert!(shown.contains("┏ Connected"), "{shown}");
    assert!(shown.contains("┌ Disconnected"), "{shown}");
}

/// A colour of the 256-colour table whose hue is red or green.
fn is_red_or_green(c: Color) -> bool {
    let Color::Indexed(n) = c else {
        return matches!(
            c,
            Color::Red | Color::LightRed | Color::Green | Color::LightGreen
        );
    };
    if !(16..232).contains(&n) {
        return matches!(n, 1 | 2 | 9 | 10);
    }
    let n = n - 16;
    let (r, g, b) = (n / 36, (n / 6) % 6, n % 6);
    // Red: red well above green and blue; green: green above both.
    (r >= g + 2 && r >= b + 2 && g <= 1) || (g >= r + 2 && g >= b + 2)
}

/// Light: dark text on a white screen, never light grey on white.
#[test]
fn light_is_dark_text_on_white() {
    let d = with_theme(busy_loop(), Theme::Light);
    let screen = render(&d, 120, 36);
    let buffer = screen.backend().buffer();
    let grey = |n: u8| (232..=255).contains(&n).then(|| 8 + (n - 232) * 10);
    for cell in shown_cells(buffer) {
        let (Color::Indexed(fg), Color::Indexed(bg)) = (cell.fg, cell.bg) else {
            panic!("a colour the terminal's scheme may change: {cell:?}");
        };
        assert!(
            grey(fg).is_none_or(|level| level < 120) && fg != 7 && fg != 15,
            "light text: {cell:?}"
        );
        assert!(
            matches!(bg, 231 | 114 | 220 | 229 | 153 | 152 | 217 | 219 | 252),
            "a dark background: {cell:?}"
        );
    }
    assert!(buffer.content.iter().any(|c| c.bg == Color::Indexed(231)));
}

#[test]
fn t_cycles_the_themes_and_back() {
    let mut d = busy_loop();
    let mut seen = vec![d.view.theme];
    for _ in 0..3 {
        let key = KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT);
        d.handle(ioscope::app::action_for_key(key, false).unwrap());
        seen.push(d.view.theme);
    }
    assert_eq!(
        seen,
        [Theme::Dark, Theme::Light, Theme::HighContrast, Theme::Dark]
    );
    // The help lists the key, in words.
    d.handle(Action::ToggleHelp);
    d.handle(Action::ScrollEnd);
    let shown = text(render(&d, 100, 50).backend().buffer());
    assert!(
        shown.contains("T               colours: dark / light / high contrast"),
        "{shown}"
    );
    d.view.lang = Lang::Zh;
    let shown = text(render(&d, 100, 50).backend().buffer());
    assert!(shown.contains("配色"), "{shown}");
}

/// `NO_COLOR`: no colour anywhere, whatever the theme; bold and reversed
/// stay (the selected log line), and the focus is a heavy border.
#[test]
fn no_color_has_no_colour_but_bold_reversed_and_a_heavy_focus() {
    for theme in Theme::ALL {
        let mut d = with_theme(busy_loop(), theme);
        d.view.no_color = true;
        d.view.focus = Panel::Log;
        d.handle(Action::ScrollUp(1));
        let screen = render(&d, 120, 36);
        let buffer = screen.backend().buffer();
        assert!(
            buffer
                .content
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
            "{theme:?}"
        );
        assert!(
            buffer
                .content
                .iter()
                .any(|c| c.modifier.contains(Modifier::REVERSED))
        );
        assert!(
            buffer
                .content
                .iter()
                .any(|c| c.modifier.contains(Modifier::BOLD))
        );
        assert!(text(buffer).contains("┏ Event log"), "{theme:?}");
    }
}

/// The screens `--ascii` must draw without a character outside ASCII.
fn ascii_states() -> Vec<(&'static str, Dashboard, (u16, u16))> {
    let mut states = Vec::new();
    let ascii = |mut d: Dashboard| {
        d.view.ascii = true;
        d
    };
    for size in [(80, 24), (120, 36), (200, 60)] {
        states.push(("nonblocking with clients", ascii(busy_loop()), size));
        states.push(("threads", ascii(threads()), size));
        let mut help = ascii(busy_loop());
        help.handle(Action::ToggleHelp);
        states.push(("help", help, size));
        for mut code in [ascii(busy_loop()), ascii(threads())] {
            code.handle(Action::ToggleCode);
            states.push(("code panel", code, size));
        }
        let mut explained = ascii(busy_loop());
        explained.view.focus = Panel::Log;
        explained.handle(Action::Explain);
        states.push(("explain", explained, size));
        let mut compared = ascii(busy_loop());
        compared.handle(Action::ToggleCompare);
        states.push(("compare", compared, size));
        let mut replay = ascii(busy_loop());
        replay.replay = Some(ReplayInfo {
            at_us: 3_000_000,
            duration_us: 9_000_000,
            speed: 2.0,
            paused: true,
            ended: false,
            live: false,
            stopped: None,
            wall_us: 0,
            marks: Vec::new().into(),
            reached: None,
        });
        states.push(("replay footer", replay, size));
        let mut chinese = ascii(busy_loop());
        chinese.view.lang = Lang::Zh;
        states.push(("Chinese", chinese, size));
        let mut marked = ascii(busy_loop());
        marked.view.lang = Lang::Pseudo;
        for theme in Theme::ALL {
            marked.view.theme = theme;
            states.push(("every theme", marked.clone(), size));
        }
    }
    states
}

#[test]
fn ascii_draws_nothing_outside_ascii_in_any_state() {
    for (what, d, (width, height)) in ascii_states() {
        let screen = render(&d, width, height);
        let shown = text(screen.backend().buffer());
        let bad: Vec<char> = shown.chars().filter(|c| !c.is_ascii()).collect();
        assert!(
            bad.is_empty(),
            "{what} at {width}x{height}: {bad:?}\n{shown}"
        );
        // The same layout: every row as wide as the screen, cell for cell.
        for row in shown.lines() {
            assert_eq!(row.len(), width as usize, "{what}: {row}");
        }
    }
}

/// Where a plain frame has box drawing, the ASCII one has its look-alike;
/// everything else stays where it was.
#[test]
fn ascii_keeps_the_layout_cell_for_cell() {
    let d = busy_loop();
    let mut plain = busy_loop();
    plain.view.ascii = true;
    let (fancy, ascii) = (render(&d, 120, 36), render(&plain, 120, 36));
    let (fancy, ascii) = (fancy.backend().buffer(), ascii.backend().buffer());
    let mut hidden = 0;
    for (f, a) in fancy.content.iter().zip(&ascii.content) {
        // The columns a wide character hides are its `?`s now.
        if hidden > 0 {
            hidden -= 1;
            assert_eq!(a.symbol(), "?");
            continue;
        }
        hidden = unicode_width::UnicodeWidthStr::width(f.symbol()).saturating_sub(1);
        if f.symbol().is_ascii() {
            // ... or the space an arrow takes (`recv-> 0`).
            if (f.symbol(), a.symbol()) != (" ", "-") {
                assert_eq!(f.symbol(), a.symbol());
            }
        } else {
            assert!(a.symbol().is_ascii() && a.symbol().len() == 1, "{a:?}");
        }
        assert_eq!(f.style(), a.style());
    }
}

#[test]
fn snapshot_ascii_main_screen() {
    let mut d = busy_loop();
    d.view.ascii = true;
    insta::assert_snapshot!(render(&d, 120, 36).backend());
}

#[test]
fn snapshot_ascii_projector_big_digits_and_bars() {
    let mut d = busy_loop();
    d.view.ascii = true;
    insta::assert_snapshot!(render(&d, 120, 40).backend());
}

/// Builds a recording whose events are all due at once.
fn recording(events: &[Event]) -> ioscope::record::Recording {
    use ioscope::record::{self, Header, Recorder};
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A file of each call's own: tests run side by side.
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "ioscope-look-{}-{}.jsonl",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let recorder = Recorder::create(&path, &Header::now()).unwrap();
    recorder.tap().forward(events.to_vec());
    recorder.finish(1_000).unwrap();
    let recording = record::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    recording
}

/// Thirty clients, each with a line in the log, two gone.
fn crowd() -> Vec<Event> {
    let mut events = vec![listening(Model::Nonblocking, "127.0.0.1:8080", vec![])];
    for conn in 1..=30 {
        let peer = format!("127.0.0.1:{}", 50_000 + conn);
        events.push(ev(0, EventKind::Accept { conn, peer }));
    }
    events.push(ev(0, EventKind::Closed { conn: 29 }));
    events.push(ev(0, EventKind::Closed { conn: 30 }));
    events
}

/// The runtime drives a replay (its clock stands still: every event is
/// due at once) at 100×30 with `script`, then `q`.
fn run(script: &[Input]) -> (Dashboard, Terminal<TestBackend>) {
    let source = Replay::with_clock(recording(&crowd()), vec![], Box::new(ManualClock::new()));
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    for input in script {
        input_tx.send(input.clone()).unwrap();
    }
    input_tx
        .send(Input::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        )))
        .unwrap();
    let (exit, d, terminal) = common::run_dashboard(&source, None, &inputs, (100, 30));
    assert_eq!(exit, Exit::Quit);
    (d, terminal)
}

fn mouse(kind: MouseEventKind, (column, row): (u16, u16)) -> Input {
    Input::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(at: (u16, u16)) -> Input {
    mouse(MouseEventKind::Down(MouseButton::Left), at)
}

/// Where `needle` (ASCII) is on screen: its first cell.
fn find(terminal: &Terminal<TestBackend>, needle: &str) -> (u16, u16) {
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let cells: Vec<&str> = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        for x in 0..cells.len() {
            let mut rest = needle;
            for cell in &cells[x..] {
                match rest.strip_prefix(cell) {
                    Some(r) => rest = r,
                    None => break,
                }
                if rest.is_empty() {
                    return (x as u16, y);
                }
            }
        }
    }
    panic!("{needle} is not on screen:\n{}", text(buffer));
}

#[test]
fn a_click_focuses_the_panel_under_it_and_explains_a_log_line() {
    // Where things are, as the first frame draws them.
    let (before, screen) = run(&[]);
    assert_eq!(before.view.focus, Panel::Connected);
    let gone = find(&screen, "Disconnected");
    let accept = find(&screen, "accept      #28");

    let (d, _) = run(&[click(gone)]);
    assert_eq!(d.view.focus, Panel::Disconnected);
    assert!(!d.view.explain);

    let (d, screen) = run(&[click((accept.0 + 20, accept.1))]);
    assert_eq!(d.view.focus, Panel::Log);
    assert!(d.view.explain, "the explanation opened");
    match d.selected_event().map(|e| &e.kind) {
        Some(EventKind::Accept { conn: 28, .. }) => {}
        other => panic!("selected {other:?}"),
    }
    let shown = text(screen.backend().buffer());
    assert!(shown.contains("Explain: accept"), "{shown}");
    // The selected line is drawn reversed.
    let row = accept.1;
    assert!(
        screen.backend().buffer()[(accept.0, row)]
            .modifier
            .contains(Modifier::REVERSED)
    );

    // The same line again closes it; the selection stays.
    let (d, _) = run(&[click(accept), click(accept)]);
    assert!(!d.view.explain);
    assert_eq!(d.view.focus, Panel::Log);
    assert!(d.view.selected().is_some());

    // Another panel: the log's selection and explanation go.
    let (d, _) = run(&[click(accept), click(gone)]);
    assert_eq!(d.view.focus, Panel::Disconnected);
    assert!(!d.view.explain && d.view.selected().is_none());

    // The header is no panel: nothing changes.
    let (d, _) = run(&[click((2, 1))]);
    assert_eq!(d.view.focus, Panel::Connected);
}

#[test]
fn the_wheel_scrolls_the_list_under_the_pointer_and_leaves_the_focus() {
    let (_, screen) = run(&[]);
    let conns = find(&screen, "#1 ");
    let log = find(&screen, "accept      #28");
    let (d, screen) = run(&[
        mouse(MouseEventKind::ScrollDown, conns),
        mouse(MouseEventKind::ScrollDown, conns),
        mouse(MouseEventKind::ScrollUp, log),
    ]);
    assert_eq!(d.view.focus, Panel::Connected, "the wheel moves no focus");
    assert_eq!(d.view.scroll_of(Panel::Connected), 6);
    assert_eq!(d.view.scroll_of(Panel::Log), 3, "three rows back");
    assert!(d.view.selected().is_none(), "nothing selected by the wheel");
    let shown = text(screen.backend().buffer());
    assert!(!shown.contains("#1   :50001"), "scrolled past #1:\n{shown}");
    assert!(shown.contains("#7   "), "{shown}");
    assert!(shown.contains("3 back"), "{shown}");
    // Down again: back to the tail.
    let (d, _) = run(&[
        mouse(MouseEventKind::ScrollUp, log),
        mouse(MouseEventKind::ScrollDown, log),
    ]);
    assert_eq!(d.view.scroll_of(Panel::Log), 0);
}

#[test]
fn with_the_help_open_the_wheel_scrolls_it_and_a_click_closes_it() {
    let help = Input::Action(Action::ToggleHelp);
    let (d, _) = run(&[help.clone(), mouse(MouseEventKind::ScrollDown, (50, 15))]);
    assert!(d.view.help);
    assert_eq!(d.view.help_scroll, 2, "as far as it goes: 2 rows");
    assert_eq!(d.view.scroll_of(Panel::Connected), 0);
    let (d, _) = run(&[help, click((50, 15))]);
    assert!(!d.view.help);
    assert_eq!(d.view.focus, Panel::Connected, "the click only closed it");
}

/// The keys still do all of it: a terminal without a mouse loses nothing.
#[test]
fn keys_alone_still_focus_and_explain() {
    let key = |code| Input::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let (d, screen) = run(&[key(KeyCode::BackTab), key(KeyCode::Up), key(KeyCode::Enter)]);
    assert_eq!(d.view.focus, Panel::Log);
    assert!(d.view.explain);
    assert!(text(screen.backend().buffer()).contains("Explain: "));
}

/// The addresses the room's laptops use show in the empty list's hint and
/// the help; on loopback nothing changes.
#[test]
fn beyond_loopback_the_hint_and_the_help_say_what_to_type() {
    let reach = |ip: &str, iface: &str| Reach {
        ip: ip.into(),
        iface: iface.into(),
    };
    let mut d = Dashboard::new();
    d.apply(&listening(
        Model::Nonblocking,
        "0.0.0.0:8080",
        vec![
            reach("192.168.1.23", "wlan0"),
            reach("10.8.0.2", "tun0"),
            reach("172.17.0.1", "docker0"),
        ],
    ));
    d.tick(100_000);
    let shown = text(render(&d, 200, 60).backend().buffer());
    assert!(
        shown.contains("no clients yet — connect with: nc 192.168.1.23 8080"),
        "{shown}"
    );
    let shown = text(render(&d, 120, 36).backend().buffer());
    assert!(shown.contains("│nc 192.168.1.23 8080 "), "{shown}");
    assert!(
        shown.contains("also: 10.8.0.2 (tun0) · 172.17.0.1 (docker0)"),
        "{shown}"
    );
    insta::assert_snapshot!(render(&d, 120, 36).backend());
    d.handle(Action::ToggleHelp);
    let shown = text(render(&d, 120, 36).backend().buffer());
    assert!(
        shown.contains("From the room's laptops: nc 192.168.1.23 8080"),
        "{shown}"
    );
    assert!(shown.contains("this machine: 192.168.1.23 (wlan0) · 10.8.0.2 (tun0)"));
    d.view.lang = Lang::Zh;
    let shown = text(render(&d, 120, 36).backend().buffer());
    assert!(shown.contains("nc 192.168.1.23 8080"), "{shown}");
    assert!(shown.contains("本机地址:192.168.1.23 (wlan0)"), "{shown}");

    // Loopback: as it always was.
    let mut local = Dashboard::new();
    local.apply(&listening(Model::Nonblocking, "127.0.0.1:8080", vec![]));
    local.tick(100_000);
    let shown = text(render(&local, 200, 60).backend().buffer());
    assert!(shown.contains("no clients yet — connect with: nc 127.0.0.1 8080"));
    assert!(!shown.contains("also:"));
    local.handle(Action::ToggleHelp);
    let shown = text(render(&local, 120, 36).backend().buffer());
    assert!(!shown.contains("room's laptops"), "{shown}");
}

/// A real server on `0.0.0.0:0` (connected to only through 127.0.0.1):
/// the screen names one of this machine's addresses that is not loopback.
#[test]
fn listening_on_every_interface_shows_an_address_the_room_can_reach() {
    let others: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && i.ip().is_ipv4())
        .map(|i| i.ip())
        .collect();
    if others.is_empty() {
        eprintln!(
            "skipped: this machine has no IPv4 address but loopback, so there is none to show"
        );
        return;
    }
    let (tx, events) = channel::channel();
    let mut config = ServerConfig::new("0.0.0.0:0".parse().unwrap());
    config.model = Model::Multiplex;
    let host = ServerHost::start(config, tx, Instant::now(), std::time::Duration::ZERO).unwrap();
    let port = host.addr().port();
    let mut d = Dashboard::new();
    let deadline = Instant::now() + common::DEADLINE;
    while d.server.is_none() {
        assert!(Instant::now() < deadline, "no listening event");
        if let Ok(batch) = events.recv_timeout(std::time::Duration::from_millis(50)) {
            batch.iter().for_each(|e| d.apply(e));
        }
    }
    let server = d.server.clone().unwrap();
    assert!(!server.reachable.is_empty(), "{server:?}");
    assert!(
        server
            .reachable
            .iter()
            .all(|r| r.ip != "127.0.0.1" && others.contains(&r.ip.parse().unwrap())),
        "{server:?} vs {others:?}"
    );
    let first = &server.reachable[0].ip;
    d.tick(d.now_us);
    let shown = text(render(&d, 120, 36).backend().buffer());
    assert!(shown.contains(&format!("nc {first} {port}")), "{shown}");
    // A client on loopback is served as any other.
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    common::round_trip(&mut client, b"from the back row\n");
}

/// `replay --cast` draws in the theme and the characters asked for.
#[test]
fn a_cast_takes_the_theme_and_ascii() {
    let dir = std::env::temp_dir();
    let file = dir.join(format!("ioscope-look-cast-{}.jsonl", std::process::id()));
    let header = format!(
        r#"{{"ioscope_recording":1,"version":"{}","platform":{{"os":"linux","cpu_split":true}},"started":0}}"#,
        env!("CARGO_PKG_VERSION")
    );
    let lines = [
        header.as_str(),
        r#"{"t_us":10,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}"#,
        r#"{"t_us":20,"kind":"accept","conn":1,"peer":"127.0.0.1:9"}"#,
        r#"{"t_us":300000,"kind":"closed","conn":1}"#,
        r#"{"ioscope_summary":{"events":3,"dropped":0,"duration_us":500000}}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let cast = |args: &[&str]| {
        let out_file = file.with_extension(format!("{}.cast", args.join("")));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ioscope"))
            .arg("replay")
            .arg(&file)
            .arg("--cast")
            .arg(&out_file)
            .args(args)
            .env_remove("NO_COLOR")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = std::fs::read_to_string(&out_file).unwrap();
        std::fs::remove_file(&out_file).unwrap();
        text
    };
    let plain = cast(&[]);
    assert!(plain.contains('┌') && !plain.contains("48;5;231"));
    let light = cast(&["--theme", "light", "--ascii"]);
    assert!(light.contains("48;5;231"), "the light theme's white");
    let frames: String = light.lines().skip(1).collect();
    assert!(frames.is_ascii(), "--ascii in a cast");
    assert!(frames.contains("Connected") && frames.contains("----"));
    std::fs::remove_file(&file).unwrap();
}
