//! The real dashboard in a real terminal: tmux runs a shell, the shell runs
//! ioscope, the test reads the screen. Every way out must leave the shell in
//! cooked mode on the main screen with the cursor shown: q, Ctrl-C, SIGTERM,
//! SIGHUP (the terminal closed), a panic on the server thread, a panic on
//! the UI thread, a frame that cannot be written. Ctrl-Z (or SIGTSTP) hands
//! the terminal back to the shell and `fg` takes it again; a stdin or
//! stdout that is not the terminal is refused before anything is touched.
//!
//! Needs tmux (the machine has it; a missing tmux fails loudly).

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(15);

/// A tmux server of the test's own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// A 120×36 session running a plain shell.
    fn new() -> Tmux {
        Tmux::with_shell("sh")
    }

    /// A 120×36 session running `shell` (`sh`, or `bash` with job control)
    /// with the prompt `$ `.
    fn with_shell(shell: &str) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "ioscope-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let t = Tmux { socket };
        let out = t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "36",
            "sh",
            "-c",
            &format!("PS1='$ ' exec {shell}"),
        ]);
        assert!(out.status.success(), "tmux failed: {out:?}");
        t
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux is needed for the terminal tests (apt install tmux)")
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.tmux(&args).status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// A flag of the pane, as tmux knows it (`alternate_on`, `cursor_flag`).
    fn flag(&self, name: &str) -> bool {
        let format = format!("#{{{name}}}");
        let out = self.tmux(&["display-message", "-p", "-t", "t", &format]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// The pane shows the main screen with the cursor visible, and the
    /// mouse is the terminal's again (clicks select text).
    fn assert_main_screen(&self) {
        assert!(!self.flag("alternate_on"), "still on the alternate screen");
        assert!(self.flag("cursor_flag"), "the cursor is hidden");
        assert!(!self.flag("mouse_any_flag"), "mouse reports still on");
    }

    /// The dashboard asked for clicks and the wheel (SGR coordinates),
    /// not for every motion of the pointer.
    fn assert_mouse_reported(&self) {
        assert!(self.flag("mouse_standard_flag"), "no mouse reports");
        assert!(self.flag("mouse_sgr_flag"), "no SGR mouse coordinates");
        assert!(!self.flag("mouse_all_flag"), "every motion reported");
    }

    /// Asks the shell for the terminal's modes; the answer is the line
    /// ending in `tag` (see [`mode_line`]).
    fn ask_mode(&self, tag: &str) {
        let line = format!(
            "stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo {tag}"
        );
        self.send(&[&line, "Enter"]);
    }

    /// Reads the screen until `pred` holds; panics with the screen after
    /// the deadline.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not on screen within {DEADLINE:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts ioscope with `args` (and `env`), then, when it ends, prints
    /// its exit code and the terminal mode.
    fn run_ioscope(&self, env: &str, args: &str) {
        let bin = env!("CARGO_BIN_EXE_ioscope");
        self.run_then_report(&format!("{env} {bin} {args}"), "$?");
    }

    /// Runs `command`, then prints `EXIT=` and `status` (how the shell
    /// names the exit code that counts), then the terminal mode.
    fn run_then_report(&self, command: &str, status: &str) {
        let line = format!(
            "{command}; echo EXIT={status}; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo MODE"
        );
        self.send(&[&line, "Enter"]);
    }

    /// Starts ioscope with `args` alone on the command line, as a job of
    /// the shell's own.
    fn start_ioscope(&self, args: &str) {
        let bin = env!("CARGO_BIN_EXE_ioscope");
        self.send(&[&format!("{bin} {args}"), "Enter"]);
    }

    /// The pid of the ioscope running in the pane's shell.
    fn ioscope_pid(&self) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let out = Command::new("pgrep")
                .args(["-f", &format!("{} serve", env!("CARGO_BIN_EXE_ioscope"))])
                .output()
                .unwrap();
            let pids = String::from_utf8_lossy(&out.stdout).to_string();
            // Several tests may run at once: ours is the child of our shell.
            let shell = String::from_utf8_lossy(
                &self
                    .tmux(&["list-panes", "-t", "t", "-F", "#{pane_pid}"])
                    .stdout,
            )
            .trim()
            .to_string();
            for pid in pids.lines() {
                let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| {
                        s.rsplit(')')
                            .next()
                            .map(|r| r.split_whitespace().nth(1).unwrap_or("").to_string())
                    });
                if ppid.as_deref() == Some(shell.as_str()) {
                    return pid.to_string();
                }
            }
            assert!(Instant::now() < deadline, "no ioscope process found");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// After ioscope ended: it exited as expected, the shell is in cooked mode
/// (icanon, echo), the alternate screen is gone and the cursor shows.
fn assert_restored(t: &Tmux, screen: &str, exit: &str) {
    assert!(
        screen.contains(&format!("EXIT={exit}")),
        "exit code:\n{screen}"
    );
    assert_cooked(screen, "MODE");
    assert!(
        !screen.contains("┌ ioscope"),
        "the dashboard is still on screen:\n{screen}"
    );
    t.assert_main_screen();
}

/// The modes the shell printed on the line ending in `tag` are cooked.
fn assert_cooked(screen: &str, tag: &str) {
    let mode = tagged_line(screen, tag).unwrap_or_else(|| panic!("no {tag} line:\n{screen}"));
    assert!(mode.split(' ').any(|w| w == "icanon"), "still raw: {mode}");
    assert!(mode.split(' ').any(|w| w == "echo"), "echo off: {mode}");
}

/// The line the shell printed after ioscope ended: the terminal's modes,
/// then MODE (not the typed command line, which also ends in `echo MODE`).
fn mode_line(screen: &str) -> Option<&str> {
    tagged_line(screen, "MODE")
}

/// The line a command ending in `echo TAG` printed (not the command line).
fn tagged_line<'s>(screen: &'s str, tag: &str) -> Option<&'s str> {
    let typed = format!("; echo {tag}");
    screen
        .lines()
        .map(str::trim_end)
        .find(|l| l.ends_with(tag) && !l.contains(&typed))
}

fn shell_back(screen: &str) -> bool {
    mode_line(screen).is_some()
}

fn dashboard_up(screen: &str) -> bool {
    screen.contains("┌ ioscope") && screen.contains("RUNNING")
}

/// The spin counter in the header, as a number.
fn spins(screen: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains(" spins "))?;
    let after = line.split(" spins ").nth(1)?;
    after
        .split_whitespace()
        .next()?
        .replace(',', "")
        .parse()
        .ok()
}

/// "Connected 3 of 10 accepted": the 10 (the header's listen queue says
/// "not accepted" too: the panel's title it is).
fn accepted(screen: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains("┌ Connected"))?;
    let before = line.split(" accepted").next()?;
    before.split_whitespace().last()?.parse().ok()
}

#[test]
fn the_demo_runs_and_q_restores_the_shell() {
    let t = Tmux::new();
    t.run_ioscope("", "serve --demo --addr 127.0.0.1:0 --idle-delay-us 200");
    let first = t.wait_for("the dashboard", dashboard_up);
    assert!(first.contains("DEMO"), "{first}");
    t.assert_mouse_reported();
    let spins0 = spins(&first).unwrap_or(0);
    // The demo connects clients by itself: the lists and counters move.
    let later = t.wait_for("demo clients and a moving spin counter", |s| {
        accepted(s).unwrap_or(0) >= 2 && spins(s).unwrap_or(0) > spins0
    });
    assert!(
        later.contains("◆chatty") || later.contains("◆idle"),
        "{later}"
    );
    t.send(&["q"]);
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
}

/// A click as the terminal reports it (SGR: 1-based column and row), at
/// `needle`'s first character on `screen`.
fn click_on(t: &Tmux, screen: &str, needle: &str) {
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not on screen:\n{screen}"));
    let column = line[..line.find(needle).unwrap()].chars().count();
    let (x, y) = (column + 1, row + 1);
    t.send(&["-l", &format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m")]);
}

#[test]
fn a_click_in_the_terminal_explains_a_log_line_and_focuses_a_panel() {
    let t = Tmux::new();
    t.run_ioscope("", "serve --addr 127.0.0.1:0 --idle-delay-us 200 --ascii");
    let screen = t.wait_for("the log's first line", |s| {
        s.contains("RUNNING") && s.contains("listening   nonblocking")
    });
    click_on(&t, &screen, "listening   nonblocking");
    let screen = t.wait_for("the explanation", |s| s.contains("Explain: listening"));
    // In ASCII the focused panel's border is `=`: the log has it now.
    assert!(screen.contains("+ Event log ==="), "{screen}");
    click_on(&t, &screen, "Connected 0 of");
    let screen = t.wait_for("the explanation closed", |s| !s.contains("Explain:"));
    assert!(
        screen.contains("+ Connected 0 of 0 accepted ==="),
        "{screen}"
    );
    assert!(screen.contains("+ Event log ---"), "{screen}");
    t.send(&["q"]);
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
}

#[test]
fn ctrl_c_restores_the_shell() {
    let t = Tmux::new();
    t.run_ioscope("", "serve --addr 127.0.0.1:0 --idle-delay-us 200");
    t.wait_for("the dashboard", dashboard_up);
    t.send(&["C-c"]);
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
}

#[test]
fn sigterm_restores_the_shell() {
    let t = Tmux::new();
    t.run_ioscope("", "serve --addr 127.0.0.1:0 --idle-delay-us 200");
    t.wait_for("the dashboard", dashboard_up);
    let pid = t.ioscope_pid();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
}

#[test]
fn sighup_when_the_terminal_closes_ends_ioscope() {
    let t = Tmux::new();
    t.run_ioscope("", "serve --addr 127.0.0.1:0 --idle-delay-us 200");
    t.wait_for("the dashboard", dashboard_up);
    let pid = t.ioscope_pid();
    // Closing the terminal sends SIGHUP; ioscope must not linger.
    t.tmux(&["kill-session", "-t", "t"]);
    wait_for_state(&pid, "gone after SIGHUP", |s| matches!(s, None | Some('Z')));
}

/// Runs ioscope with `env` and `args` until it ends by itself: then the
/// screen says each of `says`, and the terminal is restored after exit
/// code `exit`.
fn ends_saying(env: &str, args: &str, says: &[&str], exit: &str) {
    let t = Tmux::new();
    t.run_ioscope(env, args);
    let screen = t.wait_for("the shell back", shell_back);
    for said in says {
        assert!(screen.contains(said), "{said}:\n{screen}");
    }
    assert_restored(&t, &screen, exit);
}

#[test]
fn a_server_thread_panic_restores_the_shell_and_says_why() {
    ends_saying(
        "IOSCOPE_FAULT=server-panic RUST_BACKTRACE=0",
        "serve --addr 127.0.0.1:0",
        &["injected server panic", "server thread stopped"],
        "1",
    );
}

#[test]
fn a_ui_thread_panic_restores_the_shell_and_says_why() {
    ends_saying(
        "IOSCOPE_FAULT=ui-panic RUST_BACKTRACE=0",
        "serve --addr 127.0.0.1:0",
        &["injected UI panic"],
        "101",
    );
}

/// The `HOST:PORT` the dashboard's header shows, once it shows one.
fn addr_on(screen: &str) -> Option<String> {
    let at = screen.find("127.0.0.1:")?;
    let addr: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    (!addr.ends_with(':')).then_some(addr)
}

/// The process's state letter (`R`, `S`, `T` for stopped, `Z`), if it exists.
fn proc_state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

fn wait_for_state(pid: &str, what: &str, pred: impl Fn(Option<char>) -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !pred(proc_state(pid)) {
        assert!(
            Instant::now() < deadline,
            "ioscope {pid}: not {what} within {DEADLINE:?} (state {:?})",
            proc_state(pid)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(signal: &str, pid: &str) {
    assert!(
        Command::new("kill")
            .args([signal, pid])
            .status()
            .unwrap()
            .success()
    );
}

/// Back from a stop: `?` opens the help at once (raw mode: no Enter), and
/// `q` ends ioscope with the shell restored.
fn answers_keys_then_q_restores(t: &Tmux, pid: &str) {
    t.send(&["?"]);
    t.wait_for("the help, in raw mode (no Enter needed)", |s| {
        s.contains("┌ Keys")
    });
    t.send(&["q"]);
    wait_for_state(pid, "gone", |s| s.is_none());
    t.run_then_report("true", "0");
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(t, &screen, "0");
}

/// `suspend` stops the dashboard: the shell gets the terminal back in
/// cooked mode on the main screen with the cursor shown, the process is
/// really stopped (its server too, but not shut down: a client connected
/// before keeps its connection, and what it sent meanwhile is answered
/// after `fg`); `fg` brings the dashboard back whole and answering keys.
fn suspend_and_resume(suspend: impl Fn(&Tmux, &str)) {
    use std::io::{BufRead, BufReader, Write};
    let t = Tmux::with_shell("bash --norc --noprofile");
    t.start_ioscope("serve --addr 127.0.0.1:0 --model multiplex");
    let screen = t.wait_for("the dashboard and its address", |s| {
        dashboard_up(s) && addr_on(s).is_some()
    });
    let pid = t.ioscope_pid();
    let client = std::net::TcpStream::connect(addr_on(&screen).unwrap()).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut replies = BufReader::new(client.try_clone().unwrap());
    let mut reply = String::new();
    (&client).write_all(b"before\n").unwrap();
    replies.read_line(&mut reply).unwrap();
    assert_eq!(reply, "BEFORE\n");

    suspend(&t, &pid);
    let screen = t.wait_for("the shell's word that the job stopped", |s| {
        s.contains("Stopped")
    });
    wait_for_state(&pid, "stopped", |s| s == Some('T'));
    assert!(
        !screen.contains("┌ ioscope"),
        "the dashboard is still on screen:\n{screen}"
    );
    t.assert_main_screen();
    t.ask_mode("SUSPENDED");
    let screen = t.wait_for("the modes", |s| tagged_line(s, "SUSPENDED").is_some());
    assert_cooked(&screen, "SUSPENDED");
    (&client).write_all(b"while stopped\n").unwrap();

    t.send(&["fg", "Enter"]);
    // Its border is drawn once, at the start: only a whole redraw shows it.
    t.wait_for("the dashboard drawn again, whole", dashboard_up);
    assert!(t.flag("alternate_on"), "fg: not on the alternate screen");
    t.assert_mouse_reported();
    reply.clear();
    replies.read_line(&mut reply).unwrap();
    assert_eq!(reply, "WHILE STOPPED\n");
    answers_keys_then_q_restores(&t, &pid);
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_brings_the_dashboard_back() {
    suspend_and_resume(|t, _| t.send(&["C-z"]));
}

#[test]
fn sigtstp_suspends_to_the_shell_and_fg_brings_the_dashboard_back() {
    suspend_and_resume(|_, pid| kill("-TSTP", pid));
}

/// ioscope with stdout or stdin not the terminal (`redirect`) is refused
/// with one line naming `which` and `--headless`, exit code 2 (`status` is
/// how the shell names it), and the shell stays usable on the main screen.
fn refused_in_the_terminal(t: &Tmux, redirect: &str, status: &str, which: &str) {
    let bin = env!("CARGO_BIN_EXE_ioscope");
    t.run_then_report(
        &format!("{bin} serve --addr 127.0.0.1:0 --idle-delay-us 200 {redirect}"),
        status,
    );
    let screen = t.wait_for("the shell back", shell_back);
    assert!(
        screen.contains(&format!("{which} is not a terminal")) && screen.contains("--headless"),
        "{screen}"
    );
    assert_restored(t, &screen, "2");
}

#[test]
fn a_piped_stdout_is_refused_and_the_shell_stays_usable() {
    let t = Tmux::with_shell("bash --norc --noprofile");
    refused_in_the_terminal(&t, "| cat", "${PIPESTATUS[0]}", "stdout");
}

#[test]
fn a_redirected_stdin_is_refused_and_the_shell_stays_usable() {
    refused_in_the_terminal(&Tmux::new(), "< /dev/null", "$?", "stdin");
}

#[test]
fn a_port_in_use_is_refused_before_the_terminal_is_touched() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    ends_saying(
        "",
        &format!("serve --addr {addr}"),
        &["already in use"],
        "2",
    );
}

#[test]
fn a_frame_that_cannot_be_written_leaves_through_the_restore() {
    ends_saying(
        "IOSCOPE_FAULT=frame-error",
        "serve --addr 127.0.0.1:0 --idle-delay-us 200",
        &["terminal error"],
        "1",
    );
}

/// SIGSTOP cannot be caught: the dashboard stays on screen and the shell
/// takes the terminal in its own modes. `fg` (SIGCONT) must take it back:
/// raw mode (a key works without Enter) and a whole redraw (the shell's
/// lines written over the dashboard are gone).
#[test]
fn fg_after_an_uncaught_sigstop_takes_the_terminal_again() {
    let t = Tmux::with_shell("bash --norc --noprofile");
    t.start_ioscope("serve --addr 127.0.0.1:0 --model multiplex");
    t.wait_for("the dashboard", dashboard_up);
    let pid = t.ioscope_pid();
    kill("-STOP", &pid);
    wait_for_state(&pid, "stopped", |s| s == Some('T'));
    t.wait_for("the shell's word that the job stopped", |s| {
        s.contains("Stopped")
    });
    t.send(&["fg", "Enter"]);
    t.wait_for("the dashboard drawn again, whole", |s| {
        dashboard_up(s) && !s.contains("Stopped")
    });
    answers_keys_then_q_restores(&t, &pid);
}

/// A fresh path for a recording, under the target's scratch directory.
fn recording_path(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("terminal-record");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path.to_str().unwrap().to_string()
}

/// The recording at `path` begins with its header and ends with its
/// summary line.
fn assert_recorded_whole(path: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("{\"ioscope_recording\":1,"), "{text}");
    let last = lines.last().unwrap();
    assert!(last.starts_with("{\"ioscope_summary\":"), "{last}");
    let summary: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(
        summary["ioscope_summary"]["events"],
        lines.len() as u64 - 2,
        "{last}"
    );
}

#[test]
fn the_dashboard_records_and_q_ends_the_recording_with_its_summary() {
    let path = recording_path("q.jsonl");
    let t = Tmux::new();
    t.run_ioscope("", &format!("serve --addr 127.0.0.1:0 --record {path}"));
    t.wait_for("the dashboard", dashboard_up);
    t.send(&["q"]);
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
    assert_recorded_whole(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"kind\":\"listening\""), "{text}");
}

#[test]
fn a_ui_panic_still_ends_the_recording_with_its_summary() {
    let path = recording_path("ui-panic.jsonl");
    ends_saying(
        "IOSCOPE_FAULT=ui-panic RUST_BACKTRACE=0",
        &format!("serve --addr 127.0.0.1:0 --record {path}"),
        &["injected UI panic"],
        "101",
    );
    assert_recorded_whole(&path);
}

#[test]
fn sighup_still_ends_the_recording_with_its_summary() {
    let path = recording_path("sighup.jsonl");
    let t = Tmux::new();
    t.run_ioscope("", &format!("serve --addr 127.0.0.1:0 --record {path}"));
    t.wait_for("the dashboard", dashboard_up);
    let pid = t.ioscope_pid();
    t.tmux(&["kill-session", "-t", "t"]);
    wait_for_state(&pid, "gone after SIGHUP", |s| matches!(s, None | Some('Z')));
    assert_recorded_whole(&path);
}

#[test]
fn replay_dash_follows_a_live_headless_server_through_a_pipe() {
    let t = Tmux::new();
    let bin = env!("CARGO_BIN_EXE_ioscope");
    // The keys come from the terminal, the events from the pipe.
    t.run_then_report(
        &format!("{bin} serve --headless --addr 127.0.0.1:0 | {bin} replay -"),
        "$?",
    );
    let screen = t.wait_for("the followed server", |s| {
        addr_on(s).is_some() && s.contains("● live")
    });
    let addr = addr_on(&screen).unwrap();
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    c.write_all(b"follow me\n").unwrap();
    let mut reply = [0u8; 10];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"FOLLOW ME\n");
    t.wait_for("the client's message, live", |s| {
        s.contains("FOLLOW ME") && s.contains("● live")
    });
    // Paused, the stream goes on being read; End is live again.
    t.send(&["Space"]);
    t.wait_for("the pause", |s| s.contains("‖ paused"));
    drop(c);
    t.send(&["End"]);
    t.wait_for("live again, the close shown", |s| {
        s.contains("● live") && s.contains("Disconnected 1")
    });
    t.send(&["q"]);
    let screen = t.wait_for("the shell back", shell_back);
    assert_restored(&t, &screen, "0");
}
