//! What only the viewer controls: overlays, focus, scrolling, and the
//! one-line notices that fade. Nothing here comes from the server.

use std::cell::Cell;

use super::keymap::Action;
use crate::event::Model;

/// How long a notice stays on screen.
pub const NOTICE_US: u64 = 4_000_000;

/// A panel that takes focus and scrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Connected,
    /// The ready-send list, or the Threads panel of the thread models.
    Ready,
    Disconnected,
    Log,
}

impl Panel {
    pub const ALL: [Panel; 4] = [
        Panel::Connected,
        Panel::Ready,
        Panel::Disconnected,
        Panel::Log,
    ];

    pub(crate) fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Something the viewer asked for that could not be done, said on screen
/// for a few seconds. Codes: the UI words them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// `x` / `X`: no built-in client is connected.
    NoBuiltinClients,
    /// `s`: no chatty built-in client is connected (idle ones stay silent).
    NoChattyClients,
    /// Built-in clients exist only beside a live server.
    NoClientsHere,
    /// `n` only steps a paused loop.
    StepNeedsPause,
    /// `m`: the next model could not start (the old one runs again).
    SwitchFailed { model: Model, error: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub help: bool,
    /// The model comparison overlay.
    pub compare: bool,
    /// The code panel (`v`): the model's loop, line by line.
    pub code: bool,
    pub focus: Panel,
    /// Rows scrolled, per panel in [`Panel::ALL`] order. For the log, rows
    /// up from the newest (0 follows the tail).
    scroll: [usize; 4],
    /// The latest notice and when (server clock) it was given.
    notice: Option<(u64, Notice)>,
    /// Rows each panel showed when it was last drawn: scrolling stops where
    /// the last page is full (drawing sets it through a shared reference).
    rows: Cell<[usize; 4]>,
}

impl ViewState {
    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll[panel.index()]
    }

    /// The renderer says how many rows of `panel` fit on screen.
    pub fn set_rows(&self, panel: Panel, rows: usize) {
        let mut all = self.rows.get();
        all[panel.index()] = rows;
        self.rows.set(all);
    }

    /// An overlay (help, comparison) is open.
    pub fn overlay_open(&self) -> bool {
        self.help || self.compare
    }

    pub fn notify(&mut self, now_us: u64, notice: Notice) {
        self.notice = Some((now_us, notice));
    }

    /// The notice to show at `now_us`, if it has not faded yet.
    pub fn notice(&self, now_us: u64) -> Option<&Notice> {
        self.notice
            .as_ref()
            .filter(|(t, _)| now_us.saturating_sub(*t) < NOTICE_US)
            .map(|(_, n)| n)
    }

    /// Applies an action that changes only the view; `len` tells how many
    /// rows a panel has now.
    pub fn handle(&mut self, action: Action, len: impl Fn(Panel) -> usize) {
        let focus = self.focus;
        // The furthest a panel scrolls: its last page full (one row when
        // it has not been drawn yet).
        let page = self.rows.get()[focus.index()].max(1);
        let last = len(focus).saturating_sub(page);
        // The log counts rows up from its newest line; the lists, rows down
        // from their first.
        let (up, down, top, bottom) = if focus == Panel::Log {
            (1, -1, last, 0)
        } else {
            (-1, 1, 0, last)
        };
        let scroll = &mut self.scroll[focus.index()];
        let step = |s: usize, dir: isize, n: usize| {
            if dir > 0 {
                (s + n).min(last)
            } else {
                s.saturating_sub(n)
            }
        };
        match action {
            Action::ToggleHelp => {
                self.help = !self.help;
                self.compare = false;
            }
            Action::ToggleCompare => {
                self.compare = !self.compare;
                self.help = false;
            }
            Action::ToggleCode => self.code = !self.code,
            Action::CloseOverlay => {
                self.help = false;
                self.compare = false;
            }
            Action::FocusNext => self.focus = Panel::ALL[(focus.index() + 1) % 4],
            Action::FocusPrev => self.focus = Panel::ALL[(focus.index() + 3) % 4],
            Action::ScrollUp(n) => *scroll = step(*scroll, up, n),
            Action::ScrollDown(n) => *scroll = step(*scroll, down, n),
            Action::ScrollHome => *scroll = top,
            Action::ScrollEnd => *scroll = bottom,
            _ => {}
        }
    }

    /// A log line was added: a log scrolled back stays on the same lines.
    pub fn log_grew(&mut self, log_len: usize) {
        let i = Panel::Log.index();
        if self.scroll[i] > 0 {
            let page = self.rows.get()[i].max(1);
            self.scroll[i] = (self.scroll[i] + 1).min(log_len.saturating_sub(page));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LENS: fn(Panel) -> usize = |p| match p {
        Panel::Connected => 30,
        Panel::Ready => 0,
        Panel::Disconnected => 3,
        Panel::Log => 100,
    };

    #[test]
    fn focus_cycles_both_ways_through_every_panel() {
        let mut v = ViewState::default();
        let mut seen = vec![v.focus];
        for _ in 0..4 {
            v.handle(Action::FocusNext, LENS);
            seen.push(v.focus);
        }
        assert_eq!(&seen[..4], Panel::ALL);
        assert_eq!(seen[4], Panel::Connected);
        v.handle(Action::FocusPrev, LENS);
        assert_eq!(v.focus, Panel::Log);
    }

    #[test]
    fn lists_scroll_down_from_the_top_within_their_rows() {
        let mut v = ViewState::default();
        v.handle(Action::ScrollUp(1), LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 0);
        v.handle(Action::ScrollDown(10), LENS);
        v.handle(Action::ScrollDown(10), LENS);
        v.handle(Action::ScrollDown(10), LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 29, "never past the last row");
        v.handle(Action::ScrollHome, LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 0);
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 29);
        // An empty panel does not scroll.
        v.handle(Action::FocusNext, LENS);
        v.handle(Action::ScrollDown(5), LENS);
        assert_eq!(v.scroll_of(Panel::Ready), 0);
        // Each panel keeps its own position.
        assert_eq!(v.scroll_of(Panel::Connected), 29);
    }

    #[test]
    fn the_log_scrolls_up_from_its_tail_and_holds_still_while_it_grows() {
        let mut v = ViewState {
            focus: Panel::Log,
            ..ViewState::default()
        };
        v.log_grew(100);
        assert_eq!(v.scroll_of(Panel::Log), 0, "at the tail it follows");
        v.handle(Action::ScrollUp(1), LENS);
        v.handle(Action::ScrollUp(10), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 11);
        v.log_grew(101);
        assert_eq!(v.scroll_of(Panel::Log), 12, "the same lines stay on screen");
        v.handle(Action::ScrollHome, LENS);
        assert_eq!(v.scroll_of(Panel::Log), 99, "Home is the oldest line");
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 98);
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.scroll_of(Panel::Log), 0, "End follows the tail again");
    }

    #[test]
    fn home_stops_at_a_full_first_page() {
        let mut v = ViewState {
            focus: Panel::Log,
            ..ViewState::default()
        };
        v.set_rows(Panel::Log, 14);
        v.handle(Action::ScrollHome, LENS);
        assert_eq!(
            v.scroll_of(Panel::Log),
            100 - 14,
            "the oldest 14 lines fill the panel"
        );
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 100 - 15, "the first key moves it");
        v.focus = Panel::Connected;
        v.set_rows(Panel::Connected, 10);
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 20, "the last 10 of 30 rows");
    }

    #[test]
    fn one_overlay_at_a_time_and_esc_closes_it() {
        let mut v = ViewState::default();
        v.handle(Action::ToggleHelp, LENS);
        assert!(v.help && v.overlay_open());
        v.handle(Action::ToggleCompare, LENS);
        assert!(v.compare && !v.help);
        v.handle(Action::CloseOverlay, LENS);
        assert!(!v.overlay_open());
    }

    #[test]
    fn v_opens_and_closes_the_code_panel_beside_any_overlay() {
        let mut v = ViewState::default();
        v.handle(Action::ToggleCode, LENS);
        v.handle(Action::ToggleHelp, LENS);
        assert!(v.code && v.help);
        v.handle(Action::CloseOverlay, LENS);
        assert!(v.code, "Esc closes the overlay, not the panel");
        v.handle(Action::ToggleCode, LENS);
        assert!(!v.code);
    }

    #[test]
    fn a_notice_fades() {
        let mut v = ViewState::default();
        v.notify(1_000_000, Notice::NoBuiltinClients);
        assert_eq!(v.notice(1_000_000), Some(&Notice::NoBuiltinClients));
        assert!(v.notice(1_000_000 + NOTICE_US - 1).is_some());
        assert_eq!(v.notice(1_000_000 + NOTICE_US), None);
    }
}
