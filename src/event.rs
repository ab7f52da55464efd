//! The one event vocabulary: what a server model reports, what the dashboard
//! learns from, what `--headless` prints and what the tests assert on.
//!
//! Every event is a JSON object on one line: `{"t_us":1234,"kind":"accept",...}`.
//! `t_us` counts microseconds since the server's clock started (the moment
//! the dashboard or headless run created it).

use serde::{Deserialize, Serialize};

/// Connection id: 1, 2, 3, ... in accept order, never reused while the
/// server lives, across model switches too.
pub type ConnId = u64;

/// How many bytes of client data an event carries as a preview.
pub const PREVIEW_BYTES: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Microseconds since the server clock started.
    pub t_us: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The call a `would_block` summary, an error or a blocked thread is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Accept,
    Recv,
    Send,
    /// A pool worker waiting for the next client on the work queue.
    Queue,
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Call::Accept => "accept",
            Call::Recv => "recv",
            Call::Send => "send",
            Call::Queue => "queue",
        }
    }
}

/// The IO models, in the lecture's order. Part of the vocabulary: events
/// name the model that runs, and the dashboard words it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// One thread: accept, then serve that client until it leaves.
    Blocking,
    /// An accept thread and a thread per client.
    Threaded,
    /// An accept thread and a fixed pool of workers fed by a queue.
    Pool,
    /// The lecture's loop: non-blocking sockets polled in a busy loop.
    #[default]
    Nonblocking,
    /// One thread sleeping in epoll/kqueue (mio) until a socket is ready.
    Multiplex,
}

impl Model {
    pub const ALL: [Model; 5] = [
        Model::Blocking,
        Model::Threaded,
        Model::Pool,
        Model::Nonblocking,
        Model::Multiplex,
    ];

    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Model::Blocking => "blocking",
            Model::Threaded => "threaded",
            Model::Pool => "pool",
            Model::Nonblocking => "nonblocking",
            Model::Multiplex => "multiplex",
        }
    }

    /// The model after this one, for cycling on screen.
    pub fn next(self) -> Model {
        let i = Model::ALL.iter().position(|m| *m == self).unwrap_or(0);
        Model::ALL[(i + 1) % Model::ALL.len()]
    }

    /// Built from threads that block (blocking, threaded, pool), as opposed
    /// to one thread looping over non-blocking sockets.
    pub fn has_threads(self) -> bool {
        matches!(self, Model::Blocking | Model::Threaded | Model::Pool)
    }

    /// Whether `--faithful` (the lecture's listing as written) means
    /// anything for this model: only the lecture's own loop has a listing.
    pub fn has_listing(self) -> bool {
        self == Model::Nonblocking
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a connection left the connected list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Closed,
    Reset,
    /// The server dropped it: its replies sat unread too long.
    Evicted,
    /// The server closed it because another model took over the address.
    Switched,
}

/// Why the server dropped a client (`evicted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evict {
    /// Its replies sat unread at the pending cap for the stall timeout.
    Stalled,
    /// A thread model's blocking `send` timed out (the client never read).
    SendTimeout,
    /// Its replies sat unread for the stall timeout while the replies kept
    /// for all clients together were at `--pending-total`, so that it was
    /// not read from.
    TotalCap,
}

/// Why the server turned a client away (`refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refuse {
    /// `--max-conns` clients were connected already.
    MaxConns,
    /// `--max-conns-per-ip` clients from the same IP address were
    /// connected already.
    MaxConnsPerIp,
}

/// What a server thread is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `nonblocking`: the whole server, never waiting.
    BusyLoop,
    /// `multiplex`: the whole server, asleep in `poll`.
    PollLoop,
    /// `blocking`: accept, then serve that client until it leaves.
    AcceptAndServe,
    /// `threaded`: accept, start a thread per client.
    AcceptSpawn,
    /// `pool`: accept, queue the client for a worker.
    AcceptQueue,
    /// `threaded`: serves one client (`conn`).
    Client,
    /// `pool`: a worker, serving one queued client after another.
    Worker,
}

/// What the dashboard's built-in clients do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientRole {
    /// Talks every few seconds.
    Chatty,
    /// Connects and says nothing.
    Idle,
}

/// What more there is to say about a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetNote {
    /// `--faithful`: the listing does not catch this error: it would crash.
    ListingCrashes,
    /// `threaded`: no thread could be started for the client.
    NoThread,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Always first: the server is bound and listening.
    Listening {
        addr: String,
        model: Model,
        backlog: i32,
        /// `--faithful`: the lecture's listing as written, bugs included.
        #[serde(default)]
        faithful: bool,
        /// The server's machine splits thread CPU time into user and kernel
        /// (Linux); elsewhere `spin` summaries carry the total as user time.
        #[serde(default)]
        cpu_split: bool,
    },
    /// A connection was accepted.
    Accept { conn: ConnId, peer: String },
    /// A summary: how many calls answered EAGAIN/EWOULDBLOCK since the last one.
    WouldBlock { accept: u64, recv: u64, send: u64 },
    /// A summary: loop iterations since the last one, and the worker thread's
    /// CPU time spent meanwhile (microseconds, user and kernel).
    Spin {
        spins: u64,
        cpu_user_us: u64,
        cpu_sys_us: u64,
        /// `--faithful` only: `recv` calls that returned 0 bytes (a closed
        /// peer the listing treats as data) and the empty `send`s that follow.
        #[serde(default, skip_serializing_if = "is_zero")]
        empty_recvs: u64,
        #[serde(default, skip_serializing_if = "is_zero")]
        empty_sends: u64,
    },
    /// `recv` copied bytes from the kernel to the application. `spin` is the
    /// loop iteration it happened in. In `--faithful` mode a `recv` of 0
    /// bytes is reported once per connection (later ones go into `spin`).
    Recv {
        conn: ConnId,
        bytes: usize,
        spin: u64,
        preview: String,
    },
    /// `send` handed bytes to the kernel. `pending` is what is still queued
    /// for this connection afterwards (the default mode retries it).
    Send {
        conn: ConnId,
        bytes: usize,
        spin: u64,
        preview: String,
        #[serde(default)]
        pending: usize,
    },
    /// `recv` returned 0: the peer closed its side; the server closed too.
    Closed { conn: ConnId },
    /// ECONNRESET / EPIPE (or another fatal error) on `call`.
    /// `error` is the errno's name (`ECONNRESET`, `EPIPE`, ...).
    Reset {
        conn: ConnId,
        call: Call,
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<ResetNote>,
    },
    /// The server dropped a client that does not read its replies: `why`,
    /// with the limits it hit (`limit_bytes`: the per-client cap for a
    /// stalled buffer, the total cap for `total_cap`).
    Evicted {
        conn: ConnId,
        why: Evict,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_bytes: Option<u64>,
        stall_ms: u64,
    },
    /// A client was accepted and closed at once: `why`, and the limit.
    Refused {
        peer: String,
        why: Refuse,
        limit: u64,
    },
    /// `--faithful` only: a reply that could not be handed to the kernel at
    /// once and was thrown away, as the listing does.
    Lost { conn: ConnId, bytes: usize },
    /// `accept` failed with something other than WouldBlock (EMFILE when out
    /// of descriptors, ...): the loop stops accepting for `backoff_ms`.
    AcceptError { error: String, backoff_ms: u64 },
    /// A server thread (`thread`) parked for the pause (`true`) before its
    /// next call, or went on (`false`).
    Paused {
        paused: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<String>,
    },
    /// The probe could not deliver `count` events (the channel was full).
    Dropped { count: u64 },
    /// A blocking model's thread entered a blocking call (on `conn`, if any).
    Blocked {
        thread: String,
        call: Call,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<ConnId>,
    },
    /// ... and came back from it after `waited_us`.
    Unblocked {
        thread: String,
        call: Call,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<ConnId>,
        waited_us: u64,
    },
    /// A server thread started (`alive`) or ended.
    Thread {
        thread: String,
        role: Role,
        alive: bool,
        /// The client a per-client thread serves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<ConnId>,
    },
    /// `pool`: an accepted client waits in the work queue for a worker.
    Queued { conn: ConnId },
    /// `pool`: a worker took the client after it waited `waited_us`.
    Dequeued {
        conn: ConnId,
        thread: String,
        waited_us: u64,
    },
    /// `multiplex`: a summary of `poll` returns since the last one, and the
    /// ready sockets they reported in all.
    Wakeup { wakeups: u64, ready: u64 },
    /// A periodic reading of the process: resident memory, thread count,
    /// and (Linux) the listen queue: connections the kernel completed that
    /// nobody has accepted yet, out of `listen_max`.
    Sample {
        rss_bytes: u64,
        threads: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listen_queue: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listen_max: Option<u32>,
    },
    /// Not from the server: one of the dashboard's built-in clients
    /// connected from `peer` (the address the server's `accept` reports).
    Client { peer: String, role: ClientRole },
    /// Not from the server: a built-in client got a whole reply back.
    Reply { peer: String, rtt_us: u64 },
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl EventKind {
    /// The `kind` tag, as it appears in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Listening { .. } => "listening",
            EventKind::Accept { .. } => "accept",
            EventKind::WouldBlock { .. } => "would_block",
            EventKind::Spin { .. } => "spin",
            EventKind::Recv { .. } => "recv",
            EventKind::Send { .. } => "send",
            EventKind::Closed { .. } => "closed",
            EventKind::Reset { .. } => "reset",
            EventKind::Lost { .. } => "lost",
            EventKind::AcceptError { .. } => "accept_error",
            EventKind::Paused { .. } => "paused",
            EventKind::Dropped { .. } => "dropped",
            EventKind::Client { .. } => "client",
            EventKind::Evicted { .. } => "evicted",
            EventKind::Refused { .. } => "refused",
            EventKind::Reply { .. } => "reply",
            EventKind::Blocked { .. } => "blocked",
            EventKind::Unblocked { .. } => "unblocked",
            EventKind::Thread { .. } => "thread",
            EventKind::Queued { .. } => "queued",
            EventKind::Dequeued { .. } => "dequeued",
            EventKind::Wakeup { .. } => "wakeup",
            EventKind::Sample { .. } => "sample",
        }
    }
}

/// Renders client bytes safe for a terminal: printable text stays, every
/// control byte becomes `\xNN` (newline, CR and tab as `\n`, `\r`, `\t`),
/// bytes that are not UTF-8 become `\xNN`, and a backslash is doubled. No
/// client can put an escape sequence on the lecturer's screen through it.
/// At most `max_bytes` input bytes are shown; more is marked with `…`.
pub fn escape_bytes(data: &[u8], max_bytes: usize) -> String {
    let shown = &data[..cut_at(data, max_bytes)];
    let mut out = String::with_capacity(shown.len() + 8);
    if shown.is_ascii() {
        // The common case, and the hot one (every recv and send of a busy
        // loop): the same rules, byte by byte, without decoding.
        for &b in shown {
            match b {
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x20..=0x7e => out.push(char::from(b)),
                _ => push_hex(&mut out, b),
            }
        }
    } else {
        escape_text(shown, &mut out);
    }
    if data.len() > max_bytes {
        out.push('…');
    }
    out
}

/// `escape_bytes` for text that is not all ASCII.
fn escape_text(shown: &[u8], out: &mut String) {
    for chunk in shown.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if is_unsafe_char(c) => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        push_hex(out, b);
                    }
                }
                c => out.push(c),
            }
        }
        for &b in chunk.invalid() {
            push_hex(out, b);
        }
    }
}

/// Where to cut `data` at most `max` bytes in so that no UTF-8 character
/// is split: a character the limit falls inside is left out whole.
fn cut_at(data: &[u8], max: usize) -> usize {
    if data.len() <= max {
        return data.len();
    }
    let is_continuation = |b: u8| b & 0xc0 == 0x80;
    let mut start = max;
    while start > 0 && max - start < 3 && is_continuation(data[start]) {
        start -= 1;
    }
    let char_there = &data[start..data.len().min(start + 4)];
    let whole_char = std::str::from_utf8(char_there).map_or_else(|e| e.valid_up_to() > 0, |_| true);
    if start < max && whole_char {
        start
    } else {
        max
    }
}

/// Characters that steer a terminal or the layout rather than print:
/// C0/C1 controls, DEL, the bidirectional and zero-width formatting marks
/// (the zero-width joiner among them); and the ones whose width terminals
/// disagree on, so the screen and the layout would not: variation
/// selectors (`❤️`), skin-tone modifiers (`👍🏽`), tags, and the regional
/// indicators flags are made of. The emoji before them stays.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{1f3fb}'..='\u{1f3ff}'
                | '\u{1f1e6}'..='\u{1f1ff}'
                | '\u{e0000}'..='\u{e007f}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\x");
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 0xf) as usize] as char);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_fast_path_escapes_as_the_text_path_does() {
        for b in 0..=0x7fu8 {
            let mut slow = String::new();
            escape_text(&[b, b'a', b], &mut slow);
            assert_eq!(escape_bytes(&[b, b'a', b], 40), slow, "byte {b:#04x}");
        }
    }

    #[test]
    fn escapes_control_bytes_and_invalid_utf8() {
        assert_eq!(escape_bytes(b"HELLO\n", 40), "HELLO\\n");
        assert_eq!(escape_bytes(b"\x1b[2J", 40), "\\x1b[2J");
        assert_eq!(escape_bytes(b"a\x00b\xff", 40), "a\\x00b\\xff");
        assert_eq!(escape_bytes("你好".as_bytes(), 40), "你好");
        assert_eq!(escape_bytes("\u{9b}".as_bytes(), 40), "\\xc2\\x9b");
        assert_eq!(escape_bytes(b"back\\slash", 40), "back\\\\slash");
        assert_eq!(escape_bytes(b"abcdef", 3), "abc…");
    }

    #[test]
    fn a_preview_is_never_cut_inside_a_character() {
        // 13 three-byte characters: 40 bytes end inside the fourteenth.
        let text = "全角文字テスト全角文字テスト".as_bytes();
        assert_eq!(escape_bytes(text, 40), "全角文字テスト全角文字テス…");
        // Invalid bytes at the limit are still shown as bytes.
        assert_eq!(escape_bytes(b"ab\xff\xfecd", 3), "ab\\xff…");
        // A lone lead byte at the end of the data is not a cut: shown.
        assert_eq!(escape_bytes(b"ab\xe7", 40), "ab\\xe7");
    }

    #[test]
    fn characters_terminals_measure_differently_are_escaped() {
        use unicode_width::UnicodeWidthStr;
        let shown = escape_bytes("🙂👍🏽❤️🇨🇳👨\u{200d}👩".as_bytes(), 100);
        assert_eq!(
            shown,
            "🙂👍\\xf0\\x9f\\x8f\\xbd❤\\xef\\xb8\\x8f\\xf0\\x9f\\x87\\xa8\\xf0\\x9f\\x87\\xb3👨\\xe2\\x80\\x8d👩"
        );
        // What is left measures the same char by char as as a whole:
        // no cluster whose width depends on the terminal.
        let by_char: usize = shown
            .chars()
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum();
        assert_eq!(by_char, shown.width());
    }

    #[test]
    fn events_are_tagged_json_lines() {
        let e = Event {
            t_us: 7,
            kind: EventKind::Accept {
                conn: 1,
                peer: "127.0.0.1:5000".into(),
            },
        };
        let line = serde_json::to_string(&e).unwrap();
        assert_eq!(
            line,
            r#"{"t_us":7,"kind":"accept","conn":1,"peer":"127.0.0.1:5000"}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), e);
    }
}
