//! The help overlay: every key, from the keymap itself.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::{look, theme};
use crate::app::{Dashboard, KEYS};
use crate::t;

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    // Beyond loopback, first: the line the room's laptops type.
    let room = look::room_help(d, area.width.min(72).saturating_sub(2) as usize);
    let height = (KEYS.len() + room.len()) as u16 + 6;
    let popup = area.centered(Constraint::Max(72), Constraint::Length(height));
    Clear.render(popup, buf);
    // More keys than rows: ↑ ↓ scroll the help.
    let rows = popup.height.saturating_sub(2) as usize;
    let overflow = (KEYS.len() + room.len()).saturating_sub(rows);
    d.view.set_help_overflow(overflow);
    let scroll = d.view.help_scroll.min(overflow);
    let closes = t!(lang, "help-closes");
    let more = t!(lang, "help-more");
    let hint = match (overflow, scroll) {
        (0, _) => format!(" {closes} "),
        (_, 0) => format!(" ↓ {more} · {closes} "),
        (o, s) if s >= o => format!(" ↑ {more} · {closes} "),
        _ => format!(" ↑ ↓ {more} · {closes} "),
    };
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(
            format!(" {} ", t!(lang, "help-title")),
            theme::TITLE,
        ))
        .title_bottom(Line::styled(hint, theme::LABEL));
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<16}", b.keys_text()), theme::TITLE),
                Span::styled(b.what(lang, d.replay.is_some()), theme::DATA),
            ])
        })
        .collect();
    lines.splice(0..0, room);
    // The notes, where there is room for them under every key.
    if area.height >= height {
        lines.push(Line::from(""));
        lines.push(Line::styled(t!(lang, "help-note-rates"), theme::LABEL));
        lines.push(Line::styled(t!(lang, "help-note-escaped"), theme::LABEL));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0))
        .block(block)
        .render(popup, buf);
}
