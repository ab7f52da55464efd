//! IO multiplexing: one thread, non-blocking sockets, and `poll` (mio:
//! epoll on Linux, kqueue on macOS) to sleep until the kernel says a socket
//! is ready. The same single loop as the lecture's, without the spinning:
//! when nothing happens it costs nothing.

use std::collections::{HashMap, HashSet};
use std::io::{self, ErrorKind, Read};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::pending::{Failed, Flush, Pending};
use super::{ACCEPT_BACKOFF, ConnIds, Limits, RECV_SIZE, Spawn, is_transient_accept_error};
use crate::control::{Control, Resume};
use crate::event::{Call, ConnId, Evict, Refuse, Role};
use crate::probe::{ChannelProbe, FLUSH_EVERY, Probe};

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// How often stalled slow readers are looked at.
const STALL_CHECK: Duration = Duration::from_millis(250);

struct Conn {
    stream: TcpStream,
    id: ConnId,
    pending: Pending,
    /// The peer shut its side; close once the pending replies are out.
    peer_closed: bool,
    /// Registered for WRITABLE too (while replies wait).
    writable: bool,
}

pub(crate) fn spawn(s: Spawn) -> io::Result<Vec<JoinHandle<()>>> {
    let poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let nudge = Arc::clone(&waker);
    s.control.set_nudge(Box::new(move |_| {
        let _ = nudge.wake();
    }));
    s.listener.set_nonblocking(true)?;
    let listener = TcpListener::from_std(s.listener);
    let (limits, conn_ids, control) = (s.limits, s.conn_ids, s.control);
    let thread = s.threads.spawn(
        "ioscope-multiplex",
        "loop",
        Role::PollLoop,
        None,
        Some(s.hello),
        move |probe, _| {
            if let Err(e) = run(poll, listener, limits, &conn_ids, &control, probe) {
                probe.accept_error(&e, Duration::ZERO);
            }
        },
    )?;
    Ok(vec![thread])
}

fn run(
    mut poll: Poll,
    mut listener: TcpListener,
    limits: Limits,
    conn_ids: &ConnIds,
    control: &Control,
    probe: &mut ChannelProbe,
) -> io::Result<()> {
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut events = Events::with_capacity(1024);
    let mut conns: HashMap<Token, Conn> = HashMap::new();
    let mut next_token = 2usize;
    let mut wakeup: u64 = 0;
    let mut buf = [0u8; RECV_SIZE];
    let mut unreported = false;
    let mut accept_paused_until: Option<Instant> = None;
    // Connections whose pending replies sit at the cap.
    let mut stalled: HashSet<Token> = HashSet::new();
    loop {
        if control.should_park() {
            probe.flush();
            if control.park(|p| probe.paused(p, "loop")) == Resume::Stop {
                return Ok(());
            }
            // Still paused: one step let through. Its calls are shown one by
            // one, in the order the loop makes them.
            probe.in_call_order(control.should_park());
        }
        // Sleep until a socket is ready; wake for the summary only if there
        // is something to report, and for the end of an accept backoff.
        let mut timeout = unreported.then_some(FLUSH_EVERY);
        if !stalled.is_empty() {
            timeout = Some(timeout.map_or(STALL_CHECK, |t| t.min(STALL_CHECK)));
        }
        if let Some(until) = accept_paused_until {
            let left = until.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        match poll.poll(&mut events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        // Only sockets count: the waker (pause, stop) is ioscope's own.
        let ready = events.iter().filter(|e| e.token() != WAKER).count();
        if ready > 0 {
            wakeup += 1;
            probe.spin();
            probe.wakeup(ready);
            unreported = true;
        } else if events.is_empty() {
            probe.flush();
            // A full channel keeps counts pending: wake again to retry
            // rather than sleep on them.
            unreported = probe.has_unreported();
        }
        let mut accept_now = events.iter().any(|e| e.token() == LISTENER);
        if accept_paused_until.is_some_and(|t| Instant::now() >= t) {
            accept_paused_until = None;
            accept_now = true;
        }
        if accept_now && accept_paused_until.is_none() {
            loop {
                match listener.accept() {
                    Ok((mut stream, peer)) => {
                        if conns.len() >= limits.max_conns {
                            probe.refused(peer, Refuse::MaxConns, limits.max_conns as u64);
                            continue;
                        }
                        let token = Token(next_token);
                        next_token += 1;
                        if let Err(e) =
                            poll.registry()
                                .register(&mut stream, token, Interest::READABLE)
                        {
                            probe.accept_error(&e, Duration::ZERO);
                            continue;
                        }
                        let id = conn_ids.next();
                        probe.accept(id, peer);
                        conns.insert(
                            token,
                            Conn {
                                stream,
                                id,
                                pending: Pending::default(),
                                peer_closed: false,
                                writable: false,
                            },
                        );
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if is_transient_accept_error(&e) => {}
                    Err(e) => {
                        probe.accept_error(&e, ACCEPT_BACKOFF);
                        accept_paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                        break;
                    }
                }
            }
        }
        for event in events.iter() {
            let token = event.token();
            if token == LISTENER || token == WAKER {
                continue;
            }
            let Some(conn) = conns.get_mut(&token) else {
                continue;
            };
            let done = serve(conn, &mut buf, wakeup, limits.pending_cap, probe);
            let wants_write = !conn.pending.is_empty();
            if conn.pending.stalled_for(limits.pending_cap).is_some() {
                stalled.insert(token);
            } else {
                stalled.remove(&token);
            }
            if done {
                stalled.remove(&token);
                if let Some(mut conn) = conns.remove(&token) {
                    let _ = poll.registry().deregister(&mut conn.stream);
                }
            } else if wants_write != conn.writable {
                conn.writable = wants_write;
                let interest = if wants_write {
                    Interest::READABLE | Interest::WRITABLE
                } else {
                    Interest::READABLE
                };
                let _ = poll
                    .registry()
                    .reregister(&mut conn.stream, token, interest);
            }
        }
        // Slow readers that stayed at the cap too long are dropped.
        if !stalled.is_empty() {
            let expired: Vec<Token> = stalled
                .iter()
                .copied()
                .filter(|t| {
                    conns
                        .get_mut(t)
                        .and_then(|c| c.pending.stalled_for(limits.pending_cap))
                        .is_some_and(|d| d >= limits.stall_timeout)
                })
                .collect();
            for token in expired {
                stalled.remove(&token);
                if let Some(mut conn) = conns.remove(&token) {
                    probe.evicted(
                        conn.id,
                        Evict::Stalled,
                        Some(limits.pending_cap as u64),
                        limits.stall_timeout,
                    );
                    let _ = poll.registry().deregister(&mut conn.stream);
                }
            }
        }
        probe.flush_if_due();
    }
}

/// Reads what is there, replies, retries what is queued. Returns `true`
/// when the connection is over.
fn serve(
    conn: &mut Conn,
    buf: &mut [u8],
    wakeup: u64,
    pending_cap: usize,
    probe: &mut ChannelProbe,
) -> bool {
    if !conn.pending.is_empty() && !flush_pending(conn, wakeup, probe) {
        return true;
    }
    while !conn.peer_closed && conn.pending.len() < pending_cap {
        match conn.stream.read(buf) {
            Ok(0) => conn.peer_closed = true,
            Ok(n) => {
                let data = &mut buf[..n];
                probe.recv(conn.id, data, wakeup);
                data.make_ascii_uppercase();
                let sent =
                    conn.pending
                        .send_or_queue(&mut conn.stream, conn.id, data, wakeup, probe);
                if sent == Err(Failed) {
                    return true;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                probe.would_block(Call::Recv);
                break;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                probe.reset(conn.id, Call::Recv, &e, None);
                return true;
            }
        }
    }
    if conn.peer_closed && conn.pending.is_empty() {
        probe.closed(conn.id);
        return true;
    }
    false
}

/// Sends what a slow reader left queued, until it is out or the kernel
/// takes no more (the readiness is edge-triggered); `false` if the
/// connection failed.
fn flush_pending(conn: &mut Conn, wakeup: u64, probe: &mut ChannelProbe) -> bool {
    loop {
        match conn
            .pending
            .flush_once(&mut conn.stream, conn.id, wakeup, probe)
        {
            Ok(Flush::Wrote(n)) if n > 0 && !conn.pending.is_empty() => {}
            Ok(_) => return true,
            Err(Failed) => return false,
        }
    }
}
