//! Keys to actions. The help overlay is generated from [`KEYS`], so the
//! screen and the code cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::client::builtin::ClientCmd;

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
    /// While paused: one more iteration of the loop.
    Step,
    /// Stop this model and start the next one on the same address.
    NextModel,
    /// The comparison of the models that have run.
    ToggleCompare,
}

/// Every key, as the help overlay lists it.
pub const KEYS: &[(&str, &str)] = &[
    (
        "q  Esc  Ctrl-C",
        "quit (the server stops, clients see a close)",
    ),
    (
        "space  p",
        "pause / resume the server loop (really parked: 0% CPU)",
    ),
    ("n", "while paused: run one more spin (epoll: one wakeup)"),
    ("c  i", "connect a built-in chatty / idle client"),
    ("x  X", "reset / gracefully close a built-in client"),
    ("s", "every built-in client sends one message"),
    ("d", "demo on/off: clients come, talk, close, reset"),
    ("m", "switch to the next model (blocking → … → multiplex)"),
    ("t", "table: compare the models that have run"),
    ("?", "this help"),
    ("Tab  Shift-Tab", "focus the next / previous list"),
    ("↑ ↓  k j", "scroll the focused list"),
    ("PgUp PgDn", "scroll a page"),
    ("Home End  g G", "jump to the top / bottom"),
];

const PAGE: usize = 10;

/// The action for a key press, if any. Call it with presses only (not
/// releases), as crossterm reports both on some platforms.
pub fn action_for_key(key: KeyEvent, overlay_open: bool) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let action = match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
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
        KeyCode::Char('n') => Action::Step,
        KeyCode::Char('t') => Action::ToggleCompare,
        KeyCode::Char('?') | KeyCode::Char('h') | KeyCode::F(1) => Action::ToggleHelp,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Up | KeyCode::Char('k') => Action::ScrollUp(1),
        KeyCode::Down | KeyCode::Char('j') => Action::ScrollDown(1),
        KeyCode::PageUp => Action::ScrollUp(PAGE),
        KeyCode::PageDown => Action::ScrollDown(PAGE),
        KeyCode::Home | KeyCode::Char('g') => Action::ScrollHome,
        KeyCode::End | KeyCode::Char('G') => Action::ScrollEnd,
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_issue_keys_map() {
        assert_eq!(
            action_for_key(key(KeyCode::Char('q')), false),
            Some(Action::Quit)
        );
        assert_eq!(action_for_key(key(KeyCode::Esc), false), Some(Action::Quit));
        assert_eq!(
            action_for_key(key(KeyCode::Esc), true),
            Some(Action::CloseOverlay)
        );
        assert_eq!(
            action_for_key(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                false
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for_key(key(KeyCode::Char(' ')), false),
            Some(Action::TogglePause)
        );
        assert_eq!(
            action_for_key(key(KeyCode::Char('p')), false),
            Some(Action::TogglePause)
        );
        assert_eq!(
            action_for_key(key(KeyCode::Char('?')), false),
            Some(Action::ToggleHelp)
        );
        assert_eq!(action_for_key(key(KeyCode::Char('z')), false), None);
    }
}
