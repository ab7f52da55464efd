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

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let height = area.height.saturating_sub(2) as usize;
    d.view.set_rows(Panel::Log, height);
    let entries = d.log.entries();
    let len = entries.len();
    // Never further back than a full first page; the selection in sight.
    let scroll = d.view.log_scroll(len, height);
    let mut title = vec![Span::styled(" Event log ", theme::TITLE)];
    if scroll > 0 {
        title.push(Span::styled(
            format!("↑ {scroll} back (End follows) "),
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
        .map(|e| line(e, started, width, d.accept_wait(e)))
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
pub fn line(e: &Event, started_us: u64, width: usize, waited_ms: Option<u64>) -> Line<'static> {
    let style = theme::kind(&e.kind);
    let stamp = fmt::stamp(e.t_us.saturating_sub(started_us));
    let room = width.saturating_sub(stamp.len() + 1 + KIND_COLS + 1);
    let (what, remark) = describe(&e.kind, room);
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
            Span::styled(format!("{:<KIND_COLS$}", text::kind_label(&e.kind)), style),
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
        line.push(6, [Span::styled(text::accept_waited(ms), theme::WARN)]);
    }
    line.line(width)
}

fn on_conn(conn: Option<ConnId>) -> String {
    conn.map_or(String::new(), |c| format!(" on #{c}"))
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
fn describe(kind: &EventKind, room: usize) -> (String, Option<String>) {
    let remark = |what: String, remark: String| (what, Some(remark));
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
                (_, true) => " (the listing verbatim)",
                (true, false) => " (faithful listing)",
                _ => "",
            };
            return remark(
                format!("{model}{mode} on {addr}"),
                format!(", backlog {backlog}"),
            );
        }
        // Narrow (the code panel beside it), the address goes whole.
        EventKind::Accept { conn, peer } => {
            return remark(format!("#{conn}"), format!(" from {peer}"));
        }
        EventKind::AcceptWait { conn, waited_ms } => {
            format!("#{conn}{}", text::accept_waited(*waited_ms))
        }
        EventKind::WouldBlockOn { call, conn } => {
            format!("{}(){} → WouldBlock", call.name(), on_conn(*conn))
        }
        EventKind::Pace {
            call_delay_us,
            backoff,
            backoff_us,
        } => format!(
            "{} · {}",
            text::slow_motion(*call_delay_us),
            text::backoff(*backoff, *backoff_us)
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
        EventKind::Spin { spins, .. } => format!("{} spins", fmt::thousands(*spins)),
        EventKind::Recv { conn, bytes: 0, .. } => {
            return remark(
                format!("#{conn} b'': CLOSE-WAIT"),
                " (the peer closed; the listing keeps it)".into(),
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
                        " ({} queued: the kernel buffer is full)",
                        fmt::bytes(*pending as u64)
                    ),
                );
            }
            what
        }
        EventKind::Closed { conn } => format!("#{conn} recv → 0: orderly close"),
        EventKind::Reset {
            conn,
            call,
            error,
            note,
        } => {
            let what = format!("#{conn} {error} on {}", call.name());
            match note {
                Some(n) => return remark(what, format!(" ({})", text::reset_note(*n))),
                None => what,
            }
        }
        EventKind::Evicted {
            conn,
            why,
            limit_bytes,
            stall_ms,
        } => format!(
            "#{conn} dropped: {}",
            text::evicted(*why, *limit_bytes, *stall_ms)
        ),
        EventKind::Refused { peer, why, limit } => {
            format!("{peer} turned away: {}", text::refused(*why, *limit))
        }
        EventKind::Lost { conn, bytes } => {
            return remark(
                format!("#{conn} {} reply thrown away", fmt::size(*bytes as u64)),
                " (send would block)".into(),
            );
        }
        EventKind::AcceptError { error, backoff_ms } => {
            format!("{error}: not accepting for {backoff_ms} ms")
        }
        EventKind::Paused { paused, thread } => text::paused(*paused, thread.as_deref()),
        EventKind::Dropped { count } => format!("{count} events dropped"),
        EventKind::Client { peer, role } => {
            format!("built-in {} client from {peer}", text::client_role(*role))
        }
        EventKind::Reply { peer, rtt_us } => format!("{peer} got its reply in {rtt_us} µs"),
        EventKind::Blocked { thread, call, conn } => {
            format!("{thread} parks in {}(){}", call.name(), on_conn(*conn))
        }
        EventKind::Unblocked {
            thread,
            call,
            conn,
            waited_us,
        } => format!(
            "{thread} back from {}(){} after {}",
            call.name(),
            on_conn(*conn),
            fmt::micros(*waited_us)
        ),
        EventKind::Thread {
            thread,
            role,
            alive: true,
            conn,
        } => {
            return remark(
                format!("{thread} started:"),
                format!(" {}", text::role(*role, *conn)),
            );
        }
        EventKind::Thread {
            thread,
            alive: false,
            ..
        } => format!("{thread} ended"),
        EventKind::Queued { conn } => format!("#{conn} waits in the queue for a worker"),
        EventKind::Dequeued {
            conn,
            thread,
            waited_us,
        } => format!(
            "#{conn} taken by {thread} after {}",
            fmt::micros(*waited_us)
        ),
        EventKind::Wakeup { wakeups, ready } => {
            format!("{wakeups} wakeups, {ready} ready sockets")
        }
        EventKind::Sample {
            rss_bytes, threads, ..
        } => format!("RSS {}, {threads} threads", fmt::bytes(*rss_bytes)),
        EventKind::KernelQueues { conns } => {
            format!("{} connections' kernel queues changed", conns.len())
        }
        EventKind::Marker { note } => text::marker_note(note),
    };
    (plain, None)
}
