//! The terminal's lifecycle in one place: enter raw mode and the alternate
//! screen, feed keys and signals to the runtime, and restore everything on
//! every way out — quit, signal, error, or a panic on any thread.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{self as term_event, Event as TermEvent, KeyEvent};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

/// Where the terminal is: untouched (before [`enter`], and in tests that draw
/// on a test backend), entered (raw mode, alternate screen), or restored.
const UNTOUCHED: u8 = 0;
const ENTERED: u8 = 1;
const RESTORED: u8 = 2;
static STATE: AtomicU8 = AtomicU8::new(UNTOUCHED);

/// Held while the terminal is entered, while a frame is drawn, and while it
/// is restored (by [`leave`] or by the panic hook): a frame can never land
/// on the restored screen, and a panic on another thread can never restore
/// the terminal halfway through entering it.
static SCREEN: Mutex<()> = Mutex::new(());

thread_local! {
    /// This thread holds [`SCREEN`] (a panic while drawing must not wait
    /// for itself).
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// How long the panic hook waits for another thread's frame.
const HOOK_PATIENCE: Duration = Duration::from_secs(2);

struct Held {
    _guard: MutexGuard<'static, ()>,
}

impl Drop for Held {
    fn drop(&mut self) {
        HOLDING.with(|h| h.set(false));
    }
}

fn hold() -> Held {
    let guard = SCREEN.lock().unwrap_or_else(|e| e.into_inner());
    HOLDING.with(|h| h.set(true));
    Held { _guard: guard }
}

/// For the panic hook: the lock, unless this thread has it already or its
/// holder does not let go in time (a write stuck on a vanished terminal).
fn hold_patiently() -> Option<Held> {
    if HOLDING.with(Cell::get) {
        return None;
    }
    let deadline = Instant::now() + HOOK_PATIENCE;
    loop {
        match SCREEN.try_lock() {
            Ok(guard) => return Some(Held { _guard: guard }),
            Err(std::sync::TryLockError::Poisoned(e)) => {
                return Some(Held {
                    _guard: e.into_inner(),
                });
            }
            Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

/// Raw mode, then the alternate screen; neither if either fails.
fn take_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    if let Err(e) = crossterm::execute!(io::stdout(), EnterAlternateScreen) {
        let _ = disable_raw_mode();
        return Err(e);
    }
    Ok(())
}

/// Raw mode off, the alternate screen left, the cursor shown: every step
/// is tried whatever became of the one before (a terminal that failed one
/// step must not be left half restored).
fn give_terminal_back() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = crossterm::execute!(out, LeaveAlternateScreen);
    let _ = crossterm::execute!(out, Show);
    let _ = out.flush();
}

/// Leaves raw mode and the alternate screen if they were entered; the
/// caller holds [`SCREEN`] (or cannot have it).
fn restore_entered() {
    if STATE
        .compare_exchange(ENTERED, RESTORED, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        give_terminal_back();
    }
}

/// A panic anywhere restores the terminal (if it was entered) before its
/// message is printed, so the message lands on the main screen.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let held = hold_patiently();
            restore_entered();
            drop(held);
            previous(info);
        }));
    });
}

/// Enters the dashboard's terminal mode: raw mode and the alternate screen.
pub fn enter() -> io::Result<DefaultTerminal> {
    enter_with(io::stdout())
}

/// [`enter`], with the frames written to `out` (stdout, or a writer that
/// wraps it).
pub fn enter_with<W: Write>(out: W) -> io::Result<Terminal<CrosstermBackend<W>>> {
    install_panic_hook();
    let _held = hold();
    take_terminal()?;
    STATE.store(ENTERED, Ordering::SeqCst);
    Terminal::new(CrosstermBackend::new(out)).inspect_err(|_| restore_entered())
}

/// Leaves raw mode and the alternate screen and shows the cursor (unless
/// the panic hook did so already).
pub fn leave() {
    let _held = hold();
    restore_entered();
}

/// Runs `draw` unless the terminal has been restored: then nothing may
/// draw, and `None` comes back.
pub fn while_drawing<R>(draw: impl FnOnce() -> R) -> Option<R> {
    let _held = hold();
    (STATE.load(Ordering::SeqCst) != RESTORED).then(draw)
}

/// What the terminal tells: a key press, or a new size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermInput {
    Key(KeyEvent),
    Resize,
}

/// Reads key presses and resizes on a thread of its own and hands each to
/// `deliver` until it returns `false`. Only presses count: some platforms
/// report releases too.
pub fn spawn_input(deliver: impl Fn(TermInput) -> bool + Send + 'static) -> io::Result<()> {
    std::thread::Builder::new()
        .name("ioscope-input".into())
        .spawn(move || {
            while let Ok(event) = term_event::read() {
                let input = match event {
                    TermEvent::Key(key) if key.is_press() => TermInput::Key(key),
                    TermEvent::Resize(..) => TermInput::Resize,
                    _ => continue,
                };
                if !deliver(input) {
                    break;
                }
            }
        })?;
    Ok(())
}

/// SIGTERM, SIGHUP (the terminal went away) and SIGINT are handed to
/// `deliver` (until it returns `false`), so a program can leave through
/// the same door as its quit key.
pub fn spawn_signals(deliver: impl Fn(i32) -> bool + Send + 'static) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("ioscope-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if !deliver(sig) {
                    break;
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// One test, because the state and the hook are the process's own.
    /// Pretends the terminal was entered (no terminal is touched beyond the
    /// harmless "leave the alternate screen" sequence on stdout).
    #[test]
    fn a_panic_waits_for_the_screen_lock_then_restores_and_no_frame_follows() {
        // A hook beneath ours that reports what it saw when it ran.
        let (saw, seen) = mpsc::channel::<u8>();
        let saw = Mutex::new(saw);
        std::panic::set_hook(Box::new(move |_| {
            let _ = saw.lock().map(|s| s.send(STATE.load(Ordering::SeqCst)));
        }));
        install_panic_hook();

        // A thread panics while the terminal is being entered (the CI
        // failure): its hook must wait for the entry, then restore.
        let entering = hold();
        STATE.store(ENTERED, Ordering::SeqCst);
        let panicker = std::thread::spawn(|| panic!("server thread panics mid-entry"));
        assert!(
            seen.recv_timeout(Duration::from_millis(300)).is_err(),
            "the hook ran while the terminal was being entered"
        );
        assert_eq!(STATE.load(Ordering::SeqCst), ENTERED);
        drop(entering);
        let state_in_hook = seen
            .recv_timeout(Duration::from_secs(10))
            .expect("the hook ran once the entry was done");
        assert_eq!(state_in_hook, RESTORED, "restored before the message");
        assert!(panicker.join().is_err());

        // Nothing draws on a restored screen.
        assert_eq!(while_drawing(|| 1), None);

        // A panic while this thread draws does not wait for itself.
        STATE.store(ENTERED, Ordering::SeqCst);
        let drawn = std::panic::catch_unwind(|| while_drawing(|| panic!("a frame panics")));
        assert!(drawn.is_err());
        assert_eq!(seen.recv_timeout(Duration::from_secs(10)), Ok(RESTORED));
        assert!(!HOLDING.with(Cell::get));
        assert_eq!(while_drawing(|| 2), None);
        let _ = std::panic::take_hook();
    }
}
