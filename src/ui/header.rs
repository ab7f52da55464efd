//! The header: what runs where, the spin counter, and what the loop costs.

use std::net::SocketAddr;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{bigdigits, fmt, panel, theme};
use crate::app::Dashboard;
use crate::event::Model;

/// Rows the header takes, borders included.
pub fn height(big: bool) -> u16 {
    if big { 9 } else { 5 }
}

pub fn render(d: &Dashboard, big: bool, area: Rect, buf: &mut Buffer) {
    let block = panel(d, None, Line::styled(" ioscope ", theme::TITLE));
    let inner = block.inner(area);
    block.render(area, buf);
    let (label, count, rate) = counter(d);

    if big {
        let [status, counter_area, wb, extra] = inner.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));
        status_line(d).render(status, buf);
        let digits = bigdigits::lines(&fmt::thousands(count));
        let width = digits.first().map_or(0, |l| l.width()) as u16;
        let [label_area, number, rates] = counter_area.layout(&Layout::horizontal([
            Constraint::Length(9),
            Constraint::Length(width + 3),
            Constraint::Fill(1),
        ]));
        Paragraph::new(vec![Line::from(""), Line::styled(label, theme::LABEL)])
            .render(label_area, buf);
        Paragraph::new(
            digits
                .into_iter()
                .map(|l| l.style(theme::SPINS))
                .collect::<Vec<_>>(),
        )
        .render(number, buf);
        let mut lines = vec![cpu_line(d), cpu_split_line(d)];
        if let Some(rate) = rate {
            lines.insert(0, rate);
        }
        Paragraph::new(lines).render(rates, buf);
        detail_line(d).render(wb, buf);
        extra_line(d).render(extra, buf);
    } else {
        let mut second = vec![
            Span::styled(format!(" {label} "), theme::LABEL),
            Span::styled(fmt::thousands(count), theme::SPINS),
            Span::raw("  "),
        ];
        if let Some(rate) = rate {
            second.extend(rate.spans);
        }
        second.push(Span::raw("   "));
        second.extend(cpu_line(d).spans);
        second.push(Span::raw(" "));
        second.extend(cpu_split_line(d).spans);
        let mut third = vec![Span::raw(" ")];
        third.extend(detail_line(d).spans);
        third.push(Span::raw("  "));
        third.extend(extra_line(d).spans);
        Paragraph::new(vec![status_line(d), Line::from(second), Line::from(third)])
            .render(inner, buf);
    }
}

/// The model's headline number: spins for the busy loop, wakeups for
/// epoll, live threads for the thread models; and its rate where it has one.
fn counter(d: &Dashboard) -> (&'static str, u64, Option<Line<'static>>) {
    let rate = |r: f64, unit: &str| {
        Line::from(vec![
            Span::styled(fmt::rate(r), theme::SPINS),
            Span::styled(format!(" {unit}/s"), theme::LABEL),
        ])
    };
    let (totals, rates) = (d.totals(), d.rates());
    match d.model() {
        Some(Model::Multiplex) => (
            "wakeups",
            totals.spins(),
            Some(rate(rates.spins, "wakeups")),
        ),
        _ if d.has_threads() => {
            let rss = d.process.map_or("?".into(), |p| fmt::bytes(p.rss_bytes));
            let line = Line::from(vec![
                Span::styled("RSS ", theme::LABEL),
                Span::styled(rss, theme::SPINS),
                Span::styled(
                    format!(
                        " · {} started, {} ended",
                        d.threads.started, d.threads.ended
                    ),
                    theme::LABEL,
                ),
            ]);
            ("threads", d.threads.rows.len() as u64, Some(line))
        }
        _ => ("spins", totals.spins(), Some(rate(rates.spins, "spins"))),
    }
}

/// What the model is waiting on: WouldBlocks for the non-blocking loops,
/// the listen queue and the pool's queue for the thread models.
fn detail_line(d: &Dashboard) -> Line<'static> {
    if !d.has_threads() {
        let mut line = would_block_line(d);
        if d.model() == Some(Model::Multiplex) {
            line.spans.push(Span::styled(
                format!(
                    "  ready sockets per wakeup {:.1}",
                    d.rates().ready_per_wakeup
                ),
                theme::LABEL,
            ));
        }
        return line;
    }
    let mut spans = vec![Span::styled("listen queue ", theme::LABEL)];
    match d.process.and_then(|p| p.listen_queue.zip(p.listen_max)) {
        Some((len, max)) => {
            let style = if len > 0 { theme::WARN } else { theme::VALUE };
            spans.push(Span::styled(format!("{len}"), style));
            spans.push(Span::styled(
                format!(" of {max} (connected, not accepted)"),
                theme::LABEL,
            ));
        }
        None => spans.push(Span::styled("unknown on this system", theme::LABEL)),
    }
    if d.model() == Some(Model::Pool) {
        let (busy, idle) = d.threads.pool_workers();
        spans.push(Span::styled(
            format!(
                "  workers {busy} busy {idle} idle · queued {}",
                d.threads.queue.len()
            ),
            theme::LABEL,
        ));
        if let Some(max) = d.threads.longest_wait(d.now_us) {
            spans.push(Span::styled(
                format!(" · longest wait {}", fmt::micros(max)),
                theme::LABEL,
            ));
        }
    }
    Line::from(spans)
}

fn status_line(d: &Dashboard) -> Line<'static> {
    let mut spans = Vec::new();
    if d.paused {
        spans.push(Span::styled(" ‖ PAUSED ", theme::PAUSED));
    } else {
        spans.push(Span::styled(" ● RUNNING ", theme::RUNNING));
    }
    match &d.server {
        Some(s) => {
            spans.push(Span::styled(format!(" {} ", s.model), theme::VALUE));
            if s.faithful {
                spans.push(Span::styled("(faithful listing) ", theme::WARN));
            }
            spans.push(Span::styled(s.addr.clone(), theme::VALUE));
            spans.push(Span::styled(
                format!("  backlog {}", s.backlog),
                theme::LABEL,
            ));
            if !is_loopback(&s.addr) {
                spans.push(Span::styled(
                    "  ⚠ reachable beyond this machine",
                    theme::WARN,
                ));
            }
        }
        None => spans.push(Span::styled(" starting…", theme::LABEL)),
    }
    spans.push(Span::styled(
        format!("  up {}", fmt::clock(d.uptime_us())),
        theme::LABEL,
    ));
    spans.push(Span::styled("  clients ", theme::LABEL));
    spans.push(Span::styled(d.conns.live.len().to_string(), theme::VALUE));
    let builtin = d.builtin_count();
    if builtin > 0 {
        spans.push(Span::styled(format!(" (◆ {builtin})"), theme::LABEL));
    }
    if d.paused && d.has_threads() {
        spans.push(Span::styled(
            "  each thread stops before its next call",
            theme::WARN,
        ));
    }
    if d.demo {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(" DEMO ", theme::PAUSED));
    }
    if let Some((t, error)) = &d.accept_error
        && d.now_us.saturating_sub(*t) < 5_000_000
    {
        spans.push(Span::styled(
            format!("  ⚠ accept: {error}, backing off"),
            theme::WARN,
        ));
    }
    Line::from(spans)
}

fn cpu_line(d: &Dashboard) -> Line<'static> {
    Line::from(vec![
        Span::styled("CPU ", theme::LABEL),
        Span::styled(format!("{:.1}%", d.rates().cpu()), theme::CPU),
        Span::styled(" of a core", theme::LABEL),
    ])
}

fn cpu_split_line(d: &Dashboard) -> Line<'static> {
    if !d.server.as_ref().is_some_and(|s| s.cpu_split) {
        return Line::styled("(user/sys split: Linux only)", theme::HINT);
    }
    let rates = d.rates();
    Line::from(vec![
        Span::styled("user ", theme::LABEL),
        Span::styled(format!("{:.1}%", rates.cpu_user), theme::VALUE),
        Span::styled(" sys ", theme::LABEL),
        Span::styled(format!("{:.1}%", rates.cpu_sys), theme::VALUE),
    ])
}

fn would_block_line(d: &Dashboard) -> Line<'static> {
    let [a, r, s] = d.rates().would_block;
    Line::from(vec![
        Span::styled("WouldBlock/s ", theme::LABEL),
        Span::styled("accept ", theme::LABEL),
        Span::styled(fmt::rate(a), theme::VALUE),
        Span::styled("  recv ", theme::LABEL),
        Span::styled(fmt::rate(r), theme::VALUE),
        Span::styled("  send ", theme::LABEL),
        Span::styled(fmt::rate(s), theme::VALUE),
    ])
}

fn extra_line(d: &Dashboard) -> Line<'static> {
    let mut spans = vec![Span::styled("dropped ", theme::LABEL)];
    let style = if d.dropped > 0 {
        theme::WARN
    } else {
        theme::VALUE
    };
    spans.push(Span::styled(fmt::thousands(d.dropped), style));
    // What this model run did: a switch starts these again.
    let totals = d.totals();
    if totals.counted.empty_recvs > 0 {
        spans.push(Span::styled("  recv→b'' /s ", theme::LABEL));
        spans.push(Span::styled(fmt::rate(d.rates().empty_recvs), theme::WARN));
    }
    if totals.evicted > 0 {
        spans.push(Span::styled("  slow readers dropped ", theme::LABEL));
        spans.push(Span::styled(totals.evicted.to_string(), theme::WARN));
    }
    if totals.refused > 0 {
        spans.push(Span::styled("  refused (max-conns) ", theme::LABEL));
        spans.push(Span::styled(fmt::thousands(totals.refused), theme::WARN));
    }
    if totals.lost_bytes > 0 {
        spans.push(Span::styled("  replies lost ", theme::LABEL));
        spans.push(Span::styled(fmt::size(totals.lost_bytes), theme::WARN));
    }
    Line::from(spans)
}

fn is_loopback(addr: &str) -> bool {
    addr.parse::<SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(true)
}
