//! Built-in clients the dashboard starts with a key: real loopback clients
//! on a thread of their own ("ioscope-clients"), so a lecturer can show
//! connections coming and going without opening ten terminals. The demo
//! mode drives them by itself at a pace a room can follow.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use mio::{Events, Interest, Poll, Token, Waker};

use super::conn::Conn;
use super::payload::Message;
use super::stats::Tally;
use super::swarm::Rng;
use crate::event::{ClientRole, Event, EventKind};

/// What the dashboard asks of its built-in clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCmd {
    /// Connect one more client that talks every few seconds.
    Chatty,
    /// Connect one more client that says nothing.
    Idle,
    /// Reset one built-in client (SO_LINGER 0).
    ResetOne,
    /// Close one built-in client gracefully.
    CloseOne,
    /// Every chatty built-in client sends one message now; idle ones stay
    /// silent, as their label says.
    SendAll,
    /// Start or stop the demo.
    Demo(bool),
}

/// A chatty built-in client speaks this often.
const CHATTY_EVERY: Duration = Duration::from_millis(2500);
/// The demo takes a step this often: a few events a second.
const DEMO_STEP: Duration = Duration::from_millis(700);
/// The demo keeps between these many clients.
const DEMO_MIN: usize = 2;
const DEMO_MAX: usize = 8;
const WAKER: Token = Token(usize::MAX);

const LINES: [&str; 8] = [
    "hello",
    "how are you?",
    "ping",
    "non-blocking io",
    "would block?",
    "echo me back",
    "ni hao 你好",
    "one more line",
];

/// The handle the runtime holds. Dropping it stops the clients (they close).
pub struct BuiltinClients {
    tx: Sender<ClientCmd>,
    waker: Arc<Waker>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for BuiltinClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinClients").finish_non_exhaustive()
    }
}

impl BuiltinClients {
    /// Starts the client thread. `notify` receives a `client` event for each
    /// built-in client that connects (its local address is the `peer` the
    /// server sees). Times are microseconds since `epoch`.
    pub fn start(
        addr: SocketAddr,
        epoch: Instant,
        demo: bool,
        notify: impl Fn(Event) + Send + 'static,
    ) -> io::Result<Self> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut engine = Engine {
            addr,
            epoch,
            poll,
            rx,
            notify: Box::new(notify),
            clients: Vec::new(),
            tally: Tally::default(),
            rng: Rng::new(epoch.elapsed().as_nanos() as u64 ^ 0x5eed),
            demo_next: demo.then(Instant::now),
            said: 0,
        };
        let thread = std::thread::Builder::new()
            .name("ioscope-clients".into())
            .spawn(move || engine.run())?;
        Ok(BuiltinClients {
            tx,
            waker,
            thread: Some(thread),
        })
    }

    pub fn command(&self, cmd: ClientCmd) {
        if self.tx.send(cmd).is_ok() {
            let _ = self.waker.wake();
        }
    }
}

impl Drop for BuiltinClients {
    fn drop(&mut self) {
        // Closing the channel tells the thread to stop.
        let (dead, _) = crossbeam_channel::bounded(0);
        self.tx = dead;
        let _ = self.waker.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Debug)]
struct Client {
    conn: Conn,
    chatty: bool,
    next_say: Option<Instant>,
    announced: bool,
}

struct Engine {
    addr: SocketAddr,
    epoch: Instant,
    poll: Poll,
    rx: Receiver<ClientCmd>,
    notify: Box<dyn Fn(Event) + Send>,
    clients: Vec<Option<Client>>,
    tally: Tally,
    rng: Rng,
    demo_next: Option<Instant>,
    said: u64,
}

impl Engine {
    fn run(&mut self) {
        let mut events = Events::with_capacity(64);
        loop {
            let now = Instant::now();
            let next = self
                .clients
                .iter()
                .flatten()
                .filter_map(|c| c.next_say)
                .chain(self.demo_next)
                .min();
            let timeout = next.map(|t| t.saturating_duration_since(now));
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            for event in events.iter() {
                if event.token() == WAKER {
                    continue;
                }
                self.pump(event.token().0);
            }
            // Commands (the waker only says there may be some).
            loop {
                match self.rx.try_recv() {
                    Ok(cmd) => self.perform(cmd),
                    Err(crossbeam_channel::TryRecvError::Empty) => break,
                    Err(crossbeam_channel::TryRecvError::Disconnected) => return,
                }
            }
            let now = Instant::now();
            for i in 0..self.clients.len() {
                let due = self.clients[i]
                    .as_ref()
                    .and_then(|c| c.next_say)
                    .is_some_and(|t| t <= now);
                if due {
                    self.say(i);
                }
            }
            if self.demo_next.is_some_and(|t| t <= now) {
                self.demo_step();
                self.demo_next = Some(now + DEMO_STEP);
            }
        }
    }

    fn perform(&mut self, cmd: ClientCmd) {
        match cmd {
            ClientCmd::Chatty => self.open(true),
            ClientCmd::Idle => self.open(false),
            ClientCmd::ResetOne => self.end_one(true),
            ClientCmd::CloseOne => self.end_one(false),
            ClientCmd::SendAll => {
                for i in self.chatty() {
                    self.say(i);
                }
            }
            ClientCmd::Demo(on) => self.demo_next = on.then(Instant::now),
        }
    }

    fn open(&mut self, chatty: bool) {
        let Ok(mut conn) = Conn::connect(self.addr) else {
            return;
        };
        let slot = self
            .clients
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.clients.len());
        let registered = self.poll.registry().register(
            &mut conn.stream,
            Token(slot),
            Interest::READABLE | Interest::WRITABLE,
        );
        if registered.is_err() {
            return;
        }
        let client = Client {
            conn,
            chatty,
            next_say: None,
            announced: false,
        };
        if slot == self.clients.len() {
            self.clients.push(Some(client));
        } else {
            self.clients[slot] = Some(client);
        }
    }

    /// Ends the oldest built-in client, with a reset or a close.
    fn end_one(&mut self, reset: bool) {
        let Some(i) = self
            .clients
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.conn.is_connected()))
        else {
            return;
        };
        self.drop_client(i, reset);
    }

    fn drop_client(&mut self, i: usize, reset: bool) {
        if let Some(mut client) = self.clients[i].take() {
            let _ = self.poll.registry().deregister(&mut client.conn.stream);
            if reset {
                let _ = client.conn.reset();
            }
        }
    }

    fn pump(&mut self, i: usize) {
        let Some(client) = self.clients[i].as_mut() else {
            return;
        };
        if !client.conn.is_connected() {
            match client.conn.finish_connect() {
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(_) => return self.drop_client(i, false),
            }
        }
        if !client.announced {
            client.announced = true;
            if let Ok(local) = client.conn.stream.local_addr() {
                let role = if client.chatty {
                    ClientRole::Chatty
                } else {
                    ClientRole::Idle
                };
                (self.notify)(Event {
                    t_us: self.epoch.elapsed().as_micros() as u64,
                    kind: EventKind::Client {
                        peer: local.to_string(),
                        role,
                    },
                });
            }
            if client.chatty {
                client.next_say = Some(Instant::now());
            }
        }
        let ok = client.conn.write_some(&mut self.tally).is_ok();
        match client.conn.read_some(&mut self.tally) {
            Ok(outcome) if ok && !outcome.eof => {
                if let (Some(rtt), Ok(local)) = (outcome.rtt, client.conn.stream.local_addr()) {
                    (self.notify)(Event {
                        t_us: self.epoch.elapsed().as_micros() as u64,
                        kind: EventKind::Reply {
                            peer: local.to_string(),
                            rtt_us: rtt.as_micros() as u64,
                        },
                    });
                }
            }
            _ => self.drop_client(i, false),
        }
    }

    /// Client `i` says its next line (chatty ones then wait a while).
    fn say(&mut self, i: usize) {
        let line = LINES[(self.said % LINES.len() as u64) as usize];
        let Some(client) = self.clients[i].as_mut() else {
            return;
        };
        if !client.conn.is_connected() {
            return;
        }
        self.said += 1;
        client.conn.queue(Message::line(line), &mut self.tally);
        if client.chatty {
            client.next_say = Some(Instant::now() + CHATTY_EVERY);
        }
        self.pump(i);
    }

    /// The slots of the chatty clients: only they talk (an idle one stays
    /// silent, as its label says).
    fn chatty(&self) -> Vec<usize> {
        (0..self.clients.len())
            .filter(|&i| self.clients[i].as_ref().is_some_and(|c| c.chatty))
            .collect()
    }

    /// One step of the demo: connect, talk, close or reset.
    fn demo_step(&mut self) {
        let live: Vec<usize> = (0..self.clients.len())
            .filter(|&i| self.clients[i].is_some())
            .collect();
        let pick = |rng: &mut Rng| live[(rng.next_u64() % live.len() as u64) as usize];
        let roll = self.rng.next_u64() % 20;
        let n = live.len();
        if n < DEMO_MIN || (n < DEMO_MAX && roll < 7) || (n < 4 && roll < 10) {
            // Mostly chatty clients, now and then an idle one.
            self.open(roll % 4 != 0);
        } else if roll < 14 {
            let chatty = self.chatty();
            if !chatty.is_empty() {
                let i = chatty[(self.rng.next_u64() % chatty.len() as u64) as usize];
                self.say(i);
            }
        } else if roll < 17 {
            let i = pick(&mut self.rng);
            self.drop_client(i, false);
        } else {
            let i = pick(&mut self.rng);
            self.drop_client(i, true);
        }
    }
}
