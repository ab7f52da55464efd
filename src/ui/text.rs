//! Words for what the server reports as codes: roles, reasons, notes. The
//! server and the event stream stay language-neutral; wording happens here.

use super::fit::Rank;
use super::fmt;
use crate::app::{Departure, Notice, ReplayCant, Returned};
use crate::event::{
    Backoff, Call, ClientRole, ConnId, EventKind, Evict, Model, Refuse, ResetNote, Role,
};
use unicode_width::UnicodeWidthStr;

/// What a server thread is for.
pub fn role(role: Role, conn: Option<crate::event::ConnId>) -> String {
    match role {
        Role::BusyLoop => "the whole server, never waiting".into(),
        Role::PollLoop => "the whole server, asleep in poll".into(),
        Role::AcceptAndServe => "accept, then serve that client".into(),
        Role::AcceptSpawn => "accept, start a thread per client".into(),
        Role::AcceptQueue => "accept, queue for the pool".into(),
        Role::Client => match conn {
            Some(c) => format!("serves #{c}"),
            None => "serves one client".into(),
        },
        Role::Worker => "pool worker".into(),
    }
}

/// A built-in client's role, as its row shows it.
pub fn client_role(role: ClientRole) -> &'static str {
    match role {
        ClientRole::Chatty => "chatty",
        ClientRole::Idle => "idle",
    }
}

/// Why the server dropped a client.
pub fn evicted(why: Evict, limit_bytes: Option<u64>, stall_ms: u64) -> String {
    let secs = stall_ms as f64 / 1000.0;
    match why {
        Evict::Stalled => format!(
            "{} of replies unread for {secs} s",
            fmt::bytes(limit_bytes.unwrap_or(0))
        ),
        Evict::SendTimeout => format!("replies unread for {secs} s (send timed out)"),
        Evict::TotalCap => format!(
            "replies unread for {secs} s at the {} total cap (--pending-total)",
            fmt::bytes(limit_bytes.unwrap_or(0))
        ),
    }
}

/// Why the server turned a client away.
pub fn refused(why: Refuse, limit: u64) -> String {
    match why {
        Refuse::MaxConns => format!("{limit} clients already (--max-conns)"),
        Refuse::MaxConnsPerIp => {
            format!("{limit} clients from that address already (--max-conns-per-ip)")
        }
    }
}

/// What a reset's note adds.
pub fn reset_note(note: ResetNote) -> &'static str {
    match note {
        ResetNote::ListingCrashes => "the listing crashes here",
        ResetNote::NoThread => "no thread for it",
    }
}

/// What one iteration of the model's loop is called (plural).
pub fn loop_unit(model: Option<Model>) -> &'static str {
    match model {
        Some(Model::Multiplex) => "wakeups",
        Some(m) if m.has_threads() => "recv calls",
        _ => "spins",
    }
}

/// ... and one of them.
pub fn loop_unit_one(model: Option<Model>) -> &'static str {
    match model {
        Some(Model::Multiplex) => "wakeup",
        Some(m) if m.has_threads() => "recv call",
        _ => "spin",
    }
}

/// What the Disconnected list says beside how a client left, in parts
/// that are shown whole or not at all, with how much each matters.
pub fn departure_parts(how: &Departure) -> Vec<(Rank, String)> {
    match how {
        Departure::Closed => vec![],
        Departure::Reset { call, error, note } => {
            let mut parts = vec![(8, format!("{error} on {}", call.name()))];
            if let Some(note) = note {
                parts.push((5, format!("({})", reset_note(*note))));
            }
            parts
        }
        Departure::Evicted {
            why,
            limit_bytes,
            stall_ms,
        } => {
            let secs = *stall_ms as f64 / 1000.0;
            match why {
                Evict::Stalled => vec![
                    (
                        8,
                        format!("{} unread", fmt::bytes(limit_bytes.unwrap_or(0))),
                    ),
                    (6, format!("for {secs} s")),
                ],
                Evict::SendTimeout => {
                    vec![(8, "send timed out".into()), (6, format!("after {secs} s"))]
                }
                Evict::TotalCap => vec![
                    (8, "unread".into()),
                    (
                        6,
                        format!("at the {} total", fmt::bytes(limit_bytes.unwrap_or(0))),
                    ),
                    (5, format!("for {secs} s")),
                ],
            }
        }
        Departure::Ended => vec![(7, "model switched".into())],
    }
}

/// The kind column of the log: the event's name, except that a resume
/// is not called "paused".
pub fn kind_label(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Paused { paused: false, .. } => "resumed",
        EventKind::WouldBlockOn { .. } => "would_block",
        EventKind::Marker { .. } => "◆ marker",
        other => other.name(),
    }
}

/// The code panel's title after the listing's name: what the right-hand
/// column and the marks say now.
pub fn code_mode(paused: bool, follows_calls: bool) -> &'static str {
    match (paused, follows_calls) {
        (true, _) => "· ‖ paused: ▶ the last call",
        (false, true) => "· slow motion: ▶ the last call",
        (false, false) => "· each line: runs a second",
    }
}

/// The code panel's bottom line: how to read it.
pub fn code_legend(follows_calls: bool, threads: bool) -> &'static str {
    match (follows_calls, threads) {
        (true, false) => " ▶ call  › branch taken  right: runs so far ",
        (true, true) => " ▶ call  ◀ threads parked  right: runs so far ",
        (false, false) => " right: runs in the last second ",
        (false, true) => " ◀ threads parked  right: runs in the last second ",
    }
}

/// Before any server runs.
pub const CODE_NONE: &str = "the server loop's code shows here once it runs";

/// A count or rate of nothing, in the code panel.
pub const CODE_ZERO: &str = "—";
/// A rate of less than one a second.
pub const CODE_RARE: &str = "<1";

/// `+12 more`: threads parked on a line that did not fit.
pub fn more(n: usize) -> String {
    format!("+{n} more")
}

/// What the loop's last call returned, beside its line: the whole of it,
/// then shorter forms, for `room` columns (a preview is cut to fit):
/// `#3 → 5 B "hello"`, `#3 → WouldBlock`, `→ #4 from 127.0.0.1:5000`,
/// `→ 3 ready`. `peer` is the accepted client's address, `error` the last
/// accept error, if the dashboard knows them.
pub fn returned(
    r: &Returned,
    conn: Option<ConnId>,
    peer: Option<&str>,
    error: Option<&str>,
    faithful: bool,
    room: usize,
) -> Vec<String> {
    let on = conn.map_or("→ ".to_string(), |c| format!("#{c} → "));
    let on_conn = |what: &str| format!("{on}{what}");
    match r {
        Returned::Accepted => match (conn, peer) {
            (Some(c), Some(p)) => vec![format!("→ #{c} from {p}"), format!("→ #{c}")],
            (Some(c), None) => vec![format!("→ #{c}")],
            _ => vec!["→ a client".into()],
        },
        Returned::Refused { why, .. } => {
            let flag = match why {
                Refuse::MaxConns => "--max-conns",
                Refuse::MaxConnsPerIp => "--max-conns-per-ip",
            };
            vec![format!("→ turned away ({flag})"), "→ turned away".into()]
        }
        Returned::AcceptFailed => vec![format!("→ {}", error.unwrap_or("an error"))],
        Returned::Data { bytes, preview } => {
            let head = format!("{on}{bytes} B \"");
            let shown =
                fmt::fit_escaped(&preview.to_string(), room.saturating_sub(head.width() + 1));
            vec![format!("{head}{shown}\""), format!("{on}{bytes} B")]
        }
        Returned::Eof if faithful => vec![on_conn("b'' (data to the listing)"), on_conn("b''")],
        Returned::Eof => vec![on_conn("0: closed"), on_conn("0")],
        Returned::WouldBlock(1) => vec![on_conn("WouldBlock")],
        Returned::WouldBlock(n) => vec![
            on_conn(&format!("WouldBlock ×{}", fmt::thousands(*n))),
            on_conn("WouldBlock"),
        ],
        Returned::Error(e) => vec![on_conn(e)],
        Returned::Sent { bytes, kept: 0 } => vec![on_conn(&format!("{bytes} B"))],
        Returned::Sent { bytes: 0, kept } => vec![
            on_conn(&format!("kept: {} queued", fmt::bytes(*kept as u64))),
            on_conn("kept"),
        ],
        Returned::Sent { bytes, kept } => vec![
            on_conn(&format!("{bytes} B, {} kept", fmt::bytes(*kept as u64))),
            on_conn(&format!("{bytes} B")),
        ],
        Returned::Lost { bytes } => vec![
            on_conn(&format!("{} thrown away", fmt::size(*bytes as u64))),
            on_conn(&format!("{} lost", fmt::size(*bytes as u64))),
            on_conn("lost"),
        ],
        Returned::Ready { wakeups: 1, ready } => vec![format!("→ {ready} ready")],
        Returned::Ready { wakeups, ready } => vec![
            format!("→ {ready} ready in {wakeups} wakeups"),
            format!("→ {ready} ready"),
        ],
        Returned::Queued => vec![on_conn("queued")],
        Returned::Dequeued { waited_us } => match conn {
            Some(c) => vec![
                format!("→ #{c} after {}", fmt::micros(*waited_us)),
                format!("→ #{c}"),
            ],
            None => vec![format!("→ after {}", fmt::micros(*waited_us))],
        },
        Returned::Spawned => match conn {
            Some(c) => vec![format!("→ conn-{c} serves #{c}"), format!("→ conn-{c}")],
            None => vec!["→ a thread".into()],
        },
        Returned::Evicted(Evict::SendTimeout) => {
            vec![on_conn("timed out: dropped"), on_conn("dropped")]
        }
        Returned::Evicted(_) => vec![on_conn("dropped: replies unread"), on_conn("dropped")],
    }
}

/// The slow-motion setting: "full speed", "slow motion: 500 ms a call".
pub fn slow_motion(call_delay_us: u64) -> String {
    if call_delay_us == 0 {
        "full speed".into()
    } else {
        format!("slow motion: {} a call", fmt::setting(call_delay_us))
    }
}

/// What the busy loop does after a spin that found nothing.
pub fn backoff(backoff: Backoff, sleep_us: u64) -> String {
    match backoff {
        Backoff::Spin => "idle: spin on".into(),
        Backoff::Yield => "idle: yield".into(),
        Backoff::Sleep => format!("idle: sleep {}", fmt::setting(sleep_us)),
    }
}

/// An accept's wait in the listen queue: " · queued 12 ms".
pub fn accept_waited(ms: u64) -> String {
    match ms {
        0 => " · queued <1 ms".into(),
        ms @ 1..=999 => format!(" · queued {ms} ms"),
        ms => format!(" · queued {:.1} s", ms as f64 / 1e3),
    }
}

/// A pool's client waiting in the queue, in the Connected list.
pub const WAITS_FOR_WORKER: &str = "⧗ queued";

/// The header's mark for `--verbatim`.
pub const VERBATIM: &str = "(the listing verbatim: blocking sockets) ";

/// The single loop parked in a blocking call: "parked in recv() on #1
/// for 12.3 s".
pub fn loop_parked(call: Call, conn: Option<ConnId>, waited: &str) -> String {
    let on = conn.map_or(String::new(), |c| format!(" on #{c}"));
    format!("⏸ parked in {}(){on} for {waited}", call.name())
}

/// The history's thread count.
pub const THREADS: &str = "threads";

/// The process's virtual size, beside its RSS.
pub const VIRTUAL: &str = "virtual";
/// ... divided among its threads.
pub const PER_THREAD: &str = "a thread";

/// The header's label for the kernel's listen-queue overflows.
pub const OVERFLOWS: &str = "kernel dropped";
/// ... and what they count.
pub const OVERFLOWS_SCOPE: &str = " (listen overflows, whole system)";

/// The prediction box's title.
pub const GUESS_TITLE: &str = " The room guesses ";
/// Under the question.
pub const GUESS_HINT: &str = " 1–4 count a guess · r reveals";
/// Under an answer.
pub const NEXT_GUESS_HINT: &str = " n: the next call (or slow motion: -) · f: prediction off";
/// Prediction on, nothing held back yet.
pub const GUESS_WAITING: &str = "The next call's outcome waits here for r.";

/// The question for a call held back: "recv(#3) — what comes back?".
pub fn question(call: Call, conn: Option<crate::event::ConnId>) -> String {
    format!("{} — what comes back?", question_call(call, conn))
}

/// The call a question is about: "recv(#3)".
pub fn question_call(call: Call, conn: Option<crate::event::ConnId>) -> String {
    let on = conn.map_or(String::new(), |c| format!("#{c}"));
    format!("{}({on})", call.name())
}

/// What a call can return, as the room chooses: data, WouldBlock, 0 /
/// part, an error (`None`: the call has no such outcome).
pub fn outcomes(call: Call) -> [Option<&'static str>; 4] {
    match call {
        Call::Accept => [
            Some("a new client"),
            Some("WouldBlock"),
            None,
            Some("an error (EMFILE…)"),
        ],
        Call::Recv => [
            Some("data"),
            Some("WouldBlock"),
            Some("0: closed"),
            Some("reset"),
        ],
        Call::Send | Call::Queue => [
            Some("all of it"),
            Some("WouldBlock"),
            Some("part of it"),
            Some("reset"),
        ],
    }
}

/// How the room did: "9 of 14 guessed it".
pub fn guessed_right(right: u32, guessed: u32) -> String {
    match guessed {
        0 => "no guesses counted".into(),
        n => format!("{right} of {n} guessed it"),
    }
}

/// A pause edge, for the log.
pub fn paused(paused: bool, thread: Option<&str>) -> String {
    match (paused, thread) {
        (true, Some("loop") | None) => "server loop paused".into(),
        (false, Some("loop") | None) => "server loop resumed".into(),
        (true, Some(t)) => format!("{t} holds before its next call"),
        (false, Some(t)) => format!("{t} goes on"),
    }
}

/// A notice, as the footer says it.
pub fn notice(notice: &Notice) -> String {
    match notice {
        Notice::NoBuiltinClients => {
            "no built-in client is connected: c adds a chatty one, i an idle one".into()
        }
        Notice::NoChattyClients => {
            "no chatty built-in client to make talk (idle ones stay silent): c adds one".into()
        }
        Notice::NoClientsHere => "built-in clients need a live server".into(),
        Notice::StepNeedsPause => "n and N step a paused loop: press space first".into(),
        Notice::WorkersNeedPool => "w and W add and retire workers of the pool model (m)".into(),
        Notice::PoolCannotGrow => {
            "the pool cannot grow: at its largest, or no thread started".into()
        }
        Notice::PoolAtLeastOne => "a pool keeps one worker at least".into(),
        Notice::PoolQueueFull => {
            "the queue is full of clients: try W again when a worker is free".into()
        }
        Notice::SpinStepNeedsLoop => {
            "N steps a spin of a loop; threads have none: n steps one call".into()
        }
        Notice::SwitchFailed { model, error } => format!("cannot switch to {model}: {error}"),
        Notice::Replay(cant) => format!("a replay: {}", replay_cant(*cant)),
        Notice::SpeedNeedsReplay => "[ ] set a replay's speed (ioscope replay FILE)".into(),
        Notice::SeekNeedsReplay => {
            "← → Home End ' \" move through a replay (ioscope replay FILE)".into()
        }
        Notice::NoMark(true) => "no marker or note after this point".into(),
        Notice::NoMark(false) => "no marker or note before this point".into(),
        Notice::MarkerNotRecorded => {
            "marker in the log only: nothing is recorded (serve --record FILE keeps them)".into()
        }
    }
}

/// A replay's progress line: `▶ 00:12.3 / 01:05.0 · 2× · ‖ paused`.
pub fn replay_progress(r: &crate::replay::ReplayInfo) -> String {
    let state = if r.live {
        " · ● live".to_string()
    } else if r.ended {
        match &r.stopped {
            Some(why) => format!(" · end: {why}"),
            None => " · end".to_string(),
        }
    } else if r.paused {
        " · ‖ paused".to_string()
    } else {
        String::new()
    };
    format!(
        "▶ {} / {} · {}×{state}",
        fmt::tenths(r.at_us),
        fmt::tenths(r.duration_us),
        r.speed
    )
}

/// The note panel's title.
pub const REPLAY_NOTE_TITLE: &str = " note ";

/// A note as its panel shows it: `01:05.3  text`.
pub fn replay_note(mark: &crate::replay::Mark) -> String {
    format!("{}  {}", fmt::tenths(mark.at_us), mark.note)
}

/// Why a replay does not do what a live server does.
fn replay_cant(cant: ReplayCant) -> &'static str {
    match cant {
        ReplayCant::SwitchModel => "the models run as they were recorded (m switches a live one)",
        ReplayCant::SlowMotion => "[ ] set its speed (- + slow a live loop down)",
        ReplayCant::Backoff => "the loop backs off as it was recorded",
        ReplayCant::Workers => "the pool has the workers it was recorded with",
        ReplayCant::Clients => "its clients are the recorded ones (no built-in clients)",
        ReplayCant::Markers => "markers are dropped during a live run (M, with --record)",
    }
}

/// A marker's note as the log, the explain panel and `--summary` show it:
/// quoted, with any control character escaped (a recording's note may
/// hold one; typed ones never do); `(no note)` for none.
pub fn marker_note(note: &str) -> String {
    if note.is_empty() {
        return "(no note)".into();
    }
    let mut shown = String::with_capacity(note.len() + 2);
    shown.push('"');
    for c in note.chars() {
        if c.is_control() {
            let mut buf = [0u8; 4];
            shown.push_str(&crate::event::escape_bytes(
                c.encode_utf8(&mut buf).as_bytes(),
                usize::MAX,
            ));
        } else {
            shown.push(c);
        }
    }
    shown.push('"');
    shown
}

/// The marker's note input's title: what it is for, and how it ends.
pub const NOTE_TITLE: &str = " ◆ marker note (Enter drops it, Esc cancels) ";

/// The footer while the note is typed.
pub const NOTE_FOOTER: &str = " typing a marker note: every key is text until Enter or Esc";

/// How much of the note there is room for: `12/200`.
pub fn note_count(chars: usize, max: usize) -> String {
    format!(" {chars}/{max} ")
}
