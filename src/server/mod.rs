//! The servers: one file per IO model, all speaking the lecture's protocol
//! (every byte received comes back ASCII upper-cased) and all reporting
//! through a [`Probe`](crate::probe::Probe).
//!
//! [`Server::start`] binds on the caller's thread, so a bad address or a
//! port in use is an error before anything else happens, then runs the model
//! on named threads until [`Server::stop`] (or drop).

mod admission;
mod blocking;
mod blocking_io;
mod host;
pub mod kernel;
pub mod multiplex;
pub use host::ServerHost;
pub mod nonblocking;
mod pending;
mod pool;
pub use pool::{Pool, Resize};
pub mod reach;
mod threaded;

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use socket2::{Domain, Protocol, Socket, Type};

use crate::control::{Control, Resume};
use crate::event::{Backoff, ConnId, Event, EventKind, Reach, Role};
use crate::probe::{ChannelProbe, EventTx, Probe};

/// The lecture's `conn.recv(1024)`: every model reads at most this much
/// at a time.
pub const RECV_SIZE: usize = 1024;

/// The lecture's `listen(5)`.
pub const DEFAULT_BACKLOG: i32 = 5;
/// A reply waiting for a slow reader is kept up to this many bytes; beyond
/// it the server stops reading from that client until it catches up.
pub const DEFAULT_PENDING_CAP: usize = 1 << 20;
/// The replies a single-threaded loop keeps for all its clients together,
/// in bytes: from three quarters of it on the loop stops reading from
/// clients that have replies waiting, and it never holds more.
pub const DEFAULT_PENDING_TOTAL: usize = 64 << 20;

pub use crate::event::Model;

/// How long replies may sit unread at the cap before the client is dropped.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Clients served at once before new ones are refused.
pub const DEFAULT_MAX_CONNS: usize = 10_000;

/// How long accepting pauses after EMFILE and friends: long enough that a
/// server out of descriptors does not spin on accept, short enough to
/// recover as soon as clients leave.
pub(crate) const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Before a system call: at full speed, one relaxed load. Paused, stepped
/// or in slow motion, what `thread` has buffered goes out first (the room
/// sees the last call before the loop waits) and it waits as the viewer
/// asked. `false`: stop now.
#[inline]
pub(crate) fn call_gate<P: Probe>(control: &Control, probe: &mut P, thread: &str) -> bool {
    !control.should_park() || wait_at_call(control, probe, thread)
}

#[cold]
#[inline(never)]
fn wait_at_call<P: Probe>(control: &Control, probe: &mut P, thread: &str) -> bool {
    // Stepped or slowed down from here on: every call is an event of its
    // own (the loop's next spin says when that ends).
    probe.trace(true);
    probe.flush();
    control.before_call(|p| probe.paused(p, thread)) == Resume::Run
}

/// Accept errors that concern one connection only (retry at once), as
/// opposed to the process running out of something (back off).
pub(crate) fn is_transient_accept_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The pool's default worker count.
pub const DEFAULT_WORKERS: usize = 4;
/// How often the sampler reads memory, threads and the listen queue.
pub const SAMPLE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Where connection ids come from: 1, 2, 3, … in accept order, never given
/// twice while the counter lives. Clones share the counter, so a
/// [`ServerHost`] that keeps one across model switches never starts again
/// at 1 (three different `#1`s on one screen).
#[derive(Debug, Clone, Default)]
pub struct ConnIds(Arc<AtomicU64>);

impl ConnIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next id (the first is 1).
    pub fn next(&self) -> ConnId {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub model: Model,
    pub backlog: i32,
    /// Run the lecture's listing as written, bugs included.
    pub faithful: bool,
    /// `--verbatim`: the listing's accepted sockets stay blocking (Linux).
    pub verbatim: bool,
    pub pending_cap: usize,
    /// Reply bytes kept for all clients together (`nonblocking`,
    /// `multiplex`: the thread models keep none).
    pub pending_total: usize,
    /// A client whose replies sit unread at the cap this long is dropped
    /// (`evicted`); the thread models time out their blocked `send`.
    pub stall_timeout: Duration,
    /// More clients than this at once are accepted and closed at once
    /// (`refused`).
    pub max_conns: usize,
    /// More clients than this from one IP address at once are refused
    /// too; `None`: no such limit.
    pub max_conns_per_ip: Option<usize>,
    /// Workers of the `pool` model.
    pub workers: usize,
    /// The connection ids every run started with this config (or a clone of
    /// it) takes from.
    pub conn_ids: ConnIds,
    /// Fault injection for the terminal-restore tests: the model thread
    /// panics right after `listening`.
    #[doc(hidden)]
    pub inject_panic: bool,
    /// Listening beyond loopback: the machine's addresses clients elsewhere
    /// reach it at, said with `listening` ([`ServerHost::start`] reads them
    /// once; empty on loopback).
    pub reachable: Vec<Reach>,
}

impl ServerConfig {
    pub fn new(addr: SocketAddr) -> Self {
        ServerConfig {
            addr,
            model: Model::default(),
            backlog: DEFAULT_BACKLOG,
            faithful: false,
            verbatim: false,
            pending_cap: DEFAULT_PENDING_CAP,
            pending_total: DEFAULT_PENDING_TOTAL,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            max_conns: DEFAULT_MAX_CONNS,
            max_conns_per_ip: None,
            workers: DEFAULT_WORKERS,
            conn_ids: ConnIds::new(),
            inject_panic: false,
            reachable: Vec::new(),
        }
    }
}

/// Binding failed: the address is in use, not ours, or otherwise refused.
#[derive(Debug)]
pub struct BindError {
    pub addr: SocketAddr,
    pub source: io::Error,
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot listen on {}: ", self.addr)?;
        match self.source.kind() {
            io::ErrorKind::AddrInUse => write!(
                f,
                "the address is already in use (another server on that port? try --addr 127.0.0.1:0 for any free port)"
            ),
            io::ErrorKind::AddrNotAvailable => {
                write!(f, "that address does not belong to this machine")
            }
            io::ErrorKind::PermissionDenied => {
                write!(f, "permission denied (ports below 1024 need privileges)")
            }
            _ => write!(f, "{}", self.source),
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The lecture's listening socket, through socket2: SO_REUSEADDR, bind,
/// `listen(backlog)`. Left blocking; each model sets what it needs.
pub fn bind(addr: SocketAddr, backlog: i32) -> Result<TcpListener, BindError> {
    let err = |source| BindError { addr, source };
    let socket =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(err)?;
    socket.set_reuse_address(true).map_err(err)?;
    socket.bind(&addr.into()).map_err(err)?;
    socket.listen(backlog).map_err(err)?;
    Ok(socket.into())
}

/// A running server model.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    model: Model,
    control: Arc<Control>,
    threads: Vec<JoinHandle<()>>,
    /// `pool`: grown and shrunk live.
    pool: Option<Arc<pool::Pool>>,
}

impl Server {
    /// Binds `config.addr` and starts the model. Events go to `tx`, timed
    /// from `epoch`. The first event is always `listening`.
    pub fn start(config: &ServerConfig, tx: EventTx, epoch: Instant) -> Result<Server, BindError> {
        Self::start_with_control(config, tx, epoch, Arc::new(Control::new()))
    }

    /// As [`Server::start`], with a control handle made beforehand (to start
    /// paused, or with an idle delay).
    pub fn start_with_control(
        config: &ServerConfig,
        tx: EventTx,
        epoch: Instant,
        control: Arc<Control>,
    ) -> Result<Server, BindError> {
        let listener = bind(config.addr, config.backlog)?;
        let addr = listener.local_addr().map_err(|source| BindError {
            addr: config.addr,
            source,
        })?;
        let err = |source| BindError {
            addr: config.addr,
            source,
        };
        let sampler_listener = listener.try_clone().map_err(err)?;
        // Every other thread waits for `listening`: it is always the first
        // event. The latch opens when its sender is dropped.
        let (announced, listening_sent) = crossbeam_channel::bounded::<()>(0);
        // `--faithful` is the lecture's listing: only a model that has one
        // runs (and says it runs) faithfully.
        let faithful = config.faithful && config.model.has_listing();
        let verbatim = faithful && config.verbatim;
        let kernel = kernel::Registry::new();
        let spawn = Spawn {
            listener,
            threads: Threads {
                tx: tx.clone(),
                epoch,
                listening_sent: listening_sent.clone(),
            },
            control: control.clone(),
            conn_ids: config.conn_ids.clone(),
            kernel: kernel.clone(),
            limits: Limits {
                pending_cap: config.pending_cap,
                pending_total: config.pending_total,
                stall_timeout: config.stall_timeout,
                max_conns: config.max_conns.max(1),
                max_conns_per_ip: config.max_conns_per_ip,
            },
            hello: Hello {
                addr,
                model: config.model,
                backlog: config.backlog,
                listing: faithful.then_some(verbatim),
                inject_panic: config.inject_panic,
                pace: control.pace(),
                reachable: config.reachable.clone(),
                announced: Some(announced),
            },
        };
        let mut pool = None;
        let mut threads = match config.model {
            Model::Nonblocking => nonblocking::spawn(spawn, faithful, verbatim),
            Model::Blocking => blocking::spawn(spawn),
            Model::Threaded => threaded::spawn(spawn),
            Model::Pool => pool::spawn(spawn, config.workers).map(|(threads, live)| {
                pool = Some(live);
                threads
            }),
            Model::Multiplex => multiplex::spawn(spawn),
        }
        .map_err(err)?;
        let sampler = spawn_sampler(
            sampler_listener,
            tx,
            epoch,
            control.clone(),
            listening_sent,
            kernel,
        );
        threads.push(sampler.map_err(err)?);
        Ok(Server {
            addr,
            model: config.model,
            control,
            threads,
            pool,
        })
    }

    /// The running pool (`pool` only), to grow and shrink.
    pub fn pool(&self) -> Option<&Arc<pool::Pool>> {
        self.pool.as_ref()
    }

    pub fn model(&self) -> Model {
        self.model
    }

    /// Whether every model thread is still running (a panic ends one).
    pub fn is_alive(&self) -> bool {
        self.threads.iter().all(|t| !t.is_finished())
    }

    /// The address really bound (the real port when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn control(&self) -> &Arc<Control> {
        &self.control
    }

    /// Stops the model and waits for its threads; their sockets are closed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.control.stop();
        if let Some(pool) = self.pool.take() {
            pool.stop();
        }
        for t in self.threads.drain(..) {
            // A panicked model thread has already reported through the
            // panic hook; there is nothing more to do with it here.
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What a model's `spawn` gets.
pub(crate) struct Spawn {
    pub listener: TcpListener,
    /// Starts the model's threads.
    pub threads: Threads,
    pub control: Arc<Control>,
    /// Where this run's connection ids come from.
    pub conn_ids: ConnIds,
    /// Every accepted client socket is registered here, for the sampler
    /// to read its kernel queues.
    pub kernel: Arc<kernel::Registry>,
    pub limits: Limits,
    /// The first thread announces `listening` with it.
    pub hello: Hello,
}

/// Starts a model's threads: each reports through a probe of its own (CPU
/// time is per thread) on the same channel and clock.
#[derive(Debug, Clone)]
pub(crate) struct Threads {
    tx: EventTx,
    epoch: Instant,
    /// Opens once `listening` has gone out: every other thread waits on it
    /// before its first event.
    listening_sent: crossbeam_channel::Receiver<()>,
}

impl Threads {
    /// Starts the thread `os_name`, called `name` in its events: it
    /// announces `listening` with `hello` (the model's first thread) or
    /// waits until that is out, makes its probe, says it started (`thread`,
    /// `role`, serving `conn`), runs `body` and says it ended.
    pub fn spawn(
        &self,
        os_name: &str,
        name: impl Into<String>,
        role: Role,
        conn: Option<ConnId>,
        hello: Option<Hello>,
        body: impl FnOnce(&mut ChannelProbe, &str) + Send + 'static,
    ) -> io::Result<JoinHandle<()>> {
        let (tx, epoch, name) = (self.tx.clone(), self.epoch, name.into());
        let listening_sent = self.listening_sent.clone();
        std::thread::Builder::new()
            .name(os_name.into())
            .spawn(move || {
                let mut probe = match hello {
                    Some(mut hello) => {
                        let mut probe = ChannelProbe::new(tx, epoch);
                        hello.announce(&mut probe);
                        probe
                    }
                    None => {
                        wait_for_listening(&listening_sent);
                        ChannelProbe::new(tx, epoch)
                    }
                };
                probe.thread(&name, role, true, conn);
                body(&mut probe, &name);
                probe.thread(&name, role, false, conn);
            })
    }
}

/// Waits until `listening` has been sent (or its thread is gone).
fn wait_for_listening(listening_sent: &crossbeam_channel::Receiver<()>) {
    let _ = listening_sent.recv_timeout(Duration::from_secs(5));
}

/// What keeps a model's memory bounded whatever the clients do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub pending_cap: usize,
    pub pending_total: usize,
    pub stall_timeout: Duration,
    pub max_conns: usize,
    pub max_conns_per_ip: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            pending_cap: DEFAULT_PENDING_CAP,
            pending_total: DEFAULT_PENDING_TOTAL,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            max_conns: DEFAULT_MAX_CONNS,
            max_conns_per_ip: None,
        }
    }
}

/// The `listening` announcement, made by a model's first thread.
#[derive(Debug, Clone)]
pub(crate) struct Hello {
    pub addr: SocketAddr,
    pub model: Model,
    pub backlog: i32,
    /// The lecture's listing runs (`Some(true)`: verbatim).
    pub listing: Option<bool>,
    pub inject_panic: bool,
    /// The pace the run starts at, said after `listening` unless it is
    /// full speed and spinning (the lecture's loop).
    pub pace: (Duration, Backoff, Duration),
    /// Where clients elsewhere reach the server (beyond loopback).
    pub reachable: Vec<Reach>,
    announced: Option<Sender<()>>,
}

impl Hello {
    pub fn announce(&mut self, probe: &mut impl Probe) {
        probe.listening(
            self.addr,
            self.model,
            self.backlog,
            self.listing,
            &self.reachable,
        );
        let (call_delay, backoff, sleep) = self.pace;
        if !call_delay.is_zero() || backoff != Backoff::Spin {
            probe.pace(call_delay, backoff, sleep);
        }
        probe.flush();
        self.announced = None; // opens the latch for the other threads
        if self.inject_panic {
            panic!("injected server panic (IOSCOPE_FAULT=server-panic)");
        }
    }
}

/// Every model gets a sampler: memory, threads, the listen queue, and the
/// kernel queues of every client socket, four times a second and whenever
/// a server thread parks, until the server stops.
fn spawn_sampler(
    listener: TcpListener,
    tx: EventTx,
    epoch: Instant,
    control: Arc<Control>,
    listening_sent: crossbeam_channel::Receiver<()>,
    kernel: Arc<kernel::Registry>,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("ioscope-sampler".into())
        .spawn(move || {
            wait_for_listening(&listening_sent);
            let mut last = None;
            let mut queues = kernel::Sampler::new(kernel);
            let mut parks = 0;
            loop {
                let queue = crate::sys::listen_queue(&listener);
                let sample = EventKind::Sample {
                    rss_bytes: crate::sys::rss_bytes().unwrap_or(0),
                    threads: crate::sys::process_threads().unwrap_or(0),
                    listen_queue: queue.map(|q| q.0),
                    listen_max: queue.map(|q| q.1),
                    listen_overflows: crate::sys::listen_overflows(),
                    vm_bytes: crate::sys::vm_bytes(),
                };
                if last.as_ref() != Some(&sample) {
                    let t_us = epoch.elapsed().as_micros() as u64;
                    if tx
                        .try_send(vec![Event {
                            t_us,
                            kind: sample.clone(),
                        }])
                        .is_ok()
                    {
                        last = Some(sample);
                    }
                }
                queues.sample(&tx, epoch);
                if control.wait_park_or_stop(SAMPLE_EVERY, &mut parks) {
                    break;
                }
            }
        })
}
