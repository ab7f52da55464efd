//! One conformance suite for every IO model: each behaviour runs against a
//! real server of each model on 127.0.0.1, and every test is named after its
//! model (`echoes_upper_case::pool`, ...). Then what only one model does:
//! the blocking server's head-of-line blocking, the pool's queue, the
//! threaded server's threads, the multiplexer's wakeups, and a live switch.
//!
//! Tests synchronise on events and sockets, never on sleeps. The one
//! time-based check is the absence of a reply (a short read timeout) where a
//! model must keep a client waiting.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{DEADLINE, TestServer, kernel_queues_of, round_trip, upper};
use ioscope::app::{Dashboard, ThreadState};
use ioscope::event::{Call, Event, EventKind};
use ioscope::probe::{EventRx, channel};
use ioscope::server::{Model, ServerConfig, ServerHost};

/// How long a client must stay unanswered to count as "not answered".
const NO_REPLY: Duration = Duration::from_millis(300);

/// One test per model for a behaviour `fn name(model: Model)`: the test
/// `name::blocking`, `name::threaded`, ... runs it against that model.
macro_rules! for_every_model {
    ($($behaviour:ident),* $(,)?) => {$(
        mod $behaviour {
            use ioscope::server::Model;

            #[test]
            fn blocking() {
                super::$behaviour(Model::Blocking);
            }

            #[test]
            fn threaded() {
                super::$behaviour(Model::Threaded);
            }

            #[test]
            fn pool() {
                super::$behaviour(Model::Pool);
            }

            #[test]
            fn nonblocking() {
                super::$behaviour(Model::Nonblocking);
            }

            #[test]
            fn multiplex() {
                super::$behaviour(Model::Multiplex);
            }
        }
    )*};
}

for_every_model!(
    echoes_upper_case,
    orderly_close_is_closed,
    close_with_linger_zero_is_reset,
    binary_bytes_round_trip_exactly,
    a_one_megabyte_message_comes_back_whole,
    a_slow_reader_and_another_client,
    a_slow_readers_bytes_wait_in_the_kernel_both_ways,
);

/// The macro above must cover every model there is.
#[test]
fn the_suite_covers_every_model() {
    let names: Vec<_> = Model::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        ["blocking", "threaded", "pool", "nonblocking", "multiplex"]
    );
}

fn start(model: Model) -> TestServer {
    TestServer::start_model(model, |_| {})
}

/// The connection events only: what every model reports the same way.
fn conn_events(t: &TestServer) -> Vec<&EventKind> {
    t.seen
        .iter()
        .map(|e| &e.kind)
        .filter(|k| {
            matches!(
                k,
                EventKind::Accept { .. }
                    | EventKind::Recv { .. }
                    | EventKind::Send { .. }
                    | EventKind::Closed { .. }
                    | EventKind::Reset { .. }
            )
        })
        .collect()
}

fn dashboard(events: &[Event]) -> Dashboard {
    let mut d = Dashboard::new();
    for e in events {
        d.apply(e);
    }
    d
}

/// Reads with a short timeout and expects nothing to have come.
fn assert_no_reply(stream: &mut TcpStream, who: &str) {
    stream.set_read_timeout(Some(NO_REPLY)).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(n) => panic!(
            "{who} was answered ({n} bytes: {:?}) but should wait",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{who}: {e}"
        ),
    }
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
}

// ---------------------------------------------------------------------------
// The behaviours every model shares.

fn echoes_upper_case(model: Model) {
    let mut t = start(model);
    let mut c = t.connect();
    assert_eq!(round_trip(&mut c, b"hello"), b"HELLO");
    t.wait_for("send", |k| matches!(k, EventKind::Send { .. }));
    let events = conn_events(&t);
    let kinds: Vec<_> = events.iter().map(|k| k.name()).collect();
    assert_eq!(kinds, ["accept", "recv", "send"], "{model}");
    let peer = c.local_addr().unwrap().to_string();
    assert!(
        matches!(events[0], EventKind::Accept { conn: 1, peer: p } if *p == peer),
        "{model}: {:?}",
        events[0]
    );
    assert!(
        matches!(events[1], EventKind::Recv { conn: 1, bytes: 5, preview, .. } if preview == "hello"),
        "{model}: {:?}",
        events[1]
    );
    assert!(
        matches!(events[2], EventKind::Send { conn: 1, bytes: 5, preview, pending: 0, .. } if preview == "HELLO"),
        "{model}: {:?}",
        events[2]
    );
    // And again on the same connection.
    assert_eq!(round_trip(&mut c, b"Mixed 123 case!"), b"MIXED 123 CASE!");
}

fn orderly_close_is_closed(model: Model) {
    let mut t = start(model);
    let mut c = t.connect();
    assert_eq!(round_trip(&mut c, b"bye"), b"BYE");
    drop(c);
    t.wait_for("closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
    assert!(
        !conn_events(&t)
            .iter()
            .any(|k| matches!(k, EventKind::Reset { .. })),
        "{model}: {:#?}",
        t.discrete()
    );
    let d = dashboard(&t.seen);
    assert!(d.conns.live.is_empty(), "{model}: {:?}", d.conns);
    assert_eq!(d.conns.counts.closed, 1);
    // The server goes on serving.
    let mut next = t.connect();
    assert_eq!(round_trip(&mut next, b"next"), b"NEXT");
}

fn close_with_linger_zero_is_reset(model: Model) {
    let mut t = start(model);
    let mut c = t.connect();
    assert_eq!(round_trip(&mut c, b"about to reset"), b"ABOUT TO RESET");
    socket2::SockRef::from(&c)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(c);
    match t.wait_for("reset", |k| {
        matches!(k, EventKind::Reset { .. } | EventKind::Closed { .. })
    }) {
        EventKind::Reset {
            conn, call, error, ..
        } => {
            assert_eq!(conn, 1, "{model}");
            assert_eq!(call, Call::Recv, "{model}");
            assert_eq!(error, "ECONNRESET", "{model}");
        }
        other => panic!("{model}: a reset client was reported as {other:?}"),
    }
    // The server goes on serving.
    let mut d = t.connect();
    assert_eq!(round_trip(&mut d, b"still here"), b"STILL HERE");
}

fn binary_bytes_round_trip_exactly(model: Model) {
    let t = start(model);
    let mut c = t.connect();
    let all: Vec<u8> = (0..=255u8).collect();
    let reply = round_trip(&mut c, &all);
    assert_eq!(reply, upper(&all), "{model}");
    // Only a-z changed, and only to A-Z.
    let changed: Vec<_> = all
        .iter()
        .zip(&reply)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| *a)
        .collect();
    assert_eq!(changed, (b'a'..=b'z').collect::<Vec<_>>(), "{model}");
    // Invalid UTF-8, NULs, and bytes that upper-case in Latin-1 or UTF-8.
    assert_eq!(
        round_trip(&mut c, b"\xff\xfe\x00abc\xc3\x28\xe9\xc3\xa9z"),
        b"\xff\xfe\x00ABC\xc3\x28\xe9\xc3\xa9Z",
        "{model}"
    );
}

fn a_one_megabyte_message_comes_back_whole(model: Model) {
    let t = start(model);
    let c = t.connect();
    let msg: Vec<u8> = (0..1 << 20)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789\n"[i % 37])
        .collect();
    let mut writer = c.try_clone().unwrap();
    let to_send = msg.clone();
    let sender = std::thread::spawn(move || writer.write_all(&to_send).unwrap());
    let mut reply = vec![0; msg.len()];
    (&c).read_exact(&mut reply).unwrap();
    sender.join().unwrap();
    assert!(
        reply == upper(&msg),
        "{model}: the 1 MB reply differs from the upper-cased request"
    );
}

/// Every model but `blocking` keeps serving others while one client sends
/// and never reads; `blocking` shows the head-of-line blocking it is there
/// to show.
fn a_slow_reader_and_another_client(model: Model) {
    match model {
        Model::Blocking => one_client_at_a_time(),
        _ => a_slow_reader_does_not_block_the_others(model),
    }
}

fn a_slow_reader_does_not_block_the_others(model: Model) {
    const CAP: usize = 64 * 1024;
    let mut t = TestServer::start_model(model, |c| c.pending_cap = CAP);
    let mut slow = t.connect();
    // Served once, so it has a worker (pool) or a thread (threaded).
    assert_eq!(round_trip(&mut slow, b"slow"), b"SLOW");
    // Stuck on the slow reader: the loops hold a full pending buffer and
    // stop reading it; the thread models are blocked in its `send`.
    let looping = matches!(model, Model::Nonblocking | Model::Multiplex);
    let stuck = |k: &EventKind| {
        if looping {
            matches!(k, EventKind::Send { conn: 1, pending, .. } if *pending >= CAP)
        } else {
            matches!(
                k,
                EventKind::Blocked {
                    call: Call::Send,
                    conn: Some(1),
                    ..
                }
            )
        }
    };
    slow.set_nonblocking(true).unwrap();
    // Send until the server is stuck and the kernel refuses more (bounded:
    // 64 MB, or the deadline).
    let chunk = vec![b'a'; 64 * 1024];
    let deadline = Instant::now() + DEADLINE;
    let mut sent = 0usize;
    while sent < 64 << 20 && Instant::now() < deadline {
        match (&slow).write(&chunk) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if t.seen.iter().any(|e| stuck(&e.kind)) {
                    break;
                }
                // Wait for the server to move, then try again.
                if let Ok(e) = t.events.recv_timeout(Duration::from_millis(50)) {
                    t.seen.extend(e);
                }
            }
            Err(e) => panic!("{model}: slow client write: {e}"),
        }
    }
    assert!(
        t.seen.iter().any(|e| stuck(&e.kind)),
        "{model}: the server never got stuck on the slow reader; sent {sent}"
    );
    assert!(sent < 64 << 20, "{model}: the server never pushed back");
    // Another client is served at once.
    let mut other = t.connect();
    assert_eq!(
        round_trip(&mut other, b"are you there?"),
        b"ARE YOU THERE?",
        "{model}"
    );
    assert_eq!(round_trip(&mut other, b"still?"), b"STILL?", "{model}");
    // Wait for the other's last event: its send (loops) or, after two
    // messages, its thread back in recv for the third time.
    if looping {
        t.wait_for_count("the other's sends", 2, |k| {
            matches!(k, EventKind::Send { conn: 2, .. })
        });
    } else {
        t.wait_for_count("the other's thread back in recv", 3, |k| {
            matches!(
                k,
                EventKind::Blocked {
                    call: Call::Recv,
                    conn: Some(2),
                    ..
                }
            )
        });
    }
    t.drain();
    if looping {
        // The slow reader's memory on the server is capped, not `sent`.
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
            max_pending < CAP + 1024,
            "{model}: pending grew to {max_pending}"
        );
        assert!(sent > max_pending, "{model}: sent {sent}");
    } else {
        // The slow reader's thread is still parked in its send.
        let d = dashboard(&t.seen);
        let row = d
            .threads
            .serving(1)
            .unwrap_or_else(|| panic!("{model}: no thread serves #1: {:?}", d.threads.rows));
        assert_eq!(
            row.state,
            ThreadState::Blocked {
                call: Call::Send,
                conn: Some(1)
            },
            "{model}"
        );
        let other_thread = d.threads.serving(2).expect("a thread serves #2");
        assert_ne!(row.name, other_thread.name, "{model}");
    }
    drop(slow);
}

/// `blocking`: while A is served, B is connected (the kernel did that) but
/// neither accepted nor answered; when A leaves, B is.
fn one_client_at_a_time() {
    let mut t = start(Model::Blocking);
    let mut a = t.connect();
    assert_eq!(round_trip(&mut a, b"a first"), b"A FIRST");
    // After serving A once, the one server thread is back in recv(A).
    let in_recv_on_a = |k: &EventKind| matches!(k, EventKind::Blocked { thread, call: Call::Recv, conn: Some(1) } if thread == "server");
    t.wait_for_count("blocked in recv on #1, twice", 2, in_recv_on_a);
    let d = dashboard(&t.seen);
    let server = &d.threads.rows.values().next().expect("the server thread");
    assert_eq!(d.threads.rows.len(), 1, "{:?}", d.threads.rows);
    assert_eq!(server.name, "server");
    assert_eq!(
        server.state,
        ThreadState::Blocked {
            call: Call::Recv,
            conn: Some(1)
        }
    );

    let mut b = t.connect();
    b.write_all(b"b waits").unwrap();
    // Linux: the sampler sees B in the listen queue, not yet accepted.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    t.wait_for("B in the listen queue", |k| {
        matches!(
            k,
            EventKind::Sample {
                listen_queue: Some(1),
                ..
            }
        )
    });
    assert_no_reply(&mut b, "B, while A is connected");
    t.drain();
    assert!(
        !t.seen
            .iter()
            .any(|e| matches!(e.kind, EventKind::Accept { conn: 2, .. })),
        "B was accepted while A was served: {:#?}",
        t.discrete()
    );
    // A is still served.
    assert_eq!(round_trip(&mut a, b"a again"), b"A AGAIN");

    drop(a);
    t.wait_for("A closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
    let mut reply = [0u8; 7];
    b.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"B WAITS");
    let accept_b = t.wait_for("B accepted", |k| {
        matches!(k, EventKind::Accept { conn: 2, .. })
    });
    assert!(
        matches!(&accept_b, EventKind::Accept { peer, .. } if *peer == b.local_addr().unwrap().to_string())
    );
    // B's bytes were read only after A closed.
    t.wait_for("recv from B", |k| {
        matches!(k, EventKind::Recv { conn: 2, .. })
    });
    let pos = |pred: fn(&EventKind) -> bool| t.seen.iter().position(|e| pred(&e.kind));
    let closed_a = pos(|k| matches!(k, EventKind::Closed { conn: 1 })).unwrap();
    let recv_b = pos(|k| matches!(k, EventKind::Recv { conn: 2, .. })).unwrap();
    assert!(closed_a < recv_b);
}

// ---------------------------------------------------------------------------
// What the thread models share.

/// `blocking`, `threaded`, `pool`: a thread that was parked in `recv()` when
/// the pause came parks for it before its next call: the reply waits.
fn pause_holds_a_thread_back_before_its_send(model: Model) {
    let mut t = start(model);
    let mut c = t.connect();
    assert_eq!(round_trip(&mut c, b"before"), b"BEFORE");
    let peer = c.local_addr().unwrap().to_string();
    let id = match t.wait_for(
        "the accept",
        |k| matches!(k, EventKind::Accept { peer: p, .. } if *p == peer),
    ) {
        EventKind::Accept { conn, .. } => conn,
        _ => unreachable!(),
    };
    let thread = match model {
        Model::Blocking => "server".to_string(),
        Model::Threaded => format!("conn-{id}"),
        Model::Pool => match t.wait_for(
            "the dequeue",
            |k| matches!(k, EventKind::Dequeued { conn, .. } if *conn == id),
        ) {
            EventKind::Dequeued { thread, .. } => thread,
            _ => unreachable!(),
        },
        _ => unreachable!("{model} has no threads"),
    };
    // Back in recv() (past the check at the top of its loop) for the
    // second time: the pause finds it there.
    let name = thread.clone();
    t.wait_for_count("back in recv", 2, move |k| {
        matches!(k, EventKind::Blocked { thread, call: Call::Recv, conn: Some(c) } if *thread == name && *c == id)
    });
    t.server.control().set_paused(true);
    c.write_all(b"held").unwrap();
    t.wait_for(
        "the recv of held",
        |k| matches!(k, EventKind::Recv { conn, preview, .. } if *conn == id && preview == "held"),
    );
    let recv_at = t
        .seen
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Recv { preview, .. } if preview == "held"))
        .unwrap();
    let parks = |t: &TestServer| {
        t.seen[recv_at..].iter().any(|e| {
            matches!(&e.kind, EventKind::Paused { paused: true, thread: Some(n) } if *n == thread)
        })
    };
    let deadline = Instant::now() + DEADLINE;
    while !parks(&t) {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = t.events.recv_timeout(left).unwrap_or_else(|_| {
            panic!(
                "{model}: {thread} did not park after the recv: {:#?}",
                t.discrete()
            )
        });
        t.seen.extend(e);
    }
    // Parked before its send: nothing has come back.
    c.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    match c.read(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("{model}: the reply came while paused: {other:?}"),
    }
    t.drain();
    assert!(
        !t.seen[recv_at..]
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Send { conn, .. } if *conn == id)),
        "{model}: {:#?}",
        t.discrete()
    );
    t.server.control().set_paused(false);
    c.set_nonblocking(false).unwrap();
    let mut reply = [0u8; 4];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HELD", "{model}");
    t.wait_for(
        "the resume",
        |k| matches!(k, EventKind::Paused { paused: false, thread: Some(n) } if *n == thread),
    );
}

mod pause_holds_a_thread_back_before_its_send {
    use ioscope::server::Model;

    #[test]
    fn blocking() {
        super::pause_holds_a_thread_back_before_its_send(Model::Blocking);
    }

    #[test]
    fn threaded() {
        super::pause_holds_a_thread_back_before_its_send(Model::Threaded);
    }

    #[test]
    fn pool() {
        super::pause_holds_a_thread_back_before_its_send(Model::Pool);
    }
}

// ---------------------------------------------------------------------------
// What one model does.

#[test]
fn pool_clients_beyond_the_workers_wait_in_the_queue() {
    let mut t = TestServer::start_model(Model::Pool, |c| c.workers = 2);
    let mut c1 = t.connect();
    assert_eq!(round_trip(&mut c1, b"one"), b"ONE");
    let mut c2 = t.connect();
    assert_eq!(round_trip(&mut c2, b"two"), b"TWO");
    let worker_of = |k: &EventKind, id: u64| match k {
        EventKind::Dequeued { conn, thread, .. } if *conn == id => Some(thread.clone()),
        _ => None,
    };
    let w1 = worker_of(&t.wait_for("#1 dequeued", |k| worker_of(k, 1).is_some()), 1).unwrap();
    let w2 = worker_of(&t.wait_for("#2 dequeued", |k| worker_of(k, 2).is_some()), 2).unwrap();
    assert_ne!(w1, w2);

    let mut c3 = t.connect();
    c3.write_all(b"three").unwrap();
    t.wait_for("#3 queued", |k| matches!(k, EventKind::Queued { conn: 3 }));
    assert_no_reply(&mut c3, "the third client, with both workers busy");
    t.drain();
    assert!(
        !t.seen.iter().any(|e| matches!(
            e.kind,
            EventKind::Dequeued { conn: 3, .. } | EventKind::Recv { conn: 3, .. }
        )),
        "{:#?}",
        t.discrete()
    );
    // The dashboard shows it: two busy workers, none idle, #3 in the queue.
    let d = dashboard(&t.seen);
    assert_eq!(d.threads.pool_workers(), (2, 0), "{:?}", d.threads.rows);
    assert_eq!(d.threads.queue.keys().copied().collect::<Vec<_>>(), [3]);
    // The first two are still served.
    assert_eq!(round_trip(&mut c2, b"two again"), b"TWO AGAIN");

    drop(c1);
    t.wait_for("#1 closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
    let mut reply = [0u8; 5];
    c3.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"THREE");
    match t.wait_for("#3 dequeued", |k| {
        matches!(k, EventKind::Dequeued { conn: 3, .. })
    }) {
        EventKind::Dequeued {
            thread, waited_us, ..
        } => {
            assert!(waited_us > 0);
            // It waited at least through the no-reply check.
            assert!(waited_us >= 250_000, "waited {waited_us} µs");
            assert_eq!(thread, w1, "the freed worker takes it");
        }
        _ => unreachable!(),
    }
    t.drain();
    let d = dashboard(&t.seen);
    assert!(d.threads.queue.is_empty());
    assert!(d.threads.waits.iter().any(|w| *w >= 250_000));
}

#[test]
fn threaded_every_client_has_its_own_thread() {
    let mut t = start(Model::Threaded);
    let alive = |name: &'static str, up: bool| move |k: &EventKind| matches!(k, EventKind::Thread { thread, alive, .. } if thread == name && *alive == up);
    t.wait_for("the accept thread", alive("accept", true));
    let mut c1 = t.connect();
    assert_eq!(round_trip(&mut c1, b"one"), b"ONE");
    t.wait_for("conn-1 started", alive("conn-1", true));
    let mut c2 = t.connect();
    assert_eq!(round_trip(&mut c2, b"two"), b"TWO");
    t.wait_for("conn-2 started", alive("conn-2", true));
    let d = dashboard(&t.seen);
    let names: Vec<_> = d.threads.rows.values().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["accept", "conn-1", "conn-2"]);

    drop(c1);
    t.wait_for("conn-1 ended", alive("conn-1", false));
    t.wait_for("#1 closed", |k| matches!(k, EventKind::Closed { conn: 1 }));
    // The other thread lives on and still serves.
    assert_eq!(round_trip(&mut c2, b"two again"), b"TWO AGAIN");
    t.drain();
    assert!(!t.seen.iter().any(|e| alive("conn-2", false)(&e.kind)));
    let d = dashboard(&t.seen);
    let names: Vec<_> = d.threads.rows.values().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["accept", "conn-2"]);
    assert_eq!((d.threads.started, d.threads.ended), (3, 1));

    drop(c2);
    t.wait_for("conn-2 ended", alive("conn-2", false));
    // One start and one end per client.
    let count = |name: &'static str, up| t.seen.iter().filter(|e| alive(name, up)(&e.kind)).count();
    assert_eq!((count("conn-1", true), count("conn-1", false)), (1, 1));
    assert_eq!((count("conn-2", true), count("conn-2", false)), (1, 1));
}

#[test]
fn multiplex_wakes_up_when_traffic_happens() {
    let mut t = start(Model::Multiplex);
    // (wakeups, ready sockets, recvs that would block) reported so far.
    let totals = |t: &TestServer| {
        t.seen.iter().fold((0, 0, 0), |(w, r, b), e| match e.kind {
            EventKind::Wakeup { wakeups, ready } => (w + wakeups, r + ready, b),
            EventKind::WouldBlock { recv, .. } => (w, r, b + recv),
            _ => (w, r, b),
        })
    };
    // Waits until the summaries have grown past `before` in the way `done`
    // says (bounded by the deadline).
    let wait_until = |t: &mut TestServer, what: &str, done: &dyn Fn((u64, u64, u64)) -> bool| {
        let deadline = Instant::now() + DEADLINE;
        while !done(totals(t)) {
            assert!(Instant::now() < deadline, "{what}: {:?}", totals(t));
            if let Ok(e) = t.events.recv_timeout(Duration::from_millis(50)) {
                t.seen.extend(e);
            }
        }
    };
    let mut c = t.connect();
    t.wait_for("accept", |k| matches!(k, EventKind::Accept { conn: 1, .. }));
    // The accept woke it.
    wait_until(&mut t, "a wakeup for the accept", &|(w, r, _)| {
        w > 0 && r > 0
    });
    // One wakeup can serve several messages if the next one is there before
    // the loop's recv would block; so each round trip waits until the loop
    // has seen recv would block (it is back in poll), and then its message
    // must wake it again.
    const TRIPS: u64 = 5;
    for i in 0..TRIPS {
        let (w0, _, b0) = totals(&t);
        let msg = format!("message {i}");
        assert_eq!(
            round_trip(&mut c, msg.as_bytes()),
            msg.to_uppercase().as_bytes()
        );
        wait_until(&mut t, &format!("trip {i}: a wakeup"), &|(w, _, b)| {
            w > w0 && b > b0
        });
    }
    let (wakeups, ready, _) = totals(&t);
    assert!(wakeups > TRIPS, "{wakeups} wakeups for {TRIPS} round trips");
    // Every wakeup reported at least one ready socket.
    assert!(ready >= wakeups, "{ready} ready in {wakeups} wakeups");
    // The dashboard counts them.
    let d = dashboard(&t.seen);
    assert!(d.conns.accepted == 1 && d.conns.live.contains_key(&1));
    assert_eq!(d.conns.live[&1].bytes_in, TRIPS * 9);
}

// ---------------------------------------------------------------------------
// A live switch: one address, one model after another.

/// Events from a [`ServerHost`], kept in order.
struct Seen {
    rx: EventRx,
    all: Vec<Event>,
}

impl Seen {
    fn wait_for_count(&mut self, what: &str, n: usize, pred: impl Fn(&EventKind) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while self.all.iter().filter(|e| pred(&e.kind)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(e) => self.all.extend(e),
                Err(_) => panic!("fewer than {n} {what} events within {DEADLINE:?}"),
            }
        }
    }

    fn listenings(&self) -> Vec<(String, Model)> {
        self.all
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Listening { addr, model, .. } => Some((addr.clone(), *model)),
                _ => None,
            })
            .collect()
    }
}

fn host(model: Model) -> (ServerHost, Seen) {
    let (tx, rx) = channel::channel();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.model = model;
    let host = ServerHost::start(config, tx, Instant::now(), Duration::from_micros(200))
        .expect("bind 127.0.0.1:0");
    (
        host,
        Seen {
            rx,
            all: Vec::new(),
        },
    )
}

fn connect(addr: std::net::SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s
}

/// The old model's client sees the server go: end of stream or a reset,
/// not a timeout.
fn assert_sees_a_close(stream: &mut TcpStream, what: &str) {
    let mut buf = [0u8; 16];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!("{what}: read {n} bytes after the switch"),
        Err(e) => assert!(
            matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ),
            "{what}: {e}"
        ),
    }
}

#[test]
fn a_live_switch_keeps_the_address_and_the_history() {
    let (host, mut seen) = host(Model::Nonblocking);
    let addr = host.addr();
    assert_ne!(addr.port(), 0);
    let mut old = connect(addr);
    assert_eq!(round_trip(&mut old, b"before"), b"BEFORE");
    seen.wait_for_count("send", 1, |k| matches!(k, EventKind::Send { .. }));

    host.switch_to(Model::Multiplex).expect("switch");
    assert_eq!(host.model(), Model::Multiplex);
    assert_eq!(host.addr(), addr);
    assert_sees_a_close(&mut old, "the nonblocking client");
    seen.wait_for_count("listening", 2, |k| matches!(k, EventKind::Listening { .. }));
    assert_eq!(
        seen.listenings(),
        [
            (addr.to_string(), Model::Nonblocking),
            (addr.to_string(), Model::Multiplex)
        ]
    );

    let mut new = connect(addr);
    assert_eq!(round_trip(&mut new, b"after"), b"AFTER");
    seen.wait_for_count("send", 2, |k| matches!(k, EventKind::Send { .. }));

    seen.all.extend(seen.rx.try_iter());
    let d = dashboard(&seen.all);
    assert_eq!(d.runs.len(), 2, "{:#?}", d.runs);
    let (first, second) = (&d.runs[0], &d.runs[1]);
    assert_eq!(first.model, Model::Nonblocking);
    assert_eq!(second.model, Model::Multiplex);
    let ended = first.ended_us.expect("the first run ended");
    assert!(first.started_us <= ended && ended <= second.started_us);
    assert_eq!(second.ended_us, None);
    assert_eq!(first.totals.messages, 1, "the first run's history is kept");
    assert_eq!(second.totals.messages, 1);
    let server = d.server.as_ref().unwrap();
    assert_eq!(
        (server.addr.as_str(), server.model),
        (addr.to_string().as_str(), Model::Multiplex)
    );
    // Only the new client is connected.
    let peers: Vec<_> = d.conns.live.values().map(|c| c.peer.clone()).collect();
    assert_eq!(peers, [new.local_addr().unwrap().to_string()]);
}

#[test]
fn a_live_switch_cycles_through_every_model() {
    let (host, mut seen) = host(Model::ALL[0]);
    let addr = host.addr();
    let mut expected = Vec::new();
    let mut model = Model::ALL[0];
    let mut client = connect(addr);
    for step in 0..Model::ALL.len() {
        expected.push((addr.to_string(), model));
        let msg = format!("step {step} on {model}");
        assert_eq!(
            round_trip(&mut client, msg.as_bytes()),
            msg.to_uppercase().as_bytes()
        );
        let next = model.next();
        host.switch_to(next)
            .unwrap_or_else(|e| panic!("{model} → {next}: {e}"));
        assert_sees_a_close(&mut client, model.name());
        model = next;
        client = connect(addr);
    }
    // Back at the first model, serving.
    assert_eq!(model, Model::ALL[0]);
    assert_eq!(round_trip(&mut client, b"home"), b"HOME");
    expected.push((addr.to_string(), model));
    seen.wait_for_count("listening", expected.len(), |k| {
        matches!(k, EventKind::Listening { .. })
    });
    assert_eq!(seen.listenings(), expected);
    seen.all.extend(seen.rx.try_iter());
    let d = dashboard(&seen.all);
    assert_eq!(d.runs.len(), Model::ALL.len() + 1);
    assert!(
        d.runs[..Model::ALL.len()]
            .iter()
            .all(|r| r.ended_us.is_some())
    );
    assert!(
        d.runs
            .iter()
            .take(Model::ALL.len())
            .all(|r| r.totals.messages == 1),
        "{:#?}",
        d.runs
    );
}

/// The conn id of the accept whose peer is `client`, once it has come.
fn accepted_id(seen: &mut Seen, client: &TcpStream) -> u64 {
    let peer = client.local_addr().unwrap().to_string();
    let is_it = |k: &EventKind| matches!(k, EventKind::Accept { peer: p, .. } if *p == peer);
    seen.wait_for_count("the client's accept", 1, is_it);
    seen.all
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Accept { conn, peer: p } if *p == peer => Some(*conn),
            _ => None,
        })
        .unwrap()
}

#[test]
fn connection_ids_never_restart_across_switches() {
    let (host, mut seen) = host(Model::ALL[0]);
    let addr = host.addr();
    let mut model = Model::ALL[0];
    let mut ids = Vec::new();
    // Every model once, and back to the first.
    for step in 0..=Model::ALL.len() {
        assert_eq!(host.model(), model);
        let mut client = connect(addr);
        assert_eq!(round_trip(&mut client, b"id?"), b"ID?", "{model}");
        ids.push((model, accepted_id(&mut seen, &client)));
        if step < Model::ALL.len() {
            let next = model.next();
            host.switch_to(next)
                .unwrap_or_else(|e| panic!("{model} → {next}: {e}"));
            assert_sees_a_close(&mut client, model.name());
            model = next;
        }
    }
    assert!(
        ids.windows(2).all(|w| w[0].1 < w[1].1),
        "every accept's id is new and greater: {ids:?}"
    );
    // And no id was ever given twice in the whole run.
    seen.all.extend(seen.rx.try_iter());
    let mut all: Vec<u64> = seen
        .all
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Accept { conn, .. } => Some(conn),
            _ => None,
        })
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "an id was given twice: {ids:?}");
}

/// The `faithful` flag of every `listening` so far, with its model.
fn faithful_flags(seen: &Seen) -> Vec<(Model, bool)> {
    seen.all
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Listening {
                model, faithful, ..
            } => Some((model, faithful)),
            _ => None,
        })
        .collect()
}

#[test]
fn faithful_applies_only_to_the_model_with_a_listing() {
    let (tx, rx) = channel::channel();
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.model = Model::Nonblocking;
    config.faithful = true;
    let host = ServerHost::start(config, tx, Instant::now(), Duration::from_micros(200))
        .expect("bind 127.0.0.1:0");
    let mut seen = Seen {
        rx,
        all: Vec::new(),
    };
    let listening = |k: &EventKind| matches!(k, EventKind::Listening { .. });
    seen.wait_for_count("listening", 1, listening);
    host.switch_to(Model::Multiplex).expect("switch");
    seen.wait_for_count("listening", 2, listening);
    // The rest of the cycle, back to nonblocking.
    let mut model = Model::Multiplex;
    while model != Model::Nonblocking {
        model = model.next();
        host.switch_to(model).expect("switch");
    }
    seen.wait_for_count("listening", Model::ALL.len() + 1, listening);
    let flags = faithful_flags(&seen);
    assert_eq!(
        flags,
        [
            (Model::Nonblocking, true),
            (Model::Multiplex, false),
            (Model::Blocking, false),
            (Model::Threaded, false),
            (Model::Pool, false),
            (Model::Nonblocking, true),
        ]
    );
    // And the nonblocking run really is the listing: a closed client stays.
    let mut c = connect(host.addr());
    assert_eq!(round_trip(&mut c, b"hi"), b"HI");
    drop(c);
    seen.wait_for_count("a recv of b''", 1, |k| {
        matches!(k, EventKind::Recv { bytes: 0, .. })
    });
}

#[test]
fn multiplex_steps_one_system_call_at_a_time_its_poll_included() {
    let mut t = TestServer::start_model(Model::Multiplex, |_| {});
    let mut a = t.connect();
    t.wait_for("accept", |k| matches!(k, EventKind::Accept { .. }));
    t.pause();
    a.write_all(b"hi").unwrap();
    let mut calls = Vec::new();
    for _ in 0..3 {
        let step = t.step_with(|c| c.step_call());
        assert_eq!(step.len(), 1, "one n, one system call: {step:#?}");
        calls.extend(step);
    }
    // poll() says one socket is ready, recv reads it, send replies.
    assert!(
        matches!(
            calls[0],
            EventKind::Wakeup {
                wakeups: 1,
                ready: 1
            }
        ),
        "{calls:#?}"
    );
    assert!(matches!(&calls[1], EventKind::Recv { preview, .. } if preview == "hi"));
    assert!(matches!(&calls[2], EventKind::Send { preview, .. } if preview == "HI"));
    let mut reply = [0u8; 2];
    a.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HI");
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn a_thread_model_steps_one_blocking_call_at_a_time() {
    let mut t = TestServer::start_model(Model::Threaded, |_| {});
    let mut a = t.connect();
    t.wait_for("accept", |k| matches!(k, EventKind::Accept { .. }));
    // The client's thread parks in recv() before the pause holds it.
    let parked_in_recv = |k: &EventKind| {
        matches!(
            k,
            EventKind::Blocked {
                call: Call::Recv,
                ..
            }
        )
    };
    t.wait_for("conn thread in recv", parked_in_recv);
    // Every thread is in the kernel: the pause holds each before its next
    // call. The recv in progress returns "hi"; the thread holds before send.
    t.server.control().set_paused(true);
    a.write_all(b"hi").unwrap();
    t.wait_for("recv of hi", |k| matches!(k, EventKind::Recv { .. }));
    t.wait_for(
        "held before send",
        |k| matches!(k, EventKind::Paused { paused: true, thread: Some(name) } if name != "accept"),
    );
    let step = t.step_with(|c| c.step_call());
    assert_eq!(step.len(), 1, "one n, one system call: {step:#?}");
    assert!(matches!(&step[0], EventKind::Send { preview, .. } if preview == "HI"));
    let mut reply = [0u8; 2];
    a.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"HI");
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn the_pace_is_announced_and_outlives_a_model_switch() {
    let (host, mut seen) = host(Model::Nonblocking);
    let pace = |k: &EventKind| matches!(k, EventKind::Pace { .. });
    // Started with an idle sleep (the tests' 200 µs): said at once.
    seen.wait_for_count("the first pace", 1, pace);
    host.set_pace(host.pace().slower(true).next_backoff());
    seen.wait_for_count("the new pace", 2, pace);
    let last = seen.all.iter().rev().find(|e| pace(&e.kind)).unwrap();
    assert_eq!(
        last.kind,
        EventKind::Pace {
            call_delay_us: 1_000,
            backoff: ioscope::event::Backoff::Spin,
            backoff_us: 0,
        }
    );
    assert_eq!(host.control().call_delay(), Duration::from_millis(1));
    host.switch_to(Model::Multiplex).expect("switch");
    seen.wait_for_count("multiplex listening", 2, |k| {
        matches!(k, EventKind::Listening { .. })
    });
    assert_eq!(
        host.control().call_delay(),
        Duration::from_millis(1),
        "the next model's control starts at the viewer's pace"
    );
    host.set_pace(host.pace().slower(false));
    assert_eq!(host.control().call_delay(), Duration::ZERO, "full speed");
}

#[test]
#[cfg(target_os = "linux")]
fn a_burst_fills_the_listen_queue_and_the_kernel_counts_what_it_dropped() {
    use socket2::{Domain, Protocol, Socket, Type};
    // The blocking model serves one client at a time: with A held, the
    // others wait in the listen queue, and beyond the backlog the kernel
    // drops them.
    let mut t = TestServer::start_model(Model::Blocking, |c| c.backlog = 5);
    let mut a = t.connect();
    assert_eq!(round_trip(&mut a, b"a"), b"A");
    let first = t.wait_for("a sample", |k| {
        matches!(
            k,
            EventKind::Sample {
                listen_overflows: Some(_),
                ..
            }
        )
    });
    let EventKind::Sample {
        listen_overflows: Some(before),
        ..
    } = first
    else {
        unreachable!()
    };
    let burst: Vec<Socket> = (0..40)
        .map(|_| {
            let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
            s.set_nonblocking(true).unwrap();
            let _ = s.connect(&t.addr().into()); // in progress
            s
        })
        .collect();
    t.wait_for("the queue full and drops counted", |k| {
        matches!(k,
            EventKind::Sample {
                listen_queue: Some(q),
                listen_max: Some(max),
                listen_overflows: Some(after),
                ..
            } if q >= max && *after > before)
    });
    drop(burst);
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn verbatim_parks_the_whole_loop_in_recv_on_a_silent_client() {
    let mut t = TestServer::start_with(|c| {
        c.faithful = true;
        c.verbatim = true;
    });
    match t.wait_for("listening", |k| matches!(k, EventKind::Listening { .. })) {
        EventKind::Listening {
            faithful, verbatim, ..
        } => assert!(faithful && verbatim),
        _ => unreachable!(),
    }
    let mut a = t.connect(); // says nothing
    let parked = |k: &EventKind| matches!(k, EventKind::Blocked { thread, call: Call::Recv, conn: Some(1) } if thread == "loop");
    t.wait_for("the loop parked in recv() on #1", parked);
    // A second client is not even accepted: the loop is in A's recv().
    let mut b = t.connect();
    b.write_all(b"b").unwrap();
    assert_no_reply(&mut b, "B, while A says nothing");
    assert!(
        !t.seen
            .iter()
            .any(|e| matches!(e.kind, EventKind::Accept { conn: 2, .. })),
        "B accepted while the loop was parked"
    );
    // A speaks: the loop goes on; B is accepted, but the next pass parks
    // in A's recv() again (A comes first in connected_list) ...
    assert_eq!(round_trip(&mut a, b"a"), b"A");
    t.wait_for("B accepted", |k| {
        matches!(k, EventKind::Accept { conn: 2, .. })
    });
    // ... until A goes: its b'' no longer blocks, and B's recv reads "b".
    a.shutdown(std::net::Shutdown::Write).unwrap();
    let mut reply = [0u8; 1];
    b.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"B");
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn a_verbatim_loop_parked_in_recv_still_stops() {
    let mut t = TestServer::start_with(|c| {
        c.faithful = true;
        c.verbatim = true;
    });
    let _a = t.connect();
    t.wait_for("parked in recv()", |k| {
        matches!(
            k,
            EventKind::Blocked {
                call: Call::Recv,
                ..
            }
        )
    });
    // Joins the loop's thread: the stop shuts the blocking socket down.
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn the_pool_grows_and_shrinks_while_it_runs() {
    let (host, mut seen) = host(Model::Pool);
    let workers = |seen: &Seen, alive: bool| {
        seen.all
            .iter()
            .filter(|e| {
                matches!(&e.kind, EventKind::Thread { role: ioscope::event::Role::Worker, alive: a, .. } if *a == alive)
            })
            .count()
    };
    seen.wait_for_count("the first workers", 4, |k| {
        matches!(
            k,
            EventKind::Thread {
                role: ioscope::event::Role::Worker,
                alive: true,
                ..
            }
        )
    });
    assert_eq!(host.resize_pool(true), Some(Ok(5)));
    seen.wait_for_count(
        "worker-5 started",
        1,
        |k| matches!(k, EventKind::Thread { thread, alive: true, .. } if thread == "worker-5"),
    );
    // Idle workers retire at once, down to one.
    for left in (1..5).rev() {
        assert_eq!(host.resize_pool(false), Some(Ok(left)));
    }
    assert_eq!(
        host.resize_pool(false),
        Some(Err(ioscope::server::Resize::AtLeastOne))
    );
    seen.wait_for_count("four retired", 4, |k| {
        matches!(
            k,
            EventKind::Thread {
                role: ioscope::event::Role::Worker,
                alive: false,
                ..
            }
        )
    });
    assert_eq!(workers(&seen, true) - workers(&seen, false), 1);
    // The one left still serves.
    let mut c = connect(host.addr());
    assert_eq!(round_trip(&mut c, b"still"), b"STILL");
    // Not a pool: nothing to resize.
    host.switch_to(Model::Threaded).expect("switch");
    assert_eq!(host.resize_pool(true), None);
}

// ---------------------------------------------------------------------------
// The kernel's queues (`kernel_queues`).

/// Every model registers its clients for the sampler: a client that sends
/// and never reads stops the server (its replies fill the client's kernel,
/// then the server's: `out`), and then its own bytes wait in the server's
/// kernel, not copied (`in`).
fn a_slow_readers_bytes_wait_in_the_kernel_both_ways(model: Model) {
    let mut t = TestServer::start_model(model, |c| {
        c.pending_cap = 64 * 1024;
        // Not dropped while the test looks.
        c.stall_timeout = Duration::from_secs(600);
    });
    let mut slow = t.connect();
    assert_eq!(round_trip(&mut slow, b"slow"), b"SLOW");
    // The sampler may read the socket before the loop's batch with the
    // accept reaches the channel: the dashboard below is to have both.
    t.wait_for("#1 accepted", |k| {
        matches!(k, EventKind::Accept { conn: 1, .. })
    });
    let both = |k: &EventKind| kernel_queues_of(k, 1).is_some_and(|(i, o)| i > 0 && o > 0);
    slow.set_nonblocking(true).unwrap();
    // Send until the kernel refuses more and the sampler has seen both
    // queues held (bounded: 64 MB, or the deadline).
    let chunk = vec![b'a'; 64 * 1024];
    let deadline = Instant::now() + DEADLINE;
    let mut sent = 0usize;
    while sent < 64 << 20 && Instant::now() < deadline {
        match (&slow).write(&chunk) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if t.seen.iter().any(|e| both(&e.kind)) {
                    break;
                }
                if let Ok(e) = t.events.recv_timeout(Duration::from_millis(50)) {
                    t.seen.extend(e);
                }
            }
            Err(e) => panic!("{model}: slow client write: {e}"),
        }
    }
    let EventKind::KernelQueues { conns } = t.wait_for("#1's bytes held both ways", both) else {
        unreachable!()
    };
    let (_, inq, outq) = conns.iter().find(|q| q.0 == 1).copied().unwrap();
    assert!(
        (inq as usize) < sent && (outq as usize) < sent,
        "{model}: {inq} in, {outq} out of {sent} sent"
    );
    // The dashboard shows what the last reading said.
    t.drain();
    let d = dashboard(&t.seen);
    let row = d.conns.live.get(&1).unwrap_or_else(|| {
        let dropped: u64 = t
            .seen
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Dropped { count } => Some(count),
                _ => None,
            })
            .sum();
        let about_1: Vec<&EventKind> = t
            .seen
            .iter()
            .map(|e| &e.kind)
            .filter(|k| {
                matches!(
                    k,
                    EventKind::Accept { conn: 1, .. }
                        | EventKind::Closed { conn: 1 }
                        | EventKind::Reset { conn: 1, .. }
                        | EventKind::Evicted { conn: 1, .. }
                        | EventKind::Listening { .. }
                )
            })
            .collect();
        panic!("{model}: #1 not in the list; {dropped} dropped; {about_1:#?}")
    });
    let last = t
        .seen
        .iter()
        .rev()
        .find_map(|e| kernel_queues_of(&e.kind, 1))
        .unwrap();
    assert_eq!((row.kernel_in, row.kernel_out), last, "{model}");
    drop(slow);
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn pool_a_queued_clients_bytes_wait_in_the_kernel_until_a_worker_copies_them() {
    let mut t = TestServer::start_model(Model::Pool, |c| c.workers = 1);
    let mut busy = t.connect();
    assert_eq!(round_trip(&mut busy, b"busy"), b"BUSY");
    let mut queued = t.connect();
    queued.write_all(b"queued\n").unwrap();
    t.wait_for("#2 queued", |k| matches!(k, EventKind::Queued { conn: 2 }));
    // The worker is busy with #1: #2's bytes wait in the kernel.
    let waiting = |k: &EventKind| kernel_queues_of(k, 2).is_some_and(|q| q.0 == 7);
    t.wait_for("#2's 7 bytes in the kernel", waiting);
    let at = t.seen.iter().position(|e| waiting(&e.kind)).unwrap();
    assert!(
        !t.seen[..at]
            .iter()
            .any(|e| matches!(e.kind, EventKind::Recv { conn: 2, .. })),
        "{:#?}",
        t.discrete()
    );
    let d = dashboard(&t.seen[..=at]);
    let row = &d.conns.live[&2];
    assert_eq!((row.kernel_in, row.bytes_in), (7, 0));
    assert_eq!(d.threads.queue.keys().copied().collect::<Vec<_>>(), [2]);
    // #1 leaves: the worker takes #2 and copies them.
    drop(busy);
    let mut reply = [0u8; 7];
    queued.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"QUEUED\n");
    let copied = |k: &EventKind| kernel_queues_of(k, 2).is_some_and(|q| q.0 == 0);
    while !t.seen[at..].iter().any(|e| copied(&e.kind)) {
        let batch = t.events.recv_timeout(DEADLINE).expect("a later reading");
        t.seen.extend(batch);
    }
    t.wait_for("#2's recv", |k| {
        matches!(
            k,
            EventKind::Recv {
                conn: 2,
                bytes: 7,
                ..
            }
        )
    });
    let d = dashboard(&t.seen);
    let row = &d.conns.live[&2];
    assert_eq!((row.kernel_in, row.bytes_in), (0, 7));
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
fn multiplex_bytes_wait_in_the_kernel_until_a_step_copies_them() {
    let mut t = TestServer::start_model(Model::Multiplex, |_| {});
    let mut a = t.connect();
    t.wait_for("accept", |k| matches!(k, EventKind::Accept { conn: 1, .. }));
    t.pause();
    a.write_all(b"hello\n").unwrap();
    let waiting = |k: &EventKind| kernel_queues_of(k, 1) == Some((6, 0));
    t.wait_for("6 bytes waiting in the kernel", waiting);
    let at = t.seen.iter().position(|e| waiting(&e.kind)).unwrap();
    assert!(
        !t.seen[..at]
            .iter()
            .any(|e| matches!(e.kind, EventKind::Recv { .. })),
        "{:#?}",
        t.discrete()
    );
    // One wakeup: poll says #1 is ready, recv copies its bytes.
    let step = t.step_with(|c| c.step());
    assert!(
        step.iter().any(|k| matches!(
            k,
            EventKind::Recv {
                conn: 1,
                bytes: 6,
                ..
            }
        )),
        "{step:#?}"
    );
    let copied = |k: &EventKind| kernel_queues_of(k, 1).is_some_and(|q| q.0 == 0);
    while !t.seen[at..].iter().any(|e| copied(&e.kind)) {
        let batch = t.events.recv_timeout(DEADLINE).expect("a later reading");
        t.seen.extend(batch);
    }
    let d = dashboard(&t.seen);
    let row = &d.conns.live[&1];
    assert_eq!((row.kernel_in, row.bytes_in), (0, 6));
    let TestServer { server, .. } = t;
    server.stop();
}

#[test]
#[cfg(target_os = "linux")]
fn an_accept_says_how_long_it_waited_in_the_listen_queue() {
    // The blocking model serves A; B waits in the listen queue until A
    // goes.
    let mut t = TestServer::start_model(Model::Blocking, |_| {});
    let mut a = t.connect();
    assert_eq!(round_trip(&mut a, b"a"), b"A");
    let b = t.connect();
    let queued = Instant::now();
    t.wait_for("B in the listen queue", |k| {
        matches!(
            k,
            EventKind::Sample {
                listen_queue: Some(1),
                ..
            }
        )
    });
    drop(a);
    let held = queued.elapsed();
    let waited = t.wait_for("B's wait", |k| {
        matches!(k, EventKind::AcceptWait { conn: 2, .. })
    });
    let EventKind::AcceptWait { waited_ms, .. } = waited else {
        unreachable!()
    };
    // At least as long as it was held (the kernel's clock ticks in
    // milliseconds and jiffies: a few ms of slack).
    assert!(
        waited_ms + 10 >= held.as_millis() as u64,
        "waited {waited_ms} ms, held {held:?}"
    );
    drop(b);
    let TestServer { server, .. } = t;
    server.stop();
}
