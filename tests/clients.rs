//! The lecture's client and the swarm's scenes against the non-blocking
//! server, with the server events each scene must cause.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{DEADLINE, TestServer};
use ioscope::client::builtin::{BuiltinClients, ClientCmd};
use ioscope::client::stats::Summary;
use ioscope::client::swarm::{self, Scene, SwarmConfig};
use ioscope::event::{Call, ClientRole, EventKind};

fn swarm(t: &TestServer, scene: Scene, clients: usize, messages: u64) -> Summary {
    let mut config = SwarmConfig::new(t.addr(), scene);
    config.clients = clients;
    config.messages = messages;
    config.duration = Duration::from_secs(20);
    let summary = swarm::run(&config).unwrap();
    assert_adds_up(&summary);
    summary
}

/// `ioscope swarm ARGS…`, the real binary, run to its end.
fn swarm_output(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ioscope"))
        .arg("swarm")
        .args(args)
        .output()
        .expect("run ioscope swarm")
}

fn assert_adds_up(s: &Summary) {
    assert_eq!(
        s.messages_sent,
        s.replies_verified + s.mismatches + s.lost,
        "{s:#?}"
    );
}

fn count(t: &TestServer, pred: impl Fn(&EventKind) -> bool) -> usize {
    t.seen.iter().filter(|e| pred(&e.kind)).count()
}

/// `ioscope client` to `t`, its stdin, stdout and stderr pipes.
fn lecture_client(t: &TestServer) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ioscope"))
        .args(["client", &t.addr().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn the_lecture_client_with_piped_stdin_prints_upper_cased_lines() {
    let t = TestServer::start();
    let mut child = lecture_client(&t);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\n\nworld 42\r\n\xff binary\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"HELLO\nWORLD 42\n\xff BINARY\n");
}

#[test]
fn the_lecture_client_says_when_nothing_listens() {
    // Bind and drop: a port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_ioscope"))
        .args(["client", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing is listening"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn the_lecture_client_says_when_the_server_goes_away() {
    let t = TestServer::start();
    let mut child = lecture_client(&t);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"first\n").unwrap();
    let mut t = t;
    t.wait_for("send", |k| matches!(k, EventKind::Send { .. }));
    let TestServer { server, .. } = t;
    server.stop();
    // The next line finds the server gone.
    let _ = stdin.write_all(b"second\n");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("server closed") || err.contains("reset"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn chatty_clients_get_every_reply_verified() {
    let mut t = TestServer::start();
    let s = swarm(&t, Scene::Chatty, 5, 40);
    assert_eq!(s.messages_sent, 200);
    assert_eq!(s.replies_verified, 200);
    assert_eq!(s.connections_made, 5);
    assert!(s.rtt_us.count == 200 && s.rtt_us.p50 > 0 && s.rtt_us.max >= s.rtt_us.p99);
    t.wait_for_count("closed", 5, |k| matches!(k, EventKind::Closed { .. }));
    assert_eq!(count(&t, |k| matches!(k, EventKind::Accept { .. })), 5);
}

#[test]
fn the_reset_scene_makes_the_server_see_resets() {
    let mut t = TestServer::start();
    let s = swarm(&t, Scene::Reset, 3, 4);
    assert_eq!((s.resets_sent, s.replies_verified), (12, 12));
    t.wait_for_count("reset", 12, |k| matches!(k, EventKind::Reset { .. }));
    assert!(t.seen.iter().all(|e| !matches!(
        &e.kind,
        EventKind::Reset { call, error, .. } if *call == Call::Recv && error != "ECONNRESET"
    )));
}

#[test]
fn half_close_gets_its_reply_and_the_server_sees_a_close() {
    let mut t = TestServer::start();
    let mut config = SwarmConfig::new(t.addr(), Scene::HalfClose);
    config.clients = 4;
    config.size = 300_000;
    config.duration = Duration::from_secs(20);
    let s = swarm::run(&config).unwrap();
    assert_adds_up(&s);
    assert_eq!((s.messages_sent, s.replies_verified), (4, 4));
    assert_eq!(s.closed_by_server, 0, "{s:#?}");
    t.wait_for_count("closed", 4, |k| matches!(k, EventKind::Closed { .. }));
}

#[test]
fn binary_round_trips_byte_for_byte() {
    let t = TestServer::start();
    let mut config = SwarmConfig::new(t.addr(), Scene::Binary);
    config.clients = 3;
    config.messages = 20;
    config.size = 4096;
    let s = swarm::run(&config).unwrap();
    assert_eq!((s.replies_verified, s.mismatches), (60, 0), "{s:#?}");
}

#[test]
fn churn_connects_and_closes_again_and_again() {
    let mut t = TestServer::start();
    let s = swarm(&t, Scene::Churn, 4, 10);
    assert_eq!((s.connections_made, s.replies_verified), (40, 40));
    t.wait_for("the 40th accept", |k| {
        matches!(k, EventKind::Accept { conn: 40, .. })
    });
}

#[test]
fn idle_clients_are_held_until_the_run_ends() {
    let mut t = TestServer::start_with(|c| c.backlog = 64);
    let mut config = SwarmConfig::new(t.addr(), Scene::Idle);
    config.clients = 20;
    config.duration = Duration::from_secs(1);
    let s = swarm::run(&config).unwrap();
    assert_eq!((s.connections_made, s.messages_sent), (20, 0));
    t.wait_for_count("closed", 20, |k| matches!(k, EventKind::Closed { .. }));
}

#[test]
fn a_burst_overflowing_a_small_backlog_is_still_served() {
    let mut t = TestServer::start_with(|c| c.backlog = 5);
    let s = swarm(&t, Scene::Burst, 40, 1);
    assert_eq!((s.connections_made, s.replies_verified), (40, 40), "{s:#?}");
    t.wait_for("40 accepts", |k| {
        matches!(k, EventKind::Accept { conn: 40, .. })
    });
}

#[test]
fn a_slow_reader_does_not_stop_a_chatty_client_being_served() {
    let t = TestServer::start_with(|c| c.pending_cap = 64 * 1024);
    let mut slow = SwarmConfig::new(t.addr(), Scene::SlowReader);
    slow.clients = 2;
    slow.messages = 100_000;
    slow.size = 64 * 1024;
    slow.duration = Duration::from_secs(4);
    let slow_run = std::thread::spawn(move || swarm::run(&slow).unwrap());
    let s = swarm(&t, Scene::Chatty, 2, 50);
    assert_eq!(s.replies_verified, 100, "{s:#?}");
    let slow = slow_run.join().unwrap();
    assert_adds_up(&slow);
    assert_eq!(slow.replies_verified, 0);
    // The kernel stopped taking its bytes long before 100,000 messages.
    assert!(slow.messages_sent < 200_000, "{slow:#?}");
}

#[test]
fn mix_adds_up_and_its_json_parses() {
    let t = TestServer::start();
    let out = swarm_output(&[
        &t.addr().to_string(),
        "--scene",
        "mix",
        "--clients",
        "16",
        "--messages",
        "5",
        "--duration",
        "5",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    assert_eq!(
        n("messages_sent"),
        n("replies_verified") + n("mismatches") + n("lost")
    );
    assert!(n("replies_verified") > 0);
    assert_eq!(n("mismatches"), 0);
    assert_eq!(v["scene"], "mix");
    assert!(v["rtt_us"]["p99"].as_u64().unwrap() >= v["rtt_us"]["p50"].as_u64().unwrap());
}

#[test]
fn send_all_makes_only_the_chatty_built_in_clients_talk() {
    let mut t = TestServer::start();
    let (note_tx, notes) = crossbeam_channel::unbounded();
    let clients = BuiltinClients::start(t.addr(), Instant::now(), false, move |e| {
        let _ = note_tx.send(e);
    })
    .unwrap();
    clients.command(ClientCmd::Idle);
    clients.command(ClientCmd::Chatty);
    // Each announces itself with the address the server sees.
    let mut peers = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while peers.len() < 2 {
        let left = deadline.saturating_duration_since(Instant::now());
        let note = notes
            .recv_timeout(left)
            .expect("both built-in clients' notes");
        if let EventKind::Client { peer, role } = note.kind {
            peers.push((role, peer));
        }
    }
    let mut conn_of = |peer: &str| match t.wait_for(
        "the accept",
        |k| matches!(k, EventKind::Accept { peer: p, .. } if p == peer),
    ) {
        EventKind::Accept { conn, .. } => conn,
        _ => unreachable!(),
    };
    let peer_of = |role| &peers.iter().find(|(r, _)| *r == role).unwrap().1;
    let idle = conn_of(peer_of(ClientRole::Idle));
    let chatty = conn_of(peer_of(ClientRole::Chatty));
    // A chatty client says its first line at once.
    let chatty_recv =
        move |k: &EventKind| matches!(k, EventKind::Recv { conn, .. } if *conn == chatty);
    t.wait_for_count("the chatty client's first line", 1, chatty_recv);

    clients.command(ClientCmd::SendAll);
    t.wait_for_count("the chatty client's line for s", 2, chatty_recv);
    // Closing them: the server reports what each sent before its close.
    drop(clients);
    for conn in [idle, chatty] {
        t.wait_for(
            "the close",
            |k| matches!(k, EventKind::Closed { conn: c } if *c == conn),
        );
    }
    assert!(
        !t.seen
            .iter()
            .any(|e| matches!(e.kind, EventKind::Recv { conn, .. } if conn == idle)),
        "the idle client talked: {:#?}",
        t.discrete()
    );
    let TestServer { server, .. } = t;
    server.stop();
}

// ---------------------------------------------------------------------------
// A hostile hall, items 9–11: every client accounted for, bounded memory,
// and a lecture client that neither deadlocks nor complains about `head`.

/// How long a child process of these tests may take before it is killed
/// and the test fails (a deadlock must fail the test, not hang it).
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

/// Waits for `child` (its stdin already taken or closed) and collects its
/// output; kills it and fails if it is not done within `CHILD_DEADLINE`.
fn finish(child: std::process::Child, what: &str) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(CHILD_DEADLINE) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{what}: not done within {CHILD_DEADLINE:?} (killed)");
        }
    }
}

/// `ioscope swarm ARGS --json` through `sh -c`, after `limits` (e.g.
/// `ulimit -n 64`); returns the exit code, the JSON summary and stderr.
fn swarm_binary(limits: &str, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let bin = env!("CARGO_BIN_EXE_ioscope");
    let child = Command::new("sh")
        .args([
            "-c",
            &format!("{limits}\nexec {bin} swarm --json {}", args.join(" ")),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child, "ioscope swarm");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: exit {:?}, stdout {:?}, stderr {err}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code(), json, err)
}

fn n(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"))
}

/// Connected + failed + not started = clients, and the messages add up.
fn assert_every_client_accounted_for(v: &serde_json::Value, clients: u64) {
    assert_eq!(
        n(v, "clients_connected") + n(v, "clients_failed") + n(v, "clients_not_started"),
        clients,
        "{v:#}"
    );
    assert_eq!(n(v, "clients"), clients);
    assert_eq!(
        n(v, "messages_sent"),
        n(v, "replies_verified") + n(v, "mismatches") + n(v, "lost"),
        "{v:#}"
    );
}

fn closed_port() -> String {
    // Bind and drop: a port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

#[test]
fn a_swarm_that_cannot_connect_says_why_once_and_exits_1() {
    let addr = closed_port();
    let (code, v, err) = swarm_binary("", &[&addr, "--clients", "10", "--duration", "20"]);
    assert_eq!(code, Some(1), "{err}");
    assert_every_client_accounted_for(&v, 10);
    assert_eq!(n(&v, "clients_failed"), 10, "{v:#}");
    assert_eq!(n(&v, "connections_failed"), 10, "{v:#}");
    // One line for the one kind of failure, with its count: not ten lines.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("10 connections failed") && err.contains("refused"),
        "{err}"
    );
    // Without --json the summary says it too, on stdout.
    let out = swarm_output(&[&addr, "--clients", "3"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 = 0 connected + 3 failed + 0 not started"),
        "{text}"
    );
}

#[test]
fn a_swarm_cut_short_by_the_descriptor_limit_accounts_for_every_client() {
    let t = TestServer::start_with(|c| c.backlog = 256);
    let addr = t.addr().to_string();
    // 64 descriptors for the swarm process only: about 60 clients fit.
    let (code, v, err) = swarm_binary(
        "ulimit -n 64",
        &[
            &addr,
            "--clients",
            "200",
            "--messages",
            "2",
            "--duration",
            "60",
        ],
    );
    assert_eq!(code, Some(1), "{v:#} {err}");
    assert_every_client_accounted_for(&v, 200);
    let (made, not_started) = (n(&v, "clients_connected"), n(&v, "clients_not_started"));
    assert!(made > 0 && not_started > 0, "{v:#}");
    // The clients that started did their work.
    assert_eq!(n(&v, "clients_failed"), 0, "{v:#}");
    assert_eq!(n(&v, "replies_verified"), 2 * made, "{v:#}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{not_started} of 200 clients not started"))
            && err.contains("out of file descriptors (limit 64)"),
        "{err}"
    );
}

#[test]
fn messages_0_is_refused_by_the_parser_and_by_the_library() {
    let t = TestServer::start();
    let out = swarm_output(&[&t.addr().to_string(), "--messages", "0", "--duration", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("at least 1"), "{err}");
    assert!(out.stdout.is_empty());
    let mut config = SwarmConfig::new(t.addr(), Scene::Chatty);
    config.messages = 0;
    config.duration = Duration::from_secs(2);
    let e = swarm::run(&config).expect_err("messages 0");
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn fifty_clients_of_64_mib_messages_run_in_bounded_memory() {
    // Held whole, the messages and their expected replies would take
    // 50 × 2 × 64 MiB = 6.4 GB; the run gets 1 GiB of address space.
    let t = TestServer::start_with(|c| c.backlog = 64);
    let (code, v, err) = swarm_binary(
        "ulimit -v 1048576",
        &[
            &t.addr().to_string(),
            "--clients",
            "50",
            "--size",
            "64MiB",
            "--duration",
            "2",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_every_client_accounted_for(&v, 50);
    // Held whole, ten messages alone would be over the limit. (Under load
    // the run may end before the swarm has seen every connect: those are
    // counted as failed, "still connecting when the run ended".)
    assert!(n(&v, "clients_connected") >= 10, "{v:#}");
    assert_eq!(n(&v, "mismatches"), 0, "{v:#}");
    assert!(n(&v, "bytes_sent") > 0, "{v:#}");
}

#[test]
fn messages_larger_than_the_servers_pending_cap_are_verified() {
    let t = TestServer::start();
    for scene in [Scene::Chatty, Scene::Binary, Scene::HalfClose] {
        let mut config = SwarmConfig::new(t.addr(), scene);
        config.clients = 2;
        config.messages = 3;
        config.size = 3 << 20;
        config.duration = Duration::from_secs(60);
        let s = swarm::run(&config).unwrap();
        assert_adds_up(&s);
        assert_eq!(s.mismatches, 0, "{s}");
        assert_eq!(s.replies_verified, s.messages_sent, "{s}");
        assert!(s.replies_verified >= 2, "{s}");
    }
}

#[test]
fn the_lecture_client_sends_and_reads_a_12_mb_line_at_once() {
    let t = TestServer::start();
    let mut child = lecture_client(&t);
    const PATTERN: &[u8] = b"the Quick brown fox, 0123456789 \xff\x00 ";
    let line: Vec<u8> = PATTERN.iter().copied().cycle().take(12 << 20).collect();
    let mut expected = common::upper(&line);
    expected.push(b'\n');
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        // The client may fail before reading it all: the exit code says so.
        let _ = stdin.write_all(&line);
        let _ = stdin.write_all(b"\n");
    });
    let out = finish(child, "ioscope client with a 12 MB line");
    feeder.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert_eq!(out.stdout.len(), expected.len());
    // Not printed: 12 MB would bury the failure.
    let first_difference = out.stdout.iter().zip(&expected).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "the reply differs");
}

#[test]
fn the_lecture_client_ends_quietly_when_its_reader_goes_away() {
    use std::io::BufRead;
    let t = TestServer::start();
    let mut child = lecture_client(&t);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"a\n").unwrap();
    // `head -1`: read one line, then go away.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert_eq!(first, "A\n");
    drop(reader);
    // The next reply finds nobody reading it.
    let _ = stdin.write_all(b"b\nc\n");
    drop(stdin);
    let out = finish(child, "ioscope client whose reader left");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn the_lecture_client_piped_into_head_exits_0_silently() {
    let t = TestServer::start();
    let bin = env!("CARGO_BIN_EXE_ioscope");
    let addr = t.addr();
    let child = Command::new("bash")
        .args([
            "-c",
            &format!(
                "seq 1 100000 | {bin} client {addr} | head -1; echo \"client ${{PIPESTATUS[1]}}\""
            ),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child, "seq | ioscope client | head -1");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(text, "1\nclient 0\n", "{err}");
    assert!(err.is_empty(), "{err}");
}
