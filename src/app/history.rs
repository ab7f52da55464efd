//! The last minute, a bar a second, each bar belonging to the model run it
//! was measured in, so the screen can mark where one run ends and the next
//! begins and scale each run's bars in its own unit.

use std::collections::VecDeque;

/// Seconds of history kept.
pub const HISTORY_SECS: usize = 60;

/// One second of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bar {
    /// The run's [`seq`](super::Run::seq).
    pub run: usize,
    /// Loop iterations in that second (spins, wakeups, `recv` calls).
    pub loops: u64,
    /// CPU used in that second, % of one core (above 100 with threads).
    pub cpu_pct: u64,
    /// Threads the process had, as last sampled in that second.
    pub threads: u64,
    /// The process's virtual size then, in MiB: the thread models' stacks.
    pub vm_mib: u64,
    /// The server was paused for some of that second.
    pub paused: bool,
    /// Shorter than a second (a run's last, at a switch): `loops` and
    /// `cpu_pct` are scaled to a second.
    pub partial: bool,
}

/// The newest [`HISTORY_SECS`] bars, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    bars: VecDeque<Bar>,
}

impl History {
    pub fn push(&mut self, bar: Bar) {
        if self.bars.len() == HISTORY_SECS {
            self.bars.pop_front();
        }
        self.bars.push_back(bar);
    }

    pub fn bars(&self) -> &VecDeque<Bar> {
        &self.bars
    }

    pub fn len(&self) -> usize {
        self.bars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    /// The newest bars that fit `width` columns, a marker column between
    /// two runs, oldest first.
    pub fn columns(&self, width: usize) -> Vec<Column> {
        let mut columns = Vec::with_capacity(self.bars.len() * 2);
        let mut last_run = None;
        for bar in &self.bars {
            if last_run.is_some_and(|r| r != bar.run) {
                columns.push(Column::Switch);
            }
            last_run = Some(bar.run);
            columns.push(Column::Bar(*bar));
        }
        let skip = columns.len().saturating_sub(width);
        columns.drain(..skip);
        // A marker with nothing of its old run left beside it marks nothing.
        if columns.first() == Some(&Column::Switch) {
            columns.remove(0);
        }
        columns
    }
}

/// What one column of the history chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Bar(Bar),
    /// One run ended and the next began here.
    Switch,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(run: usize, loops: u64) -> Bar {
        Bar {
            run,
            loops,
            ..Bar::default()
        }
    }

    #[test]
    fn a_switch_puts_a_marker_between_two_runs_and_the_oldest_scroll_away() {
        let mut h = History::default();
        for i in 0..3 {
            h.push(bar(0, i));
        }
        h.push(bar(1, 9));
        let cols = h.columns(10);
        assert_eq!(cols.len(), 5);
        assert_eq!(cols[3], Column::Switch);
        assert_eq!(cols[4], Column::Bar(bar(1, 9)));
        // Three columns: the marker, then the new run's bar... and the
        // last of the old one before it.
        assert_eq!(
            h.columns(3),
            [
                Column::Bar(bar(0, 2)),
                Column::Switch,
                Column::Bar(bar(1, 9))
            ]
        );
        // Two columns: the marker would be first and is left out.
        assert_eq!(h.columns(2), [Column::Bar(bar(1, 9))]);
        for i in 0..100 {
            h.push(bar(1, i));
        }
        assert_eq!(h.len(), HISTORY_SECS);
        assert!(!h.columns(200).contains(&Column::Switch));
    }
}
