//! The dashboard's loop: one `select!` over input (keys, resizes, signals),
//! server events and a tick; the dashboard is drawn on the tick and after a
//! key, never once per event.

use std::io;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::{Action, Dashboard, action_for_key};
use crate::client::builtin::{BuiltinClients, ClientCmd};
use crate::event::Event;
use crate::server::ServerHost;
use crate::{term, ui};

/// How often the screen is redrawn and the rates recomputed.
pub const TICK: Duration = Duration::from_millis(100);
/// At most this many events are applied between two checks of the input.
const DRAIN_MAX: usize = 8192;

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

/// What reaches the runtime besides server events.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    /// An action straight from a script or a test, as a key would give.
    Action(Action),
    Resize,
    /// SIGTERM, SIGHUP or SIGINT arrived.
    Signal(i32),
    /// An event from outside the server (the built-in clients' notes).
    Event(Event),
}

/// What the runtime drives besides the dashboard.
#[derive(Debug, Clone, Copy)]
pub struct Session<'a> {
    /// The server slot: the running model, pause, live switch.
    pub server: &'a ServerHost,
    /// The dashboard's own clients, when it has them.
    pub clients: Option<&'a BuiltinClients>,
    /// The server's clock: ticks and events agree on time.
    pub epoch: Instant,
}

/// Why the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(i32),
    /// The server's event channel closed: its thread ended on its own.
    ServerGone,
}

/// Runs until quit, a signal, or the server's end.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    dashboard: &mut Dashboard,
    session: Session,
    inputs: &Receiver<Input>,
    events: &Receiver<Event>,
) -> io::Result<Exit>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let ticker = crossbeam_channel::tick(TICK);
    let mut inputs = inputs.clone();
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, dashboard)?;
            dirty = false;
        }
        select! {
            recv(inputs) -> input => {
                let action = match input {
                    Ok(Input::Key(key)) => action_for_key(key, dashboard.overlay_open()),
                    Ok(Input::Action(action)) => Some(action),
                    Ok(Input::Resize) => {
                        terminal.autoresize().map_err(io::Error::other)?;
                        None
                    }
                    Ok(Input::Signal(sig)) => return Ok(Exit::Signal(sig)),
                    Ok(Input::Event(event)) => {
                        dashboard.apply(&event);
                        None
                    }
                    // No input source left (a test's script ended): events
                    // and ticks go on.
                    Err(_) => {
                        inputs = crossbeam_channel::never();
                        None
                    }
                };
                if let Some(action) = action {
                    if perform(action, dashboard, session) == Some(Exit::Quit) {
                        return Ok(Exit::Quit);
                    }
                }
                dirty = true;
            }
            recv(events) -> event => match event {
                Ok(event) => {
                    dashboard.apply(&event);
                    for event in events.try_iter().take(DRAIN_MAX) {
                        dashboard.apply(&event);
                    }
                }
                Err(_) => return Ok(Exit::ServerGone),
            },
            recv(ticker) -> _ => {
                if !session.server.is_alive() {
                    return Ok(Exit::ServerGone);
                }
                dashboard.tick(session.epoch.elapsed().as_micros() as u64);
                dirty = true;
            }
        }
    }
}

/// Applies one action; returns `Some(Exit::Quit)` to leave.
pub fn perform(action: Action, dashboard: &mut Dashboard, session: Session) -> Option<Exit> {
    match action {
        Action::Quit => return Some(Exit::Quit),
        Action::TogglePause => {
            let control = session.server.control();
            control.set_paused(!control.is_paused());
        }
        Action::Step => session.server.control().step(),
        Action::NextModel => {
            let next = session.server.model().next();
            if let Err(e) = session.server.switch_to(next) {
                let now = session.epoch.elapsed().as_micros() as u64;
                dashboard.report_error(now, format!("cannot switch to {next}: {e}"));
            }
        }
        Action::Client(cmd) => {
            if let Some(clients) = session.clients {
                clients.command(cmd);
            }
        }
        Action::ToggleDemo => {
            if let Some(clients) = session.clients {
                clients.command(ClientCmd::Demo(!dashboard.demo));
            }
        }
        _ => {}
    }
    dashboard.handle(action);
    None
}
