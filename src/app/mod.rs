//! The dashboard's state: everything the screen shows, learnt only from
//! events ([`Dashboard::apply`]) and the source's clock ([`Dashboard::tick`]).
//! No IO, no terminal: the UI renders from `&Dashboard`, the tests feed it
//! scripted events, and a recording would draw the same screen.
//!
//! It is a few pieces with one job each; `apply` only dispatches:
//! [`Connections`] (who is connected, who left and how), [`Run`] (one per
//! model run: its counters, rates, seconds and statistics), [`History`]
//! (the last minute, a bar a second, each bar tagged with its run),
//! [`Log`], [`Threads`], [`Code`] (how often each line of the model's
//! loop ran, and where it was last) and [`ViewState`] (focus, scroll,
//! overlays, notices).

mod code;
mod compare;
mod conns;
mod history;
mod keymap;
mod log;
mod meter;
mod predict;
mod runs;
mod threads;
mod view;

pub use code::{At, Code, CodeLine, Listing, Point, Returned, listing, split_comment};
pub use compare::{ModelRow, compare};
pub use conns::{ConnRow, Connections, Departure, GONE_CAP, GoneCounts, GoneRow};
pub use history::{Bar, Column, HISTORY_SECS, History};
pub use keymap::{Action, KEYS, action_for_key, mouse_for_event, note_edit_for_key};
pub use log::{LOG_CAP, Log};
pub use meter::{Rates, Summary};
pub use predict::{Answered, HELD_CAP, Outcome, Prediction, Question};
pub use runs::{READY_CAP, ReadyItem, ReadySend, Run, Totals};
pub use threads::{ThreadRow, ThreadState, Threads};
pub use view::{
    Look, Mouse, NOTE_MAX, NOTICE_US, NoteEdit, Notice, Panel, ReplayCant, Theme, ViewState,
    WHEEL_ROWS,
};

use std::collections::{BTreeMap, VecDeque};

use crate::event::{Backoff, ConnId, Event, EventKind, Model, Reach};

/// Model runs kept whole (their history bars, their figures); older runs
/// live on only in the comparison's rows. A minute of history holds at
/// most 61 runs.
pub const RUNS_CAP: usize = 64;

/// Markers kept (`M`): beyond this the oldest go.
pub const MARKERS_CAP: usize = 1_000;

/// What `listening` said about the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub addr: String,
    pub model: Model,
    pub backlog: i32,
    pub faithful: bool,
    /// `--verbatim`: the listing's sockets left blocking.
    pub verbatim: bool,
    /// The server's machine splits CPU time into user and kernel.
    pub cpu_split: bool,
    /// Where clients elsewhere reach it, the likeliest first (empty on
    /// loopback).
    pub reachable: Vec<Reach>,
}

/// The pace the viewer set (`pace` events): it outlives model switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pace {
    /// Slow motion: the delay before every system call (0: full speed).
    pub call_delay_us: u64,
    /// What the busy loop does after a spin that found nothing.
    pub backoff: Backoff,
    /// How long it sleeps, for [`Backoff::Sleep`].
    pub backoff_us: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessSample {
    pub rss_bytes: u64,
    pub threads: u64,
    pub listen_queue: Option<u32>,
    pub listen_max: Option<u32>,
    /// Virtual size: the threads' reserved stacks, resident or not.
    pub vm_bytes: Option<u64>,
}

/// The kernel's listen-queue overflows (system-wide), since the current
/// run began, and how fast they come.
#[derive(Debug, Clone, Default)]
pub struct Overflows {
    /// The counter when the run began.
    first: Option<u64>,
    /// Readings of the last two seconds or so: (time, counter).
    recent: VecDeque<(u64, u64)>,
}

impl Overflows {
    fn sample(&mut self, t_us: u64, count: u64) {
        self.first.get_or_insert(count);
        self.recent.push_back((t_us, count));
        while self.recent.len() > 2 && t_us - self.recent[1].0 >= 2_000_000 {
            self.recent.pop_front();
        }
    }

    /// Dropped since the run began (`None`: the system does not say).
    pub fn since_run(&self) -> Option<u64> {
        let first = self.first?;
        let last = self.recent.back().map_or(first, |r| r.1);
        Some(last.saturating_sub(first))
    }

    /// Drops a second over the last second or so, at `now_us`. The sampler
    /// reports only changes: no reading for a while is no drop.
    pub fn rate(&self, now_us: u64) -> f64 {
        let Some(&(_, last)) = self.recent.back() else {
            return 0.0;
        };
        let from = now_us.saturating_sub(1_000_000);
        let before = self
            .recent
            .iter()
            .rev()
            .find(|(t, _)| *t <= from)
            .or(self.recent.front())
            .map_or(last, |r| r.1);
        let span = now_us.saturating_sub(from).max(1) as f64 / 1e6;
        last.saturating_sub(before) as f64 / span
    }
}

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// The running model, as its `listening` said.
    pub server: Option<ServerInfo>,
    /// Server clock time of the first `listening`.
    pub started_us: Option<u64>,
    /// Server clock now, as of the last tick or event.
    pub now_us: u64,
    pub paused: bool,
    /// A replay's progress, as the runtime last passed it in (`None`
    /// live): the player's state, which no event carries.
    pub replay: Option<crate::replay::ReplayInfo>,
    /// The loop's last pause edge, as it reported it.
    loop_parked: bool,
    /// The built-in clients' demo is running.
    pub demo: bool,
    pub conns: Connections,
    /// The latest [`RUNS_CAP`] model runs, the current one last.
    pub runs: Vec<Run>,
    /// What the runs dropped from `runs` measured, one row per model.
    retired: Vec<ModelRow>,
    pub history: History,
    pub log: Log,
    /// The thread models' threads and the pool's queue (current run).
    pub threads: Threads,
    /// The latest `sample`: resident memory, threads, listen queue.
    pub process: Option<ProcessSample>,
    /// The last `accept_error` of the current run, e.g. EMFILE.
    pub accept_error: Option<(u64, String)>,
    /// Events the probe could not deliver, in the whole session.
    pub dropped: u64,
    pub pace: Pace,
    /// The kernel's listen-queue overflows, for the current run.
    pub overflows: Overflows,
    /// How long each recent connection waited in the listen queue (ms),
    /// as the sampler measured it after the accept.
    accept_waits: BTreeMap<ConnId, u64>,
    /// The room guesses the next call's outcome.
    pub prediction: Prediction,
    /// The code panel's counts and the loop's last call (current run).
    pub code: Code,
    /// The viewer's markers (`M`), oldest first: when (server clock) and
    /// the note, cut to [`NOTE_MAX`] characters; the latest
    /// [`MARKERS_CAP`].
    pub markers: VecDeque<(u64, String)>,
    pub view: ViewState,
}

impl Dashboard {
    pub fn new() -> Self {
        Self::default()
    }

    /// The running model's run (none before the first `listening`).
    pub fn run(&self) -> Option<&Run> {
        self.runs.last()
    }

    /// The running model.
    pub fn model(&self) -> Option<Model> {
        self.server.as_ref().map(|s| s.model)
    }

    /// The current run's rates (zero before the first `listening`).
    pub fn rates(&self) -> Rates {
        self.run().map(|r| *r.rates()).unwrap_or_default()
    }

    /// The current run's totals.
    pub fn totals(&self) -> Totals {
        self.run().map(|r| r.totals).unwrap_or_default()
    }

    /// Microseconds the server has been up.
    pub fn uptime_us(&self) -> u64 {
        self.started_us.map_or(0, |s| self.now_us.saturating_sub(s))
    }

    /// A model built from threads that block (blocking, threaded, pool).
    pub fn has_threads(&self) -> bool {
        self.model().is_some_and(Model::has_threads)
    }

    /// Connected clients that are the dashboard's own.
    pub fn builtin_count(&self) -> usize {
        self.conns.builtin_count(None)
    }

    /// Learns from one event. Pure: no IO, no clock but the event's. With
    /// prediction on, a stepped or slowed-down call's outcome waits for
    /// the reveal.
    pub fn apply(&mut self, event: &Event) {
        let slow = self.paused || self.pace.call_delay_us > 0;
        if self.prediction.hold(event, slow) {
            if let Some(late) = self.prediction.overflow() {
                self.learn(&late);
            }
            return;
        }
        self.learn(event);
    }

    /// Learns from one event the screen may show now.
    fn learn(&mut self, event: &Event) {
        let t = event.t_us;
        self.now_us = self.now_us.max(t);
        self.code.apply(t, &event.kind);
        match &event.kind {
            EventKind::Listening {
                addr,
                model,
                backlog,
                faithful,
                verbatim,
                cpu_split,
                reachable,
            } => {
                self.new_run(t, *model, *faithful);
                self.server = Some(ServerInfo {
                    addr: addr.clone(),
                    model: *model,
                    backlog: *backlog,
                    faithful: *faithful,
                    verbatim: *verbatim,
                    cpu_split: *cpu_split,
                    reachable: reachable.clone(),
                });
                self.started_us.get_or_insert(t);
                self.log(event);
            }
            EventKind::Accept { conn, peer } => {
                self.conns.accept(*conn, peer, t);
                self.with_run(|r| r.totals.accepted += 1);
                self.log(event);
            }
            EventKind::WouldBlock { accept, recv, send } => {
                let counts = [*accept, *recv, *send];
                self.summary(Summary {
                    t_us: t,
                    would_block: counts,
                    ..Summary::default()
                });
                // Counts merged into the newest line move nothing.
                if let Some(at) = self.log.would_block(t, counts) {
                    self.view.log_grew(self.log.len(), at);
                }
            }
            EventKind::WouldBlockOn { call, .. } => {
                let mut would_block = [0; 3];
                would_block[call.would_block_slot()] = 1;
                self.summary(Summary {
                    t_us: t,
                    would_block,
                    ..Summary::default()
                });
                self.log(event);
            }
            EventKind::AcceptWait { conn, waited_ms } => {
                self.accept_waits.insert(*conn, *waited_ms);
                // Ids only grow: the oldest go first, as their log lines do.
                while self.accept_waits.len() > 2 * LOG_CAP {
                    self.accept_waits.pop_first();
                }
            }
            EventKind::Pace {
                call_delay_us,
                backoff,
                backoff_us,
            } => {
                self.pace = Pace {
                    call_delay_us: *call_delay_us,
                    backoff: *backoff,
                    backoff_us: *backoff_us,
                };
                self.log(event);
            }
            EventKind::Spin {
                spins,
                cpu_user_us,
                cpu_sys_us,
                empty_recvs,
                empty_sends,
            } => {
                self.with_run(|r| r.totals.empty_sends += empty_sends);
                self.summary(Summary {
                    t_us: t,
                    spins: *spins,
                    cpu_user_us: *cpu_user_us,
                    cpu_sys_us: *cpu_sys_us,
                    empty_recvs: *empty_recvs,
                    ..Summary::default()
                });
            }
            EventKind::Wakeup { wakeups, ready } => self.summary(Summary {
                t_us: t,
                wakeups: *wakeups,
                ready: *ready,
                ..Summary::default()
            }),
            EventKind::Recv { conn, bytes, .. } => {
                self.conns.recv(*conn, *bytes, t);
                self.with_run(|r| {
                    r.totals.bytes_in += *bytes as u64;
                    if *bytes > 0 {
                        r.message();
                    }
                });
                self.log(event);
            }
            EventKind::Send {
                conn,
                bytes,
                spin,
                preview,
                pending,
            } => {
                self.conns.send(*conn, *bytes, *pending, t);
                let item = ReadyItem {
                    conn: *conn,
                    bytes: *bytes,
                    pending: *pending,
                    preview: *preview,
                };
                self.with_run(|r| {
                    r.totals.bytes_out += *bytes as u64;
                    r.ready_send(*spin, item);
                });
                self.log(event);
            }
            EventKind::Closed { .. } | EventKind::Reset { .. } | EventKind::Evicted { .. } => {
                if let Some((conn, how)) = Departure::of(&event.kind) {
                    if how.reason() == crate::event::Reason::Evicted {
                        self.with_run(|r| r.totals.evicted += 1);
                    }
                    self.conns.leave(conn, how, t);
                }
                self.log(event);
            }
            EventKind::Refused { .. } => {
                self.conns.refused += 1;
                self.with_run(|r| r.totals.refused += 1);
                self.log(event);
            }
            EventKind::Lost { conn, bytes } => {
                self.conns.lost(*conn, *bytes);
                self.with_run(|r| r.totals.lost_bytes += *bytes as u64);
                self.log(event);
            }
            EventKind::AcceptError { error, .. } => {
                self.accept_error = Some((t, error.clone()));
                self.log(event);
            }
            EventKind::Paused { paused, thread } => {
                // A loop that parks again after a step is news to nobody:
                // only the edges are logged.
                let news = match thread.as_deref() {
                    Some(thread) if thread != "loop" => self.threads.held(thread, *paused),
                    _ => std::mem::replace(&mut self.loop_parked, *paused) != *paused,
                };
                self.set_paused(*paused);
                if news {
                    self.log(event);
                }
            }
            EventKind::Dropped { count } => self.dropped += count,
            EventKind::Client { peer, role } => {
                self.conns.builtin(peer, *role);
                self.log(event);
            }
            EventKind::Reply { rtt_us, .. } => self.with_run(|r| r.record_rtt(*rtt_us)),
            EventKind::Blocked { thread, call, conn } => {
                let state = ThreadState::Blocked {
                    call: *call,
                    conn: *conn,
                };
                self.threads.set_state(thread, state, t);
            }
            EventKind::Unblocked { thread, .. } => {
                self.threads.set_state(thread, ThreadState::Running, t);
            }
            EventKind::Thread {
                thread,
                role,
                alive,
                ..
            } => {
                if *alive {
                    self.threads.started(thread, *role, t);
                } else {
                    self.threads.ended(thread);
                }
                let live = self.threads.rows.len();
                self.with_run(|r| r.max_threads = r.max_threads.max(live));
                self.log(event);
            }
            EventKind::Queued { conn } => {
                self.threads.queued(*conn, t);
                self.log(event);
            }
            EventKind::Dequeued {
                conn, waited_us, ..
            } => {
                self.threads.dequeued(*conn, *waited_us);
                self.log(event);
            }
            EventKind::Sample {
                rss_bytes,
                threads,
                listen_queue,
                listen_max,
                listen_overflows,
                vm_bytes,
            } => {
                self.process = Some(ProcessSample {
                    rss_bytes: *rss_bytes,
                    threads: *threads,
                    listen_queue: *listen_queue,
                    listen_max: *listen_max,
                    vm_bytes: *vm_bytes,
                });
                if let Some(count) = listen_overflows {
                    self.overflows.sample(t, *count);
                }
                self.with_run(|r| {
                    r.max_rss = r.max_rss.max(*rss_bytes);
                    r.sampled(*threads, vm_bytes.unwrap_or(0));
                });
            }
            EventKind::KernelQueues { conns } => self.conns.kernel_queues(conns),
            EventKind::Marker { note } => {
                if self.markers.len() == MARKERS_CAP {
                    self.markers.pop_front();
                }
                self.markers
                    .push_back((t, note.chars().take(NOTE_MAX).collect()));
                self.log(event);
            }
        }
    }

    /// Advances the clock to `now_us` (the source's clock): closes the
    /// current run's finished seconds into the history, recomputes its
    /// rates.
    pub fn tick(&mut self, now_us: u64) {
        self.now_us = self.now_us.max(now_us);
        let now = self.now_us;
        if let Some(run) = self.runs.last_mut() {
            run.tick(now, &mut self.history);
        }
        self.code.tick(now);
    }

    /// The loop goes slowly enough to follow call by call: paused (and
    /// perhaps stepped), or in slow motion.
    pub fn follows_calls(&self) -> bool {
        self.paused || self.pace.call_delay_us > 0
    }

    /// The connection the loop's last call was on, while it is followed
    /// call by call.
    pub fn serving(&self) -> Option<ConnId> {
        if !self.follows_calls() {
            return None;
        }
        self.code.at.as_ref().and_then(|at| at.conn)
    }

    /// Applies what only changes the view. Actions that reach the server
    /// (pause, step, switch, quit) are the runtime's; this records their
    /// visible half.
    pub fn handle(&mut self, action: Action) {
        match action {
            Action::TogglePause => self.set_paused(!self.paused),
            Action::ToggleDemo => self.demo = !self.demo,
            Action::TogglePrediction => {
                for event in self.prediction.toggle() {
                    self.learn(&event);
                }
            }
            Action::Reveal => {
                for event in self.prediction.reveal() {
                    self.learn(&event);
                }
            }
            Action::Guess(i) => self.prediction.guess(i),
            Action::NextLang => {
                self.view.lang = self.view.lang.next();
                self.notify(Notice::LangSwitched);
            }
            _ => {
                let lens = self.panel_lens();
                self.view.handle(action, |p| lens[p.index()]);
            }
        }
    }

    /// What the mouse did: only the view changes.
    pub fn mouse(&mut self, mouse: Mouse) {
        let lens = self.panel_lens();
        self.view.mouse(mouse, |p| lens[p.index()]);
    }

    /// Says something on screen for a few seconds.
    pub fn notify(&mut self, notice: Notice) {
        self.view.notify(self.viewer_us(), notice);
    }

    /// The notice to show now, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.view.notice(self.viewer_us())
    }

    /// The viewer's clock, which notices fade on: the server's, live; in
    /// a replay the player's (a paused replay's clock stands still, the
    /// viewer's does not).
    fn viewer_us(&self) -> u64 {
        self.replay.as_ref().map_or(self.now_us, |r| r.wall_us)
    }

    /// Forgets everything the events taught, keeping the view (focus,
    /// scroll, overlays, notices) and whether the room guesses: a replay
    /// seeking back learns its events again from the start.
    pub fn forget(&mut self) {
        let view = std::mem::take(&mut self.view);
        let replay = self.replay.take();
        let on = self.prediction.on;
        *self = Dashboard {
            view,
            replay,
            ..Dashboard::default()
        };
        self.prediction.on = on;
    }

    /// An overlay (help, comparison, explain) is open.
    pub fn overlay_open(&self) -> bool {
        self.view.overlay_open()
    }

    /// The log line the viewer selected (the log has the focus).
    pub fn selected_event(&self) -> Option<&Event> {
        let back = self.view.selected()?;
        let at = self.log.len().checked_sub(back + 1)?;
        self.log.entries().get(at)
    }

    /// The run that was going at `t_us` (server clock), if still kept: the
    /// model an older log line came from.
    pub fn run_at(&self, t_us: u64) -> Option<&Run> {
        self.runs.iter().rev().find(|r| r.started_us <= t_us)
    }

    /// How long the connection `event` accepted waited in the listen
    /// queue, if it is an accept and that was measured.
    pub fn accept_wait(&self, event: &Event) -> Option<u64> {
        match event.kind {
            EventKind::Accept { conn, .. } => self.accept_waits.get(&conn).copied(),
            _ => None,
        }
    }

    /// One row per model that has run.
    pub fn compare(&self) -> Vec<ModelRow> {
        let mut rows = self.retired.clone();
        compare(&mut rows, &self.runs, self.now_us);
        rows
    }

    /// The run numbered `seq`, if still kept.
    pub fn run_by_seq(&self, seq: usize) -> Option<&Run> {
        let first = self.runs.first()?.seq;
        self.runs.get(seq.checked_sub(first)?)
    }

    fn panel_lens(&self) -> [usize; 4] {
        Panel::ALL.map(|p| match p {
            Panel::Connected => self.conns.live.len(),
            Panel::Ready if self.has_threads() => {
                self.threads.rows.len() + self.threads.queue.len()
            }
            Panel::Ready => {
                // The ready-send panel's rows: CLOSE-WAIT empties, then the
                // latest spin's replies (under their own heading if both).
                let waiting = self.conns.close_wait().count();
                let ready = self
                    .run()
                    .and_then(|r| r.ready.as_ref())
                    .map_or(0, |r| r.items.len());
                waiting + ready + usize::from(waiting > 0 && ready > 0)
            }
            Panel::Disconnected => self.conns.gone.len(),
            Panel::Log => self.log.len(),
        })
    }

    /// A `listening`: the run before it (if any) ends here, with the
    /// clients, threads and pause that were the old model's.
    fn new_run(&mut self, t: u64, model: Model, faithful: bool) {
        let seq = self.runs.last().map_or(0, |r| r.seq + 1);
        if let Some(run) = self.runs.last_mut() {
            run.end(t, &mut self.history);
            self.conns.end_all(t);
            self.threads = Threads::default();
            self.accept_error = None;
            self.paused = false;
            self.loop_parked = false;
            self.overflows = Overflows::default();
        }
        if self.runs.len() == RUNS_CAP {
            let oldest = self.runs.remove(0);
            compare(&mut self.retired, [&oldest], t);
        }
        self.runs.push(Run::new(seq, model, faithful, t));
    }

    fn with_run(&mut self, f: impl FnOnce(&mut Run)) {
        if let Some(run) = self.runs.last_mut() {
            f(run);
        }
    }

    fn summary(&mut self, s: Summary) {
        if let Some(run) = self.runs.last_mut() {
            run.summary(s, &mut self.history);
        }
    }

    fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        self.with_run(|r| r.set_paused(paused));
    }

    fn log(&mut self, event: &Event) {
        let at = self.log.push(event.clone());
        self.view.log_grew(self.log.len(), at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Call, Model};

    fn ev(t_us: u64, kind: EventKind) -> Event {
        Event { t_us, kind }
    }

    fn listening(t_us: u64, model: Model, faithful: bool) -> Event {
        ev(
            t_us,
            EventKind::Listening {
                addr: "127.0.0.1:8080".into(),
                model,
                backlog: 5,
                faithful,
                verbatim: false,
                cpu_split: true,
                reachable: vec![],
            },
        )
    }

    fn spin(t_us: u64, spins: u64, cpu_us: u64) -> Event {
        ev(
            t_us,
            EventKind::Spin {
                spins,
                cpu_user_us: cpu_us / 20,
                cpu_sys_us: cpu_us - cpu_us / 20,
                empty_recvs: 0,
                empty_sends: 0,
            },
        )
    }

    /// `secs` seconds of a loop at `spins_per_20ms` and `cpu_pct`% of a
    /// core, summaries every 20 ms, ticking as the runtime does.
    fn run_for(d: &mut Dashboard, from_us: u64, secs: u64, spins_per_20ms: u64, cpu_pct: u64) {
        let mut t = from_us;
        while t < from_us + secs * 1_000_000 {
            t += 20_000;
            d.apply(&spin(t, spins_per_20ms, 200 * cpu_pct));
            d.tick(t);
        }
    }

    #[test]
    fn each_second_of_history_keeps_the_threads_and_memory_of_its_time() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Threaded, false));
        for (s, threads) in [(1u64, 3u64), (2, 103), (3, 1_003)] {
            d.apply(&ev(
                s * 1_000_000 - 500_000,
                EventKind::Sample {
                    rss_bytes: 5 << 20,
                    threads,
                    listen_queue: None,
                    listen_max: None,
                    listen_overflows: None,
                    vm_bytes: Some(threads * (8 << 20)),
                },
            ));
            d.tick(s * 1_000_000);
        }
        let bars: Vec<(u64, u64)> = d
            .history
            .bars()
            .iter()
            .map(|b| (b.threads, b.vm_mib))
            .collect();
        assert_eq!(bars, [(3, 24), (103, 824), (1_003, 8_024)]);
    }

    #[test]
    fn overflows_count_from_the_run_and_their_rate_fades() {
        let mut o = Overflows::default();
        assert_eq!(o.since_run(), None, "a system that does not say");
        o.sample(1_000_000, 3_767);
        assert_eq!(o.since_run(), Some(0));
        o.sample(1_500_000, 3_817);
        o.sample(2_000_000, 3_867);
        assert_eq!(o.since_run(), Some(100));
        assert!(
            (o.rate(2_000_000) - 100.0).abs() < 1e-9,
            "{}",
            o.rate(2_000_000)
        );
        // Nothing more reported: nothing more dropped.
        assert_eq!(o.rate(3_100_000), 0.0);
        assert_eq!(o.since_run(), Some(100));
    }

    #[test]
    fn a_pause_is_logged_at_its_edges_not_at_every_step() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        let park = |t, paused| {
            ev(
                t,
                EventKind::Paused {
                    paused,
                    thread: Some("loop".into()),
                },
            )
        };
        // The key's half shows at once; the loop's report still logs.
        d.handle(Action::TogglePause);
        d.apply(&park(10, true));
        for t in 11..20 {
            d.apply(&park(t, true)); // parked again after each step
        }
        d.apply(&park(30, false));
        let edges: Vec<u64> = d
            .log
            .entries()
            .iter()
            .filter(|e| e.kind.name() == "paused")
            .map(|e| e.t_us)
            .collect();
        assert_eq!(edges, [10, 30]);
    }

    #[test]
    fn a_connection_lives_and_leaves_with_its_reason() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        d.apply(&ev(
            10,
            EventKind::Accept {
                conn: 1,
                peer: "127.0.0.1:5000".into(),
            },
        ));
        d.apply(&ev(
            20,
            EventKind::Recv {
                conn: 1,
                bytes: 6,
                spin: 9,
                preview: "hello\\n".into(),
            },
        ));
        d.apply(&ev(
            21,
            EventKind::Send {
                conn: 1,
                bytes: 6,
                spin: 9,
                preview: "HELLO\\n".into(),
                pending: 0,
            },
        ));
        let row = &d.conns.live[&1];
        assert_eq!((row.bytes_in, row.bytes_out), (6, 6));
        let ready = d.run().unwrap().ready.as_ref().unwrap();
        assert_eq!(ready.items[0].preview, "HELLO\\n");
        d.apply(&ev(
            30,
            EventKind::Reset {
                conn: 1,
                call: Call::Recv,
                error: "ECONNRESET".into(),
                note: None,
            },
        ));
        assert!(d.conns.live.is_empty());
        assert_eq!(d.conns.gone[0].reason(), crate::event::Reason::Reset);
        assert_eq!(d.conns.counts.reset, 1);
        assert_eq!(d.totals().messages, 1);
    }

    #[test]
    fn rates_and_history_come_from_summaries() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        for i in 1..=50 {
            d.apply(&spin(i * 20_000, 10_000, 20_000));
            d.apply(&ev(
                i * 20_000,
                EventKind::WouldBlock {
                    accept: 10_000,
                    recv: 0,
                    send: 0,
                },
            ));
        }
        d.tick(1_000_000);
        assert_eq!(d.totals().spins(), 500_000);
        let rates = d.rates();
        assert!(
            (rates.spins - 500_000.0).abs() < 20_000.0,
            "{}",
            rates.spins
        );
        assert!((rates.cpu() - 100.0).abs() < 5.0, "{}", rates.cpu());
        assert_eq!(d.history.bars().back().map(|b| b.loops), Some(500_000));
        // the WouldBlock summaries became one log line
        assert_eq!(d.log.len(), 2);
        assert_eq!(
            d.log.entries()[1].kind,
            EventKind::WouldBlock {
                accept: 500_000,
                recv: 0,
                send: 0
            }
        );
        // a quiet second later the rate falls to zero, and time goes on
        d.tick(2_500_000);
        assert_eq!(d.rates().spins, 0.0);
        assert_eq!(d.history.len(), 2);
    }

    /// Defects 1 and 2: after `m` the headline, the rates and the
    /// ready-send list are the new run's, from its first moment.
    #[test]
    fn a_switch_starts_the_new_runs_numbers_from_nothing() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        run_for(&mut d, 0, 3, 10_000, 100);
        d.apply(&ev(
            2_990_000,
            EventKind::Send {
                conn: 1,
                bytes: 3,
                spin: 1_400_000,
                preview: "HI\\n".into(),
                pending: 0,
            },
        ));
        assert_eq!(d.totals().spins(), 1_500_000);
        d.apply(&listening(3_000_000, Model::Multiplex, false));
        d.tick(3_000_000);
        assert_eq!(d.totals().spins(), 0, "no spins carried into multiplex");
        assert_eq!(d.rates().spins, 0.0, "no rate carried over");
        assert_eq!(d.rates().cpu(), 0.0);
        assert!(d.run().unwrap().ready.is_none());
        d.apply(&ev(
            3_100_000,
            EventKind::Wakeup {
                wakeups: 4,
                ready: 4,
            },
        ));
        d.apply(&spin(3_100_000, 4, 20));
        d.apply(&ev(
            3_100_000,
            EventKind::Send {
                conn: 2,
                bytes: 3,
                spin: 4,
                preview: "HI\\n".into(),
                pending: 0,
            },
        ));
        d.tick(3_150_000);
        assert_eq!(d.totals().spins(), 4);
        assert_eq!(d.run().unwrap().ready_spins_ago(), Some(0));
        assert!(d.rates().cpu() < 1.0, "{:?}", d.rates());
        // The old run keeps what it measured.
        assert_eq!(d.runs[0].totals.spins(), 1_500_000);
        assert_eq!(d.runs[0].ended_us, Some(3_000_000));
    }

    /// Defects 2 and 3: seconds keep closing after a switch and while
    /// paused, each bar knows its run, and idle CPU is the run's own.
    #[test]
    fn history_goes_on_across_a_switch_and_a_pause_and_idle_cpu_is_per_run() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        run_for(&mut d, 0, 5, 10_000, 100);
        // The switch comes half-way through a second.
        d.apply(&listening(5_500_000, Model::Multiplex, false));
        run_for(&mut d, 5_500_000, 20, 0, 0);
        let bars = d.history.bars();
        let runs: Vec<usize> = bars.iter().map(|b| b.run).collect();
        // Five whole seconds, and the half second before the switch.
        assert_eq!(runs.iter().filter(|r| **r == 0).count(), 6);
        assert!(bars[5].partial && !bars[4].partial);
        assert_eq!(runs.iter().filter(|r| **r == 1).count(), 20);
        assert!(bars.iter().filter(|b| b.run == 1).all(|b| b.cpu_pct == 0));
        let multiplex = &d.runs[1];
        assert_eq!(multiplex.idle_cpu_pct(), Some(0.0));
        assert!((d.runs[0].idle_cpu_pct().unwrap() - 100.0).abs() < 1.0);
        // Paused: seconds still close, marked paused, and left out of idle.
        let idle_before = multiplex.idle_s;
        d.apply(&ev(
            25_600_000,
            EventKind::Paused {
                paused: true,
                thread: Some("loop".into()),
            },
        ));
        d.tick(28_600_000);
        assert_eq!(d.history.len(), 6 + 20 + 3);
        assert!(d.history.bars().iter().rev().take(3).all(|b| b.paused));
        assert_eq!(d.runs[1].idle_s, idle_before);
    }

    /// Defect 7: what one run lost is not in the next run's header.
    #[test]
    fn lost_replies_belong_to_their_run() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, true));
        d.apply(&ev(
            10,
            EventKind::Lost {
                conn: 1,
                bytes: 4096,
            },
        ));
        assert_eq!(d.totals().lost_bytes, 4096);
        d.apply(&listening(20, Model::Multiplex, false));
        assert_eq!(d.totals().lost_bytes, 0);
        assert!(!d.server.as_ref().unwrap().faithful);
    }

    #[test]
    fn a_pause_edge_names_the_thread_it_held() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Blocking, false));
        d.apply(&ev(
            1,
            EventKind::Thread {
                thread: "server".into(),
                role: crate::event::Role::AcceptAndServe,
                alive: true,
                conn: None,
            },
        ));
        d.apply(&ev(
            2,
            EventKind::Paused {
                paused: true,
                thread: Some("server".into()),
            },
        ));
        assert!(d.paused);
        assert!(d.threads.rows.values().all(|r| r.held));
        d.apply(&ev(
            3,
            EventKind::Paused {
                paused: false,
                thread: Some("server".into()),
            },
        ));
        assert!(!d.paused);
        assert!(d.threads.rows.values().all(|r| !r.held));
    }

    #[test]
    fn space_pauses_the_view_at_once_and_the_seconds_it_covers_are_marked() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        d.handle(Action::TogglePause);
        assert!(d.paused, "the header says PAUSED before the loop answers");
        d.tick(1_500_000);
        assert!(d.history.bars()[0].paused);
        d.handle(Action::TogglePause);
        assert!(!d.paused);
        d.tick(2_500_000);
        // The second in which it resumed was still paused for a while.
        assert!(d.history.bars()[1].paused);
        d.tick(3_500_000);
        assert!(!d.history.bars()[2].paused);
    }

    /// The selected log line is the same event however the log grows:
    /// new lines, WouldBlock counts merged into the newest line (no new
    /// line), a late line from another thread.
    #[test]
    fn the_selected_log_line_stays_the_same_event() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        for conn in 1..=5 {
            d.apply(&ev(
                conn * 10,
                EventKind::Accept {
                    conn,
                    peer: "p".into(),
                },
            ));
        }
        d.handle(Action::FocusPrev);
        assert_eq!(d.view.focus, Panel::Log);
        d.handle(Action::ScrollUp(3));
        let picked = d.selected_event().cloned().unwrap();
        assert_eq!(picked.t_us, 30);
        let blocked = |t| {
            ev(
                t,
                EventKind::WouldBlock {
                    accept: 1,
                    recv: 0,
                    send: 0,
                },
            )
        };
        d.apply(&blocked(60));
        d.apply(&blocked(70));
        d.apply(&blocked(80));
        d.apply(&ev(90, EventKind::Closed { conn: 1 }));
        d.apply(&ev(35, EventKind::Closed { conn: 2 })); // late
        d.apply(&ev(25, EventKind::Closed { conn: 3 })); // late, older
        assert_eq!(d.log.len(), 10);
        assert_eq!(d.selected_event(), Some(&picked));
        d.handle(Action::ScrollUp(1));
        assert_eq!(d.selected_event().map(|e| e.t_us), Some(25));
        d.handle(Action::Explain);
        assert!(d.overlay_open());
        assert_eq!(d.run_at(25).map(|r| r.model), Some(Model::Nonblocking));
    }

    #[test]
    fn markers_are_logged_and_kept_in_order_and_bounded() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        let marker = |t, note: &str| {
            ev(
                t,
                EventKind::Marker {
                    note: note.to_string(),
                },
            )
        };
        d.apply(&marker(10, "here"));
        d.apply(&marker(20, ""));
        assert_eq!(d.markers, [(10, "here".to_string()), (20, String::new())]);
        assert_eq!(d.log.entries()[1], marker(10, "here"));
        assert_eq!(d.log.len(), 3, "each marker is a line of its own");
        d.apply(&marker(30, &"x".repeat(5 * NOTE_MAX)));
        assert_eq!(d.markers[2].1.len(), NOTE_MAX);
        for t in 0..MARKERS_CAP as u64 {
            d.apply(&marker(100 + t, "again"));
        }
        assert_eq!(d.markers.len(), MARKERS_CAP);
        assert_eq!(d.markers[0].0, 100, "the oldest went");
    }

    #[test]
    fn memory_stays_bounded() {
        let mut d = Dashboard::new();
        d.apply(&listening(0, Model::Nonblocking, false));
        for conn in 0..5_000u64 {
            d.apply(&ev(
                conn,
                EventKind::Accept {
                    conn,
                    peer: "p".into(),
                },
            ));
            d.apply(&ev(conn, EventKind::Closed { conn }));
        }
        assert!(d.conns.live.is_empty());
        assert_eq!(d.conns.gone.len(), GONE_CAP);
        assert_eq!(d.log.len(), LOG_CAP);
        for i in 0..10_000 {
            d.apply(&listening(
                10_000 + i * 2_000_000,
                Model::ALL[i as usize % 5],
                false,
            ));
            d.tick(11_000_000 + i * 2_000_000);
        }
        assert_eq!(d.history.len(), HISTORY_SECS);
        assert_eq!(d.runs.len(), RUNS_CAP);
        let rows = d.compare();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows.iter().map(|r| r.runs).sum::<usize>(), 10_001);
        assert_eq!(d.run().unwrap().seq, 10_000);
        assert_eq!(d.run_by_seq(10_000).unwrap().seq, 10_000);
        assert!(d.run_by_seq(0).is_none());
    }
}
