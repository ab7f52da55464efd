//! The dashboard's loop: one `select!` over input (keys, the mouse,
//! resizes, signals)
//! and two clocks. Every [`DRAIN_EVERY`] it takes the events that are
//! there — it never parks on the event channel, so a server thread handing
//! events over never has to wake it — and every [`TICK`] it recomputes the
//! rates and draws; it also draws after a key, never once per event.

use std::io;
use std::time::Duration;

use crossbeam_channel::{Receiver, select};
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::{
    Action, Dashboard, Notice, ReplayCant, action_for_key, mouse_for_event, note_edit_for_key,
};
use crate::client::builtin::{BuiltinClients, ClientCmd};
use crate::event::{ClientRole, Event, EventKind};
use crate::probe::channel::{DRAIN_EVERY, Flow};
use crate::record::Tap;
use crate::source::{Command, Source};
use crate::{term, ui};

/// How often the screen is redrawn and the rates recomputed.
pub const TICK: Duration = Duration::from_millis(100);

/// Draws one frame unless the terminal has been restored.
fn draw<B: Backend>(terminal: &mut Terminal<B>, dashboard: &Dashboard) -> io::Result<()>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    term::while_drawing(|| {
        terminal
            .draw(|frame| ui::draw(frame, dashboard))
            .map(|_| ())
            .map_err(io::Error::other)
    })
    .unwrap_or(Ok(()))
}

/// The next frame is drawn whole: the screen is cleared and nothing of the
/// last frame is taken as already there (after the terminal was the
/// shell's for a while).
fn repaint_all<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    term::while_drawing(|| {
        let area = terminal.size()?;
        terminal.resize(area.into())
    })
    .unwrap_or(Ok(()))
    .map_err(io::Error::other)
}

/// What reaches the runtime besides server events.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    /// A click or the wheel: it moves the focus, selects and explains a
    /// log line, scrolls (the view only, as keys do).
    Mouse(MouseEvent),
    /// An action straight from a script or a test, as a key would give.
    Action(Action),
    Resize,
    /// SIGTERM, SIGHUP or SIGINT arrived.
    Signal(i32),
    /// Ctrl-Z or SIGTSTP: hand the terminal to the shell and stop until
    /// `fg` (the server stops with the process, and is not shut down).
    Suspend,
    /// SIGCONT: take the terminal again if someone else had it.
    Continued,
    /// An event from outside the server (the built-in clients' notes).
    Event(Event),
}

/// What the runtime drives besides the dashboard.
#[derive(Clone, Copy)]
pub struct Session<'a> {
    /// Where the events come from: the live server, or (later) a recording.
    pub source: &'a dyn Source,
    /// The dashboard's own clients, when it has them.
    pub clients: Option<&'a BuiltinClients>,
    /// `--record`: every event the dashboard learns from goes there too.
    pub record: Option<&'a Tap>,
}

/// Why the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(i32),
    /// The source ended on its own (a server thread died).
    ServerGone,
}

/// Runs until quit, a signal, or the source's end.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    dashboard: &mut Dashboard,
    session: Session,
    inputs: &Receiver<Input>,
) -> io::Result<Exit>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let ticker = crossbeam_channel::tick(TICK);
    let drain = crossbeam_channel::tick(DRAIN_EVERY);
    let mut inputs = inputs.clone();
    let mut dirty = true;
    // What the source has for the dashboard, learnt; `false` once it ended.
    let take =
        |dashboard: &mut Dashboard| session.source.feed(dashboard, session.record) == Flow::Open;
    loop {
        if dirty {
            // A frame shows everything there is.
            if !take(dashboard) {
                return Ok(Exit::ServerGone);
            }
            dashboard.replay = session.source.replay();
            draw(terminal, dashboard)?;
            dirty = false;
        }
        select! {
            recv(inputs) -> input => {
                let action = match input {
                    // The marker's note is being typed: every key goes into it.
                    Ok(Input::Key(key)) if dashboard.view.note().is_some() => {
                        type_note(key, dashboard, session);
                        None
                    }
                    Ok(Input::Key(key)) => action_for_key(key, dashboard.overlay_open()),
                    Ok(Input::Mouse(mouse)) => {
                        if let Some(mouse) = mouse_for_event(mouse) {
                            dashboard.mouse(mouse);
                        }
                        None
                    }
                    Ok(Input::Action(action)) => Some(action),
                    Ok(Input::Resize) => {
                        terminal.autoresize().map_err(io::Error::other)?;
                        None
                    }
                    Ok(Input::Signal(sig)) => return Ok(Exit::Signal(sig)),
                    Ok(Input::Suspend) => Some(Action::Suspend),
                    Ok(Input::Continued) => {
                        if term::reclaim()? {
                            repaint_all(terminal)?;
                        }
                        None
                    }
                    Ok(Input::Event(event)) => {
                        outside(event, dashboard, session);
                        None
                    }
                    // No input source left (a test's script ended): events
                    // and ticks go on.
                    Err(_) => {
                        inputs = crossbeam_channel::never();
                        None
                    }
                };
                if action == Some(Action::Suspend) {
                    // The terminal's to give back: the shell has it until fg.
                    if term::suspend()? {
                        repaint_all(terminal)?;
                    }
                } else if let Some(action) = action
                    && perform(action, dashboard, session) == Some(Exit::Quit)
                {
                    // The dashboard left behind knows all the source said.
                    take(dashboard);
                    return Ok(Exit::Quit);
                }
                dirty = true;
            }
            recv(drain) -> _ => {
                if !take(dashboard) {
                    return Ok(Exit::ServerGone);
                }
            }
            recv(ticker) -> _ => {
                if !session.source.is_alive() {
                    return Ok(Exit::ServerGone);
                }
                session.source.tick(dashboard);
                dirty = true;
            }
        }
    }
}

/// Applies one action; returns `Some(Exit::Quit)` to leave.
pub fn perform(action: Action, dashboard: &mut Dashboard, session: Session) -> Option<Exit> {
    let replaying = session.source.replay().is_some();
    let command = match action {
        Action::Quit => return Some(Exit::Quit),
        Action::TogglePause => Some(Command::TogglePause),
        Action::Step => Some(Command::Step),
        Action::StepCall => Some(Command::StepCall),
        Action::Slower(slower) => Some(Command::Slower(slower)),
        Action::NextBackoff => Some(Command::NextBackoff),
        Action::Workers(grow) => Some(Command::Workers(grow)),
        Action::NextModel => Some(Command::NextModel),
        Action::Speed(faster) => Some(Command::Speed(faster)),
        Action::Seek(seek) => Some(Command::Seek(seek)),
        Action::Client(_) | Action::ToggleDemo if replaying => {
            dashboard.notify(Notice::Replay(ReplayCant::Clients));
            return None;
        }
        Action::Client(cmd) => {
            if let Some(notice) = client_command(cmd, dashboard, session.clients) {
                dashboard.notify(notice);
            }
            return None;
        }
        Action::Marker if replaying => {
            dashboard.notify(Notice::Replay(ReplayCant::Markers));
            return None;
        }
        Action::ToggleDemo => {
            let Some(clients) = session.clients else {
                dashboard.notify(Notice::NoClientsHere);
                return None;
            };
            clients.command(ClientCmd::Demo(!dashboard.demo));
            None
        }
        _ => None,
    };
    if let Some(command) = command {
        // The notice is timed by the source's clock, as everything else.
        session.source.tick(dashboard);
        dashboard.replay = session.source.replay();
        if let Err(notice) = session.source.command(command) {
            dashboard.notify(notice);
            return None;
        }
        if replaying {
            // The player's pause and steps are not the recorded server's:
            // the progress line shows them, from the source.
            dashboard.replay = session.source.replay();
            return None;
        }
    }
    dashboard.handle(action);
    None
}

/// An event from outside the server (a built-in client's note, the
/// viewer's marker): the dashboard learns it, and the recording has it in
/// the order the dashboard learnt it, among the server's events.
fn outside(event: Event, dashboard: &mut Dashboard, session: Session) {
    dashboard.apply(&event);
    if let Some(tap) = session.record {
        tap.forward(vec![event]);
    }
}

/// A key while the marker's note is typed (`M`): Enter drops the marker,
/// at the source's clock; without `--record` it is in the log only, and
/// the footer says so.
fn type_note(key: KeyEvent, dashboard: &mut Dashboard, session: Session) {
    let Some(note) = note_edit_for_key(key).and_then(|edit| dashboard.view.edit_note(edit)) else {
        return;
    };
    let kind = EventKind::Marker { note };
    let t_us = session.source.now_us();
    outside(Event { t_us, kind }, dashboard, session);
    if session.record.is_none() {
        dashboard.notify(Notice::MarkerNotRecorded);
    }
}

/// Tells the built-in clients; or why nothing would happen.
fn client_command(
    cmd: ClientCmd,
    dashboard: &Dashboard,
    clients: Option<&BuiltinClients>,
) -> Option<Notice> {
    let Some(clients) = clients else {
        return Some(Notice::NoClientsHere);
    };
    let (any, chatty) = (
        dashboard.conns.builtin_count(None),
        dashboard.conns.builtin_count(Some(ClientRole::Chatty)),
    );
    match cmd {
        ClientCmd::ResetOne | ClientCmd::CloseOne if any == 0 => Some(Notice::NoBuiltinClients),
        ClientCmd::SendAll if chatty == 0 => Some(Notice::NoChattyClients),
        _ => {
            clients.command(cmd);
            None
        }
    }
}
