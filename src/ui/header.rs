//! The header: what runs where, the spin counter, and what the loop costs.

use std::net::SocketAddr;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{Fit, MUST};
use super::{bigdigits, fmt, panel, text, theme};
use crate::app::{Dashboard, ThreadState};
use crate::event::{Backoff, Model};
use crate::t;

/// Rows the header takes, borders included.
pub fn height(big: bool) -> u16 {
    if big { 9 } else { 5 }
}

pub fn render(d: &Dashboard, big: bool, area: Rect, buf: &mut Buffer) {
    let block = panel(d, None, Line::styled(" ioscope ", theme::TITLE));
    let inner = block.inner(area);
    block.render(area, buf);
    let (label, count, rate) = counter(d);
    let width = inner.width as usize;

    if big {
        let [status, counter_area, wb, extra] = inner.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));
        status_line(d).line(width).render(status, buf);
        let digits = bigdigits::lines(&fmt::thousands(count), d.view.ascii);
        let digits_width = digits.first().map_or(0, |l| l.width()) as u16;
        let [label_area, number, rates] = counter_area.layout(&Layout::horizontal([
            Constraint::Length(9),
            Constraint::Length(digits_width + 3),
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
        let mut lines = vec![Line::from(cpu_spans(d)), Line::from(cpu_split_spans(d))];
        if let Some(rate) = rate {
            lines.insert(0, Line::from(rate));
        }
        Paragraph::new(lines).render(rates, buf);
        let mut detail = Fit::new().part(MUST, [Span::raw(" ")]);
        detail_parts(d, &mut detail);
        detail.line(width).render(wb, buf);
        let mut more = Fit::new().part(MUST, [Span::raw(" ")]);
        extra_parts(d, &mut more, true);
        more.line(width).render(extra, buf);
    } else {
        let mut second = Fit::new().part(
            MUST,
            [
                Span::styled(format!(" {label} "), theme::LABEL),
                Span::styled(fmt::thousands(count), theme::SPINS),
            ],
        );
        if let Some(rate) = rate {
            second.push(8, [Span::raw("  ")].into_iter().chain(rate));
        }
        second.push(9, [Span::raw("   ")].into_iter().chain(cpu_spans(d)));
        second.push(5, [Span::raw(" ")].into_iter().chain(cpu_split_spans(d)));
        let mut third = Fit::new().part(MUST, [Span::raw(" ")]);
        detail_parts(d, &mut third);
        extra_parts(d, &mut third, false);
        let [status, second_area, third_area] = inner.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));
        status_line(d).line(width).render(status, buf);
        second.line(width).render(second_area, buf);
        third.line(width).render(third_area, buf);
    }
}

/// The model's headline number: spins for the busy loop, wakeups for
/// epoll, live threads for the thread models; and its rate where it has one.
fn counter(d: &Dashboard) -> (String, u64, Option<Vec<Span<'static>>>) {
    let lang = d.view.lang;
    let rate = |r: f64, unit: &str| {
        vec![
            Span::styled(fmt::rate(r), theme::SPINS),
            Span::styled(format!(" {unit}/s"), theme::LABEL),
        ]
    };
    let unit = text::loop_unit(lang, d.model()).into_owned();
    let (totals, rates) = (d.totals(), d.rates());
    match d.model() {
        Some(Model::Multiplex) => (unit.clone(), totals.spins(), Some(rate(rates.spins, &unit))),
        _ if d.has_threads() => {
            let rss = d.process.map_or("?".into(), |p| fmt::bytes(p.rss_bytes));
            let mut spans = vec![
                Span::styled("RSS ", theme::LABEL),
                Span::styled(rss, theme::SPINS),
            ];
            // Resident is what the threads touched; virtual, what their
            // stacks reserve: the lecture's "threads waste memory".
            if let Some(p) = d.process
                && let Some(vm) = p.vm_bytes
            {
                spans.push(Span::styled(
                    format!(" · {} ", t!(lang, "header-virtual")),
                    theme::LABEL,
                ));
                spans.push(Span::styled(fmt::bytes(vm), theme::SPINS));
                if let Some(each) = vm.checked_div(p.threads) {
                    spans.push(Span::styled(
                        format!(
                            " ({})",
                            t!(lang, "header-per-thread", size = fmt::bytes(each))
                        ),
                        theme::LABEL,
                    ));
                }
            }

            (
                t!(lang, "header-threads").into_owned(),
                d.threads.rows.len() as u64,
                Some(spans),
            )
        }
        _ => (unit.clone(), totals.spins(), Some(rate(rates.spins, &unit))),
    }
}

/// What the model is waiting on: WouldBlocks for the non-blocking loops,
/// the listen queue and the pool's queue for the thread models.
fn detail_parts(d: &Dashboard, fit: &mut Fit<'static>) {
    let lang = d.view.lang;
    if !d.has_threads() {
        let [a, r, s] = d.rates().would_block;
        fit.push(9, [Span::styled("WouldBlock/s", theme::LABEL)]);
        for (rank, call, n) in [(9, " accept", a), (9, "  recv", r), (6, "  send", s)] {
            fit.push(
                rank,
                [
                    Span::styled(format!("{call} "), theme::LABEL),
                    Span::styled(fmt::rate(n), theme::VALUE),
                ],
            );
        }
        if d.model() == Some(Model::Multiplex) {
            fit.push(
                4,
                [Span::styled(
                    format!(
                        "  {}",
                        t!(
                            lang,
                            "header-ready-per-wakeup",
                            n = format!("{:.1}", d.rates().ready_per_wakeup)
                        )
                    ),
                    theme::LABEL,
                )],
            );
        }
        listen_parts(d, fit, "  ", 7);
        return;
    }
    listen_parts(d, fit, "", 9);
    if d.model() == Some(Model::Pool) {
        let (busy, idle) = d.threads.pool_workers();
        fit.push(
            8,
            [Span::styled(
                format!("  {}", t!(lang, "header-workers", busy = busy, idle = idle)),
                theme::LABEL,
            )],
        );
        fit.push(
            8,
            [Span::styled(
                format!(
                    " · {}",
                    t!(lang, "header-queued", n = d.threads.queue.len())
                ),
                theme::LABEL,
            )],
        );
        if let Some(max) = d.threads.longest_wait(d.now_us) {
            fit.push(
                7,
                [Span::styled(
                    format!(
                        " · {}",
                        t!(lang, "header-longest-wait", waited = fmt::micros(max))
                    ),
                    theme::LABEL,
                )],
            );
        }
    }
}

/// Connections waiting: the listen queue against the backlog, and the
/// attempts the kernel dropped because it was full (`rank`: how much they
/// matter beside the model's own figures).
fn listen_parts(d: &Dashboard, fit: &mut Fit<'static>, lead: &str, rank: u8) {
    let lang = d.view.lang;
    let mut queue = vec![Span::styled(
        format!("{lead}{} ", t!(lang, "header-listen-queue")),
        theme::LABEL,
    )];
    match d.process.and_then(|p| p.listen_queue.zip(p.listen_max)) {
        Some((len, max)) => {
            let style = if len > 0 { theme::WARN } else { theme::VALUE };
            queue.push(Span::styled(format!("{len}"), style));
            queue.push(Span::styled(
                format!(" {}", t!(lang, "header-of-max", max = max)),
                theme::LABEL,
            ));
            fit.push(rank, queue);
            fit.push(
                3,
                [Span::styled(
                    format!(" ({})", t!(lang, "header-listen-queue-means")),
                    theme::LABEL,
                )],
            );
        }
        // The thread models are about the queue: say it cannot be seen.
        None if d.has_threads() => {
            queue.push(Span::styled(
                t!(lang, "header-listen-queue-unknown"),
                theme::LABEL,
            ));
            fit.push(4, queue);
        }
        None => {}
    }
    if let Some(dropped) = d.overflows.since_run() {
        let rate = d.overflows.rate(d.now_us);
        let style = if dropped > 0 {
            theme::WARN
        } else {
            theme::VALUE
        };
        let mut spans = vec![
            Span::styled(format!("  {} ", t!(lang, "header-overflows")), theme::LABEL),
            Span::styled(fmt::thousands(dropped), style),
        ];
        if rate > 0.0 {
            spans.push(Span::styled(format!(" +{}/s", fmt::rate(rate)), style));
        }
        fit.push(if dropped > 0 { rank } else { 2 }, spans);
        fit.push(
            2,
            [Span::styled(
                format!(" ({})", t!(lang, "header-overflows-scope")),
                theme::LABEL,
            )],
        );
    }
}

/// A single loop parked in a blocking call (`--verbatim`): the room sees
/// the whole server wait on one client — " ⏸ parked in recv() on #1 for
/// 12.3 s ".
fn loop_parked(d: &Dashboard) -> Option<String> {
    if d.has_threads() {
        return None;
    }
    d.threads.rows.values().find_map(|r| match r.state {
        ThreadState::Blocked { call, conn } => {
            let waited = fmt::micros(d.now_us.saturating_sub(r.since_us));
            Some(format!(
                " {} ",
                text::loop_parked(d.view.lang, call, conn, &waited)
            ))
        }
        ThreadState::Running => None,
    })
}

fn status_line(d: &Dashboard) -> Fit<'static> {
    let lang = d.view.lang;
    let badge = if d.paused {
        Span::styled(format!(" ‖ {} ", t!(lang, "header-paused")), theme::PAUSED)
    } else {
        Span::styled(
            format!(" ● {} ", t!(lang, "header-running")),
            theme::RUNNING,
        )
    };
    let mut fit = Fit::new().part(MUST, [badge]);
    if d.pace.call_delay_us > 0 {
        fit.push(
            8,
            [Span::styled(
                format!(" {} ", text::slow_motion(lang, d.pace.call_delay_us)),
                theme::PAUSED,
            )],
        );
    }
    match &d.server {
        Some(s) => {
            fit.push(
                MUST,
                [Span::styled(
                    format!(" {} ", text::model_name(lang, s.model)),
                    theme::VALUE,
                )],
            );
            if s.verbatim {
                fit.push(
                    7,
                    [Span::styled(
                        format!("({}) ", t!(lang, "header-verbatim")),
                        theme::WARN,
                    )],
                );
            } else if s.faithful {
                fit.push(
                    7,
                    [Span::styled(
                        format!("({}) ", t!(lang, "header-faithful")),
                        theme::WARN,
                    )],
                );
            }
            if let Some(parked) = loop_parked(d) {
                fit.push(MUST, [Span::styled(parked, theme::PAUSED)]);
            }
            if s.model == Model::Nonblocking && d.pace.backoff != Backoff::Spin {
                fit.push(
                    7,
                    [Span::styled(
                        format!(
                            "({}) ",
                            text::backoff(lang, d.pace.backoff, d.pace.backoff_us)
                        ),
                        theme::WARN,
                    )],
                );
            }
            fit.push(8, [Span::styled(s.addr.clone(), theme::VALUE)]);
            fit.push(
                2,
                [Span::styled(
                    format!("  {}", t!(lang, "header-backlog", backlog = s.backlog)),
                    theme::LABEL,
                )],
            );
            if !is_loopback(&s.addr) {
                fit.push(
                    8,
                    [Span::styled(
                        format!("  ⚠ {}", t!(lang, "header-reachable")),
                        theme::WARN,
                    )],
                );
            }
        }
        None => fit.push(
            MUST,
            [Span::styled(
                format!(" {}", t!(lang, "header-starting")),
                theme::LABEL,
            )],
        ),
    }
    fit.push(
        3,
        [Span::styled(
            format!(
                "  {}",
                t!(lang, "header-up", clock = fmt::clock(d.uptime_us()))
            ),
            theme::LABEL,
        )],
    );
    fit.push(
        7,
        [
            Span::styled(format!("  {} ", t!(lang, "header-clients")), theme::LABEL),
            Span::styled(d.conns.live.len().to_string(), theme::VALUE),
        ],
    );
    let builtin = d.builtin_count();
    if builtin > 0 {
        fit.push(4, [Span::styled(format!(" (◆ {builtin})"), theme::LABEL)]);
    }
    if d.paused && d.has_threads() {
        fit.push(
            5,
            [Span::styled(
                format!("  {}", t!(lang, "header-threads-hold")),
                theme::WARN,
            )],
        );
    }
    if d.demo {
        fit.push(
            6,
            [
                Span::raw("  "),
                Span::styled(format!(" {} ", t!(lang, "header-demo")), theme::PAUSED),
            ],
        );
    }
    if let Some((t, error)) = &d.accept_error
        && d.now_us.saturating_sub(*t) < 5_000_000
    {
        fit.push(
            9,
            [Span::styled(
                format!(
                    "  ⚠ {}",
                    t!(lang, "header-accept-error", error = error.as_str())
                ),
                theme::WARN,
            )],
        );
    }
    fit
}

fn cpu_spans(d: &Dashboard) -> Vec<Span<'static>> {
    vec![
        Span::styled("CPU ", theme::LABEL),
        Span::styled(format!("{:.1}%", d.rates().cpu()), theme::CPU),
        Span::styled(
            format!(" {}", t!(d.view.lang, "cpu-of-a-core")),
            theme::LABEL,
        ),
    ]
}

fn cpu_split_spans(d: &Dashboard) -> Vec<Span<'static>> {
    let lang = d.view.lang;
    if !d.server.as_ref().is_some_and(|s| s.cpu_split) {
        return vec![Span::styled(
            format!("({})", t!(lang, "header-cpu-split-linux-only")),
            theme::HINT,
        )];
    }
    let rates = d.rates();
    vec![
        Span::styled(format!("{} ", t!(lang, "header-cpu-user")), theme::LABEL),
        Span::styled(format!("{:.1}%", rates.cpu_user), theme::VALUE),
        Span::styled(format!(" {} ", t!(lang, "header-cpu-sys")), theme::LABEL),
        Span::styled(format!("{:.1}%", rates.cpu_sys), theme::VALUE),
    ]
}

/// What is lost, dropped or refused: the values that warn (`first`: they
/// start the line).
fn extra_parts(d: &Dashboard, fit: &mut Fit<'static>, first: bool) {
    let lang = d.view.lang;
    let style = if d.dropped > 0 {
        theme::WARN
    } else {
        theme::VALUE
    };
    fit.push(
        if d.dropped > 0 { 9 } else { 5 },
        [
            Span::styled(
                format!(
                    "{}{} ",
                    if first { "" } else { "  " },
                    t!(lang, "header-dropped")
                ),
                theme::LABEL,
            ),
            Span::styled(fmt::thousands(d.dropped), style),
        ],
    );
    // What this model run did: a switch starts these again.
    let totals = d.totals();
    let mut warn = |label: &str, value: String| {
        fit.push(
            8,
            [
                Span::styled(format!("  {label} "), theme::LABEL),
                Span::styled(value, theme::WARN),
            ],
        );
    };
    if totals.counted.empty_recvs > 0 {
        warn("recv→b'' /s", fmt::rate(d.rates().empty_recvs));
    }
    if totals.evicted > 0 {
        warn(
            &t!(lang, "header-slow-readers-dropped"),
            fmt::thousands(totals.evicted),
        );
    }
    if totals.refused > 0 {
        warn(&t!(lang, "header-refused"), fmt::thousands(totals.refused));
    }
    if totals.lost_bytes > 0 {
        warn(
            &t!(lang, "header-replies-lost"),
            fmt::size(totals.lost_bytes),
        );
    }
}

fn is_loopback(addr: &str) -> bool {
    addr.parse::<SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(true)
}
