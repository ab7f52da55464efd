//! IO multiplexing: one thread, non-blocking sockets, and `poll` (mio:
//! epoll on Linux, kqueue on macOS) to sleep until the kernel says a socket
//! is ready. The same single loop as the lecture's, without the spinning:
//! when nothing happens it costs nothing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, ErrorKind, Read};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token, Waker};

use super::admission::{Admission, Place};
use super::kernel::{self, Watch};
use super::pending::{Budget, Failed, Flush, Pending};
use super::{
    ACCEPT_BACKOFF, ConnIds, Limits, RECV_SIZE, Spawn, call_gate, is_transient_accept_error,
};
use crate::control::{Control, Resume};
use crate::event::{Call, ConnId, Role};
use crate::probe::{FLUSH_EVERY, Probe};

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// How often the clients held at a cap are looked at again.
const STALL_CHECK: Duration = Duration::from_millis(250);
/// `recv`s for one client in one turn: a client with megabytes waiting
/// gets 4 KiB of them, then the others have their turn before its next.
const READS_PER_TURN: usize = 4;
/// Turns given to clients with more to read between two polls: a socket
/// that becomes ready waits for at most this many turns (and those of the
/// sockets ready with it) before its own.
const MORE_PER_POLL: usize = 256;

struct Conn {
    /// Registered for the sampler. Before `stream`: fields drop in order,
    /// so it is unregistered before the socket closes.
    _watch: Watch,
    stream: TcpStream,
    id: ConnId,
    pending: Pending,
    /// Its place among its address's clients (`--max-conns-per-ip`).
    _place: Place,
    /// The peer shut its side; close once the pending replies are out.
    peer_closed: bool,
    /// Registered for WRITABLE too (while replies wait).
    writable: bool,
}

/// What serving a connection came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Served {
    /// Closed, reset or failed: drop it.
    Gone,
    /// Not read to the end: it is at its own cap or the total.
    Held,
    /// Its turn is over, and there may be more to read.
    More,
    /// Read until the kernel had no more.
    Open,
}

pub(crate) fn spawn(s: Spawn) -> io::Result<Vec<JoinHandle<()>>> {
    let prepared = Prepared::new(s.listener, &s.control)?.watched_by(s.kernel);
    let (limits, conn_ids, control) = (s.limits, s.conn_ids, s.control);
    let thread = s.threads.spawn(
        "ioscope-multiplex",
        "loop",
        Role::PollLoop,
        None,
        Some(s.hello),
        move |probe, _| {
            if let Err(e) = prepared.run(limits, &conn_ids, &control, probe) {
                probe.accept_error(&e, Duration::ZERO);
            }
        },
    )?;
    Ok(vec![thread])
}

/// A loop ready to run: its poll, with the listener and a waker (which
/// `control` rings to pause or stop it) registered. Made on the caller's
/// thread, so that a failure (no descriptor left) is the caller's error.
pub struct Prepared {
    poll: Poll,
    listener: TcpListener,
    kernel: Arc<kernel::Registry>,
}

impl Prepared {
    pub fn new(listener: std::net::TcpListener, control: &Control) -> io::Result<Self> {
        let poll = Poll::new()?;
        // The control keeps the waker, for as long as the loop runs.
        let waker = Waker::new(poll.registry(), WAKER)?;
        control.set_nudge(Box::new(move |_| {
            let _ = waker.wake();
        }));
        listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(listener);
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(Prepared {
            poll,
            listener,
            kernel: kernel::Registry::new(),
        })
    }

    /// Registers each accepted client socket in `kernel`, for the sampler
    /// to read its kernel queues.
    pub fn watched_by(mut self, kernel: Arc<kernel::Registry>) -> Self {
        self.kernel = kernel;
        self
    }

    /// Runs the loop on the calling thread until `control` says stop.
    /// Generic over the probe so that a benchmark can run the same loop
    /// with [`NoProbe`](crate::probe::NoProbe).
    pub fn run<P: Probe>(
        self,
        limits: Limits,
        conn_ids: &ConnIds,
        control: &Control,
        probe: &mut P,
    ) -> io::Result<()> {
        let kernel = &self.kernel;
        run(
            self.poll,
            self.listener,
            limits,
            conn_ids,
            kernel,
            control,
            probe,
        )
    }
}

/// The connections and what bounds them.
struct Clients {
    conns: HashMap<Token, Conn>,
    /// Connections the loop stopped reading at a cap. It has to come back
    /// to them: their data is already there, and the kernel says a socket
    /// is readable only when more arrives (the readiness is
    /// edge-triggered).
    held: HashSet<Token>,
    /// Connections whose turn ended with data perhaps still waiting, in
    /// the order they get their next turn (a few between two polls), and
    /// the same as a set.
    more: VecDeque<Token>,
    in_more: HashSet<Token>,
    budget: Budget,
    stall_timeout: Duration,
    buf: [u8; RECV_SIZE],
}

impl Clients {
    /// Serves `token`'s connection (an event, or a held one looked at
    /// again) and settles what that came to.
    fn serve(
        &mut self,
        registry: &Registry,
        token: Token,
        wakeup: u64,
        control: &Control,
        probe: &mut impl Probe,
    ) {
        let Some(conn) = self.conns.get_mut(&token) else {
            self.held.remove(&token);
            return;
        };
        let served = serve(conn, &mut self.buf, wakeup, &self.budget, control, probe);
        if served == Served::Held {
            self.held.insert(token);
        } else {
            self.held.remove(&token);
        }
        if served == Served::More && self.in_more.insert(token) {
            self.more.push_back(token);
        }
        let wants_write = !conn.pending.is_empty();
        if served == Served::Gone {
            self.drop_conn(registry, token);
        } else if wants_write != conn.writable {
            conn.writable = wants_write;
            let interest = if wants_write {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            let _ = registry.reregister(&mut conn.stream, token, interest);
        }
    }

    /// The held connections again: one whose replies sat unread for the
    /// stall timeout while held is dropped; one there is room for now is
    /// served.
    fn look_at_held(
        &mut self,
        registry: &Registry,
        wakeup: u64,
        control: &Control,
        probe: &mut impl Probe,
    ) {
        let now = Instant::now();
        let held: Vec<Token> = self.held.iter().copied().collect();
        for token in held {
            let Some(conn) = self.conns.get_mut(&token) else {
                self.held.remove(&token);
                continue;
            };
            let Some(why) = self.budget.hold(&conn.pending, 0) else {
                self.serve(registry, token, wakeup, control, probe);
                continue;
            };
            let stall = self.stall_timeout;
            if let Some((stuck, first)) = conn.pending.hold(why, now) {
                if stuck >= stall {
                    probe.evicted(conn.id, first, Some(self.budget.limit(first)), stall);
                    self.drop_conn(registry, token);
                }
            }
        }
    }

    /// The next turns for clients with more to read.
    fn serve_more(
        &mut self,
        registry: &Registry,
        wakeup: u64,
        control: &Control,
        probe: &mut impl Probe,
    ) {
        for _ in 0..self.more.len().min(MORE_PER_POLL) {
            let Some(token) = self.more.pop_front() else {
                break;
            };
            if self.in_more.remove(&token) {
                self.serve(registry, token, wakeup, control, probe);
            }
        }
    }

    fn drop_conn(&mut self, registry: &Registry, token: Token) {
        self.held.remove(&token);
        self.in_more.remove(&token);
        if let Some(mut conn) = self.conns.remove(&token) {
            let _ = registry.deregister(&mut conn.stream);
        }
    }
}

fn run<P: Probe>(
    mut poll: Poll,
    listener: TcpListener,
    limits: Limits,
    conn_ids: &ConnIds,
    kernel: &Arc<kernel::Registry>,
    control: &Control,
    probe: &mut P,
) -> io::Result<()> {
    let mut events = Events::with_capacity(1024);
    let admission = Admission::new(&limits);
    let mut clients = Clients {
        conns: HashMap::new(),
        held: HashSet::new(),
        more: VecDeque::new(),
        in_more: HashSet::new(),
        budget: Budget::new(&limits),
        stall_timeout: limits.stall_timeout,
        buf: [0u8; RECV_SIZE],
    };
    let mut next_token = 2usize;
    let mut wakeup: u64 = 0;
    let mut accept_paused_until: Option<Instant> = None;
    let mut next_held_check = Instant::now();
    loop {
        if control.should_park() {
            probe.flush();
            if control.park(|p| probe.paused(p, "loop")) == Resume::Stop {
                return Ok(());
            }
        }
        // Stepped or slowed down, every call is an event of its own.
        let traced = control.should_park();
        probe.trace(traced);
        // Sleep until a socket is ready; wake for the summary only if there
        // is something to report, for the held clients, and for the end of
        // an accept backoff. Clients with more to read: only look.
        let revisit = !clients.more.is_empty();
        let mut timeout = if revisit {
            Some(Duration::ZERO)
        } else {
            // Counted or buffered, not handed over yet (or refused by a
            // full channel): wake within FLUSH_EVERY to hand it over.
            probe.has_unreported().then_some(FLUSH_EVERY)
        };
        let mut wake_at = |at: Instant| {
            let left = at.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t: Duration| t.min(left)));
        };
        if !clients.held.is_empty() {
            wake_at(next_held_check);
        }
        if let Some(until) = accept_paused_until {
            wake_at(until);
        }
        if !call_gate(control, probe, "loop") {
            return Ok(());
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
        } else if traced {
            // Stepped or slowed down, every poll is seen, empty or not.
            probe.wakeup(0);
        } else if events.is_empty() && !revisit {
            probe.flush();
        }
        let mut accept_now = events.iter().any(|e| e.token() == LISTENER);
        if accept_paused_until.is_some_and(|t| Instant::now() >= t) {
            accept_paused_until = None;
            accept_now = true;
        }
        if accept_now && accept_paused_until.is_none() {
            loop {
                if !call_gate(control, probe, "loop") {
                    return Ok(());
                }
                match listener.accept() {
                    Ok((mut stream, peer)) => {
                        // Refused: accepted and closed at once, a FIN.
                        let Some(place) = admission.admit(peer, clients.conns.len(), probe) else {
                            continue;
                        };
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
                        clients.conns.insert(
                            token,
                            Conn {
                                _watch: kernel.watch(id, &stream),
                                stream,
                                id,
                                pending: clients.budget.pending(),
                                _place: place,
                                peer_closed: false,
                                writable: false,
                            },
                        );
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        probe.would_block(Call::Accept, None);
                        break;
                    }
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
            if token != LISTENER && token != WAKER {
                clients.serve(poll.registry(), token, wakeup, control, probe);
            }
        }
        // Then turns for those whose last turn ended with more perhaps
        // waiting.
        if revisit {
            clients.serve_more(poll.registry(), wakeup, control, probe);
        }
        if !clients.held.is_empty() && Instant::now() >= next_held_check {
            next_held_check = Instant::now() + STALL_CHECK;
            clients.look_at_held(poll.registry(), wakeup, control, probe);
        }
        probe.flush_if_due();
    }
}

/// Flushes what is queued, then reads what is there and replies, as long
/// as the budget lets it, for one turn.
///
/// Each call passes the control's gate first; stopping, the turn ends
/// there (the loop's next gate stops it).
fn serve(
    conn: &mut Conn,
    buf: &mut [u8],
    wakeup: u64,
    budget: &Budget,
    control: &Control,
    probe: &mut impl Probe,
) -> Served {
    if !conn.pending.is_empty() && !flush_pending(conn, wakeup, control, probe) {
        return Served::Gone;
    }
    let mut reads = 0;
    while !conn.peer_closed {
        if reads == READS_PER_TURN {
            return Served::More;
        }
        reads += 1;
        if let Some(why) = budget.hold(&conn.pending, 0) {
            conn.pending.hold(why, Instant::now());
            return Served::Held;
        }
        if !call_gate(control, probe, "loop") {
            return Served::Open;
        }
        match conn.stream.read(buf) {
            Ok(0) => conn.peer_closed = true,
            Ok(n) => {
                let data = &mut buf[..n];
                probe.recv(conn.id, data, wakeup);
                data.make_ascii_uppercase();
                if conn.pending.is_empty() && !call_gate(control, probe, "loop") {
                    return Served::Open;
                }
                let sent =
                    conn.pending
                        .send_or_queue(&mut conn.stream, conn.id, data, wakeup, probe);
                if sent == Err(Failed) {
                    return Served::Gone;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                probe.would_block(Call::Recv, Some(conn.id));
                break;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                probe.reset(conn.id, Call::Recv, &e, None);
                return Served::Gone;
            }
        }
    }
    if conn.peer_closed && conn.pending.is_empty() {
        probe.closed(conn.id);
        return Served::Gone;
    }
    Served::Open
}

/// Sends what a slow reader left queued, until it is out or the kernel
/// takes no more (the readiness is edge-triggered); `false` if the
/// connection failed.
fn flush_pending(conn: &mut Conn, wakeup: u64, control: &Control, probe: &mut impl Probe) -> bool {
    loop {
        if !call_gate(control, probe, "loop") {
            return true;
        }
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
