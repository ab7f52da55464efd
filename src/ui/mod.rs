//! Rendering: one function per panel, all reading `&Dashboard`, none
//! changing it. The layout adapts from 80×24 up to a projector's 200×60.

mod bigdigits;
mod code;
mod compare;
pub mod explain;
mod fit;
pub mod fmt;
mod header;
mod help;
mod history;
mod lists;
mod log;
mod look;
mod note;
mod predict;
mod replay;
pub mod text;
pub mod theme;
mod threads;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use crate::app::{Dashboard, Panel};
use crate::t;

/// Draws the whole dashboard into the frame.
pub fn draw(frame: &mut Frame, dashboard: &Dashboard) {
    frame.render_widget(dashboard, frame.area());
    if let Some(at) = note::cursor(dashboard, frame.area()) {
        frame.set_cursor_position(at);
    }
}

impl Widget for &Dashboard {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.view.begin_frame();
        let big = area.height >= 40 && area.width >= 100;
        let replaying = self.replay.as_ref();
        let note = replaying.and_then(|r| r.note());
        let [head, body, note_area, foot] = area.layout(&Layout::vertical([
            Constraint::Length(header::height(big)),
            Constraint::Fill(1),
            Constraint::Length(note.map_or(0, |n| replay::note_height(n, area.width))),
            Constraint::Length(if replaying.is_some() { 2 } else { 1 }),
        ]));
        if let Some(note) = note {
            replay::note(self.view.lang, note, note_area, buf);
        }
        header::render(self, big, head, buf);
        if self.view.code {
            with_code(self, body, buf);
        } else if area.width >= 120 {
            // Wide: three lists side by side, the log and the history below.
            let [top, bottom] = body.layout(&Layout::vertical([
                Constraint::Percentage(45),
                Constraint::Fill(1),
            ]));
            let [conns, ready, gone] = top.layout(&Layout::horizontal([
                Constraint::Percentage(40),
                Constraint::Percentage(30),
                Constraint::Fill(1),
            ]));
            let [log_area, hist] = bottom.layout(&Layout::horizontal([
                Constraint::Percentage(60),
                Constraint::Fill(1),
            ]));
            place(self, [conns, ready, gone, log_area]);
            lists::connected(self, conns, buf);
            model_panel(self, ready, buf);
            lists::disconnected(self, gone, buf);
            log::render(self, log_area, buf);
            history::render(self, hist, buf);
        } else {
            let [top, middle, bottom] = body.layout(&Layout::vertical([
                Constraint::Percentage(40),
                Constraint::Percentage(25),
                Constraint::Fill(1),
            ]));
            let [conns, ready] = top.layout(&Layout::horizontal([
                Constraint::Percentage(60),
                Constraint::Fill(1),
            ]));
            let [gone, hist] = middle.layout(&Layout::horizontal([
                Constraint::Percentage(60),
                Constraint::Fill(1),
            ]));
            place(self, [conns, ready, gone, bottom]);
            lists::connected(self, conns, buf);
            model_panel(self, ready, buf);
            lists::disconnected(self, gone, buf);
            history::render(self, hist, buf);
            log::render(self, bottom, buf);
        }
        predict::render(self, body, buf);
        footer(self, foot, buf);
        if self.view.help {
            help::render(self, area, buf);
        } else if self.view.compare {
            compare::render(self, area, buf);
        } else if self.view.explain {
            explain::render(self, area, buf);
        }
        // Typed into on top of everything.
        note::render(self, area, buf);
        mend_wide(area, buf);
        // The viewer's colours and characters, on the finished frame.
        look::finish(self, area, buf);
    }
}

/// A wide character (CJK: two columns) under an overlay's edge: the
/// overlay drew over its second column, which a terminal never shows on
/// its own (the character covers it), so the overlay's border would be
/// lost. Such a character gives way to a space.
fn mend_wide(area: Rect, buf: &mut Buffer) {
    use unicode_width::UnicodeWidthStr;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right().saturating_sub(1) {
            let wide = buf[(x, y)].symbol().width() > 1;
            if wide && buf[(x + 1, y)].symbol() != " " {
                buf[(x, y)].set_symbol(" ");
            }
        }
    }
}

/// Where the frame draws the panels, in [`Panel::ALL`] order (an empty
/// rect for one it does not draw), for the mouse.
fn place(d: &Dashboard, rects: [Rect; 4]) {
    for (p, r) in Panel::ALL.into_iter().zip(rects) {
        if !r.is_empty() {
            d.view.placed(p, r);
        }
    }
}

/// The code panel open (`v`). Wide, it takes the right of the body at full
/// height, beside Connected, Ready to send (or Threads) and the log
/// (Disconnected and History give way); narrower, the top of the body,
/// above Connected and the log.
fn with_code(d: &Dashboard, body: Rect, buf: &mut Buffer) {
    if body.width >= 120 {
        let [left, right] = body.layout(&Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Percentage(55),
        ]));
        let [conns, ready, log_area] = left.layout(&Layout::vertical([
            Constraint::Percentage(35),
            Constraint::Percentage(25),
            Constraint::Fill(1),
        ]));
        place(d, [conns, ready, Rect::default(), log_area]);
        lists::connected(d, conns, buf);
        model_panel(d, ready, buf);
        log::render(d, log_area, buf);
        code::render(d, right, buf);
    } else {
        let [top, rest] = body.layout(&Layout::vertical([
            Constraint::Length(code::height(d, body.height)),
            Constraint::Fill(1),
        ]));
        let [conns, log_area] = rest.layout(&Layout::horizontal([
            Constraint::Percentage(45),
            Constraint::Fill(1),
        ]));
        place(d, [conns, Rect::default(), Rect::default(), log_area]);
        code::render(d, top, buf);
        lists::connected(d, conns, buf);
        log::render(d, log_area, buf);
    }
}

/// The lecture's ready-send list for the single-threaded loops; where every
/// thread is parked for the thread models.
fn model_panel(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    if d.has_threads() {
        threads::render(d, area, buf);
    } else {
        lists::ready(d, area, buf);
    }
}

fn footer(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    if let Some(r) = &d.replay {
        replay::footer(d, r, area, buf);
        return;
    }
    if let Some(notice) = d.notice() {
        Line::styled(format!(" ⚠ {}", text::notice(lang, notice)), theme::WARN).render(area, buf);
        return;
    }
    if d.view.note().is_some() {
        // The keys are the note's meanwhile: `q` is a q.
        Line::styled(format!(" {}", t!(lang, "footer-typing-note")), theme::LABEL)
            .render(area, buf);
        return;
    }
    let pause = if d.paused {
        t!(lang, "footer-resume")
    } else {
        t!(lang, "footer-pause")
    };
    // The most useful first to stay; `?` always, as it lists every key.
    let log = d.view.focus == Panel::Log;
    let keys: [(fit::Rank, &str, Cow<'static, str>); 13] = [
        (fit::MUST, "q", t!(lang, "footer-quit")),
        (9, "space", pause),
        (if d.paused { 9 } else { 0 }, "n", t!(lang, "footer-call")),
        (if d.paused { 8 } else { 0 }, "N", t!(lang, "footer-spin")),
        (5, "c", t!(lang, "footer-client")),
        (4, "x", t!(lang, "footer-reset-one")),
        (6, "d", t!(lang, "footer-demo")),
        (8, "m", t!(lang, "footer-model")),
        (7, "t", t!(lang, "footer-compare")),
        (3, "Tab", t!(lang, "footer-focus")),
        (7, "Enter", t!(lang, "footer-explain")),
        (2, "v", t!(lang, "footer-code")),
        (fit::MUST, "?", t!(lang, "footer-help")),
    ];
    let mut line = fit::Fit::new();
    push_keys(&mut line, keys, |key| {
        ((key == "n" || key == "N") && !d.paused) || (key == "Enter" && !log)
    });
    line.line(area.width as usize).render(area, buf);
}

/// The footer's keys, `key what` each at its rank, but those `hidden`.
pub(crate) fn push_keys<const N: usize>(
    line: &mut fit::Fit<'static>,
    keys: [(fit::Rank, &str, Cow<'static, str>); N],
    hidden: impl Fn(&str) -> bool,
) {
    for (rank, key, what) in keys {
        if hidden(key) {
            continue;
        }
        line.push(
            rank,
            [
                Span::styled(format!(" {key} "), theme::TITLE),
                Span::styled(format!("{what}  "), theme::LABEL),
            ],
        );
    }
}

/// A bordered panel, highlighted when it has the focus.
fn panel<'a>(d: &Dashboard, which: Option<Panel>, title: Line<'a>) -> Block<'a> {
    if let Some(p) = which {
        d.view.drawn(p);
    }
    let focused = which.is_some_and(|p| p == d.view.focus);
    Block::bordered()
        .border_type(if focused {
            look::focus_border(d)
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme::BORDER_FOCUS
        } else {
            theme::BORDER
        })
        .title(title)
}

/// Which rows of a list of `len` fit `height`, starting near `scroll`:
/// (first, end), never scrolled past the last page.
fn window(len: usize, height: usize, scroll: usize) -> (usize, usize) {
    let first = scroll.min(len.saturating_sub(height));
    (first, (first + height).min(len))
}
