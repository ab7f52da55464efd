//! `ioscope replay FILE --cast OUT.cast --size 120x36`: the dashboard's
//! frames of a whole replay as an asciicast v2 file, for `asciinema play`
//! and the asciinema web player. No terminal is needed: the replay runs on
//! a hand-moved clock, a frame every [`FRAME_US`] of the recording, each
//! drawn by ratatui into a buffer (only the cells that changed, as on a
//! terminal) and written as one `[time, "o", text]` line.
//!
//! A note that asks playback to pause holds its frame for [`HOLD_US`],
//! then the cast goes on: nobody is there to press space.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde::Serialize;

use super::{ManualClock, Mark, Replay};
use crate::app::Dashboard;
use crate::record::Recording;
use crate::source::{Command, Source};
use crate::ui;

/// A frame every 100 ms of the recording: 10 frames a second.
pub const FRAME_US: u64 = 100_000;
/// How long a pausing note stays on screen in a cast.
pub const HOLD_US: u64 = 3_000_000;

/// The first line of an asciicast v2 file.
#[derive(Serialize)]
struct Header<'a> {
    version: u32,
    width: u16,
    height: u16,
    /// When the recording was made, seconds since 1970.
    timestamp: u64,
    title: &'a str,
    env: Env,
}

#[derive(Serialize)]
struct Env {
    #[serde(rename = "TERM")]
    term: &'static str,
}

/// What a frame sends the terminal, kept to be taken after the draw.
#[derive(Clone, Default)]
struct Screen(Rc<RefCell<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A replay drawn frame by frame into terminal output.
pub struct Cast {
    replay: Replay,
    clock: ManualClock,
    dashboard: Dashboard,
    terminal: Terminal<CrosstermBackend<Screen>>,
    screen: Screen,
    /// The cast's own time (µs): the recording's, and the holds.
    t_us: u64,
    done: bool,
    started: u64,
}

impl Cast {
    /// The replay of `recording` with `marks`, on a `width`×`height` screen.
    pub fn new(
        recording: Recording,
        marks: Vec<Mark>,
        width: u16,
        height: u16,
    ) -> io::Result<Self> {
        let clock = ManualClock::new();
        let started = recording.header.started;
        let replay = Replay::with_clock(recording, marks, Box::new(clock.clone()));
        let options = TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        };
        let screen = Screen::default();
        let mut terminal = Terminal::with_options(CrosstermBackend::new(screen.clone()), options)?;
        terminal.hide_cursor()?;
        Ok(Cast {
            replay,
            clock,
            dashboard: Dashboard::new(),
            terminal,
            screen,
            t_us: 0,
            done: false,
            started,
        })
    }

    /// The cast in `lang`.
    pub fn speaking(mut self, lang: crate::i18n::Lang) -> Self {
        self.dashboard.view.lang = lang;
        self
    }

    /// The cast in `look`'s language, colours and characters.
    pub fn looking(mut self, look: crate::app::Look) -> Self {
        self.dashboard.view.set_look(look);
        self
    }

    /// The dashboard as the last frame drew it.
    pub fn dashboard(&self) -> &Dashboard {
        &self.dashboard
    }

    /// The next frame: its time (µs from the start) and what a terminal is
    /// sent to show it (empty if nothing changed); `None` after the last.
    pub fn frame(&mut self) -> io::Result<Option<(u64, String)>> {
        if self.done {
            return Ok(None);
        }
        self.replay.feed(&mut self.dashboard, None);
        let info = self.replay.info();
        self.dashboard.replay = Some(info.clone());
        self.terminal
            .draw(|frame| ui::draw(frame, &self.dashboard))?;
        let out = std::mem::take(&mut *self.screen.0.borrow_mut());
        let at = self.t_us;
        if info.ended {
            self.done = true;
        } else if info.paused {
            // A note asked for a pause: it stays a while, then on.
            self.clock.advance(HOLD_US);
            self.t_us += HOLD_US;
            let _ = self.replay.command(Command::TogglePause);
        } else {
            self.clock.advance(FRAME_US);
            self.t_us += FRAME_US;
        }
        Ok(Some((at, String::from_utf8_lossy(&out).into_owned())))
    }

    /// Writes the whole cast to `out`: the header, then every frame that
    /// changed something. Returns how many frames were written.
    pub fn write(mut self, title: &str, mut out: impl Write) -> io::Result<usize> {
        let size = self.terminal.get_frame().area();
        let header = Header {
            version: 2,
            width: size.width,
            height: size.height,
            timestamp: self.started,
            title,
            env: Env {
                term: "xterm-256color",
            },
        };
        serde_json::to_writer(&mut out, &header)?;
        out.write_all(b"\n")?;
        let mut frames = 0;
        while let Some((t_us, text)) = self.frame()? {
            if text.is_empty() {
                continue;
            }
            let seconds = t_us as f64 / 1e6;
            serde_json::to_writer(&mut out, &(seconds, "o", text))?;
            out.write_all(b"\n")?;
            frames += 1;
        }
        out.flush()?;
        Ok(frames)
    }
}
