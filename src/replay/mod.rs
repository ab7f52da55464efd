//! `ioscope replay FILE` on screen: a recording as a [`Source`].
//!
//! The replay has a clock of its own, on the recording's time base: it
//! starts at the first event and runs at the chosen speed (replay time =
//! recording time × speed) while playing, and stands still while paused.
//! Each time the runtime asks ([`Source::feed`]) the dashboard learns
//! every event the clock has passed, in the recording's order, and the
//! ticks between them: a [`Cursor`] puts a tick every [`TICK`] of the
//! recording's time, as the live dashboard ticked, so a position in the
//! recording always means the same dashboard — whether playback got there
//! by playing, stepping or seeking. Seeking forward learns on from where
//! the dashboard is; seeking back forgets and learns again from the start
//! (the dashboard learns millions of events a second: measured in the
//! README).
//!
//! Marks ([`notes`]) are the moments worth coming back to: markers
//! dropped with `M` while recording, and the lines of a notes file.
//!
//! `replay -` follows a stream: a thread reads it and hands its events
//! over; the replay stays at the newest event (live) until paused or sent
//! back, and goes live again at the end.
//!
//! At the end the replay stays (the last frame stays on screen, the
//! progress line says "end"); `q` leaves.
//!
//! [`TICK`]: crate::runtime::TICK

pub mod cast;
pub mod notes;

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crossbeam_channel::Receiver;

use crate::app::{Dashboard, Notice, ReplayCant};
use crate::event::{Event, EventKind};
use crate::probe::channel::Flow;
use crate::record::{self, Line, Recording, RecordingError, Tap};
use crate::source::{Command, Seek, Source};

pub use notes::Mark;

/// The speeds `[` and `]` step through.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// 1×.
const NORMAL: usize = 2;
/// How far ← and → seek.
pub const SEEK_STEP_US: u64 = 10_000_000;
/// The dashboard ticks every this much of the recording's time.
pub const TICK_US: u64 = crate::runtime::TICK.as_micros() as u64;

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

/// A clock that moves only when told: for tests and casts (clones share
/// the time).
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

/// How far a dashboard has learnt a recording: every event before `next`,
/// and every tick before `next_tick`. Ticks fall every [`TICK_US`] from
/// the first event; an event at a tick's time comes before the tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    next: usize,
    next_tick: u64,
    /// Everything up to here is learnt (but events after a step's one at
    /// the same time).
    pos_us: u64,
}

impl Cursor {
    /// Nothing learnt yet, of a recording whose first event is at `start_us`.
    pub fn new(start_us: u64) -> Self {
        Cursor {
            next: 0,
            next_tick: start_us + TICK_US,
            pos_us: start_us,
        }
    }

    pub fn pos_us(&self) -> u64 {
        self.pos_us
    }

    /// Events learnt.
    pub fn learnt(&self) -> usize {
        self.next
    }

    /// Learns every event and tick up to `to_us`, in order; `ticked` sees
    /// the dashboard after each tick.
    pub fn advance(
        &mut self,
        events: &[Event],
        d: &mut Dashboard,
        to_us: u64,
        mut ticked: impl FnMut(&Dashboard),
    ) {
        loop {
            let event = events.get(self.next).filter(|e| e.t_us <= to_us);
            match event {
                Some(e) if e.t_us <= self.next_tick || self.next_tick > to_us => {
                    d.apply(e);
                    self.next += 1;
                }
                _ if self.next_tick <= to_us => {
                    d.tick(self.next_tick);
                    ticked(d);
                    self.next_tick += TICK_US;
                }
                _ => break,
            }
        }
        self.pos_us = self.pos_us.max(to_us);
    }

    /// Learns the next event (and the ticks before it); its time, or
    /// `None` after the last.
    pub fn step(&mut self, events: &[Event], d: &mut Dashboard) -> Option<u64> {
        let event = events.get(self.next)?;
        while self.next_tick < event.t_us {
            d.tick(self.next_tick);
            self.next_tick += TICK_US;
        }
        d.apply(event);
        self.next += 1;
        self.pos_us = self.pos_us.max(event.t_us);
        Some(event.t_us)
    }
}

/// What the progress line and the notes panel show: the runtime hands a
/// copy to the dashboard before each frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayInfo {
    /// Where the replay is, from the recording's first event.
    pub at_us: u64,
    /// The recording's length (so far, following a stream), from its
    /// first event.
    pub duration_us: u64,
    pub speed: f64,
    pub paused: bool,
    /// Everything was replayed and the clock reached the end.
    pub ended: bool,
    /// Following a stream (`replay -`) at its newest event.
    pub live: bool,
    /// A stream that stopped: why, when it was not its end.
    pub stopped: Option<Stop>,
    /// The player's own clock (µs), which stands still for nothing:
    /// notices fade on it.
    pub wall_us: u64,
    /// Markers and notes, in time order.
    pub marks: Arc<[Mark]>,
    /// The last mark the replay reached, into `marks`.
    pub reached: Option<usize>,
}

impl ReplayInfo {
    /// The note of the last mark reached, if it has one to show.
    pub fn note(&self) -> Option<&Mark> {
        self.reached
            .and_then(|i| self.marks.get(i))
            .filter(|m| !m.note.is_empty())
    }
}

/// What a stream's reader hands the replay.
#[derive(Debug)]
pub enum Incoming {
    Events(Vec<Event>),
    /// The stream ended: by itself (`None`), or on a line that was wrong.
    End(Option<Stop>),
}

/// Why a stream stopped before its end (the screen words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Line `n`, the last, is cut short: the lines before it were whole.
    Cut(usize),
    /// Reading failed.
    Read(String),
    /// A line that is not what it should be.
    Bad(RecordingError),
}

/// A recording played back.
pub struct Replay {
    clock: Box<dyn Clock>,
    player: Mutex<Player>,
    /// Following a stream: what its reader hands over.
    incoming: Option<Receiver<Incoming>>,
}

#[derive(Debug)]
struct Player {
    events: Vec<Event>,
    /// From the notes file; the recording's markers are added to them.
    marks: Arc<[Mark]>,
    /// The first event's time (`None`: a stream with nothing yet).
    start_us: Option<u64>,
    /// The recording's end (so far).
    end_us: u64,
    /// Where the dashboard is.
    cursor: Option<Cursor>,
    playing: bool,
    /// Into [`SPEEDS`].
    speed: usize,
    /// At `anchor_wall` on the clock, the replay was at `anchor_at`; it
    /// has gone on from there at `speed` if playing.
    anchor_wall: u64,
    anchor_at: u64,
    /// A stream is still coming.
    streaming: bool,
    /// At a stream's newest event, following it.
    live: bool,
    stopped: Option<Stop>,
    /// Asked for and not done yet: the next feed does them. `due`: paused
    /// there, everything up to it is to be learnt.
    seek: Option<u64>,
    due: Option<u64>,
    /// Where the viewer last put the replay (a seek, a pause): a note that
    /// pauses there has had its pause.
    held_at: Option<u64>,
    steps: usize,
}

impl Player {
    fn new(marks: Vec<Mark>, streaming: bool, now: u64) -> Self {
        Player {
            events: Vec::new(),
            marks: marks.into(),
            start_us: None,
            end_us: 0,
            cursor: None,
            playing: true,
            speed: NORMAL,
            anchor_wall: now,
            anchor_at: 0,
            streaming,
            live: streaming,
            stopped: None,
            seek: None,
            due: None,
            held_at: None,
            steps: 0,
        }
    }

    /// Takes more of the recording: its events, their markers.
    fn extend(&mut self, events: Vec<Event>) {
        let Some(first) = events.first() else { return };
        let start = *self.start_us.get_or_insert(first.t_us);
        if self.events.is_empty() {
            self.anchor_at = start;
        }
        // The markers dropped with `M` while recording are marks too.
        let markers: Vec<Mark> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Marker { note } => Some(Mark {
                    at_us: e.t_us.saturating_sub(start),
                    note: note.clone(),
                    pause: false,
                }),
                _ => None,
            })
            .collect();
        if !markers.is_empty() {
            let mut marks = self.marks.to_vec();
            marks.extend(markers);
            marks.sort_by_key(|m| m.at_us);
            self.marks = marks.into();
        }
        let last = events.iter().map(|e| e.t_us).max().unwrap_or(start);
        self.end_us = self.end_us.max(last).max(start);
        self.events.extend(events);
    }

    fn start(&self) -> u64 {
        self.start_us.unwrap_or(0)
    }

    /// The replay's clock, on the recording's time base.
    fn at(&self, wall: u64) -> u64 {
        if self.live {
            return self.end_us;
        }
        if !self.playing {
            return self.anchor_at;
        }
        let passed = wall.saturating_sub(self.anchor_wall);
        let at = self.anchor_at + (passed as f64 * SPEEDS[self.speed]) as u64;
        at.min(self.end_us.max(self.anchor_at))
    }

    /// From here on the replay goes on from `at`.
    fn anchor(&mut self, at: u64, wall: u64) {
        self.anchor_at = at;
        self.anchor_wall = wall;
    }

    /// The marks' times on the recording's clock.
    fn mark_at(&self, m: &Mark) -> u64 {
        self.start() + m.at_us
    }

    /// Where a seek goes from `at`.
    fn target(&self, seek: Seek, at: u64) -> Option<u64> {
        let (start, end) = (self.start(), self.end_us);
        Some(match seek {
            Seek::Back => at.saturating_sub(SEEK_STEP_US).max(start),
            Seek::Forward => (at + SEEK_STEP_US).min(end),
            Seek::Start => start,
            Seek::End => end,
            Seek::NextMark => self
                .marks
                .iter()
                .map(|m| self.mark_at(m))
                .find(|t| *t > at)?,
            Seek::PrevMark => self
                .marks
                .iter()
                .rev()
                .map(|m| self.mark_at(m))
                .find(|t| *t < at)?,
        })
    }

    /// Teaches `d` what the replay has reached.
    fn feed(&mut self, d: &mut Dashboard, wall: u64) {
        let Some(start) = self.start_us else { return };
        let mut cursor = self.cursor.unwrap_or(Cursor::new(start));
        if let Some(target) = self.seek.take() {
            if target < cursor.pos_us {
                d.forget();
                cursor = Cursor::new(start);
            }
            cursor.advance(&self.events, d, target, |_| {});
            self.anchor(target, wall);
        }
        if let Some(at) = self.due.take() {
            cursor.advance(&self.events, d, at, |_| {});
        }
        for _ in 0..std::mem::take(&mut self.steps) {
            if let Some(t) = cursor.step(&self.events, d) {
                self.anchor_at = self.anchor_at.max(t);
            }
        }
        if self.playing {
            let to = self.at(wall);
            // A note that asks for a pause stops playback on its moment.
            let pause = self
                .marks
                .iter()
                .filter(|m| m.pause)
                .map(|m| self.mark_at(m))
                .find(|t| *t >= cursor.pos_us && *t <= to && self.held_at != Some(*t));
            match pause {
                Some(t) => {
                    self.held_at = Some(t);
                    cursor.advance(&self.events, d, t, |_| {});
                    self.playing = false;
                    self.live = false;
                    self.anchor(t, wall);
                }
                None => cursor.advance(&self.events, d, to, |_| {}),
            }
            // Caught up with a stream: following it again.
            if self.streaming && self.playing && to >= self.end_us {
                self.live = true;
            }
        }
        self.cursor = Some(cursor);
    }

    fn info(&self, wall: u64) -> ReplayInfo {
        let start = self.start();
        let at = self.at(wall).max(start);
        let learnt = self.cursor.map_or(0, |c| c.learnt());
        let pos = self.cursor.map_or(start, |c| c.pos_us);
        ReplayInfo {
            at_us: at - start,
            duration_us: self.end_us.max(start) - start,
            speed: SPEEDS[self.speed],
            paused: !self.playing,
            ended: !self.streaming && learnt >= self.events.len() && at >= self.end_us,
            live: self.live,
            stopped: self.stopped.clone(),
            wall_us: wall,
            marks: self.marks.clone(),
            reached: self
                .start_us
                .and_then(|_| self.marks.iter().rposition(|m| self.mark_at(m) <= pos)),
        }
    }
}

impl Replay {
    /// Plays `recording` on the wall clock, from its first event, at 1×,
    /// with the lecturer's `marks` (from a notes file).
    pub fn start(recording: Recording, marks: Vec<Mark>) -> Self {
        Self::with_clock(recording, marks, Box::new(WallClock::new()))
    }

    /// Plays `recording` on `clock`.
    pub fn with_clock(recording: Recording, marks: Vec<Mark>, clock: Box<dyn Clock>) -> Self {
        let mut player = Player::new(marks, false, clock.now_us());
        player.extend(recording.events);
        if let Some(totals) = recording.totals {
            player.end_us = player.end_us.max(totals.duration_us);
        }
        Replay {
            clock,
            player: Mutex::new(player),
            incoming: None,
        }
    }

    /// Follows a stream (`replay -`): the events `incoming` hands over, as
    /// they come.
    pub fn follow(incoming: Receiver<Incoming>, marks: Vec<Mark>, clock: Box<dyn Clock>) -> Self {
        let player = Player::new(marks, true, clock.now_us());
        Replay {
            clock,
            player: Mutex::new(player),
            incoming: Some(incoming),
        }
    }

    fn player(&self) -> MutexGuard<'_, Player> {
        self.player.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where the replay is, its speed, paused or not, its marks.
    pub fn info(&self) -> ReplayInfo {
        self.player().info(self.clock.now_us())
    }
}

/// Reads a stream (a recording or a `--headless` stream) line by line on
/// a thread of its own, handing its events over as they come: for
/// `replay -`. A line that is wrong ends it, saying which and why.
pub fn read_stream(input: impl Read + Send + 'static) -> Receiver<Incoming> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let _ = std::thread::Builder::new()
        .name("ioscope-stream".into())
        .spawn(move || {
            let end = read_lines(BufReader::new(input), |events| {
                tx.send(Incoming::Events(events)).is_ok()
            });
            let _ = tx.send(Incoming::End(end.err()));
        });
    rx
}

/// Gives the events of `input` to `hand` as they come (what one read
/// brought, at once), until its end, a summary line, a wrong line, or
/// `hand` says stop.
fn read_lines(
    mut input: BufReader<impl Read>,
    mut hand: impl FnMut(Vec<Event>) -> bool,
) -> Result<(), Stop> {
    let mut line = String::new();
    let mut batch = Vec::new();
    let mut n = 0;
    let end = loop {
        // Nothing more read yet: what there is goes now.
        if input.buffer().is_empty() && !batch.is_empty() && !hand(std::mem::take(&mut batch)) {
            return Ok(());
        }
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break Ok(()),
            Ok(_) => {}
            Err(e) => break Err(Stop::Read(e.to_string())),
        }
        n += 1;
        let text = line.trim_end_matches(['\n', '\r']);
        if !line.ends_with('\n') {
            // Cut short at the end: what came before is whole.
            break Err(Stop::Cut(n));
        }
        let parsed = if n == 1 {
            record::parse_first(text).map(|first| first.err().map(Line::Event))
        } else {
            record::parse_line(n, text).map(Some)
        };
        match parsed {
            Ok(Some(Line::Event(event))) => batch.push(event),
            Ok(Some(Line::Summary(_))) => break Ok(()),
            Ok(None) => {}
            Err(e) => break Err(Stop::Bad(e)),
        }
    };
    if !batch.is_empty() {
        hand(batch);
    }
    end
}

impl Source for Replay {
    fn feed(&self, dashboard: &mut Dashboard, _record: Option<&Tap>) -> Flow {
        let wall = self.clock.now_us();
        let mut p = self.player();
        if let Some(incoming) = &self.incoming {
            for came in incoming.try_iter() {
                match came {
                    Incoming::Events(events) => p.extend(events),
                    Incoming::End(why) => {
                        p.streaming = false;
                        p.stopped = why;
                        if p.live {
                            p.live = false;
                            let end = p.end_us;
                            p.anchor(end, wall);
                        }
                    }
                }
            }
        }
        p.feed(dashboard, wall);
        Flow::Open
    }

    /// The dashboard ticks as the recording's time passes (in `feed`),
    /// never on the wall clock.
    fn tick(&self, _dashboard: &mut Dashboard) {}

    fn now_us(&self) -> u64 {
        self.player().at(self.clock.now_us())
    }

    /// A replay never ends by itself: its last frame stays.
    fn is_alive(&self) -> bool {
        true
    }

    fn command(&self, command: Command) -> Result<(), Notice> {
        let wall = self.clock.now_us();
        let mut p = self.player();
        let at = p.at(wall);
        match command {
            Command::TogglePause => {
                p.live = false;
                p.anchor(at, wall);
                p.playing = !p.playing;
                // What the clock passed before the pause is learnt.
                p.due = (!p.playing).then_some(at);
                p.held_at = Some(at);
            }
            // One event either way: a replay has no loop to run to the top of.
            Command::Step | Command::StepCall => {
                if p.playing {
                    return Err(Notice::StepNeedsPause);
                }
                p.steps += 1;
            }
            Command::Speed(faster) => {
                p.anchor(at, wall);
                p.speed = if faster {
                    (p.speed + 1).min(SPEEDS.len() - 1)
                } else {
                    p.speed.saturating_sub(1)
                };
            }
            Command::Seek(seek) => {
                let Some(target) = p.target(seek, at) else {
                    return Err(Notice::NoMark(seek == Seek::NextMark));
                };
                // The end of a stream still coming: following it again.
                p.live = p.streaming && seek == Seek::End;
                p.playing |= p.live;
                p.seek = Some(target);
                p.held_at = Some(target);
                p.anchor(target, wall);
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

    fn recording(events: Vec<Event>, duration_us: u64) -> Recording {
        Recording {
            header: Header::now(),
            totals: Some(Totals {
                events: events.len() as u64,
                dropped: 0,
                duration_us,
            }),
            events,
            cut: None,
        }
    }

    fn times(times: &[u64], duration_us: u64) -> Recording {
        recording(times.iter().copied().map(closed).collect(), duration_us)
    }

    /// A replay on a hand-moved clock, and the dashboard it feeds.
    struct Player {
        r: Replay,
        clock: ManualClock,
        d: Dashboard,
        /// Events learnt at the last look.
        seen: usize,
    }

    impl Player {
        fn new(rec: Recording, marks: Vec<Mark>) -> Self {
            let clock = ManualClock::new();
            let r = Replay::with_clock(rec, marks, Box::new(clock.clone()));
            Player {
                r,
                clock,
                d: Dashboard::new(),
                seen: 0,
            }
        }

        /// Moves the clock on by `us` and feeds: the times of the events
        /// learnt meanwhile.
        fn go(&mut self, us: u64) -> Vec<u64> {
            self.clock.advance(us);
            self.r.feed(&mut self.d, None);
            let p = self.r.player();
            let learnt = p.cursor.map_or(0, |c| c.learnt());
            let new = p.events[self.seen.min(learnt)..learnt]
                .iter()
                .map(|e| e.t_us)
                .collect();
            self.seen = learnt;
            new
        }

        fn command(&mut self, command: Command) -> Result<(), Notice> {
            self.r.command(command)
        }
    }

    #[test]
    fn events_are_learnt_in_order_as_the_clock_passes_them_at_its_speed() {
        let mut p = Player::new(times(&[1_000, 1_000, 2_000, 5_000, 9_000], 11_000), vec![]);
        // It starts at the first event.
        assert_eq!(p.go(0), [1_000, 1_000]);
        assert_eq!(p.r.now_us(), 1_000);
        assert!(p.go(999).is_empty());
        assert_eq!(p.go(1), [2_000]);
        // 2×: 1 ms of the clock is 2 ms of the recording.
        p.command(Command::Speed(true)).unwrap();
        assert_eq!(p.r.info().speed, 2.0);
        assert_eq!(p.go(1_500), [5_000]);
        assert_eq!(p.r.info().at_us, 4_000);
        // Down to 0.25× and no further.
        for _ in 0..5 {
            p.command(Command::Speed(false)).unwrap();
        }
        assert_eq!(p.r.info().speed, 0.25);
        p.clock.advance(8_000);
        assert_eq!(p.r.now_us(), 7_000);
        for _ in 0..9 {
            p.command(Command::Speed(true)).unwrap();
        }
        assert_eq!(p.r.info().speed, 16.0);
        // The end: everything learnt, the clock stops at the recording's
        // end, and the replay stays alive.
        assert_eq!(p.go(1_000), [9_000]);
        assert_eq!(p.r.now_us(), 11_000);
        let info = p.r.info();
        assert!(info.ended && !info.paused, "{info:?}");
        assert_eq!((info.at_us, info.duration_us), (10_000, 10_000));
        assert!(p.r.is_alive());
    }

    #[test]
    fn paused_the_clock_stands_and_a_step_learns_exactly_one_event() {
        let mut p = Player::new(times(&[0, 100, 100, 5_000], 6_000), vec![]);
        assert_eq!(
            p.command(Command::StepCall),
            Err(Notice::StepNeedsPause),
            "a step needs a pause"
        );
        p.command(Command::TogglePause).unwrap();
        assert_eq!(p.go(0), [0]);
        assert!(p.r.info().paused);
        assert!(p.go(1_000_000).is_empty(), "paused, nothing comes");
        assert_eq!(p.r.now_us(), 0);
        p.command(Command::StepCall).unwrap();
        assert_eq!(p.go(0), [100]);
        p.command(Command::Step).unwrap();
        assert_eq!(p.go(0), [100]);
        p.command(Command::StepCall).unwrap();
        assert_eq!(p.go(0), [5_000]);
        assert_eq!(p.r.now_us(), 5_000);
        // Past the last event a step does nothing.
        p.command(Command::StepCall).unwrap();
        assert!(p.go(0).is_empty());
        assert!(!p.r.info().ended, "the clock is not at the end yet");
        // Playing again goes on from where the steps left it.
        p.command(Command::TogglePause).unwrap();
        p.clock.advance(500);
        assert_eq!(p.r.now_us(), 5_500);
        p.go(5_000);
        assert_eq!(p.r.now_us(), 6_000);
        assert!(p.r.info().ended);
    }

    #[test]
    fn what_a_replay_cannot_do_says_so() {
        let mut p = Player::new(times(&[0], 0), vec![]);
        for (command, cant) in [
            (Command::NextModel, ReplayCant::SwitchModel),
            (Command::Slower(true), ReplayCant::SlowMotion),
            (Command::NextBackoff, ReplayCant::Backoff),
            (Command::Workers(true), ReplayCant::Workers),
        ] {
            assert_eq!(p.command(command), Err(Notice::Replay(cant)));
        }
    }

    /// A minute of a busy loop: a run, clients coming, talking, leaving,
    /// summaries every 20 ms, a switch; events out of time order across
    /// threads as a real recording has them.
    fn busy_minute() -> Recording {
        let text = |line: String| serde_json::from_str::<Event>(&line).unwrap();
        let mut events = vec![text(
            r#"{"t_us":0,"kind":"listening","addr":"127.0.0.1:1","model":"nonblocking","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}"#.into(),
        )];
        for i in 1..3_000u64 {
            let t = i * 20_000;
            events.push(text(format!(
                r#"{{"t_us":{t},"kind":"spin","spins":{},"cpu_user_us":3000,"cpu_sys_us":17000,"empty_recvs":0,"empty_sends":0}}"#,
                40_000 + i % 7 * 1_000
            )));
            if i % 25 == 0 {
                let conn = i / 25;
                for line in [
                    format!(
                        r#"{{"t_us":{},"kind":"accept","conn":{conn},"peer":"127.0.0.1:{}"}}"#,
                        t + 5,
                        40_000 + conn
                    ),
                    format!(
                        r#"{{"t_us":{},"kind":"recv","conn":{conn},"bytes":2,"spin":{i},"preview":"hi"}}"#,
                        t + 3
                    ),
                    format!(
                        r#"{{"t_us":{},"kind":"send","conn":{conn},"bytes":2,"spin":{i},"preview":"HI","pending":0}}"#,
                        t + 9
                    ),
                ] {
                    events.push(text(line));
                }
                if conn > 3 {
                    let how = if conn % 3 == 0 {
                        r#""reset","call":"recv","error":"Connection reset by peer (os error 104)""#
                    } else {
                        r#""closed""#
                    };
                    events.push(text(format!(
                        r#"{{"t_us":{},"kind":{how},"conn":{}}}"#,
                        t + 11,
                        conn - 3
                    )));
                }
            }
            if i == 1_500 {
                events.push(text(format!(
                    r#"{{"t_us":{t},"kind":"listening","addr":"127.0.0.1:1","model":"multiplex","backlog":5,"faithful":false,"verbatim":false,"cpu_split":true}}"#
                )));
            }
        }
        recording(events, 60_000_000)
    }

    /// The dashboard's state as text (everything but the player's own).
    fn state(d: &Dashboard) -> String {
        let mut d = d.clone();
        d.replay = None;
        format!("{d:?}")
    }

    #[test]
    fn seeking_back_then_forward_is_the_same_as_playing_straight_through() {
        // Straight through to 45 s, fed at uneven moments.
        let mut straight = Player::new(busy_minute(), vec![]);
        for step in [7_000, 133_000, 20_000_000, 1, 24_860_000 - 1] {
            straight.go(step);
        }
        assert_eq!(straight.r.now_us(), 45_000_000);
        // The same to 40 s, then back 10 s, to the start, forward 10 s
        // four times, back 10 s, and on to 45 s.
        let mut sought = Player::new(busy_minute(), vec![]);
        sought.go(40_000_000);
        sought.command(Command::TogglePause).unwrap();
        let seeks = [
            Seek::Back,
            Seek::Start,
            Seek::Forward,
            Seek::Forward,
            Seek::Forward,
            Seek::Forward,
            Seek::Forward,
            Seek::Back,
        ];
        for seek in seeks {
            sought.command(Command::Seek(seek)).unwrap();
            sought.go(0);
        }
        assert_eq!(sought.r.now_us(), 40_000_000);
        sought.command(Command::TogglePause).unwrap();
        sought.go(5_000_000);
        assert_eq!(state(&sought.d), state(&straight.d));
        assert!(straight.d.conns.accepted > 50 && straight.d.history.len() > 40);
        // And a seek past the end stops at the end, with everything learnt.
        sought.command(Command::Seek(Seek::End)).unwrap();
        sought.go(0);
        let mut whole = Player::new(busy_minute(), vec![]);
        whole.go(61_000_000);
        assert_eq!(state(&sought.d), state(&whole.d));
        assert!(sought.r.info().ended);
    }

    #[test]
    fn marks_are_jumped_to_reached_and_a_pausing_note_stops_playback_there() {
        let mark = |at_us, note: &str, pause| Mark {
            at_us,
            note: note.into(),
            pause,
        };
        let marks = vec![
            mark(2_000, "two", false),
            mark(5_000, "five", true),
            mark(8_000, "", false),
        ];
        let mut rec = times(&[10_000, 12_000, 15_000, 19_000], 20_000);
        // A marker dropped with M while recording, at 17 ms.
        rec.events.insert(
            3,
            Event {
                t_us: 17_000,
                kind: EventKind::Marker {
                    note: "from M".into(),
                },
            },
        );
        let mut p = Player::new(rec, marks);
        p.go(0);
        assert_eq!(p.r.info().reached, None);
        assert_eq!(
            p.command(Command::Seek(Seek::PrevMark)),
            Err(Notice::NoMark(false))
        );
        // ' jumps to the next mark: its note shows.
        p.command(Command::Seek(Seek::NextMark)).unwrap();
        assert_eq!(p.go(0), [12_000]);
        let info = p.r.info();
        assert_eq!((info.at_us, info.reached), (2_000, Some(0)));
        assert_eq!(info.note().map(|m| m.note.as_str()), Some("two"));
        // Playing on, the pausing note stops playback on its moment.
        assert_eq!(p.go(10_000), [15_000]);
        let info = p.r.info();
        assert!(info.paused, "{info:?}");
        assert_eq!((info.at_us, info.reached), (5_000, Some(1)));
        // Resumed, it goes on (and does not stop there again).
        p.command(Command::TogglePause).unwrap();
        p.go(3_500);
        let info = p.r.info();
        assert!(!info.paused);
        assert_eq!(info.reached, Some(3));
        assert_eq!(info.note(), None, "an empty note takes the last one away");
        // " goes back to the one before: the marker from M, its note shown.
        p.command(Command::Seek(Seek::PrevMark)).unwrap();
        p.go(0);
        assert_eq!(p.r.info().at_us, 8_000);
        p.command(Command::Seek(Seek::PrevMark)).unwrap();
        p.go(0);
        let info = p.r.info();
        assert_eq!((info.at_us, info.reached), (7_000, Some(2)));
        assert_eq!(info.note().map(|m| m.note.as_str()), Some("from M"));
        p.command(Command::Seek(Seek::PrevMark)).unwrap();
        p.go(0);
        assert_eq!(p.r.info().at_us, 5_000);
        // Past the last mark, ' says there is none.
        assert_eq!(
            p.command(Command::Seek(Seek::NextMark))
                .and(p.command(Command::Seek(Seek::NextMark)))
                .and(p.command(Command::Seek(Seek::NextMark))),
            Err(Notice::NoMark(true))
        );
    }

    #[test]
    fn a_stream_is_followed_live_and_paused_and_caught_up_with() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let clock = ManualClock::new();
        let r = Replay::follow(rx, vec![], Box::new(clock.clone()));
        let mut d = Dashboard::new();
        r.feed(&mut d, None);
        assert!(r.info().live);
        tx.send(Incoming::Events(vec![closed(500), closed(1_000)]))
            .unwrap();
        r.feed(&mut d, None);
        assert_eq!(d.conns.counts.closed, 2);
        assert_eq!((r.info().at_us, r.info().duration_us), (500, 500));
        // Paused, the stream is kept but not shown.
        r.command(Command::TogglePause).unwrap();
        tx.send(Incoming::Events(vec![closed(2_000), closed(3_000)]))
            .unwrap();
        r.feed(&mut d, None);
        let info = r.info();
        assert!(info.paused && !info.live);
        assert_eq!((info.at_us, info.duration_us), (500, 2_500));
        assert_eq!(d.conns.counts.closed, 2);
        // Played at 2×, it catches up and follows again.
        r.command(Command::TogglePause).unwrap();
        r.command(Command::Speed(true)).unwrap();
        clock.advance(500);
        r.feed(&mut d, None);
        assert_eq!(d.conns.counts.closed, 3);
        assert!(!r.info().live);
        clock.advance(500);
        r.feed(&mut d, None);
        assert_eq!(d.conns.counts.closed, 4);
        assert!(r.info().live);
        // Back to the start, paused, and End: live again.
        r.command(Command::Seek(Seek::Start)).unwrap();
        r.command(Command::TogglePause).unwrap();
        r.feed(&mut d, None);
        assert_eq!(d.conns.counts.closed, 1);
        assert!(r.info().paused);
        r.command(Command::Seek(Seek::End)).unwrap();
        r.feed(&mut d, None);
        assert!(r.info().live && !r.info().paused);
        assert_eq!(d.conns.counts.closed, 4);
        tx.send(Incoming::Events(vec![closed(4_000)])).unwrap();
        r.feed(&mut d, None);
        assert_eq!(d.conns.counts.closed, 5);
        // The stream's end: no longer live, the end.
        tx.send(Incoming::End(Some(Stop::Cut(9)))).unwrap();
        r.feed(&mut d, None);
        let info = r.info();
        assert!(info.ended && !info.live, "{info:?}");
        assert_eq!(info.stopped, Some(Stop::Cut(9)));
    }

    #[test]
    fn a_stream_is_read_with_or_without_a_header_and_stops_at_a_bad_line() {
        let read = |text: &str| {
            let mut got = Vec::new();
            let end = read_lines(BufReader::new(text.as_bytes()), |events| {
                got.extend(events.iter().map(|e| e.t_us));
                true
            });
            (got, end)
        };
        let event = |t: u64| format!(r#"{{"t_us":{t},"kind":"closed","conn":1}}"#);
        let header = serde_json::to_string(&Header::now()).unwrap();
        assert_eq!(
            read(&format!("{}\n{}\n", event(1), event(2))),
            (vec![1, 2], Ok(()))
        );
        assert_eq!(
            read(&format!("{header}\n{}\n{}\n", event(1), event(2))),
            (vec![1, 2], Ok(()))
        );
        let (got, end) = read(&format!("{}\nnope\n{}\n", event(1), event(3)));
        assert_eq!(got, [1]);
        assert!(
            matches!(&end, Err(Stop::Bad(RecordingError::Corrupt { line: 2, what })) if what.starts_with("not an event")),
            "{end:?}"
        );
        let (got, end) = read(&format!("{}\n{}", event(1), event(2)));
        assert_eq!(got, [1]);
        assert_eq!(end, Err(Stop::Cut(2)));
    }
}
