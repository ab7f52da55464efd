//! Shared by the benchmarks: how busy the rest of the machine was while a
//! benchmark ran, since a busy neighbour on a small machine skews every
//! number (Linux only: /proc/stat and /proc/self/stat).
#![allow(dead_code)] // each benchmark uses a part

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long one client may take to connect, and all of them together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_ALL_WITHIN: Duration = Duration::from_secs(30);

/// `n` clients, one after another; all within `CONNECT_ALL_WITHIN`.
pub fn connect_clients(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let start = Instant::now();
    (0..n)
        .map(|i| {
            assert!(
                start.elapsed() < CONNECT_ALL_WITHIN,
                "only {i} of {n} clients connected within {CONNECT_ALL_WITHIN:?}"
            );
            TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
                .unwrap_or_else(|e| panic!("client {i} could not connect to {addr}: {e}"))
        })
        .collect()
}

/// 12345678.9 -> "12 345 679"
pub fn group(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Clock ticks per second of /proc/stat and /proc/self/stat (USER_HZ,
/// 100 on every Linux this runs on).
const USER_HZ: f64 = 100.0;

/// A reading of the machine's and this process's CPU time.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    at: Instant,
    /// Busy ticks of all CPUs (user, nice, system, irq, softirq, steal).
    machine_busy: Option<u64>,
    steal: Option<u64>,
    /// This process's user + system ticks.
    own: Option<u64>,
}

impl Load {
    pub fn now() -> Self {
        let cpu = machine_ticks();
        Load {
            at: Instant::now(),
            machine_busy: cpu.map(|(busy, _)| busy),
            steal: cpu.map(|(_, steal)| steal),
            own: own_ticks(),
        }
    }

    /// What this process, other processes and the hypervisor's steal used
    /// since `self`; `None` without /proc.
    pub fn since(&self) -> Option<Usage> {
        let end = Load::now();
        let secs = end.at.duration_since(self.at).as_secs_f64().max(1e-3);
        let pct = |ticks: u64| ticks as f64 / USER_HZ / secs * 100.0;
        let machine = end.machine_busy?.saturating_sub(self.machine_busy?);
        let own = end.own?.saturating_sub(self.own?);
        Some(Usage {
            secs,
            own_pct: pct(own),
            other_pct: pct(machine.saturating_sub(own)),
            steal_pct: pct(end.steal?.saturating_sub(self.steal?)),
        })
    }

    /// [`Load::since`] as a line for the report.
    pub fn report_since(&self) -> String {
        match self.since() {
            Some(u) => format!(
                "background load over these {:.0} s: other processes {:.0}% of one core, steal {:.0}% (this benchmark: {:.0}%); the numbers are trustworthy only if 'other' is near 0",
                u.secs, u.other_pct, u.steal_pct, u.own_pct
            ),
            None => "background load unknown (no /proc)".to_string(),
        }
    }
}

/// CPU used over an interval, in % of one core.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub secs: f64,
    pub own_pct: f64,
    pub other_pct: f64,
    pub steal_pct: f64,
}

/// (busy, steal) ticks summed over all CPUs.
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let mut f = line.split_whitespace();
    if f.next()? != "cpu" {
        return None;
    }
    let v: Vec<u64> = f.filter_map(|x| x.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...
    if v.len() < 8 {
        return None;
    }
    Some((v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[7]))
}

/// This process's utime + stime.
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some(utime + stime)
}
