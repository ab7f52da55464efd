//! What a swarm counts, and the summary it prints.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::sys::CpuTime;
use crate::ui::fmt::thousands;
use serde::Serialize;

/// Counters and histograms, updated by the clients as they go.
#[derive(Debug, Clone)]
pub struct Tally {
    pub connections_made: u64,
    pub connections_failed: u64,
    /// The failed connections by what went wrong.
    failures: BTreeMap<String, u64>,
    pub messages_sent: u64,
    pub replies_verified: u64,
    pub mismatches: u64,
    /// Reply bytes that arrived when no reply was expected.
    pub unexpected_bytes: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub resets_sent: u64,
    /// Connections the server closed (read returned 0) or reset on us.
    pub closed_by_server: u64,
    pub reset_by_server: u64,
    rtt_us: Histogram<u64>,
    connect_us: Histogram<u64>,
}

impl Default for Tally {
    fn default() -> Self {
        // 1 µs to 1 hour at 3 significant digits: a few tens of kB each.
        let hist = || Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("histogram bounds");
        Tally {
            connections_made: 0,
            connections_failed: 0,
            failures: BTreeMap::new(),
            messages_sent: 0,
            replies_verified: 0,
            mismatches: 0,
            unexpected_bytes: 0,
            bytes_sent: 0,
            bytes_received: 0,
            resets_sent: 0,
            closed_by_server: 0,
            reset_by_server: 0,
            rtt_us: hist(),
            connect_us: hist(),
        }
    }
}

impl Tally {
    pub fn record_rtt(&mut self, rtt: Duration) {
        self.rtt_us.saturating_record(rtt.as_micros().max(1) as u64);
    }

    /// A connection that was tried and not made, and why.
    pub fn connection_failed(&mut self, why: String) {
        self.connections_failed += 1;
        *self.failures.entry(why).or_default() += 1;
    }

    pub fn record_connect(&mut self, took: Duration) {
        self.connections_made += 1;
        self.connect_us
            .saturating_record(took.as_micros().max(1) as u64);
    }

    /// The summary of a run that took `elapsed` and `cpu` of the swarm
    /// thread's time.
    pub fn summary(
        &self,
        scene: &str,
        clients: &ClientCounts,
        elapsed: Duration,
        cpu: CpuTime,
    ) -> Summary {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut failures: Vec<Failure> = self
            .failures
            .iter()
            .map(|(why, &count)| Failure {
                count,
                why: why.clone(),
            })
            .collect();
        failures.sort_by_key(|f| std::cmp::Reverse(f.count));
        Summary {
            scene: scene.to_string(),
            clients: clients.total,
            clients_connected: clients.connected,
            clients_failed: clients.failed,
            clients_not_started: clients.not_started,
            not_started_because: clients.not_started_because.clone(),
            out_of_descriptors: clients.out_of_descriptors,
            elapsed_s: secs,
            connections_made: self.connections_made,
            connections_failed: self.connections_failed,
            failures,
            messages_sent: self.messages_sent,
            replies_verified: self.replies_verified,
            mismatches: self.mismatches,
            lost: self
                .messages_sent
                .saturating_sub(self.replies_verified + self.mismatches),
            unexpected_bytes: self.unexpected_bytes,
            bytes_sent: self.bytes_sent,
            bytes_received: self.bytes_received,
            resets_sent: self.resets_sent,
            closed_by_server: self.closed_by_server,
            reset_by_server: self.reset_by_server,
            replies_per_s: self.replies_verified as f64 / secs,
            cpu_us: cpu.total_us(),
            cpu_us_per_reply: cpu.total_us() as f64 / self.replies_verified.max(1) as f64,
            rtt_us: Percentiles::of(&self.rtt_us),
            connect_us: Percentiles::of(&self.connect_us),
        }
    }
}

/// What became of the clients: each one connected (at least once), failed
/// (tried and never connected), or was not started.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientCounts {
    pub total: u64,
    pub connected: u64,
    pub failed: u64,
    pub not_started: u64,
    pub not_started_because: Option<String>,
    /// The descriptor limit stopped clients starting or connecting.
    pub out_of_descriptors: bool,
}

/// Failed connections of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub count: u64,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Percentiles {
                count: 0,
                p50: 0,
                p90: 0,
                p99: 0,
                max: 0,
            };
        }
        Percentiles {
            count: h.len(),
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            max: h.max(),
        }
    }
}

/// The end of a swarm run. `clients = clients_connected + clients_failed +
/// clients_not_started`; `messages_sent = replies_verified + mismatches +
/// lost`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub scene: String,
    pub clients: u64,
    /// Clients that made at least one connection.
    pub clients_connected: u64,
    /// Clients that tried and never connected (`failures` says why).
    pub clients_failed: u64,
    /// Clients never started (`not_started_because` says why).
    pub clients_not_started: u64,
    pub not_started_because: Option<String>,
    /// The descriptor limit cut the run short.
    pub out_of_descriptors: bool,
    pub elapsed_s: f64,
    pub connections_made: u64,
    pub connections_failed: u64,
    /// The failed connections by what went wrong, most first.
    pub failures: Vec<Failure>,
    pub messages_sent: u64,
    pub replies_verified: u64,
    pub mismatches: u64,
    /// Sent, never (fully) answered: the connection ended or time ran out
    /// first — by design for `slow-reader`, which never reads.
    pub lost: u64,
    pub unexpected_bytes: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub resets_sent: u64,
    pub closed_by_server: u64,
    pub reset_by_server: u64,
    /// Verified replies per second.
    pub replies_per_s: f64,
    /// The swarm's own CPU time (its one thread, user + sys), and per reply:
    /// 1e6 / `cpu_us_per_reply` is the most replies/s it could drive on one
    /// core, whatever the server.
    pub cpu_us: u64,
    pub cpu_us_per_reply: f64,
    pub rtt_us: Percentiles,
    pub connect_us: Percentiles,
}

impl Summary {
    /// A run that made no connection, or that the descriptor limit cut
    /// short, failed (`ioscope swarm` exits 1).
    pub fn failed(&self) -> bool {
        self.clients_connected == 0 || self.out_of_descriptors
    }

    /// What went wrong, one line a kind, with its count (for stderr).
    pub fn problems(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .failures
            .iter()
            .map(|f| {
                let s = if f.count == 1 { "" } else { "s" };
                format!("{} connection{s} failed: {}", thousands(f.count), f.why)
            })
            .collect();
        if self.clients_not_started > 0 {
            lines.push(format!(
                "{} of {} clients not started: {}",
                thousands(self.clients_not_started),
                thousands(self.clients),
                self.not_started_because.as_deref().unwrap_or("unknown")
            ));
        }
        lines
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let us = |v: u64| {
            if v >= 10_000 {
                format!("{:.1} ms", v as f64 / 1000.0)
            } else {
                format!("{v} µs")
            }
        };
        let p = |p: &Percentiles| {
            if p.count == 0 {
                "—".to_string()
            } else {
                format!(
                    "p50 {}  p90 {}  p99 {}  max {}  ({} samples)",
                    us(p.p50),
                    us(p.p90),
                    us(p.p99),
                    us(p.max),
                    p.count
                )
            }
        };
        writeln!(
            f,
            "swarm: scene {}, {} clients, {:.2} s",
            self.scene, self.clients, self.elapsed_s
        )?;
        write!(
            f,
            "clients      {} = {} connected + {} failed + {} not started",
            thousands(self.clients),
            thousands(self.clients_connected),
            thousands(self.clients_failed),
            thousands(self.clients_not_started)
        )?;
        match &self.not_started_because {
            Some(why) if self.clients_not_started > 0 => writeln!(f, ": {why}")?,
            _ => writeln!(f)?,
        }
        writeln!(
            f,
            "connections  {} made, {} failed; {} reset by us; the server closed {} and reset {}",
            self.connections_made,
            self.connections_failed,
            self.resets_sent,
            self.closed_by_server,
            self.reset_by_server
        )?;
        writeln!(
            f,
            "messages     {} sent = {} verified + {} mismatched + {} lost",
            self.messages_sent, self.replies_verified, self.mismatches, self.lost
        )?;
        if self.unexpected_bytes > 0 {
            writeln!(
                f,
                "unexpected   {} reply bytes nobody asked for",
                self.unexpected_bytes
            )?;
        }
        writeln!(
            f,
            "throughput   {:.0} verified replies/s; {} bytes out, {} bytes in",
            self.replies_per_s, self.bytes_sent, self.bytes_received
        )?;
        writeln!(f, "round trip   {}", p(&self.rtt_us))?;
        if self.replies_verified > 0 {
            writeln!(
                f,
                "swarm CPU    {:.2} s, {:.1} µs per reply (enough for {:.0} replies/s on one core)",
                self.cpu_us as f64 / 1e6,
                self.cpu_us_per_reply,
                1e6 / self.cpu_us_per_reply.max(1e-3)
            )?;
        }
        write!(f, "connect      {}", p(&self.connect_us))
    }
}
