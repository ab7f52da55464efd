//! The code panel's state: each model's loop as a short listing in the
//! lecture's shape and names (`assets/listings/*.py`, one per model), how
//! often each of its lines ran — counted from the events, per model run,
//! and per second over the last second — and the call the loop made last,
//! with what it returned.
//!
//! A listing is Python as the lecture writes it. A line the events tell
//! about ends with a marker, `#@Recv`, naming its [`Point`]; the marker is
//! taken off on load, everything else (comments included) is shown. Each
//! listing is there in Chinese too (`assets/listings/zh/`): the same code,
//! line for line, its comments translated.

use std::collections::VecDeque;
use std::sync::OnceLock;

use crate::event::{Call, ConnId, EventKind, Evict, Model, Preview, Refuse, Role};
use crate::i18n::Lang;

/// A line of a listing that the events tell about: how often the loop went
/// through it (a branch: how often it was taken), and whether the last call
/// was there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Point {
    /// `while True:` of the loop (the thread models: of the client's loop).
    Spin,
    /// `events = sel.select()`.
    Poll,
    /// `for key, mask in events:`: once per ready socket.
    Ready,
    /// `conn, addr = server.accept()`: every attempt.
    Accept,
    /// `connected_list.append(conn)` (or register): a client came.
    Accepted,
    /// `except BlockingIOError:` of `accept`.
    AcceptAgain,
    /// `data = conn.recv(1024)`: every call.
    Recv,
    /// `ready_send_list.append((conn, data.upper()))`: data came.
    Data,
    /// `except BlockingIOError:` of `recv`.
    RecvAgain,
    /// `except ConnectionResetError:` of `recv`.
    RecvReset,
    /// `if not data:`: `recv` returned 0, the client closed.
    Closed,
    /// `conn.send(data)`: every call.
    Send,
    /// `except BlockingIOError:` of `send`.
    SendAgain,
    /// `except ConnectionResetError:` of `send`.
    SendReset,
    /// `connected_list.remove(conn)`, `conn.close()`.
    Removed,
    /// `Thread(target=talk, ...).start()`.
    Spawn,
    /// `q.put(conn)`.
    Queue,
    /// `conn = q.get()`.
    Dequeue,
}

impl Point {
    pub const ALL: [Point; 18] = [
        Point::Spin,
        Point::Poll,
        Point::Ready,
        Point::Accept,
        Point::Accepted,
        Point::AcceptAgain,
        Point::Recv,
        Point::Data,
        Point::RecvAgain,
        Point::RecvReset,
        Point::Closed,
        Point::Send,
        Point::SendAgain,
        Point::SendReset,
        Point::Removed,
        Point::Spawn,
        Point::Queue,
        Point::Dequeue,
    ];
    pub const COUNT: usize = Point::ALL.len();

    /// The marker's name in a listing: `#@Recv`.
    pub fn name(self) -> &'static str {
        match self {
            Point::Spin => "Spin",
            Point::Poll => "Poll",
            Point::Ready => "Ready",
            Point::Accept => "Accept",
            Point::Accepted => "Accepted",
            Point::AcceptAgain => "AcceptAgain",
            Point::Recv => "Recv",
            Point::Data => "Data",
            Point::RecvAgain => "RecvAgain",
            Point::RecvReset => "RecvReset",
            Point::Closed => "Closed",
            Point::Send => "Send",
            Point::SendAgain => "SendAgain",
            Point::SendReset => "SendReset",
            Point::Removed => "Removed",
            Point::Spawn => "Spawn",
            Point::Queue => "Queue",
            Point::Dequeue => "Dequeue",
        }
    }

    pub fn from_name(name: &str) -> Option<Point> {
        Point::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The line of a thread parked in `call` (on `conn`): a pool worker
    /// waits in `q.get()`, the accept thread of a full queue in `q.put()`.
    pub fn parked_in(call: Call, conn: Option<ConnId>) -> Point {
        match call {
            Call::Accept => Point::Accept,
            Call::Recv => Point::Recv,
            Call::Send => Point::Send,
            Call::Queue if conn.is_some() => Point::Queue,
            Call::Queue => Point::Dequeue,
        }
    }
}

/// The marker that ends a line the events tell about: `#@Recv`.
pub const MARKER: &str = "#@";

/// One line of a listing, its marker taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLine {
    pub text: &'static str,
    pub point: Option<Point>,
}

/// A model's loop, as the code panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Its file under `assets/listings/`.
    pub file: &'static str,
    pub lines: Vec<CodeLine>,
}

impl Listing {
    /// Reads a listing: a marker at the end of a line names its point; no
    /// point is on two lines.
    pub fn parse(file: &'static str, source: &'static str) -> Result<Listing, String> {
        let mut lines: Vec<CodeLine> = Vec::new();
        for (i, raw) in source.lines().enumerate() {
            let line = match raw.rfind(MARKER) {
                Some(at) => {
                    let name = raw[at + MARKER.len()..].trim();
                    let point = Point::from_name(name).ok_or_else(|| {
                        format!("{file}:{}: unknown marker {MARKER}{name}", i + 1)
                    })?;
                    if lines.iter().any(|l| l.point == Some(point)) {
                        return Err(format!("{file}:{}: {name} is on two lines", i + 1));
                    }
                    CodeLine {
                        text: raw[..at].trim_end(),
                        point: Some(point),
                    }
                }
                None => CodeLine {
                    text: raw.trim_end(),
                    point: None,
                },
            };
            lines.push(line);
        }
        Ok(Listing { file, lines })
    }

    /// The index of the line marked `point`, if this listing has one.
    pub fn line_of(&self, point: Point) -> Option<usize> {
        self.lines.iter().position(|l| l.point == Some(point))
    }
}

/// Every listing, by file name.
pub const SOURCES: [(&str, &str); 6] = [
    (
        "blocking.py",
        include_str!("../../assets/listings/blocking.py"),
    ),
    (
        "threaded.py",
        include_str!("../../assets/listings/threaded.py"),
    ),
    ("pool.py", include_str!("../../assets/listings/pool.py")),
    (
        "nonblocking.py",
        include_str!("../../assets/listings/nonblocking.py"),
    ),
    (
        "nonblocking-faithful.py",
        include_str!("../../assets/listings/nonblocking-faithful.py"),
    ),
    (
        "multiplex.py",
        include_str!("../../assets/listings/multiplex.py"),
    ),
];

/// The listings with Chinese comments, by file name: the code is
/// [`SOURCES`]' line for line (a test holds them together).
pub const SOURCES_ZH: [(&str, &str); 6] = [
    (
        "blocking.py",
        include_str!("../../assets/listings/zh/blocking.py"),
    ),
    (
        "threaded.py",
        include_str!("../../assets/listings/zh/threaded.py"),
    ),
    ("pool.py", include_str!("../../assets/listings/zh/pool.py")),
    (
        "nonblocking.py",
        include_str!("../../assets/listings/zh/nonblocking.py"),
    ),
    (
        "nonblocking-faithful.py",
        include_str!("../../assets/listings/zh/nonblocking-faithful.py"),
    ),
    (
        "multiplex.py",
        include_str!("../../assets/listings/zh/multiplex.py"),
    ),
];

/// `data = conn.recv(1024)   # waits` → the code and `# waits` (a `#`
/// inside quotes is not a comment).
pub fn split_comment(line: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return line.split_at(i),
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    (line, "")
}

/// The pseudo language's listing: the English one, each comment marked
/// `⟦…⟧` as a message is (made once, for tests).
fn pseudo(listing: &Listing) -> Listing {
    let lines = listing
        .lines
        .iter()
        .map(|line| {
            let (code, comment) = split_comment(line.text);
            let text = if comment.is_empty() {
                line.text
            } else {
                Box::leak(format!("{code}⟦{comment}⟧").into_boxed_str())
            };
            CodeLine { text, ..*line }
        })
        .collect();
    Listing {
        file: listing.file,
        lines,
    }
}

/// The listing file of a model (`--faithful`: the lecture's listing as
/// written, for the nonblocking loop).
pub fn listing_file(model: Model, faithful: bool) -> &'static str {
    match model {
        Model::Blocking => "blocking.py",
        Model::Threaded => "threaded.py",
        Model::Pool => "pool.py",
        Model::Nonblocking if faithful => "nonblocking-faithful.py",
        Model::Nonblocking => "nonblocking.py",
        Model::Multiplex => "multiplex.py",
    }
}

/// The listing of a model, its comments in `lang`, read once.
pub fn listing(lang: Lang, model: Model, faithful: bool) -> &'static Listing {
    static PARSED: OnceLock<[Vec<Listing>; 3]> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        let parse = |sources: &[(&'static str, &'static str)]| -> Vec<Listing> {
            sources
                .iter()
                .map(|(file, source)| Listing::parse(file, source).expect("a listing that parses"))
                .collect()
        };
        let en = parse(&SOURCES);
        let pseudo = en.iter().map(pseudo).collect();
        [en, parse(&SOURCES_ZH), pseudo]
    });
    let in_lang = match lang {
        Lang::En => &all[0],
        Lang::Zh => &all[1],
        Lang::Pseudo => &all[2],
    };
    let file = listing_file(model, faithful);
    in_lang
        .iter()
        .find(|l| l.file == file)
        .expect("a listing for every model")
}

/// What a call returned, as the loop saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// `accept` gave a client (`conn`).
    Accepted,
    /// ... and the server closed it at once: over a limit.
    Refused { why: Refuse, limit: u64 },
    /// `accept` failed (EMFILE, ...): the dashboard keeps the error.
    AcceptFailed,
    /// `recv` copied data.
    Data { bytes: usize, preview: Preview },
    /// `recv` returned 0 (`b''`).
    Eof,
    /// EAGAIN: this many calls in a row (1 when reported one by one).
    WouldBlock(u64),
    /// ECONNRESET, EPIPE, ...
    Error(String),
    /// `send` took `bytes`; `kept` bytes wait for a later spin.
    Sent { bytes: usize, kept: usize },
    /// `--faithful`: a reply the kernel would not take, thrown away.
    Lost { bytes: usize },
    /// `select` returned `wakeups` times with `ready` sockets in all.
    Ready { wakeups: u64, ready: u64 },
    /// `q.put`: the client waits for a worker.
    Queued,
    /// `q.get`: a worker took the client after it waited this long.
    Dequeued { waited_us: u64 },
    /// A thread started for the client.
    Spawned,
    /// The server dropped the client.
    Evicted(Evict),
}

/// Where the loop was last: the call's line, the branch it took, the
/// connection and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub call: Point,
    /// The lines of the branch taken, best first: the first one the
    /// listing has is highlighted (a listing may fold a branch into
    /// another: `multiplex` removes closed and reset clients on one line).
    pub branch: &'static [Point],
    pub conn: Option<ConnId>,
    pub returned: Returned,
}

/// The rate is over this window.
const RATE_WINDOW_US: u64 = 1_000_000;
/// Copies of the counts kept for the rate: at most one per this interval.
const SNAPSHOT_EVERY_US: u64 = 50_000;
const SNAPSHOTS_CAP: usize = 64;

type Counts = [u64; Point::COUNT];

/// How often each line ran in the current model run, how often per
/// second lately, and where the loop was last.
#[derive(Debug, Clone, Default)]
pub struct Code {
    counts: Counts,
    /// (time, counts) taken on ticks, oldest first, back to the newest one
    /// a second old.
    snapshots: VecDeque<(u64, Counts)>,
    rates: [f64; Point::COUNT],
    started_us: u64,
    /// The last call the loop reported in this run.
    pub at: Option<At>,
}

impl Code {
    /// How many times `point` ran in this run.
    pub fn count(&self, point: Point) -> u64 {
        self.counts[point as usize]
    }

    /// How many times a second `point` ran over the last second.
    pub fn rate(&self, point: Point) -> f64 {
        self.rates[point as usize]
    }

    #[inline]
    fn add(&mut self, point: Point, n: u64) {
        self.counts[point as usize] += n;
    }

    fn at(&mut self, call: Point, branch: &'static [Point], conn: Option<ConnId>, r: Returned) {
        self.at = Some(At {
            call,
            branch,
            conn,
            returned: r,
        });
    }

    /// One call that would block, or `n` of them in a row.
    fn would_block(&mut self, call: Call, conn: Option<ConnId>, n: u64) {
        let (line, branch): (Point, &'static [Point]) = match call {
            Call::Accept => (Point::Accept, &[Point::AcceptAgain]),
            Call::Recv => (Point::Recv, &[Point::RecvAgain]),
            Call::Send => (Point::Send, &[Point::SendAgain]),
            Call::Queue => return,
        };
        self.add(line, n);
        self.add(branch[0], n);
        self.at(line, branch, conn, Returned::WouldBlock(n));
    }

    /// Learns from one event: what it says ran, and where.
    pub fn apply(&mut self, t: u64, kind: &EventKind) {
        use Point as P;
        match kind {
            EventKind::Listening { .. } => {
                *self = Code {
                    started_us: t,
                    ..Code::default()
                }
            }
            EventKind::Spin {
                spins,
                empty_recvs,
                empty_sends,
                ..
            } => {
                self.add(P::Spin, *spins);
                // `--faithful`: `b''` is data, and its empty reply is sent.
                self.add(P::Recv, *empty_recvs);
                self.add(P::Data, *empty_recvs);
                self.add(P::Send, *empty_sends);
            }
            EventKind::WouldBlock { accept, recv, send } => {
                // In the loop's order: the last call is the last kind.
                for (call, n) in [
                    (Call::Accept, accept),
                    (Call::Recv, recv),
                    (Call::Send, send),
                ] {
                    if *n > 0 {
                        self.would_block(call, None, *n);
                    }
                }
            }
            EventKind::WouldBlockOn { call, conn } => self.would_block(*call, *conn, 1),
            EventKind::Accept { conn, .. } => {
                self.add(P::Accept, 1);
                self.add(P::Accepted, 1);
                self.at(P::Accept, &[P::Accepted], Some(*conn), Returned::Accepted);
            }
            EventKind::Refused { why, limit, .. } => {
                self.add(P::Accept, 1);
                let r = Returned::Refused {
                    why: *why,
                    limit: *limit,
                };
                self.at(P::Accept, &[], None, r);
            }
            EventKind::AcceptError { .. } => {
                self.add(P::Accept, 1);
                self.at(P::Accept, &[], None, Returned::AcceptFailed);
            }
            EventKind::Recv {
                conn,
                bytes,
                preview,
                ..
            } => {
                self.add(P::Recv, 1);
                self.add(P::Data, 1);
                // `--faithful` reports a peer's first `b''` as data.
                let r = match bytes {
                    0 => Returned::Eof,
                    _ => Returned::Data {
                        bytes: *bytes,
                        preview: *preview,
                    },
                };
                self.at(P::Recv, &[P::Data], Some(*conn), r);
            }
            EventKind::Closed { conn } => {
                self.add(P::Recv, 1);
                self.add(P::Closed, 1);
                self.add(P::Removed, 1);
                self.at(
                    P::Recv,
                    &[P::Closed, P::Removed],
                    Some(*conn),
                    Returned::Eof,
                );
            }
            EventKind::Reset {
                conn, call, error, ..
            } => {
                let (line, branch): (Point, &'static [Point]) = match call {
                    Call::Recv => (P::Recv, &[P::RecvReset, P::Removed]),
                    Call::Send => (P::Send, &[P::SendReset, P::Removed]),
                    // `threaded`: no thread could be started for it.
                    Call::Accept | Call::Queue => (P::Spawn, &[P::Removed]),
                };
                if line != P::Spawn {
                    self.add(line, 1);
                    self.add(branch[0], 1);
                }
                self.add(P::Removed, 1);
                self.at(line, branch, Some(*conn), Returned::Error(error.clone()));
            }
            EventKind::Send {
                conn,
                bytes,
                pending,
                ..
            } => {
                if *bytes == 0 && *pending > 0 {
                    // Kept whole: the call would block (counted with its
                    // `would_block`), or was not made, behind bytes queued.
                    let r = Returned::Sent {
                        bytes: 0,
                        kept: *pending,
                    };
                    self.at(P::Send, &[P::SendAgain], Some(*conn), r);
                } else {
                    self.add(P::Send, 1);
                    let r = Returned::Sent {
                        bytes: *bytes,
                        kept: *pending,
                    };
                    self.at(P::Send, &[], Some(*conn), r);
                }
            }
            EventKind::Lost { conn, bytes } => {
                // Its `send` is counted already (a would_block, or a send
                // that took part of it).
                let r = Returned::Lost { bytes: *bytes };
                self.at(P::Send, &[P::SendAgain], Some(*conn), r);
            }
            EventKind::Evicted { conn, why, .. } => {
                self.add(P::Removed, 1);
                let (line, branch): (Point, &'static [Point]) = if *why == Evict::SendTimeout {
                    // A thread model's `sendall` timed out.
                    self.add(P::SendReset, 1);
                    (P::Send, &[P::SendReset, P::Removed])
                } else {
                    (P::Removed, &[])
                };
                self.at(line, branch, Some(*conn), Returned::Evicted(*why));
            }
            EventKind::Wakeup { wakeups, ready } => {
                self.add(P::Poll, *wakeups);
                self.add(P::Ready, *ready);
                let r = Returned::Ready {
                    wakeups: *wakeups,
                    ready: *ready,
                };
                self.at(P::Poll, &[P::Ready], None, r);
            }
            EventKind::Thread {
                role: Role::Client,
                alive: true,
                conn,
                ..
            } => {
                self.add(P::Spawn, 1);
                self.at(P::Spawn, &[], *conn, Returned::Spawned);
            }
            EventKind::Queued { conn } => {
                self.add(P::Queue, 1);
                self.at(P::Queue, &[], Some(*conn), Returned::Queued);
            }
            EventKind::Dequeued {
                conn, waited_us, ..
            } => {
                self.add(P::Dequeue, 1);
                let r = Returned::Dequeued {
                    waited_us: *waited_us,
                };
                self.at(P::Dequeue, &[], Some(*conn), r);
            }
            _ => {}
        }
    }

    /// Recomputes the rates as of `now_us`: what ran since the newest copy
    /// of the counts a second old (or since the run started).
    pub fn tick(&mut self, now_us: u64) {
        let horizon = now_us.saturating_sub(RATE_WINDOW_US);
        while self.snapshots.get(1).is_some_and(|(t, _)| *t <= horizon) {
            self.snapshots.pop_front();
        }
        let (base_us, base) = match self.snapshots.front() {
            Some((t, counts)) if *t <= horizon => (*t, *counts),
            _ => (self.started_us, [0; Point::COUNT]),
        };
        let span_us = now_us.saturating_sub(base_us);
        for (i, rate) in self.rates.iter_mut().enumerate() {
            *rate = if span_us == 0 {
                0.0
            } else {
                (self.counts[i] - base[i]) as f64 * 1e6 / span_us as f64
            };
        }
        let due = self
            .snapshots
            .back()
            .is_none_or(|(t, _)| now_us >= t + SNAPSHOT_EVERY_US);
        if due {
            if self.snapshots.len() == SNAPSHOTS_CAP {
                self.snapshots.pop_front();
            }
            self.snapshots.push_back((now_us, self.counts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Model;

    fn feed(code: &mut Code, events: &[EventKind]) {
        for (i, kind) in events.iter().enumerate() {
            code.apply(i as u64, kind);
        }
    }

    fn listening(model: Model, faithful: bool) -> EventKind {
        EventKind::Listening {
            addr: "127.0.0.1:8080".into(),
            model,
            backlog: 5,
            faithful,
            verbatim: false,
            cpu_split: true,
            reachable: vec![],
        }
    }

    fn spin(spins: u64) -> EventKind {
        EventKind::Spin {
            spins,
            cpu_user_us: 0,
            cpu_sys_us: 0,
            empty_recvs: 0,
            empty_sends: 0,
        }
    }

    fn would_block(accept: u64, recv: u64, send: u64) -> EventKind {
        EventKind::WouldBlock { accept, recv, send }
    }

    fn recv(conn: ConnId, data: &str) -> EventKind {
        EventKind::Recv {
            conn,
            bytes: data.len(),
            spin: 1,
            preview: data.into(),
        }
    }

    fn send(conn: ConnId, bytes: usize, pending: usize) -> EventKind {
        EventKind::Send {
            conn,
            bytes,
            spin: 1,
            preview: Default::default(),
            pending,
        }
    }

    fn accept(conn: ConnId) -> EventKind {
        EventKind::Accept {
            conn,
            peer: format!("127.0.0.1:{}", 50_000 + conn),
        }
    }

    /// The points a model's events can produce, and so must have a line.
    fn produced(model: Model, faithful: bool) -> Vec<Point> {
        use Point as P;
        let mut points = vec![P::Accept, P::Recv, P::Send, P::RecvReset, P::Removed];
        points.extend(match (model, faithful) {
            (Model::Nonblocking, false) => vec![
                P::Spin,
                P::Accepted,
                P::AcceptAgain,
                P::Data,
                P::RecvAgain,
                P::Closed,
                P::SendAgain,
                P::SendReset,
            ],
            // No `Closed`: `b''` is data to the listing.
            (Model::Nonblocking, true) => vec![
                P::Spin,
                P::Accepted,
                P::AcceptAgain,
                P::Data,
                P::RecvAgain,
                P::SendAgain,
                P::SendReset,
            ],
            // Closed and reset clients leave on one line (`Removed`).
            (Model::Multiplex, _) => {
                vec![P::Poll, P::Ready, P::Accepted, P::RecvAgain, P::SendAgain]
            }
            (Model::Blocking, _) => vec![P::Spin, P::Closed, P::SendReset],
            (Model::Threaded, _) => vec![P::Spin, P::Closed, P::SendReset, P::Spawn],
            (Model::Pool, _) => vec![P::Spin, P::Closed, P::SendReset, P::Queue, P::Dequeue],
        });
        points
    }

    #[test]
    fn every_listing_parses_and_has_a_line_for_every_point_its_model_produces() {
        for (file, source) in SOURCES.into_iter().chain(SOURCES_ZH) {
            let listing = Listing::parse(file, source).unwrap_or_else(|e| panic!("{e}"));
            assert!(listing.lines.len() <= 28, "{file}: too long for 120×36");
            for (i, line) in listing.lines.iter().enumerate() {
                assert!(!line.text.contains(MARKER), "{file}:{}", i + 1);
                let cols = unicode_width::UnicodeWidthStr::width(line.text);
                assert!(cols <= 52, "{file}:{}: {cols} columns", i + 1);
            }
        }
        for model in Model::ALL {
            for faithful in [false, true] {
                for lang in Lang::SPOKEN {
                    let listing = listing(lang, model, faithful && model.has_listing());
                    for point in produced(model, faithful && model.has_listing()) {
                        assert!(
                            listing.line_of(point).is_some(),
                            "{}: no line for {point:?}",
                            listing.file
                        );
                    }
                }
            }
        }
        // The lecture's names.
        let lecture = listing(Lang::En, Model::Nonblocking, true);
        let text: Vec<&str> = lecture.lines.iter().map(|l| l.text).collect();
        let text = text.join("\n");
        for name in [
            "connected_list",
            "ready_send_list",
            "dis_conn_list",
            "conn.recv(1024)",
            "BlockingIOError",
            "ConnectionResetError",
        ] {
            assert!(text.contains(name), "{name}");
        }
    }

    /// The Chinese listings are the English ones line for line: the same
    /// code, the same points on the same lines; only the comments differ.
    #[test]
    fn the_chinese_listings_are_the_english_code_with_translated_comments() {
        for ((file, en), (zh_file, zh)) in SOURCES.into_iter().zip(SOURCES_ZH) {
            assert_eq!(file, zh_file);
            let (en, zh) = (
                Listing::parse(file, en).unwrap(),
                Listing::parse(file, zh).unwrap(),
            );
            assert_eq!(en.lines.len(), zh.lines.len(), "{file}");
            let mut translated = 0;
            for (i, (e, z)) in en.lines.iter().zip(&zh.lines).enumerate() {
                assert_eq!(e.point, z.point, "{file}:{}", i + 1);
                let ((e_code, e_comment), (z_code, z_comment)) =
                    (split_comment(e.text), split_comment(z.text));
                assert_eq!(e_code.trim_end(), z_code.trim_end(), "{file}:{}", i + 1);
                assert_eq!(
                    e_comment.is_empty(),
                    z_comment.is_empty(),
                    "{file}:{}",
                    i + 1
                );
                if e_comment != z_comment {
                    translated += 1;
                    assert!(!z_comment.is_ascii(), "{file}:{}: {z_comment}", i + 1);
                }
            }
            assert!(translated > 0, "{file}: no comment translated");
        }
        // The pseudo language marks every comment and nothing else.
        let marked = listing(Lang::Pseudo, Model::Nonblocking, false);
        let plain = listing(Lang::En, Model::Nonblocking, false);
        for (m, p) in marked.lines.iter().zip(&plain.lines) {
            let (code, comment) = split_comment(p.text);
            if comment.is_empty() {
                assert_eq!(m.text, p.text);
            } else {
                assert_eq!(m.text, format!("{code}⟦{comment}⟧"));
            }
        }
    }

    #[test]
    fn points_are_counted_in_their_own_slot() {
        for (i, p) in Point::ALL.into_iter().enumerate() {
            assert_eq!(p as usize, i, "{p:?}");
            assert_eq!(Point::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn a_marker_must_be_known_and_used_once() {
        assert!(Listing::parse("x.py", "a = 1  #@Nope").is_err());
        assert!(Listing::parse("x.py", "a  #@Recv\nb  #@Recv").is_err());
        let l = Listing::parse("x.py", "# a comment\nx = conn.recv(1024)   #@Recv\n").unwrap();
        assert_eq!(l.lines[0].text, "# a comment");
        assert_eq!(l.lines[1].text, "x = conn.recv(1024)");
        assert_eq!(l.line_of(Point::Recv), Some(1));
        assert_eq!(l.line_of(Point::Send), None);
    }

    #[test]
    fn summaries_count_every_call_and_its_branch() {
        let mut code = Code::default();
        feed(
            &mut code,
            &[
                listening(Model::Nonblocking, false),
                spin(1_000),
                would_block(1_000, 2_000, 3),
                accept(1),
                recv(1, "hello"),
                send(1, 5, 0),
                EventKind::Closed { conn: 1 },
                EventKind::Reset {
                    conn: 2,
                    call: Call::Send,
                    error: "EPIPE".into(),
                    note: None,
                },
            ],
        );
        use Point as P;
        let counts: Vec<(Point, u64)> = Point::ALL
            .into_iter()
            .map(|p| (p, code.count(p)))
            .filter(|(_, n)| *n > 0)
            .collect();
        assert_eq!(
            counts,
            [
                (P::Spin, 1_000),
                (P::Accept, 1_001),
                (P::Accepted, 1),
                (P::AcceptAgain, 1_000),
                (P::Recv, 2_002),
                (P::Data, 1),
                (P::RecvAgain, 2_000),
                (P::Closed, 1),
                (P::Send, 5),
                (P::SendAgain, 3),
                (P::SendReset, 1),
                (P::Removed, 2),
            ]
        );
        // A new run counts from nothing.
        code.apply(100, &listening(Model::Multiplex, false));
        assert!(Point::ALL.into_iter().all(|p| code.count(p) == 0));
        assert_eq!(code.at, None);
    }

    #[test]
    fn the_last_call_is_where_the_loop_is_with_what_it_returned() {
        let mut code = Code::default();
        code.apply(0, &listening(Model::Nonblocking, false));
        code.apply(1, &recv(3, "hello"));
        let at = code.at.clone().unwrap();
        assert_eq!(
            (at.call, at.branch, at.conn),
            (Point::Recv, &[Point::Data][..], Some(3))
        );
        assert_eq!(
            at.returned,
            Returned::Data {
                bytes: 5,
                preview: "hello".into()
            }
        );
        code.apply(
            2,
            &EventKind::WouldBlockOn {
                call: Call::Recv,
                conn: Some(4),
            },
        );
        let at = code.at.clone().unwrap();
        assert_eq!(
            (at.call, at.conn, at.returned),
            (Point::Recv, Some(4), Returned::WouldBlock(1))
        );
        assert_eq!(code.count(Point::RecvAgain), 1);
        // A summary of several kinds: the last in the loop's order.
        code.apply(3, &would_block(1, 2, 0));
        let at = code.at.clone().unwrap();
        assert_eq!(
            (at.call, at.conn, at.returned),
            (Point::Recv, None, Returned::WouldBlock(2))
        );
        // A reply kept whole is not a call of its own.
        code.apply(4, &send(3, 0, 1024));
        assert_eq!(code.count(Point::Send), 0);
        assert_eq!(code.at.as_ref().unwrap().branch, &[Point::SendAgain]);
        code.apply(
            5,
            &EventKind::Wakeup {
                wakeups: 1,
                ready: 3,
            },
        );
        let at = code.at.clone().unwrap();
        assert_eq!(
            (at.call, at.returned),
            (
                Point::Poll,
                Returned::Ready {
                    wakeups: 1,
                    ready: 3
                }
            )
        );
    }

    #[test]
    fn faithful_empty_recvs_are_data_and_their_sends_are_calls() {
        let mut code = Code::default();
        feed(
            &mut code,
            &[
                listening(Model::Nonblocking, true),
                recv(2, ""),
                EventKind::Spin {
                    spins: 10,
                    cpu_user_us: 0,
                    cpu_sys_us: 0,
                    empty_recvs: 10,
                    empty_sends: 10,
                },
                would_block(0, 0, 1),
                EventKind::Lost { conn: 1, bytes: 5 },
            ],
        );
        assert_eq!(code.count(Point::Recv), 11);
        assert_eq!(code.count(Point::Data), 11);
        assert_eq!(code.count(Point::Closed), 0);
        assert_eq!(
            code.count(Point::Send),
            11,
            "10 empty sends, 1 that would block"
        );
        assert_eq!(code.count(Point::SendAgain), 1, "the loss is that one");
        assert_eq!(code.at.unwrap().returned, Returned::Lost { bytes: 5 });
    }

    #[test]
    fn thread_models_count_spawns_queue_and_timeouts() {
        let mut code = Code::default();
        feed(
            &mut code,
            &[
                listening(Model::Pool, false),
                EventKind::Thread {
                    thread: "conn-1".into(),
                    role: Role::Client,
                    alive: true,
                    conn: Some(1),
                },
                EventKind::Thread {
                    thread: "worker-1".into(),
                    role: Role::Worker,
                    alive: true,
                    conn: None,
                },
                EventKind::Queued { conn: 1 },
                EventKind::Dequeued {
                    conn: 1,
                    thread: "worker-1".into(),
                    waited_us: 40,
                },
                EventKind::Evicted {
                    conn: 1,
                    why: Evict::SendTimeout,
                    limit_bytes: None,
                    stall_ms: 5_000,
                },
            ],
        );
        use Point as P;
        for (p, n) in [
            (P::Spawn, 1),
            (P::Queue, 1),
            (P::Dequeue, 1),
            (P::SendReset, 1),
            (P::Removed, 1),
        ] {
            assert_eq!(code.count(p), n, "{p:?}");
        }
        assert_eq!(Point::parked_in(Call::Queue, None), P::Dequeue);
        assert_eq!(Point::parked_in(Call::Queue, Some(3)), P::Queue);
    }

    #[test]
    fn rates_are_over_the_last_second() {
        let mut code = Code::default();
        code.apply(0, &listening(Model::Nonblocking, false));
        let mut t = 0;
        // Two seconds at 500,000 recv calls and 2 sends a second.
        while t < 2_000_000 {
            t += 20_000;
            code.apply(t, &would_block(0, 10_000, 0));
            if t % 500_000 == 0 {
                code.apply(t, &send(1, 3, 0));
            }
            if t % 100_000 == 0 {
                code.tick(t);
            }
        }
        assert!(
            (code.rate(Point::Recv) - 500_000.0).abs() < 1.0,
            "{}",
            code.rate(Point::Recv)
        );
        assert!(
            (code.rate(Point::Send) - 2.0).abs() < 0.01,
            "{}",
            code.rate(Point::Send)
        );
        assert_eq!(code.rate(Point::Accept), 0.0);
        // Quiet for a second: down to nothing.
        code.tick(t + 1_100_000);
        assert_eq!(code.rate(Point::Recv), 0.0);
        assert_eq!(code.count(Point::Recv), 1_000_000);
    }
}
