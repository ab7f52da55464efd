//! The explain overlay: what the selected log line's call was, what it
//! returned, what that means and where the lecture says so. The words are
//! all in `explain/texts.rs`.

mod texts;

pub use texts::{About, Explanation, explain};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use super::{log, text, theme};
use crate::app::Dashboard;

/// The widest the panel gets: lines short enough to read at a glance.
const MAX_WIDTH: u16 = 76;

/// What is known of the run that was going at `t_us`.
fn about(d: &Dashboard, t_us: u64) -> About {
    d.run_at(t_us).map_or_else(About::default, |r| About {
        model: Some(r.model),
        faithful: r.faithful,
    })
}

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let Some(event) = d.selected_event() else {
        return;
    };
    let e = explain(&event.kind, about(d, event.t_us));
    let width = area.width.min(MAX_WIDTH);
    // Inside the borders and a column of padding each side.
    let inner = width.saturating_sub(4) as usize;
    let labels = [texts::CALL, texts::RETURNED, texts::MEANING, texts::LECTURE];
    let label_cols = labels.iter().map(|l| l.width()).max().unwrap_or(0) + 2;
    let started = d.started_us.unwrap_or(0);
    let mut lines = vec![
        log::line(
            crate::i18n::Lang::En, // lang: explain
            event,
            started,
            inner,
            d.accept_wait(event),
        ),
        Line::default(),
    ];
    for (label, value, style) in [
        (texts::CALL, &e.call, theme::VALUE),
        (texts::RETURNED, &e.returned, theme::VALUE),
        (texts::MEANING, &e.meaning, theme::DATA),
        (texts::LECTURE, &e.lecture, theme::DATA),
    ] {
        if label == texts::MEANING || label == texts::LECTURE {
            lines.push(Line::default());
        }
        let rows = wrap(value, inner.saturating_sub(label_cols));
        for (i, row) in rows.into_iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{head:<label_cols$}"), theme::TITLE),
                Span::styled(row, style),
            ]));
        }
    }
    // Centred across, near the top: the log is at the bottom in every
    // layout, and the selected line stays in sight as ↑ ↓ move it.
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height).min(1),
        width,
        height,
    };
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .padding(Padding::horizontal(1))
        .title(Line::styled(
            format!(
                " {}: {} ",
                texts::TITLE,
                text::kind_label(crate::i18n::Lang::En, &event.kind) // lang: explain
            ),
            theme::TITLE,
        ))
        .title_bottom(Line::styled(format!(" {} ", texts::CLOSES), theme::LABEL));
    Paragraph::new(lines).block(block).render(popup, buf);
}

/// `text` in rows of at most `cols` columns, broken between words (a word
/// wider than a row is broken where the row ends).
fn wrap(text: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let room = if row.is_empty() { 0 } else { 1 };
        if !row.is_empty() && row.width() + room + word.width() > cols {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        for c in word.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if row.width() + w > cols {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_between_words_and_never_past_the_row() {
        assert_eq!(
            wrap("nothing there yet, ask again", 12),
            ["nothing", "there yet,", "ask again"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        for row in wrap("a — b ECONNRESET (ConnectionResetError in Python)", 10) {
            assert!(row.width() <= 10, "{row:?}");
        }
    }
}
