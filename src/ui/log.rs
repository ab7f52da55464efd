//! The event log: what the sockets did, newest at the bottom; WouldBlock
//! summaries merged into one line between the real events.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{Fit, MUST};
use super::{fmt, lists::scrollbar, panel, text, theme};
use crate::app::{Dashboard, Panel};
use crate::event::{ConnId, Event, EventKind, Preview};
use crate::i18n::Lang;
use crate::t;
use unicode_width::UnicodeWidthStr;

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let height = area.height.saturating_sub(2) as usize;
    d.view.set_rows(Panel::Log, height);
    let entries = d.log.entries();
    let len = entries.len();
    // Never further back than a full first page; the selection in sight.
    let scroll = d.view.log_scroll(len, height);
    let mut title = vec![Span::styled(
        format!(" {} ", t!(lang, "log-title")),
        theme::TITLE,
    )];
    if scroll > 0 {
        title.push(Span::styled(
            format!("↑ {} ", t!(lang, "log-scrolled-back", n = scroll)),
            theme::WARN,
        ));
    }
    let block = panel(d, Some(Panel::Log), Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let end = len.saturating_sub(scroll);
    let first = end.saturating_sub(height);
    d.view.log_drawn(inner, len.saturating_sub(first + 1));
    let started = d.started_us.unwrap_or(0);
    let width = inner.width as usize;
    let lines: Vec<Line> = entries
        .range(first..end)
        .map(|e| line(lang, e, started, width, d.accept_wait(e)))
        .collect();
    Paragraph::new(lines).render(inner, buf);
    // The selected line, reversed the whole width of the panel.
    let selected = d.view.selected().and_then(|back| len.checked_sub(back + 1));
    if let Some(at) = selected.filter(|at| (first..end).contains(at)) {
        let row = Rect {
            y: inner.y + (at - first) as u16,
            height: 1,
            ..inner
        };
        buf.set_style(row, theme::SELECTED);
    }
    scrollbar(len, height, first, area, buf);
}

/// The column the event's kind is padded to.
const KIND_COLS: usize = 11;

/// One log line for `width` columns: uptime stamp, kind, what happened,
/// and a remark when it fits whole.
/// `waited_ms`: an accept's wait in the listen queue, when measured.
pub fn line(
    lang: Lang,
    e: &Event,
    started_us: u64,
    width: usize,
    waited_ms: Option<u64>,
) -> Line<'static> {
    let style = theme::kind(&e.kind);
    let stamp = fmt::stamp(e.t_us.saturating_sub(started_us));
    let kind = super::fit::pad(&text::kind_label(lang, &e.kind), KIND_COLS);
    let room = width.saturating_sub(stamp.len() + 1 + kind.width() + 1);
    let (what, remark) = describe(lang, &e.kind, room);
    let what_style = match e.kind {
        EventKind::WouldBlock { .. } => style,
        EventKind::Marker { .. } => theme::MARKER_NOTE,
        _ => theme::DATA,
    };
    let mut line = Fit::new().part(
        MUST,
        [
            Span::styled(stamp, theme::LABEL),
            Span::raw(" "),
            Span::styled(kind, style),
            Span::raw(" "),
            Span::styled(what, what_style),
        ],
    );
    if let Some(remark) = remark {
        // The rest of a WouldBlock summary, an accepted client's address:
        // as what comes before them.
        let remark_style = match e.kind {
            EventKind::WouldBlock { .. } | EventKind::Accept { .. } => what_style,
            _ => theme::LABEL,
        };
        line.push(5, [Span::styled(remark, remark_style)]);
    }
    // Under a millisecond is the usual: said only when it is more.
    if let Some(ms) = waited_ms.filter(|ms| *ms > 0) {
        // The lecture's drawback 1, in milliseconds: kept before the
        // address when the line is short of room.
        line.push(
            6,
            [Span::styled(text::accept_waited(lang, ms), theme::WARN)],
        );
    }
    line.line(width)
}

/// `recv() on #3`, `accept()`.
fn call_on(lang: Lang, call: crate::event::Call, conn: Option<ConnId>) -> String {
    let call = format!("{}()", call.name());
    match conn {
        Some(c) => t!(lang, "log-call-on", call = call, conn = c).into_owned(),
        None => call,
    }
}

/// `#3 46 B "hello…"`: a preview in `room` columns with all before it,
/// cut between escapes, its closing quote standing.
fn data(conn: ConnId, bytes: usize, preview: &Preview, room: usize) -> String {
    let head = format!("#{conn} {bytes} B \"");
    let shown = fmt::fit_escaped(&preview.to_string(), room.saturating_sub(head.len() + 1));
    format!("{head}{shown}\"")
}

/// What happened, and a remark (with its own leading separator) that may
/// be left out for room; `room` is the columns there are for it.
fn describe(lang: Lang, kind: &EventKind, room: usize) -> (String, Option<String>) {
    let remark = |what: String, remark: String| (what, Some(remark));
    let said = |what: std::borrow::Cow<'static, str>| what.into_owned();
    let plain = match kind {
        EventKind::Listening {
            addr,
            model,
            backlog,
            faithful,
            verbatim,
            ..
        } => {
            let mode = match (faithful, verbatim) {
                (_, true) => format!(" ({})", t!(lang, "log-verbatim")),
                (true, false) => format!(" ({})", t!(lang, "header-faithful")),
                _ => String::new(),
            };
            let model = format!("{}{mode}", text::model_name(lang, *model));
            return remark(
                said(t!(
                    lang,
                    "log-listening",
                    model = model,
                    addr = addr.as_str()
                )),
                format!(", {}", t!(lang, "header-backlog", backlog = *backlog)),
            );
        }
        // Narrow (the code panel beside it), the address goes whole.
        EventKind::Accept { conn, peer } => {
            return remark(
                format!("#{conn}"),
                format!(" {}", t!(lang, "log-from", peer = peer.as_str())),
            );
        }
        EventKind::AcceptWait { conn, waited_ms } => {
            format!("#{conn}{}", text::accept_waited(lang, *waited_ms))
        }
        EventKind::WouldBlockOn { call, conn } => {
            format!("{} → WouldBlock", call_on(lang, *call, *conn))
        }
        EventKind::Pace {
            call_delay_us,
            backoff,
            backoff_us,
        } => format!(
            "{} · {}",
            text::slow_motion(lang, *call_delay_us),
            text::backoff(lang, *backoff, *backoff_us)
        ),
        EventKind::WouldBlock { accept, recv, send } => {
            let mut parts = Vec::new();
            for (call, n) in [("accept", accept), ("recv", recv), ("send", send)] {
                if *n > 0 {
                    parts.push(format!("{call} ×{}", fmt::thousands(*n)));
                }
            }
            // Narrow, the first count stays and the others go whole.
            let mut parts = parts.into_iter();
            let first = parts.next().unwrap_or_default();
            let rest: String = parts.map(|p| format!(" · {p}")).collect();
            if !rest.is_empty() {
                return remark(first, rest);
            }
            first
        }
        EventKind::Spin { spins, .. } => said(t!(lang, "log-spins", n = fmt::thousands(*spins))),
        EventKind::Recv { conn, bytes: 0, .. } => {
            return remark(
                format!("#{conn} b'': CLOSE-WAIT"),
                format!(" ({})", t!(lang, "log-close-wait")),
            );
        }
        EventKind::Recv {
            conn,
            bytes,
            preview,
            ..
        } => data(*conn, *bytes, preview, room),
        EventKind::Send {
            conn,
            bytes,
            preview,
            pending,
            ..
        } => {
            let what = data(*conn, *bytes, preview, room);
            if *pending > 0 {
                return remark(
                    what,
                    format!(
                        " ({})",
                        t!(lang, "log-send-queued", bytes = fmt::bytes(*pending as u64))
                    ),
                );
            }
            what
        }
        EventKind::Closed { conn } => {
            format!("#{conn} recv → 0: {}", t!(lang, "log-orderly-close"))
        }
        EventKind::Reset {
            conn,
            call,
            error,
            note,
        } => {
            let what = format!(
                "#{conn} {}",
                t!(
                    lang,
                    "gone-reset-on",
                    error = error.as_str(),
                    call = call.name()
                )
            );
            match note {
                Some(n) => return remark(what, format!(" ({})", text::reset_note(lang, *n))),
                None => what,
            }
        }
        EventKind::Evicted {
            conn,
            why,
            limit_bytes,
            stall_ms,
        } => format!(
            "#{conn} {}",
            t!(
                lang,
                "log-evicted",
                why = text::evicted(lang, *why, *limit_bytes, *stall_ms)
            )
        ),
        EventKind::Refused { peer, why, limit } => said(t!(
            lang,
            "log-refused",
            peer = peer.as_str(),
            why = text::refused(lang, *why, *limit)
        )),
        EventKind::Lost { conn, bytes } => {
            return remark(
                format!(
                    "#{conn} {}",
                    t!(lang, "log-lost", size = fmt::size(*bytes as u64))
                ),
                format!(" ({})", t!(lang, "log-lost-why")),
            );
        }
        EventKind::AcceptError { error, backoff_ms } => said(t!(
            lang,
            "log-accept-error",
            error = error.as_str(),
            ms = backoff_ms.to_string()
        )),
        EventKind::Paused { paused, thread } => text::paused(lang, *paused, thread.as_deref()),
        EventKind::Dropped { count } => said(t!(lang, "log-dropped", n = count.to_string())),
        EventKind::Client { peer, role } => said(t!(
            lang,
            "log-client",
            role = text::client_role(lang, *role),
            peer = peer.as_str()
        )),
        EventKind::Reply { peer, rtt_us } => said(t!(
            lang,
            "log-reply",
            peer = peer.as_str(),
            rtt = rtt_us.to_string()
        )),
        EventKind::Blocked { thread, call, conn } => said(t!(
            lang,
            "log-parks",
            thread = thread.as_str(),
            call = call_on(lang, *call, *conn)
        )),
        EventKind::Unblocked {
            thread,
            call,
            conn,
            waited_us,
        } => said(t!(
            lang,
            "log-back-from",
            thread = thread.as_str(),
            call = call_on(lang, *call, *conn),
            waited = fmt::micros(*waited_us)
        )),
        EventKind::Thread {
            thread,
            role,
            alive: true,
            conn,
        } => {
            return remark(
                said(t!(lang, "log-thread-started", thread = thread.as_str())),
                format!(" {}", text::role(lang, *role, *conn)),
            );
        }
        EventKind::Thread {
            thread,
            alive: false,
            ..
        } => said(t!(lang, "log-thread-ended", thread = thread.as_str())),
        EventKind::Queued { conn } => format!("#{conn} {}", t!(lang, "log-queued")),
        EventKind::Dequeued {
            conn,
            thread,
            waited_us,
        } => format!(
            "#{conn} {}",
            t!(
                lang,
                "log-dequeued",
                thread = thread.as_str(),
                waited = fmt::micros(*waited_us)
            )
        ),
        EventKind::Wakeup { wakeups, ready } => said(t!(
            lang,
            "log-wakeups",
            wakeups = wakeups.to_string(),
            ready = ready.to_string()
        )),
        EventKind::Sample {
            rss_bytes, threads, ..
        } => format!(
            "RSS {}, {}",
            fmt::bytes(*rss_bytes),
            t!(lang, "log-threads", n = threads.to_string())
        ),
        EventKind::KernelQueues { conns } => said(t!(lang, "log-kernel-queues", n = conns.len())),
        EventKind::Marker { note } => text::marker_note(lang, note),
    };
    (plain, None)
}
