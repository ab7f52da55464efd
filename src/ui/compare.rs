//! The comparison overlay: one row per model that has run, measured while
//! it ran.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{fit, fmt, theme};
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
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
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
            [
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
            ]
        })
        .collect();
    // Each column as wide as its widest cell; where the popup is too narrow
    // for all, the least telling columns go (never a cut model name).
    const HEADERS: [&str; 9] = [
        "model", "ran", "CPU s/1k", "messages", "RTT p50", "RTT p99", "threads", "RSS", "idle CPU",
    ];
    const RANKS: [fit::Rank; 9] = [fit::MUST, 6, fit::MUST, 5, 4, 7, 3, 2, fit::MUST];
    let widths: Vec<usize> = (0..9)
        .map(|c| {
            cells
                .iter()
                .map(|row| ratatui::text::Span::raw(row[c].as_str()).width())
                .chain([HEADERS[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut shown = [true; 9];
    let total =
        |shown: &[bool; 9]| -> usize { (0..9).filter(|&c| shown[c]).map(|c| widths[c] + 2).sum() };
    let mut by_rank: Vec<usize> = (0..9).collect();
    by_rank.sort_by_key(|&c| (RANKS[c], std::cmp::Reverse(c)));
    for c in by_rank {
        if total(&shown) <= inner.width as usize || RANKS[c] == fit::MUST {
            break;
        }
        shown[c] = false;
    }
    let keep = |row: &[String; 9]| -> Vec<String> {
        (0..9)
            .filter(|&c| shown[c])
            .map(|c| row[c].clone())
            .collect()
    };
    let headers: [String; 9] = HEADERS.map(String::from);
    let table = Table::new(
        cells
            .iter()
            .map(|row| Row::new(keep(row)).style(theme::DATA)),
        (0..9)
            .filter(|&c| shown[c])
            .map(|c| Constraint::Length(widths[c] as u16)),
    )
    .header(Row::new(keep(&headers)).style(theme::HEADER_ROW))
    .column_spacing(2);
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
