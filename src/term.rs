//! The terminal's lifecycle in one place: enter raw mode, the alternate
//! screen and mouse reporting, feed keys, clicks and signals to the
//! runtime, hand the terminal to the shell on Ctrl-Z and take it back on
//! `fg`, and restore everything on every way out — quit, signal, error, or
//! a panic on any thread.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{
    self as term_event, DisableMouseCapture, Event as TermEvent, KeyCode, KeyEvent, KeyModifiers,
    MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

/// Where the terminal is: untouched (before [`enter`], and in tests that draw
/// on a test backend), entered (raw mode, alternate screen), suspended
/// (given back to the shell by Ctrl-Z, to be entered again), or restored.
const UNTOUCHED: u8 = 0;
const ENTERED: u8 = 1;
const RESTORED: u8 = 2;
const SUSPENDED: u8 = 3;
static STATE: AtomicU8 = AtomicU8::new(UNTOUCHED);

/// Held while the terminal is entered, while a frame is drawn, while it is
/// suspended or taken again, and while it is restored (by [`leave`] or by
/// the panic hook): a frame can never land on the restored screen, and a
/// panic on another thread can never restore the terminal halfway through
/// entering it.
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

/// Asks the terminal to report mouse buttons and the wheel (not every
/// motion: nothing here follows the pointer), in SGR coordinates. A
/// terminal that does not know these sequences ignores them: the keys do
/// everything the mouse does.
#[derive(Debug, Clone, Copy)]
struct ReportClicks;

impl crossterm::Command for ReportClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }

    #[cfg(windows)]
    fn execute_winapi(&self) -> io::Result<()> {
        use crossterm::Command as _;
        crossterm::event::EnableMouseCapture.execute_winapi()
    }
}

/// Raw mode, then the alternate screen and mouse reports; none if raw
/// mode or the alternate screen fails (mouse reports are a nicety).
fn take_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    if let Err(e) = crossterm::execute!(io::stdout(), EnterAlternateScreen) {
        let _ = disable_raw_mode();
        return Err(e);
    }
    let _ = crossterm::execute!(io::stdout(), ReportClicks);
    Ok(())
}

/// Raw mode off, mouse reports off, the alternate screen left, the cursor
/// shown: every step is tried whatever became of the one before (a
/// terminal that failed one step must not be left half restored).
fn give_terminal_back() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = crossterm::execute!(out, DisableMouseCapture);
    let _ = crossterm::execute!(out, LeaveAlternateScreen);
    let _ = crossterm::execute!(out, Show);
    let _ = out.flush();
}

/// Moves the state from `from` to `to`; whether it was `from`.
fn shift(from: u8, to: u8) -> bool {
    STATE
        .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
}

/// Leaves raw mode and the alternate screen if they were entered; the
/// caller holds [`SCREEN`] (or cannot have it). A suspended terminal is
/// the shell's already.
fn restore_entered() {
    if shift(ENTERED, RESTORED) {
        give_terminal_back();
    } else {
        shift(SUSPENDED, RESTORED);
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

/// Enters the dashboard's terminal mode: raw mode, the alternate screen,
/// mouse reports.
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

/// Ctrl-Z: gives the terminal back to the shell (raw mode off, the main
/// screen, the cursor shown), stops the process as SIGTSTP's default
/// action would (the shell says `Stopped` and has its prompt back), and
/// once the process is continued (`fg`) takes the terminal again. `true`
/// when it stopped: the caller must then redraw everything. A terminal
/// that is not entered (a test drawing on a test backend, or a terminal
/// already restored) is left alone, and the process is not stopped.
pub fn suspend() -> io::Result<bool> {
    {
        let _held = hold();
        if !shift(ENTERED, SUSPENDED) {
            return Ok(false);
        }
        give_terminal_back();
    }
    // Returns once the process is continued. The whole process stops, the
    // server's threads with it; the kernel keeps their sockets meanwhile.
    signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
    let _held = hold();
    if STATE.load(Ordering::SeqCst) == SUSPENDED {
        take_terminal()?;
        shift(SUSPENDED, ENTERED);
    }
    Ok(true)
}

/// After SIGCONT: a process stopped by SIGSTOP (which cannot be caught)
/// finds the terminal as the shell left it — cooked, maybe on the main
/// screen. Takes it again if the dashboard has it; `true` when it did: the
/// caller must then redraw everything.
pub fn reclaim() -> io::Result<bool> {
    let _held = hold();
    if STATE.load(Ordering::SeqCst) != ENTERED {
        return Ok(false);
    }
    // crossterm sets raw mode only when it believes it is off.
    let _ = disable_raw_mode();
    take_terminal()?;
    Ok(true)
}

/// Leaves raw mode and the alternate screen and shows the cursor (unless
/// the panic hook did so already).
pub fn leave() {
    let _held = hold();
    restore_entered();
}

/// Runs `draw` unless the terminal has been restored or handed to the
/// shell: then nothing may draw, and `None` comes back.
pub fn while_drawing<R>(draw: impl FnOnce() -> R) -> Option<R> {
    let _held = hold();
    matches!(STATE.load(Ordering::SeqCst), UNTOUCHED | ENTERED).then(draw)
}

/// What the terminal tells: a key press, a click or the wheel, a new
/// size, or Ctrl-Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermInput {
    Key(KeyEvent),
    /// The left button went down, or the wheel turned.
    Mouse(MouseEvent),
    Resize,
    /// Ctrl-Z: in raw mode the terminal sends it as a key, not as SIGTSTP.
    Suspend,
}

/// What the dashboard answers: the left button down, the wheel.
fn is_click_or_wheel(mouse: MouseEvent) -> bool {
    matches!(
        mouse.kind,
        MouseEventKind::Down(MouseButton::Left)
            | MouseEventKind::ScrollUp
            | MouseEventKind::ScrollDown
    )
}

fn is_suspend_key(key: KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers == KeyModifiers::CONTROL
}

/// Reads key presses, clicks, the wheel and resizes on a thread of its own
/// and hands each to `deliver` until it returns `false`. Only presses
/// count: some platforms report releases too.
pub fn spawn_input(deliver: impl Fn(TermInput) -> bool + Send + 'static) -> io::Result<()> {
    std::thread::Builder::new()
        .name("ioscope-input".into())
        .spawn(move || {
            while let Ok(event) = term_event::read() {
                let input = match event {
                    TermEvent::Key(key) if key.is_press() && is_suspend_key(key) => {
                        TermInput::Suspend
                    }
                    TermEvent::Key(key) if key.is_press() => TermInput::Key(key),
                    TermEvent::Mouse(mouse) if is_click_or_wheel(mouse) => TermInput::Mouse(mouse),
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

/// The signals a program hears, as it should take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM, SIGHUP (the terminal went away) or SIGINT: leave through
    /// the same door as the quit key.
    Quit(i32),
    /// SIGTSTP (`kill -TSTP`; Ctrl-Z in cooked mode): [`suspend`].
    Suspend,
    /// SIGCONT: the process was continued: [`reclaim`].
    Continued,
}

/// Hands SIGTERM, SIGHUP and SIGINT to `deliver` (until it returns
/// `false`), and with `job_control` SIGTSTP and SIGCONT too (without it
/// SIGTSTP stops the process as usual).
pub fn spawn_signals(
    job_control: bool,
    deliver: impl Fn(Signal) -> bool + Send + 'static,
) -> io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};
    let mut wanted = vec![SIGTERM, SIGHUP, SIGINT];
    if job_control {
        wanted.extend([SIGTSTP, SIGCONT]);
    }
    let mut signals = signal_hook::iterator::Signals::new(wanted)?;
    std::thread::Builder::new()
        .name("ioscope-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let signal = match sig {
                    SIGTSTP => Signal::Suspend,
                    SIGCONT => Signal::Continued,
                    sig => Signal::Quit(sig),
                };
                if !deliver(signal) {
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
