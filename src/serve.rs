//! `ioscope serve`: start the server, then show it on the dashboard or
//! stream its events as JSON lines (`--headless`).

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::select;

use crate::app::{Dashboard, Look};
use crate::cli::ServeArgs;
use crate::client::builtin::BuiltinClients;
use crate::probe::{self, EventRx};
use crate::record::{self, Cut, Header, Recorder, RecordingError};
use crate::replay::{self, Mark, Replay, WallClock};
use crate::runtime::{self, Exit, Input, Session};
use crate::server::{BindError, ServerConfig, ServerHost};
use crate::source::Live;
use crate::stream::Writer;
use crate::sys;
use crate::term::{self, Signal, TermInput};

#[derive(Debug)]
pub enum ServeError {
    /// Could not listen: a usage problem (exit code 2).
    Bind(BindError),
    /// The dashboard was asked for where stdin or stdout is not a
    /// terminal: a usage problem (exit code 2).
    NoTerminal(&'static str),
    /// The terminal or stdout failed.
    Io(io::Error),
    /// The server thread ended by itself (a panic, reported above).
    ServerGone,
    /// `--record FILE` cannot be created: a usage problem (exit code 2).
    RecordCreate(RecordingError),
    /// The recording could not be written to the end.
    Record(RecordingError),
    /// `replay FILE` on screen where stdin or stdout is not a terminal: a
    /// usage problem (exit code 2).
    ReplayNoTerminal(&'static str),
    /// `replay FILE`: the recording cannot be read (exit code 2).
    Replay(PathBuf, RecordingError),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Bind(e) => e.fmt(f),
            ServeError::NoTerminal(which) => write!(
                f,
                "{which} is not a terminal, and the dashboard needs one \
                 (--headless prints the events as JSON lines instead)"
            ),
            ServeError::Io(e) => write!(f, "terminal error: {e}"),
            ServeError::ServerGone => write!(f, "the server thread stopped unexpectedly"),
            ServeError::RecordCreate(e) | ServeError::Record(e) => e.fmt(f),
            ServeError::ReplayNoTerminal(which) => write!(
                f,
                "{which} is not a terminal, and the replay needs one \
                 (replay FILE --summary prints the session in a few lines instead)"
            ),
            ServeError::Replay(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

impl std::error::Error for ServeError {}

impl From<io::Error> for ServeError {
    fn from(e: io::Error) -> Self {
        ServeError::Io(e)
    }
}

/// `--record FILE`: the file is created and its header written before the
/// server starts.
fn recorder(args: &ServeArgs) -> Result<Option<Recorder>, ServeError> {
    args.record
        .as_deref()
        .map(|path| Recorder::create(path, &Header::now()).map_err(ServeError::RecordCreate))
        .transpose()
}

/// Ends the recording (its summary line), after everything else.
fn finish_recording(
    recorder: Option<Recorder>,
    end_us: u64,
    result: Result<(), ServeError>,
) -> Result<(), ServeError> {
    let recorded = recorder.map_or(Ok(()), |r| {
        r.finish(end_us).map(drop).map_err(ServeError::Record)
    });
    result.and(recorded)
}

fn start(args: &ServeArgs) -> Result<(ServerHost, EventRx, Instant), ServeError> {
    sys::raise_fd_limit();
    let mut config = ServerConfig::new(args.addr);
    config.model = args.model;
    config.backlog = args.backlog;
    config.faithful = args.faithful || args.verbatim;
    config.verbatim = args.verbatim;
    config.workers = args.workers;
    config.pending_cap = args.pending_cap;
    config.pending_total = args.pending_total;
    config.stall_timeout = args.stall_timeout.max(Duration::from_millis(10));
    config.max_conns = args.max_conns;
    config.max_conns_per_ip = args.max_conns_per_ip;
    config.inject_panic = fault() == Some("server-panic");
    let (tx, rx) = probe::channel::channel();
    let epoch = Instant::now();
    let idle_delay = Duration::from_micros(args.idle_delay_us);
    let host = ServerHost::start(config, tx, epoch, idle_delay).map_err(ServeError::Bind)?;
    Ok((host, rx, epoch))
}

/// The dashboard takes the terminal on stdin and stdout: when either is
/// not one (`ioscope > out.txt`, `ioscope | cat`, `ioscope < /dev/null`)
/// it is refused before anything else is done.
fn refuse_without_a_terminal() -> Result<(), ServeError> {
    if !io::stdout().is_terminal() {
        return Err(ServeError::NoTerminal("stdout"));
    }
    if !io::stdin().is_terminal() {
        return Err(ServeError::NoTerminal("stdin"));
    }
    Ok(())
}

/// What a signal is to the runtime.
fn signal_input(signal: Signal) -> Input {
    match signal {
        Signal::Quit(sig) => Input::Signal(sig),
        Signal::Suspend => Input::Suspend,
        Signal::Continued => Input::Continued,
    }
}

/// What the terminal's input is to the runtime.
fn key_input(input: TermInput) -> Input {
    match input {
        TermInput::Key(key) => Input::Key(key),
        TermInput::Mouse(mouse) => Input::Mouse(mouse),
        TermInput::Resize => Input::Resize,
        TermInput::Suspend => Input::Suspend,
    }
}

/// The dashboard, full screen, until `q`, a signal or the server's end;
/// Ctrl-Z suspends it. Binding happens before the terminal is touched.
pub fn dashboard(args: &ServeArgs) -> Result<(), ServeError> {
    refuse_without_a_terminal()?;
    let recorder = recorder(args)?;
    let (server, events, epoch) = start(args)?;
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let signals = input_tx.clone();
    term::spawn_signals(true, move |signal| {
        signals.send(signal_input(signal)).is_ok()
    })?;
    let notes = input_tx.clone();
    let clients = BuiltinClients::start(server.addr(), epoch, args.demo, move |event| {
        let _ = notes.send(Input::Event(event));
    })?;
    let mut terminal = term::enter_with(FrameOut::new())?;
    if fault() == Some("ui-panic") {
        panic!("injected UI panic (IOSCOPE_FAULT=ui-panic)");
    }
    let source = Live::new(server, events, epoch);
    let result =
        term::spawn_input(move |input| input_tx.send(key_input(input)).is_ok()).and_then(|()| {
            let mut dashboard = Dashboard::new();
            dashboard.demo = args.demo;
            dashboard.view.set_look(args.screen.look());
            let tap = recorder.as_ref().map(Recorder::tap);
            let session = Session {
                source: &source,
                clients: Some(&clients),
                record: tap.as_ref(),
            };
            runtime::run(&mut terminal, &mut dashboard, session, &inputs)
        });
    // A frame that could not be written (EIO, EPIPE: the terminal went
    // away) leaves through here too.
    term::leave();
    drop(terminal);
    drop(clients);
    let end_us = epoch.elapsed().as_micros() as u64;
    drop(source);
    let result = match result {
        Err(e) => Err(ServeError::Io(e)),
        Ok(Exit::Quit | Exit::Signal(_)) => Ok(()),
        Ok(Exit::ServerGone) => Err(ServeError::ServerGone),
    };
    finish_recording(recorder, end_us, result)
}

/// `ioscope replay FILE`: the recording on the dashboard, full screen, as
/// `serve` shows a live server (the same terminal handling on every way
/// out), until `q` or a signal. Returns where a recording cut short
/// stopped, to be said once the terminal is the shell's again.
pub fn replay(path: &Path, marks: Vec<Mark>, look: Look) -> Result<Option<Cut>, ServeError> {
    refuse_without_a_terminal().map_err(|e| match e {
        ServeError::NoTerminal(which) => ServeError::ReplayNoTerminal(which),
        other => other,
    })?;
    let recording = record::open(path).map_err(|e| ServeError::Replay(path.to_path_buf(), e))?;
    let cut = recording.cut.clone();
    on_screen(&Replay::start(recording, marks), look)?;
    Ok(cut)
}

/// `ioscope replay -`: follows the stream on stdin (a recording, or a
/// `--headless` stream: `ssh lab 'ioscope serve --headless' | ioscope
/// replay -`) on the dashboard; the keys come from the terminal.
pub fn follow(marks: Vec<Mark>, look: Look) -> Result<(), ServeError> {
    if !io::stdout().is_terminal() {
        return Err(ServeError::ReplayNoTerminal("stdout"));
    }
    let incoming = replay::read_stream(io::stdin());
    let source = Replay::follow(incoming, marks, Box::new(WallClock::new()));
    on_screen(&source, look)
}

/// A replay on the dashboard until `q` or a signal.
fn on_screen(source: &Replay, look: Look) -> Result<(), ServeError> {
    let (input_tx, inputs) = crossbeam_channel::unbounded();
    let signals = input_tx.clone();
    term::spawn_signals(true, move |signal| {
        signals.send(signal_input(signal)).is_ok()
    })?;
    let mut terminal = term::enter_with(FrameOut::new())?;
    let result =
        term::spawn_input(move |input| input_tx.send(key_input(input)).is_ok()).and_then(|()| {
            let mut dashboard = Dashboard::new();
            dashboard.view.set_look(look);
            let session = Session {
                source,
                clients: None,
                record: None,
            };
            runtime::run(&mut terminal, &mut dashboard, session, &inputs)
        });
    term::leave();
    drop(terminal);
    result.map(|_| ()).map_err(ServeError::Io)
}

/// Where the dashboard's frames go: stdout. With `IOSCOPE_FAULT=frame-error`
/// every write after the first ten frames fails with EIO, as on a terminal
/// that went away, so that the way out after a failed frame can be tested
/// end to end.
struct FrameOut {
    out: io::Stdout,
    frames: u32,
    fail_after: Option<u32>,
}

impl FrameOut {
    fn new() -> Self {
        FrameOut {
            out: io::stdout(),
            frames: 0,
            fail_after: (fault() == Some("frame-error")).then_some(10),
        }
    }

    fn check(&self) -> io::Result<()> {
        match self.fail_after {
            Some(n) if self.frames >= n => Err(io::Error::from_raw_os_error(libc::EIO)),
            _ => Ok(()),
        }
    }
}

impl Write for FrameOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.check()?;
        self.frames += 1;
        self.out.flush()
    }
}

/// How long the writer may go on after the server stopped, for the last
/// events; a reader that does not take them by then does not get them.
const WRITER_GRACE: Duration = Duration::from_millis(500);

/// Why the headless loop ended.
enum End {
    Asked,
    ServerGone,
    /// The writer stopped: the reader went away (EPIPE), or another error.
    Wrote(io::Result<()>),
}

/// Events as JSON lines on `out` until Ctrl-C, SIGTERM or `duration`,
/// whatever the reader does: a thread of its own writes them, so a reader
/// that stopped reading (`| sleep 60`) never keeps the process from
/// stopping; the events it did not take are counted on stderr.
pub fn headless(args: &ServeArgs, out: impl Write + Send + 'static) -> Result<(), ServeError> {
    let recorder = recorder(args)?;
    let (server, events, epoch) = start(args)?;
    let (sig_tx, signals) = crossbeam_channel::unbounded::<Signal>();
    term::spawn_signals(false, move |sig| sig_tx.send(sig).is_ok())?;
    let deadline = match args.duration {
        Some(d) => crossbeam_channel::after(d),
        None => crossbeam_channel::never(),
    };
    let writer = Writer::spawn_recorded(events.clone(), out, recorder.as_ref().map(Recorder::tap))?;
    let alive = crossbeam_channel::tick(Duration::from_millis(250));
    let end = loop {
        select! {
            recv(alive) -> _ => if !server.is_alive() {
                break End::ServerGone;
            },
            recv(writer.done) -> wrote => break End::Wrote(wrote.unwrap_or(Ok(()))),
            recv(signals) -> _ => break End::Asked,
            recv(deadline) -> _ => break End::Asked,
        }
    };
    // The server stops (its clients see a close) and its channel ends once
    // the writer has taken its last summaries.
    drop(server);
    let (wrote, server_gone) = match end {
        End::Wrote(wrote) => (wrote, false),
        End::Asked => (writer.finish(WRITER_GRACE, &events), false),
        End::ServerGone => (writer.finish(WRITER_GRACE, &events), true),
    };
    let end_us = epoch.elapsed().as_micros() as u64;
    let result = if server_gone {
        Err(ServeError::ServerGone)
    } else {
        // A reader that went away (`| head`) is not an error.
        wrote.or_else(ignore_broken_pipe).map_err(ServeError::Io)
    };
    finish_recording(recorder, end_us, result)
}

/// `IOSCOPE_FAULT=server-panic|ui-panic|frame-error`: fault injection, so
/// that the terminal's restoration after a panic or a failed frame can be
/// tested end to end.
fn fault() -> Option<&'static str> {
    match std::env::var("IOSCOPE_FAULT").ok()?.as_str() {
        "server-panic" => Some("server-panic"),
        "ui-panic" => Some("ui-panic"),
        "frame-error" => Some("frame-error"),
        _ => None,
    }
}

fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}
