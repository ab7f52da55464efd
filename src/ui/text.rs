//! Words for what the server reports as codes: roles, reasons, notes. The
//! server and the event stream stay language-neutral; wording happens here,
//! in the viewer's language (the messages are in `assets/i18n/`).

use std::borrow::Cow;

use super::fit::Rank;
use super::fmt;
use crate::app::{Departure, Notice, ReplayCant, Returned};
use crate::event::{
    Backoff, Call, ClientRole, ConnId, EventKind, Evict, Model, Refuse, ResetNote, Role,
};
use crate::i18n::Lang;
use crate::t;
use unicode_width::UnicodeWidthStr;

/// A model's name on screen: its code in English (`nonblocking`), the
/// lecture's word in Chinese (非阻塞). The stream and recordings keep the
/// code.
pub fn model_name(lang: Lang, model: Model) -> Cow<'static, str> {
    match model {
        Model::Blocking => t!(lang, "model-blocking"),
        Model::Threaded => t!(lang, "model-threaded"),
        Model::Pool => t!(lang, "model-pool"),
        Model::Nonblocking => t!(lang, "model-nonblocking"),
        Model::Multiplex => t!(lang, "model-multiplex"),
    }
}

/// What a server thread is for.
pub fn role(lang: Lang, role: Role, conn: Option<crate::event::ConnId>) -> String {
    match role {
        Role::BusyLoop => t!(lang, "role-busy-loop"),
        Role::PollLoop => t!(lang, "role-poll-loop"),
        Role::AcceptAndServe => t!(lang, "role-accept-and-serve"),
        Role::AcceptSpawn => t!(lang, "role-accept-spawn"),
        Role::AcceptQueue => t!(lang, "role-accept-queue"),
        Role::Client => match conn {
            Some(c) => t!(lang, "role-client-of", conn = c),
            None => t!(lang, "role-client"),
        },
        Role::Worker => t!(lang, "role-worker"),
    }
    .into_owned()
}

/// A built-in client's role, as its row shows it.
pub fn client_role(lang: Lang, role: ClientRole) -> Cow<'static, str> {
    match role {
        ClientRole::Chatty => t!(lang, "client-chatty"),
        ClientRole::Idle => t!(lang, "client-idle"),
    }
}

/// `1.5` (seconds, as the English has always shown them).
fn secs(ms: u64) -> String {
    (ms as f64 / 1000.0).to_string()
}

/// Why the server dropped a client.
pub fn evicted(lang: Lang, why: Evict, limit_bytes: Option<u64>, stall_ms: u64) -> String {
    let (secs, bytes) = (secs(stall_ms), fmt::bytes(limit_bytes.unwrap_or(0)));
    match why {
        Evict::Stalled => t!(lang, "evicted-stalled", bytes = bytes, secs = secs),
        Evict::SendTimeout => t!(lang, "evicted-send-timeout", secs = secs),
        Evict::TotalCap => t!(lang, "evicted-total-cap", bytes = bytes, secs = secs),
    }
    .into_owned()
}

/// Why the server turned a client away.
pub fn refused(lang: Lang, why: Refuse, limit: u64) -> String {
    match why {
        Refuse::MaxConns => t!(lang, "refused-max-conns", limit = limit.to_string()),
        Refuse::MaxConnsPerIp => t!(lang, "refused-max-conns-per-ip", limit = limit.to_string()),
    }
    .into_owned()
}

/// What a reset's note adds.
pub fn reset_note(lang: Lang, note: ResetNote) -> Cow<'static, str> {
    match note {
        ResetNote::ListingCrashes => t!(lang, "reset-listing-crashes"),
        ResetNote::NoThread => t!(lang, "reset-no-thread"),
    }
}

/// What one iteration of the model's loop is called (plural).
pub fn loop_unit(lang: Lang, model: Option<Model>) -> Cow<'static, str> {
    match model {
        Some(Model::Multiplex) => t!(lang, "unit-wakeups"),
        Some(m) if m.has_threads() => t!(lang, "unit-recv-calls"),
        _ => t!(lang, "unit-spins"),
    }
}

/// ... and one of them.
pub fn loop_unit_one(lang: Lang, model: Option<Model>) -> Cow<'static, str> {
    match model {
        Some(Model::Multiplex) => t!(lang, "unit-wakeup"),
        Some(m) if m.has_threads() => t!(lang, "unit-recv-call"),
        _ => t!(lang, "unit-spin"),
    }
}

/// How long ago, short: "now", "4s ago", "3m ago", "2h ago".
pub fn ago(lang: Lang, us: u64) -> String {
    let s = us / 1_000_000;
    match s {
        0 => t!(lang, "ago-now"),
        1..=59 => t!(lang, "ago-secs", n = s),
        60..=3599 => t!(lang, "ago-mins", n = s / 60),
        _ => t!(lang, "ago-hours", n = s / 3600),
    }
    .into_owned()
}

/// How long a client has been quiet, for a narrow column: "now", "4s".
pub fn idle(lang: Lang, us: u64) -> String {
    let s = us / 1_000_000;
    match s {
        0 => t!(lang, "ago-now"),
        1..=59 => t!(lang, "idle-secs", n = s),
        60..=3599 => t!(lang, "idle-mins", n = s / 60),
        _ => t!(lang, "idle-hours", n = s / 3600),
    }
    .into_owned()
}

/// What the Disconnected list says beside how a client left, in parts
/// that are shown whole or not at all, with how much each matters.
pub fn departure_parts(lang: Lang, how: &Departure) -> Vec<(Rank, String)> {
    match how {
        Departure::Closed => vec![],
        Departure::Reset { call, error, note } => {
            let mut parts = vec![(
                8,
                t!(
                    lang,
                    "gone-reset-on",
                    error = error.as_str(),
                    call = call.name()
                )
                .into_owned(),
            )];
            if let Some(note) = note {
                parts.push((5, format!("({})", reset_note(lang, *note))));
            }
            parts
        }
        Departure::Evicted {
            why,
            limit_bytes,
            stall_ms,
        } => {
            let secs = secs(*stall_ms);
            let bytes = fmt::bytes(limit_bytes.unwrap_or(0));
            let part = |id: &str| t!(lang, id, bytes = bytes.as_str(), secs = secs.as_str());
            match why {
                Evict::Stalled => vec![
                    (8, part("gone-unread-bytes").into_owned()),
                    (6, part("gone-for-secs").into_owned()),
                ],
                Evict::SendTimeout => vec![
                    (8, part("gone-send-timed-out").into_owned()),
                    (6, part("gone-after-secs").into_owned()),
                ],
                Evict::TotalCap => vec![
                    (8, part("gone-unread").into_owned()),
                    (6, part("gone-at-total").into_owned()),
                    (5, part("gone-for-secs").into_owned()),
                ],
            }
        }
        Departure::Ended => vec![(7, t!(lang, "gone-model-switched").into_owned())],
    }
}

/// The kind column of the log: the event's name, except that a resume
/// is not called "paused".
pub fn kind_label(lang: Lang, kind: &EventKind) -> Cow<'static, str> {
    match kind {
        EventKind::Paused { paused: false, .. } => t!(lang, "kind-resumed"),
        EventKind::WouldBlockOn { .. } => t!(lang, "kind-would_block"),
        EventKind::Marker { .. } => t!(lang, "kind-marker"),
        EventKind::Listening { .. } => t!(lang, "kind-listening"),
        EventKind::Accept { .. } => t!(lang, "kind-accept"),
        EventKind::WouldBlock { .. } => t!(lang, "kind-would_block"),
        EventKind::Spin { .. } => t!(lang, "kind-spin"),
        EventKind::Recv { .. } => t!(lang, "kind-recv"),
        EventKind::Send { .. } => t!(lang, "kind-send"),
        EventKind::Closed { .. } => t!(lang, "kind-closed"),
        EventKind::Reset { .. } => t!(lang, "kind-reset"),
        EventKind::Lost { .. } => t!(lang, "kind-lost"),
        EventKind::AcceptError { .. } => t!(lang, "kind-accept_error"),
        EventKind::Paused { .. } => t!(lang, "kind-paused"),
        EventKind::Dropped { .. } => t!(lang, "kind-dropped"),
        EventKind::Client { .. } => t!(lang, "kind-client"),
        EventKind::Evicted { .. } => t!(lang, "kind-evicted"),
        EventKind::Refused { .. } => t!(lang, "kind-refused"),
        EventKind::Reply { .. } => t!(lang, "kind-reply"),
        EventKind::Blocked { .. } => t!(lang, "kind-blocked"),
        EventKind::Unblocked { .. } => t!(lang, "kind-unblocked"),
        EventKind::Thread { .. } => t!(lang, "kind-thread"),
        EventKind::Queued { .. } => t!(lang, "kind-queued"),
        EventKind::Dequeued { .. } => t!(lang, "kind-dequeued"),
        EventKind::Wakeup { .. } => t!(lang, "kind-wakeup"),
        EventKind::Sample { .. } => t!(lang, "kind-sample"),
        EventKind::Pace { .. } => t!(lang, "kind-pace"),
        EventKind::KernelQueues { .. } => t!(lang, "kind-kernel_queues"),
        EventKind::AcceptWait { .. } => t!(lang, "kind-accept_wait"),
    }
}

/// The code panel's title after the listing's name: what the right-hand
/// column and the marks say now.
pub fn code_mode(lang: Lang, paused: bool, follows_calls: bool) -> Cow<'static, str> {
    match (paused, follows_calls) {
        (true, _) => t!(lang, "code-mode-paused"),
        (false, true) => t!(lang, "code-mode-slow"),
        (false, false) => t!(lang, "code-mode-rates"),
    }
}

/// The code panel's bottom line: how to read it.
pub fn code_legend(lang: Lang, follows_calls: bool, threads: bool) -> String {
    let legend = match (follows_calls, threads) {
        (true, false) => t!(lang, "code-legend-calls"),
        (true, true) => t!(lang, "code-legend-calls-threads"),
        (false, false) => t!(lang, "code-legend-rates"),
        (false, true) => t!(lang, "code-legend-rates-threads"),
    };
    format!(" {legend} ")
}

/// A count or rate of nothing, in the code panel.
pub const CODE_ZERO: &str = "—";
/// A rate of less than one a second.
pub const CODE_RARE: &str = "<1";

/// `+12 more`: threads parked on a line that did not fit.
pub fn more(lang: Lang, n: usize) -> String {
    t!(lang, "code-more", n = n).into_owned()
}

/// What the loop's last call returned, beside its line: the whole of it,
/// then shorter forms, for `room` columns (a preview is cut to fit):
/// `#3 → 5 B "hello"`, `#3 → WouldBlock`, `→ #4 from 127.0.0.1:5000`,
/// `→ 3 ready`. `peer` is the accepted client's address, `error` the last
/// accept error, if the dashboard knows them.
pub fn returned(
    lang: Lang,
    r: &Returned,
    conn: Option<ConnId>,
    peer: Option<&str>,
    error: Option<&str>,
    faithful: bool,
    room: usize,
) -> Vec<String> {
    let on = conn.map_or("→ ".to_string(), |c| format!("#{c} → "));
    let on_conn = |what: &str| format!("{on}{what}");
    let said = |id: &str| on_conn(&t!(lang, id));
    match r {
        Returned::Accepted => match (conn, peer) {
            (Some(c), Some(p)) => vec![
                format!(
                    "→ {}",
                    t!(lang, "returned-accepted-from", conn = c, peer = p)
                ),
                format!("→ #{c}"),
            ],
            (Some(c), None) => vec![format!("→ #{c}")],
            _ => vec![format!("→ {}", t!(lang, "returned-a-client"))],
        },
        Returned::Refused { why, .. } => {
            let flag = match why {
                Refuse::MaxConns => "--max-conns",
                Refuse::MaxConnsPerIp => "--max-conns-per-ip",
            };
            vec![
                format!("→ {}", t!(lang, "returned-turned-away-flag", flag = flag)),
                format!("→ {}", t!(lang, "returned-turned-away")),
            ]
        }
        Returned::AcceptFailed => vec![format!(
            "→ {}",
            error.map_or_else(
                || t!(lang, "returned-an-error").into_owned(),
                str::to_string
            )
        )],
        Returned::Data { bytes, preview } => {
            let head = format!("{on}{bytes} B \"");
            let shown =
                fmt::fit_escaped(&preview.to_string(), room.saturating_sub(head.width() + 1));
            vec![format!("{head}{shown}\""), format!("{on}{bytes} B")]
        }
        Returned::Eof if faithful => vec![said("returned-eof-data"), on_conn("b''")],
        Returned::Eof => vec![said("returned-eof-closed"), on_conn("0")],
        Returned::WouldBlock(1) => vec![on_conn("WouldBlock")],
        Returned::WouldBlock(n) => vec![
            on_conn(&format!("WouldBlock ×{}", fmt::thousands(*n))),
            on_conn("WouldBlock"),
        ],
        Returned::Error(e) => vec![on_conn(e)],
        Returned::Sent { bytes, kept: 0 } => vec![on_conn(&format!("{bytes} B"))],
        Returned::Sent { bytes: 0, kept } => vec![
            on_conn(&t!(
                lang,
                "returned-kept-queued",
                kept = fmt::bytes(*kept as u64)
            )),
            said("returned-kept"),
        ],
        Returned::Sent { bytes, kept } => vec![
            on_conn(&t!(
                lang,
                "returned-sent-kept",
                bytes = *bytes,
                kept = fmt::bytes(*kept as u64)
            )),
            on_conn(&format!("{bytes} B")),
        ],
        Returned::Lost { bytes } => vec![
            on_conn(&t!(
                lang,
                "returned-thrown-away",
                size = fmt::size(*bytes as u64)
            )),
            on_conn(&t!(
                lang,
                "returned-lost-size",
                size = fmt::size(*bytes as u64)
            )),
            said("returned-lost"),
        ],
        Returned::Ready { wakeups: 1, ready } => {
            vec![format!("→ {}", t!(lang, "returned-ready", ready = *ready))]
        }
        Returned::Ready { wakeups, ready } => vec![
            format!(
                "→ {}",
                t!(
                    lang,
                    "returned-ready-in-wakeups",
                    ready = *ready,
                    wakeups = *wakeups
                )
            ),
            format!("→ {}", t!(lang, "returned-ready", ready = *ready)),
        ],
        Returned::Queued => vec![said("returned-queued")],
        Returned::Dequeued { waited_us } => {
            let waited = fmt::micros(*waited_us);
            match conn {
                Some(c) => vec![
                    format!(
                        "→ {}",
                        t!(lang, "returned-dequeued", conn = c, waited = waited)
                    ),
                    format!("→ #{c}"),
                ],
                None => vec![format!("→ {}", t!(lang, "returned-after", waited = waited))],
            }
        }
        Returned::Spawned => match conn {
            Some(c) => vec![
                format!("→ {}", t!(lang, "returned-spawned", conn = c)),
                format!("→ conn-{c}"),
            ],
            None => vec![format!("→ {}", t!(lang, "returned-a-thread"))],
        },
        Returned::Evicted(Evict::SendTimeout) => {
            vec![said("returned-timed-out"), said("returned-dropped")]
        }
        Returned::Evicted(_) => vec![said("returned-evicted"), said("returned-dropped")],
    }
}

/// The slow-motion setting: "full speed", "slow motion: 500 ms a call".
pub fn slow_motion(lang: Lang, call_delay_us: u64) -> String {
    if call_delay_us == 0 {
        t!(lang, "pace-full-speed").into_owned()
    } else {
        t!(
            lang,
            "pace-slow-motion",
            delay = fmt::setting(call_delay_us)
        )
        .into_owned()
    }
}

/// What the busy loop does after a spin that found nothing.
pub fn backoff(lang: Lang, backoff: Backoff, sleep_us: u64) -> String {
    match backoff {
        Backoff::Spin => t!(lang, "backoff-spin"),
        Backoff::Yield => t!(lang, "backoff-yield"),
        Backoff::Sleep => t!(lang, "backoff-sleep", sleep = fmt::setting(sleep_us)),
    }
    .into_owned()
}

/// An accept's wait in the listen queue: " · queued 12 ms".
pub fn accept_waited(lang: Lang, ms: u64) -> String {
    let waited = match ms {
        0 => "<1 ms".to_string(),
        ms @ 1..=999 => format!("{ms} ms"),
        ms => format!("{:.1} s", ms as f64 / 1e3),
    };
    format!(" · {}", t!(lang, "log-accept-waited", waited = waited))
}

/// The single loop parked in a blocking call: "parked in recv() on #1
/// for 12.3 s".
pub fn loop_parked(lang: Lang, call: Call, conn: Option<ConnId>, waited: &str) -> String {
    let call = format!("{}()", call.name());
    match conn {
        Some(c) => format!(
            "⏸ {}",
            t!(
                lang,
                "header-parked-on",
                call = call,
                conn = c,
                waited = waited
            )
        ),
        None => format!(
            "⏸ {}",
            t!(lang, "header-parked", call = call, waited = waited)
        ),
    }
}

/// The question for a call held back: "recv(#3) — what comes back?".
pub fn question(lang: Lang, call: Call, conn: Option<crate::event::ConnId>) -> String {
    t!(lang, "predict-question", call = question_call(call, conn)).into_owned()
}

/// The call a question is about: "recv(#3)".
pub fn question_call(call: Call, conn: Option<crate::event::ConnId>) -> String {
    let on = conn.map_or(String::new(), |c| format!("#{c}"));
    format!("{}({on})", call.name())
}

/// What a call can return, as the room chooses: data, WouldBlock, 0 /
/// part, an error (`None`: the call has no such outcome).
pub fn outcomes(lang: Lang, call: Call) -> [Option<Cow<'static, str>>; 4] {
    let wb = || Some(Cow::Borrowed("WouldBlock"));
    match call {
        Call::Accept => [
            Some(t!(lang, "predict-new-client")),
            wb(),
            None,
            Some(t!(lang, "predict-accept-error")),
        ],
        Call::Recv => [
            Some(t!(lang, "predict-data")),
            wb(),
            Some(t!(lang, "predict-closed")),
            Some(t!(lang, "predict-reset")),
        ],
        Call::Send | Call::Queue => [
            Some(t!(lang, "predict-all")),
            wb(),
            Some(t!(lang, "predict-part")),
            Some(t!(lang, "predict-reset")),
        ],
    }
}

/// How the room did: "9 of 14 guessed it".
pub fn guessed_right(lang: Lang, right: u32, guessed: u32) -> String {
    match guessed {
        0 => t!(lang, "predict-no-guesses"),
        n => t!(lang, "predict-guessed-right", right = right, n = n),
    }
    .into_owned()
}

/// A pause edge, for the log.
pub fn paused(lang: Lang, paused: bool, thread: Option<&str>) -> String {
    match (paused, thread) {
        (true, Some("loop") | None) => t!(lang, "log-loop-paused"),
        (false, Some("loop") | None) => t!(lang, "log-loop-resumed"),
        (true, Some(t)) => t!(lang, "log-thread-holds", thread = t),
        (false, Some(t)) => t!(lang, "log-thread-goes-on", thread = t),
    }
    .into_owned()
}

/// A notice, as the footer says it.
pub fn notice(lang: Lang, notice: &Notice) -> String {
    match notice {
        Notice::NoBuiltinClients => t!(lang, "notice-no-builtin-clients"),
        Notice::NoChattyClients => t!(lang, "notice-no-chatty-clients"),
        Notice::NoClientsHere => t!(lang, "notice-no-clients-here"),
        Notice::StepNeedsPause => t!(lang, "notice-step-needs-pause"),
        Notice::WorkersNeedPool => t!(lang, "notice-workers-need-pool"),
        Notice::PoolCannotGrow => t!(lang, "notice-pool-cannot-grow"),
        Notice::PoolAtLeastOne => t!(lang, "notice-pool-at-least-one"),
        Notice::PoolQueueFull => t!(lang, "notice-pool-queue-full"),
        Notice::SpinStepNeedsLoop => t!(lang, "notice-spin-step-needs-loop"),
        Notice::SwitchFailed { model, error } => t!(
            lang,
            "notice-switch-failed",
            model = model_name(lang, *model),
            error = error.as_str()
        ),
        Notice::Replay(cant) => t!(lang, "notice-replay", why = replay_cant(lang, *cant)),
        Notice::SpeedNeedsReplay => t!(lang, "notice-speed-needs-replay"),
        Notice::SeekNeedsReplay => t!(lang, "notice-seek-needs-replay"),
        Notice::NoMark(true) => t!(lang, "notice-no-mark-after"),
        Notice::NoMark(false) => t!(lang, "notice-no-mark-before"),
        Notice::MarkerNotRecorded => t!(lang, "notice-marker-not-recorded"),
        Notice::LangSwitched => t!(lang, "lang-switched", lang = t!(lang, "lang-name")),
    }
    .into_owned()
}

/// A replay's progress line: `▶ 00:12.3 / 01:05.0 · 2× · ‖ paused`.
pub fn replay_progress(lang: Lang, r: &crate::replay::ReplayInfo) -> String {
    let state = if r.live {
        format!(" · ● {}", t!(lang, "replay-live"))
    } else if r.ended {
        match &r.stopped {
            Some(why) => format!(
                " · {}",
                t!(lang, "replay-end-why", why = stream_stop(lang, why))
            ),
            None => format!(" · {}", t!(lang, "replay-end")),
        }
    } else if r.paused {
        format!(" · ‖ {}", t!(lang, "replay-paused"))
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

/// Why a followed stream stopped before its end.
fn stream_stop(lang: Lang, stop: &crate::replay::Stop) -> String {
    use crate::record::RecordingError;
    use crate::replay::Stop;
    match stop {
        Stop::Cut(line) => t!(lang, "stream-cut", line = *line, whole = line - 1).into_owned(),
        Stop::Read(why) => t!(lang, "stream-read", why = why.as_str()).into_owned(),
        Stop::Bad(RecordingError::Corrupt { line, what }) => {
            t!(lang, "stream-bad-line", line = *line, what = what.as_str()).into_owned()
        }
        Stop::Bad(other) => t!(lang, "stream-bad", what = other.to_string()).into_owned(),
    }
}

/// A note as its panel shows it: `01:05.3  text`.
pub fn replay_note(mark: &crate::replay::Mark) -> String {
    format!("{}  {}", fmt::tenths(mark.at_us), mark.note)
}

/// Why a replay does not do what a live server does.
fn replay_cant(lang: Lang, cant: ReplayCant) -> Cow<'static, str> {
    match cant {
        ReplayCant::SwitchModel => t!(lang, "replay-cant-switch-model"),
        ReplayCant::SlowMotion => t!(lang, "replay-cant-slow-motion"),
        ReplayCant::Backoff => t!(lang, "replay-cant-backoff"),
        ReplayCant::Workers => t!(lang, "replay-cant-workers"),
        ReplayCant::Clients => t!(lang, "replay-cant-clients"),
        ReplayCant::Markers => t!(lang, "replay-cant-markers"),
    }
}

/// A marker's note as the log, the explain panel and `--summary` show it:
/// quoted, with any control character escaped (a recording's note may
/// hold one; typed ones never do); `(no note)` for none.
pub fn marker_note(lang: Lang, note: &str) -> String {
    if note.is_empty() {
        return format!("({})", t!(lang, "marker-no-note"));
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

/// How much of the note there is room for: `12/200`.
pub fn note_count(chars: usize, max: usize) -> String {
    format!(" {chars}/{max} ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stopped_stream_says_why_in_the_viewers_language() {
        use crate::replay::{ReplayInfo, Stop};
        let info = ReplayInfo {
            at_us: 2_000_000,
            duration_us: 2_000_000,
            speed: 1.0,
            paused: false,
            ended: true,
            live: false,
            stopped: Some(Stop::Cut(9)),
            wall_us: 0,
            marks: Vec::new().into(),
            reached: None,
        };
        assert!(
            replay_progress(Lang::En, &info)
                .ends_with("end: line 9 is cut short (replayed up to line 8)")
        );
        assert!(replay_progress(Lang::Zh, &info).ends_with("结束:第 9 行不完整(已回放到第 8 行)"));
    }

    use super::*;

    #[test]
    fn times_ago_and_idle_in_both_languages() {
        assert_eq!(ago(Lang::En, 500_000), "now");
        assert_eq!(ago(Lang::En, 4_000_000), "4s ago");
        assert_eq!(ago(Lang::En, 125_000_000), "2m ago");
        assert_eq!(ago(Lang::En, 7_200_000_000), "2h ago");
        assert_eq!(idle(Lang::En, 125_000_000), "2m");
        assert_eq!(ago(Lang::Zh, 500_000), "刚刚");
        assert_eq!(ago(Lang::Zh, 4_000_000), "4秒前");
        assert_eq!(idle(Lang::Zh, 4_000_000), "4秒");
        // The idle column is four wide: so are its Chinese forms.
        for us in [0, 59_000_000, 3_599_000_000, 86_399_000_000] {
            assert!(idle(Lang::Zh, us).width() <= 4, "{}", idle(Lang::Zh, us));
        }
    }

    #[test]
    fn models_are_named_in_the_lectures_words_and_codes_stay_in_english() {
        for model in Model::ALL {
            assert_eq!(model_name(Lang::En, model), model.name());
        }
        let zh: Vec<_> = Model::ALL.map(|m| model_name(Lang::Zh, m)).to_vec();
        assert_eq!(zh, ["阻塞", "多线程", "线程池", "非阻塞", "多路复用"]);
    }

    #[test]
    fn reasons_keep_their_figures_and_flags_in_every_language() {
        for lang in [Lang::En, Lang::Zh] {
            let why = evicted(lang, Evict::TotalCap, Some(3 << 20), 1500);
            assert!(why.contains("3.0M") && why.contains("1.5"), "{why}");
            assert!(why.contains("--pending-total"), "{why}");
            let why = refused(lang, Refuse::MaxConnsPerIp, 12);
            assert!(why.contains("12") && why.contains("--max-conns-per-ip"));
        }
        assert_eq!(
            refused(Lang::En, Refuse::MaxConns, 5),
            "5 clients already (--max-conns)"
        );
        assert_eq!(
            notice(
                Lang::Zh,
                &Notice::SwitchFailed {
                    model: Model::Pool,
                    error: "EMFILE".into()
                }
            ),
            "无法切换到线程池:EMFILE"
        );
    }

    #[test]
    fn returned_forms_get_shorter_in_both_languages() {
        let r = Returned::Ready {
            wakeups: 2,
            ready: 3,
        };
        for lang in [Lang::En, Lang::Zh] {
            let forms = returned(lang, &r, None, None, None, false, 40);
            assert!(forms.windows(2).all(|w| w[0].width() > w[1].width()));
            assert!(forms.iter().all(|f| f.starts_with("→ ")), "{forms:?}");
        }
        assert_eq!(
            returned(Lang::En, &r, None, None, None, false, 40),
            ["→ 3 ready in 2 wakeups", "→ 3 ready"]
        );
    }
}
