//! The servers: one file per IO model, all speaking the lecture's protocol
//! (every byte received comes back ASCII upper-cased) and all reporting
//! through a [`Probe`](crate::probe::Probe).
//!
//! [`Server::start`] binds on the caller's thread, so a bad address or a
//! port in use is an error before anything else happens, then runs the model
//! on named threads until [`Server::stop`] (or drop).

pub mod nonblocking;

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::Sender;
use socket2::{Domain, Protocol, Socket, Type};

use crate::control::Control;
use crate::event::Event;

/// The lecture's `listen(5)`.
pub const DEFAULT_BACKLOG: i32 = 5;
/// A reply waiting for a slow reader is kept up to this many bytes; beyond
/// it the server stops reading from that client until it catches up.
pub const DEFAULT_PENDING_CAP: usize = 1 << 20;

/// The IO models ioscope can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Model {
    /// The lecture's loop: non-blocking sockets polled in a busy loop.
    #[default]
    Nonblocking,
}

impl Model {
    pub fn name(self) -> &'static str {
        match self {
            Model::Nonblocking => "nonblocking",
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub model: Model,
    pub backlog: i32,
    /// Run the lecture's listing as written, bugs included.
    pub faithful: bool,
    pub pending_cap: usize,
    /// Fault injection for the terminal-restore tests: the model thread
    /// panics right after `listening`.
    #[doc(hidden)]
    pub inject_panic: bool,
}

impl ServerConfig {
    pub fn new(addr: SocketAddr) -> Self {
        ServerConfig {
            addr,
            model: Model::default(),
            backlog: DEFAULT_BACKLOG,
            faithful: false,
            pending_cap: DEFAULT_PENDING_CAP,
            inject_panic: false,
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
    control: Arc<Control>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds `config.addr` and starts the model. Events go to `tx`, timed
    /// from `epoch`. The first event is always `listening`.
    pub fn start(
        config: &ServerConfig,
        tx: Sender<Event>,
        epoch: Instant,
    ) -> Result<Server, BindError> {
        Self::start_with_control(config, tx, epoch, Arc::new(Control::new()))
    }

    /// As [`Server::start`], with a control handle made beforehand (to start
    /// paused, or with an idle delay).
    pub fn start_with_control(
        config: &ServerConfig,
        tx: Sender<Event>,
        epoch: Instant,
        control: Arc<Control>,
    ) -> Result<Server, BindError> {
        let listener = bind(config.addr, config.backlog)?;
        let addr = listener.local_addr().map_err(|source| BindError {
            addr: config.addr,
            source,
        })?;
        let thread = match config.model {
            Model::Nonblocking => nonblocking::spawn(listener, config, tx, epoch, control.clone()),
        }
        .map_err(|source| BindError {
            addr: config.addr,
            source,
        })?;
        Ok(Server {
            addr,
            control,
            threads: vec![thread],
        })
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
