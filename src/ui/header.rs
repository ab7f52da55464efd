//! The header: what runs where, the spin counter, and what the loop costs.

use std::net::SocketAddr;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{bigdigits, fmt, panel, theme};
use crate::app::Dashboard;

/// Rows the header takes, borders included.
pub fn height(big: bool) -> u16 {
    if big { 9 } else { 5 }
}

pub fn render(d: &Dashboard, big: bool, area: Rect, buf: &mut Buffer) {
    let block = panel(d, None, Line::styled(" ioscope ", theme::TITLE));
    let inner = block.inner(area);
    block.render(area, buf);

    if big {
        let [status, counter, wb, extra] = inner.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));
        status_line(d).render(status, buf);
        let digits = bigdigits::lines(&fmt::thousands(d.totals.spins));
        let width = digits.first().map_or(0, |l| l.width()) as u16;
        let [label, number, rates] = counter.layout(&Layout::horizontal([
            Constraint::Length(7),
            Constraint::Length(width + 3),
            Constraint::Fill(1),
        ]));
        Paragraph::new(vec![Line::from(""), Line::styled("spins", theme::LABEL)])
            .render(label, buf);
        Paragraph::new(
            digits
                .into_iter()
                .map(|l| l.style(theme::SPINS))
                .collect::<Vec<_>>(),
        )
        .render(number, buf);
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(fmt::rate(d.rates.spins), theme::SPINS),
                Span::styled(" spins/s", theme::LABEL),
            ]),
            cpu_line(d),
            cpu_split_line(d),
        ])
        .render(rates, buf);
        would_block_line(d).render(wb, buf);
        extra_line(d).render(extra, buf);
    } else {
        let mut spins = vec![
            Span::styled(" spins ", theme::LABEL),
            Span::styled(fmt::thousands(d.totals.spins), theme::SPINS),
            Span::styled("  ", theme::LABEL),
            Span::styled(fmt::rate(d.rates.spins), theme::SPINS),
            Span::styled("/s   ", theme::LABEL),
        ];
        spins.extend(cpu_line(d).spans);
        spins.push(Span::raw(" "));
        spins.extend(cpu_split_line(d).spans);
        let mut third = vec![Span::raw(" ")];
        third.extend(would_block_line(d).spans);
        third.push(Span::raw("  "));
        third.extend(extra_line(d).spans);
        Paragraph::new(vec![status_line(d), Line::from(spins), Line::from(third)])
            .render(inner, buf);
    }
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
    spans.push(Span::styled(d.conns.len().to_string(), theme::VALUE));
    let builtin = d.builtin_count();
    if builtin > 0 {
        spans.push(Span::styled(format!(" ({builtin} built-in)"), theme::LABEL));
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
        Span::styled(format!("{:.1}%", d.rates.cpu()), theme::CPU),
        Span::styled(" of a core", theme::LABEL),
    ])
}

fn cpu_split_line(d: &Dashboard) -> Line<'static> {
    if !crate::sys::CPU_SPLIT {
        return Line::styled("(user/sys split: Linux only)", theme::HINT);
    }
    Line::from(vec![
        Span::styled("user ", theme::LABEL),
        Span::styled(format!("{:.1}%", d.rates.cpu_user), theme::VALUE),
        Span::styled(" sys ", theme::LABEL),
        Span::styled(format!("{:.1}%", d.rates.cpu_sys), theme::VALUE),
    ])
}

fn would_block_line(d: &Dashboard) -> Line<'static> {
    let [a, r, s] = d.rates.would_block;
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
    let style = if d.totals.dropped > 0 {
        theme::WARN
    } else {
        theme::VALUE
    };
    spans.push(Span::styled(fmt::thousands(d.totals.dropped), style));
    if d.totals.empty_recvs > 0 {
        spans.push(Span::styled("  recv→b'' /s ", theme::LABEL));
        spans.push(Span::styled(fmt::rate(d.rates.empty_recvs), theme::WARN));
    }
    if d.totals.lost_bytes > 0 {
        spans.push(Span::styled("  replies lost ", theme::LABEL));
        spans.push(Span::styled(fmt::bytes(d.totals.lost_bytes), theme::WARN));
    }
    Line::from(spans)
}

fn is_loopback(addr: &str) -> bool {
    addr.parse::<SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(true)
}
