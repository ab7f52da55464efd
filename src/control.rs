//! What the dashboard can tell a running server: pause, resume, slow down,
//! stop. Shared between the UI thread and the model's threads.
//!
//! The hot loop reads one atomic per spin (`should_park`); everything else is
//! behind a mutex that only the slow paths touch. A paused server really
//! sleeps on a condition variable: its CPU drops to zero.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How a model is woken from a kernel wait (a mio `Waker`, shutting a
/// socket) when it is paused (`false`) or stopped (`true`).
pub type Nudge = Box<dyn Fn(bool) + Send + Sync>;

#[derive(Default)]
pub struct Control {
    /// Set when the loop must leave its fast path: paused or stopping.
    attention: AtomicBool,
    /// Microseconds to sleep after a spin that found nothing to do.
    idle_delay_us: AtomicU64,
    state: Mutex<State>,
    wake: Condvar,
    nudge: Mutex<Option<Nudge>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct State {
    paused: bool,
    stopping: bool,
    /// While paused: loop iterations allowed to run before parking again.
    steps: u64,
}

/// What the loop should do after `park`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    Run,
    Stop,
}

impl Control {
    pub fn new() -> Self {
        Self::default()
    }

    /// One relaxed load: cheap enough for every spin of a busy loop.
    #[inline]
    pub fn should_park(&self) -> bool {
        self.attention.load(Ordering::Relaxed)
    }

    pub fn set_paused(&self, paused: bool) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.paused = paused;
        s.steps = 0;
        self.attention
            .store(s.paused || s.stopping, Ordering::Relaxed);
        self.wake.notify_all();
        drop(s);
        self.nudge_model(false);
    }

    /// Sets how to wake the model from a kernel wait on pause and stop.
    pub fn set_nudge(&self, nudge: Nudge) {
        *self.nudge.lock().unwrap_or_else(|e| e.into_inner()) = Some(nudge);
    }

    fn nudge_model(&self, stopping: bool) {
        if let Some(nudge) = &*self.nudge.lock().unwrap_or_else(|e| e.into_inner()) {
            nudge(stopping);
        }
    }

    /// Sleeps up to `timeout`; `true` as soon as the server is stopping.
    pub fn wait_stop(&self, timeout: Duration) -> bool {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (s, _) = self
            .wake
            .wait_timeout_while(s, timeout, |s| !s.stopping)
            .unwrap_or_else(|e| e.into_inner());
        s.stopping
    }

    pub fn is_paused(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).paused
    }

    pub fn stop(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.stopping = true;
        self.attention.store(true, Ordering::Relaxed);
        self.wake.notify_all();
        drop(s);
        self.nudge_model(true);
    }

    pub fn is_stopping(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stopping
    }

    /// While paused, lets the loop run one more iteration (one spin of
    /// the busy loop, one wakeup of epoll), then park again.
    pub fn step(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.paused {
            s.steps += 1;
            // A paused loop waits on the condition variable, not in the
            // kernel: no nudge needed.
            self.wake.notify_all();
        }
    }

    /// Blocks while paused; returns whether to go on or stop. `on_pause` runs
    /// (with `true`) when the loop parks and (with `false`) when the pause
    /// ends, so the loop can report both. A step lets one iteration through
    /// and the loop parks again (and says so again).
    pub fn park(&self, mut on_pause: impl FnMut(bool)) -> Resume {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.stopping {
            return Resume::Stop;
        }
        if s.paused {
            on_pause(true);
            while s.paused && s.steps == 0 && !s.stopping {
                s = self.wake.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            if s.stopping {
                return Resume::Stop;
            }
            if s.paused {
                s.steps -= 1;
                return Resume::Run;
            }
            on_pause(false);
        }
        Resume::Run
    }

    /// Sleep this long after a spin with nothing to do (0: never sleep,
    /// the lecture's loop).
    pub fn set_idle_delay(&self, delay: Duration) {
        self.idle_delay_us
            .store(delay.as_micros() as u64, Ordering::Relaxed);
    }

    #[inline]
    pub fn idle_delay(&self) -> Option<Duration> {
        match self.idle_delay_us.load(Ordering::Relaxed) {
            0 => None,
            us => Some(Duration::from_micros(us)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn park_blocks_until_resumed_and_reports_both_edges() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        assert!(control.should_park());
        let (tx, rx) = crossbeam_channel::unbounded();
        let c = control.clone();
        let worker = std::thread::spawn(move || c.park(|p| tx.send(p).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(true));
        control.set_paused(false);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(false));
        assert_eq!(worker.join().unwrap(), Resume::Run);
        assert!(!control.should_park());
    }

    #[test]
    fn a_step_lets_exactly_one_iteration_through() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        let (tx, rx) = crossbeam_channel::unbounded();
        let c = control.clone();
        let worker = std::thread::spawn(move || {
            let mut iterations = 0;
            while c.park(|_| {}) == Resume::Run {
                iterations += 1;
                tx.send(iterations).unwrap();
            }
            iterations
        });
        control.step();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(1));
        control.step();
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(2));
        control.stop();
        assert_eq!(worker.join().unwrap(), 2);
    }

    #[test]
    fn stop_wakes_a_paused_loop() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        let (tx, rx) = crossbeam_channel::unbounded();
        let c = control.clone();
        let worker = std::thread::spawn(move || c.park(|p| tx.send(p).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(true));
        control.stop();
        assert_eq!(worker.join().unwrap(), Resume::Stop);
    }
}
