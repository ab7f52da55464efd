//! The code panel (`v`): the running model's loop as a short listing in
//! the lecture's names. At full speed each line the events tell about
//! shows how many times it ran in the last second; while the loop is
//! followed call by call (paused, stepped, slow motion) the line of its
//! last call is lit, with what the call returned beside it, and the branch
//! it took more softly; for the thread models, each line shows the threads
//! parked in it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{fmt, lists::scrollbar, panel, text, theme};
use crate::app::{Dashboard, Listing, Point, ServerInfo, ThreadState, listing, split_comment};
use crate::i18n::Lang;
use crate::t;

/// Columns before the code: the line number and the mark.
const GUTTER: usize = 3;
/// Columns between the code and what is written beside it.
const GAP: usize = 1;

fn listing_of(lang: Lang, server: &ServerInfo) -> &'static Listing {
    listing(
        lang,
        server.model,
        server.faithful && server.model.has_listing(),
    )
}

/// The rows the panel takes above the others (narrow terminals): the
/// whole listing if it fits in about half the body, else that half.
pub fn height(d: &Dashboard, body_height: u16) -> u16 {
    let lines = d
        .server
        .as_ref()
        .map_or(1, |s| listing_of(d.view.lang, s).lines.len());
    let wanted = u16::try_from(lines + 2).unwrap_or(u16::MAX);
    wanted.min(body_height / 2 + 1)
}

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let title = format!(" {} ", t!(lang, "code-title"));
    let Some(server) = &d.server else {
        let block = panel(d, None, Line::styled(title, theme::TITLE));
        let inner = block.inner(area);
        block.render(area, buf);
        Paragraph::new(Line::styled(t!(lang, "code-none"), theme::HINT))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    };
    let listing = listing_of(lang, server);
    let follow = d.follows_calls();
    let at = d.code.at.as_ref().filter(|_| follow);
    let call = at.and_then(|a| listing.line_of(a.call));
    let branch = at.and_then(|a| a.branch.iter().find_map(|p| listing.line_of(*p)));
    let parked = parked(d, listing);

    let mode_style = if d.paused {
        theme::PAUSED_TEXT
    } else {
        theme::LABEL
    };
    let title = Line::from(vec![
        Span::styled(title, theme::TITLE),
        Span::styled(format!("{} ", listing.file), theme::VALUE),
        Span::styled(
            format!("{} ", text::code_mode(lang, d.paused, follow)),
            mode_style,
        ),
    ]);
    let legend = text::code_legend(lang, follow, d.has_threads());
    let block = panel(d, None, title).title_bottom(Line::styled(legend, theme::HINT));
    let inner = block.inner(area);
    block.render(area, buf);

    let (width, rows, len) = (
        inner.width as usize,
        inner.height as usize,
        listing.lines.len(),
    );
    // The right-hand column: runs in the last second, or (followed call
    // by call) runs so far.
    let figures: Vec<Option<(String, Style)>> = listing
        .lines
        .iter()
        .map(|l| l.point.map(|p| figure(d, p, follow)))
        .collect();
    // Keep in sight the call and its branch; else the line most threads
    // are parked in; else the busiest line.
    let focus = match (call, branch) {
        (Some(c), Some(b)) => Some((c.min(b), c.max(b))),
        (Some(c), None) | (None, Some(c)) => Some((c, c)),
        (None, None) => busiest(d, listing, &parked, follow).map(|i| (i, i)),
    };
    let first = first_row(len, rows, focus);
    let lines: Vec<Line> = (first..len.min(first + rows))
        .map(|i| {
            let lit = if Some(i) == call {
                Lit::Call
            } else if Some(i) == branch {
                Lit::Branch
            } else {
                Lit::No
            };
            let mut row = code_row(i, listing.lines[i].text, lit);
            let used = GAP + GUTTER + listing.lines[i].text.width();
            let mut figure = figures[i].clone();
            let figure_cols = figure.as_ref().map_or(0, |(s, _)| s.width() + 1);
            // Beside the code: what the call returned (whole, else
            // shorter), the threads parked; before the figure, which goes
            // first when they do not fit.
            let beside = |room: usize, whole_only: bool| {
                let value = at.filter(|_| lit == Lit::Call).and_then(|a| {
                    let forms = returned(d, a, room.saturating_sub(2));
                    let n = if whole_only { 1 } else { forms.len() };
                    let mut forms = forms.into_iter().take(n).map(|v| format!("◀ {v}"));
                    forms.find(|v| v.width() <= room)
                });
                let left = room.saturating_sub(value.as_ref().map_or(0, |v| v.width() + GAP));
                let names = names_fitting(lang, &parked[i], left);
                (value, names)
            };
            let fits = |(value, names): &(Option<String>, Option<String>)| {
                (lit != Lit::Call || at.is_none() || value.is_some())
                    && (parked[i].is_empty() || names.is_some())
            };
            let with_figure = width.saturating_sub(used + figure_cols);
            let all = width.saturating_sub(used);
            let choices = [
                (with_figure, true, true),
                (all, true, false),
                (with_figure, false, true),
                (all, false, false),
            ];
            let ((value, names), keep_figure) = choices
                .into_iter()
                .map(|(room, whole_only, keep)| (beside(room, whole_only), keep))
                .find(|(found, _)| fits(found))
                .unwrap_or_else(|| (beside(all, false), false));
            if !keep_figure {
                figure = None;
            }
            let mut cols = GUTTER + listing.lines[i].text.width();
            let extras = [(value, theme::VALUE), (names, theme::CODE_PARKED)];
            for (s, style) in extras.into_iter().filter_map(|(s, st)| Some((s?, st))) {
                row.push(Span::raw(" ".repeat(GAP)));
                cols += GAP + s.width();
                row.push(Span::styled(s, style));
            }
            if let Some((f, style)) = figure {
                let pad = width.saturating_sub(cols + f.width());
                if pad > 0 {
                    row.push(Span::raw(" ".repeat(pad)));
                    row.push(Span::styled(f, style));
                }
            }
            Line::from(row)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
    scrollbar(len, rows, first, area, buf);
}

fn faithful(d: &Dashboard) -> bool {
    d.server.as_ref().is_some_and(|s| s.faithful)
}

/// What the call returned, in `room` columns: whole, then shorter.
fn returned(d: &Dashboard, at: &crate::app::At, room: usize) -> Vec<String> {
    let peer = at
        .conn
        .and_then(|c| d.conns.live.get(&c))
        .map(|c| c.peer.as_str());
    let error = d.accept_error.as_ref().map(|(_, e)| e.as_str());
    text::returned(
        d.view.lang,
        &at.returned,
        at.conn,
        peer,
        error,
        faithful(d),
        room,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lit {
    /// The line of the loop's last call.
    Call,
    /// The branch that call took.
    Branch,
    No,
}

/// A line's number, its mark and its code, a comment set apart.
fn code_row(i: usize, code: &'static str, lit: Lit) -> Vec<Span<'static>> {
    let (mark, number, code_style, comment_style) = match lit {
        Lit::Call => ("▶", theme::CODE_AT, theme::CODE_AT, theme::CODE_AT),
        Lit::Branch => (
            "›",
            theme::CODE_BRANCH,
            theme::CODE_BRANCH,
            theme::CODE_BRANCH,
        ),
        Lit::No => (" ", theme::HINT, theme::DATA, theme::CODE_COMMENT),
    };
    let (code, comment) = split_comment(code);
    let mut spans = vec![
        Span::styled(format!("{:>2}", i + 1), number),
        Span::styled(mark, code_style),
        Span::styled(code, code_style),
    ];
    if !comment.is_empty() {
        spans.push(Span::styled(comment, comment_style));
    }
    spans
}

/// The right-hand figure of a line marked `point`: runs in the last
/// second, or (followed call by call) runs so far.
fn figure(d: &Dashboard, point: Point, follow: bool) -> (String, Style) {
    let zero = (text::CODE_ZERO.to_string(), theme::HINT);
    if follow {
        match d.code.count(point) {
            0 => zero,
            n => (fmt::thousands(n), theme::CODE_COUNT),
        }
    } else {
        match d.code.rate(point) {
            r if r <= 0.0 => zero,
            r if r < 0.5 => (text::CODE_RARE.to_string(), theme::CODE_COUNT),
            r => (fmt::rate(r), theme::CODE_COUNT),
        }
    }
}

/// The threads parked on each line (in the call that line makes).
fn parked<'a>(d: &'a Dashboard, listing: &Listing) -> Vec<Vec<&'a str>> {
    let mut parked = vec![Vec::new(); listing.lines.len()];
    for row in d.threads.rows.values() {
        // Held by the pause before their next call: in no call.
        if row.held {
            continue;
        }
        if let ThreadState::Blocked { call, conn } = row.state {
            if let Some(i) = listing.line_of(Point::parked_in(call, conn)) {
                parked[i].push(row.name.as_str());
            }
        }
    }
    parked
}

/// `◀ conn-3 conn-7 +12 more`: as many names as fit `room`, and how many
/// did not.
fn names_fitting(lang: Lang, names: &[&str], room: usize) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    (0..=names.len()).rev().find_map(|shown| {
        let mut s = format!("◀ {}", names[..shown].join(" "));
        if shown < names.len() {
            if shown > 0 {
                s.push(' ');
            }
            s.push_str(&text::more(lang, names.len() - shown));
        }
        (s.width() <= room).then_some(s)
    })
}

/// The line to keep in sight when nothing is lit: the one most threads
/// are parked in, else (at full speed) the busiest.
fn busiest(d: &Dashboard, listing: &Listing, parked: &[Vec<&str>], follow: bool) -> Option<usize> {
    if let Some((i, _)) = parked
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .max_by_key(|(i, p)| (p.len(), std::cmp::Reverse(*i)))
    {
        return Some(i);
    }
    if follow {
        return None;
    }
    listing
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.point.map(|p| (i, d.code.rate(p))))
        .filter(|(_, r)| *r > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// The first line shown, `rows` at a time out of `len`: the focus lines
/// (from, to) in sight, the first of them about a third of the way down.
fn first_row(len: usize, rows: usize, focus: Option<(usize, usize)>) -> usize {
    if len <= rows {
        return 0;
    }
    let Some((lo, hi)) = focus else {
        return 0;
    };
    let mut first = lo.saturating_sub(rows / 3);
    if hi >= first + rows {
        first = (hi + 1 - rows).min(lo);
    }
    first.min(len - rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_starts_at_a_hash_outside_quotes() {
        assert_eq!(
            split_comment("data = conn.recv(1024)   # b'' too"),
            ("data = conn.recv(1024)   ", "# b'' too")
        );
        assert_eq!(split_comment("x = '#'  # y"), ("x = '#'  ", "# y"));
        assert_eq!(split_comment("while True:"), ("while True:", ""));
    }

    #[test]
    fn parked_threads_fit_their_room() {
        let names = ["conn-3", "conn-7", "conn-100"];
        assert_eq!(
            names_fitting(Lang::En, &names, 40).as_deref(),
            Some("◀ conn-3 conn-7 conn-100")
        );
        assert_eq!(
            names_fitting(Lang::En, &names, 23).as_deref(),
            Some("◀ conn-3 conn-7 +1 more")
        );
        assert_eq!(
            names_fitting(Lang::En, &names, 9).as_deref(),
            Some("◀ +3 more")
        );
        assert_eq!(names_fitting(Lang::En, &names, 5), None);
        assert_eq!(names_fitting(Lang::En, &[], 40), None);
        // Chinese: by display width.
        assert_eq!(
            names_fitting(Lang::Zh, &names, 18).as_deref(),
            Some("◀ conn-3 还有 2 个")
        );
    }

    #[test]
    fn the_focus_stays_in_sight_a_third_of_the_way_down() {
        assert_eq!(first_row(10, 20, Some((8, 8))), 0);
        assert_eq!(first_row(28, 8, Some((12, 12))), 10);
        assert_eq!(first_row(28, 8, Some((12, 18))), 11);
        assert_eq!(first_row(28, 8, Some((27, 27))), 20);
        assert_eq!(first_row(28, 8, Some((2, 20))), 2, "the call first");
        assert_eq!(first_row(28, 8, None), 0);
    }
}
