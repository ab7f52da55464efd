//! One row per model that has run: what it cost, measured while it ran.

/// Round trips kept per run for the percentiles.
const RTT_CAP: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelRun {
    pub model: crate::event::Model,
    pub faithful: bool,
    pub started_us: u64,
    /// Set when the next model took over.
    pub ended_us: Option<u64>,
    /// Client messages served (recv events with data).
    pub messages: u64,
    /// Server threads' CPU time, user + sys.
    pub cpu_us: u64,
    /// Whole seconds with no message at all, and the CPU spent in them.
    pub idle_s: u64,
    pub idle_cpu_us: u64,
    pub max_threads: usize,
    pub max_rss: u64,
    /// Built-in clients' round trips, µs.
    pub rtts: Vec<u64>,
}

impl ModelRun {
    pub fn new(model: crate::event::Model, faithful: bool, t: u64) -> Self {
        ModelRun {
            model,
            faithful,
            started_us: t,
            ..ModelRun::default()
        }
    }

    pub fn ran_us(&self, now_us: u64) -> u64 {
        self.ended_us
            .unwrap_or(now_us)
            .saturating_sub(self.started_us)
    }

    /// CPU seconds per 1,000 messages.
    pub fn cpu_s_per_1k(&self) -> Option<f64> {
        (self.messages > 0).then(|| self.cpu_us as f64 / 1e6 / self.messages as f64 * 1000.0)
    }

    /// CPU % of one core while no message came.
    pub fn idle_cpu_pct(&self) -> Option<f64> {
        (self.idle_s > 0).then(|| self.idle_cpu_us as f64 / (self.idle_s as f64 * 1e6) * 100.0)
    }

    pub fn record_rtt(&mut self, us: u64) {
        if self.rtts.len() < RTT_CAP {
            self.rtts.push(us);
        }
    }

    /// The round-trip time at quantile `q` (0..=1), µs.
    pub fn rtt(&self, q: f64) -> Option<u64> {
        if self.rtts.is_empty() {
            return None;
        }
        let mut sorted = self.rtts.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() - 1) as f64 * q).round() as usize;
        Some(sorted[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_come_from_what_was_counted() {
        let mut r = ModelRun::new(crate::event::Model::Multiplex, false, 0);
        assert_eq!(r.cpu_s_per_1k(), None);
        r.messages = 2000;
        r.cpu_us = 500_000;
        assert_eq!(r.cpu_s_per_1k(), Some(0.25));
        r.idle_s = 4;
        r.idle_cpu_us = 40_000;
        assert_eq!(r.idle_cpu_pct(), Some(1.0));
        for us in 1..=100 {
            r.record_rtt(us);
        }
        assert_eq!(r.rtt(0.5), Some(51));
        assert_eq!(r.rtt(0.99), Some(99));
    }
}
