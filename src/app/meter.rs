//! Rates over the last second, from the summaries a model run sends.

use std::collections::VecDeque;

/// Rates are averaged over this window.
const RATE_WINDOW_US: u64 = 1_000_000;
/// Summaries come every ~20 ms; none for this long means the loop is idle
/// or parked, and the rates decay towards zero.
const STALE_US: u64 = 250_000;
/// A burst of summaries cannot grow the window without bound.
const RECENT_CAP: usize = 10_000;

/// Per-second rates over the last second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rates {
    /// Loop iterations: spins, wakeups, `recv` calls of a thread model.
    pub spins: f64,
    /// WouldBlocks by call: accept, recv, send.
    pub would_block: [f64; 3],
    /// Percent of one core.
    pub cpu_user: f64,
    pub cpu_sys: f64,
    /// `--faithful`: `recv` calls that returned `b''` (CLOSE-WAIT peers).
    pub empty_recvs: f64,
    /// `multiplex`: poll returns per second, and ready sockets per return.
    pub wakeups: f64,
    pub ready_per_wakeup: f64,
}

impl Rates {
    /// Percent of one core, user and kernel.
    pub fn cpu(&self) -> f64 {
        self.cpu_user + self.cpu_sys
    }
}

/// What one summary event (`spin`, `would_block`, `wakeup`) counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub t_us: u64,
    pub spins: u64,
    pub would_block: [u64; 3],
    pub cpu_user_us: u64,
    pub cpu_sys_us: u64,
    pub empty_recvs: u64,
    pub wakeups: u64,
    pub ready: u64,
}

impl Summary {
    /// Adds what `s` counted (the time stays this one's).
    pub fn add(&mut self, s: &Summary) {
        self.spins += s.spins;
        for (a, b) in self.would_block.iter_mut().zip(s.would_block) {
            *a += b;
        }
        self.cpu_user_us += s.cpu_user_us;
        self.cpu_sys_us += s.cpu_sys_us;
        self.empty_recvs += s.empty_recvs;
        self.wakeups += s.wakeups;
        self.ready += s.ready;
    }
}

/// The rate window of one model run: it starts empty when the run starts,
/// so a run never shows the rates of the one before it.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    started_us: u64,
    recent: VecDeque<Summary>,
    rates: Rates,
}

impl Meter {
    pub fn new(started_us: u64) -> Self {
        Meter {
            started_us,
            ..Meter::default()
        }
    }

    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    pub fn add(&mut self, s: Summary) {
        if self.recent.len() == RECENT_CAP {
            self.recent.pop_front();
        }
        self.recent.push_back(s);
    }

    /// Recomputes the rates as of `now_us`. Each summary covers the time
    /// since the one before it, so the rate is the sum of the summaries
    /// after a baseline (the newest one at or before the window's start,
    /// else the run's start) over the time from that baseline to the
    /// newest summary; when summaries stop coming (paused, idle), to now.
    pub fn update(&mut self, now_us: u64) {
        let horizon = now_us.saturating_sub(RATE_WINDOW_US);
        while self.recent.get(1).is_some_and(|s| s.t_us <= horizon) {
            self.recent.pop_front();
        }
        let base_us = match self.recent.front() {
            Some(s) if s.t_us <= horizon => s.t_us,
            _ => self.started_us,
        };
        let newest = self.recent.back().map_or(base_us, |s| s.t_us);
        let end = if now_us.saturating_sub(newest) > STALE_US {
            now_us
        } else {
            newest
        };
        let window_us = end.saturating_sub(base_us).max(1) as f64;
        let per_s = |n: u64| n as f64 * 1e6 / window_us;
        let pct = |us: u64| us as f64 * 100.0 / window_us;
        let mut sum = Summary::default();
        for s in self.recent.iter().filter(|s| s.t_us > base_us) {
            sum.add(s);
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(t_us: u64, spins: u64, cpu_us: u64) -> Summary {
        Summary {
            t_us,
            spins,
            cpu_sys_us: cpu_us,
            ..Summary::default()
        }
    }

    #[test]
    fn a_second_of_summaries_gives_its_rate_and_silence_decays_it() {
        let mut m = Meter::new(0);
        for i in 1..=50 {
            m.add(spin(i * 20_000, 10_000, 20_000));
        }
        m.update(1_000_000);
        assert!((m.rates().spins - 500_000.0).abs() < 1.0, "{:?}", m.rates());
        assert!((m.rates().cpu() - 100.0).abs() < 0.01);
        m.update(2_500_000);
        assert_eq!(m.rates().spins, 0.0);
    }

    #[test]
    fn a_new_run_starts_from_nothing() {
        // A run that started at 10 s has seen one summary 100 ms in: its
        // rate is over those 100 ms, not over anything before its start.
        let mut m = Meter::new(10_000_000);
        m.add(spin(10_100_000, 100, 100));
        m.update(10_100_000);
        assert!((m.rates().spins - 1000.0).abs() < 1.0, "{:?}", m.rates());
        assert!((m.rates().cpu() - 0.1).abs() < 0.01);
    }
}
