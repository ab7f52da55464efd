//! Lines made of parts that are shown whole or not at all: a number, a
//! reason, an address is never cut. When a line is too wide for its room,
//! the least important parts go first; the order of what stays is kept.

use ratatui::text::{Line, Span};

/// How much a part matters; [`MUST`] parts are never left out.
pub type Rank = u8;
pub const MUST: Rank = u8::MAX;

#[derive(Debug, Default)]
pub struct Fit<'a> {
    parts: Vec<(Rank, Vec<Span<'a>>)>,
}

impl<'a> Fit<'a> {
    pub fn new() -> Self {
        Fit { parts: Vec::new() }
    }

    /// Adds a part: shown whole, or left out if the line has no room.
    pub fn part(mut self, rank: Rank, spans: impl IntoIterator<Item = Span<'a>>) -> Self {
        self.push(rank, spans);
        self
    }

    pub fn push(&mut self, rank: Rank, spans: impl IntoIterator<Item = Span<'a>>) {
        self.parts.push((rank, spans.into_iter().collect()));
    }

    /// The line for `width` columns (by display width: CJK is two).
    pub fn line(self, width: usize) -> Line<'a> {
        let widths: Vec<usize> = self
            .parts
            .iter()
            .map(|(_, spans)| spans.iter().map(Span::width).sum())
            .collect();
        let mut keep = vec![true; self.parts.len()];
        let mut total: usize = widths.iter().sum();
        // Least important first; among equals, the rightmost first.
        let mut order: Vec<usize> = (0..self.parts.len()).collect();
        order.sort_by_key(|&i| (self.parts[i].0, std::cmp::Reverse(i)));
        for i in order {
            if total <= width {
                break;
            }
            if self.parts[i].0 == MUST {
                break;
            }
            keep[i] = false;
            total -= widths[i];
        }
        let spans: Vec<Span<'a>> = self
            .parts
            .into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .flat_map(|((_, spans), _)| spans)
            .collect();
        Line::from(spans)
    }
}

/// The first of `options` that fits `width` columns, else the last: for a
/// value with a long and a short form.
pub fn first_fitting<'a>(options: impl IntoIterator<Item = Line<'a>>, width: usize) -> Line<'a> {
    let mut last = Line::default();
    for option in options {
        if option.width() <= width {
            return option;
        }
        last = option;
    }
    last
}

/// `text` padded with spaces on the right to `cols` display columns (CJK
/// is two): `format!("{:<cols$}")` for a column of words.
pub fn pad(text: &str, cols: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{text}{}", " ".repeat(cols.saturating_sub(text.width())))
}

/// ... on the left: `format!("{:>cols$}")`.
pub fn pad_left(text: &str, cols: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{}{text}", " ".repeat(cols.saturating_sub(text.width())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_least_important_parts_go_first_and_nothing_is_cut() {
        let fit = || {
            Fit::new()
                .part(MUST, [Span::raw("PAUSED ")])
                .part(3, [Span::raw("nonblocking ")])
                .part(1, [Span::raw("backlog 5 ")])
                .part(2, [Span::raw("up 00:11 ")])
                .part(1, [Span::raw("DEMO")])
        };
        assert_eq!(
            text(&fit().line(100)),
            "PAUSED nonblocking backlog 5 up 00:11 DEMO"
        );
        // Rank 1 parts go, the rightmost first.
        assert_eq!(
            text(&fit().line(38)),
            "PAUSED nonblocking backlog 5 up 00:11 "
        );
        assert_eq!(text(&fit().line(30)), "PAUSED nonblocking up 00:11 ");
        assert_eq!(text(&fit().line(10)), "PAUSED ");
        // A must that does not fit stays (the terminal cuts it).
        assert_eq!(text(&fit().line(3)), "PAUSED ");
    }

    #[test]
    fn padding_is_by_display_width() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("关闭", 6), "关闭  ");
        assert_eq!(pad("closed", 4), "closed");
        assert_eq!(pad_left("3秒前", 7), "  3秒前");
        assert_eq!(pad_left("now", 7), format!("{:>7}", "now"));
    }

    #[test]
    fn width_is_display_width() {
        let line = Fit::new()
            .part(MUST, [Span::raw("你好")])
            .part(1, [Span::raw("ab")])
            .line(5);
        assert_eq!(text(&line), "你好");
    }
}
