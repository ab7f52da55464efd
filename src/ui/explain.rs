//! The explain overlay: what the selected log line's call was, what it
//! returned, what that means and where the lecture says so, in the
//! viewer's language. Which words say what is in `explain/texts.rs`; the
//! words themselves are in `assets/i18n/<lang>/explain.ftl`.

mod texts;

pub use texts::{About, Explanation, explain};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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
    let lang = d.view.lang;
    let e = explain(&event.kind, about(d, event.t_us), lang);
    let width = area.width.min(MAX_WIDTH);
    // Inside the borders and a column of padding each side.
    let inner = width.saturating_sub(4) as usize;
    let labels = texts::labels(lang);
    let label_cols = labels.iter().map(|l| l.width()).max().unwrap_or(0) + 2;
    let started = d.started_us.unwrap_or(0);
    let mut lines = vec![
        log::line(lang, event, started, inner, d.accept_wait(event)),
        Line::default(),
    ];
    let values = [
        (&e.call, theme::VALUE),
        (&e.returned, theme::VALUE),
        (&e.meaning, theme::DATA),
        (&e.lecture, theme::DATA),
    ];
    for (n, (label, (value, style))) in labels.iter().zip(values).enumerate() {
        // A blank line before the meaning and before the lecture.
        if n >= 2 {
            lines.push(Line::default());
        }
        let rows = wrap(value, inner.saturating_sub(label_cols));
        for (i, row) in rows.into_iter().enumerate() {
            let head = if i == 0 { label.as_str() } else { "" };
            // Padded by display width: a Chinese label is two columns a
            // character (`format!`'s padding counts characters).
            let pad = label_cols.saturating_sub(head.width());
            lines.push(Line::from(vec![
                Span::styled(format!("{head}{}", " ".repeat(pad)), theme::TITLE),
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
    d.view.explain_drawn(popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .padding(Padding::horizontal(1))
        .title(Line::styled(
            format!(
                " {} ",
                texts::title(lang, &text::kind_label(lang, &event.kind))
            ),
            theme::TITLE,
        ))
        .title_bottom(Line::styled(
            format!(" {} ", texts::closes(lang)),
            theme::LABEL,
        ));
    Paragraph::new(lines).block(block).render(popup, buf);
}

/// `text` in rows of at most `cols` columns (display columns: a Chinese
/// character takes two), broken between words, or between two Chinese
/// characters, never before `，。：）` nor after `（「` (a word wider than a
/// row is broken where the row ends).
fn wrap(text: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        for (j, piece) in pieces(word).into_iter().enumerate() {
            // A space before a word; nothing inside one.
            let room = if row.is_empty() || j > 0 { 0 } else { 1 };
            if !row.is_empty() && row.width() + room + piece.width() > cols {
                rows.push(std::mem::take(&mut row));
            }
            if !row.is_empty() && j == 0 {
                row.push(' ');
            }
            for c in piece.chars() {
                let w = UnicodeWidthChar::width(c).unwrap_or(0);
                if !row.is_empty() && row.width() + w > cols {
                    rows.push(std::mem::take(&mut row));
                }
                row.push(c);
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// A word (no spaces) in the pieces a row may end between: all of it in
/// English; in Chinese, a character at a time, punctuation kept with the
/// character it belongs to.
fn pieces(word: &str) -> Vec<&str> {
    let wide = |c: char| UnicodeWidthChar::width(c) == Some(2);
    // Chinese punctuation that closes (no row starts with it) and that
    // opens (no row ends with it).
    let closing = |c: char| "，。、：；！？）」』》】".contains(c);
    let opening = |c: char| "（「『《【".contains(c);
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in word.char_indices() {
        if prev.is_some_and(|p| (wide(p) || wide(c)) && !closing(c) && !opening(p)) {
            out.push(&word[start..i]);
            start = i;
        }
        prev = Some(c);
    }
    out.push(&word[start..]);
    out
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

    #[test]
    fn chinese_wraps_between_characters_by_display_width() {
        // Two columns a character: four characters fill eight columns.
        assert_eq!(
            wrap("现在还没有，稍后再问", 8),
            ["现在还没", "有，稍后", "再问"]
        );
        // No row starts with closing punctuation, none ends with opening:
        // the character before goes down with it.
        assert_eq!(wrap("一二三，四", 6), ["一二", "三，四"]);
        assert_eq!(wrap("一二（三）", 6), ["一二", "（三）"]);
        // Code in Chinese text stays whole, spaces around it are breaks.
        assert_eq!(
            wrap("内核立即返回 EAGAIN，而不是让循环等待", 16),
            ["内核立即返回", "EAGAIN，而不是让", "循环等待"]
        );
        let text = "服务端也关闭了自己这一端，并把 #3 从已连接列表中删除；\
                    照原样的讲义代码则会把 b'' 当作数据。";
        for cols in 1..40 {
            for row in wrap(text, cols) {
                assert!(row.width() <= cols.max(2), "{cols}: {row:?}");
                assert!(!row.starts_with(' ') && !row.ends_with(' '), "{row:?}");
            }
        }
    }
}
