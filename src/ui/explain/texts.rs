//! The words of the explain panel, all in one place (to be translated):
//! for every kind of event, what the call was, what it returned, what that
//! means and which part of the lecture (`io-model`) it belongs to. The
//! lecture's section names are quoted as its English rendering has them.

use crate::event::{
    Call, ClientRole, ConnId, EventKind, Evict, Model, Preview, Refuse, ResetNote, Role,
};
use crate::ui::{fmt, text};

/// What one event means, in four parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What the call was: `recv(1024) on #3`.
    pub call: String,
    /// What it returned: `WouldBlock (EAGAIN)`, `0 bytes`, `ECONNRESET`.
    pub returned: String,
    /// What that means: a few short sentences in the lecture's terms.
    pub meaning: String,
    /// The part of the lecture it belongs to.
    pub lecture: String,
}

/// What is known of the run an event came from: the same call means
/// something else in another model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct About {
    /// The model that ran (not known: taken as the lecture's own loop).
    pub model: Option<Model>,
    /// `--faithful`: the lecture's listing as written, bugs included.
    pub faithful: bool,
}

/// The panel's row labels and its last line.
pub const CALL: &str = "Call";
pub const RETURNED: &str = "Returned";
pub const MEANING: &str = "Meaning";
pub const LECTURE: &str = "Lecture";
pub const TITLE: &str = "Explain";
pub const CLOSES: &str = "↑ ↓ another line · Enter or Esc closes";

// The lecture's sections.
const WAITS: &str = "What a socket server waits for";
const BLOCKING: &str = "Blocking IO";
const NONBLOCKING: &str = "Non-blocking IO";
const REALLY: &str = "What the listing really does";
const BEYOND: &str = "Beyond the lecture";

/// The lecture's section for a model's own loop.
fn model_section(model: Option<Model>) -> String {
    match model {
        Some(Model::Blocking) => format!("{BLOCKING} › 1. the first socket server"),
        Some(Model::Threaded) => format!("{BLOCKING} › 2. multithreading"),
        Some(Model::Pool) => format!("{BLOCKING} › 3. a thread pool"),
        Some(Model::Nonblocking) | None => format!("{NONBLOCKING} › the listing"),
        Some(Model::Multiplex) => {
            format!("{BEYOND}: multiplexing (epoll), the answer to drawback 2")
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `1 byte`, `6 bytes`.
fn n_bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{} bytes", fmt::thousands(n as u64))
    }
}

fn on(conn: Option<ConnId>) -> String {
    conn.map_or(String::new(), |c| format!(" on #{c}"))
}

/// The call as the listing writes it.
fn call(call: Call, conn: Option<ConnId>) -> String {
    match call {
        Call::Accept => "accept()".into(),
        Call::Recv => format!("recv(1024){}", on(conn)),
        Call::Send => format!("send(){}", on(conn)),
        Call::Queue => "a wait for the next client on the work queue".into(),
    }
}

/// What a blocked call waits for.
fn waits_for(call: Call) -> &'static str {
    match call {
        Call::Accept => "a client connects",
        Call::Recv => "the client sends something (or closes)",
        Call::Send => "the kernel's send buffer has room again",
        Call::Queue => "the accept thread queues a client",
    }
}

/// ... and what had happened when it came back.
fn waited_for(call: Call) -> &'static str {
    match call {
        Call::Accept => "a client had connected",
        Call::Recv => "the client had sent something (or closed)",
        Call::Send => "the kernel's send buffer had room again",
        Call::Queue => "the accept thread had queued a client",
    }
}

/// The lecture's section for a thread parked in a blocking call.
fn blocking_section(model: Option<Model>) -> String {
    match model {
        Some(m) if m.has_threads() => model_section(model),
        _ => BLOCKING.into(),
    }
}

/// An errno's name, with the exception Python raises for it.
fn errno(error: &str) -> String {
    match error {
        "ECONNRESET" => "ECONNRESET (ConnectionResetError in Python)".into(),
        "EPIPE" => "EPIPE (BrokenPipeError in Python)".into(),
        "EMFILE" => "EMFILE (OSError in Python: too many open files)".into(),
        other => other.into(),
    }
}

fn data(bytes: usize, preview: &Preview) -> String {
    format!("{} \"{preview}\"", n_bytes(bytes))
}

/// What `kind` means; `about` is the run it came from.
pub fn explain(kind: &EventKind, about: About) -> Explanation {
    let model = about.model;
    let threads = model.is_some_and(Model::has_threads);
    let (call, returned, meaning, lecture): (String, String, String, String) = match kind {
        EventKind::Listening {
            addr,
            model,
            backlog,
            faithful,
            ..
        } => (
            format!("socket(), bind({addr}), listen({backlog})"),
            format!("listening on {addr}"),
            format!(
                "The server is bound and listening: from now on the kernel completes \
                 connections on its own and keeps up to about {backlog} of them in the listen \
                 queue until accept takes them. The model: {}.{}",
                model_words(*model),
                if *faithful {
                    " --faithful: the lecture's listing as written, its bugs included."
                } else {
                    ""
                }
            ),
            model_section(Some(*model)),
        ),
        EventKind::Accept { conn, peer } => (
            "accept()".into(),
            format!("a new socket, #{conn}, from {peer}"),
            format!(
                "The kernel had already done the handshake and kept the connection in the \
                 listen queue; accept only took it out and gave it a descriptor. {}",
                match model {
                    Some(Model::Blocking) => {
                        "The one thread now serves this client until it leaves: nobody else \
                         is accepted meanwhile."
                    }
                    Some(Model::Threaded) => {
                        "The accept thread starts a thread for it and goes back to accept."
                    }
                    Some(Model::Pool) => {
                        "The accept thread queues it for a worker and goes back to accept."
                    }
                    Some(Model::Multiplex) => {
                        "epoll had said the listening socket was ready, so accept could not \
                         block; the new socket is watched by epoll too."
                    }
                    Some(Model::Nonblocking) | None => {
                        "In the listing it joins connected_list; accept is tried first on \
                         every spin."
                    }
                }
            ),
            format!("{WAITS} › accept; {}", model_section(model)),
        ),
        EventKind::WouldBlock { accept, recv, send } => {
            let mut calls = Vec::new();
            let mut reasons = Vec::new();
            for (name, n, why) in [
                (
                    "accept()",
                    accept,
                    "no new client was waiting to be accepted",
                ),
                ("recv()", recv, "no client had sent anything new"),
                ("send()", send, "the kernel's send buffer was full"),
            ] {
                if *n > 0 {
                    calls.push(format!("{name} ×{}", fmt::thousands(*n)));
                    reasons.push(why);
                }
            }
            let total = accept + recv + send;
            if calls.is_empty() {
                calls.push("calls".into());
            }
            let then = if model == Some(Model::Multiplex) {
                "An epoll loop reads a ready socket until it says this: then it knows the \
                 socket is drained, and sleeps until the kernel wakes it."
            } else {
                "The loop does not wait in place: it goes on and asks again on its next spin. \
                 Asking over and over, mostly in vain, is what keeps a core busy (drawback 2)."
            };
            (
                format!("non-blocking {}", calls.join(" · ")),
                format!("WouldBlock (EAGAIN) ×{}", fmt::thousands(total)),
                format!(
                    "Nothing there yet, ask again{}. The kernel said so at once \
                     (BlockingIOError in Python) instead of making the loop wait. {then}",
                    if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", and_list(&reasons))
                    }
                ),
                format!("{NONBLOCKING} › the listing: except BlockingIOError; drawback 2"),
            )
        }
        EventKind::WouldBlockOn { call, conn } => {
            let on = conn.map_or(String::new(), |c| format!(" on #{c}"));
            let why = match call {
                Call::Accept => "no new client was waiting to be accepted".to_string(),
                Call::Recv => format!(
                    "nothing new had arrived from the client{on}: the data is still on its \
                     way (the waiting phase), so there is nothing to copy"
                ),
                Call::Send | Call::Queue => {
                    format!("the kernel's send buffer{on} was full")
                }
            };
            (
                format!("non-blocking {}(){on}", call.name()),
                "WouldBlock (EAGAIN)".into(),
                format!(
                    "Nothing there yet, ask again: {why}. The kernel said so at once \
                     (BlockingIOError in Python) instead of making the loop wait; stepped \
                     or in slow motion, each such answer is shown by itself."
                ),
                format!("{NONBLOCKING} › the listing: except BlockingIOError"),
            )
        }
        EventKind::AcceptWait { conn, waited_ms } => (
            format!("accept() of #{conn}, looked at afterwards"),
            format!("it waited {waited_ms} ms in the listen queue"),
            "The kernel completed the connection on its own (the handshake) and kept it in \
             the listen queue until the server called accept. Measured from the socket's last \
             packet, by the sampler thread, never the loop: with data sent meanwhile it is a \
             lower bound. A busy loop that is somewhere else answers late."
                .into(),
            format!("{NONBLOCKING} › drawback 1: a new connection is not answered promptly"),
        ),
        EventKind::Pace {
            call_delay_us,
            backoff,
            backoff_us,
        } => (
            "the viewer's pace (- + b)".into(),
            format!(
                "{} · {}",
                text::slow_motion(crate::i18n::Lang::En, *call_delay_us), // lang: explain
                text::backoff(crate::i18n::Lang::En, *backoff, *backoff_us)  // lang: explain
            ),
            "Slow motion waits before every system call so that the room can read each one; \
             the calls themselves are real. The backoff is what the busy loop does after a \
             spin that found nothing: spin on (a core at 100%), yield the core, or sleep — \
             CPU falls and answers come later. epoll (multiplex) is the real answer: it \
             sleeps in the kernel until a socket is ready."
                .into(),
            format!("{NONBLOCKING} › drawback 2"),
        ),
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            ..
        } if model == Some(Model::Multiplex) || threads => (
            format!(
                "{} {}",
                fmt::thousands(*spins),
                text::loop_unit(crate::i18n::Lang::En, model) // lang: explain
            ),
            format!(
                "{} of CPU ({} in the kernel)",
                fmt::micros(cpu_user_us + cpu_sys_us),
                fmt::micros(*cpu_sys_us)
            ),
            if threads {
                "Each blocking recv came back once, with data or a close: nothing is asked in \
                 vain, and a parked thread uses no CPU while it waits."
                    .into()
            } else {
                "Each wakeup is one return from epoll_wait, with the sockets that are ready: \
                 the loop asks only those, and sleeps in between. Its CPU goes to real work, \
                 not to asking in vain."
                    .into()
            },
            model_section(model),
        ),
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            empty_recvs,
            ..
        } => (
            format!("{} spins of the while True loop", fmt::thousands(*spins)),
            format!(
                "{} of CPU ({} in the kernel)",
                fmt::micros(cpu_user_us + cpu_sys_us),
                fmt::micros(*cpu_sys_us)
            ),
            format!(
                "One spin is one pass of the loop: try accept, then recv on every connected \
                 socket, then send what is ready. Each spin asks every socket whether \
                 something is there, even when nothing is, so the loop never rests: most of \
                 its CPU goes to the calls themselves, in the kernel.{}",
                if *empty_recvs > 0 {
                    format!(
                        " {} of the recvs returned b'' from a closed client and were \
                         answered with empty sends (CLOSE-WAIT).",
                        fmt::thousands(*empty_recvs)
                    )
                } else {
                    String::new()
                }
            ),
            format!("{NONBLOCKING} › drawback 2 (an endless loop that burns CPU)"),
        ),
        EventKind::Recv { conn, bytes: 0, .. } => (
            format!("recv(1024) on #{conn}"),
            "0 bytes (b'')".into(),
            "0 bytes means the client closed its side — its FIN. The listing does not check \
             for b'': it treats it as data, sends b'' back and keeps the connection. The \
             socket stays in CLOSE-WAIT, its descriptor leaks, and recv returns b'' again on \
             every spin."
                .into(),
            format!("{REALLY} › an orderly close makes recv return b''"),
        ),
        EventKind::Recv {
            conn,
            bytes,
            preview,
            ..
        } => (
            format!("recv(1024) on #{conn}"),
            data(*bytes, preview),
            if threads {
                "The thread waited in recv until the client's bytes had come over the wire \
                 into the kernel (phase 1, waiting for data); then recv copied them into the \
                 application (phase 2, copying data). While it waited the thread could do \
                 nothing else."
                    .into()
            } else {
                format!(
                    "The data had already arrived: phase 1, waiting for data, happened in the \
                     kernel while the loop did other things{}. recv only did phase 2: it \
                     copied the bytes from the kernel's buffer into the application. The \
                     reply, data.upper(), goes on the ready-send list.",
                    if model == Some(Model::Multiplex) {
                        " (epoll said this socket was ready)"
                    } else {
                        ""
                    }
                )
            },
            format!(
                "{WAITS} › recv: 1. waiting for data, 2. copying data; {}",
                model_section(model)
            ),
        ),
        EventKind::Send {
            conn,
            bytes: 0,
            pending: 0,
            ..
        } => (
            format!("send(b'') on #{conn}"),
            "0 bytes".into(),
            "An empty send: the listing answers a recv of b'' (a closed client) with \
             send(b''), which sends nothing. It happens again on every spin while the \
             socket sits in CLOSE-WAIT."
                .into(),
            format!("{REALLY} › an orderly close makes recv return b''"),
        ),
        EventKind::Send {
            conn,
            bytes,
            preview,
            pending: 0,
            ..
        } => (
            format!("send() on #{conn}"),
            format!("{}, all of it", data(*bytes, preview)),
            "send copied the reply into the kernel's send buffer and returned at once. \
             Sending it on is now the job of the operating system, the network card and the \
             wire: the server does not wait for the client to receive it."
                .into(),
            format!("{WAITS} › send"),
        ),
        EventKind::Send {
            conn,
            bytes,
            preview,
            pending,
            ..
        } => (
            format!("send() on #{conn}"),
            format!(
                "{}; {} still queued",
                if *bytes == 0 {
                    "WouldBlock (EAGAIN): 0 bytes".to_string()
                } else {
                    data(*bytes, preview)
                },
                n_bytes(*pending)
            ),
            format!(
                "A partial send: the kernel's send buffer for #{conn} is full, because the \
                 client does not read its replies as fast as they come. The kernel took what \
                 fit; the rest waits in the server's queue and is sent when there is room. \
                 The listing as written would lose it instead."
            ),
            format!("{WAITS} › send; {REALLY} › a reply that would block is dropped"),
        ),
        EventKind::Closed { conn } => (
            format!("recv(1024) on #{conn}"),
            "0 bytes".into(),
            format!(
                "0 bytes: the client closed its side of the connection — its FIN. That is an \
                 orderly close, not an error: nothing more will come. The server closed its \
                 side too and removed #{conn} from the connected list; the listing as written \
                 would treat the b'' as data instead."
            ),
            format!("{WAITS} › recv; {REALLY} › an orderly close makes recv return b''"),
        ),
        EventKind::Reset {
            conn,
            call: c,
            error,
            note,
        } => {
            let why = match error.as_str() {
                "ECONNRESET" => format!(
                    "The client reset the connection — its RST. It went away abruptly (it \
                     closed with data unread, or crashed) instead of closing in order. Nothing \
                     more can be received or sent on #{conn}, and the server drops it."
                ),
                "EPIPE" => format!(
                    "The client had already gone (its RST came first), so the server's send \
                     had nowhere to go: a broken pipe. The server drops #{conn}."
                ),
                other => {
                    format!("{other}: the call failed for good, and the server drops #{conn}.")
                }
            };
            let listing = match (note, c) {
                (Some(ResetNote::ListingCrashes), _) => {
                    " The listing does not catch this error on send: as written, the whole \
                     server would crash here."
                }
                (None, Call::Recv) if !threads => {
                    " The listing catches ConnectionResetError on recv and removes the client \
                     after the loop (dis_conn_list)."
                }
                _ => "",
            };
            let lecture = match c {
                Call::Send => {
                    format!("{REALLY} › send can raise ConnectionResetError or BrokenPipeError")
                }
                Call::Recv if !threads => {
                    format!("{NONBLOCKING} › the listing: except ConnectionResetError")
                }
                _ => format!("{WAITS}; {}", model_section(model)),
            };
            let (meaning, lecture) = if *note == Some(ResetNote::NoThread) {
                (
                    format!(
                        "No thread could be started for #{conn} ({error}), so the server \
                         closed it at once. A thread per client runs out when clients grow \
                         without bound: threads, and the memory of their stacks."
                    ),
                    model_section(Some(Model::Threaded)),
                )
            } else {
                (format!("{why}{listing}"), lecture)
            };
            (call(*c, Some(*conn)), errno(error), meaning, lecture)
        }
        EventKind::Evicted {
            conn,
            why,
            limit_bytes,
            stall_ms,
        } => (
            match why {
                Evict::SendTimeout => format!("send() on #{conn}, then close()"),
                Evict::Stalled | Evict::TotalCap => format!("close() on #{conn}, by the server"),
            },
            text::evicted(crate::i18n::Lang::En, *why, *limit_bytes, *stall_ms), // lang: explain
            format!(
                "The client stopped reading its replies, so they piled up: first in the \
                 kernel's send buffer, then in the server's queue. {} A server that kept them \
                 forever could be made to run out of memory by one client.",
                match why {
                    Evict::SendTimeout => {
                        "The thread's blocking send waited that long for room, so the server \
                         gave up on the client."
                    }
                    Evict::Stalled | Evict::TotalCap => {
                        "They sat unread that long, so the server dropped the client."
                    }
                }
            ),
            format!(
                "{WAITS} › send (the kernel's buffer is full); {BEYOND}: the listing has no limit"
            ),
        ),
        EventKind::Refused { peer, why, limit } => (
            "accept(), then close() at once".into(),
            format!(
                "{peer} turned away: {}",
                text::refused(crate::i18n::Lang::En, *why, *limit) // lang: explain
            ),
            format!(
                "{} were connected already, so the server took the connection and closed it \
                 at once. A limit keeps one burst of clients from taking every descriptor and \
                 all the memory; the listing has none.",
                match why {
                    Refuse::MaxConns => format!("{limit} clients"),
                    Refuse::MaxConnsPerIp => format!("{limit} clients from that address"),
                }
            ),
            format!(
                "{BLOCKING} › 2. multithreading (clients grow without bound); {BEYOND}: a \
                 limit the listing does not have"
            ),
        ),
        EventKind::Lost { conn, bytes } => (
            format!("send() on #{conn}"),
            format!(
                "WouldBlock (EAGAIN): {} reply thrown away",
                fmt::size(*bytes as u64)
            ),
            format!(
                "The kernel's send buffer for #{conn} was full, so send raised \
                 BlockingIOError, and the listing just passes. ready_send_list is rebuilt on \
                 every spin, so nothing retries the reply: it is lost. Without --faithful the \
                 server keeps it and sends it later."
            ),
            format!("{REALLY} › when send raises WouldBlock the reply is dropped"),
        ),
        EventKind::AcceptError { error, backoff_ms } => (
            "accept()".into(),
            errno(error),
            match error.as_str() {
                "EMFILE" | "ENFILE" => format!(
                    "Out of descriptors: the process (EMFILE) or the whole system (ENFILE) has \
                     as many open files as its limit allows, so a new connection cannot get \
                     one. Every connected client, and every leaked CLOSE-WAIT socket, holds a \
                     descriptor. The connection stays in the listen queue, and the server stops \
                     accepting for {backoff_ms} ms instead of failing again at once."
                ),
                other => format!(
                    "accept failed with {other}, not WouldBlock: the server stops accepting \
                     for {backoff_ms} ms, then tries again. The listing catches only \
                     BlockingIOError here: it would crash."
                ),
            },
            match error.as_str() {
                "EMFILE" | "ENFILE" => format!(
                    "{NONBLOCKING} › the listing: server.accept(); {REALLY} › the \
                     descriptor leaks (CLOSE-WAIT)"
                ),
                _ => format!("{NONBLOCKING} › the listing: server.accept()"),
            },
        ),
        EventKind::Paused { paused, thread } => (
            "ioscope's pause (space)".into(),
            text::paused(crate::i18n::Lang::En, *paused, thread.as_deref()), // lang: explain
            if *paused {
                "The server thread really stops before its next call: it parks and uses no \
                 CPU, so the counters and the history stand still while you look. While \
                 paused, n lets it make one more system call, N run one more spin."
                    .into()
            } else {
                "The thread goes on from where it parked, with its next call.".into()
            },
            format!("{BEYOND}: ioscope's own control"),
        ),
        EventKind::Dropped { count } => (
            "ioscope's probe".into(),
            format!("{} events not delivered", fmt::thousands(*count)),
            "The server made events faster than the dashboard took them, and the channel \
             between them was full. The probe never makes the server wait: it drops the \
             event and counts it. The server lost nothing; only this view did."
                .into(),
            format!("{BEYOND}: how ioscope watches"),
        ),
        EventKind::Client { peer, role } => (
            "connect(), by a built-in client".into(),
            format!("connected from {peer}"),
            match role {
                ClientRole::Chatty => {
                    "One of the dashboard's own clients, like the lecture's client: it sends \
                     a line every few seconds and waits for the upper-cased reply (send, then \
                     recv)."
                }
                ClientRole::Idle => {
                    "One of the dashboard's own clients: it connects and sends nothing, like \
                     a user who never types. The listing as written blocks in recv on such a \
                     client, and the whole loop freezes."
                }
            }
            .into(),
            match role {
                ClientRole::Chatty => format!("{NONBLOCKING} › the client"),
                ClientRole::Idle => format!("{NONBLOCKING} › the client; {REALLY} › it blocks"),
            },
        ),
        EventKind::Reply { peer, rtt_us } => (
            format!("recv(), in the built-in client {peer}"),
            format!("the whole reply after {}", fmt::micros(*rtt_us)),
            "The round trip as a client sees it: from its send to the last byte of the reply. \
             It includes the time the server took to get round to this client: a busy loop \
             over many sockets, a thread to be woken, a worker to be free."
                .into(),
            format!("{NONBLOCKING} › the client; drawback 1"),
        ),
        EventKind::Blocked {
            thread,
            call: c,
            conn,
        } => (
            format!("{} in {thread}", call(*c, *conn)),
            "nothing yet: the thread is parked".into(),
            format!(
                "A blocking call: the thread waits in place, in the kernel, and runs nothing \
                 after it until {}. It uses no CPU while it waits, but it can serve nobody \
                 else meanwhile.",
                waits_for(*c)
            ),
            blocking_section(model),
        ),
        EventKind::Unblocked {
            thread,
            call: c,
            conn,
            waited_us,
        } => (
            format!("{} in {thread}", call(*c, *conn)),
            format!("after {}", fmt::micros(*waited_us)),
            format!(
                "The thread came back from its blocking call after {}: {}. All that time it \
                 was parked, serving nobody else.",
                fmt::micros(*waited_us),
                waited_for(*c)
            ),
            blocking_section(model),
        ),
        EventKind::Thread {
            thread,
            role,
            alive,
            conn,
        } => (
            format!(
                "{} {thread}",
                if *alive {
                    "start a thread:"
                } else {
                    "end of thread"
                }
            ),
            text::role(crate::i18n::Lang::En, *role, *conn), // lang: explain
            if *alive {
                role_words(*role).into()
            } else {
                "The thread ended: its client left, or the model was switched. Its stack's \
                 memory goes back."
                    .into()
            },
            role_section(*role),
        ),
        EventKind::Queued { conn } => (
            format!("queue #{conn} for a worker"),
            "waiting in the work queue".into(),
            format!(
                "Every worker is busy with a client, so #{conn} waits in the queue: accepted, \
                 but nobody reads from it yet. A pool caps the threads; past the cap, clients \
                 wait. It only limits the thread count."
            ),
            format!("{BLOCKING} › 3. a thread pool"),
        ),
        EventKind::Dequeued {
            conn,
            thread,
            waited_us,
        } => (
            format!("{thread} takes #{conn} from the work queue"),
            format!("after {} in the queue", fmt::micros(*waited_us)),
            format!(
                "A worker came free and took #{conn}. For {} the client was accepted but \
                 nobody read from it: its data waited in the kernel's buffer.",
                fmt::micros(*waited_us)
            ),
            format!("{BLOCKING} › 3. a thread pool"),
        ),
        EventKind::Wakeup { wakeups, ready } => (
            format!("epoll_wait() ×{}", fmt::thousands(*wakeups)),
            format!("{} ready sockets", fmt::thousands(*ready)),
            "Multiplexing: the loop sleeps in the kernel until sockets are ready, and the \
             kernel wakes it with a list of them. It asks only those, so it uses no CPU while \
             nothing happens, unlike the busy loop, which asks every socket on every spin."
                .into(),
            format!("{BEYOND}: multiplexing (epoll), the answer to drawback 2"),
        ),
        EventKind::Sample {
            rss_bytes,
            threads,
            listen_queue,
            listen_max,
            ..
        } => (
            "a reading of the server process".into(),
            format!(
                "RSS {}, {threads} threads{}",
                fmt::bytes(*rss_bytes),
                match (listen_queue, listen_max) {
                    (Some(q), Some(max)) => format!(", listen queue {q} of {max}"),
                    (Some(q), None) => format!(", listen queue {q}"),
                    _ => String::new(),
                }
            ),
            "The listen queue holds connections the kernel completed that nobody has \
             accepted yet. When it is full the kernel drops new ones, a listen-queue \
             overflow: the client's handshake goes unanswered and it retries a second later. \
             Threads and memory show what each model costs."
                .into(),
            format!(
                "{REALLY} › listen(5): a burst overflows the accept queue; \
                 {BLOCKING} › 2. multithreading (memory)"
            ),
        ),
        EventKind::KernelQueues { conns } => (
            "ioctl(SIOCINQ), ioctl(SIOCOUTQ) on each client socket".into(),
            match conns.as_slice() {
                [(conn, inq, outq)] => format!(
                    "#{conn}: {} waiting, {} unacknowledged",
                    n_bytes(*inq as usize),
                    n_bytes(*outq as usize)
                ),
                _ => format!("{} connections changed", conns.len()),
            },
            "Bytes a client sent wait in the server's kernel until recv copies them to the \
             application: that wait is recv's first phase, the copy its second. Replies the \
             client's kernel has not taken wait on the server's side."
                .into(),
            format!("{WAITS} › accept and recv: waiting for data, then copying it"),
        ),
        EventKind::Marker { note } => (
            "M, pressed by the lecturer (no system call)".into(),
            format!(
                "a marker, {}",
                text::marker_note(crate::i18n::Lang::En, note) // lang: explain
            ),
            "The lecturer's marker, dropped with M during the live run to find this moment \
             again. It is in the recording (--record) in order with the server's events, and \
             a replay jumps from marker to marker."
                .into(),
            format!("{BEYOND}: the lecturer's own marks"),
        ),
    };
    Explanation {
        call,
        returned,
        meaning,
        lecture,
    }
}

/// A model, in a few words.
fn model_words(model: Model) -> &'static str {
    match model {
        Model::Blocking => "blocking, one thread: accept, then serve that client until it leaves",
        Model::Threaded => "threaded: an accept thread and a thread per client",
        Model::Pool => "pool: an accept thread and a fixed pool of workers fed by a queue",
        Model::Nonblocking => {
            "nonblocking, the lecture's loop: every socket asked in turn, again and again"
        }
        Model::Multiplex => "multiplex: one thread asleep in epoll until a socket is ready",
    }
}

/// What a thread of `role` does, and what it costs.
fn role_words(role: Role) -> &'static str {
    match role {
        Role::BusyLoop => {
            "The one thread of the non-blocking loop. It never waits, so it keeps a core busy \
             even with nobody connected."
        }
        Role::PollLoop => {
            "The one thread of the epoll loop. It sleeps in the kernel until a socket is \
             ready, so it uses no CPU while nothing happens."
        }
        Role::AcceptAndServe => {
            "The first server's only thread: accept, then serve that client until it leaves. \
             Meanwhile nobody else is accepted or answered."
        }
        Role::AcceptSpawn => {
            "It accepts and starts a thread per client, so accepting and receiving no longer \
             get in each other's way."
        }
        Role::AcceptQueue => "It accepts and puts each client in the queue for the pool's workers.",
        Role::Client => {
            "A thread for one client, parked in recv most of the time. Each costs its stack's \
             memory: as clients grow without bound, so does the memory."
        }
        Role::Worker => {
            "One of a fixed number of workers: it serves one queued client after another, \
             each until it leaves."
        }
    }
}

fn role_section(role: Role) -> String {
    match role {
        Role::BusyLoop => format!("{NONBLOCKING} › the listing; drawback 2"),
        Role::PollLoop => model_section(Some(Model::Multiplex)),
        Role::AcceptAndServe => model_section(Some(Model::Blocking)),
        Role::AcceptSpawn | Role::Client => model_section(Some(Model::Threaded)),
        Role::AcceptQueue | Role::Worker => model_section(Some(Model::Pool)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One event of every kind (and of the variants that read differently).
    fn every_kind() -> Vec<EventKind> {
        vec![
            EventKind::Listening {
                addr: "127.0.0.1:8080".into(),
                model: Model::Nonblocking,
                backlog: 5,
                faithful: true,
                verbatim: false,
                cpu_split: true,
            },
            EventKind::Accept {
                conn: 1,
                peer: "127.0.0.1:50001".into(),
            },
            EventKind::WouldBlock {
                accept: 1,
                recv: 2,
                send: 3,
            },
            EventKind::WouldBlock {
                accept: 0,
                recv: 0,
                send: 0,
            },
            EventKind::Spin {
                spins: 10,
                cpu_user_us: 1,
                cpu_sys_us: 19,
                empty_recvs: 4,
                empty_sends: 4,
            },
            EventKind::Recv {
                conn: 1,
                bytes: 6,
                spin: 1,
                preview: "hello\\n".into(),
            },
            EventKind::Recv {
                conn: 1,
                bytes: 0,
                spin: 1,
                preview: Default::default(),
            },
            EventKind::Send {
                conn: 1,
                bytes: 6,
                spin: 1,
                preview: "HELLO\\n".into(),
                pending: 0,
            },
            EventKind::Send {
                conn: 1,
                bytes: 3,
                spin: 1,
                preview: "HEL".into(),
                pending: 7,
            },
            EventKind::Send {
                conn: 1,
                bytes: 0,
                spin: 1,
                preview: Default::default(),
                pending: 0,
            },
            EventKind::Closed { conn: 3 },
            EventKind::Reset {
                conn: 4,
                call: Call::Recv,
                error: "ECONNRESET".into(),
                note: None,
            },
            EventKind::Reset {
                conn: 4,
                call: Call::Send,
                error: "EPIPE".into(),
                note: Some(ResetNote::ListingCrashes),
            },
            EventKind::Reset {
                conn: 4,
                call: Call::Accept,
                error: "ENOBUFS".into(),
                note: Some(ResetNote::NoThread),
            },
            EventKind::Evicted {
                conn: 5,
                why: Evict::Stalled,
                limit_bytes: Some(1 << 20),
                stall_ms: 5000,
            },
            EventKind::Evicted {
                conn: 5,
                why: Evict::SendTimeout,
                limit_bytes: None,
                stall_ms: 5000,
            },
            EventKind::Refused {
                peer: "127.0.0.1:50009".into(),
                why: Refuse::MaxConnsPerIp,
                limit: 64,
            },
            EventKind::Lost {
                conn: 1,
                bytes: 4096,
            },
            EventKind::AcceptError {
                error: "EMFILE".into(),
                backoff_ms: 100,
            },
            EventKind::AcceptError {
                error: "ENOMEM".into(),
                backoff_ms: 100,
            },
            EventKind::Paused {
                paused: true,
                thread: None,
            },
            EventKind::Paused {
                paused: false,
                thread: Some("worker-1".into()),
            },
            EventKind::Dropped { count: 3 },
            EventKind::Client {
                peer: "127.0.0.1:50010".into(),
                role: ClientRole::Idle,
            },
            EventKind::Reply {
                peer: "127.0.0.1:50010".into(),
                rtt_us: 120,
            },
            EventKind::Blocked {
                thread: "server".into(),
                call: Call::Recv,
                conn: Some(1),
            },
            EventKind::Unblocked {
                thread: "worker-1".into(),
                call: Call::Queue,
                conn: None,
                waited_us: 1500,
            },
            EventKind::Thread {
                thread: "client-1".into(),
                role: Role::Client,
                alive: true,
                conn: Some(1),
            },
            EventKind::Thread {
                thread: "client-1".into(),
                role: Role::Client,
                alive: false,
                conn: Some(1),
            },
            EventKind::Queued { conn: 7 },
            EventKind::Dequeued {
                conn: 7,
                thread: "worker-2".into(),
                waited_us: 2500,
            },
            EventKind::Wakeup {
                wakeups: 4,
                ready: 5,
            },
            EventKind::Sample {
                rss_bytes: 1 << 22,
                threads: 3,
                listen_queue: Some(5),
                listen_max: Some(5),
                listen_overflows: None,
                vm_bytes: None,
            },
            EventKind::WouldBlockOn {
                call: Call::Recv,
                conn: Some(3),
            },
            EventKind::WouldBlockOn {
                call: Call::Accept,
                conn: None,
            },
            EventKind::Pace {
                call_delay_us: 500_000,
                backoff: crate::event::Backoff::Yield,
                backoff_us: 0,
            },
            EventKind::KernelQueues {
                conns: vec![(1, 6, 0)],
            },
            EventKind::KernelQueues {
                conns: vec![(1, 0, 0), (2, 5, 1024)],
            },
            EventKind::AcceptWait {
                conn: 4,
                waited_ms: 12,
            },
            EventKind::Marker {
                note: "the loop at 100% · 看这里".into(),
            },
            EventKind::Marker {
                note: String::new(),
            },
        ]
    }

    #[test]
    fn every_kind_of_event_is_explained_in_every_model() {
        let kinds = every_kind();
        // Every kind the vocabulary has is among them.
        let names: std::collections::BTreeSet<&str> = kinds.iter().map(EventKind::name).collect();
        assert_eq!(names.len(), 28, "{names:?}");
        let abouts = Model::ALL
            .map(|m| About {
                model: Some(m),
                faithful: m.has_listing(),
            })
            .into_iter()
            .chain([About::default()]);
        for about in abouts {
            for kind in &kinds {
                let e = explain(kind, about);
                for (part, text) in [
                    ("call", &e.call),
                    ("returned", &e.returned),
                    ("meaning", &e.meaning),
                    ("lecture", &e.lecture),
                ] {
                    assert!(!text.trim().is_empty(), "{} {part} {about:?}", kind.name());
                }
                // Short sentences, a few of them; no doubled spaces from
                // the line continuations.
                let sentences = e.meaning.matches(". ").count() + 1;
                assert!((1..=4).contains(&sentences), "{e:?}");
                assert!(!e.meaning.contains("  "), "{e:?}");
                assert!(e.meaning.ends_with('.'), "{e:?}");
            }
        }
    }

    #[test]
    fn the_lectures_cases_say_what_the_issue_asks() {
        let about = About {
            model: Some(Model::Nonblocking),
            faithful: false,
        };
        let wb = explain(
            &EventKind::WouldBlock {
                accept: 10,
                recv: 20,
                send: 0,
            },
            about,
        );
        assert_eq!(wb.returned, "WouldBlock (EAGAIN) ×30");
        assert!(wb.meaning.starts_with("Nothing there yet, ask again"));
        let closed = explain(&EventKind::Closed { conn: 3 }, about);
        assert_eq!(closed.returned, "0 bytes");
        assert!(closed.meaning.contains("its FIN"));
        let reset = explain(
            &EventKind::Reset {
                conn: 4,
                call: Call::Recv,
                error: "ECONNRESET".into(),
                note: None,
            },
            about,
        );
        assert!(reset.returned.starts_with("ECONNRESET"));
        assert!(reset.meaning.contains("its RST"));
        let partial = explain(
            &EventKind::Send {
                conn: 1,
                bytes: 3,
                spin: 1,
                preview: "HEL".into(),
                pending: 7,
            },
            about,
        );
        assert_eq!(partial.returned, "3 bytes \"HEL\"; 7 bytes still queued");
        assert!(
            partial
                .meaning
                .contains("the kernel's send buffer for #1 is full")
        );
        let emfile = explain(
            &EventKind::AcceptError {
                error: "EMFILE".into(),
                backoff_ms: 100,
            },
            about,
        );
        assert!(emfile.meaning.starts_with("Out of descriptors"));
        let sample = explain(
            &EventKind::Sample {
                rss_bytes: 0,
                threads: 1,
                listen_queue: Some(6),
                listen_max: Some(5),
                listen_overflows: None,
                vm_bytes: None,
            },
            about,
        );
        assert!(sample.meaning.contains("listen-queue overflow"));
    }
}
