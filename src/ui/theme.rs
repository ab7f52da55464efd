//! Colours and styles, in one place. Chosen to survive a washed-out
//! projector: bold and a few strong colours, no subtle greys for content.

use ratatui::style::{Color, Modifier, Style};

use crate::event::EventKind;

pub const TITLE: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
pub const LABEL: Style = Style::new().fg(Color::Gray);
pub const VALUE: Style = Style::new().add_modifier(Modifier::BOLD);
pub const HINT: Style = Style::new().fg(Color::DarkGray);
pub const BORDER: Style = Style::new().fg(Color::DarkGray);
pub const BORDER_FOCUS: Style = Style::new().fg(Color::Cyan);
pub const HEADER_ROW: Style = Style::new()
    .fg(Color::Gray)
    .add_modifier(Modifier::UNDERLINED);
pub const SPINS: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const CPU: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const RUNNING: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Green)
    .add_modifier(Modifier::BOLD);
pub const PAUSED: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Yellow)
    .add_modifier(Modifier::BOLD);
pub const WARN: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const DATA: Style = Style::new().fg(Color::White);
pub const PAUSED_TEXT: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
/// The marker where one model run ended and the next began.
pub const SWITCH: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
/// The selected log line: reversed, so it stands out in any colours.
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const RUNNING_TEXT: Style = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD);

/// The code panel: a listing's comments, the line of the loop's last call
/// (and the connection it was on, in the Connected list), the branch it
/// took, threads parked on a line, and how often each line ran.
pub const CODE_COMMENT: Style = Style::new().fg(Color::Gray);
pub const CODE_AT: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Yellow)
    .add_modifier(Modifier::BOLD);
pub const CODE_BRANCH: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const CODE_PARKED: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const CODE_COUNT: Style = Style::new().fg(Color::Yellow);
pub const SERVING: Style = CODE_AT;
/// A connection with bytes waiting in the kernel that the server has not
/// copied yet: the lecture's first phase of recv, on screen.
pub const KERNEL_WAITING: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::LightBlue)
    .add_modifier(Modifier::BOLD);

/// The viewer's marker (`M`): lit, to be found again at a glance.
pub const MARKER: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::LightYellow)
    .add_modifier(Modifier::BOLD);
/// ... and its note.
pub const MARKER_NOTE: Style = Style::new()
    .fg(Color::LightYellow)
    .add_modifier(Modifier::BOLD);

/// The colour of an event's kind, in the log and the lists.
pub fn kind(kind: &EventKind) -> Style {
    let fg = match kind {
        EventKind::Marker { .. } => return MARKER,
        EventKind::Listening { .. }
        | EventKind::Paused { .. }
        | EventKind::Client { .. }
        | EventKind::Pace { .. } => Color::Cyan,
        EventKind::Accept { .. } => Color::Green,
        EventKind::Recv { .. } => Color::LightBlue,
        EventKind::Send { .. } => Color::Magenta,
        EventKind::Closed { .. } => Color::Yellow,
        EventKind::Reset { .. }
        | EventKind::Lost { .. }
        | EventKind::AcceptError { .. }
        | EventKind::Evicted { .. }
        | EventKind::Refused { .. } => Color::Red,
        EventKind::Thread { .. } | EventKind::Queued { .. } | EventKind::Dequeued { .. } => {
            Color::LightYellow
        }
        EventKind::WouldBlock { .. }
        | EventKind::WouldBlockOn { .. }
        | EventKind::Spin { .. }
        | EventKind::Dropped { .. }
        | EventKind::Blocked { .. }
        | EventKind::Unblocked { .. }
        | EventKind::Wakeup { .. }
        | EventKind::Sample { .. }
        | EventKind::AcceptWait { .. }
        | EventKind::KernelQueues { .. }
        | EventKind::Reply { .. } => Color::DarkGray,
    };
    Style::new().fg(fg)
}
