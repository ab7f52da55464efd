//! The comparison (`t`): one row per model that has run, its runs added
//! together, measured only while it ran.

use hdrhistogram::Histogram;

use super::runs::{Run, idle_pct, per_1k, rtt_histogram};
use crate::event::Model;

#[derive(Debug, Clone)]
pub struct ModelRow {
    pub model: Model,
    pub faithful: bool,
    /// The running model's row.
    pub current: bool,
    /// How many times it ran, and for how long in all.
    pub runs: usize,
    pub ran_us: u64,
    pub messages: u64,
    pub cpu_us: u64,
    pub idle_s: u64,
    pub idle_cpu_us: u64,
    pub max_threads: usize,
    pub max_rss: u64,
    pub rtt: Histogram<u64>,
}

impl ModelRow {
    /// CPU seconds per 1,000 messages.
    pub fn cpu_s_per_1k(&self) -> Option<f64> {
        per_1k(self.cpu_us, self.messages)
    }

    /// CPU % of one core in whole seconds without a message.
    pub fn idle_cpu_pct(&self) -> Option<f64> {
        idle_pct(self.idle_cpu_us, self.idle_s)
    }

    /// Round trip at quantile `q`, µs.
    pub fn rtt_at(&self, q: f64) -> Option<u64> {
        (!self.rtt.is_empty()).then(|| self.rtt.value_at_quantile(q))
    }
}

/// Adds `runs` to `rows` (one row per model and listing, in the order
/// they first ran).
pub fn compare<'a>(rows: &mut Vec<ModelRow>, runs: impl IntoIterator<Item = &'a Run>, now_us: u64) {
    for run in runs {
        let i = match rows
            .iter()
            .position(|r| r.model == run.model && r.faithful == run.faithful)
        {
            Some(i) => i,
            None => {
                rows.push(ModelRow {
                    model: run.model,
                    faithful: run.faithful,
                    current: false,
                    runs: 0,
                    ran_us: 0,
                    messages: 0,
                    cpu_us: 0,
                    idle_s: 0,
                    idle_cpu_us: 0,
                    max_threads: 0,
                    max_rss: 0,
                    rtt: rtt_histogram(),
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[i];
        row.current |= run.is_current();
        row.runs += 1;
        row.ran_us += run.ran_us(now_us);
        row.messages += run.totals.messages;
        row.cpu_us += run.totals.cpu_us();
        row.idle_s += run.idle_s;
        row.idle_cpu_us += run.idle_cpu_us;
        row.max_threads = row.max_threads.max(run.max_threads);
        row.max_rss = row.max_rss.max(run.max_rss);
        // Same bounds on both sides: adding cannot fail.
        let _ = row.rtt.add(&run.rtt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::history::History;

    #[test]
    fn fifty_switches_make_one_row_per_model() {
        let mut runs: Vec<Run> = Vec::new();
        let mut h = History::default();
        let mut model = Model::Nonblocking;
        for i in 0..50u64 {
            let t = i * 1_000_000;
            if let Some(last) = runs.last_mut() {
                last.end(t, &mut h);
            }
            let mut run = Run::new(runs.len(), model, false, t);
            run.message();
            run.record_rtt(100 + i);
            runs.push(run);
            model = model.next();
        }
        let mut rows = Vec::new();
        compare(&mut rows, &runs, 50_000_000);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].model, Model::Nonblocking);
        assert_eq!(rows[0].runs, 10);
        assert_eq!(rows[0].messages, 10);
        assert_eq!(rows[0].ran_us, 10_000_000);
        assert_eq!(rows[0].rtt.len(), 10);
        let current: Vec<_> = rows.iter().filter(|r| r.current).map(|r| r.model).collect();
        // Run 50 is 49 `next()`s after nonblocking: pool.
        assert_eq!(current, [Model::ALL[(3 + 49) % 5]]);
    }
}
