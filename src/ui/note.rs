//! The marker's note input (`M`): a small box just above the footer that
//! says what it is for, with the note as typed and the cursor at its end.
//! A note longer than the box shows its end, where the typing is.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};
use unicode_width::UnicodeWidthChar;

use super::{text, theme};
use crate::app::{Dashboard, NOTE_MAX};
use crate::t;

/// The widest the box gets.
const MAX_WIDTH: u16 = 76;

/// Where the box goes on a screen of `area`: centred across, its bottom
/// border on the row above the footer.
fn popup(area: Rect) -> Rect {
    let width = area.width.min(MAX_WIDTH);
    let height = area.height.min(3);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height + 1),
        width,
        height,
    }
}

/// The end of `note` that fits `cols` columns (by display width), and
/// its width.
fn tail(note: &str, cols: usize) -> (&str, usize) {
    let mut used = 0;
    let mut from = note.len();
    for (at, c) in note.char_indices().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > cols {
            break;
        }
        used += w;
        from = at;
    }
    (&note[from..], used)
}

/// The row of the box the text is on, and the columns it has: a space
/// before the text, the cursor's cell after it.
fn text_row(area: Rect) -> (Rect, usize) {
    let inner = Block::bordered().inner(popup(area));
    (inner, (inner.width as usize).saturating_sub(2))
}

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let Some(note) = d.view.note() else {
        return;
    };
    let popup = popup(area);
    Clear.render(popup, buf);
    let count = text::note_count(note.chars().count(), NOTE_MAX);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(
            format!(" ◆ {} ", t!(d.view.lang, "note-title")),
            theme::TITLE,
        ))
        .title_bottom(Line::styled(count, theme::LABEL).right_aligned());
    block.render(popup, buf);
    let (row, cols) = text_row(area);
    let (shown, _) = tail(note, cols);
    Line::from(vec![
        Span::raw(" "),
        Span::styled(shown.to_string(), theme::VALUE),
        Span::styled(" ", theme::SELECTED),
    ])
    .render(row, buf);
}

/// Where the terminal's cursor goes while the note is typed (an input
/// method shows what it composes there): the cell after the text.
pub fn cursor(d: &Dashboard, area: Rect) -> Option<Position> {
    let note = d.view.note()?;
    let (row, cols) = text_row(area);
    if row.width == 0 || row.height == 0 {
        return None;
    }
    let (_, used) = tail(note, cols);
    let x = (row.x + 1 + used as u16).min(row.right().saturating_sub(1));
    Some(Position::new(x, row.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_fits_by_display_width() {
        assert_eq!(tail("hello", 10), ("hello", 5));
        assert_eq!(tail("hello", 3), ("llo", 3));
        // CJK is two columns: a character that would not fit whole goes.
        assert_eq!(tail("看这里", 5), ("这里", 4));
        assert_eq!(tail("", 5), ("", 0));
        assert_eq!(tail("abc", 0), ("", 0));
    }

    #[test]
    fn the_box_sits_above_the_footer_on_any_screen() {
        let p = popup(Rect::new(0, 0, 80, 24));
        assert_eq!((p.y, p.height, p.bottom()), (20, 3, 23));
        assert_eq!((p.x, p.width), (2, 76));
        let tiny = popup(Rect::new(0, 0, 10, 2));
        assert!(tiny.bottom() <= 2 && tiny.width == 10, "{tiny:?}");
    }
}
