//! Keys to actions. The help overlay is generated from [`KEYS`], so the
//! screen and the code cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use std::borrow::Cow;

use super::view::{Mouse, NoteEdit};
use crate::client::builtin::ClientCmd;
use crate::i18n::Lang;
use crate::source::Seek;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    ToggleHelp,
    CloseOverlay,
    FocusNext,
    FocusPrev,
    ScrollUp(usize),
    ScrollDown(usize),
    ScrollHome,
    ScrollEnd,
    /// Tell the built-in clients something.
    Client(ClientCmd),
    ToggleDemo,
    /// While paused: the loop runs to the top of its next spin.
    Step,
    /// While paused: the loop makes one more system call.
    StepCall,
    /// Slow motion: a longer (`true`) or shorter delay before each call.
    Slower(bool),
    /// The busy loop's next idle backoff: spin, yield, sleep.
    NextBackoff,
    /// The room guesses each call's outcome before it is shown.
    TogglePrediction,
    /// Show the outcome held back.
    Reveal,
    /// Count a guess for outcome 0 to 3.
    Guess(usize),
    /// `pool`: one worker more (`true`) or fewer.
    Workers(bool),
    /// Stop this model and start the next one on the same address.
    NextModel,
    /// The comparison of the models that have run.
    ToggleCompare,
    /// Give the terminal back to the shell until `fg` (job control).
    Suspend,
    /// Log focused: open (or close) the explanation of the selected line.
    Explain,
    /// The code panel: the model's loop, where it is, how often each line
    /// runs.
    ToggleCode,
    /// A replay: the next speed up (`true`) or down.
    Speed(bool),
    /// A replay: go somewhere else in the recording.
    Seek(Seek),
    /// The screen's next language (English, Chinese).
    NextLang,
    /// The screen's next colours: dark, light, high contrast.
    NextTheme,
    /// A live run: open the note input of a marker dropped into the
    /// recording.
    Marker,
}

/// One row of the help overlay: the keys (each with the action it gives,
/// in the order shown) and what they do (the id of the message that says
/// it, in `assets/i18n/<lang>/help.ftl`).
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [(&'static str, Action)],
    pub what: &'static str,
    /// What the keys do in a replay, where that is something else.
    pub in_replay: Option<&'static str>,
}

const fn row(keys: &'static [(&'static str, Action)], what: &'static str) -> Binding {
    Binding {
        keys,
        what,
        in_replay: None,
    }
}

impl Binding {
    /// In a replay, these keys do `what` instead.
    const fn replay(self, what: &'static str) -> Binding {
        Binding {
            in_replay: Some(what),
            ..self
        }
    }

    /// What the keys do, live or in a replay, in `lang`.
    pub fn what(&self, lang: Lang, replay: bool) -> Cow<'static, str> {
        let id = match self.in_replay {
            Some(what) if replay => what,
            _ => self.what,
        };
        crate::i18n::tr(lang, id)
    }
}

/// Every key, as the help overlay lists it. A test holds this table and
/// [`action_for_key`] together: every key the dashboard answers is here,
/// with the action it really gives, and no key is listed twice.
pub const KEYS: &[Binding] = &[
    row(
        &[
            ("q", Action::Quit),
            ("Esc", Action::Quit),
            ("Ctrl-C", Action::Quit),
        ],
        "help-quit",
    ),
    row(&[("Ctrl-Z", Action::Suspend)], "help-suspend"),
    row(
        &[("space", Action::TogglePause), ("p", Action::TogglePause)],
        "help-pause",
    )
    .replay("help-pause-replay"),
    row(&[("n", Action::StepCall)], "help-step-call").replay("help-step-call-replay"),
    row(&[("N", Action::Step)], "help-step-spin").replay("help-step-spin-replay"),
    row(
        &[("-", Action::Slower(true)), ("+", Action::Slower(false))],
        "help-slow-motion",
    ),
    row(
        &[("[", Action::Speed(false)), ("]", Action::Speed(true))],
        "help-speed",
    ),
    row(
        &[
            ("←", Action::Seek(Seek::Back)),
            ("→", Action::Seek(Seek::Forward)),
        ],
        "help-seek",
    ),
    row(
        &[
            ("Home", Action::Seek(Seek::Start)),
            ("End", Action::Seek(Seek::End)),
        ],
        "help-seek-ends",
    ),
    row(
        &[
            ("'", Action::Seek(Seek::NextMark)),
            ("\"", Action::Seek(Seek::PrevMark)),
        ],
        "help-seek-marks",
    ),
    row(&[("b", Action::NextBackoff)], "help-backoff"),
    row(
        &[("f", Action::TogglePrediction), ("r", Action::Reveal)],
        "help-predict",
    ),
    row(
        &[
            ("1", Action::Guess(0)),
            ("2", Action::Guess(1)),
            ("3", Action::Guess(2)),
            ("4", Action::Guess(3)),
        ],
        "help-guess",
    ),
    row(
        &[
            ("c", Action::Client(ClientCmd::Chatty)),
            ("i", Action::Client(ClientCmd::Idle)),
        ],
        "help-client",
    ),
    row(
        &[
            ("x", Action::Client(ClientCmd::ResetOne)),
            ("X", Action::Client(ClientCmd::CloseOne)),
        ],
        "help-reset-close",
    ),
    row(
        &[("s", Action::Client(ClientCmd::SendAll))],
        "help-send-all",
    ),
    row(&[("d", Action::ToggleDemo)], "help-demo"),
    row(
        &[("w", Action::Workers(true)), ("W", Action::Workers(false))],
        "help-workers",
    ),
    row(&[("m", Action::NextModel)], "help-next-model"),
    row(&[("M", Action::Marker)], "help-marker"),
    row(&[("t", Action::ToggleCompare)], "help-compare"),
    row(&[("v", Action::ToggleCode)], "help-code"),
    row(&[("L", Action::NextLang)], "help-lang"),
    // A message id of the look area.
    row(&[("T", Action::NextTheme)], "look-key-theme"),
    row(
        &[
            ("?", Action::ToggleHelp),
            ("h", Action::ToggleHelp),
            ("F1", Action::ToggleHelp),
        ],
        "help-help",
    ),
    row(
        &[("Tab", Action::FocusNext), ("Shift-Tab", Action::FocusPrev)],
        "help-focus",
    ),
    row(
        &[
            ("↑", Action::ScrollUp(1)),
            ("↓", Action::ScrollDown(1)),
            ("k", Action::ScrollUp(1)),
            ("j", Action::ScrollDown(1)),
        ],
        "help-scroll",
    ),
    row(
        &[
            ("PgUp", Action::ScrollUp(PAGE)),
            ("PgDn", Action::ScrollDown(PAGE)),
        ],
        "help-page",
    ),
    row(
        &[("g", Action::ScrollHome), ("G", Action::ScrollEnd)],
        "help-top-bottom",
    ),
    row(&[("Enter", Action::Explain)], "help-explain"),
];

impl Binding {
    /// The keys as the help shows them: `↑ ↓ k j`.
    pub fn keys_text(&self) -> String {
        let names: Vec<&str> = self.keys.iter().map(|(k, _)| *k).collect();
        names.join(" ")
    }
}

const PAGE: usize = 10;

/// The action for a key press, if any. Call it with presses only (not
/// releases), as crossterm reports both on some platforms.
pub fn action_for_key(key: KeyEvent, overlay_open: bool) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let chord = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    let action = match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('z') if ctrl => Action::Suspend,
        // Ctrl-X is not x: a chord means only what the table lists.
        _ if chord => return None,
        KeyCode::Esc if overlay_open => Action::CloseOverlay,
        KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
        KeyCode::Char(' ') | KeyCode::Char('p') => Action::TogglePause,
        KeyCode::Char('c') => Action::Client(ClientCmd::Chatty),
        KeyCode::Char('i') => Action::Client(ClientCmd::Idle),
        KeyCode::Char('x') => Action::Client(ClientCmd::ResetOne),
        KeyCode::Char('X') => Action::Client(ClientCmd::CloseOne),
        KeyCode::Char('s') => Action::Client(ClientCmd::SendAll),
        KeyCode::Char('d') => Action::ToggleDemo,
        KeyCode::Char('m') => Action::NextModel,
        KeyCode::Char('M') => Action::Marker,
        KeyCode::Char('w') => Action::Workers(true),
        KeyCode::Char('W') => Action::Workers(false),
        KeyCode::Char('n') => Action::StepCall,
        KeyCode::Char('N') => Action::Step,
        KeyCode::Char('-') => Action::Slower(true),
        KeyCode::Char('+') => Action::Slower(false),
        KeyCode::Char('[') => Action::Speed(false),
        KeyCode::Char(']') => Action::Speed(true),
        KeyCode::Char('b') => Action::NextBackoff,
        KeyCode::Char('f') => Action::TogglePrediction,
        KeyCode::Char('r') => Action::Reveal,
        KeyCode::Char(c @ '1'..='4') => Action::Guess(c as usize - '1' as usize),
        KeyCode::Char('t') => Action::ToggleCompare,
        KeyCode::Char('v') => Action::ToggleCode,
        KeyCode::Char('L') => Action::NextLang,
        KeyCode::Char('T') => Action::NextTheme,
        KeyCode::Char('?') | KeyCode::Char('h') | KeyCode::F(1) => Action::ToggleHelp,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Up | KeyCode::Char('k') => Action::ScrollUp(1),
        KeyCode::Down | KeyCode::Char('j') => Action::ScrollDown(1),
        KeyCode::PageUp => Action::ScrollUp(PAGE),
        KeyCode::PageDown => Action::ScrollDown(PAGE),
        KeyCode::Char('g') => Action::ScrollHome,
        KeyCode::Char('G') => Action::ScrollEnd,
        KeyCode::Left => Action::Seek(Seek::Back),
        KeyCode::Right => Action::Seek(Seek::Forward),
        KeyCode::Home => Action::Seek(Seek::Start),
        KeyCode::End => Action::Seek(Seek::End),
        KeyCode::Char('\'') => Action::Seek(Seek::NextMark),
        KeyCode::Char('"') => Action::Seek(Seek::PrevMark),
        KeyCode::Enter => Action::Explain,
        _ => return None,
    };
    Some(action)
}

/// What a mouse event is to the dashboard: a left click or the wheel, at
/// a cell of the screen; nothing else (the right button, dragging, motion).
pub fn mouse_for_event(mouse: MouseEvent) -> Option<Mouse> {
    let at = Position::new(mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Mouse::Click(at)),
        MouseEventKind::ScrollUp => Some(Mouse::Wheel(at, true)),
        MouseEventKind::ScrollDown => Some(Mouse::Wheel(at, false)),
        _ => None,
    }
}

/// What a key press does to the marker's note while it is typed (after
/// `M`): every character is typed, `q` and `M` too — no other key means
/// anything meanwhile. Enter drops the marker; Esc and Ctrl-C cancel it.
pub fn note_edit_for_key(key: KeyEvent) -> Option<NoteEdit> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let chord = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => NoteEdit::Cancel,
        _ if chord => return None,
        KeyCode::Char(c) => NoteEdit::Type(c),
        KeyCode::Backspace => NoteEdit::Backspace,
        KeyCode::Enter => NoteEdit::Drop,
        KeyCode::Esc => NoteEdit::Cancel,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    /// The name the help uses for a key.
    fn name(k: KeyEvent) -> String {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char(c) if ctrl => format!("Ctrl-{}", c.to_ascii_uppercase()),
            KeyCode::Char(' ') => "space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        }
    }

    /// Every key a keyboard can send that the dashboard might answer.
    fn every_key() -> Vec<KeyEvent> {
        let mut keys: Vec<KeyEvent> = (' '..='~')
            .flat_map(|c| {
                [
                    key(KeyCode::Char(c)),
                    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                    KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT),
                ]
            })
            .collect();
        keys.extend(
            [
                KeyCode::Esc,
                KeyCode::Tab,
                KeyCode::BackTab,
                KeyCode::Enter,
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::Insert,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Home,
                KeyCode::End,
            ]
            .map(key),
        );
        keys.extend((1..=12).map(|n| key(KeyCode::F(n))));
        keys
    }

    #[test]
    fn every_key_is_in_the_help_with_the_action_it_gives_and_none_twice() {
        let listed: Vec<(&str, Action)> =
            KEYS.iter().flat_map(|b| b.keys.iter().copied()).collect();
        // No key is listed twice (so none can mean two things on screen).
        for (i, (k, _)) in listed.iter().enumerate() {
            assert!(
                !listed[i + 1..].iter().any(|(other, _)| other == k),
                "{k} is listed twice"
            );
        }
        // Every key the dashboard answers is listed, with what it does.
        let mut answered = 0;
        for k in every_key() {
            if let Some(action) = action_for_key(k, false) {
                answered += 1;
                let n = name(k);
                let row = listed.iter().find(|(l, _)| *l == n);
                assert_eq!(row.map(|r| r.1), Some(action), "key {n}");
            }
        }
        // ... and every listed key is answered: nothing in the help is dead.
        assert_eq!(answered, listed.len());
        // With an overlay open, Esc closes it (the quit row says so).
        assert_eq!(
            action_for_key(key(KeyCode::Esc), true),
            Some(Action::CloseOverlay)
        );
        assert!(KEYS[0].what(Lang::En, false).contains("Esc closes"));
        assert_eq!(action_for_key(key(KeyCode::Char('z')), false), None);
        // M (Shift-m) is not m.
        assert_eq!(
            action_for_key(key(KeyCode::Char('M')), false),
            Some(Action::Marker)
        );
    }

    #[test]
    fn every_help_row_is_a_message_in_every_language() {
        for b in KEYS {
            for id in [Some(b.what), b.in_replay].into_iter().flatten() {
                for lang in Lang::SPOKEN {
                    let said = crate::i18n::tr(lang, id);
                    assert!(!said.is_empty() && said != id, "{id} in {lang:?}");
                }
            }
        }
        assert_eq!(
            KEYS[2].what(Lang::Zh, true),
            crate::i18n::tr(Lang::Zh, "help-pause-replay")
        );
    }

    /// While a marker's note is typed, keys are text: every character a
    /// keyboard sends types itself, whatever it means otherwise.
    #[test]
    fn typing_a_note_every_character_is_text_and_only_enter_and_esc_act() {
        for k in every_key() {
            let edit = note_edit_for_key(k);
            let chord = k.modifiers != KeyModifiers::NONE;
            match k.code {
                KeyCode::Char('c') if chord && k.modifiers == KeyModifiers::CONTROL => {
                    assert_eq!(edit, Some(NoteEdit::Cancel));
                }
                _ if chord => assert_eq!(edit, None, "{k:?}"),
                KeyCode::Char(c) => assert_eq!(edit, Some(NoteEdit::Type(c))),
                KeyCode::Enter => assert_eq!(edit, Some(NoteEdit::Drop)),
                KeyCode::Esc => assert_eq!(edit, Some(NoteEdit::Cancel)),
                KeyCode::Backspace => assert_eq!(edit, Some(NoteEdit::Backspace)),
                _ => assert_eq!(edit, None, "{k:?}"),
            }
        }
        for c in ['看', 'é', 'Q'] {
            let typed = KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT);
            assert_eq!(note_edit_for_key(typed), Some(NoteEdit::Type(c)));
        }
    }
}
