//! The terminal's lifecycle in one place: enter raw mode and the alternate
//! screen, feed keys and signals to the runtime, and restore everything on
//! every way out — quit, signal, error, or a panic on any thread.

use std::io::{self, Write};
use std::sync::atomic::Ordering;

use crossbeam_channel::Sender;
use crossterm::event::{self as term_event, Event as TermEvent};
use ratatui::DefaultTerminal;

use crate::runtime::{DRAWING, Input, TERMINAL_RESTORED};

/// Enters the dashboard's terminal mode. A panic anywhere afterwards leaves
/// raw mode and the alternate screen before its message is printed.
pub fn enter() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?; // installs ratatui's restoring hook
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Wait for a frame being drawn (unless this thread is the one
        // drawing), stop further frames, then let ratatui's hook restore the
        // terminal and print the panic.
        let mut guard = None;
        for _ in 0..200 {
            if let Ok(g) = DRAWING.try_lock() {
                guard = Some(g);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        TERMINAL_RESTORED.store(true, Ordering::SeqCst);
        drop(guard);
        let _ = crossterm::execute!(io::stdout(), crossterm::cursor::Show);
        ratatui_hook(info);
    }));
    Ok(terminal)
}

/// Leaves raw mode and the alternate screen and shows the cursor.
pub fn leave() {
    if !TERMINAL_RESTORED.swap(true, Ordering::SeqCst) {
        ratatui::restore();
    }
    let mut out = io::stdout();
    let _ = crossterm::execute!(out, crossterm::cursor::Show);
    let _ = out.flush();
}

/// Reads key presses and resizes on a thread of its own. Only presses count:
/// some platforms report releases too.
pub fn spawn_input(tx: Sender<Input>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("ioscope-input".into())
        .spawn(move || {
            while let Ok(event) = term_event::read() {
                let input = match event {
                    TermEvent::Key(key) if key.is_press() => Input::Key(key),
                    TermEvent::Resize(..) => Input::Resize,
                    _ => continue,
                };
                if tx.send(input).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// SIGTERM, SIGHUP (the terminal went away) and SIGINT become inputs, so the
/// runtime leaves through the same door as `q`.
pub fn spawn_signals(tx: Sender<Input>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("ioscope-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if tx.send(Input::Signal(sig)).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}
