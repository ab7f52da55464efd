//! `ioscope serve`: start the server, then show it on the dashboard or
//! stream its events as JSON lines (`--headless`).

use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};

use crate::app::Dashboard;
use crate::cli::ServeArgs;
use crate::client::builtin::BuiltinClients;
use crate::event::Event;
use crate::probe::EVENT_CHANNEL_CAP;
use crate::runtime::{self, Exit, Input, Session};
use crate::server::{BindError, ServerConfig, ServerHost};
use crate::source::Live;
use crate::sys;
use crate::term::{self, TermInput};

#[derive(Debug)]
pub enum ServeError {
    /// Could not listen: a usage problem (exit code 2).
    Bind(BindError),
    /// The terminal or stdout failed.
    Io(io::Error),
    /// The server thread ended by itself (a panic, reported above).
    ServerGone,
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Bind(e) => e.fmt(f),
            ServeError::Io(e) => write!(f, "terminal error: {e}"),
            ServeError::ServerGone => write!(f, "the server thread stopped unexpectedly"),
        }
    }
}

impl std::error::Error for ServeError {}

impl From<io::Error> for ServeError {
    fn from(e: io::Error) -> Self {
        ServeError::Io(e)
    }
}

fn start(args: &ServeArgs) -> Result<(ServerHost, Receiver<Event>, Instant), ServeError> {
    sys::raise_fd_limit();
    let mut config = ServerConfig::new(args.addr);
    config.model = args.model;
    config.backlog = args.backlog;
    config.faithful = args.faithful;
    config.workers = args.workers;
    config.pending_cap = args.pending_cap;
    config.pending_total = args.pending_total;
    config.stall_timeout = args.stall_timeout.max(Duration::from_millis(10));
    config.max_conns = args.max_conns;
    config.max_conns_per_ip = args.max_conns_per_ip;
    config.inject_panic = fault() == Some("server-panic");
    let (tx, rx) = crossbeam_channel::bounded(EVENT_CHANNEL_CAP);
    let epoch = Instant::now();
    let idle_delay = Duration::from_micros(args.idle_delay_us);
    let host = ServerHost::start(config, tx, epoch, idle_delay).map_err(ServeError::Bind)?;
    Ok((host, rx, epoch))
}

/// The dashboard, full screen, until `q`, a signal or the server's end.
/// Binding happens before the terminal is touched.
pub fn dashboard(args: &ServeArgs) -> Result<(), ServeError> {
    let (server, events, epoch) = start(args)?;
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let signals = input_tx.clone();
    term::spawn_signals(move |sig| signals.send(Input::Signal(sig)).is_ok())?;
    let notes = input_tx.clone();
    let clients = BuiltinClients::start(server.addr(), epoch, args.demo, move |event| {
        let _ = notes.send(Input::Event(event));
    })?;
    let mut terminal = term::enter()?;
    if fault() == Some("ui-panic") {
        panic!("injected UI panic (IOSCOPE_FAULT=ui-panic)");
    }
    let source = Live::new(server, events, epoch);
    let result = term::spawn_input(move |input| {
        let input = match input {
            TermInput::Key(key) => Input::Key(key),
            TermInput::Resize => Input::Resize,
        };
        input_tx.send(input).is_ok()
    })
    .and_then(|()| {
        let mut dashboard = Dashboard::new();
        dashboard.demo = args.demo;
        let session = Session {
            source: &source,
            clients: Some(&clients),
        };
        runtime::run(&mut terminal, &mut dashboard, session, &inputs)
    });
    term::leave();
    drop(terminal);
    drop(clients);
    drop(source);
    match result? {
        Exit::Quit | Exit::Signal(_) => Ok(()),
        Exit::ServerGone => Err(ServeError::ServerGone),
    }
}

/// Events as JSON lines on `out` until Ctrl-C, SIGTERM or `duration`.
pub fn headless(args: &ServeArgs, out: &mut impl Write) -> Result<(), ServeError> {
    let (server, events, _epoch) = start(args)?;
    let (sig_tx, signals) = crossbeam_channel::unbounded::<i32>();
    term::spawn_signals(move |sig| sig_tx.send(sig).is_ok())?;
    let deadline = match args.duration {
        Some(d) => crossbeam_channel::after(d),
        None => crossbeam_channel::never(),
    };
    let mut out = io::BufWriter::new(out);
    let alive = crossbeam_channel::tick(Duration::from_millis(250));
    let outcome = loop {
        select! {
            recv(alive) -> _ => if !server.is_alive() {
                break Ok(Exit::ServerGone);
            },
            recv(events) -> event => match event {
                Ok(event) => {
                    write_line(&mut out, &event)?;
                    for event in events.try_iter() {
                        write_line(&mut out, &event)?;
                    }
                    if let Err(e) = out.flush() {
                        break Err(e);
                    }
                }
                Err(_) => break Ok(Exit::ServerGone),
            },
            recv(signals) -> _ => break Ok(Exit::Quit),
            recv(deadline) -> _ => break Ok(Exit::Quit),
        }
    };
    drop(server);
    match outcome {
        Ok(Exit::ServerGone) => Err(ServeError::ServerGone),
        Ok(_) => {
            // What the server said while stopping (its last summaries).
            for event in events.try_iter() {
                write_line(&mut out, &event)?;
            }
            out.flush().or_else(ignore_broken_pipe)?;
            Ok(())
        }
        // A reader that went away (`| head`) is not an error.
        Err(e) => ignore_broken_pipe(e).map_err(ServeError::Io),
    }
}

/// `IOSCOPE_FAULT=server-panic|ui-panic`: fault injection, so that the
/// terminal's restoration after a panic can be tested end to end.
fn fault() -> Option<&'static str> {
    match std::env::var("IOSCOPE_FAULT").ok()?.as_str() {
        "server-panic" => Some("server-panic"),
        "ui-panic" => Some("ui-panic"),
        _ => None,
    }
}

fn write_line(out: &mut impl Write, event: &crate::event::Event) -> io::Result<()> {
    serde_json::to_writer(&mut *out, event)?;
    out.write_all(b"\n")
}

fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}
