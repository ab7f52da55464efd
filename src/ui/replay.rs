//! A replay's own rows: the progress bar with its marks, the player's
//! footer, and the lecturer's note when playback reaches one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{fit, push_keys, text, theme};
use crate::app::Dashboard;
use crate::replay::{Mark, ReplayInfo};
use crate::t;

/// The progress bar over the player's line: where the replay is, and its
/// marks (lit once reached).
pub fn footer(d: &Dashboard, r: &ReplayInfo, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let bar = Rect { height: 1, ..area };
    let keys = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    progress_bar(r, bar, buf);
    let mut line = fit::Fit::new();
    line.push(
        fit::MUST,
        [Span::styled(
            format!(" {} ", text::replay_progress(lang, r)),
            theme::TITLE,
        )],
    );
    if let Some(notice) = d.notice() {
        line.push(
            fit::MUST,
            [Span::styled(
                format!(" ⚠ {}", text::notice(lang, notice)),
                theme::WARN,
            )],
        );
    } else {
        let play = if r.paused {
            t!(lang, "footer-play")
        } else {
            t!(lang, "footer-pause")
        };
        let keys: [(fit::Rank, &str, std::borrow::Cow<'static, str>); 7] = [
            (fit::MUST, "q", t!(lang, "footer-quit")),
            (9, "space", play),
            (if r.paused { 8 } else { 0 }, "n", t!(lang, "footer-event")),
            (7, "← →", "10 s".into()),
            (
                if r.marks.is_empty() { 0 } else { 6 },
                "' \"",
                t!(lang, "footer-marks"),
            ),
            (5, "[ ]", t!(lang, "footer-speed")),
            (fit::MUST, "?", t!(lang, "footer-help")),
        ];
        push_keys(&mut line, keys, |key| {
            (key == "n" && !r.paused) || (key == "' \"" && r.marks.is_empty())
        });
    }
    line.line(keys.width as usize).render(keys, buf);
}

/// `━━━━━━●──◆────◆──`: played, the position, to come; `◆` a mark.
fn progress_bar(r: &ReplayInfo, area: Rect, buf: &mut Buffer) {
    let width = area.width.saturating_sub(2) as usize;
    if width < 4 {
        return;
    }
    let column = |at_us: u64| {
        let at = at_us.min(r.duration_us) as u128;
        (at * (width as u128 - 1) / (r.duration_us.max(1) as u128)) as usize
    };
    let here = column(r.at_us);
    let mut cells: Vec<Span> = (0..width)
        .map(|i| {
            if i < here {
                Span::styled("━", theme::TITLE)
            } else if i == here {
                Span::styled("●", theme::TITLE)
            } else {
                Span::styled("─", theme::BORDER)
            }
        })
        .collect();
    for (i, mark) in r.marks.iter().enumerate() {
        let reached = r.reached.is_some_and(|last| i <= last);
        let style = if reached {
            theme::PAUSED_TEXT
        } else {
            theme::LABEL
        };
        if let Some(cell) = cells.get_mut(column(mark.at_us)) {
            *cell = Span::styled("◆", style);
        }
    }
    let mut spans = vec![Span::raw(" ")];
    spans.extend(cells);
    Line::from(spans).render(area, buf);
}

/// Rows the note's panel takes at `width`: its text wrapped (at most three
/// lines) and a border.
pub fn note_height(mark: &Mark, width: u16) -> u16 {
    let inner = width.saturating_sub(4).max(1) as usize;
    let text = text::replay_note(mark);
    (text.width().div_ceil(inner)).clamp(1, 3) as u16 + 2
}

/// The lecturer's note the replay reached.
pub fn note(lang: crate::i18n::Lang, mark: &Mark, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .border_style(theme::PAUSED_TEXT)
        .title(Span::styled(
            format!(" {} ", t!(lang, "replay-note-title")),
            theme::PAUSED_TEXT,
        ));
    Paragraph::new(Line::styled(text::replay_note(mark), theme::VALUE))
        .wrap(Wrap { trim: true })
        .block(block)
        .render(area, buf);
}
