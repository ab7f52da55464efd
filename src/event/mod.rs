//! The one event vocabulary: what a server model reports, what the dashboard
//! learns from, what `--headless` prints and what the tests assert on.
//!
//! Every event is a JSON object on one line: `{"t_us":1234,"kind":"accept",...}`.
//! `t_us` counts microseconds since the server's clock started (the moment
//! the dashboard or headless run created it).

use serde::{Deserialize, Serialize};

mod preview;
pub use preview::{PREVIEW_BYTES, Preview, escape_bytes};

/// Connection id: 1, 2, 3, ... in accept order, never reused while the
/// server lives, across model switches too.
pub type ConnId = u64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Microseconds since the server clock started.
    pub t_us: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// An address of the server's machine: an interface's IP and the
/// interface's name (`192.168.1.23`, `wlan0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub ip: String,
    pub iface: String,
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
    /// Where a `would_block` summary counts this call: accept, recv, send.
    pub fn would_block_slot(self) -> usize {
        match self {
            Call::Accept => 0,
            Call::Recv => 1,
            Call::Send | Call::Queue => 2,
        }
    }

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

/// What the busy loop does after a spin that found nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Spin on at once: the lecture's loop, a core at 100%.
    #[default]
    Spin,
    /// Give the core to anyone else who wants it (`sched_yield`), then on.
    Yield,
    /// Sleep a while (`--idle-delay-us`): CPU falls, latency rises.
    Sleep,
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
        /// `--verbatim`: the listing as Linux really runs it — accepted
        /// sockets left blocking, so the loop parks in `recv()`.
        #[serde(default, skip_serializing_if = "is_false")]
        verbatim: bool,
        /// The server's machine splits thread CPU time into user and kernel
        /// (Linux); elsewhere `spin` summaries carry the total as user time.
        #[serde(default)]
        cpu_split: bool,
        /// Listening beyond loopback: the addresses of the server's machine
        /// a client elsewhere can reach it at, the likeliest first (read
        /// once when the server started). Empty on loopback.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reachable: Vec<Reach>,
    },
    /// A connection was accepted.
    Accept { conn: ConnId, peer: String },
    /// A summary: how many calls answered EAGAIN/EWOULDBLOCK since the last one.
    WouldBlock { accept: u64, recv: u64, send: u64 },
    /// One call that answered EAGAIN/EWOULDBLOCK (on `conn`, for `recv`
    /// and `send`), reported by itself while the loop is stepped or slowed
    /// down, so that every call is seen; at full speed they are only counted
    /// in `would_block` summaries.
    WouldBlockOn {
        call: Call,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<ConnId>,
    },
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
        preview: Preview,
    },
    /// `send` handed bytes to the kernel. `pending` is what is still queued
    /// for this connection afterwards (the default mode retries it).
    Send {
        conn: ConnId,
        bytes: usize,
        spin: u64,
        preview: Preview,
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
        /// The connection attempts the kernel dropped because a listen
        /// queue was full: Linux's `ListenOverflows`, counted since boot for
        /// the whole system (every listener, not only this one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listen_overflows: Option<u64>,
        /// The process's virtual size: what its threads' stacks reserve,
        /// resident or not.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vm_bytes: Option<u64>,
    },
    /// The pace the viewer set: a delay before every system call (slow
    /// motion, 0 at full speed), and what the busy loop does after a spin
    /// that found nothing (`backoff_us`: how long it sleeps, for `sleep`).
    Pace {
        call_delay_us: u64,
        backoff: Backoff,
        #[serde(default, skip_serializing_if = "is_zero")]
        backoff_us: u64,
    },
    /// Not from the server: one of the dashboard's built-in clients
    /// connected from `peer` (the address the server's `accept` reports).
    Client { peer: String, role: ClientRole },
    /// Not from the server: a built-in client got a whole reply back.
    Reply { peer: String, rtt_us: u64 },
    /// A reading of the kernel's queues of the connected sockets: for each
    /// connection whose figures changed since the last reading (a new one
    /// only when they are not both 0), `[conn, in, out]`: `in`, the bytes
    /// the kernel received that the application has not copied yet
    /// (`SIOCINQ`, the lecture's recv waiting for data); `out`, the reply
    /// bytes the kernel holds that the client's kernel has not taken yet
    /// (`SIOCOUTQ`, Linux; elsewhere 0). Taken a few times a second and
    /// whenever a server thread parks (a pause, after a step).
    KernelQueues { conns: Vec<(ConnId, u32, u32)> },
    /// How long `conn` waited in the listen queue — completed by the
    /// kernel, not accepted yet — in milliseconds (Linux: from TCP_INFO,
    /// read by the sampler, never by the loop; a lower bound when the
    /// client sent data meanwhile). The lecture's drawback 1: "not answered
    /// promptly".
    AcceptWait { conn: ConnId, waited_ms: u64 },
    /// Not from the server: the viewer dropped a marker (`M`) during a
    /// live run, with a one-line note (perhaps empty), to find this moment
    /// again in the recording.
    Marker {
        #[serde(default)]
        note: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
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
            EventKind::WouldBlockOn { .. } => "would_block_on",
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
            EventKind::Pace { .. } => "pace",
            EventKind::KernelQueues { .. } => "kernel_queues",
            EventKind::AcceptWait { .. } => "accept_wait",
            EventKind::Marker { .. } => "marker",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_marker_carries_its_note_and_an_empty_one_too() {
        for note in ["", "the loop at 100% — 看这里 \"here\""] {
            let e = Event {
                t_us: 12,
                kind: EventKind::Marker { note: note.into() },
            };
            let line = serde_json::to_string(&e).unwrap();
            assert!(
                line.starts_with(r#"{"t_us":12,"kind":"marker","note":""#),
                "{line}"
            );
            assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), e);
        }
        let bare: Event = serde_json::from_str(r#"{"t_us":1,"kind":"marker"}"#).unwrap();
        assert_eq!(
            bare.kind,
            EventKind::Marker {
                note: String::new()
            }
        );
    }

    #[test]
    fn kernel_queues_are_compact_arrays() {
        let e = Event {
            t_us: 9,
            kind: EventKind::KernelQueues {
                conns: vec![(1, 6, 0), (3, 0, 4096)],
            },
        };
        let line = serde_json::to_string(&e).unwrap();
        assert_eq!(
            line,
            r#"{"t_us":9,"kind":"kernel_queues","conns":[[1,6,0],[3,0,4096]]}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), e);
    }

    /// On loopback `listening` is what it was (no `reachable`); beyond it,
    /// the machine's addresses go with it, and an older line without them
    /// still reads.
    #[test]
    fn listening_says_where_it_is_reachable_only_beyond_loopback() {
        let listening = |reachable: Vec<Reach>| Event {
            t_us: 0,
            kind: EventKind::Listening {
                addr: "0.0.0.0:8080".into(),
                model: Model::Nonblocking,
                backlog: 5,
                faithful: false,
                verbatim: false,
                cpu_split: true,
                reachable,
            },
        };
        let line = serde_json::to_string(&listening(vec![])).unwrap();
        assert!(!line.contains("reachable"), "{line}");
        assert_eq!(
            serde_json::from_str::<Event>(&line).unwrap(),
            listening(vec![])
        );
        let far = listening(vec![Reach {
            ip: "192.168.1.23".into(),
            iface: "wlan0".into(),
        }]);
        let line = serde_json::to_string(&far).unwrap();
        assert!(
            line.ends_with(r#""reachable":[{"ip":"192.168.1.23","iface":"wlan0"}]}"#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), far);
    }
}
