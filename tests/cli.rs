//! The real binary: exit codes, messages, headless output.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use ioscope::event::{Event, EventKind};

fn ioscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ioscope"))
}

#[test]
fn a_port_in_use_exits_2_with_a_clear_message() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // Not --headless: the dashboard path must fail before touching the
    // terminal (stdin/stdout here are not terminals at all).
    let out = ioscope()
        .args(["--addr", &addr])
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
            assert_eq!((model.as_str(), *backlog), ("nonblocking", 5));
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
            EventKind::Spin { .. } | EventKind::WouldBlock { .. }
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
