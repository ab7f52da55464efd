//! What the dashboard can tell a running server: pause, resume, step one
//! system call or one spin, slow down, back off, stop. Shared between the
//! UI thread and the model's threads.
//!
//! A loop passes two kinds of [`Gate`]: the top of each spin, and the
//! place before each system call. At full speed a gate is one relaxed
//! atomic load (`should_park`); everything else is behind a mutex that only
//! the slow paths touch — paused, stepped, in slow motion or stopping. A
//! paused server really sleeps on a condition variable: its CPU drops to
//! zero.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::event::Backoff;

/// How a model is woken from a kernel wait (a mio `Waker`, shutting a
/// socket) when it is paused (`false`) or stopped (`true`).
pub type Nudge = Box<dyn Fn(bool) + Send + Sync>;

/// `idle` for [`Backoff::Yield`]; other values are microseconds of sleep
/// (0: spin on).
const IDLE_YIELD: u64 = u64::MAX;

#[derive(Default)]
pub struct Control {
    /// Set when a loop must leave its fast path: paused, slowed down or
    /// stopping.
    attention: AtomicBool,
    /// What the busy loop does after a spin that found nothing to do.
    idle: AtomicU64,
    state: Mutex<State>,
    wake: Condvar,
    /// Wakes the sampler when a thread parks (and on stop): a condition
    /// variable of its own, so that a park never wakes the other parked
    /// threads.
    parked: Condvar,
    nudge: Mutex<Option<Nudge>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Where a loop asks whether it may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The top of a spin (`while True:`): no system call of its own.
    Top,
    /// Just before a system call.
    Call,
}

/// How far a paused loop may go before it parks again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Budget {
    #[default]
    None,
    /// This many more system calls (`n`); the tops of spins pass free.
    Calls(u64),
    /// Up to the top of the next spin (`N`): `passed_top` once it has left
    /// the top it started from.
    ToTop { passed_top: bool },
}

#[derive(Debug, Default, Clone, Copy)]
struct State {
    paused: bool,
    stopping: bool,
    budget: Budget,
    /// The gate a paused loop waits at, if it is waiting.
    parked_at: Option<Gate>,
    /// Slow motion: microseconds to wait before each system call.
    call_delay_us: u64,
    /// Parks so far, by any thread (a step parks again): the sampler
    /// reads the kernel's queues after each.
    parks: u64,
}

impl State {
    fn needs_attention(&self) -> bool {
        self.paused || self.stopping || self.call_delay_us > 0
    }
}

/// What the loop should do after a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    Run,
    Stop,
}

/// What the busy loop does after a spin that found nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    Spin,
    Yield,
    Sleep(Duration),
}

impl Control {
    pub fn new() -> Self {
        Self::default()
    }

    /// One relaxed load: cheap enough for every spin and every call of a
    /// busy loop. `true`: go through [`Control::gate`].
    #[inline]
    pub fn should_park(&self) -> bool {
        self.attention.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state, then tells every waiting thread.
    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut s = self.lock();
        f(&mut s);
        self.attention.store(s.needs_attention(), Ordering::Relaxed);
        self.wake.notify_all();
        self.parked.notify_all();
    }

    pub fn set_paused(&self, paused: bool) {
        self.update(|s| {
            s.paused = paused;
            s.budget = Budget::None;
        });
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
        let s = self.lock();
        let (s, _) = self
            .wake
            .wait_timeout_while(s, timeout, |s| !s.stopping)
            .unwrap_or_else(|e| e.into_inner());
        s.stopping
    }

    /// Sleeps up to `timeout` or until a server thread parks after
    /// `*parks` (the parks seen so far, updated); `true` as soon as the
    /// server is stopping. A thread that parks has handed over its events
    /// first, so what is read after this matches what the screen shows.
    pub fn wait_park_or_stop(&self, timeout: Duration, parks: &mut u64) -> bool {
        let seen = *parks;
        let s = self.lock();
        let (s, _) = self
            .parked
            .wait_timeout_while(s, timeout, |s| !s.stopping && s.parks == seen)
            .unwrap_or_else(|e| e.into_inner());
        *parks = s.parks;
        s.stopping
    }

    pub fn is_paused(&self) -> bool {
        self.lock().paused
    }

    pub fn stop(&self) {
        self.update(|s| s.stopping = true);
        self.nudge_model(true);
    }

    pub fn is_stopping(&self) -> bool {
        self.lock().stopping
    }

    /// While paused, lets the loop run to the top of its next spin (one
    /// whole spin of the busy loop, one wakeup of epoll; from the middle of
    /// a spin, the rest of it), then park again.
    pub fn step(&self) {
        self.update(|s| {
            if s.paused {
                s.budget = Budget::ToTop {
                    passed_top: s.parked_at == Some(Gate::Call),
                };
            }
        });
    }

    /// While paused, lets the loop make one more system call, then park
    /// before the next one.
    pub fn step_call(&self) {
        self.update(|s| {
            if s.paused {
                s.budget = match s.budget {
                    Budget::Calls(n) => Budget::Calls(n + 1),
                    _ => Budget::Calls(1),
                };
            }
        });
    }

    /// Slow motion: wait this long before every system call (zero: full
    /// speed). A pause or a stop cuts a wait short.
    pub fn set_call_delay(&self, delay: Duration) {
        self.update(|s| s.call_delay_us = delay.as_micros() as u64);
    }

    pub fn call_delay(&self) -> Duration {
        Duration::from_micros(self.lock().call_delay_us)
    }

    /// The top of a spin: blocks while paused; returns whether to go on or
    /// stop. `on_pause` runs (with `true`) when the loop parks and (with
    /// `false`) when the pause ends, so the loop can report both. A step
    /// lets the loop through and it parks again (and says so again).
    pub fn park(&self, on_pause: impl FnMut(bool)) -> Resume {
        self.gate(Gate::Top, on_pause)
    }

    /// Just before a system call: as [`Control::park`], and in slow motion
    /// it waits the delay first.
    pub fn before_call(&self, on_pause: impl FnMut(bool)) -> Resume {
        self.gate(Gate::Call, on_pause)
    }

    /// A loop at `gate`: parks while paused (unless a step lets it
    /// through), waits the slow-motion delay before a call.
    pub fn gate(&self, gate: Gate, mut on_pause: impl FnMut(bool)) -> Resume {
        let mut s = self.lock();
        let mut parked = false;
        loop {
            if s.stopping {
                return Resume::Stop;
            }
            if s.paused {
                if let Some(budget) = pass(s.budget, gate) {
                    s.budget = budget;
                    s.parked_at = None;
                } else {
                    if !parked {
                        parked = true;
                        s.parked_at = Some(gate);
                        drop(s);
                        on_pause(true);
                        s = self.lock();
                        s.parks += 1;
                        self.parked.notify_all();
                        continue;
                    }
                    s.parked_at = Some(gate);
                    s = self.wake.wait(s).unwrap_or_else(|e| e.into_inner());
                    continue;
                }
            } else if parked {
                parked = false;
                s.parked_at = None;
                drop(s);
                on_pause(false);
                s = self.lock();
                continue;
            }
            if gate == Gate::Call && s.call_delay_us > 0 {
                let again;
                (s, again) = self.slow_motion(s);
                if again {
                    continue;
                }
            }
            return Resume::Run;
        }
    }

    /// Slow motion: waits the delay before a call; `true` when a pause, a
    /// stop or a new pace cut the wait short and the gate must look again
    /// (a pace of full speed just lets the call go).
    fn slow_motion<'a>(&self, s: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, bool) {
        let delay = s.call_delay_us;
        let (s, waited) = self
            .wake
            .wait_timeout_while(s, Duration::from_micros(delay), |s| {
                !s.stopping && !s.paused && s.call_delay_us == delay
            })
            .unwrap_or_else(|e| e.into_inner());
        let again = !waited.timed_out() && (s.stopping || s.paused || s.call_delay_us > 0);
        (s, again)
    }

    /// What the busy loop does after a spin with nothing to do.
    pub fn set_backoff(&self, backoff: Backoff, sleep: Duration) {
        let idle = match backoff {
            Backoff::Spin => 0,
            Backoff::Yield => IDLE_YIELD,
            Backoff::Sleep => (sleep.as_micros() as u64).clamp(1, IDLE_YIELD - 1),
        };
        self.idle.store(idle, Ordering::Relaxed);
    }

    /// Sleep this long after a spin with nothing to do (0: never sleep,
    /// the lecture's loop).
    pub fn set_idle_delay(&self, delay: Duration) {
        let backoff = if delay.is_zero() {
            Backoff::Spin
        } else {
            Backoff::Sleep
        };
        self.set_backoff(backoff, delay);
    }

    /// The call delay, the backoff and its sleep, as a `pace` event says.
    pub fn pace(&self) -> (Duration, Backoff, Duration) {
        let (backoff, sleep) = match self.idle() {
            Idle::Spin => (Backoff::Spin, Duration::ZERO),
            Idle::Yield => (Backoff::Yield, Duration::ZERO),
            Idle::Sleep(sleep) => (Backoff::Sleep, sleep),
        };
        (self.call_delay(), backoff, sleep)
    }

    #[inline]
    pub fn idle(&self) -> Idle {
        match self.idle.load(Ordering::Relaxed) {
            0 => Idle::Spin,
            IDLE_YIELD => Idle::Yield,
            us => Idle::Sleep(Duration::from_micros(us)),
        }
    }
}

/// What `budget` becomes when a paused loop passes `gate` on it, or `None`
/// when it must park there.
fn pass(budget: Budget, gate: Gate) -> Option<Budget> {
    match (budget, gate) {
        (Budget::Calls(n), Gate::Call) if n > 0 => Some(Budget::Calls(n - 1)),
        // The top of a spin makes no call: a call step goes on through it.
        (Budget::Calls(n), Gate::Top) if n > 0 => Some(budget),
        (Budget::ToTop { .. }, Gate::Call) => Some(budget),
        (Budget::ToTop { passed_top: false }, Gate::Top) => {
            Some(Budget::ToTop { passed_top: true })
        }
        _ => None,
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

    /// A loop of spins of `calls` calls each, paused from the start, that
    /// reports every gate it passes ((spin, call), call 0 being the top)
    /// and every park.
    fn stepped_loop(
        control: &Arc<Control>,
        calls: u64,
    ) -> (
        crossbeam_channel::Receiver<(u64, u64)>,
        crossbeam_channel::Receiver<bool>,
        std::thread::JoinHandle<()>,
    ) {
        let (passed_tx, passed) = crossbeam_channel::unbounded();
        let (parks_tx, parks) = crossbeam_channel::unbounded();
        let c = control.clone();
        let worker = std::thread::spawn(move || {
            for spin in 1.. {
                if c.park(|p| parks_tx.send(p).unwrap()) == Resume::Stop {
                    return;
                }
                passed_tx.send((spin, 0)).unwrap();
                for call in 1..=calls {
                    if c.before_call(|p| parks_tx.send(p).unwrap()) == Resume::Stop {
                        return;
                    }
                    passed_tx.send((spin, call)).unwrap();
                }
            }
        });
        (passed, parks, worker)
    }

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn a_call_step_lets_one_call_through_and_the_top_of_a_spin_is_free() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        let (passed, parks, worker) = stepped_loop(&control, 2);
        assert_eq!(
            parks.recv_timeout(WAIT),
            Ok(true),
            "parked at the first top"
        );
        assert!(passed.is_empty());
        let mut seen = Vec::new();
        for _ in 0..4 {
            control.step_call();
            // Each step: the call, then a park before the next one.
            loop {
                let gate = passed.recv_timeout(WAIT).unwrap();
                seen.push(gate);
                if gate.1 != 0 {
                    break;
                }
            }
            assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        }
        assert_eq!(seen, [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]);
        control.stop();
        worker.join().unwrap();
    }

    #[test]
    fn a_spin_step_runs_to_the_next_top_from_wherever_the_loop_is() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        let (passed, parks, worker) = stepped_loop(&control, 3);
        assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        // From the top: a whole spin.
        control.step();
        assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        let spin: Vec<_> = passed.try_iter().collect();
        assert_eq!(spin, [(1, 0), (1, 1), (1, 2), (1, 3)]);
        // One call into the next spin, then the rest of it.
        control.step_call();
        assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        assert_eq!(passed.try_iter().collect::<Vec<_>>(), [(2, 0), (2, 1)]);
        control.step();
        assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        assert_eq!(passed.try_iter().collect::<Vec<_>>(), [(2, 2), (2, 3)]);
        // Resumed: it says so once, and runs.
        control.set_paused(false);
        assert_eq!(parks.recv_timeout(WAIT), Ok(false));
        assert!(passed.recv_timeout(WAIT).is_ok());
        control.stop();
        worker.join().unwrap();
    }

    #[test]
    fn slow_motion_waits_before_each_call_and_a_pause_cuts_the_wait() {
        let control = Arc::new(Control::new());
        control.set_call_delay(Duration::from_millis(20));
        assert!(control.should_park(), "slow motion leaves the fast path");
        let (passed, parks, worker) = stepped_loop(&control, 2);
        let start = std::time::Instant::now();
        let first: Vec<_> = (0..5).map(|_| passed.recv_timeout(WAIT).unwrap()).collect();
        // (1,0) (1,1) (1,2) (2,0) (2,1): three calls, three waits (a lower
        // bound: the delay was applied); the tops wait for nothing.
        assert_eq!(first[3], (2, 0));
        assert!(
            start.elapsed() >= Duration::from_millis(60),
            "{:?}",
            start.elapsed()
        );
        // A long delay, then a pause: the loop parks at once.
        control.set_call_delay(Duration::from_secs(3600));
        control.set_paused(true);
        assert_eq!(parks.recv_timeout(WAIT), Ok(true));
        control.set_call_delay(Duration::ZERO);
        control.set_paused(false);
        assert_eq!(parks.recv_timeout(WAIT), Ok(false));
        assert!(!control.should_park(), "full speed again: the fast path");
        control.stop();
        worker.join().unwrap();
    }

    #[test]
    fn backoff_is_read_without_a_lock() {
        let control = Control::new();
        assert_eq!(control.idle(), Idle::Spin);
        control.set_backoff(Backoff::Yield, Duration::ZERO);
        assert_eq!(control.idle(), Idle::Yield);
        control.set_backoff(Backoff::Sleep, Duration::from_millis(1));
        assert_eq!(control.idle(), Idle::Sleep(Duration::from_millis(1)));
        control.set_idle_delay(Duration::ZERO);
        assert_eq!(control.idle(), Idle::Spin);
    }

    #[test]
    fn the_sampler_is_woken_by_every_park_and_by_stop() {
        let control = Arc::new(Control::new());
        control.set_paused(true);
        let mut parks = 0;
        // Nothing parked yet: it sleeps its whole timeout.
        assert!(!control.wait_park_or_stop(Duration::from_millis(1), &mut parks));
        assert_eq!(parks, 0);
        let c = control.clone();
        let worker = std::thread::spawn(move || while c.park(|_| {}) == Resume::Run {});
        // The loop parks: the sampler wakes (well before an hour).
        assert!(!control.wait_park_or_stop(Duration::from_secs(3600), &mut parks));
        assert_eq!(parks, 1);
        // A step: it runs one spin and parks again.
        control.step();
        assert!(!control.wait_park_or_stop(Duration::from_secs(3600), &mut parks));
        assert_eq!(parks, 2);
        control.stop();
        assert!(control.wait_park_or_stop(Duration::from_secs(3600), &mut parks));
        worker.join().unwrap();
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
