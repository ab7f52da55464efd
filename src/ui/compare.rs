//! The comparison overlay: one row per model that has run, measured while
//! it ran.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{fit, fmt, text, theme};
use crate::app::Dashboard;
use crate::t;
use unicode_width::UnicodeWidthStr;

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let rows = d.compare();
    let height = (rows.len() as u16 + 8).min(area.height);
    let popup = area.centered(Constraint::Max(110), Constraint::Length(height));
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(
            format!(" {} ", t!(lang, "compare-title")),
            theme::TITLE,
        ))
        .title_bottom(Line::styled(
            format!(" {} ", t!(lang, "compare-closes")),
            theme::LABEL,
        ));
    let inner = block.inner(popup);
    block.render(popup, buf);
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            let mut name = text::model_name(lang, r.model).into_owned();
            if r.faithful {
                name.push_str(&format!(" ({})", t!(lang, "compare-faithful")));
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
    let headers: [String; 9] = [
        "compare-model",
        "compare-ran",
        "compare-cpu",
        "compare-messages",
        "compare-rtt-p50",
        "compare-rtt-p99",
        "compare-threads",
        "compare-rss",
        "compare-idle-cpu",
    ]
    .map(|id| t!(lang, id).into_owned());
    const RANKS: [fit::Rank; 9] = [fit::MUST, 6, fit::MUST, 5, 4, 7, 3, 2, fit::MUST];
    let widths: Vec<usize> = (0..9)
        .map(|c| {
            cells
                .iter()
                .map(|row| ratatui::text::Span::raw(row[c].as_str()).width())
                .chain([headers[c].width()])
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
    Paragraph::new(Line::styled(t!(lang, "compare-note"), theme::LABEL))
        .wrap(Wrap { trim: true })
        .render(note, buf);
}
