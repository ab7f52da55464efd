//! A model run: from its `listening` to the switch that ends it. Each run
//! owns its counters, rates, seconds of history and statistics, so a
//! switch never mixes one model's numbers into the next one's.

use hdrhistogram::Histogram;

use super::history::{Bar, History};
use super::meter::{Meter, Rates, Summary};
use crate::event::{ConnId, Model, Preview};

/// How many replies of one spin the ready-send list keeps.
pub const READY_CAP: usize = 200;
/// A run's last second, cut short by a switch, is drawn only if it lasted
/// at least this long (a sliver scaled to a second would mislead).
const PARTIAL_MIN_US: u64 = 250_000;

/// What a run counted since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Every summary (`spin`, `would_block`, `wakeup`) added up: loop
    /// iterations, WouldBlocks, CPU time, empty recvs, wakeups.
    pub counted: Summary,
    pub empty_sends: u64,
    /// Client messages served (`recv` with data).
    pub messages: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub accepted: u64,
    /// `--faithful`: reply bytes thrown away.
    pub lost_bytes: u64,
    pub evicted: u64,
    pub refused: u64,
}

impl Totals {
    /// Loop iterations: spins, wakeups, `recv` calls of a thread model.
    pub fn spins(&self) -> u64 {
        self.counted.spins
    }

    pub fn cpu_us(&self) -> u64 {
        self.counted.cpu_user_us + self.counted.cpu_sys_us
    }
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
    pub preview: Preview,
}

/// One second being counted.
#[derive(Debug, Clone, Copy, Default)]
struct Second {
    start_us: u64,
    /// Which second of the run (0 is its first).
    index: u64,
    loops: u64,
    cpu_us: u64,
    messages: u64,
    paused: bool,
}

#[derive(Debug, Clone)]
pub struct Run {
    /// Its number in the session (0 is the first run); history bars name
    /// their run by it.
    pub seq: usize,
    pub model: Model,
    pub faithful: bool,
    pub started_us: u64,
    /// Set when the next model took over.
    pub ended_us: Option<u64>,
    pub totals: Totals,
    meter: Meter,
    second: Second,
    /// Whole seconds with no message, not paused and not the run's first,
    /// and the CPU spent in them.
    pub idle_s: u64,
    pub idle_cpu_us: u64,
    /// The most server threads seen, the largest RSS seen.
    pub max_threads: usize,
    pub max_rss: u64,
    /// Built-in clients' round trips, µs.
    pub rtt: Histogram<u64>,
    pub ready: Option<ReadySend>,
    /// The server is paused now.
    paused: bool,
    /// The process as last sampled: threads, virtual size in bytes (for
    /// the history's threads and memory).
    sampled: (u64, u64),
}

/// Round trips from 1 µs to an hour, 2 significant digits (1%: plenty for
/// a screen, and ~26 KB a run rather than ~190 KB with 3).
pub(crate) fn rtt_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 2).expect("valid histogram bounds")
}

impl Run {
    pub fn new(seq: usize, model: Model, faithful: bool, t: u64) -> Self {
        Run {
            seq,
            model,
            faithful,
            started_us: t,
            ended_us: None,
            totals: Totals::default(),
            meter: Meter::new(t),
            second: Second {
                start_us: t,
                ..Second::default()
            },
            idle_s: 0,
            idle_cpu_us: 0,
            max_threads: 0,
            max_rss: 0,
            rtt: rtt_histogram(),
            ready: None,
            paused: false,
            sampled: (0, 0),
        }
    }

    /// A reading of the process: its threads and virtual size, for the
    /// seconds closed from now on.
    pub fn sampled(&mut self, threads: u64, vm_bytes: u64) {
        self.sampled = (threads, vm_bytes);
    }

    pub fn rates(&self) -> &Rates {
        self.meter.rates()
    }

    pub fn is_current(&self) -> bool {
        self.ended_us.is_none()
    }

    pub fn ran_us(&self, now_us: u64) -> u64 {
        self.ended_us
            .unwrap_or(now_us)
            .saturating_sub(self.started_us)
    }

    /// A summary event: into the totals, the rate window and the second
    /// it was sent in.
    pub fn summary(&mut self, s: Summary, history: &mut History) {
        // It counts the time up to `t_us`: its second is the one that
        // holds the microsecond before.
        self.roll(s.t_us.saturating_sub(1), history);
        self.totals.counted.add(&s);
        self.second.loops += s.spins;
        self.second.cpu_us += s.cpu_user_us + s.cpu_sys_us;
        self.meter.add(s);
    }

    pub fn message(&mut self) {
        self.totals.messages += 1;
        self.second.messages += 1;
    }

    /// The server was paused (`true`) or resumed: the seconds it is
    /// paused in are marked, and left out of the idle figures.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        self.second.paused |= paused;
    }

    pub fn record_rtt(&mut self, us: u64) {
        // Out of bounds (over an hour) is not worth a panic or a sample.
        let _ = self.rtt.record(us.max(1));
    }

    /// The round-trip time at quantile `q` (0..=1), µs.
    pub fn rtt_at(&self, q: f64) -> Option<u64> {
        (!self.rtt.is_empty()).then(|| self.rtt.value_at_quantile(q))
    }

    /// A reply of spin `spin`: the ready-send list is that spin's.
    pub fn ready_send(&mut self, spin: u64, item: ReadyItem) {
        let ready = match &mut self.ready {
            Some(r) if r.spin == spin => r,
            slot => slot.insert(ReadySend {
                spin,
                ..ReadySend::default()
            }),
        };
        if ready.items.len() < READY_CAP {
            ready.items.push(item);
        } else {
            ready.more += 1;
        }
    }

    /// Loop iterations since the ready-send list's spin.
    pub fn ready_spins_ago(&self) -> Option<u64> {
        self.ready
            .as_ref()
            .map(|r| self.totals.spins().saturating_sub(r.spin))
    }

    /// Closes every whole second up to `now_us` into `history`, and
    /// recomputes the rates.
    pub fn tick(&mut self, now_us: u64, history: &mut History) {
        self.roll(now_us, history);
        self.meter.update(now_us);
    }

    /// Closes every whole second up to `now_us` into `history`.
    fn roll(&mut self, now_us: u64, history: &mut History) {
        while now_us >= self.second.start_us + 1_000_000 {
            self.close_second(1_000_000, history);
            self.second.paused = self.paused;
        }
    }

    /// The run ends at `t`: its last second, if long enough to mean
    /// anything, goes into the history scaled to a second.
    pub fn end(&mut self, t: u64, history: &mut History) {
        self.roll(t, history);
        let part = t.saturating_sub(self.second.start_us);
        if part >= PARTIAL_MIN_US {
            self.close_second(part, history);
        }
        self.ended_us = Some(t);
    }

    fn close_second(&mut self, length_us: u64, history: &mut History) {
        let s = self.second;
        let scale = |n: u64| (n as u128 * 1_000_000 / length_us.max(1) as u128) as u64;
        history.push(Bar {
            run: self.seq,
            loops: scale(s.loops),
            cpu_pct: scale(s.cpu_us) / 10_000,
            threads: self.sampled.0,
            vm_mib: self.sampled.1 >> 20,
            paused: s.paused,
            partial: length_us < 1_000_000,
        });
        // Idle CPU is measured in whole seconds the model really ran with
        // nothing to do: not paused, and not its first (it was starting).
        if length_us == 1_000_000 && s.messages == 0 && !s.paused && s.index > 0 {
            self.idle_s += 1;
            self.idle_cpu_us += s.cpu_us;
        }
        self.second = Second {
            start_us: s.start_us + length_us,
            index: s.index + 1,
            ..Second::default()
        };
    }

    /// CPU seconds per 1,000 messages.
    pub fn cpu_s_per_1k(&self) -> Option<f64> {
        per_1k(self.totals.cpu_us(), self.totals.messages)
    }

    /// CPU % of one core in the seconds no message came.
    pub fn idle_cpu_pct(&self) -> Option<f64> {
        idle_pct(self.idle_cpu_us, self.idle_s)
    }
}

pub(crate) fn per_1k(cpu_us: u64, messages: u64) -> Option<f64> {
    (messages > 0).then(|| cpu_us as f64 / 1e6 / messages as f64 * 1000.0)
}

pub(crate) fn idle_pct(cpu_us: u64, seconds: u64) -> Option<f64> {
    (seconds > 0).then(|| cpu_us as f64 / (seconds as f64 * 1e6) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(t_us: u64, cpu_us: u64) -> Summary {
        Summary {
            t_us,
            spins: 1,
            cpu_sys_us: cpu_us,
            ..Summary::default()
        }
    }

    #[test]
    fn idle_cpu_leaves_out_the_first_second_and_paused_ones() {
        let mut h = History::default();
        let mut r = Run::new(0, Model::Multiplex, false, 0);
        // Second 0: starting up, 50 ms of CPU; must not count as idle.
        r.summary(cpu(500_000, 50_000), &mut h);
        r.tick(1_000_000, &mut h);
        // Second 1: idle, 1 ms.
        r.summary(cpu(1_500_000, 1_000), &mut h);
        r.tick(2_000_000, &mut h);
        // Second 2: paused for part of it: not idle time either.
        r.set_paused(true);
        r.tick(2_400_000, &mut h);
        r.set_paused(false);
        r.summary(cpu(2_900_000, 30_000), &mut h);
        // Second 3: a message came: not idle.
        r.summary(cpu(3_100_000, 1_000), &mut h);
        r.message();
        r.summary(cpu(3_500_000, 8_000), &mut h);
        r.tick(4_000_000, &mut h);
        assert_eq!((r.idle_s, r.idle_cpu_us), (1, 1_000));
        assert_eq!(r.idle_cpu_pct(), Some(0.1));
        let bars: Vec<_> = h.bars().iter().map(|b| (b.cpu_pct, b.paused)).collect();
        assert_eq!(bars, [(5, false), (0, false), (3, true), (0, false)]);
    }

    #[test]
    fn a_switch_closes_the_last_second_scaled_or_drops_a_sliver() {
        let mut h = History::default();
        let mut r = Run::new(0, Model::Nonblocking, false, 0);
        r.summary(
            Summary {
                t_us: 1_400_000,
                spins: 250_000,
                cpu_sys_us: 500_000,
                ..Summary::default()
            },
            &mut h,
        );
        r.end(1_500_000, &mut h);
        let last = h.bars().back().copied().unwrap();
        assert!(last.partial);
        assert_eq!((last.loops, last.cpu_pct), (500_000, 100));
        assert_eq!(h.len(), 2);
        let mut r = Run::new(1, Model::Multiplex, false, 1_500_000);
        r.end(1_600_000, &mut h);
        assert_eq!(h.len(), 2, "100 ms is too short to draw");
        assert_eq!(r.ended_us, Some(1_600_000));
    }

    #[test]
    fn round_trips_go_into_a_histogram() {
        let mut r = Run::new(0, Model::Pool, false, 0);
        assert_eq!(r.rtt_at(0.5), None);
        for us in 1..=1000 {
            r.record_rtt(us);
        }
        r.record_rtt(u64::MAX); // out of range: ignored, no panic
        // Two significant digits: within 1%.
        let p50 = r.rtt_at(0.5).unwrap();
        let p99 = r.rtt_at(0.99).unwrap();
        assert!((495..=505).contains(&p50), "{p50}");
        assert!((980..=1000).contains(&p99), "{p99}");
        assert_eq!(r.rtt.len(), 1000);
    }
}
