//! The non-blocking server loop against real clients on 127.0.0.1: what is
//! its own (event order within a spin, faithful mode, pause and step, a
//! thousand clients). Echo, close, reset, binary and 1 MB are in the
//! every-model suite, `tests/models.rs`, which runs them against it too.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use common::{TestServer, kernel_queues_of, round_trip, upper};
use ioscope::app::Dashboard;
use ioscope::event::{Call, EventKind};

#[test]
fn listening_comes_first_with_the_real_port() {
    let t = TestServer::start();
    let first = t.events.recv_timeout(common::DEADLINE).unwrap();
    match &first[0].kind {
        EventKind::Listening {
            addr,
            model,
            backlog,
            faithful,
            ..
        } => {
            assert_eq!(*addr, t.addr().to_string());
            assert_ne!(t.addr().port(), 0);
            assert_eq!(
                (*model, *backlog, *faithful),
                (ioscope::event::Model::Nonblocking, 5, false)
            );
        }
        other => panic!("first event was {other:?}"),
    }
}

#[test]
fn accept_recv_send_arrive_in_order() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    round_trip(&mut c, b"hello");
    t.wait_for("send", |k| matches!(k, EventKind::Send { .. }));
    let kinds: Vec<_> = t.discrete().iter().map(|k| k.name()).collect();
    assert_eq!(kinds, ["listening", "thread", "accept", "recv", "send"]);
    let events = t.discrete();
    let EventKind::Accept { conn, peer } = events[2] else {
        unreachable!()
    };
    assert_eq!(peer, &c.local_addr().unwrap().to_string());
    assert!(
        matches!(events[3], EventKind::Recv { conn: c2, bytes: 5, preview, .. } if c2 == conn && preview == "hello")
    );
    assert!(
        matches!(events[4], EventKind::Send { conn: c3, bytes: 5, preview, pending: 0, .. } if c3 == conn && preview == "HELLO")
    );
}

#[test]
fn recv_and_send_of_one_reply_share_a_spin() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    round_trip(&mut c, b"x");
    let EventKind::Recv { spin: r, .. } =
        t.wait_for("recv", |k| matches!(k, EventKind::Recv { .. }))
    else {
        unreachable!()
    };
    let EventKind::Send { spin: s, .. } =
        t.wait_for("send", |k| matches!(k, EventKind::Send { .. }))
    else {
        unreachable!()
    };
    assert_eq!(r, s);
    assert!(r > 0);
}

#[test]
fn binary_previews_are_escaped() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    round_trip(&mut c, b"\x1b[2J\x07\xff");
    match t.wait_for("recv", |k| matches!(k, EventKind::Recv { .. })) {
        EventKind::Recv { preview, .. } => assert_eq!(preview, "\\x1b[2J\\x07\\xff"),
        _ => unreachable!(),
    }
}

#[test]
fn a_client_that_never_reads_does_not_stop_the_others() {
    let mut t = TestServer::start_with(|c| c.pending_cap = 64 * 1024);
    let slow = t.connect();
    slow.set_nonblocking(true).unwrap();
    // Send until the server holds a full pending buffer for this client and
    // the kernel refuses more (bounded: 64 MB, or the deadline).
    let chunk = vec![b'a'; 64 * 1024];
    let full = |k: &EventKind| matches!(k, EventKind::Send { conn: 1, pending, .. } if *pending >= 64 * 1024);
    let deadline = std::time::Instant::now() + common::DEADLINE;
    let mut sent = 0usize;
    while sent < 64 << 20 && std::time::Instant::now() < deadline {
        match (&slow).write(&chunk) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if t.seen.iter().any(|e| full(&e.kind)) {
                    break;
                }
                // Wait for the server to move (any event), then try again.
                let e = t
                    .events
                    .recv_timeout(common::DEADLINE)
                    .expect("the server went quiet");
                t.seen.extend(e);
            }
            Err(e) => panic!("slow client write: {e}"),
        }
    }
    assert!(
        t.seen.iter().any(|e| full(&e.kind)),
        "pending never filled; sent {sent}"
    );
    assert!(sent < 64 << 20, "the server never pushed back");
    // Another client is served at once.
    let mut other = t.connect();
    assert_eq!(round_trip(&mut other, b"are you there?"), b"ARE YOU THERE?");
    // And the slow one's memory on the server is capped, not `sent` bytes.
    t.drain();
    let max_pending = t
        .seen
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Send {
                conn: 1, pending, ..
            } => Some(pending),
            _ => None,
        })
        .max()
        .unwrap();
    assert!(
        max_pending < 64 * 1024 + 1024,
        "pending grew to {max_pending}"
    );
    assert!(sent > max_pending * 2, "sent {sent}, pending {max_pending}");
}

#[test]
fn faithful_mode_keeps_a_closed_client_connected() {
    let mut t = TestServer::start_with(|c| c.faithful = true);
    let mut c = t.connect();
    round_trip(&mut c, b"hi");
    drop(c);
    // The listing reads b'' and treats it as data...
    t.wait_for("recv of 0 bytes", |k| {
        matches!(
            k,
            EventKind::Recv {
                conn: 1,
                bytes: 0,
                ..
            }
        )
    });
    // ...and keeps reading it, spin after spin.
    // (Summaries go out every 20 ms: count over all of them.)
    let empties = |t: &TestServer| {
        t.seen.iter().fold((0, 0), |(r, s), e| match e.kind {
            EventKind::Spin {
                empty_recvs,
                empty_sends,
                ..
            } => (r + empty_recvs, s + empty_sends),
            _ => (r, s),
        })
    };
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while empties(&t).0 <= 100 || empties(&t).1 <= 100 {
        assert!(
            std::time::Instant::now() < deadline,
            "empty recvs and sends within {:?}: {:?}",
            common::DEADLINE,
            empties(&t)
        );
        t.wait_for_count("more events", t.seen.len() + 1, |_| true);
    }
    assert!(
        !t.discrete()
            .iter()
            .any(|k| matches!(k, EventKind::Closed { .. } | EventKind::Reset { .. })),
        "{:?}",
        t.discrete()
    );
    let mut d = Dashboard::new();
    for e in &t.seen {
        d.apply(e);
    }
    let row = d
        .conns
        .live
        .get(&1)
        .expect("the closed client is still in the connected list");
    assert!(row.close_wait);
    // Everyone else is still served.
    let mut other = t.connect();
    assert_eq!(round_trip(&mut other, b"next"), b"NEXT");
}

#[test]
fn default_mode_removes_a_closed_client() {
    let mut t = TestServer::start();
    let c = t.connect();
    drop(c);
    t.wait_for("closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
    let mut d = Dashboard::new();
    for e in &t.seen {
        d.apply(e);
    }
    assert!(d.conns.live.is_empty());
    assert_eq!(d.conns.gone.len(), 1);
}

#[test]
fn pause_parks_the_loop_and_resume_serves_what_waited() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    round_trip(&mut c, b"before");
    t.server.control().set_paused(true);
    t.wait_for("paused", |k| {
        matches!(k, EventKind::Paused { paused: true, .. })
    });
    c.write_all(b"during").unwrap();
    // Parked: nothing is read while paused.
    c.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = c.read(&mut buf).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    t.server.control().set_paused(false);
    c.set_read_timeout(Some(common::DEADLINE)).unwrap();
    let mut reply = [0u8; 6];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"DURING");
    t.wait_for("resumed", |k| {
        matches!(k, EventKind::Paused { paused: false, .. })
    });
}

#[test]
fn a_thousand_clients_are_served() {
    ioscope::sys::raise_fd_limit();
    let mut t = TestServer::start_with(|c| c.backlog = 128);
    let mut clients: Vec<_> = (0..1000).map(|_| t.connect()).collect();
    t.wait_for("the 1000th accept", |k| {
        matches!(k, EventKind::Accept { conn: 1000, .. })
    });
    for (i, c) in clients.iter_mut().enumerate().step_by(97) {
        let msg = format!("client {i}");
        assert_eq!(round_trip(c, msg.as_bytes()), msg.to_uppercase().as_bytes());
    }
    let last = clients.last_mut().unwrap();
    assert_eq!(round_trip(last, b"last"), b"LAST");
}

#[test]
fn stopping_closes_every_client() {
    let t = TestServer::start();
    let mut c = t.connect();
    round_trip(&mut c, b"x");
    let TestServer { server, .. } = t;
    server.stop();
    let mut buf = [0u8; 1];
    let n = c.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the client sees a close");
}

#[test]
fn a_half_closed_client_gets_every_reply_before_the_close() {
    let mut t = TestServer::start_with(|c| c.pending_cap = 16 * 1024);
    let c = t.connect();
    let msg: Vec<u8> = (0..2 << 20).map(|i| b"half-closed "[i % 12]).collect();
    let mut writer = c.try_clone().unwrap();
    let to_send = msg.clone();
    let sender = std::thread::spawn(move || {
        writer.write_all(&to_send).unwrap();
        writer.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let mut reply = Vec::new();
    (&c).read_to_end(&mut reply).unwrap();
    sender.join().unwrap();
    assert_eq!(reply.len(), msg.len());
    assert!(reply == upper(&msg));
    t.wait_for("closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
}

#[test]
fn a_step_while_paused_runs_exactly_one_spin() {
    let mut t = TestServer::start();
    let paused = |k: &EventKind| matches!(k, EventKind::Paused { paused: true, .. });
    t.server.control().set_paused(true);
    t.wait_for_count("paused", 1, paused);
    for step in 1..=3 {
        t.server.control().step();
        // One spin, then the loop parks again and says so.
        t.wait_for_count("parked again", 1 + step, paused);
    }
    // The spins before the pause were flushed before it: after it, exactly
    // one per step.
    let spins_while_paused: u64 = t
        .seen
        .iter()
        .skip_while(|e| !paused(&e.kind))
        .filter_map(|e| match e.kind {
            EventKind::Spin { spins, .. } => Some(spins),
            _ => None,
        })
        .sum();
    assert_eq!(spins_while_paused, 3);
}

#[test]
fn faithful_close_wait_clients_do_not_hold_back_the_summaries() {
    const CLIENTS: usize = 20;
    let mut t = TestServer::start_with(|c| {
        c.faithful = true;
        c.backlog = 64;
    });
    // A slow loop (10 ms after every spin that moved nothing): the probe
    // must still read its clock often enough, because every spin makes a
    // recv → b'' and an empty send per CLOSE-WAIT client. Counting only
    // spins and WouldBlocks, it would look at the clock once per ~500
    // spins, ~5 s here; counting every call, once per ~24 spins.
    t.server.control().set_idle_delay(Duration::from_millis(10));
    for i in 0..CLIENTS {
        let mut c = t.connect();
        let msg = format!("client {i}");
        assert_eq!(
            round_trip(&mut c, msg.as_bytes()),
            msg.to_uppercase().as_bytes()
        );
        // Closed: the listing keeps it, in CLOSE-WAIT.
    }
    let eof = |k: &EventKind| matches!(k, EventKind::Recv { bytes: 0, .. });
    t.wait_for_count("every client's b''", CLIENTS, eof);
    let first_summary_after = t.seen.len();
    let summaries_after = |t: &TestServer| {
        t.seen[first_summary_after..]
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Spin { empty_recvs, .. } if empty_recvs > 0))
            .count()
    };
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while summaries_after(&t) < 5 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match t.events.recv_timeout(left) {
            Ok(e) => t.seen.extend(e),
            Err(_) => panic!(
                "{} spin summaries with empty recvs within {:?} after the last b''",
                summaries_after(&t),
                common::DEADLINE
            ),
        }
    }
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn a_step_shows_its_calls_in_the_order_the_loop_made_them() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    assert_eq!(round_trip(&mut c, b"before"), b"BEFORE");
    let paused = |k: &EventKind| matches!(k, EventKind::Paused { paused: true, .. });
    t.server.control().set_paused(true);
    t.wait_for_count("paused", 1, paused);
    // Waiting in the socket for the stepped spin: its accept would block,
    // then its recv pass reads "x" and sends "X".
    c.write_all(b"x").unwrap();
    t.server.control().step();
    t.wait_for_count("parked again", 2, paused);
    let first_park = t.seen.iter().position(|e| paused(&e.kind)).unwrap();
    let step: Vec<&EventKind> = t.seen[first_park + 1..]
        .iter()
        .map(|e| &e.kind)
        .take_while(|k| !paused(k))
        .filter(|k| {
            !matches!(
                k,
                EventKind::Sample { .. }
                    | EventKind::KernelQueues { .. }
                    | EventKind::AcceptWait { .. }
            )
        })
        .collect();
    let at = |what: &str, pred: &dyn Fn(&EventKind) -> bool| {
        step.iter()
            .position(|k| pred(k))
            .unwrap_or_else(|| panic!("no {what} in the step: {step:#?}"))
    };
    // Stepped, every call is an event of its own.
    let would_block = at("accept would_block", &|k| {
        matches!(
            k,
            EventKind::WouldBlockOn {
                call: Call::Accept,
                conn: None
            }
        )
    });
    let recv = at(
        "recv of x",
        &|k| matches!(k, EventKind::Recv { preview, .. } if preview == "x"),
    );
    let send = at(
        "send of X",
        &|k| matches!(k, EventKind::Send { preview, .. } if preview == "X"),
    );
    assert!(would_block < recv && recv < send, "{step:#?}");
    // One spin: all of it in one summary's worth.
    let spins: u64 = step
        .iter()
        .filter_map(|k| match k {
            EventKind::Spin { spins, .. } => Some(*spins),
            _ => None,
        })
        .sum();
    assert_eq!(spins, 1, "{step:#?}");
    let mut reply = [0u8; 1];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"X");
    // One thread's clock never runs backwards (the sampler has its own).
    let times: Vec<u64> = t
        .seen
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::Sample { .. }
                    | EventKind::KernelQueues { .. }
                    | EventKind::AcceptWait { .. }
            )
        })
        .map(|e| e.t_us)
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "the loop's t_us went backwards: {times:?}"
    );
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn a_call_step_makes_exactly_one_system_call() {
    let mut t = TestServer::start();
    let mut a = t.connect();
    let _b = t.connect();
    t.wait_for_count("accepts", 2, |k| matches!(k, EventKind::Accept { .. }));
    t.pause();
    a.write_all(b"hi").unwrap();
    let mut calls = Vec::new();
    for _ in 0..12 {
        let step = t.step_with(|c| c.step_call());
        assert_eq!(step.len(), 1, "one n, one system call: {step:#?}");
        calls.extend(step);
    }
    // In the loop's order: the recv that reads "hi", the other client's
    // recv, the reply, then the next spin's accept.
    let read = calls
        .iter()
        .position(|k| matches!(k, EventKind::Recv { preview, .. } if preview == "hi"))
        .unwrap_or_else(|| panic!("no recv of hi: {calls:#?}"));
    let next: Vec<&str> = calls[read..read + 4].iter().map(|k| k.name()).collect();
    assert_eq!(
        next,
        ["recv", "would_block_on", "send", "would_block_on"],
        "{calls:#?}"
    );
    assert!(matches!(
        calls[read + 1],
        EventKind::WouldBlockOn {
            call: Call::Recv,
            conn: Some(_)
        }
    ));
    assert!(matches!(&calls[read + 2], EventKind::Send { preview, .. } if preview == "HI"));
    assert!(matches!(
        calls[read + 3],
        EventKind::WouldBlockOn {
            call: Call::Accept,
            conn: None
        }
    ));
    let mut reply = [0u8; 2];
    a.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HI");
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn slow_motion_makes_calls_no_faster_than_the_delay() {
    let mut t = TestServer::start();
    let _a = t.connect();
    t.wait_for("accept", |k| matches!(k, EventKind::Accept { .. }));
    let delay = Duration::from_millis(20);
    t.server.control().set_call_delay(delay);
    let from = t.seen.len();
    let calls = |t: &TestServer| {
        t.seen[from..]
            .iter()
            .filter(|e| common::is_call(&e.kind))
            .count()
    };
    let deadline = std::time::Instant::now() + common::DEADLINE;
    while calls(&t) < 12 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let batch = t.events.recv_timeout(left).expect("calls in slow motion");
        t.seen.extend(batch);
    }
    // Every call is reported by itself, each after a 20 ms wait: from the
    // first to the last of 12, at least 11 waits.
    let times: Vec<u64> = t.seen[from..]
        .iter()
        .filter(|e| common::is_call(&e.kind))
        .map(|e| e.t_us)
        .collect();
    let span = times[11] - times[0];
    assert!(
        span >= 11 * delay.as_micros() as u64,
        "12 calls in {span} µs"
    );
    // Back to full speed: summaries again, not a call at a time.
    t.server.control().set_call_delay(Duration::ZERO);
    let back = t.seen.len();
    let summary = |k: &EventKind| matches!(k, EventKind::WouldBlock { recv, .. } if *recv > 0);
    while !t.seen[back..].iter().any(|e| summary(&e.kind)) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let batch = t
            .events
            .recv_timeout(left)
            .expect("summaries at full speed");
        t.seen.extend(batch);
    }
    let TestServer { server, .. } = t;
    server.stop();
}

/// The case, with real sockets: the loop paused, a client types
/// `hello`: the 6 bytes wait in the kernel and none are copied; one step
/// later the spin's `recv` has copied them and none wait.
#[test]
fn bytes_wait_in_the_kernel_until_a_step_copies_them() {
    let mut t = TestServer::start();
    let mut c = t.connect();
    let EventKind::Accept { conn, .. } =
        t.wait_for("accept", |k| matches!(k, EventKind::Accept { .. }))
    else {
        unreachable!()
    };
    t.pause();
    c.write_all(b"hello\n").unwrap();
    // Phase 1: in the kernel, not copied.
    let waiting = |k: &EventKind| kernel_queues_of(k, conn).is_some_and(|q| q.0 == 6);
    t.wait_for("6 bytes waiting in the kernel", waiting);
    let at = t.seen.iter().position(|e| waiting(&e.kind)).unwrap();
    assert!(
        !t.seen[..at]
            .iter()
            .any(|e| matches!(e.kind, EventKind::Recv { .. })),
        "copied before the step: {:#?}",
        t.discrete()
    );
    let d = dashboard_of(&t.seen[..=at]);
    let row = &d.conns.live[&conn];
    assert_eq!((row.kernel_in, row.bytes_in), (6, 0));
    // Phase 2: one spin, its recv copies them.
    let step = t.step_with(|c| c.step());
    assert!(
        step.iter()
            .any(|k| matches!(k, EventKind::Recv { conn: c, bytes: 6, .. } if *c == conn)),
        "{step:#?}"
    );
    let from = at + 1;
    let copied = |k: &EventKind| kernel_queues_of(k, conn).is_some_and(|q| q.0 == 0);
    while !t.seen[from..].iter().any(|e| copied(&e.kind)) {
        let batch = t
            .events
            .recv_timeout(common::DEADLINE)
            .expect("a reading after the step");
        t.seen.extend(batch);
    }
    let d = dashboard_of(&t.seen);
    let row = &d.conns.live[&conn];
    assert_eq!((row.kernel_in, row.bytes_in), (0, 6));
    t.server.control().set_paused(false);
    let mut reply = [0u8; 6];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HELLO\n");
    let TestServer { server, .. } = t;
    server.stop();
}

fn dashboard_of(events: &[ioscope::event::Event]) -> Dashboard {
    let mut d = Dashboard::new();
    for e in events {
        d.apply(e);
    }
    d
}
