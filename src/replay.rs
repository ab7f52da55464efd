//! `ioscope replay FILE` on screen: a recording as a [`Source`].
//!
//! The replay has a clock of its own, on the recording's time base: it
//! starts at the first event and runs at the chosen speed (replay time =
//! recording time × speed) while playing, and stands still while paused.
//! Every event whose `t_us` the clock has passed is handed over on an
//! ordinary event channel, in the recording's order, so the dashboard
//! takes them as it takes a live server's; [`Source::now_us`] is that
//! clock, so rates and history follow the recording's time, not the wall
//! clock. A small thread hands the events over every
//! [`DRAIN_EVERY`]; pausing first hands over what is due, and paused
//! nothing comes but what a step hands over (exactly one event), so what a
//! step releases never depends on when that thread last ran.
//!
//! At the end the replay stays (the last frame stays on screen, the
//! progress line says "end"); `q` leaves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::app::{Notice, ReplayCant};
use crate::event::Event;
use crate::probe::channel::{self, DRAIN_EVERY, EventRx, EventTx};
use crate::record::Recording;
use crate::source::{Command, Source};

/// The speeds `[` and `]` step through.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// 1×.
const NORMAL: usize = 2;
/// At most this many events are handed over in one batch.
const BATCH: usize = 4_096;

/// Where the replay's clock gets the time that passes: the wall clock, or
/// a test's hand.
pub trait Clock: Send + Sync {
    /// Microseconds since some start; never goes back.
    fn now_us(&self) -> u64;
}

/// The real time that passes.
#[derive(Debug)]
pub struct WallClock(Instant);

impl WallClock {
    pub fn new() -> Self {
        WallClock(Instant::now())
    }
}

impl Default for WallClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for WallClock {
    fn now_us(&self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }
}

/// A clock that moves only when told: for tests (clones share the time).
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn advance(&self, us: u64) {
        self.0.fetch_add(us, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_us(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the progress line shows: the runtime hands a copy to the
/// dashboard before each frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayInfo {
    /// Where the replay is, from the recording's first event.
    pub at_us: u64,
    /// The recording's length, from its first event.
    pub duration_us: u64,
    pub speed: f64,
    pub paused: bool,
    /// Everything was replayed and the clock reached the end.
    pub ended: bool,
}

/// A recording played back.
pub struct Replay {
    inner: Arc<Inner>,
    events: EventRx,
}

struct Inner {
    events: Vec<Event>,
    tx: EventTx,
    clock: Box<dyn Clock>,
    /// The first event's time, and the recording's end (both on the
    /// recording's clock).
    start_us: u64,
    end_us: u64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The first event not handed over yet.
    next: usize,
    playing: bool,
    /// Into [`SPEEDS`].
    speed: usize,
    /// At `anchor_wall` on the clock, the replay was at `anchor_at`; it
    /// has gone on from there at `speed` if playing.
    anchor_wall: u64,
    anchor_at: u64,
}

impl Replay {
    /// Plays `recording` on the wall clock, from its first event, at 1×.
    pub fn start(recording: Recording) -> Self {
        Self::with_clock(recording, Box::new(WallClock::new()))
    }

    /// Plays `recording` on `clock`. A thread hands the events over as the
    /// clock passes them; it ends with the replay.
    pub fn with_clock(recording: Recording, clock: Box<dyn Clock>) -> Self {
        let replay = Self::unpumped(recording, clock);
        let weak = Arc::downgrade(&replay.inner);
        let _ = std::thread::Builder::new()
            .name("ioscope-replay".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(DRAIN_EVERY);
                    let Some(inner) = weak.upgrade() else { break };
                    inner.pump(&mut inner.state());
                }
            });
        replay
    }

    /// Without the thread: events are handed over only by [`pump`] and the
    /// commands.
    ///
    /// [`pump`]: Replay::pump
    pub fn unpumped(recording: Recording, clock: Box<dyn Clock>) -> Self {
        let start_us = recording.events.first().map_or(0, |e| e.t_us);
        let last = recording.events.iter().map(|e| e.t_us).max().unwrap_or(0);
        let end_us = recording
            .totals
            .map_or(last, |t| t.duration_us.max(last))
            .max(start_us);
        let (tx, events) = channel::with_capacity(channel::EVENT_CHANNEL_CAP, 256);
        let anchor_wall = clock.now_us();
        let inner = Arc::new(Inner {
            events: recording.events,
            tx,
            clock,
            start_us,
            end_us,
            state: Mutex::new(State {
                next: 0,
                playing: true,
                speed: NORMAL,
                anchor_wall,
                anchor_at: start_us,
            }),
        });
        Replay { inner, events }
    }

    /// Hands over every event the clock has passed (as many as the channel
    /// takes); returns how many.
    pub fn pump(&self) -> usize {
        self.inner.pump(&mut self.inner.state())
    }

    /// Where the replay is, its speed, paused or not.
    pub fn info(&self) -> ReplayInfo {
        let inner = &self.inner;
        let s = inner.state();
        let at = inner.at(&s);
        ReplayInfo {
            at_us: at - inner.start_us,
            duration_us: inner.end_us - inner.start_us,
            speed: SPEEDS[s.speed],
            paused: !s.playing,
            ended: s.next >= inner.events.len() && at >= inner.end_us,
        }
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The replay's clock, on the recording's time base.
    fn at(&self, s: &State) -> u64 {
        if !s.playing {
            return s.anchor_at;
        }
        let passed = self.clock.now_us().saturating_sub(s.anchor_wall);
        let at = s.anchor_at + (passed as f64 * SPEEDS[s.speed]) as u64;
        at.min(self.end_us.max(s.anchor_at))
    }

    /// From here on the replay goes on from where it is now.
    fn reanchor(&self, s: &mut State) {
        s.anchor_at = self.at(s);
        s.anchor_wall = self.clock.now_us();
    }

    /// Playing: hands over what the clock has passed. Paused, nothing
    /// comes but what a step hands over (pausing handed over what was due).
    fn pump(&self, s: &mut State) -> usize {
        if !s.playing {
            return 0;
        }
        let at = self.at(s);
        let mut sent = 0;
        loop {
            let due = self.events[s.next..]
                .iter()
                .take(BATCH)
                .take_while(|e| e.t_us <= at)
                .count();
            if due == 0 {
                return sent;
            }
            let batch = self.events[s.next..s.next + due].to_vec();
            if self.tx.try_send(batch).is_err() {
                // The dashboard is behind: the rest waits for the next turn.
                return sent;
            }
            s.next += due;
            sent += due;
        }
    }

    /// Paused: hands over exactly one event more, and the clock moves to it.
    fn step(&self, s: &mut State) -> Result<(), Notice> {
        if s.playing {
            return Err(Notice::StepNeedsPause);
        }
        let Some(event) = self.events.get(s.next) else {
            return Ok(());
        };
        if self.tx.try_send(vec![event.clone()]).is_ok() {
            s.next += 1;
            s.anchor_at = s.anchor_at.max(event.t_us);
        }
        Ok(())
    }
}

impl Source for Replay {
    fn events(&self) -> &EventRx {
        &self.events
    }

    fn now_us(&self) -> u64 {
        self.inner.at(&self.inner.state())
    }

    /// A replay never ends by itself: its last frame stays.
    fn is_alive(&self) -> bool {
        true
    }

    fn command(&self, command: Command) -> Result<(), Notice> {
        let inner = &self.inner;
        let mut s = inner.state();
        match command {
            Command::TogglePause => {
                inner.pump(&mut s);
                inner.reanchor(&mut s);
                s.playing = !s.playing;
            }
            // One event either way: a replay has no loop to run to the top of.
            Command::Step | Command::StepCall => inner.step(&mut s)?,
            Command::Speed(faster) => {
                inner.pump(&mut s);
                inner.reanchor(&mut s);
                s.speed = if faster {
                    (s.speed + 1).min(SPEEDS.len() - 1)
                } else {
                    s.speed.saturating_sub(1)
                };
            }
            Command::Slower(_) => return Err(Notice::Replay(ReplayCant::SlowMotion)),
            Command::NextBackoff => return Err(Notice::Replay(ReplayCant::Backoff)),
            Command::Workers(_) => return Err(Notice::Replay(ReplayCant::Workers)),
            Command::NextModel => return Err(Notice::Replay(ReplayCant::SwitchModel)),
        }
        Ok(())
    }

    fn replay(&self) -> Option<ReplayInfo> {
        Some(self.info())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::record::{Header, Totals};

    fn closed(t_us: u64) -> Event {
        Event {
            t_us,
            kind: EventKind::Closed { conn: t_us },
        }
    }

    fn recording(times: &[u64], duration_us: u64) -> Recording {
        Recording {
            header: Header::now(),
            events: times.iter().copied().map(closed).collect(),
            totals: Some(Totals {
                events: times.len() as u64,
                dropped: 0,
                duration_us,
            }),
            cut: None,
        }
    }

    fn taken(r: &Replay) -> Vec<u64> {
        r.events().try_iter().map(|e| e.t_us).collect()
    }

    #[test]
    fn events_are_released_in_order_as_the_clock_passes_them_at_its_speed() {
        let clock = ManualClock::new();
        let r = Replay::unpumped(
            recording(&[1_000, 1_000, 2_000, 5_000, 9_000], 11_000),
            Box::new(clock.clone()),
        );
        // It starts at the first event.
        r.pump();
        assert_eq!(taken(&r), [1_000, 1_000]);
        assert_eq!(r.now_us(), 1_000);
        clock.advance(999);
        r.pump();
        assert!(taken(&r).is_empty());
        clock.advance(1);
        r.pump();
        assert_eq!(taken(&r), [2_000]);
        // 2×: 1 ms of the clock is 2 ms of the recording.
        r.command(Command::Speed(true)).unwrap();
        assert_eq!(r.info().speed, 2.0);
        clock.advance(1_500);
        r.pump();
        assert_eq!(taken(&r), [5_000]);
        assert_eq!(r.now_us(), 5_000);
        assert_eq!(r.info().at_us, 4_000);
        // Down to 0.25× and no further.
        for _ in 0..5 {
            r.command(Command::Speed(false)).unwrap();
        }
        assert_eq!(r.info().speed, 0.25);
        clock.advance(8_000);
        assert_eq!(r.now_us(), 7_000);
        for _ in 0..9 {
            r.command(Command::Speed(true)).unwrap();
        }
        assert_eq!(r.info().speed, 16.0);
        // The end: everything out, the clock stops at the recording's end,
        // and the replay stays alive.
        clock.advance(1_000);
        r.pump();
        assert_eq!(taken(&r), [9_000]);
        assert_eq!(r.now_us(), 11_000);
        let info = r.info();
        assert!(info.ended && !info.paused, "{info:?}");
        assert_eq!((info.at_us, info.duration_us), (10_000, 10_000));
        assert!(r.is_alive());
    }

    #[test]
    fn paused_the_clock_stands_and_a_step_releases_exactly_one_event() {
        let clock = ManualClock::new();
        let r = Replay::unpumped(
            recording(&[0, 100, 100, 5_000], 6_000),
            Box::new(clock.clone()),
        );
        assert_eq!(
            r.command(Command::StepCall),
            Err(Notice::StepNeedsPause),
            "a step needs a pause"
        );
        r.command(Command::TogglePause).unwrap();
        // Due before the pause: handed over by the pause itself.
        assert_eq!(taken(&r), [0]);
        assert!(r.info().paused);
        clock.advance(1_000_000);
        r.pump();
        assert!(taken(&r).is_empty(), "paused, nothing comes");
        assert_eq!(r.now_us(), 0);
        r.command(Command::StepCall).unwrap();
        assert_eq!(taken(&r), [100]);
        r.command(Command::Step).unwrap();
        assert_eq!(taken(&r), [100]);
        r.command(Command::StepCall).unwrap();
        assert_eq!(taken(&r), [5_000]);
        assert_eq!(r.now_us(), 5_000);
        // Past the last event a step does nothing.
        r.command(Command::StepCall).unwrap();
        assert!(taken(&r).is_empty());
        assert!(!r.info().ended, "the clock is not at the end yet");
        // Playing again goes on from where the steps left it.
        r.command(Command::TogglePause).unwrap();
        clock.advance(500);
        assert_eq!(r.now_us(), 5_500);
        clock.advance(5_000);
        assert_eq!(r.now_us(), 6_000);
        assert!(r.info().ended);
    }

    #[test]
    fn what_a_replay_cannot_do_says_so() {
        let r = Replay::unpumped(recording(&[0], 0), Box::new(ManualClock::new()));
        for (command, cant) in [
            (Command::NextModel, ReplayCant::SwitchModel),
            (Command::Slower(true), ReplayCant::SlowMotion),
            (Command::NextBackoff, ReplayCant::Backoff),
            (Command::Workers(true), ReplayCant::Workers),
        ] {
            assert_eq!(r.command(command), Err(Notice::Replay(cant)));
        }
    }
}
