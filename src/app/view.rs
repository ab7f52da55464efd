//! What only the viewer controls: overlays, focus, scrolling, the
//! one-line notices that fade, and the marker's note being typed. Nothing
//! here comes from the server.

use std::cell::Cell;

use ratatui::layout::{Position, Rect};
use unicode_segmentation::UnicodeSegmentation;

use super::keymap::Action;
use crate::event::Model;

/// How long a notice stays on screen.
pub const NOTICE_US: u64 = 4_000_000;

/// The longest marker note, in characters: one line, said on the spot.
pub const NOTE_MAX: usize = 200;

/// What a key does to the marker's note while it is typed (`M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteEdit {
    /// A character goes in at the end.
    Type(char),
    /// The last character (as the eye sees one: a grapheme) goes.
    Backspace,
    /// Enter: the marker is dropped, with the note.
    Drop,
    /// Esc: no marker.
    Cancel,
}

/// The screen's colours (`--theme`, `T`): the roles stay, the palette
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, clap::ValueEnum)]
pub enum Theme {
    /// For a dark terminal: the colours as they always were.
    #[default]
    Dark,
    /// For a white background or a washed-out projector: dark text on
    /// white, no light grey.
    Light,
    /// Colour-blind safe: no meaning by red or green (blue and orange,
    /// bold), white on black, the focused panel's border heavy.
    HighContrast,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Dark, Theme::Light, Theme::HighContrast];

    /// The next theme `T` switches to.
    pub fn next(self) -> Theme {
        match self {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::HighContrast,
            Theme::HighContrast => Theme::Dark,
        }
    }
}

/// How the screen looks, as the command line asks: the language, the
/// colours, plain ASCII or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    pub lang: crate::i18n::Lang,
    pub theme: Theme,
    pub ascii: bool,
    /// `NO_COLOR` (no-color.org): no colour at all, bold and reversed
    /// still.
    pub no_color: bool,
}

impl Look {
    /// `NO_COLOR` is set, and not empty.
    pub fn no_color_in_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

/// Where the mouse did something, in the terminal's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    /// The left button went down.
    Click(Position),
    /// The wheel turned up (`true`, toward older lines) or down.
    Wheel(Position, bool),
}

/// Rows a notch of the wheel scrolls.
pub const WHEEL_ROWS: usize = 3;

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
    /// `L`: the screen speaks another language now.
    LangSwitched,
    /// `x` / `X`: no built-in client is connected.
    NoBuiltinClients,
    /// `s`: no chatty built-in client is connected (idle ones stay silent).
    NoChattyClients,
    /// Built-in clients exist only beside a live server.
    NoClientsHere,
    /// `n` and `N` only step a paused loop.
    StepNeedsPause,
    /// `N` steps a loop's spin: the thread models have none (`n` steps).
    SpinStepNeedsLoop,
    /// `w` / `W` resize a pool: the running model is not one.
    WorkersNeedPool,
    /// `w`: the pool is at its largest, or no thread could start.
    PoolCannotGrow,
    /// `W`: one worker is the least a pool has.
    PoolAtLeastOne,
    /// `W`: the queue is full of clients; the retirement could not queue.
    PoolQueueFull,
    /// `m`: the next model could not start (the old one runs again).
    SwitchFailed { model: Model, error: String },
    /// A replay cannot do what a live server does.
    Replay(ReplayCant),
    /// `[` / `]` set a replay's speed: this is a live server.
    SpeedNeedsReplay,
    /// ← → Home End ' " move through a replay: this is a live server.
    SeekNeedsReplay,
    /// No marker or note after (`true`) or before the replay's position.
    NoMark(bool),
    /// `M` without `--record`: the marker is in the log only.
    MarkerNotRecorded,
}

/// What a live server does and a replay cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCant {
    /// `m`
    SwitchModel,
    /// `-` / `+`
    SlowMotion,
    /// `b`
    Backoff,
    /// `w` / `W`
    Workers,
    /// `c` `i` `x` `X` `s` `d`
    Clients,
    /// `M`: markers are dropped during a live run.
    Markers,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub help: bool,
    /// Rows the help is scrolled (when its keys outgrow the screen).
    pub help_scroll: usize,
    /// The model comparison overlay.
    pub compare: bool,
    /// The explain overlay: what the selected log line means.
    pub explain: bool,
    /// The code panel (`v`): the model's loop, line by line.
    pub code: bool,
    /// The language the screen speaks (`--lang`, `L`).
    pub lang: crate::i18n::Lang,
    /// The screen's colours (`--theme`, `T`).
    pub theme: Theme,
    /// `--ascii`: no box drawing, block digits or braille on screen.
    pub ascii: bool,
    /// `NO_COLOR`: the screen has no colour, whatever the theme.
    pub no_color: bool,
    pub focus: Panel,
    /// Rows scrolled, per panel in [`Panel::ALL`] order. For the log, rows
    /// up from the newest (0 follows the tail).
    scroll: [usize; 4],
    /// The selected log line, in rows up from the newest (as the log's
    /// scroll); only while the log has the focus. It stays on its line as
    /// the log grows, and the log holds still meanwhile.
    selected: Option<usize>,
    /// The latest notice and when (server clock) it was given.
    notice: Option<(u64, Notice)>,
    /// `M`: the marker's note being typed; every key goes into it until
    /// Enter or Esc.
    note: Option<String>,
    /// Rows each panel showed when it was last drawn: scrolling stops where
    /// the last page is full (drawing sets it through a shared reference).
    rows: Cell<[usize; 4]>,
    /// How far the help can scroll (its rows beyond the screen's).
    help_rows: Cell<usize>,
    /// The panels the last frame drew (the code panel hides some): focus
    /// goes only to those. Nothing drawn yet: any.
    shown: Cell<Option<[bool; 4]>>,
    /// Where the last frame drew each panel, for the mouse.
    placed: Cell<[Option<Rect>; 4]>,
    /// The log's lines as the last frame drew them: the rows inside its
    /// borders, and its top row's line in rows up from the newest (kept on
    /// the same line as lines come in, as the selection is).
    log_rows: Cell<Option<(Rect, usize)>>,
    /// The explain overlay, where the last frame drew it.
    explain_at: Cell<Option<Rect>>,
}

impl ViewState {
    /// The screen as `look` says.
    pub fn set_look(&mut self, look: Look) {
        self.lang = look.lang;
        self.theme = look.theme;
        self.ascii = look.ascii;
        self.no_color = look.no_color;
    }

    /// The help's rows beyond what the screen shows.
    pub fn set_help_overflow(&self, rows: usize) {
        self.help_rows.set(rows);
    }

    /// A frame begins: which panels it draws is told by [`Self::drawn`],
    /// where by [`Self::placed`].
    pub fn begin_frame(&self) {
        self.shown.set(Some([false; 4]));
        self.placed.set([None; 4]);
        self.log_rows.set(None);
        self.explain_at.set(None);
    }

    /// The renderer drew `panel` in `area` (borders included).
    pub fn placed(&self, panel: Panel, area: Rect) {
        let mut placed = self.placed.get();
        placed[panel.index()] = Some(area);
        self.placed.set(placed);
    }

    /// The renderer drew the log's lines in `rows`, the top one `top` rows
    /// up from the newest line.
    pub fn log_drawn(&self, rows: Rect, top: usize) {
        self.log_rows.set(Some((rows, top)));
    }

    /// The renderer drew the explain overlay in `area`.
    pub fn explain_drawn(&self, area: Rect) {
        self.explain_at.set(Some(area));
    }

    /// The panel the last frame drew at `at`, if any.
    pub fn panel_at(&self, at: Position) -> Option<Panel> {
        let placed = self.placed.get();
        Panel::ALL
            .into_iter()
            .find(|p| placed[p.index()].is_some_and(|r| r.contains(at)))
    }

    /// The renderer drew `panel`.
    pub fn drawn(&self, panel: Panel) {
        let mut shown = self.shown.get().unwrap_or([false; 4]);
        shown[panel.index()] = true;
        self.shown.set(Some(shown));
    }

    /// The next panel from `from`, `step` places on (1 or 3 of 4),
    /// skipping those the last frame did not draw.
    fn next_shown(&self, from: Panel, step: usize) -> Panel {
        let shown = self.shown.get();
        let mut i = from.index();
        for _ in 0..Panel::ALL.len() {
            i = (i + step) % Panel::ALL.len();
            if shown.is_none_or(|s| s[i]) {
                return Panel::ALL[i];
            }
        }
        from
    }

    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll[panel.index()]
    }

    /// The renderer says how many rows of `panel` fit on screen.
    pub fn set_rows(&self, panel: Panel, rows: usize) {
        let mut all = self.rows.get();
        all[panel.index()] = rows;
        self.rows.set(all);
    }

    /// An overlay (help, comparison, explain) is open.
    pub fn overlay_open(&self) -> bool {
        self.help || self.compare || self.explain
    }

    /// The selected log line, in rows up from the newest.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// How far back the log is drawn, for a log of `len` lines in `height`
    /// rows: never past a full first page, and with the selected line in
    /// sight (the panel may have shrunk since the selection moved).
    pub fn log_scroll(&self, len: usize, height: usize) -> usize {
        let height = height.max(1);
        let scroll = self.scroll_of(Panel::Log).min(len.saturating_sub(height));
        match self.selected {
            Some(sel) if sel < scroll => sel,
            Some(sel) if sel >= scroll + height => sel + 1 - height,
            _ => scroll,
        }
    }

    /// The marker's note being typed, while its input is open.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// A key while the note input is open: the note as typed when Enter
    /// drops the marker (the input closes), else `None`. Control
    /// characters are not typed; the note stops at [`NOTE_MAX`]
    /// characters.
    pub fn edit_note(&mut self, edit: NoteEdit) -> Option<String> {
        let note = self.note.as_mut()?;
        match edit {
            NoteEdit::Type(c) => {
                if !c.is_control() && note.chars().count() < NOTE_MAX {
                    note.push(c);
                }
            }
            NoteEdit::Backspace => {
                let last = note.grapheme_indices(true).next_back().map(|(at, _)| at);
                note.truncate(last.unwrap_or(0));
            }
            NoteEdit::Drop => return self.note.take(),
            NoteEdit::Cancel => self.note = None,
        }
        None
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
        // The help open: the scrolling keys scroll it (its rows past the
        // screen's are told by the last frame, as the panels' are).
        if self.help {
            let most = self.help_rows.get();
            let scroll = &mut self.help_scroll;
            match action {
                Action::ScrollUp(n) => *scroll = scroll.saturating_sub(n),
                Action::ScrollDown(n) => *scroll = (*scroll + n).min(most),
                Action::ScrollHome => *scroll = 0,
                Action::ScrollEnd => *scroll = most,
                _ => {}
            }
            if matches!(
                action,
                Action::ScrollUp(_)
                    | Action::ScrollDown(_)
                    | Action::ScrollHome
                    | Action::ScrollEnd
            ) {
                return;
            }
        }
        let focus = self.focus;
        if focus == Panel::Log && self.select(action, len(Panel::Log)) {
            return;
        }
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
                self.help_scroll = 0;
                self.compare = false;
                self.explain = false;
            }
            Action::ToggleCompare => {
                self.compare = !self.compare;
                self.help = false;
                self.explain = false;
            }
            Action::ToggleCode => self.code = !self.code,
            Action::NextTheme => self.theme = self.theme.next(),
            Action::Marker => {
                self.note.get_or_insert_with(String::new);
            }
            Action::CloseOverlay => {
                self.help = false;
                self.compare = false;
                self.explain = false;
            }
            // Enter elsewhere than in the log does nothing; in it, `select`.
            Action::Explain => self.explain = false,
            Action::FocusNext => self.focus = self.next_shown(focus, 1),
            Action::FocusPrev => self.focus = self.next_shown(focus, 3),
            Action::ScrollUp(n) => *scroll = step(*scroll, up, n),
            Action::ScrollDown(n) => *scroll = step(*scroll, down, n),
            Action::ScrollHome => *scroll = top,
            Action::ScrollEnd => *scroll = bottom,
            _ => {}
        }
        if self.focus != Panel::Log {
            // The selection is the log's while it has the focus: leaving,
            // the log stays where it is, as one scrolled back does.
            self.selected = None;
            self.explain = false;
        }
    }

    /// The mouse: a click focuses the panel under it (on a log line, it
    /// selects the line and explains it; on the line explained, it closes
    /// the explanation), and closes the help or the comparison; the wheel
    /// scrolls the list under the pointer (the help, while it is open),
    /// wherever the focus is. Where the last frame drew nothing, nothing.
    pub fn mouse(&mut self, mouse: Mouse, len: impl Fn(Panel) -> usize) {
        match mouse {
            Mouse::Click(at) => self.click(at, len(Panel::Log)),
            Mouse::Wheel(_, up) if self.help => {
                let n = WHEEL_ROWS;
                self.handle(
                    if up {
                        Action::ScrollUp(n)
                    } else {
                        Action::ScrollDown(n)
                    },
                    len,
                );
            }
            Mouse::Wheel(_, _) if self.compare => {}
            Mouse::Wheel(at, up) => {
                if let Some(panel) = self.panel_at(at) {
                    self.wheel(panel, up, len(panel));
                }
            }
        }
    }

    fn click(&mut self, at: Position, log_len: usize) {
        if self.help || self.compare {
            self.help = false;
            self.compare = false;
            return;
        }
        if self.explain && self.explain_at.get().is_some_and(|r| r.contains(at)) {
            return;
        }
        let Some(panel) = self.panel_at(at) else {
            self.explain = false;
            return;
        };
        if panel != self.focus {
            self.focus = panel;
            if panel != Panel::Log {
                self.selected = None;
                self.explain = false;
            }
        }
        if panel != Panel::Log {
            return;
        }
        // On the log's border or title: the focus only.
        let Some((rows, top)) = self.log_rows.get().filter(|(r, _)| r.contains(at)) else {
            return;
        };
        // Rows below the oldest line drawn are empty.
        let Some(back) = top.checked_sub(usize::from(at.y - rows.y)) else {
            return;
        };
        if back >= log_len {
            return;
        }
        if self.explain && self.selected == Some(back) {
            self.explain = false;
        } else {
            self.selected = Some(back);
            self.explain = true;
        }
    }

    /// The wheel over `panel`, of `len` rows: its page moves
    /// [`WHEEL_ROWS`], the focus stays. In the log a selected line moves
    /// with the page, so the row under the pointer stays selected.
    fn wheel(&mut self, panel: Panel, up: bool, len: usize) {
        let i = panel.index();
        let page = self.rows.get()[i].max(1);
        let last = len.saturating_sub(page);
        let was = self.scroll[i].min(last);
        // The log counts rows up from its newest line; the lists, down.
        let back = up == (panel == Panel::Log);
        let now = if back {
            (was + WHEEL_ROWS).min(last)
        } else {
            was.saturating_sub(WHEEL_ROWS)
        };
        self.scroll[i] = now;
        if panel == Panel::Log
            && let Some(sel) = self.selected
        {
            let moved = (sel + now).saturating_sub(was);
            self.selected = Some(moved.min(len.saturating_sub(1)));
        }
    }

    /// The log's keys while it has the focus: they move the selection
    /// (the first ↑ selects the bottom line on screen), and Enter explains
    /// the selected line. `false`: the key does what it did before (↓ with
    /// nothing selected scrolls toward the tail).
    fn select(&mut self, action: Action, len: usize) -> bool {
        let i = Panel::Log.index();
        if action == Action::Explain && self.explain {
            self.explain = false;
            return true;
        }
        if len == 0 {
            return false;
        }
        let oldest = len - 1;
        let page = self.rows.get()[i].max(1);
        // The bottom line on screen, where a selection starts.
        let bottom = self.scroll[i].min(len.saturating_sub(page));
        let sel = match (action, self.selected) {
            (Action::ScrollUp(n), None) => bottom + n.saturating_sub(1),
            (Action::ScrollUp(n), Some(s)) => s + n,
            (Action::ScrollDown(n), Some(s)) => s.saturating_sub(n),
            (Action::ScrollHome, _) => oldest,
            (Action::ScrollEnd, _) => {
                // Back to the tail, nothing selected: the log follows.
                self.selected = None;
                self.scroll[i] = 0;
                return true;
            }
            (Action::Explain, sel) => {
                self.explain = true;
                self.help = false;
                self.compare = false;
                sel.unwrap_or(bottom)
            }
            _ => return false,
        };
        let sel = sel.min(oldest);
        self.selected = Some(sel);
        // Scrolled just enough for the selected line to be on screen.
        let scroll = &mut self.scroll[i];
        *scroll = (*scroll).min(len.saturating_sub(page));
        if sel < *scroll {
            *scroll = sel;
        } else if sel >= *scroll + page {
            *scroll = sel + 1 - page;
        }
        true
    }

    /// A log line was added at index `at` (from the oldest) of `log_len`
    /// lines: a log scrolled back stays on the same lines, and the
    /// selection on the same line. While a line is selected the log holds
    /// still even at its tail, so the selection cannot run off the top. A
    /// selected line that left the log (the oldest, at [`LOG_CAP`]) leaves
    /// the selection on the oldest line kept.
    ///
    /// [`LOG_CAP`]: super::LOG_CAP
    pub fn log_grew(&mut self, log_len: usize, at: usize) {
        let i = Panel::Log.index();
        // The new line, in rows up from the newest: every line from there
        // up is one row further from the newest than before.
        let new = log_len.saturating_sub(at + 1);
        if let Some(sel) = self.selected {
            let sel = if sel >= new { sel + 1 } else { sel };
            self.selected = Some(sel.min(log_len.saturating_sub(1)));
        }
        // The rows the viewer saw stay on their lines, for a click.
        if let Some((rows, top)) = self.log_rows.get() {
            let top = if top >= new { top + 1 } else { top };
            self.log_rows
                .set(Some((rows, top.min(log_len.saturating_sub(1)))));
        }
        let scroll = self.scroll[i];
        if (scroll > 0 || self.selected.is_some()) && scroll >= new {
            let page = self.rows.get()[i].max(1);
            self.scroll[i] = (scroll + 1).min(log_len.saturating_sub(page));
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

    fn log_focused(rows: usize) -> ViewState {
        let v = ViewState {
            focus: Panel::Log,
            ..ViewState::default()
        };
        v.set_rows(Panel::Log, rows);
        v
    }

    /// The log's keys select a line (before the explain panel they
    /// scrolled): ↑ starts at the newest line, the log scrolls only when
    /// the selection would leave the page.
    #[test]
    fn the_log_selects_up_from_its_tail_and_holds_still_while_it_grows() {
        let mut v = log_focused(0);
        v.log_grew(100, 99);
        assert_eq!(v.scroll_of(Panel::Log), 0, "at the tail it follows");
        assert_eq!(v.selected(), None);
        v.handle(Action::ScrollUp(1), LENS);
        assert_eq!(v.selected(), Some(0), "the first ↑ selects the newest");
        v.handle(Action::ScrollUp(10), LENS);
        assert_eq!(v.selected(), Some(10));
        assert_eq!(v.scroll_of(Panel::Log), 10, "a page of one row follows it");
        v.log_grew(101, 100);
        assert_eq!(v.selected(), Some(11), "the same line stays selected");
        assert_eq!(v.scroll_of(Panel::Log), 11, "the same lines stay on screen");
        v.handle(Action::ScrollHome, LENS);
        assert_eq!(v.selected(), Some(99), "Home is the oldest line");
        assert_eq!(v.scroll_of(Panel::Log), 99);
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!(v.selected(), Some(98));
        assert_eq!(v.scroll_of(Panel::Log), 98);
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.scroll_of(Panel::Log), 0, "End follows the tail again");
        assert_eq!(v.selected(), None, "... with nothing selected");
    }

    #[test]
    fn the_selection_moves_within_the_page_and_stops_at_both_ends() {
        let mut v = log_focused(10);
        v.handle(Action::ScrollUp(1), LENS);
        v.handle(Action::ScrollUp(9), LENS);
        assert_eq!(v.selected(), Some(9));
        assert_eq!(v.scroll_of(Panel::Log), 0, "row 9 of 10 is on the page");
        v.handle(Action::ScrollUp(1), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 1, "row 10 scrolls one row");
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!(
            (v.selected(), v.scroll_of(Panel::Log)),
            (Some(9), 1),
            "down again moves the selection, not the page"
        );
        v.handle(Action::ScrollDown(50), LENS);
        assert_eq!(v.selected(), Some(0), "it stops on the newest line");
        assert_eq!(v.scroll_of(Panel::Log), 0);
        v.handle(Action::ScrollUp(500), LENS);
        assert_eq!(v.selected(), Some(99), "... and on the oldest");
        assert_eq!(v.scroll_of(Panel::Log), 90, "a full first page");
        // PgUp with nothing selected starts a page up from the bottom line
        // on screen.
        v.handle(Action::ScrollEnd, LENS);
        v.handle(Action::ScrollUp(10), LENS);
        assert_eq!(v.selected(), Some(9));
        // An empty log has nothing to select.
        let mut empty = log_focused(10);
        empty.handle(Action::ScrollUp(1), |_| 0);
        empty.handle(Action::Explain, |_| 0);
        assert_eq!((empty.selected(), empty.explain), (None, false));
    }

    #[test]
    fn the_selection_stays_on_its_line_wherever_lines_come_in() {
        let mut v = log_focused(10);
        v.handle(Action::ScrollUp(6), LENS);
        assert_eq!(v.selected(), Some(5));
        // Newest line: everything moves one row up, the page too (it holds
        // still while something is selected, even from the tail).
        v.log_grew(101, 100);
        assert_eq!((v.selected(), v.scroll_of(Panel::Log)), (Some(6), 1));
        // A late line below the selected one (newer), above the bottom
        // row on screen: the selection moves a row, the bottom row stays.
        v.log_grew(102, 99);
        assert_eq!((v.selected(), v.scroll_of(Panel::Log)), (Some(7), 1));
        // A late line above it (older): nothing below it moved.
        v.log_grew(103, 90);
        assert_eq!((v.selected(), v.scroll_of(Panel::Log)), (Some(7), 1));
        // At the cap the oldest line goes: a selection on it stays on the
        // oldest line kept.
        v.handle(Action::ScrollHome, |_| 103);
        assert_eq!(v.selected(), Some(102));
        v.log_grew(103, 102);
        assert_eq!(v.selected(), Some(102));
        assert_eq!(v.scroll_of(Panel::Log), 93, "a full first page");
    }

    #[test]
    fn with_nothing_selected_a_log_scrolled_back_holds_still() {
        let mut v = log_focused(10);
        v.handle(Action::ScrollUp(30), LENS);
        // Leaving the log leaves it where it is, nothing selected.
        v.handle(Action::FocusNext, LENS);
        assert_eq!(v.selected(), None);
        assert_eq!(v.scroll_of(Panel::Log), 20);
        v.log_grew(101, 100);
        assert_eq!(v.scroll_of(Panel::Log), 21, "the same lines stay on screen");
        v.log_grew(102, 50);
        assert_eq!(v.scroll_of(Panel::Log), 21, "an older line comes in above");
        // Other panels scroll as they did.
        v.handle(Action::ScrollDown(3), LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 3);
        // Back in the log, ↓ with nothing selected scrolls toward the tail.
        v.handle(Action::FocusPrev, LENS);
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!((v.selected(), v.scroll_of(Panel::Log)), (None, 20));
    }

    #[test]
    fn home_stops_at_a_full_first_page() {
        let mut v = log_focused(14);
        v.handle(Action::ScrollHome, LENS);
        assert_eq!(
            v.scroll_of(Panel::Log),
            100 - 14,
            "the oldest 14 lines fill the panel"
        );
        assert_eq!(v.selected(), Some(99));
        // Before the selection, ↓ here scrolled at once; now it moves the
        // selection down the full page first.
        v.handle(Action::ScrollDown(13), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 100 - 14);
        v.handle(Action::ScrollDown(1), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 100 - 15, "off the page it scrolls");
        v.focus = Panel::Connected;
        v.set_rows(Panel::Connected, 10);
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.scroll_of(Panel::Connected), 20, "the last 10 of 30 rows");
    }

    #[test]
    fn the_selected_line_is_drawn_in_sight_if_the_panel_shrank() {
        let mut v = log_focused(20);
        v.handle(Action::ScrollUp(20), LENS);
        assert_eq!((v.selected(), v.scroll_of(Panel::Log)), (Some(19), 0));
        assert_eq!(v.log_scroll(100, 20), 0);
        assert_eq!(v.log_scroll(100, 5), 15, "the selection is the top row");
        v.handle(Action::ScrollEnd, LENS);
        assert_eq!(v.log_scroll(100, 5), 0);
        assert_eq!(v.log_scroll(3, 5), 0, "never past a full first page");
    }

    #[test]
    fn enter_explains_the_selected_line_in_the_log_only() {
        let mut v = ViewState::default();
        v.handle(Action::Explain, LENS);
        assert!(!v.explain, "not in another panel");
        v.focus = Panel::Log;
        v.handle(Action::ToggleHelp, LENS);
        v.handle(Action::Explain, LENS);
        assert!(v.explain && !v.help, "one overlay at a time");
        assert_eq!(v.selected(), Some(0), "nothing selected: the bottom line");
        // ↑ ↓ go on moving the selection: the panel explains that line.
        v.handle(Action::ScrollUp(2), LENS);
        assert!(v.explain && v.overlay_open());
        assert_eq!(v.selected(), Some(2));
        v.handle(Action::Explain, LENS);
        assert!(!v.explain, "Enter again closes it");
        assert_eq!(v.selected(), Some(2), "the selection stays");
        v.handle(Action::Explain, LENS);
        v.handle(Action::CloseOverlay, LENS);
        assert!(!v.overlay_open(), "Esc closes it");
        v.handle(Action::Explain, LENS);
        v.handle(Action::ToggleCompare, LENS);
        assert!(v.compare && !v.explain);
        v.handle(Action::Explain, LENS);
        v.handle(Action::FocusNext, LENS);
        assert!(
            !v.explain && v.selected().is_none(),
            "leaving the log closes it"
        );
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
    fn the_marker_note_takes_any_text_backspace_enter_and_esc() {
        let mut v = ViewState::default();
        assert_eq!(v.note(), None);
        assert_eq!(v.edit_note(NoteEdit::Type('x')), None, "closed: no typing");
        v.handle(Action::Marker, LENS);
        assert_eq!(v.note(), Some(""));
        for c in "q M 看这里".chars() {
            assert_eq!(v.edit_note(NoteEdit::Type(c)), None);
        }
        assert_eq!(v.note(), Some("q M 看这里"));
        v.edit_note(NoteEdit::Backspace);
        assert_eq!(v.note(), Some("q M 看这"), "one character, not one byte");
        // Control characters are not typed.
        v.edit_note(NoteEdit::Type('\u{1b}'));
        v.edit_note(NoteEdit::Type('\n'));
        assert_eq!(v.note(), Some("q M 看这"));
        // A grapheme of several code points goes whole.
        v.edit_note(NoteEdit::Type('e'));
        v.edit_note(NoteEdit::Type('\u{301}'));
        v.edit_note(NoteEdit::Backspace);
        assert_eq!(v.note(), Some("q M 看这"));
        // M again leaves the note as it is.
        v.handle(Action::Marker, LENS);
        assert_eq!(v.note(), Some("q M 看这"));
        assert_eq!(
            v.edit_note(NoteEdit::Drop),
            Some("q M 看这".to_string()),
            "Enter drops it"
        );
        assert_eq!(v.note(), None, "... and closes the input");
        // Esc: nothing dropped.
        v.handle(Action::Marker, LENS);
        v.edit_note(NoteEdit::Type('a'));
        assert_eq!(v.edit_note(NoteEdit::Cancel), None);
        assert_eq!(v.note(), None);
        // An empty note is a marker too; backspace on nothing is nothing.
        v.handle(Action::Marker, LENS);
        v.edit_note(NoteEdit::Backspace);
        assert_eq!(v.edit_note(NoteEdit::Drop), Some(String::new()));
        // Bounded.
        v.handle(Action::Marker, LENS);
        for _ in 0..NOTE_MAX + 10 {
            v.edit_note(NoteEdit::Type('长'));
        }
        assert_eq!(v.note().unwrap().chars().count(), NOTE_MAX);
    }

    /// A click selects the line the viewer saw under the pointer, even
    /// when lines came in after the frame was drawn.
    #[test]
    fn a_click_selects_the_line_drawn_there_though_the_log_grew() {
        let mut v = ViewState::default();
        let log = Rect::new(0, 10, 40, 5);
        v.placed(Panel::Log, Rect::new(0, 9, 40, 7));
        v.placed(Panel::Connected, Rect::new(0, 0, 40, 9));
        // The frame drew lines 95..100 of 100: the top row is 4 up.
        v.log_drawn(log, 4);
        v.log_grew(101, 100);
        v.mouse(Mouse::Click(Position::new(3, 11)), LENS);
        assert_eq!(v.focus, Panel::Log);
        assert!(v.explain);
        assert_eq!(v.selected(), Some(4), "3 up then, 4 up now");
        // The border: the focus only; elsewhere the explanation closes.
        v.mouse(Mouse::Click(Position::new(0, 9)), LENS);
        assert!(v.explain);
        v.mouse(Mouse::Click(Position::new(3, 2)), LENS);
        assert_eq!(v.focus, Panel::Connected);
        assert!(!v.explain && v.selected().is_none());
        // Below the oldest line drawn, or where nothing was drawn: nothing.
        v.log_drawn(log, 1);
        v.mouse(Mouse::Click(Position::new(3, 13)), LENS);
        assert_eq!((v.focus, v.selected()), (Panel::Log, None));
        v.mouse(Mouse::Click(Position::new(60, 30)), LENS);
        assert_eq!(v.focus, Panel::Log);
    }

    #[test]
    fn the_wheel_moves_the_page_and_a_selected_line_with_it() {
        let mut v = log_focused(10);
        v.placed(Panel::Log, Rect::new(0, 0, 40, 12));
        v.placed(Panel::Connected, Rect::new(40, 0, 40, 12));
        v.set_rows(Panel::Connected, 10);
        let at = Position::new(1, 1);
        v.mouse(Mouse::Wheel(at, true), LENS);
        assert_eq!((v.scroll_of(Panel::Log), v.selected()), (WHEEL_ROWS, None));
        v.handle(Action::ScrollUp(2), LENS);
        assert_eq!(v.selected(), Some(4));
        v.mouse(Mouse::Wheel(at, true), LENS);
        assert_eq!(v.scroll_of(Panel::Log), 2 * WHEEL_ROWS);
        assert_eq!(v.selected(), Some(4 + WHEEL_ROWS), "the same row on screen");
        // Over another list: it scrolls, the focus stays.
        v.mouse(Mouse::Wheel(Position::new(41, 1), false), LENS);
        assert_eq!(v.scroll_of(Panel::Connected), WHEEL_ROWS);
        assert_eq!(v.focus, Panel::Log);
        for _ in 0..20 {
            v.mouse(Mouse::Wheel(Position::new(41, 1), false), LENS);
        }
        assert_eq!(v.scroll_of(Panel::Connected), 20, "its last page full");
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
