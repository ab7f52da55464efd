//! The words of the explain panel: for every kind of event, what the call
//! was, what it returned, what that means and which part of the lecture
//! (`io-model`) it belongs to. The words themselves are messages of the
//! `explain` area (`assets/i18n/<lang>/explain.ftl`); here is only which
//! message says what, with which data.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

use crate::event::{
    Call, ClientRole, ConnId, EventKind, Evict, Model, Preview, Refuse, ResetNote, Role,
};
use crate::i18n::Lang;
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

/// A message of the `explain` area on one line: a line break in the
/// `.ftl` file is a space between words, and nothing between two Chinese
/// characters or next to Chinese punctuation (the panel wraps by itself).
fn one_line(text: Cow<'static, str>) -> String {
    if !text.contains('\n') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        if let (Some(a), Some(b)) = (out.chars().last(), line.chars().next()) {
            let wide = |c: char| c.width() == Some(2);
            if !(wide(a) && wide(b) || fullwidth_punct(a) || fullwidth_punct(b)) {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

/// `，。：；（）「」、` and the like: Chinese punctuation, which takes no
/// space before or after it.
fn fullwidth_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

/// `say!(lang, "id")`, `say!(lang, "id", conn = 3)`: the message, on one line.
macro_rules! say {
    ($lang:expr, $($rest:tt)+) => {
        one_line($crate::t!($lang, $($rest)+))
    };
}

/// Sentences in a row: a space between them in English, nothing in
/// Chinese (a `。` ends each).
fn sentences(lang: Lang, parts: &[&str]) -> String {
    let gap = if lang == Lang::Zh { "" } else { " " };
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(gap)
}

/// The panel's row labels: call, returned, meaning, lecture.
pub fn labels(lang: Lang) -> [String; 4] {
    [
        say!(lang, "explain-label-call"),
        say!(lang, "explain-label-returned"),
        say!(lang, "explain-label-meaning"),
        say!(lang, "explain-label-lecture"),
    ]
}

/// The panel's title, for an event of `kind` (its label in the log).
pub fn title(lang: Lang, kind: &str) -> String {
    say!(lang, "explain-title", kind = kind)
}

/// The panel's last line.
pub fn closes(lang: Lang) -> String {
    say!(lang, "explain-closes")
}

/// The lecture's section for a model's own loop.
fn model_section(lang: Lang, model: Option<Model>) -> String {
    match model {
        Some(Model::Blocking) => say!(lang, "explain-section-blocking"),
        Some(Model::Threaded) => say!(lang, "explain-section-threaded"),
        Some(Model::Pool) => say!(lang, "explain-section-pool"),
        Some(Model::Nonblocking) | None => say!(lang, "explain-section-nonblocking"),
        Some(Model::Multiplex) => say!(lang, "explain-section-multiplex"),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(lang: Lang, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [first, middle @ .., last] => {
            let init = middle.iter().fold(first.clone(), |first, next| {
                say!(
                    lang,
                    "explain-and-more",
                    first = first,
                    next = next.as_str()
                )
            });
            say!(lang, "explain-and", first = init, last = last.as_str())
        }
    }
}

/// `1 byte`, `6 bytes`.
fn n_bytes(lang: Lang, n: usize) -> String {
    say!(
        lang,
        "explain-bytes",
        n = n,
        count = fmt::thousands(n as u64)
    )
}

/// The call as the listing writes it.
fn call(lang: Lang, call: Call, conn: Option<ConnId>) -> String {
    match (call, conn) {
        (Call::Accept, _) => say!(lang, "explain-call-accept"),
        (Call::Recv, Some(conn)) => say!(lang, "explain-call-recv", conn = conn),
        (Call::Recv, None) => say!(lang, "explain-call-recv-any"),
        (Call::Send, Some(conn)) => say!(lang, "explain-call-send", conn = conn),
        (Call::Send, None) => say!(lang, "explain-call-send-any"),
        (Call::Queue, _) => say!(lang, "explain-call-queue"),
    }
}

/// What a blocked call waits for.
fn waits_for(lang: Lang, call: Call) -> String {
    match call {
        Call::Accept => say!(lang, "explain-waits-accept"),
        Call::Recv => say!(lang, "explain-waits-recv"),
        Call::Send => say!(lang, "explain-waits-send"),
        Call::Queue => say!(lang, "explain-waits-queue"),
    }
}

/// ... and what had happened when it came back.
fn waited_for(lang: Lang, call: Call) -> String {
    match call {
        Call::Accept => say!(lang, "explain-waited-accept"),
        Call::Recv => say!(lang, "explain-waited-recv"),
        Call::Send => say!(lang, "explain-waited-send"),
        Call::Queue => say!(lang, "explain-waited-queue"),
    }
}

/// The lecture's section for a thread parked in a blocking call.
fn blocking_section(lang: Lang, model: Option<Model>) -> String {
    match model {
        Some(m) if m.has_threads() => model_section(lang, model),
        _ => say!(lang, "explain-section-blocking-io"),
    }
}

/// An errno's name, with the exception Python raises for it.
fn errno(lang: Lang, error: &str) -> String {
    match error {
        "ECONNRESET" => say!(lang, "explain-errno-econnreset"),
        "EPIPE" => say!(lang, "explain-errno-epipe"),
        "EMFILE" => say!(lang, "explain-errno-emfile"),
        other => say!(lang, "explain-errno-other", error = other),
    }
}

fn data(lang: Lang, bytes: usize, preview: &Preview) -> String {
    say!(
        lang,
        "explain-data",
        bytes = n_bytes(lang, bytes),
        preview = preview.to_string()
    )
}

/// CPU time, and how much of it in the kernel.
fn cpu(lang: Lang, user_us: u64, sys_us: u64) -> String {
    say!(
        lang,
        "explain-cpu",
        cpu = fmt::micros(user_us + sys_us),
        sys = fmt::micros(sys_us)
    )
}

/// What `kind` means in `lang`; `about` is the run it came from.
pub fn explain(kind: &EventKind, about: About, lang: Lang) -> Explanation {
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
            say!(
                lang,
                "explain-listening-call",
                addr = addr.as_str(),
                backlog = *backlog
            ),
            say!(lang, "explain-listening-returned", addr = addr.as_str()),
            sentences(
                lang,
                &[
                    &say!(
                        lang,
                        "explain-listening-meaning",
                        backlog = *backlog,
                        model = model_words(lang, *model)
                    ),
                    &if *faithful {
                        say!(lang, "explain-listening-faithful")
                    } else {
                        String::new()
                    },
                ],
            ),
            model_section(lang, Some(*model)),
        ),
        EventKind::Accept { conn, peer } => (
            say!(lang, "explain-call-accept"),
            say!(
                lang,
                "explain-accept-returned",
                conn = *conn,
                peer = peer.as_str()
            ),
            sentences(
                lang,
                &[
                    &say!(lang, "explain-accept-meaning"),
                    &match model {
                        Some(Model::Blocking) => say!(lang, "explain-accept-blocking"),
                        Some(Model::Threaded) => say!(lang, "explain-accept-threaded"),
                        Some(Model::Pool) => say!(lang, "explain-accept-pool"),
                        Some(Model::Multiplex) => say!(lang, "explain-accept-multiplex"),
                        Some(Model::Nonblocking) | None => {
                            say!(lang, "explain-accept-nonblocking")
                        }
                    },
                ],
            ),
            say!(
                lang,
                "explain-accept-lecture",
                section = model_section(lang, model)
            ),
        ),
        EventKind::WouldBlock { accept, recv, send } => {
            let mut calls = Vec::new();
            let mut reasons = Vec::new();
            for (name, n, why) in [
                ("accept()", accept, "explain-why-accept"),
                ("recv()", recv, "explain-why-recv"),
                ("send()", send, "explain-why-send"),
            ] {
                if *n > 0 {
                    calls.push(say!(
                        lang,
                        "explain-wouldblock-count",
                        call = name,
                        count = fmt::thousands(*n)
                    ));
                    reasons.push(say!(lang, why));
                }
            }
            let total = accept + recv + send;
            let calls = if calls.is_empty() {
                say!(lang, "explain-wouldblock-call-none")
            } else {
                say!(lang, "explain-wouldblock-call", calls = calls.join(" · "))
            };
            let then = if model == Some(Model::Multiplex) {
                say!(lang, "explain-wouldblock-then-epoll")
            } else {
                say!(lang, "explain-wouldblock-then-loop")
            };
            let nothing_yet = if reasons.is_empty() {
                say!(lang, "explain-wouldblock-meaning")
            } else {
                say!(
                    lang,
                    "explain-wouldblock-meaning-why",
                    why = and_list(lang, &reasons)
                )
            };
            (
                calls,
                say!(
                    lang,
                    "explain-wouldblock-returned",
                    count = fmt::thousands(total)
                ),
                sentences(lang, &[&nothing_yet, &then]),
                say!(lang, "explain-wouldblock-lecture"),
            )
        }
        EventKind::WouldBlockOn { call, conn } => {
            let why = match (call, conn) {
                (Call::Accept, _) => say!(lang, "explain-why-accept"),
                (Call::Recv, Some(conn)) => {
                    say!(lang, "explain-wouldblockon-recv-on", conn = *conn)
                }
                (Call::Recv, None) => say!(lang, "explain-wouldblockon-recv"),
                (Call::Send | Call::Queue, Some(conn)) => {
                    say!(lang, "explain-wouldblockon-send-on", conn = *conn)
                }
                (Call::Send | Call::Queue, None) => say!(lang, "explain-why-send"),
            };
            (
                match conn {
                    Some(conn) => say!(
                        lang,
                        "explain-wouldblockon-call-on",
                        call = call.name(),
                        conn = *conn
                    ),
                    None => say!(lang, "explain-wouldblockon-call", call = call.name()),
                },
                say!(lang, "explain-wouldblockon-returned"),
                say!(lang, "explain-wouldblockon-meaning", why = why),
                say!(lang, "explain-wouldblockon-lecture"),
            )
        }
        EventKind::AcceptWait { conn, waited_ms } => (
            say!(lang, "explain-acceptwait-call", conn = *conn),
            say!(lang, "explain-acceptwait-returned", ms = *waited_ms),
            say!(lang, "explain-acceptwait-meaning"),
            say!(lang, "explain-acceptwait-lecture"),
        ),
        EventKind::Pace {
            call_delay_us,
            backoff,
            backoff_us,
        } => (
            say!(lang, "explain-pace-call"),
            say!(
                lang,
                "explain-pace-returned",
                speed = text::slow_motion(lang, *call_delay_us),
                backoff = text::backoff(lang, *backoff, *backoff_us)
            ),
            say!(lang, "explain-pace-meaning"),
            say!(lang, "explain-pace-lecture"),
        ),
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            ..
        } if model == Some(Model::Multiplex) || threads => (
            say!(
                lang,
                "explain-spin-count",
                spins = fmt::thousands(*spins),
                unit = text::loop_unit(lang, model)
            ),
            cpu(lang, *cpu_user_us, *cpu_sys_us),
            if threads {
                say!(lang, "explain-spin-threads")
            } else {
                say!(lang, "explain-spin-epoll")
            },
            model_section(lang, model),
        ),
        EventKind::Spin {
            spins,
            cpu_user_us,
            cpu_sys_us,
            empty_recvs,
            ..
        } => (
            say!(lang, "explain-spin-call", spins = fmt::thousands(*spins)),
            cpu(lang, *cpu_user_us, *cpu_sys_us),
            sentences(
                lang,
                &[
                    &say!(lang, "explain-spin-meaning"),
                    &if *empty_recvs > 0 {
                        say!(
                            lang,
                            "explain-spin-empty",
                            count = fmt::thousands(*empty_recvs)
                        )
                    } else {
                        String::new()
                    },
                ],
            ),
            say!(lang, "explain-spin-lecture"),
        ),
        EventKind::Recv { conn, bytes: 0, .. } => (
            say!(lang, "explain-call-recv", conn = *conn),
            say!(lang, "explain-recv-eof-returned"),
            say!(lang, "explain-recv-eof-meaning"),
            say!(lang, "explain-lecture-orderly-close"),
        ),
        EventKind::Recv {
            conn,
            bytes,
            preview,
            ..
        } => (
            say!(lang, "explain-call-recv", conn = *conn),
            data(lang, *bytes, preview),
            if threads {
                say!(lang, "explain-recv-threads")
            } else if model == Some(Model::Multiplex) {
                say!(lang, "explain-recv-epoll")
            } else {
                say!(lang, "explain-recv-loop")
            },
            say!(
                lang,
                "explain-recv-lecture",
                section = model_section(lang, model)
            ),
        ),
        EventKind::Send {
            conn,
            bytes: 0,
            pending: 0,
            ..
        } => (
            say!(lang, "explain-send-empty-call", conn = *conn),
            say!(lang, "explain-zero-bytes"),
            say!(lang, "explain-send-empty-meaning"),
            say!(lang, "explain-lecture-orderly-close"),
        ),
        EventKind::Send {
            conn,
            bytes,
            preview,
            pending: 0,
            ..
        } => (
            say!(lang, "explain-call-send", conn = *conn),
            say!(
                lang,
                "explain-send-all-returned",
                data = data(lang, *bytes, preview)
            ),
            say!(lang, "explain-send-all-meaning"),
            say!(lang, "explain-send-lecture"),
        ),
        EventKind::Send {
            conn,
            bytes,
            preview,
            pending,
            ..
        } => (
            say!(lang, "explain-call-send", conn = *conn),
            say!(
                lang,
                "explain-send-partial-returned",
                sent = if *bytes == 0 {
                    say!(lang, "explain-send-wouldblock")
                } else {
                    data(lang, *bytes, preview)
                },
                pending = n_bytes(lang, *pending)
            ),
            say!(lang, "explain-send-partial-meaning", conn = *conn),
            say!(lang, "explain-send-partial-lecture"),
        ),
        EventKind::Closed { conn } => (
            say!(lang, "explain-call-recv", conn = *conn),
            say!(lang, "explain-zero-bytes"),
            say!(lang, "explain-closed-meaning", conn = *conn),
            say!(lang, "explain-closed-lecture"),
        ),
        EventKind::Reset {
            conn,
            call: c,
            error,
            note,
        } => {
            let why = match error.as_str() {
                "ECONNRESET" => say!(lang, "explain-reset-econnreset", conn = *conn),
                "EPIPE" => say!(lang, "explain-reset-epipe", conn = *conn),
                other => say!(lang, "explain-reset-other", error = other, conn = *conn),
            };
            let listing = match (note, c) {
                (Some(ResetNote::ListingCrashes), _) => {
                    say!(lang, "explain-reset-listing-crashes")
                }
                (None, Call::Recv) if !threads => say!(lang, "explain-reset-listing-recv"),
                _ => String::new(),
            };
            let lecture = match c {
                Call::Send => say!(lang, "explain-reset-lecture-send"),
                Call::Recv if !threads => say!(lang, "explain-reset-lecture-recv"),
                _ => say!(
                    lang,
                    "explain-reset-lecture",
                    section = model_section(lang, model)
                ),
            };
            let (meaning, lecture) = if *note == Some(ResetNote::NoThread) {
                (
                    say!(
                        lang,
                        "explain-reset-no-thread",
                        conn = *conn,
                        error = error.as_str()
                    ),
                    model_section(lang, Some(Model::Threaded)),
                )
            } else {
                (sentences(lang, &[&why, &listing]), lecture)
            };
            (
                call(lang, *c, Some(*conn)),
                errno(lang, error),
                meaning,
                lecture,
            )
        }
        EventKind::Evicted {
            conn,
            why,
            limit_bytes,
            stall_ms,
        } => (
            match why {
                Evict::SendTimeout => say!(lang, "explain-evicted-call-timeout", conn = *conn),
                Evict::Stalled | Evict::TotalCap => {
                    say!(lang, "explain-evicted-call", conn = *conn)
                }
            },
            text::evicted(lang, *why, *limit_bytes, *stall_ms),
            sentences(
                lang,
                &[
                    &say!(lang, "explain-evicted-meaning"),
                    &match why {
                        Evict::SendTimeout => say!(lang, "explain-evicted-timeout"),
                        Evict::Stalled | Evict::TotalCap => {
                            say!(lang, "explain-evicted-stalled")
                        }
                    },
                    &say!(lang, "explain-evicted-memory"),
                ],
            ),
            say!(lang, "explain-evicted-lecture"),
        ),
        EventKind::Refused { peer, why, limit } => (
            say!(lang, "explain-refused-call"),
            say!(
                lang,
                "explain-refused-returned",
                peer = peer.as_str(),
                why = text::refused(lang, *why, *limit)
            ),
            say!(
                lang,
                "explain-refused-meaning",
                scope = match why {
                    Refuse::MaxConns => "all",
                    Refuse::MaxConnsPerIp => "ip",
                },
                limit = *limit
            ),
            say!(lang, "explain-refused-lecture"),
        ),
        EventKind::Lost { conn, bytes } => (
            say!(lang, "explain-call-send", conn = *conn),
            say!(
                lang,
                "explain-lost-returned",
                size = fmt::size(*bytes as u64)
            ),
            say!(lang, "explain-lost-meaning", conn = *conn),
            say!(lang, "explain-lost-lecture"),
        ),
        EventKind::AcceptError { error, backoff_ms } => {
            let nofile = matches!(error.as_str(), "EMFILE" | "ENFILE");
            (
                say!(lang, "explain-call-accept"),
                errno(lang, error),
                if nofile {
                    say!(lang, "explain-accepterror-nofile", ms = *backoff_ms)
                } else {
                    say!(
                        lang,
                        "explain-accepterror-other",
                        error = error.as_str(),
                        ms = *backoff_ms
                    )
                },
                if nofile {
                    say!(lang, "explain-accepterror-lecture-nofile")
                } else {
                    say!(lang, "explain-accepterror-lecture")
                },
            )
        }
        EventKind::Paused { paused, thread } => (
            say!(lang, "explain-paused-call"),
            text::paused(lang, *paused, thread.as_deref()),
            if *paused {
                say!(lang, "explain-paused-meaning")
            } else {
                say!(lang, "explain-resumed-meaning")
            },
            say!(lang, "explain-paused-lecture"),
        ),
        EventKind::Dropped { count } => (
            say!(lang, "explain-dropped-call"),
            say!(
                lang,
                "explain-dropped-returned",
                count = fmt::thousands(*count)
            ),
            say!(lang, "explain-dropped-meaning"),
            say!(lang, "explain-dropped-lecture"),
        ),
        EventKind::Client { peer, role } => (
            say!(lang, "explain-client-call"),
            say!(lang, "explain-client-returned", peer = peer.as_str()),
            match role {
                ClientRole::Chatty => say!(lang, "explain-client-chatty"),
                ClientRole::Idle => say!(lang, "explain-client-idle"),
            },
            match role {
                ClientRole::Chatty => say!(lang, "explain-client-lecture"),
                ClientRole::Idle => say!(lang, "explain-client-lecture-idle"),
            },
        ),
        EventKind::Reply { peer, rtt_us } => (
            say!(lang, "explain-reply-call", peer = peer.as_str()),
            say!(lang, "explain-reply-returned", rtt = fmt::micros(*rtt_us)),
            say!(lang, "explain-reply-meaning"),
            say!(lang, "explain-reply-lecture"),
        ),
        EventKind::Blocked {
            thread,
            call: c,
            conn,
        } => (
            say!(
                lang,
                "explain-call-in-thread",
                call = call(lang, *c, *conn),
                thread = thread.as_str()
            ),
            say!(lang, "explain-blocked-returned"),
            say!(lang, "explain-blocked-meaning", until = waits_for(lang, *c)),
            blocking_section(lang, model),
        ),
        EventKind::Unblocked {
            thread,
            call: c,
            conn,
            waited_us,
        } => (
            say!(
                lang,
                "explain-call-in-thread",
                call = call(lang, *c, *conn),
                thread = thread.as_str()
            ),
            say!(
                lang,
                "explain-unblocked-returned",
                waited = fmt::micros(*waited_us)
            ),
            say!(
                lang,
                "explain-unblocked-meaning",
                waited = fmt::micros(*waited_us),
                what = waited_for(lang, *c)
            ),
            blocking_section(lang, model),
        ),
        EventKind::Thread {
            thread,
            role,
            alive,
            conn,
        } => (
            if *alive {
                say!(lang, "explain-thread-start", thread = thread.as_str())
            } else {
                say!(lang, "explain-thread-end", thread = thread.as_str())
            },
            text::role(lang, *role, *conn),
            if *alive {
                role_words(lang, *role)
            } else {
                say!(lang, "explain-thread-ended")
            },
            role_section(lang, *role),
        ),
        EventKind::Queued { conn } => (
            say!(lang, "explain-queued-call", conn = *conn),
            say!(lang, "explain-queued-returned"),
            say!(lang, "explain-queued-meaning", conn = *conn),
            say!(lang, "explain-section-pool"),
        ),
        EventKind::Dequeued {
            conn,
            thread,
            waited_us,
        } => (
            say!(
                lang,
                "explain-dequeued-call",
                thread = thread.as_str(),
                conn = *conn
            ),
            say!(
                lang,
                "explain-dequeued-returned",
                waited = fmt::micros(*waited_us)
            ),
            say!(
                lang,
                "explain-dequeued-meaning",
                conn = *conn,
                waited = fmt::micros(*waited_us)
            ),
            say!(lang, "explain-section-pool"),
        ),
        EventKind::Wakeup { wakeups, ready } => (
            say!(
                lang,
                "explain-wakeup-call",
                count = fmt::thousands(*wakeups)
            ),
            say!(
                lang,
                "explain-wakeup-returned",
                ready = fmt::thousands(*ready)
            ),
            say!(lang, "explain-wakeup-meaning"),
            say!(lang, "explain-section-multiplex"),
        ),
        EventKind::Sample {
            rss_bytes,
            threads,
            listen_queue,
            listen_max,
            ..
        } => {
            let rss = fmt::bytes(*rss_bytes);
            (
                say!(lang, "explain-sample-call"),
                match (listen_queue, listen_max) {
                    (Some(q), Some(max)) => say!(
                        lang,
                        "explain-sample-returned-queue-max",
                        rss = rss,
                        threads = *threads,
                        queue = *q,
                        max = *max
                    ),
                    (Some(q), None) => say!(
                        lang,
                        "explain-sample-returned-queue",
                        rss = rss,
                        threads = *threads,
                        queue = *q
                    ),
                    _ => say!(
                        lang,
                        "explain-sample-returned",
                        rss = rss,
                        threads = *threads
                    ),
                },
                say!(lang, "explain-sample-meaning"),
                say!(lang, "explain-sample-lecture"),
            )
        }
        EventKind::KernelQueues { conns } => (
            say!(lang, "explain-kernelqueues-call"),
            match conns.as_slice() {
                [(conn, inq, outq)] => say!(
                    lang,
                    "explain-kernelqueues-one",
                    conn = *conn,
                    inq = n_bytes(lang, *inq as usize),
                    outq = n_bytes(lang, *outq as usize)
                ),
                _ => say!(lang, "explain-kernelqueues-many", count = conns.len()),
            },
            say!(lang, "explain-kernelqueues-meaning"),
            say!(lang, "explain-kernelqueues-lecture"),
        ),
        EventKind::Marker { note } => (
            say!(lang, "explain-marker-call"),
            say!(
                lang,
                "explain-marker-returned",
                note = text::marker_note(lang, note)
            ),
            say!(lang, "explain-marker-meaning"),
            say!(lang, "explain-marker-lecture"),
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
fn model_words(lang: Lang, model: Model) -> String {
    match model {
        Model::Blocking => say!(lang, "explain-model-blocking"),
        Model::Threaded => say!(lang, "explain-model-threaded"),
        Model::Pool => say!(lang, "explain-model-pool"),
        Model::Nonblocking => say!(lang, "explain-model-nonblocking"),
        Model::Multiplex => say!(lang, "explain-model-multiplex"),
    }
}

/// What a thread of `role` does, and what it costs.
fn role_words(lang: Lang, role: Role) -> String {
    match role {
        Role::BusyLoop => say!(lang, "explain-role-busy-loop"),
        Role::PollLoop => say!(lang, "explain-role-poll-loop"),
        Role::AcceptAndServe => say!(lang, "explain-role-accept-and-serve"),
        Role::AcceptSpawn => say!(lang, "explain-role-accept-spawn"),
        Role::AcceptQueue => say!(lang, "explain-role-accept-queue"),
        Role::Client => say!(lang, "explain-role-client"),
        Role::Worker => say!(lang, "explain-role-worker"),
    }
}

fn role_section(lang: Lang, role: Role) -> String {
    match role {
        Role::BusyLoop => say!(lang, "explain-role-busy-loop-lecture"),
        Role::PollLoop => model_section(lang, Some(Model::Multiplex)),
        Role::AcceptAndServe => model_section(lang, Some(Model::Blocking)),
        Role::AcceptSpawn | Role::Client => model_section(lang, Some(Model::Threaded)),
        Role::AcceptQueue | Role::Worker => model_section(lang, Some(Model::Pool)),
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
                reachable: vec![],
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

    /// A Chinese character (CJK Unified Ideographs).
    fn is_han(c: char) -> bool {
        matches!(c, '\u{4E00}'..='\u{9FFF}')
    }

    #[test]
    fn every_kind_of_event_is_explained_in_every_model_and_language() {
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
                for lang in Lang::SPOKEN {
                    let e = explain(kind, about, lang);
                    let said = format!("{} {about:?} {lang:?}: {e:?}", kind.name());
                    for (part, text) in [
                        ("call", &e.call),
                        ("returned", &e.returned),
                        ("meaning", &e.meaning),
                        ("lecture", &e.lecture),
                    ] {
                        assert!(!text.trim().is_empty(), "{part}: {said}");
                        // Every message was found: no id shows instead.
                        assert!(!text.contains("explain-"), "{part}: {said}");
                        assert!(!text.contains('\n'), "{part}: {said}");
                    }
                    // Short sentences, a few of them; no doubled spaces from
                    // the line breaks in the messages.
                    assert!(!e.meaning.contains("  "), "{said}");
                    let (stop, sentences) = match lang {
                        Lang::Zh => ('。', e.meaning.matches('。').count()),
                        _ => ('.', e.meaning.matches(". ").count() + 1),
                    };
                    assert!((1..=4).contains(&sentences), "{said}");
                    assert!(e.meaning.ends_with(stop), "{said}");
                    if lang == Lang::Zh {
                        // In Chinese: the meaning and the lecture's section
                        // are, and no space sits between two Chinese
                        // characters or next to Chinese punctuation.
                        assert!(e.meaning.chars().any(is_han), "{said}");
                        assert!(e.lecture.chars().any(is_han), "{said}");
                        for text in [&e.call, &e.returned, &e.meaning, &e.lecture] {
                            let chars: Vec<char> = text.chars().collect();
                            for w in chars.windows(3) {
                                let cjk = |c: char| is_han(c) || fullwidth_punct(c);
                                assert!(
                                    !(w[1] == ' ' && cjk(w[0]) && cjk(w[2])),
                                    "a space in {text:?}: {said}"
                                );
                            }
                        }
                    } else {
                        assert!(!e.meaning.chars().any(is_han), "{said}");
                    }
                }
            }
        }
    }

    /// In the pseudo language every part is marked: every word of the
    /// panel goes through a message.
    #[test]
    fn every_part_is_a_message() {
        for kind in &every_kind() {
            let e = explain(kind, About::default(), Lang::Pseudo);
            for text in [&e.call, &e.returned, &e.meaning, &e.lecture] {
                assert!(text.starts_with('⟦') && text.ends_with('⟧'), "{e:?}");
            }
        }
        let frame = labels(Lang::Pseudo)
            .into_iter()
            .chain([title(Lang::Pseudo, "recv"), closes(Lang::Pseudo)]);
        for text in frame {
            assert!(text.starts_with('⟦') && text.ends_with('⟧'), "{text}");
        }
    }

    #[test]
    fn messages_join_their_lines_as_each_language_writes() {
        assert_eq!(one_line("a\nb".into()), "a b");
        assert_eq!(one_line("汉\n字".into()), "汉字");
        assert_eq!(one_line("调用\nrecv".into()), "调用 recv");
        assert_eq!(one_line("recv\n返回".into()), "recv 返回");
        assert_eq!(one_line("阶段，\nrecv".into()), "阶段，recv");
        assert_eq!(one_line("EAGAIN\n（Python）".into()), "EAGAIN（Python）");
        assert_eq!(sentences(Lang::En, &["A.", "", "B."]), "A. B.");
        assert_eq!(sentences(Lang::Zh, &["甲。", "", "乙。"]), "甲。乙。");
    }

    #[test]
    fn bytes_are_singular_or_plural_in_english() {
        assert_eq!(n_bytes(Lang::En, 1), "1 byte");
        assert_eq!(n_bytes(Lang::En, 0), "0 bytes");
        assert_eq!(n_bytes(Lang::En, 1234), "1,234 bytes");
        assert_eq!(n_bytes(Lang::Zh, 1), "1 字节");
        assert_eq!(n_bytes(Lang::Zh, 1234), "1,234 字节");
    }

    /// The lecture's own Chinese terms, where the lecture has them.
    #[test]
    fn chinese_uses_the_lectures_terms() {
        let about = About {
            model: Some(Model::Nonblocking),
            faithful: false,
        };
        let zh = |kind: EventKind| explain(&kind, about, Lang::Zh);
        let recv = zh(EventKind::Recv {
            conn: 1,
            bytes: 6,
            spin: 1,
            preview: "hello\\n".into(),
        });
        assert!(recv.meaning.contains("等待数据") && recv.meaning.contains("拷贝数据"));
        assert!(recv.meaning.contains("就绪发送列表（ready_send_list）"));
        assert!(recv.lecture.starts_with("套接字服务端"));
        let accept = zh(EventKind::Accept {
            conn: 1,
            peer: "127.0.0.1:50001".into(),
        });
        assert!(accept.meaning.contains("已连接列表（connected_list）"));
        assert!(accept.lecture.ends_with("非阻塞IO模型 › 讲义代码"));
        let wb = zh(EventKind::WouldBlock {
            accept: 1,
            recv: 2,
            send: 0,
        });
        assert_eq!(wb.returned, "WouldBlock (EAGAIN) ×3");
        assert!(wb.meaning.contains("BlockingIOError") && wb.meaning.contains("缺点2"));
        let reset = zh(EventKind::Reset {
            conn: 4,
            call: Call::Recv,
            error: "ECONNRESET".into(),
            note: None,
        });
        assert!(reset.returned.starts_with("ECONNRESET"));
        assert!(reset.meaning.contains("RST") && reset.meaning.contains("客户端"));
        let threads = About {
            model: Some(Model::Pool),
            faithful: false,
        };
        let queued = explain(&EventKind::Queued { conn: 7 }, threads, Lang::Zh);
        assert_eq!(queued.lecture, "阻塞IO模型 › 3. 线程池");
        let wakeup = explain(
            &EventKind::Wakeup {
                wakeups: 1,
                ready: 2,
            },
            about,
            Lang::Zh,
        );
        assert!(wakeup.meaning.starts_with("IO多路复用"));
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
            Lang::En,
        );
        assert_eq!(wb.returned, "WouldBlock (EAGAIN) ×30");
        assert!(wb.meaning.starts_with("Nothing there yet, ask again"));
        let closed = explain(&EventKind::Closed { conn: 3 }, about, Lang::En);
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
            Lang::En,
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
            Lang::En,
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
            Lang::En,
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
            Lang::En,
        );
        assert!(sample.meaning.contains("listen-queue overflow"));
    }
}
