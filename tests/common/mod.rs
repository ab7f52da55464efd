//! Shared by the integration tests: a real server on 127.0.0.1:0 and a way
//! to wait for its events (with a generous deadline, never a sleep).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ioscope::control::Control;
use ioscope::event::{Event, EventKind};
use ioscope::probe::{EventRx, channel};
use ioscope::server::{Model, Server, ServerConfig};

/// How long a test waits for something that should happen at once.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub server: Server,
    pub events: EventRx,
    /// Every event seen so far, in order.
    pub seen: Vec<Event>,
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    pub fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> Self {
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        configure(&mut config);
        let control = Arc::new(Control::new());
        // Two cores and parallel tests: idle spins sleep briefly, so a
        // server waiting for its client does not starve that client.
        control.set_idle_delay(Duration::from_micros(200));
        let (tx, events) = channel::channel();
        let server = Server::start_with_control(&config, tx, Instant::now(), control)
            .expect("bind 127.0.0.1:0");
        TestServer {
            server,
            events,
            seen: Vec::new(),
        }
    }

    /// A server of `model`, configured by `configure`, with its
    /// `listening` event seen (and checked: the real address, that model).
    pub fn start_model(model: Model, configure: impl FnOnce(&mut ServerConfig)) -> Self {
        let mut t = Self::start_with(|c| {
            c.model = model;
            configure(c);
        });
        match t.wait_for("listening", |k| matches!(k, EventKind::Listening { .. })) {
            EventKind::Listening { addr, model: m, .. } => {
                assert_eq!(addr, t.addr().to_string());
                assert_eq!(m, model);
            }
            _ => unreachable!(),
        }
        t
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr()).expect("connect");
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s
    }

    /// A client from the loopback address `ip` (127.0.0.2, say: all of
    /// 127/8 is loopback on Linux), to the server on 127.0.0.1.
    pub fn connect_from(&self, ip: &str) -> TcpStream {
        use socket2::{Domain, Protocol, Socket, Type};
        let sock = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
        let local = SocketAddr::new(ip.parse().expect("an IP address"), 0);
        sock.bind(&local.into())
            .unwrap_or_else(|e| panic!("bind {local}: {e}"));
        sock.connect_timeout(&self.addr().into(), DEADLINE)
            .unwrap_or_else(|e| panic!("connect from {ip}: {e}"));
        let s: TcpStream = sock.into();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s
    }

    /// Waits until an event matches; returns it. Panics after the deadline
    /// with the events seen.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&EventKind) -> bool) -> EventKind {
        let deadline = Instant::now() + DEADLINE;
        if let Some(e) = self.seen.iter().find(|e| pred(&e.kind)) {
            return e.kind.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(batch) => {
                    let first = self.seen.len();
                    self.seen.extend(batch);
                    if let Some(e) = self.seen[first..].iter().find(|e| pred(&e.kind)) {
                        return e.kind.clone();
                    }
                }
                Err(_) => panic!(
                    "no {what} event within {DEADLINE:?}; saw: {:#?}",
                    self.discrete()
                ),
            }
        }
    }

    /// Waits until `n` events match (counting those already seen).
    pub fn wait_for_count(&mut self, what: &str, n: usize, pred: impl Fn(&EventKind) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while self.seen.iter().filter(|e| pred(&e.kind)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(batch) => self.seen.extend(batch),
                Err(_) => panic!(
                    "fewer than {n} {what} events within {DEADLINE:?}; saw: {:#?}",
                    self.discrete()
                ),
            }
        }
    }

    /// The events seen so far without the summaries, the sampler's
    /// readings (and the pace the tests' servers start at: a 200 µs idle
    /// sleep).
    pub fn discrete(&self) -> Vec<&EventKind> {
        self.seen
            .iter()
            .map(|e| &e.kind)
            .filter(|k| {
                !matches!(
                    k,
                    EventKind::Spin { .. }
                        | EventKind::WouldBlock { .. }
                        | EventKind::Sample { .. }
                        | EventKind::KernelQueues { .. }
                        | EventKind::AcceptWait { .. }
                        | EventKind::Pace { .. }
                )
            })
            .collect()
    }

    /// Takes what has arrived without waiting.
    pub fn drain(&mut self) {
        let seen = &mut self.seen;
        self.events.drain(usize::MAX, |e| seen.push(e));
    }
}

/// Sends `msg` and reads back exactly as many bytes.
pub fn round_trip(stream: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    stream.write_all(msg).unwrap();
    let mut reply = vec![0; msg.len()];
    stream.read_exact(&mut reply).unwrap();
    reply
}

/// What the server must answer: ASCII upper-cased, every other byte as is.
pub fn upper(data: &[u8]) -> Vec<u8> {
    data.to_ascii_uppercase()
}

/// The `kernel_queues` reading of `conn`, if `kind` is one that has it.
pub fn kernel_queues_of(kind: &EventKind, conn: u64) -> Option<(u32, u32)> {
    match kind {
        EventKind::KernelQueues { conns } => conns
            .iter()
            .find(|(c, ..)| *c == conn)
            .map(|&(_, inq, outq)| (inq, outq)),
        _ => None,
    }
}

/// One system call's event, as a stepped or slowed-down loop reports it: a
/// `send` of 0 bytes with bytes still queued is the outcome of a send that
/// would block (or of one never made: behind queued bytes), not a call.
pub fn is_call(kind: &EventKind) -> bool {
    match kind {
        EventKind::Accept { .. }
        | EventKind::WouldBlockOn { .. }
        | EventKind::Recv { .. }
        | EventKind::Closed { .. }
        | EventKind::Reset { .. }
        | EventKind::AcceptError { .. }
        | EventKind::Refused { .. }
        | EventKind::Wakeup { .. } => true,
        EventKind::Send { bytes, pending, .. } => *bytes > 0 || *pending == 0,
        _ => false,
    }
}

impl TestServer {
    /// Pauses the server and waits until its loop has parked.
    pub fn pause(&mut self) {
        self.server.control().set_paused(true);
        let parks = self.parks();
        self.wait_for_count("parked", parks + 1, is_park);
    }

    /// Parks seen so far.
    pub fn parks(&self) -> usize {
        self.seen.iter().filter(|e| is_park(&e.kind)).count()
    }

    /// Lets the paused loop through with `step`, waits until it has
    /// parked again, and returns the calls it made meanwhile.
    pub fn step_with(&mut self, step: impl FnOnce(&Control)) -> Vec<EventKind> {
        let parks = self.parks();
        let from = self.seen.len();
        step(self.server.control());
        self.wait_for_count("parked again", parks + 1, is_park);
        self.seen[from..]
            .iter()
            .map(|e| &e.kind)
            .take_while(|k| !is_park(k))
            .filter(|k| is_call(k))
            .cloned()
            .collect()
    }
}

fn is_park(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Paused { paused: true, .. })
}

/// Runs the dashboard's runtime over `source` (recording to `record`) on
/// a `TestBackend` of `width`×`height` until the scripted `inputs` end it:
/// how it ended, the dashboard, the terminal.
pub fn run_dashboard(
    source: &dyn ioscope::source::Source,
    record: Option<&ioscope::record::Tap>,
    inputs: &crossbeam_channel::Receiver<ioscope::runtime::Input>,
    (width, height): (u16, u16),
) -> (
    ioscope::runtime::Exit,
    ioscope::app::Dashboard,
    ratatui::Terminal<ratatui::backend::TestBackend>,
) {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    let mut d = ioscope::app::Dashboard::new();
    let session = ioscope::runtime::Session {
        source,
        clients: None,
        record,
    };
    let exit = ioscope::runtime::run(&mut terminal, &mut d, session, inputs).unwrap();
    (exit, d, terminal)
}
