//! The comparison overlay: one row per model that has run, measured while
//! it ran.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{fmt, theme};
use crate::app::Dashboard;

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let rows = d.compare();
    let height = (rows.len() as u16 + 8).min(area.height);
    let popup = area.centered(Constraint::Max(110), Constraint::Length(height));
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(" Models compared ", theme::TITLE))
        .title_bottom(Line::styled(
            " t or Esc closes · m switches model ",
            theme::LABEL,
        ));
    let inner = block.inner(popup);
    block.render(popup, buf);
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
    let rows = rows.iter().map(|r| {
        let mut name = r.model.name().to_string();
        if r.faithful {
            name.push_str(" (faithful)");
        }
        if r.current {
            name.push_str(" ◀");
        }
        let mut ran = fmt::clock(r.ran_us);
        if r.runs > 1 {
            ran.push_str(&format!(" ×{}", r.runs));
        }
        Row::new(vec![
            name,
            ran,
            opt(r.cpu_s_per_1k().map(|v| format!("{v:.3}"))),
            fmt::thousands(r.messages),
            opt(r.rtt_at(0.5).map(fmt::micros)),
            opt(r.rtt_at(0.99).map(fmt::micros)),
            r.max_threads.to_string(),
            if r.max_rss > 0 {
                fmt::bytes(r.max_rss)
            } else {
                "—".into()
            },
            opt(r.idle_cpu_pct().map(|v| format!("{v:.1}%"))),
        ])
        .style(theme::DATA)
    });
    let table = Table::new(
        rows,
        [
            Constraint::Fill(2),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(8),
        ],
    )
    .header(
        Row::new([
            "model", "ran", "CPU s/1k", "messages", "RTT p50", "RTT p99", "threads", "RSS",
            "idle CPU",
        ])
        .style(theme::HEADER_ROW),
    )
    .column_spacing(1);
    let [table_area, note] = inner.layout(&ratatui::layout::Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
    ]));
    Widget::render(table, table_area, buf);
    Paragraph::new(Line::styled(
        "CPU s/1k: server CPU seconds per 1,000 messages. RTT: the built-in clients' round trips \
         (c adds one, s makes them talk). threads, RSS: the most seen. idle CPU: % of one core \
         in whole seconds without a message (paused seconds and a run's first second left out). ran: how long in all, ×N when it ran N times.",
        theme::LABEL,
    ))
    .wrap(Wrap { trim: true })
    .render(note, buf);
}
