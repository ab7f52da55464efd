//! The lecture's non-blocking server loop.
//!
//! One thread, every socket non-blocking, asking the kernel again and again:
//! try `accept`; on WouldBlock, `recv(1024)` on each connected socket and
//! collect the upper-cased data in a ready-send list; `send` each reply; drop
//! the disconnected. It never sleeps, so it pins a core: that is the point.
//!
//! The default mode fixes the listing's bugs (see the README, "The listing's
//! bugs"); `--faithful` keeps them:
//!
//! | listing (`--faithful`)                          | default                                        |
//! |-------------------------------------------------|------------------------------------------------|
//! | recv pass only when `accept` raised WouldBlock  | accept until WouldBlock (≤ 64), then always recv |
//! | `b''` is data: closed peers stay, CLOSE-WAIT    | `recv` → 0 is an orderly close: `closed` (after queued replies are out) |
//! | a reply that would block is lost                | kept in a bounded per-connection buffer, retried |
//! | `send` errors crash the server                  | ECONNRESET / EPIPE on send is a `reset`          |
//!
//! (Faithful mode reports a `send` error as a `reset` too rather than
//! crashing the dashboard, and says "the listing crashes here".)

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::control::{Control, Idle, Resume};
use crate::event::{Call, ConnId, ResetNote, Role};
use crate::probe::Probe;
use crate::server::admission::{Admission, Place};
use crate::server::kernel::{Registry, Watch};
use crate::server::pending::{Budget, Failed, Flush, Pending};
use crate::server::{
    ACCEPT_BACKOFF, ConnIds, Limits, RECV_SIZE, Spawn, call_gate, is_transient_accept_error,
};
/// How many connections the default mode accepts in one spin at most.
const ACCEPT_BATCH: usize = 64;

/// What the loop needs to know besides its sockets.
#[derive(Debug, Clone, Default)]
pub struct LoopOptions {
    pub faithful: bool,
    pub limits: Limits,
    /// Where connection ids come from (shared with the runs before and
    /// after this one).
    pub conn_ids: ConnIds,
    /// `--verbatim`: accepted sockets are left blocking, as on Linux the
    /// listing leaves them; these are shut down on stop, so that a loop
    /// parked in `recv()` wakes.
    pub verbatim: Option<Blocking>,
    /// Where each accepted client socket is registered, for the sampler
    /// to read its kernel queues.
    pub kernel: Arc<Registry>,
}

/// `--verbatim`'s blocking sockets (a clone of each), to shut down on stop.
#[derive(Debug, Clone, Default)]
pub struct Blocking(Arc<Mutex<HashMap<ConnId, TcpStream>>>);

impl Blocking {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnId, TcpStream>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, id: ConnId, sock: &TcpStream) {
        if let Ok(clone) = sock.try_clone() {
            self.lock().insert(id, clone);
        }
    }

    fn remove(&self, id: ConnId) {
        self.lock().remove(&id);
    }

    /// Wakes a `recv()` parked on any of them.
    fn shut_all(&self) {
        for sock in self.lock().values() {
            let _ = sock.shutdown(Shutdown::Both);
        }
    }
}

pub(crate) fn spawn(s: Spawn, faithful: bool, verbatim: bool) -> io::Result<Vec<JoinHandle<()>>> {
    let blocking = verbatim.then(Blocking::default);
    if let Some(blocking) = blocking.clone() {
        s.control.set_nudge(Box::new(move |stopping| {
            if stopping {
                blocking.shut_all();
            }
        }));
    }
    let opts = LoopOptions {
        faithful,
        limits: s.limits,
        conn_ids: s.conn_ids,
        verbatim: blocking,
        kernel: s.kernel,
    };
    let (listener, control) = (s.listener, s.control);
    let thread = s.threads.spawn(
        "ioscope-nonblocking",
        "loop",
        Role::BusyLoop,
        None,
        Some(s.hello),
        move |probe, _| {
            if let Err(e) = run(listener, opts, &control, probe) {
                probe.accept_error(&e, Duration::ZERO);
            }
        },
    )?;
    Ok(vec![thread])
}

struct Conn {
    /// Registered for the sampler. Before `sock`: fields drop in order,
    /// so it is unregistered before the socket closes.
    _watch: Watch,
    id: ConnId,
    sock: TcpStream,
    /// Reply bytes the kernel would not take yet (default mode).
    pending: Pending,
    /// Its place among its address's clients (`--max-conns-per-ip`).
    _place: Place,
    /// Faithful mode: this peer's `b''` has been reported once.
    eof_reported: bool,
    /// Default mode: the peer shut its sending side while replies were
    /// still queued; they go out before the socket is closed.
    peer_closed: bool,
    dead: bool,
}

/// Runs the loop on the calling thread until `control` says stop. Returns the
/// number of spins. Generic over the probe so that a benchmark can run the
/// same loop with [`NoProbe`](crate::probe::NoProbe).
pub fn run<P: Probe>(
    listener: TcpListener,
    opts: LoopOptions,
    control: &Control,
    probe: &mut P,
) -> io::Result<u64> {
    listener.set_nonblocking(true)?;
    let mut conns: Vec<Conn> = Vec::new();
    let mut spin: u64 = 0;
    let mut buf = [0u8; RECV_SIZE];
    // The ready-send list of one spin: (index into conns, range in `replies`).
    let mut ready: Vec<(usize, usize, usize)> = Vec::new();
    let mut replies: Vec<u8> = Vec::new();
    let mut accept_paused_until: Option<Instant> = None;
    let admission = Admission::new(&opts.limits);
    let budget = Budget::new(&opts.limits);

    // Before each system call: at full speed, one relaxed load.
    macro_rules! gate {
        () => {
            if !call_gate(control, probe, "loop") {
                return Ok(spin);
            }
        };
    }

    loop {
        if control.should_park() {
            probe.flush();
            if control.park(|p| probe.paused(p, "loop")) == Resume::Stop {
                break;
            }
        }
        // Stepped or slowed down, every call is an event of its own.
        probe.trace(control.should_park());
        spin += 1;
        probe.spin();
        let mut busy = false;

        // 1. accept
        let mut accept_would_block = false;
        if let Some(until) = accept_paused_until {
            if Instant::now() >= until {
                accept_paused_until = None;
            }
        }
        if accept_paused_until.is_none() {
            let batch = if opts.faithful { 1 } else { ACCEPT_BATCH };
            for _ in 0..batch {
                gate!();
                match listener.accept() {
                    Ok((sock, peer)) => {
                        busy = true;
                        // Refused: accepted and closed at once, a FIN.
                        let Some(place) = admission.admit(peer, conns.len(), probe) else {
                            continue;
                        };
                        // The listing forgets this: on Linux an accepted
                        // socket does not inherit O_NONBLOCK (--verbatim
                        // leaves it so).
                        if opts.verbatim.is_none()
                            && let Err(e) = sock.set_nonblocking(true)
                        {
                            probe.accept_error(&e, Duration::ZERO);
                            continue;
                        }
                        let id = opts.conn_ids.next();
                        if let Some(blocking) = &opts.verbatim {
                            blocking.add(id, &sock);
                        }
                        probe.accept(id, peer);
                        conns.push(Conn {
                            _watch: opts.kernel.watch(id, &sock),
                            id,
                            sock,
                            pending: budget.pending(),
                            _place: place,
                            eof_reported: false,
                            peer_closed: false,
                            dead: false,
                        });
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        probe.would_block(Call::Accept, None);
                        accept_would_block = true;
                        break;
                    }
                    Err(e) if is_transient_accept_error(&e) => continue,
                    Err(e) => {
                        // EMFILE, ENFILE, ENOBUFS...: no hot error loop.
                        probe.accept_error(&e, ACCEPT_BACKOFF);
                        accept_paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                        break;
                    }
                }
            }
        }
        // The listing runs the receive pass only in its `except
        // BlockingIOError` branch.
        if opts.faithful && !accept_would_block && accept_paused_until.is_none() {
            continue;
        }

        // 2. recv from every connected socket; collect the ready-send list.
        ready.clear();
        replies.clear();
        let mut now = None; // the clock, read once a spin if a client is held
        for (i, conn) in conns.iter_mut().enumerate() {
            if !opts.faithful && !conn.pending.is_empty() {
                gate!();
                busy |= flush_pending(conn, spin, probe);
                if conn.dead {
                    continue;
                }
            }
            if conn.peer_closed {
                // A half-closed peer still reads: close once its replies are out.
                if conn.pending.is_empty() {
                    probe.closed(conn.id);
                    conn.dead = true;
                }
                continue;
            }
            // At its own cap or the total: not read until there is room
            // (replies read this spin count, though not queued yet).
            let hold = (!opts.faithful)
                .then(|| budget.hold(&conn.pending, replies.len()))
                .flatten();
            if let Some(why) = hold {
                // A slow reader whose replies sit unread past the stall
                // timeout is dropped.
                let now = *now.get_or_insert_with(Instant::now);
                let stall = opts.limits.stall_timeout;
                if let Some((stuck, first)) = conn.pending.hold(why, now) {
                    if stuck >= stall {
                        probe.evicted(conn.id, first, Some(budget.limit(first)), stall);
                        conn.dead = true;
                        busy = true;
                    }
                }
                continue;
            }
            gate!();
            let read = match &opts.verbatim {
                None => conn.sock.read(&mut buf),
                Some(_) => {
                    // A blocking socket: the whole loop waits here.
                    probe.blocked("loop", Call::Recv, Some(conn.id));
                    let since = Instant::now();
                    let read = conn.sock.read(&mut buf);
                    probe.unblocked("loop", Call::Recv, Some(conn.id), since.elapsed());
                    read
                }
            };
            match read {
                Ok(0) if opts.faithful => {
                    // The listing's `data.upper()` of b'' is b'': it sends it.
                    if conn.eof_reported {
                        probe.empty_recv(conn.id, spin);
                    } else {
                        conn.eof_reported = true;
                        probe.recv(conn.id, &[], spin);
                    }
                    ready.push((i, replies.len(), replies.len()));
                }
                Ok(0) => {
                    busy = true;
                    if conn.pending.is_empty() {
                        probe.closed(conn.id);
                        conn.dead = true;
                    } else {
                        conn.peer_closed = true;
                    }
                }
                Ok(n) => {
                    busy = true;
                    let data = &mut buf[..n];
                    probe.recv(conn.id, data, spin);
                    data.make_ascii_uppercase();
                    let start = replies.len();
                    replies.extend_from_slice(data);
                    ready.push((i, start, replies.len()));
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    probe.would_block(Call::Recv, Some(conn.id))
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    busy = true;
                    probe.reset(conn.id, Call::Recv, &e, None);
                    conn.dead = true;
                }
            }
        }

        // 3. send each reply.
        for &(i, start, end) in &ready {
            let conn = &mut conns[i];
            let reply = &replies[start..end];
            if !conn.dead {
                gate!();
            }
            if opts.faithful {
                busy |= send_faithfully(conn, reply, spin, probe);
            } else {
                send_or_queue(conn, reply, spin, probe);
            }
        }

        // 4. remove the disconnected (dropping a TcpStream closes it).
        if conns.iter().any(|c| c.dead) {
            if let Some(blocking) = &opts.verbatim {
                for c in conns.iter().filter(|c| c.dead) {
                    blocking.remove(c.id);
                }
            }
            conns.retain(|c| !c.dead);
        }

        if !busy {
            match control.idle() {
                Idle::Spin => {}
                Idle::Yield => std::thread::yield_now(),
                Idle::Sleep(delay) => {
                    // A slowed loop counts few operations: its summaries
                    // (and the events waiting with them) go out on time
                    // anyway.
                    probe.flush_if_due();
                    std::thread::sleep(delay);
                }
            }
        }
    }
    Ok(spin)
}

fn is_would_block(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}

/// Default mode: send now, and keep what the kernel will not take. A reply
/// never overtakes earlier bytes still queued for the same client.
fn send_or_queue<P: Probe>(conn: &mut Conn, reply: &[u8], spin: u64, probe: &mut P) {
    if conn.dead {
        return;
    }
    let sent = conn
        .pending
        .send_or_queue(&mut conn.sock, conn.id, reply, spin, probe);
    conn.dead = sent == Err(Failed);
}

/// Default mode: retry what a slow reader left queued (one write a spin).
/// Returns whether anything moved.
fn flush_pending<P: Probe>(conn: &mut Conn, spin: u64, probe: &mut P) -> bool {
    match conn
        .pending
        .flush_once(&mut conn.sock, conn.id, spin, probe)
    {
        Ok(Flush::Wrote(n)) => n > 0,
        Ok(Flush::WouldBlock) => false,
        Err(Failed) => {
            conn.dead = true;
            true
        }
    }
}

/// `--faithful`: `conn.send(data)` once; whatever the kernel does not take
/// is gone. Returns whether anything non-empty was sent.
fn send_faithfully<P: Probe>(conn: &mut Conn, reply: &[u8], spin: u64, probe: &mut P) -> bool {
    if conn.dead {
        return false;
    }
    match conn.sock.write(reply) {
        Ok(_) if reply.is_empty() => {
            probe.empty_send(conn.id, spin);
            false
        }
        Ok(n) => {
            probe.send(conn.id, &reply[..n], 0, spin);
            if n < reply.len() {
                probe.lost(conn.id, reply.len() - n);
            }
            true
        }
        Err(e) if is_would_block(&e) => {
            probe.would_block(Call::Send, Some(conn.id));
            probe.lost(conn.id, reply.len());
            false
        }
        Err(e) => {
            probe.reset(conn.id, Call::Send, &e, Some(ResetNote::ListingCrashes));
            conn.dead = true;
            true
        }
    }
}
