//! `ioscope swarm`: many clients on one thread (mio), each playing a scene,
//! every reply checked byte for byte. Bounded by count and by time: a run
//! always ends by itself.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token};
use serde::Serialize;

use super::conn::Conn;
use super::payload::Message;
use super::stats::{ClientCounts, Summary, Tally};

/// A named client behaviour a lecturer can hold against any model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Scene {
    /// Steady request/response: send, wait for the reply, wait the interval.
    Chatty,
    /// Connect and stay silent until the run ends.
    Idle,
    /// Connect, one message, close; again, `--messages` times.
    Churn,
    /// Connect, one message and its reply, then a TCP reset (SO_LINGER 0).
    Reset,
    /// Send everything, shut the write side, read the replies to the end.
    HalfClose,
    /// Keep sending, never read.
    SlowReader,
    /// Open every connection at once, then one message each.
    Burst,
    /// Random bytes, NUL and invalid UTF-8 included, checked byte for byte.
    Binary,
    /// Each client plays one of the above in turn.
    Mix,
}

impl Scene {
    pub fn name(self) -> &'static str {
        match self {
            Scene::Chatty => "chatty",
            Scene::Idle => "idle",
            Scene::Churn => "churn",
            Scene::Reset => "reset",
            Scene::HalfClose => "half-close",
            Scene::SlowReader => "slow-reader",
            Scene::Burst => "burst",
            Scene::Binary => "binary",
            Scene::Mix => "mix",
        }
    }

    /// What client `i` plays.
    fn for_client(self, i: usize) -> Scene {
        const MIX: [Scene; 8] = [
            Scene::Chatty,
            Scene::Idle,
            Scene::Churn,
            Scene::Reset,
            Scene::HalfClose,
            Scene::Binary,
            Scene::SlowReader,
            Scene::Chatty,
        ];
        match self {
            Scene::Mix => MIX[i % MIX.len()],
            s => s,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SwarmConfig {
    pub addr: SocketAddr,
    pub clients: usize,
    /// Messages per client (per connection for `churn` and `reset`: that
    /// many connections).
    pub messages: u64,
    pub size: usize,
    pub interval: Duration,
    /// The whole run ends after this, whatever is left.
    pub duration: Duration,
    pub scene: Scene,
    pub seed: u64,
}

impl SwarmConfig {
    pub fn new(addr: SocketAddr, scene: Scene) -> Self {
        SwarmConfig {
            addr,
            clients: 10,
            messages: 10,
            size: 64,
            interval: Duration::ZERO,
            duration: Duration::from_secs(10),
            scene,
            seed: 0x10_5c0be,
        }
    }
}

/// A small, seeded xorshift: the swarm's random bytes are reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

#[derive(Debug)]
struct Client {
    scene: Scene,
    /// Messages (or connections) still to go.
    left: u64,
    sent: u64,
    conn: Option<Conn>,
    done: bool,
    /// Bumped whenever the client's timer is replaced.
    timer_gen: u64,
    /// It has tried to connect (it has a socket, or it failed).
    started: bool,
    /// One of its connections was made.
    connected: bool,
}

/// Runs the swarm to the end and returns its summary. Refuses a config
/// with no clients, no messages or empty messages (`InvalidInput`).
pub fn run(config: &SwarmConfig) -> io::Result<Summary> {
    Swarm::new(config)?.run()
}

/// The error of a socket that could not be made: no descriptor left (for
/// the process, EMFILE, or the machine, ENFILE).
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

struct Swarm<'a> {
    config: &'a SwarmConfig,
    poll: Poll,
    clients: Vec<Client>,
    timers: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    tally: Tally,
    /// The soft descriptor limit in force (raised to the hard one).
    fd_limit: Option<u64>,
    /// A socket could not be made: no descriptor left.
    out_of_descriptors: bool,
}

impl<'a> Swarm<'a> {
    fn new(config: &'a SwarmConfig) -> io::Result<Self> {
        for (what, n) in [
            ("clients", config.clients as u64),
            ("messages", config.messages),
            ("size", config.size as u64),
        ] {
            if n == 0 {
                let e = format!("{what}: at least 1");
                return Err(io::Error::new(io::ErrorKind::InvalidInput, e));
            }
        }
        // As the server does: a thousand clients need a thousand descriptors.
        let fd_limit = crate::sys::raise_fd_limit();
        let clients = (0..config.clients)
            .map(|i| {
                let scene = config.scene.for_client(i);
                Client {
                    scene,
                    left: match scene {
                        Scene::Idle => 0,
                        Scene::HalfClose | Scene::Burst => 1,
                        _ => config.messages,
                    },
                    sent: 0,
                    conn: None,
                    done: false,
                    timer_gen: 0,
                    started: false,
                    connected: false,
                }
            })
            .collect();
        Ok(Swarm {
            config,
            poll: Poll::new()?,
            clients,
            timers: BinaryHeap::new(),
            tally: Tally::default(),
            fd_limit,
            out_of_descriptors: false,
        })
    }

    fn run(mut self) -> io::Result<Summary> {
        let started = Instant::now();
        let cpu_before = crate::sys::thread_cpu();
        let deadline = started + self.config.duration;
        for i in 0..self.clients.len() {
            if self.out_of_descriptors {
                // No descriptor for it: it is not started (nor are the rest).
                self.clients[i].done = true;
            } else {
                self.open(i);
            }
        }
        let mut events = Events::with_capacity(1024);
        loop {
            let now = Instant::now();
            if now >= deadline || !self.busy() {
                break;
            }
            let next_timer = self.timers.peek().map(|Reverse((t, ..))| *t);
            let wake = next_timer.map_or(deadline, |t| t.min(deadline));
            match self
                .poll
                .poll(&mut events, Some(wake.saturating_duration_since(now)))
            {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                // One event can move megabytes (a large --size): the run
                // stops on time, not at the end of the batch.
                if Instant::now() >= deadline {
                    break;
                }
                self.on_event(event.token().0);
            }
            let now = Instant::now();
            while let Some(Reverse((t, i, generation))) = self.timers.peek().copied() {
                if t > now {
                    break;
                }
                self.timers.pop();
                if self.clients[i].timer_gen == generation && !self.clients[i].done {
                    if self.clients[i].conn.is_none() {
                        self.open(i); // churn / reset, paced by --interval
                    } else {
                        self.send_next(i);
                    }
                }
            }
        }
        let elapsed = started.elapsed();
        let counts = self.count_clients();
        // Whatever is still open closes here; its unanswered messages are lost.
        self.clients.clear();
        let cpu = crate::sys::thread_cpu().since(cpu_before);
        Ok(self
            .tally
            .summary(self.config.scene.name(), &counts, elapsed, cpu))
    }

    /// At the end: every client connected, failed or not started. A
    /// connection still on its way now failed.
    fn count_clients(&mut self) -> ClientCounts {
        let mut counts = ClientCounts {
            total: self.clients.len() as u64,
            ..ClientCounts::default()
        };
        for client in &self.clients {
            if client.conn.as_ref().is_some_and(|c| !c.is_connected()) {
                let why = "still connecting when the run ended (--duration)";
                self.tally.connection_failed(why.to_string());
            }
            match (client.started, client.connected) {
                (false, _) => counts.not_started += 1,
                (true, false) => counts.failed += 1,
                (true, true) => counts.connected += 1,
            }
        }
        counts.out_of_descriptors = self.out_of_descriptors;
        if counts.not_started > 0 {
            counts.not_started_because = Some(self.no_descriptors());
        }
        counts
    }

    /// "out of file descriptors (limit 1,024)".
    fn no_descriptors(&self) -> String {
        match self.fd_limit {
            Some(limit) => format!(
                "out of file descriptors (limit {})",
                crate::ui::fmt::thousands(limit)
            ),
            None => "out of file descriptors".to_string(),
        }
    }

    /// Counts a connection tried and not made, by what went wrong.
    fn connection_failed(&mut self, e: &io::Error) {
        let why = if out_of_descriptors(e) {
            self.no_descriptors()
        } else if e.kind() == io::ErrorKind::ConnectionRefused {
            format!(
                "connection refused (nothing listens at {})",
                self.config.addr
            )
        } else {
            // "Connection timed out (os error 110)" → "connection timed out"
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            let mut chars = text.chars();
            chars.next().map_or(String::new(), |c| {
                c.to_lowercase().chain(chars).collect::<String>()
            })
        };
        self.tally.connection_failed(why);
    }

    /// Something left to do besides holding idle connections.
    fn busy(&self) -> bool {
        let all_idle = self.clients.iter().all(|c| c.scene == Scene::Idle);
        self.clients
            .iter()
            .any(|c| !c.done && (all_idle || c.scene != Scene::Idle))
    }

    fn open(&mut self, i: usize) {
        let conn = Conn::connect(self.config.addr).and_then(|mut conn| {
            self.poll.registry().register(
                &mut conn.stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            Ok(conn)
        });
        let client = &mut self.clients[i];
        match conn {
            Ok(conn) => {
                client.started = true;
                client.conn = Some(conn);
            }
            Err(e) => {
                client.done = true;
                if out_of_descriptors(&e) {
                    self.out_of_descriptors = true;
                    if !client.started {
                        return; // not started: no socket, no SYN
                    }
                }
                client.started = true;
                self.connection_failed(&e);
            }
        }
    }

    fn on_event(&mut self, i: usize) {
        let Some(conn) = self.clients[i].conn.as_mut() else {
            return;
        };
        if !conn.is_connected() {
            match conn.finish_connect() {
                Ok(Some(took)) => {
                    self.tally.record_connect(took);
                    self.clients[i].connected = true;
                    self.on_connected(i);
                }
                Ok(None) => return,
                Err(e) => {
                    self.connection_failed(&e);
                    self.end_connection(i, false);
                    return;
                }
            }
        }
        self.pump(i);
    }

    /// Writes what is queued, reads what arrived, and moves the scene on.
    fn pump(&mut self, i: usize) {
        let scene = self.clients[i].scene;
        loop {
            let Some(conn) = self.clients[i].conn.as_mut() else {
                return;
            };
            let written = match conn.write_some(&mut self.tally) {
                Ok(all) => all,
                Err(e) => return self.on_error(i, &e),
            };
            if scene != Scene::SlowReader {
                break;
            }
            // The slow reader never reads: it sends the next message as soon
            // as the kernel took the last one, and stops when the kernel
            // stops taking (a writable event wakes it again).
            if !written {
                return;
            }
            if !self.queue_next(i) {
                return self.end_connection(i, false);
            }
        }
        let client = &mut self.clients[i];
        let Some(conn) = client.conn.as_mut() else {
            return;
        };
        let outcome = match conn.read_some(&mut self.tally) {
            Ok(o) => o,
            Err(e) => return self.on_error(i, &e),
        };
        let awaiting = conn.awaiting();
        if outcome.eof {
            if scene != Scene::HalfClose || awaiting > 0 {
                self.tally.closed_by_server += 1;
            }
            return self.end_connection(i, false);
        }
        if outcome.replies == 0 || awaiting > 0 {
            return;
        }
        // Every reply is in.
        match scene {
            Scene::Chatty | Scene::Binary => {
                if client.left == 0 {
                    self.end_connection(i, false);
                } else if self.config.interval.is_zero() {
                    self.send_next(i);
                } else {
                    client.timer_gen += 1;
                    let at = Instant::now() + self.config.interval;
                    self.timers.push(Reverse((at, i, client.timer_gen)));
                }
            }
            Scene::Churn | Scene::Burst => self.end_connection(i, false),
            Scene::Reset => self.end_connection(i, true),
            // Waits for the server's close.
            Scene::HalfClose | Scene::Idle | Scene::SlowReader | Scene::Mix => {}
        }
    }

    fn on_connected(&mut self, i: usize) {
        match self.clients[i].scene {
            Scene::Idle => {}
            Scene::HalfClose => {
                self.queue_next(i);
                if let Some(conn) = self.clients[i].conn.as_mut() {
                    conn.shutdown_after_send();
                }
                self.pump(i);
            }
            Scene::SlowReader => {
                self.queue_next(i);
                self.pump(i);
            }
            _ => self.send_next(i),
        }
    }

    /// Queues the client's next message and writes what the kernel takes.
    fn send_next(&mut self, i: usize) {
        if !self.queue_next(i) {
            return;
        }
        let Some(conn) = self.clients[i].conn.as_mut() else {
            return;
        };
        if let Err(e) = conn.write_some(&mut self.tally) {
            self.on_error(i, &e);
        }
    }

    /// Queues the next message; `false` when the client has none left.
    fn queue_next(&mut self, i: usize) -> bool {
        let client = &mut self.clients[i];
        let Some(conn) = client.conn.as_mut() else {
            return false;
        };
        if client.left == 0 {
            return false;
        }
        client.left -= 1;
        client.sent += 1;
        let msg = if client.scene == Scene::Binary {
            Message::random(self.config.seed, i, client.sent, self.config.size)
        } else {
            Message::text(i, client.sent, self.config.size)
        };
        if client.scene == Scene::SlowReader {
            conn.queue_unread(msg, &mut self.tally);
        } else {
            conn.queue(msg, &mut self.tally);
        }
        true
    }

    fn on_error(&mut self, i: usize, e: &io::Error) {
        match e.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
                self.tally.reset_by_server += 1
            }
            _ => {}
        }
        self.end_connection(i, false);
    }

    /// Ends the current connection (with a reset if asked); churn and reset
    /// clients connect again while they have messages left.
    fn end_connection(&mut self, i: usize, reset: bool) {
        let client = &mut self.clients[i];
        if let Some(mut conn) = client.conn.take() {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            if reset {
                if conn.reset().is_ok() {
                    self.tally.resets_sent += 1;
                }
            } else {
                drop(conn);
            }
        }
        let again = matches!(client.scene, Scene::Churn | Scene::Reset) && client.left > 0;
        if !again {
            client.done = true;
        } else if self.config.interval.is_zero() {
            self.open(i);
        } else {
            client.timer_gen += 1;
            let at = Instant::now() + self.config.interval;
            self.timers.push(Reverse((at, i, client.timer_gen)));
        }
    }
}
