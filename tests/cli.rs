//! The real binary: exit codes, messages, headless output.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use ioscope::event::{Event, EventKind};

/// The binary, in English whatever the locale the tests run in.
fn ioscope() -> Command {
    speaking("C")
}

/// The binary in the locale `lang` (`LANG`), the other locale variables
/// (which come first) left out.
fn speaking(lang: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ioscope"));
    for var in ["LANGUAGE", "LC_ALL", "LC_MESSAGES"] {
        command.env_remove(var);
    }
    command.env("LANG", lang);
    command
}

#[test]
fn a_port_in_use_exits_2_with_a_clear_message() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // Headless: here stdout is not a terminal, and the dashboard would be
    // refused for that first (tests/terminal.rs has the dashboard's own
    // port-in-use test). Nothing may be printed before the bind.
    let out = ioscope()
        .args(["--headless", "--addr", &addr])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&addr) && err.contains("already in use"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        out.stdout.is_empty(),
        "the terminal was touched: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_bad_address_exits_2_with_a_clear_message() {
    for bad in [
        "nonsense",
        "127.0.0.1",
        "127.0.0.1:99999",
        "no-such-host.invalid:80",
    ] {
        let out = ioscope()
            .args(["serve", "--addr", bad])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("HOST:PORT") || err.contains("invalid value"),
            "{bad}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn headless_prints_listening_first_then_json_lines() {
    let out = ioscope()
        .args([
            "serve",
            "--headless",
            "--duration",
            "1",
            "--addr",
            "127.0.0.1:0",
            "--idle-delay-us",
            "100",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let events: Vec<Event> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    match &events[0].kind {
        EventKind::Listening {
            addr,
            model,
            backlog,
            ..
        } => {
            assert!(
                addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
                "{addr}"
            );
            assert_eq!((*model, *backlog), (ioscope::event::Model::Nonblocking, 5));
        }
        other => panic!("first line: {other:?}"),
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Spin { spins, .. } if spins > 0))
    );
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["kind"].is_string() && v["t_us"].is_u64(), "{line}");
    }
}

#[test]
fn headless_serves_a_client_and_reports_it() {
    let mut child = ioscope()
        .args([
            "serve",
            "--headless",
            "--duration",
            "30",
            "--addr",
            "127.0.0.1:0",
            "--idle-delay-us",
            "100",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Event = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let EventKind::Listening { addr, .. } = first.kind else {
        panic!("{first:?}")
    };
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    c.write_all(b"headless").unwrap();
    let mut reply = [0u8; 8];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HEADLESS");
    let mut kinds = Vec::new();
    for line in lines.by_ref() {
        let e: Event = serde_json::from_str(&line.unwrap()).unwrap();
        if !matches!(
            e.kind,
            EventKind::Spin { .. }
                | EventKind::WouldBlock { .. }
                | EventKind::Sample { .. }
                | EventKind::KernelQueues { .. }
                | EventKind::AcceptWait { .. }
                | EventKind::Thread { .. }
                // --idle-delay-us: the pace the run starts at.
                | EventKind::Pace { .. }
        ) {
            kinds.push(e.kind.name());
        }
        if kinds.contains(&"send") {
            break;
        }
    }
    assert_eq!(kinds, ["accept", "recv", "send"]);
    // SIGTERM ends it cleanly.
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn running_out_of_descriptors_is_an_event_and_the_server_recovers() {
    out_of_descriptors("nonblocking");
}

#[test]
fn running_out_of_descriptors_multiplex() {
    out_of_descriptors("multiplex");
}

#[test]
fn running_out_of_descriptors_threaded() {
    out_of_descriptors("threaded");
}

#[test]
fn running_out_of_descriptors_pool() {
    out_of_descriptors("pool");
}

/// EMFILE on accept is an event with a backoff (no hot error loop), and
/// the server serves again once clients leave. (`blocking` accepts one
/// client at a time and never gets there.)
fn out_of_descriptors(model: &str) {
    use std::io::{Read, Write};
    // A hard limit of 16 descriptors for the server process only.
    let bin = env!("CARGO_BIN_EXE_ioscope");
    let mut child = Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -n 16 && exec {bin} serve --headless --model {model} --duration 60 --addr 127.0.0.1:0 --backlog 64 --idle-delay-us 200"),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Event = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let EventKind::Listening { addr, .. } = first.kind else {
        panic!("{first:?}")
    };
    let clients: Vec<_> = (0..24)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    let mut accepted = 0;
    let error = loop {
        let e: Event = serde_json::from_str(&lines.next().expect("events").unwrap()).unwrap();
        match e.kind {
            EventKind::Accept { .. } => accepted += 1,
            EventKind::AcceptError { error, backoff_ms } => {
                assert!(backoff_ms > 0);
                break error;
            }
            _ => {}
        }
    };
    assert_eq!(error, "EMFILE");
    assert!(accepted > 0 && accepted < 24, "{accepted}");
    // The clients leave; the server frees their descriptors and serves anew.
    drop(clients);
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    c.write_all(b"back again").unwrap();
    let mut reply = [0u8; 10];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"BACK AGAIN");
    // Not a hot error loop: a handful of accept errors, not thousands.
    child.kill().unwrap();
    child.wait().unwrap();
    let errors = lines
        .map_while(Result::ok)
        .filter(|l| l.contains("\"accept_error\""))
        .count();
    assert!(errors < 200, "{errors} accept errors");
}

/// The child is killed (SIGKILL) and reaped if the test ends before it.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Reaped {
    /// The exit status within `deadline`, or `None` if it still runs.
    fn exit_within(&mut self, deadline: std::time::Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + deadline;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() >= until {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// What it wrote on stderr (piped), once it has exited.
    fn stderr(&mut self) -> String {
        use std::io::Read;
        let mut err = String::new();
        if let Some(mut stderr) = self.0.stderr.take() {
            stderr.read_to_string(&mut err).unwrap();
        }
        err
    }
}

/// The dashboard with stdout or stdin not a terminal: one line on stderr
/// that points to --headless, exit code 2, and nothing on stdout.
fn refused_without_a_terminal(stdout: Stdio, stdin: Stdio, not_a_terminal: &str) -> Vec<u8> {
    let mut child = Reaped(
        ioscope()
            .args(["serve", "--addr", "127.0.0.1:0", "--idle-delay-us", "200"])
            .stdin(stdin)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let status = child.exit_within(std::time::Duration::from_secs(10));
    let err = if status.is_some() {
        child.stderr()
    } else {
        String::new()
    };
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{status:?} {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{not_a_terminal} is not a terminal")) && err.contains("--headless"),
        "{err}"
    );
    let mut out = Vec::new();
    if let Some(mut stdout) = child.0.stdout.take() {
        use std::io::Read;
        stdout.read_to_end(&mut out).unwrap();
    }
    out
}

#[test]
fn the_dashboard_refuses_a_stdout_that_is_a_file() {
    let path = std::env::temp_dir().join(format!("ioscope-out-{}.txt", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    refused_without_a_terminal(Stdio::from(file), Stdio::null(), "stdout");
    let written = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        written.is_empty(),
        "the file got {:?}",
        String::from_utf8_lossy(&written)
    );
}

#[test]
fn the_dashboard_refuses_a_stdout_that_is_a_pipe() {
    let out = refused_without_a_terminal(Stdio::piped(), Stdio::null(), "stdout");
    assert!(
        out.is_empty(),
        "the pipe got {:?}",
        String::from_utf8_lossy(&out)
    );
}

/// Headless with a reader that stopped reading: load fills the pipe, then
/// `stop` (a signal, or the duration running out) must end the process
/// within a few seconds, the server closing its clients, and the events
/// that could not be written counted on stderr.
fn headless_ends_with_a_stalled_reader(
    extra: &[&str],
    messages: u64,
    stop: impl FnOnce(u32),
    within: std::time::Duration,
) {
    use ioscope::client::swarm::{self, Scene, SwarmConfig};
    use std::io::Read;
    let mut args = vec![
        "serve",
        "--headless",
        "--model",
        "multiplex",
        "--addr",
        "127.0.0.1:0",
    ];
    args.extend(extra);
    let mut child = Reaped(
        ioscope()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The first line, then nobody reads the pipe again (but it stays open).
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first: Event = serde_json::from_str(&first).unwrap();
    let EventKind::Listening { addr, .. } = first.kind else {
        panic!("{first:?}")
    };
    let mut watcher = std::net::TcpStream::connect(&addr).unwrap();
    watcher
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut config = SwarmConfig::new(addr.parse().unwrap(), Scene::Chatty);
    config.clients = 20;
    config.messages = messages;
    config.duration = std::time::Duration::from_secs(60);
    let summary = swarm::run(&config).unwrap();
    // Every reply is two events (recv, send) of a hundred bytes and more:
    // 5,000 replies are a megabyte of lines, far more than the pipe
    // (64 KiB) holds, so the writer is stuck in a write. (A run cut short
    // by --duration has fewer than all its replies.)
    assert!(summary.replies_verified >= 5_000, "{summary}");
    stop(child.0.id());
    let status = child.exit_within(within);
    assert!(
        status.is_some(),
        "still running {within:?} after it was told to stop (stuck writing?)"
    );
    assert!(status.unwrap().success(), "{status:?}");
    // The server closed its clients as it stopped.
    let mut byte = [0u8; 1];
    match watcher.read(&mut byte) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("the watcher saw {other:?}, not a close"),
    }
    let err = child.stderr();
    assert!(
        err.contains("events not written (the reader stopped reading)"),
        "stderr: {err}"
    );
    drop(stdout);
}

fn signal(name: &'static str) -> impl FnOnce(u32) {
    move |pid| {
        let pid = pid.to_string();
        assert!(
            Command::new("kill")
                .args([name, &pid])
                .status()
                .unwrap()
                .success()
        );
    }
}

#[test]
fn sigterm_ends_headless_even_when_its_reader_stopped_reading() {
    headless_ends_with_a_stalled_reader(
        &["--duration", "600"],
        2_000,
        signal("-TERM"),
        std::time::Duration::from_secs(5),
    );
}

#[test]
fn sigint_ends_headless_even_when_its_reader_stopped_reading() {
    headless_ends_with_a_stalled_reader(
        &["--duration", "600"],
        500,
        signal("-INT"),
        std::time::Duration::from_secs(5),
    );
}

#[test]
fn the_duration_ends_headless_even_when_its_reader_stopped_reading() {
    // The load takes a second or two; the duration then runs out on its own.
    headless_ends_with_a_stalled_reader(
        &["--duration", "8"],
        500,
        |_| {},
        std::time::Duration::from_secs(20),
    );
}

/// A file of this test's own under the target's scratch directory.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-record");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// `serve --headless --record FILE` with `extra` arguments: one client
/// sends a message and reads the reply, then `end` ends the server.
fn record_one_client(file: &std::path::Path, extra: &[&str], end: impl FnOnce(u32)) {
    use std::io::{Read, Write};
    let mut child = ioscope()
        .args(["serve", "--headless", "--addr", "127.0.0.1:0", "--record"])
        .arg(file)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _reaper = Reap(child.id());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Event = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let EventKind::Listening { addr, .. } = first.kind else {
        panic!("{first:?}")
    };
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    c.write_all(b"recorded").unwrap();
    let mut reply = [0u8; 8];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"RECORDED");
    // The headless stream has the send: so has the recording.
    for line in lines.by_ref() {
        if serde_json::from_str::<Event>(&line.unwrap())
            .is_ok_and(|e| matches!(e.kind, EventKind::Send { .. }))
        {
            break;
        }
    }
    drop(c);
    end(child.id());
    // Read the rest so that the writer never stalls.
    for _ in lines {}
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// Kills (SIGKILL) the process if the test fails before it ended.
struct Reap(u32);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

/// The recording's lines: the header, the events, the summary.
fn recorded_lines(file: &std::path::Path) -> (serde_json::Value, Vec<Event>, serde_json::Value) {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");
    let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let summary: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    let events = lines[1..lines.len() - 1]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (header, events, summary)
}

#[test]
fn record_then_replay_summary() {
    let file = scratch("two-seconds.jsonl");
    record_one_client(&file, &["--duration", "2"], |_| {});
    let (header, events, summary) = recorded_lines(&file);
    assert_eq!(header["ioscope_recording"], 1, "{header}");
    assert_eq!(header["version"], env!("CARGO_PKG_VERSION"));
    assert!(header["platform"]["os"].is_string(), "{header}");
    assert!(matches!(events[0].kind, EventKind::Listening { .. }));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Accept { conn: 1, .. })),
        "no accept recorded"
    );
    let summary = &summary["ioscope_summary"];
    assert_eq!(summary["events"], events.len() as u64, "{summary}");
    assert_eq!(summary["dropped"], 0, "{summary}");
    assert!(
        summary["duration_us"].as_u64().unwrap() >= 2_000_000,
        "{summary}"
    );

    let text = summary_of(&file);
    assert!(text.contains("connections  1\n"), "{text}");
    assert!(text.contains("nonblocking"), "{text}");
    let messages: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("messages"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(messages >= 1, "{text}");
    assert!(text.contains("duration     2."), "{text}");
}

#[test]
fn a_sigtermed_recording_still_ends_with_its_summary() {
    let file = scratch("sigterm.jsonl");
    record_one_client(&file, &["--duration", "60"], |pid| {
        let pid = pid.to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
    });
    let (_, events, summary) = recorded_lines(&file);
    assert_eq!(
        summary["ioscope_summary"]["events"],
        events.len() as u64,
        "{summary}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Recv { conn: 1, .. }))
    );
}

#[test]
fn replay_refuses_bad_input_with_exit_2_and_the_line() {
    let header = format!(
        r#"{{"ioscope_recording":1,"version":"{}","platform":{{"os":"linux","cpu_split":true}},"started":0}}"#,
        env!("CARGO_PKG_VERSION")
    );
    let event = r#"{"t_us":5,"kind":"closed","conn":1}"#;
    let summary = r#"{"ioscope_summary":{"events":1,"dropped":0,"duration_us":9}}"#;
    let cases = [
        ("empty", String::new(), "empty"),
        (
            "corrupt",
            format!("{header}\n{event}\nnot json\n{summary}\n"),
            "line 3: not an event",
        ),
        (
            "newer",
            format!("{{\"ioscope_recording\":2,\"version\":\"9.9.9\"}}\n{event}\n"),
            "line 1: recording format 2",
        ),
        (
            "not-a-recording",
            "hello\n".to_string(),
            "not a recording: line 1",
        ),
        (
            "truncated",
            format!("{header}\n{event}\n{{\"t_us\":7,\"ki"),
            "line 3 is cut short",
        ),
    ];
    for (name, text, says) in cases {
        let file = scratch(&format!("{name}.jsonl"));
        std::fs::write(&file, text).unwrap();
        let out = ioscope()
            .args(["replay", "--summary"])
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(
            err.contains(says) && err.contains(&format!("{name}.jsonl")),
            "{name}: {err}"
        );
        // A truncated recording is summed up as far as it is whole.
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            shown.contains("duration"),
            name == "truncated",
            "{name}: {shown}"
        );
    }
    let out = ioscope()
        .args(["replay", "no-such-file.jsonl", "--summary"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.jsonl"));
    let out = ioscope().args(["replay", "x.jsonl"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--summary"));
}

#[test]
fn a_recording_that_cannot_be_created_exits_2_before_serving() {
    let out = ioscope()
        .args([
            "serve",
            "--headless",
            "--addr",
            "127.0.0.1:0",
            "--duration",
            "30",
            "--record",
        ])
        .arg("/no/such/dir/rec.jsonl")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot record to /no/such/dir/rec.jsonl"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "it served");
}

#[test]
fn replay_on_screen_without_a_terminal_is_refused_with_exit_2() {
    let path = std::env::temp_dir().join(format!("ioscope-replay-{}.jsonl", std::process::id()));
    let header = format!(
        r#"{{"ioscope_recording":1,"version":"{}","platform":{{"os":"linux","cpu_split":true}},"started":0}}"#,
        env!("CARGO_PKG_VERSION")
    );
    std::fs::write(
        &path,
        format!(
            "{header}\n{}\n{}\n",
            r#"{"t_us":5,"kind":"closed","conn":1}"#,
            r#"{"ioscope_summary":{"events":1,"dropped":0,"duration_us":9}}"#
        ),
    )
    .unwrap();
    let out = ioscope()
        .arg("replay")
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("stdout is not a terminal") && err.contains("--summary"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "it drew");
}

#[test]
fn replay_summary_lists_the_markers_with_their_times_and_notes() {
    let header = format!(
        r#"{{"ioscope_recording":1,"version":"{}","platform":{{"os":"linux","cpu_split":true}},"started":0}}"#,
        env!("CARGO_PKG_VERSION")
    );
    let lines = [
        header.as_str(),
        r#"{"t_us":200000,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"cpu_split":true}"#,
        r#"{"t_us":300000,"kind":"accept","conn":1,"peer":"127.0.0.1:9"}"#,
        r#"{"t_us":1450000,"kind":"marker","note":"the loop at 100% — 看这里"}"#,
        r#"{"t_us":2000000,"kind":"closed","conn":1}"#,
        r#"{"t_us":75200000,"kind":"marker","note":""}"#,
        r#"{"ioscope_summary":{"events":5,"dropped":0,"duration_us":76000000}}"#,
    ];
    let file = scratch("markers.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let text = summary_of(&file);
    assert!(
        text.ends_with(
            "markers      2\n  00:01.2  \"the loop at 100% — 看这里\"\n  01:15.0  (no note)\n"
        ),
        "{text}"
    );
}

/// `replay FILE --summary`, which must succeed: what it printed.
fn summary_of(file: &std::path::Path) -> String {
    let out = ioscope()
        .args(["replay", "--summary"])
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A small recording written the way `--record` writes one.
fn small_recording_file(name: &str) -> std::path::PathBuf {
    let path = scratch(name);
    let header = format!(
        r#"{{"ioscope_recording":1,"version":"{}","platform":{{"os":"linux","cpu_split":true}},"started":0}}"#,
        env!("CARGO_PKG_VERSION")
    );
    let lines = [
        header.as_str(),
        r#"{"t_us":10,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}"#,
        r#"{"t_us":20,"kind":"accept","conn":1,"peer":"127.0.0.1:9"}"#,
        r#"{"t_us":1000000,"kind":"recv","conn":1,"bytes":2,"spin":1,"preview":"hi"}"#,
        r#"{"t_us":1000010,"kind":"send","conn":1,"bytes":2,"spin":1,"preview":"HI","pending":0}"#,
        r#"{"t_us":1500000,"kind":"marker","note":"HI went out"}"#,
        r#"{"t_us":2000000,"kind":"closed","conn":1}"#,
        r#"{"ioscope_summary":{"events":6,"dropped":0,"duration_us":2500000}}"#,
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn replay_cast_writes_an_asciicast_of_every_frame_without_a_terminal() {
    let file = small_recording_file("cast-me.jsonl");
    let notes = file.with_extension("notes");
    std::fs::write(&notes, "0:01.0 pause the reply comes\n").unwrap();
    let cast = file.with_extension("cast");
    let out = ioscope()
        .arg("replay")
        .arg(&file)
        .arg("--cast")
        .arg(&cast)
        .args(["--size", "100x30"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("frames written"), "{err}");
    let text = std::fs::read_to_string(&cast).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(100), Some(30))
    );
    let frames: Vec<(f64, String, String)> =
        lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    // 2.5 s at 10 frames a second, and the note held 3 s.
    let last = frames.last().unwrap().0;
    assert!((5.4..6.0).contains(&last), "{last}");
    let all: String = frames.iter().map(|f| f.2.as_str()).collect();
    // The note beside the recording, and the marker dropped with M.
    assert!(
        all.contains("the reply comes"),
        "the note is not in the cast"
    );
    assert!(all.contains("HI went out"), "the marker is not in the cast");
    std::fs::remove_file(&notes).unwrap();
}

#[test]
fn replay_refuses_a_bad_notes_file_or_size_with_exit_2() {
    let file = small_recording_file("notes-bad.jsonl");
    let notes = scratch("bad.notes");
    std::fs::write(&notes, "0:01 fine\nno time here\n").unwrap();
    let out = ioscope()
        .arg("replay")
        .arg(&file)
        .arg("--notes")
        .arg(&notes)
        .arg("--summary")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.notes line 2: \"no\" is not a time"),
        "{err}"
    );
    for size in ["10x5", "120", "axb"] {
        let out = ioscope()
            .arg("replay")
            .arg(&file)
            .args(["--cast", "/dev/null", "--size", size])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{size}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(size),
            "{size}"
        );
    }
}

#[test]
fn replay_dash_summary_reads_the_recording_from_stdin() {
    let file = small_recording_file("stdin.jsonl");
    let out = ioscope()
        .args(["replay", "-", "--summary"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("duration     2.5 s"), "{shown}");
    assert!(shown.contains("HI went out"), "{shown}");
}

/// `replay FILE --summary` speaks the locale's language: Chinese for
/// `LANG=zh_CN.UTF-8`, English for `LANG=C`; `--lang` wins over the locale.
#[test]
fn the_summary_speaks_the_locales_language_and_lang_wins() {
    let tour = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/recordings/tour.jsonl");
    let summary = |mut command: Command, extra: &[&str]| {
        let out = command
            .args(["replay", tour, "--summary"])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{text}");
        text
    };
    let english = |text: &str| {
        text.starts_with("duration     70.0 s\n")
            && text.contains("models       nonblocking ×2 ")
            && text.contains("connections  57\n")
            && !text.contains("模型")
    };
    let chinese = |text: &str| {
        text.starts_with("时长    70.0 s\n")
            && text.contains("模型    非阻塞 ×2 ")
            && text.contains("多路复用")
            && text.contains("连接数  57\n")
            && !text.contains("duration")
    };

    let zh = summary(speaking("zh_CN.UTF-8"), &[]);
    assert!(chinese(&zh), "{zh}");
    // The lecturer's notes are data: as they were written.
    assert!(
        zh.contains("\"two clients reset: recv() gets ECONNRESET"),
        "{zh}"
    );
    let c = summary(speaking("C"), &[]);
    assert!(english(&c), "{c}");
    let en = summary(speaking("zh_CN.UTF-8"), &["--lang", "en"]);
    assert!(english(&en), "{en}");
    assert_eq!(en, c);
    let zh_over_c = summary(speaking("C"), &["--lang", "zh"]);
    assert_eq!(zh_over_c, zh);
    // LC_ALL comes before LANG, LANGUAGE before both.
    let mut command = speaking("C");
    command.env("LC_ALL", "zh_CN.UTF-8");
    assert_eq!(summary(command, &[]), zh);
    let mut command = speaking("zh_CN.UTF-8");
    command.env("LANGUAGE", "en_US");
    assert_eq!(summary(command, &[]), c);
}
