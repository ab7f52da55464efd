//! The lecture's three lists: connected, ready-send, disconnected.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Table, Widget,
    Wrap,
};

use super::fit::{self, Fit, MUST, first_fitting};
use super::{fmt, look, panel, text, theme, window};
use crate::app::{Dashboard, GoneCounts, Panel};
use crate::event::Reason;
use crate::i18n::Lang;
use crate::t;
use unicode_width::UnicodeWidthStr;

pub fn connected(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let title = Line::from(vec![
        Span::styled(format!(" {} ", t!(lang, "conns-title")), theme::TITLE),
        Span::styled(format!("{} ", d.conns.live.len()), theme::VALUE),
        Span::styled(
            format!(
                "{} ",
                t!(lang, "conns-of-accepted", accepted = d.conns.accepted)
            ),
            theme::LABEL,
        ),
    ]);
    let title = if d.builtin_count() > 0 {
        let mut spans = title.spans;
        spans.push(Span::styled(
            format!("◆ {} ", t!(lang, "conns-built-in")),
            theme::TITLE,
        ));
        Line::from(spans)
    } else {
        title
    };
    let block = panel(d, Some(Panel::Connected), title);
    let inner = block.inner(area);
    block.render(area, buf);
    if d.conns.live.is_empty() {
        let none = if d.conns.accepted == 0 {
            t!(lang, "conns-none-yet")
        } else {
            t!(lang, "conns-none-now")
        };
        // The command is never split: on a line of its own if need be.
        let lines = match &d.server {
            Some(s) => {
                let command = format!("nc {}", nc_target(&look::room_addr(s)));
                let lead = format!("{none} — {}", t!(lang, "conns-connect-with"));
                let whole = format!("{lead} {command}");
                if whole.width() <= inner.width as usize {
                    vec![whole]
                } else {
                    vec![lead, command]
                }
            }
            None => vec![none.to_string()],
        };
        let lines = look::room_hint(d, lines, inner.width as usize);
        Paragraph::new(
            lines
                .into_iter()
                .map(|l| Line::styled(l, theme::HINT))
                .collect::<Vec<_>>(),
        )
        .render(inner, buf);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    d.view.set_rows(Panel::Connected, height);
    let live = &d.conns.live;
    let (first, end) = window(live.len(), height, d.view.scroll_of(Panel::Connected));
    // Ids from 1,000 up widen their column rather than run into the next.
    let shown = || live.values().skip(first).take(end - first);
    let conn_title = t!(lang, "conns-col-conn");
    let id_width = shown()
        .map(|c| format!("#{}", c.id).len())
        .max()
        .unwrap_or(0)
        .max(4)
        .max(conn_title.width());
    // Followed call by call: the connection the loop's last call was on.
    let serving = d.serving();
    // The peer of each row, longest first, down to the shortest (its
    // port), with CLOSE-WAIT and a pool's wait; the short forms with the
    // wait in a word need this much room at least.
    let peers: Vec<Vec<Line>> = shown().map(|c| peer_forms(c, d)).collect();
    // Each column as wide as its title or its widest value, whichever is
    // wider (a title in Chinese may be).
    let titles: Vec<String> = Column::ALL.iter().map(|c| c.title(lang)).collect();
    let column_width = |c: &Column| c.width().max(titles[*c as usize].width());
    // The columns that may go, in the order they go, when the peers'
    // short forms need the room.
    let peer_needs = peers
        .iter()
        .filter_map(|p| p.get(p.len().saturating_sub(2)).map(Line::width))
        .max()
        .unwrap_or(0);
    let mut columns = Column::ALL.to_vec();
    let room = |columns: &[Column]| {
        let fixed: usize = columns.iter().map(|c| column_width(c) + 1).sum();
        (inner.width as usize).saturating_sub(id_width + 1 + fixed)
    };
    for going in [Column::Idle, Column::SendQ, Column::Pend] {
        if room(&columns) >= peer_needs {
            break;
        }
        columns.retain(|c| *c != going);
    }
    let peer_width = room(&columns);
    let rows = shown().zip(peers).map(|(c, forms)| {
        // Bytes waiting in the kernel, not copied yet: recv's first phase.
        let id_style = if c.kernel_in > 0 {
            theme::KERNEL_WAITING
        } else {
            theme::VALUE
        };
        let id = Line::styled(format!("#{}", c.id), id_style);
        let peer = first_fitting(forms, peer_width);
        let cells = [id, peer]
            .into_iter()
            .chain(columns.iter().map(|column| column.cell(lang, c, d.now_us)));
        if serving == Some(c.id) {
            Row::new(cells.map(|l| lit(l, theme::SERVING))).style(theme::SERVING)
        } else {
            Row::new(cells)
        }
    });
    let widths = [Constraint::Length(id_width as u16), Constraint::Fill(1)]
        .into_iter()
        .chain(
            columns
                .iter()
                .map(|c| Constraint::Length(column_width(c) as u16)),
        );
    let titles = [conn_title, t!(lang, "conns-col-peer")]
        .into_iter()
        .map(String::from)
        .chain(columns.iter().map(|c| titles[*c as usize].clone()));
    let table = Table::new(rows, widths)
        .header(Row::new(titles).style(theme::HEADER_ROW))
        .column_spacing(1);
    Widget::render(table, inner, buf);
    scrollbar(live.len(), height, first, area, buf);
}

/// The Connected list's columns after the id and the peer, in their order:
/// a client's bytes wait in the kernel (`recvq`), are copied to the server
/// (`in`), handed back (`out`) and wait in the kernel until the client's
/// kernel takes them (`sendq`). The queues are named as `ss` names them
/// (Recv-Q, Send-Q).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// Bytes the kernel received that the server has not copied yet.
    RecvQ,
    In,
    Out,
    /// Reply bytes the server's kernel holds: the client's has not taken them.
    SendQ,
    Idle,
    /// Reply bytes the server holds: its kernel would not take them.
    Pend,
}

impl Column {
    const ALL: [Column; 6] = [
        Column::RecvQ,
        Column::In,
        Column::Out,
        Column::SendQ,
        Column::Idle,
        Column::Pend,
    ];

    fn title(self, lang: Lang) -> String {
        match self {
            Column::RecvQ => t!(lang, "conns-col-recvq"),
            Column::In => t!(lang, "conns-col-in"),
            Column::Out => t!(lang, "conns-col-out"),
            Column::SendQ => t!(lang, "conns-col-sendq"),
            Column::Idle => t!(lang, "conns-col-idle"),
            Column::Pend => t!(lang, "conns-col-pend"),
        }
        .into_owned()
    }

    fn width(self) -> usize {
        match self {
            Column::Idle => 4,
            _ => 5,
        }
    }

    /// `c`'s value in this column; bytes held back stand out.
    fn cell(self, lang: Lang, c: &crate::app::ConnRow, now_us: u64) -> Line<'static> {
        let held = |n: u64, style| {
            let style = if n > 0 { style } else { theme::DATA };
            Line::styled(fmt::bytes(n), style)
        };
        match self {
            Column::RecvQ => held(u64::from(c.kernel_in), theme::KERNEL_WAITING),
            Column::In => Line::styled(fmt::bytes(c.bytes_in), theme::DATA),
            Column::Out => Line::styled(fmt::bytes(c.bytes_out), theme::DATA),
            Column::SendQ => held(u64::from(c.kernel_out), theme::WARN),
            Column::Idle => Line::styled(
                text::idle(lang, now_us.saturating_sub(c.last_us)),
                theme::DATA,
            ),
            Column::Pend => held(c.pending as u64, theme::WARN),
        }
    }
}

/// A connection's peer, long and short. Built-in clients all live on this
/// machine: their role says more than their address (short, it is all they
/// show). Another peer's short form is its port, whole. CLOSE-WAIT follows
/// either.
fn peer_forms(c: &crate::app::ConnRow, d: &Dashboard) -> Vec<Line<'static>> {
    let lang = d.view.lang;
    let port = c.peer.rsplit_once(':').map_or("", |(_, p)| p);
    let (peer, short) = match &c.builtin {
        Some(role) => {
            let role = text::client_role(lang, *role);
            (format!("◆{role} :{port}"), format!("◆{role}"))
        }
        None => (c.peer.clone(), format!(":{port}")),
    };
    let style = match c.builtin {
        Some(_) => theme::TITLE,
        None => theme::DATA,
    };
    let (peer, short) = (Span::styled(peer, style), Span::styled(short, style));
    let close_wait = c
        .close_wait
        .then(|| Span::styled(" CLOSE-WAIT", theme::WARN));
    // `pool`: accepted, waiting in the queue for a worker, this long (said
    // shorter, then not at all, where the column is narrow).
    let waited = d
        .threads
        .queue
        .get(&c.id)
        .map(|since| fmt::micros(d.now_us.saturating_sub(*since)));
    let queued = |words: &str| {
        waited
            .as_ref()
            .map(|w| Span::styled(format!(" {words}{w}"), theme::WARN))
    };
    let long = format!("⧗ {} ", t!(lang, "conns-queued"));
    [
        (peer, queued(&long)),
        (short.clone(), queued(&long)),
        (short.clone(), queued("⧗ ")),
        (short, None),
    ]
    .into_iter()
    .map(|(p, q)| Line::from_iter([Some(p), close_wait.clone(), q].into_iter().flatten()))
    .collect()
}

pub fn ready(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let block = panel(
        d,
        Some(Panel::Ready),
        Line::styled(format!(" {} ", t!(lang, "ready-title")), theme::TITLE),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(run) = d.run() else {
        return;
    };
    // `--faithful`: a CLOSE-WAIT peer's `b''` is data to the listing, so
    // every spin's ready-send list holds an empty reply for it.
    let close_wait: Vec<_> = d.conns.close_wait().collect();
    let mut lines = Vec::new();
    let mut items: Vec<Line> = Vec::new();
    if !close_wait.is_empty() {
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", t!(lang, "ready-every-spin")), theme::SPINS),
            Span::styled(format!("· {} × b''", close_wait.len()), theme::LABEL),
        ]));
        items.extend(close_wait.iter().map(|c| {
            Line::from(vec![
                Span::styled(format!("#{:<4}", c.id), theme::VALUE),
                Span::styled(format!("{:>5} ", 0), theme::LABEL),
                Span::styled("b'' ", theme::DATA),
                Span::styled("CLOSE-WAIT", theme::WARN),
            ])
        }));
    }
    if let (Some(r), Some(ago)) = (&run.ready, run.ready_spins_ago()) {
        let unit = text::loop_unit_one(lang, d.model());
        let units = text::loop_unit(lang, d.model());
        // Shorter words before a cut number: "· 1,178,727 ago", then none.
        let when = match ago {
            0 => vec![
                t!(lang, "ready-this-unit", unit = unit.as_ref()),
                t!(lang, "ready-now"),
            ],
            1 => vec![
                t!(lang, "ready-one-unit-ago", unit = unit.as_ref()),
                t!(lang, "ready-n-ago", n = "1"),
            ],
            n => vec![
                t!(
                    lang,
                    "ready-units-ago",
                    n = fmt::thousands(n),
                    units = units.as_ref()
                ),
                t!(lang, "ready-n-ago", n = fmt::thousands(n)),
            ],
        };
        let when = when.into_iter().map(|w| format!(" · {w}"));
        let heading = first_fitting(
            when.chain([String::new()]).map(|when| {
                Line::from(vec![
                    Span::styled(format!("{unit} "), theme::LABEL),
                    Span::styled(fmt::thousands(r.spin), theme::SPINS),
                    Span::styled(when, theme::LABEL),
                ])
            }),
            inner.width as usize,
        );
        if lines.is_empty() {
            lines.push(heading);
        } else {
            items.push(heading);
        }
        items.extend(r.items.iter().map(|item| {
            let conn = format!("#{:<4}", item.conn);
            let size = format!("{:>5} ", fmt::bytes(item.bytes as u64));
            let queued = match item.pending {
                0 => String::new(),
                n => format!(
                    " +{}",
                    t!(lang, "ready-queued", bytes = fmt::bytes(n as u64))
                ),
            };
            // The preview gives way: the queued bytes stay in sight.
            let room =
                (inner.width as usize).saturating_sub(conn.width() + size.width() + queued.width());
            Line::from(vec![
                Span::styled(conn, theme::VALUE),
                Span::styled(size, theme::LABEL),
                Span::styled(
                    fmt::fit_escaped(&item.preview.to_string(), room),
                    theme::DATA,
                ),
                Span::styled(queued, theme::WARN),
            ])
        }));
    }
    if lines.is_empty() {
        Paragraph::new(Line::styled(t!(lang, "ready-empty"), theme::HINT))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    let height = (inner.height as usize).saturating_sub(1);
    d.view.set_rows(Panel::Ready, height);
    let (first, end) = window(items.len(), height, d.view.scroll_of(Panel::Ready));
    let len = items.len();
    lines.extend(items.into_iter().skip(first).take(end - first));
    Paragraph::new(lines).render(inner, buf);
    let more = run.ready.as_ref().map_or(0, |r| r.more);
    if more > 0 && close_wait.is_empty() && inner.height > 1 {
        let last = Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        };
        Line::styled(
            format!("… {}", t!(lang, "ready-and-more", n = more)),
            theme::HINT,
        )
        .render(last, buf);
    }
    scrollbar(len, height, first, area, buf);
}

/// "2 closed · 1 reset · 1 evicted · 1 ended": the parts there are, the
/// largest first, as many as fit in `room` columns.
fn gone_counts(lang: Lang, c: &GoneCounts, room: usize) -> String {
    let mut parts: Vec<(u64, &str)> = [
        (c.closed, "gone-count-closed"),
        (c.reset, "gone-count-reset"),
        (c.evicted, "gone-count-evicted"),
        (c.ended, "gone-count-ended"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .collect();
    parts.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let mut s = String::new();
    for (n, id) in parts {
        let part = format!(
            "{}{}",
            if s.is_empty() { "" } else { " · " },
            t!(lang, id, n = n)
        );
        if s.width() + part.width() + 2 <= room {
            s.push_str(&part);
        }
    }
    if s.is_empty() { s } else { format!(" {s} ") }
}

/// The lecture's `dis_conn_list`: the title counts them all, the bottom
/// border says how they left.
pub fn disconnected(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let counts = &d.conns.counts;
    let title = Line::from(vec![
        Span::styled(format!(" {} ", t!(lang, "gone-title")), theme::TITLE),
        Span::styled(format!("{} ", counts.total()), theme::VALUE),
    ]);
    let how = gone_counts(lang, counts, (area.width as usize).saturating_sub(2));
    let block =
        panel(d, Some(Panel::Disconnected), title).title_bottom(Line::styled(how, theme::LABEL));
    let inner = block.inner(area);
    block.render(area, buf);
    let gone = &d.conns.gone;
    if gone.is_empty() {
        Paragraph::new(Line::styled(t!(lang, "gone-empty"), theme::HINT))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    let height = inner.height as usize;
    d.view.set_rows(Panel::Disconnected, height);
    let (first, end) = window(gone.len(), height, d.view.scroll_of(Panel::Disconnected));
    // How long ago, right-aligned in a column as wide as its widest form
    // under a day ("23h ago").
    let ago_cols = [59, 59 * 60, 23 * 3600]
        .map(|s| text::ago(lang, s * 1_000_000).width())
        .into_iter()
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = gone
        .range(first..end)
        .map(|g| {
            let (reason, style) = match g.reason() {
                Reason::Closed => (
                    t!(lang, "gone-closed"),
                    theme::kind(&crate::event::EventKind::Closed { conn: 0 }),
                ),
                Reason::Reset => (t!(lang, "gone-reset"), theme::WARN),
                Reason::Evicted => (t!(lang, "gone-evict"), theme::WARN),
                Reason::Switched => (t!(lang, "gone-ended"), theme::LABEL),
            };
            // The reasons in a column: as wide as the widest.
            let reason = fit::pad(&reason, reason_cols(lang));
            // Whole parts or none: the id and how first, then what the
            // server said, when, and from where, as room allows.
            let mut row = Fit::new()
                .part(
                    MUST,
                    [Span::styled(
                        format!("{:<5}", format!("#{} ", g.id)),
                        theme::VALUE,
                    )],
                )
                .part(MUST, [Span::styled(format!("{reason} "), style)])
                .part(
                    6,
                    [Span::styled(
                        format!(
                            "{} ",
                            fit::pad_left(
                                &text::ago(lang, d.now_us.saturating_sub(g.t_us)),
                                ago_cols
                            )
                        ),
                        theme::LABEL,
                    )],
                );
            for (rank, part) in text::departure_parts(lang, &g.how) {
                row.push(rank, [Span::styled(format!("{part} "), theme::DATA)]);
            }
            row.push(3, [Span::styled(g.peer.clone(), theme::HINT)]);
            row.line(inner.width as usize)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
    scrollbar(gone.len(), height, first, area, buf);
}

/// The columns the Disconnected list's reasons take: the widest of them.
fn reason_cols(lang: Lang) -> usize {
    ["gone-closed", "gone-reset", "gone-evict", "gone-ended"]
        .iter()
        .map(|id| t!(lang, id).width())
        .max()
        .unwrap_or(0)
}

/// `line` in `style` alone, whatever its parts had.
fn lit(line: Line<'_>, style: ratatui::style::Style) -> Line<'_> {
    let spans: Vec<Span> = line.spans.into_iter().map(|s| s.style(style)).collect();
    Line::from(spans).style(style)
}

/// A scrollbar on the panel's right border when the list overflows.
pub(super) fn scrollbar(len: usize, visible: usize, first: usize, area: Rect, buf: &mut Buffer) {
    if len <= visible {
        return;
    }
    let mut state = ScrollbarState::new(len.saturating_sub(visible)).position(first);
    Scrollbar::new(ScrollbarOrientation::VerticalRight).render(
        area.inner(Margin::new(0, 1)),
        buf,
        &mut state,
    );
}

/// `127.0.0.1:8080` → `127.0.0.1 8080`, as nc wants it.
fn nc_target(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((host, port)) => format!("{} {port}", host.trim_matches(['[', ']'])),
        None => addr.to_string(),
    }
}
