//! The dashboard's state: everything the screen shows, learnt only from
//! events ([`Dashboard::apply`]) and the clock ([`Dashboard::tick`]). No IO,
//! no terminal: the UI renders from `&Dashboard`, the tests feed it scripted
//! events.

mod compare;
mod keymap;
mod threads;

pub use compare::ModelRun;
pub use keymap::{Action, KEYS, action_for_key};
pub use threads::{ThreadRow, ThreadState, Threads};

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::event::{ClientRole, ConnId, Event, EventKind, Model, Reason};

/// How many disconnected clients, log lines and history seconds are kept.
pub const GONE_CAP: usize = 500;
pub const LOG_CAP: usize = 1000;
pub const HISTORY_SECS: usize = 60;
/// Built-in client addresses remembered (they are few; a cap all the same).
const BUILTIN_CAP: usize = 10_000;
/// How many replies of one spin the ready-send list keeps.
pub const READY_CAP: usize = 200;
/// Rates are averaged over this window.
const RATE_WINDOW_US: u64 = 1_000_000;
/// Summaries come every ~20 ms; none for this long means the loop is idle
/// or parked, and the rates decay towards zero.
const STALE_US: u64 = 250_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub addr: String,
    pub model: Model,
    pub backlog: i32,
    pub faithful: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnRow {
    pub id: ConnId,
    pub peer: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub last_us: u64,
    pub pending: usize,
    /// Reply bytes thrown away (`--faithful`).
    pub lost: u64,
    /// A built-in client of the dashboard: its role (chatty, idle).
    pub builtin: Option<ClientRole>,
    /// `--faithful`: the peer closed, but the listing keeps the socket.
    pub close_wait: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoneRow {
    pub id: ConnId,
    pub peer: String,
    pub reason: Reason,
    pub detail: Option<String>,
    pub t_us: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// The ready-send list of the most recent spin that had replies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadySend {
    pub spin: u64,
    pub items: Vec<ReadyItem>,
    /// Replies of that spin beyond [`READY_CAP`].
    pub more: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyItem {
    pub conn: ConnId,
    pub bytes: usize,
    pub pending: usize,
    pub preview: String,
}

/// Running totals since the server started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub spins: u64,
    pub would_block: [u64; 3],
    pub cpu_user_us: u64,
    pub cpu_sys_us: u64,
    pub empty_recvs: u64,
    pub accepted: u64,
    pub closed: u64,
    pub reset: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub lost_bytes: u64,
    pub dropped: u64,
    pub evicted: u64,
    /// Clients the server closed because another model took its place.
    pub switched: u64,
    pub refused: u64,
}

/// Per-second rates over the last second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rates {
    pub spins: f64,
    pub would_block: [f64; 3],
    /// Percent of one core.
    pub cpu_user: f64,
    pub cpu_sys: f64,
    pub empty_recvs: f64,
    /// `multiplex`: poll returns per second, and ready sockets per return.
    pub wakeups: f64,
    pub ready_per_wakeup: f64,
}

impl Rates {
    pub fn cpu(&self) -> f64 {
        self.cpu_user + self.cpu_sys
    }
}

/// One summary as it arrived, kept for the rate window.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    t_us: u64,
    spins: u64,
    would_block: [u64; 3],
    cpu_user_us: u64,
    cpu_sys_us: u64,
    empty_recvs: u64,
    wakeups: u64,
    ready: u64,
    /// Messages (recv events with data); per second only.
    messages: u64,
}

/// A panel that takes focus and scrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Connected,
    Ready,
    Disconnected,
    Log,
}

impl Panel {
    pub const ALL: [Panel; 4] = [
        Panel::Connected,
        Panel::Ready,
        Panel::Disconnected,
        Panel::Log,
    ];

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// What only the viewer controls: overlays, focus, scrolling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub help: bool,
    /// The model comparison overlay.
    pub compare: bool,
    pub focus: Panel,
    /// Rows scrolled, per panel in [`Panel::ALL`] order. For the log, rows
    /// up from the newest (0 follows the tail).
    pub scroll: [usize; 4],
}

impl ViewState {
    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll[panel.index()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessSample {
    pub rss_bytes: u64,
    pub threads: u64,
    pub listen_queue: Option<u32>,
    pub listen_max: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub server: Option<ServerInfo>,
    /// Server clock time of the `listening` event.
    pub started_us: Option<u64>,
    /// Server clock now, as of the last tick or event.
    pub now_us: u64,
    pub paused: bool,
    pub totals: Totals,
    pub rates: Rates,
    /// Spins per second, one entry per completed second, oldest first.
    pub spin_history: VecDeque<u64>,
    /// CPU % of one core, one entry per completed second, oldest first.
    pub cpu_history: VecDeque<u64>,
    pub conns: BTreeMap<ConnId, ConnRow>,
    /// Newest first.
    pub gone: VecDeque<GoneRow>,
    pub ready: Option<ReadySend>,
    /// Newest last. Consecutive WouldBlock summaries merge into one entry.
    pub log: VecDeque<Event>,
    /// The last `accept_error`, e.g. EMFILE.
    pub accept_error: Option<(u64, String)>,
    /// The built-in clients' demo is running.
    pub demo: bool,
    /// The thread models' threads and queue.
    pub threads: Threads,
    /// The latest `sample`: resident memory, threads, listen queue.
    pub process: Option<ProcessSample>,
    /// One entry per model that has run, the current one last.
    pub runs: Vec<ModelRun>,
    /// Peers that are built-in clients, and their roles.
    builtin_peers: HashMap<String, ClientRole>,
    pub view: ViewState,
    recent: VecDeque<Sample>,
    second: Sample,
}

impl Dashboard {
    pub fn new() -> Self {
        Self::default()
    }

    /// Seconds the server has been up.
    pub fn uptime_us(&self) -> u64 {
        self.started_us.map_or(0, |s| self.now_us.saturating_sub(s))
    }

    /// Learns from one event. Pure: no IO, no clock but the event's.
    pub fn apply(&mut self, event: &Event) {
        let t = event.t_us;
        self.now_us = self.now_us.max(t);
        match &event.kind {
            EventKind::Listening {
                addr,
                model,
                backlog,
                faithful,
                ..
            } => {
                if self.server.is_some() {
                    self.switched(t);
                } else {
                    self.second.t_us = t;
                }
                self.server = Some(ServerInfo {
                    addr: addr.clone(),
                    model: *model,
                    backlog: *backlog,
                    faithful: *faithful,
                });
                self.started_us.get_or_insert(t);
                self.runs.push(ModelRun::new(*model, *faithful, t));
                self.log_event(event);
            }
            EventKind::Accept { conn, peer } => {
                self.totals.accepted += 1;
                self.conns.insert(
                    *conn,
                    ConnRow {
                        id: *conn,
                        peer: peer.clone(),
                        bytes_in: 0,
                        bytes_out: 0,
                        last_us: t,
                        pending: 0,
                        lost: 0,
                        close_wait: false,
                        builtin: self.builtin_peers.get(peer).cloned(),
                    },
                );
                self.log_event(event);
            }
            EventKind::WouldBlock { accept, recv, send } => {
                let counts = [*accept, *recv, *send];
                self.add_sample(Sample {
                    t_us: t,
                    would_block: counts,
                    ..Sample::default()
                });
                for (total, n) in self.totals.would_block.iter_mut().zip(counts) {
                    *total += n;
                }
                self.log_would_block(t, counts);
            }
            EventKind::Spin {
                spins,
                cpu_user_us,
                cpu_sys_us,
                empty_recvs,
                ..
            } => {
                self.totals.spins += spins;
                self.totals.cpu_user_us += cpu_user_us;
                self.totals.cpu_sys_us += cpu_sys_us;
                self.totals.empty_recvs += empty_recvs;
                if let Some(run) = self.runs.last_mut() {
                    run.cpu_us += cpu_user_us + cpu_sys_us;
                }
                self.add_sample(Sample {
                    t_us: t,
                    spins: *spins,
                    cpu_user_us: *cpu_user_us,
                    cpu_sys_us: *cpu_sys_us,
                    empty_recvs: *empty_recvs,
                    ..Sample::default()
                });
            }
            EventKind::Recv { conn, bytes, .. } => {
                self.totals.bytes_in += *bytes as u64;
                if *bytes > 0 {
                    self.second.messages += 1;
                    if let Some(run) = self.runs.last_mut() {
                        run.messages += 1;
                    }
                }
                if let Some(row) = self.conns.get_mut(conn) {
                    row.bytes_in += *bytes as u64;
                    row.last_us = t;
                    if *bytes == 0 {
                        row.close_wait = true;
                    }
                }
                self.log_event(event);
            }
            EventKind::Send {
                conn,
                bytes,
                spin,
                preview,
                pending,
            } => {
                self.totals.bytes_out += *bytes as u64;
                if let Some(row) = self.conns.get_mut(conn) {
                    row.bytes_out += *bytes as u64;
                    row.last_us = t;
                    row.pending = *pending;
                }
                let ready = match &mut self.ready {
                    Some(r) if r.spin == *spin => r,
                    slot => slot.insert(ReadySend {
                        spin: *spin,
                        ..ReadySend::default()
                    }),
                };
                if ready.items.len() < READY_CAP {
                    ready.items.push(ReadyItem {
                        conn: *conn,
                        bytes: *bytes,
                        pending: *pending,
                        preview: preview.clone(),
                    });
                } else {
                    ready.more += 1;
                }
                self.log_event(event);
            }
            EventKind::Closed { conn } => {
                self.totals.closed += 1;
                self.disconnect(*conn, Reason::Closed, None, t);
                self.log_event(event);
            }
            EventKind::Reset {
                conn, call, error, ..
            } => {
                self.totals.reset += 1;
                let detail = format!("{error} on {}", call_name(*call));
                self.disconnect(*conn, Reason::Reset, Some(detail), t);
                self.log_event(event);
            }
            EventKind::Evicted { conn, .. } => {
                self.totals.evicted += 1;
                self.disconnect(*conn, Reason::Evicted, Some("slow reader".into()), t);
                self.log_event(event);
            }
            EventKind::Refused { .. } => {
                self.totals.refused += 1;
                self.log_event(event);
            }
            EventKind::Lost { conn, bytes } => {
                self.totals.lost_bytes += *bytes as u64;
                if let Some(row) = self.conns.get_mut(conn) {
                    row.lost += *bytes as u64;
                }
                self.log_event(event);
            }
            EventKind::AcceptError { error, .. } => {
                self.accept_error = Some((t, error.clone()));
                self.log_event(event);
            }
            EventKind::Paused { paused, .. } => {
                self.paused = *paused;
                self.log_event(event);
            }
            EventKind::Dropped { count } => {
                self.totals.dropped += count;
            }
            EventKind::Client { peer, role } => {
                // The accept may come before or after this note.
                if let Some(row) = self.conns.values_mut().find(|c| &c.peer == peer) {
                    row.builtin = Some(*role);
                }
                if self.builtin_peers.len() >= BUILTIN_CAP {
                    self.builtin_peers.clear();
                }
                self.builtin_peers.insert(peer.clone(), *role);
                self.log_event(event);
            }
            EventKind::Reply { rtt_us, .. } => {
                if let Some(run) = self.runs.last_mut() {
                    run.record_rtt(*rtt_us);
                }
            }
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
                if let Some(run) = self.runs.last_mut() {
                    run.max_threads = run.max_threads.max(live);
                }
                self.log_event(event);
            }
            EventKind::Queued { conn } => {
                self.threads.queued(*conn, t);
                self.log_event(event);
            }
            EventKind::Dequeued {
                conn, waited_us, ..
            } => {
                self.threads.dequeued(*conn, *waited_us);
                self.log_event(event);
            }
            EventKind::Wakeup { wakeups, ready } => {
                self.add_sample(Sample {
                    t_us: t,
                    wakeups: *wakeups,
                    ready: *ready,
                    ..Sample::default()
                });
            }
            EventKind::Sample {
                rss_bytes,
                threads,
                listen_queue,
                listen_max,
            } => {
                self.process = Some(ProcessSample {
                    rss_bytes: *rss_bytes,
                    threads: *threads,
                    listen_queue: *listen_queue,
                    listen_max: *listen_max,
                });
                if let Some(run) = self.runs.last_mut() {
                    run.max_rss = run.max_rss.max(*rss_bytes);
                }
            }
        }
    }

    /// Advances the clock to `now_us` (server clock): closes finished
    /// seconds into the history and recomputes the rates.
    pub fn tick(&mut self, now_us: u64) {
        self.now_us = self.now_us.max(now_us);
        let Some(started) = self.started_us else {
            return;
        };
        // Close every whole second that has passed.
        if self.second.t_us < started {
            self.second.t_us = started;
        }
        while self.now_us >= self.second.t_us + 1_000_000 {
            push_capped(&mut self.spin_history, self.second.spins, HISTORY_SECS);
            let cpu_us = self.second.cpu_user_us + self.second.cpu_sys_us;
            push_capped(&mut self.cpu_history, cpu_us / 10_000, HISTORY_SECS);
            if self.second.messages == 0
                && let Some(run) = self.runs.last_mut()
            {
                run.idle_s += 1;
                run.idle_cpu_us += cpu_us;
            }
            self.second = Sample {
                t_us: self.second.t_us + 1_000_000,
                ..Sample::default()
            };
        }
        // Each summary covers the time since the one before it, so the rate
        // is the sum of the summaries after a baseline (the newest one at or
        // before the window's start) over the time from that baseline to
        // the newest summary; when summaries stop coming (paused), to now.
        let horizon = self.now_us.saturating_sub(RATE_WINDOW_US);
        while self.recent.get(1).is_some_and(|s| s.t_us <= horizon) {
            self.recent.pop_front();
        }
        let base_us = match self.recent.front() {
            Some(s) if s.t_us <= horizon => s.t_us,
            _ => started,
        };
        let newest = self.recent.back().map_or(base_us, |s| s.t_us);
        let end = if self.now_us.saturating_sub(newest) > STALE_US {
            self.now_us
        } else {
            newest
        };
        let window_us = end.saturating_sub(base_us).max(1) as f64;
        let per_s = |n: u64| n as f64 * 1e6 / window_us;
        let pct = |us: u64| us as f64 * 100.0 / window_us;
        let sum = self.recent.iter().filter(|s| s.t_us > base_us).fold(
            Sample::default(),
            |mut acc, s| {
                acc.spins += s.spins;
                for i in 0..3 {
                    acc.would_block[i] += s.would_block[i];
                }
                acc.cpu_user_us += s.cpu_user_us;
                acc.cpu_sys_us += s.cpu_sys_us;
                acc.empty_recvs += s.empty_recvs;
                acc.wakeups += s.wakeups;
                acc.ready += s.ready;
                acc
            },
        );
        self.rates = Rates {
            spins: per_s(sum.spins),
            would_block: sum.would_block.map(per_s),
            cpu_user: pct(sum.cpu_user_us),
            cpu_sys: pct(sum.cpu_sys_us),
            empty_recvs: per_s(sum.empty_recvs),
            wakeups: per_s(sum.wakeups),
            ready_per_wakeup: sum.ready as f64 / sum.wakeups.max(1) as f64,
        };
    }

    /// Applies what only changes the view. Actions that reach the server
    /// (pause, quit) are the runtime's; this records their visible half.
    pub fn handle(&mut self, action: Action) {
        let focus = self.view.focus;
        let len = self.panel_len(focus);
        let last = len.saturating_sub(1);
        // The log counts rows up from its newest line; the lists, rows down
        // from their first.
        let (up, down, top, bottom) = if focus == Panel::Log {
            (1, -1, last, 0)
        } else {
            (-1, 1, 0, last)
        };
        let scroll = &mut self.view.scroll[focus.index()];
        let step = |s: usize, dir: isize, n: usize| {
            if dir > 0 {
                (s + n).min(last)
            } else {
                s.saturating_sub(n)
            }
        };
        match action {
            Action::ToggleHelp => {
                self.view.help = !self.view.help;
                self.view.compare = false;
            }
            Action::ToggleCompare => {
                self.view.compare = !self.view.compare;
                self.view.help = false;
            }
            Action::CloseOverlay => {
                self.view.help = false;
                self.view.compare = false;
            }
            Action::FocusNext => self.view.focus = Panel::ALL[(focus.index() + 1) % 4],
            Action::FocusPrev => self.view.focus = Panel::ALL[(focus.index() + 3) % 4],
            Action::ScrollUp(n) => *scroll = step(*scroll, up, n),
            Action::ScrollDown(n) => *scroll = step(*scroll, down, n),
            Action::ScrollHome => *scroll = top,
            Action::ScrollEnd => *scroll = bottom,
            Action::TogglePause => self.paused = !self.paused,
            Action::ToggleDemo => self.demo = !self.demo,
            Action::Client(_) | Action::NextModel | Action::Step | Action::Quit => {}
        }
    }

    fn panel_len(&self, panel: Panel) -> usize {
        match panel {
            Panel::Connected => self.conns.len(),
            Panel::Ready => self.ready.as_ref().map_or(0, |r| r.items.len()),
            Panel::Disconnected => self.gone.len(),
            Panel::Log => self.log.len(),
        }
    }

    /// The running model's name ("" before `listening`).
    pub fn model(&self) -> &str {
        self.server.as_ref().map_or("", |s| s.model.name())
    }

    /// What the model's loop counts: a spin of the busy loop, a wakeup
    /// from epoll, a `recv` call of a thread model.
    pub fn loop_unit(&self) -> &'static str {
        match self.model() {
            "multiplex" => "wakeups",
            "blocking" | "threaded" | "pool" => "recv calls",
            _ => "spins",
        }
    }

    /// A model built from threads that block (blocking, threaded, pool).
    pub fn has_threads(&self) -> bool {
        matches!(self.model(), "blocking" | "threaded" | "pool")
    }

    /// An error of the dashboard's own (a failed model switch), shown
    /// where accept errors are.
    pub fn report_error(&mut self, t_us: u64, message: String) {
        self.accept_error = Some((t_us, message));
    }

    /// An overlay (help, comparison) is open.
    pub fn overlay_open(&self) -> bool {
        self.view.help || self.view.compare
    }

    /// Connected clients that are the dashboard's own.
    pub fn builtin_count(&self) -> usize {
        self.conns.values().filter(|c| c.builtin.is_some()).count()
    }

    /// Spins since the ready-send list's spin.
    pub fn ready_spins_ago(&self) -> Option<u64> {
        self.ready
            .as_ref()
            .map(|r| self.totals.spins.saturating_sub(r.spin))
    }

    fn disconnect(&mut self, conn: ConnId, reason: Reason, detail: Option<String>, t: u64) {
        let row = self.conns.remove(&conn);
        if let Some(r) = &row {
            self.builtin_peers.remove(&r.peer);
        }
        let (peer, bytes_in, bytes_out) = row
            .map(|r| (r.peer, r.bytes_in, r.bytes_out))
            .unwrap_or_default();
        self.gone.push_front(GoneRow {
            id: conn,
            peer,
            reason,
            detail,
            t_us: t,
            bytes_in,
            bytes_out,
        });
        self.gone.truncate(GONE_CAP);
    }

    /// Another model took over the address: the old one's clients were
    /// closed with it; its threads are gone; what was measured stays.
    fn switched(&mut self, t: u64) {
        if let Some(run) = self.runs.last_mut() {
            run.ended_us = Some(t);
        }
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            self.totals.switched += 1;
            self.disconnect(id, Reason::Switched, Some("model switched".into()), t);
        }
        self.threads = Threads::default();
        self.ready = None;
        self.accept_error = None;
        self.paused = false;
    }

    fn add_sample(&mut self, s: Sample) {
        self.recent.push_back(s);
        self.second.spins += s.spins;
        self.second.cpu_user_us += s.cpu_user_us;
        self.second.cpu_sys_us += s.cpu_sys_us;
        // A burst of summaries cannot grow the window without bound.
        if self.recent.len() > 10_000 {
            self.recent.pop_front();
        }
    }

    fn log_event(&mut self, event: &Event) {
        push_capped(&mut self.log, event.clone(), LOG_CAP);
        self.keep_log_scroll();
    }

    fn log_would_block(&mut self, t: u64, counts: [u64; 3]) {
        if let Some(Event {
            kind: EventKind::WouldBlock { accept, recv, send },
            ..
        }) = self.log.back_mut()
        {
            *accept += counts[0];
            *recv += counts[1];
            *send += counts[2];
            return;
        }
        let [accept, recv, send] = counts;
        let event = Event {
            t_us: t,
            kind: EventKind::WouldBlock { accept, recv, send },
        };
        self.log_event(&event);
    }

    /// A log scrolled back stays on the same lines while new ones arrive.
    fn keep_log_scroll(&mut self) {
        let i = Panel::Log.index();
        if self.view.scroll[i] > 0 {
            self.view.scroll[i] = (self.view.scroll[i] + 1).min(self.log.len().saturating_sub(1));
        }
    }
}

pub fn call_name(call: crate::event::Call) -> &'static str {
    call.name()
}

fn push_capped<T>(q: &mut VecDeque<T>, item: T, cap: usize) {
    if q.len() == cap {
        q.pop_front();
    }
    q.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Call;

    fn ev(t_us: u64, kind: EventKind) -> Event {
        Event { t_us, kind }
    }

    fn listening() -> Event {
        ev(
            0,
            EventKind::Listening {
                addr: "127.0.0.1:8080".into(),
                model: Model::Nonblocking,
                backlog: 5,
                faithful: false,
                cpu_split: true,
            },
        )
    }

    #[test]
    fn a_connection_lives_and_leaves_with_its_reason() {
        let mut d = Dashboard::new();
        d.apply(&listening());
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
        let row = &d.conns[&1];
        assert_eq!((row.bytes_in, row.bytes_out), (6, 6));
        assert_eq!(d.ready.as_ref().unwrap().items[0].preview, "HELLO\\n");
        d.apply(&ev(
            30,
            EventKind::Reset {
                conn: 1,
                call: Call::Recv,
                error: "ECONNRESET".into(),
                note: None,
            },
        ));
        assert!(d.conns.is_empty());
        assert_eq!(d.gone[0].reason, Reason::Reset);
        assert_eq!(d.gone[0].detail.as_deref(), Some("ECONNRESET on recv"));
        assert_eq!(d.totals.reset, 1);
    }

    #[test]
    fn rates_and_history_come_from_summaries() {
        let mut d = Dashboard::new();
        d.apply(&listening());
        for i in 1..=50 {
            d.apply(&ev(
                i * 20_000,
                EventKind::Spin {
                    spins: 10_000,
                    cpu_user_us: 1_000,
                    cpu_sys_us: 19_000,
                    empty_recvs: 0,
                    empty_sends: 0,
                },
            ));
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
        assert_eq!(d.totals.spins, 500_000);
        assert!(
            (d.rates.spins - 500_000.0).abs() < 20_000.0,
            "{}",
            d.rates.spins
        );
        assert!((d.rates.cpu() - 100.0).abs() < 5.0, "{}", d.rates.cpu());
        assert_eq!(d.spin_history.back(), Some(&500_000));
        // the WouldBlock summaries became one log line
        assert_eq!(d.log.len(), 2);
        assert_eq!(
            d.log[1].kind,
            EventKind::WouldBlock {
                accept: 500_000,
                recv: 0,
                send: 0
            }
        );
        // a quiet second later the rate falls to zero
        d.tick(2_500_000);
        assert_eq!(d.rates.spins, 0.0);
        assert_eq!(d.spin_history.len(), 2);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut d = Dashboard::new();
        d.apply(&listening());
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
        assert!(d.conns.is_empty());
        assert_eq!(d.gone.len(), GONE_CAP);
        assert_eq!(d.log.len(), LOG_CAP);
    }
}
