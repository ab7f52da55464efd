//! The last minute, a bar a second: loop iterations per second and CPU %;
//! for the thread models, threads and the virtual memory they reserve.
//! Each model run's bars are scaled in its own unit (spins, wakeups, recv
//! calls); a marker column stands where one run ended and the next began,
//! and the runs are named under the bars.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fit::{Fit, MUST};
use super::{fmt, panel, text, theme};
use crate::app::{Bar, Column, Dashboard, HISTORY_SECS};
use crate::t;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Eighths of a cell, for bars drawn in sub-cell steps.
const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let title = Line::from(vec![
        Span::styled(format!(" {} ", t!(lang, "history-title")), theme::TITLE),
        Span::styled(format!("{HISTORY_SECS} s "), theme::LABEL),
    ]);
    let block = panel(d, None, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let columns = d.history.columns(inner.width as usize);
    // The run names go under the bars when there is room for them.
    let legend = inner.height >= 6;
    let [charts, legend_area] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(u16::from(legend)),
    ]));
    let [loops_area, cpu_area] = charts.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Fill(1),
    ]));

    if d.has_threads() {
        // The thread models' cost is threads and the memory they reserve:
        // the lecture's "threads waste memory", growing second by second.
        let (threads, vm) = d.process.map_or((0, None), |p| (p.threads, p.vm_bytes));
        let width = inner.width as usize;
        let threads_label = Fit::new()
            .part(
                MUST,
                [
                    Span::styled(format!("{} ", t!(lang, "header-threads")), theme::LABEL),
                    Span::styled(fmt::thousands(threads), theme::SPINS),
                ],
            )
            .line(width);
        chart(
            threads_label,
            &columns,
            Scale::Threads,
            theme::SPINS,
            loops_area,
            buf,
        );
        let memory_label = Fit::new()
            .part(
                MUST,
                [
                    Span::styled(format!("{} ", t!(lang, "header-virtual")), theme::LABEL),
                    Span::styled(vm.map_or("?".into(), fmt::bytes), theme::CPU),
                ],
            )
            .line(width);
        chart(
            memory_label,
            &columns,
            Scale::Memory,
            theme::CPU,
            cpu_area,
            buf,
        );
        if legend {
            legend_line(d, &columns, legend_area.width as usize).render(legend_area, buf);
        }
        return;
    }
    let rates = d.rates();
    let unit = text::loop_unit(lang, d.model());
    // The current run's peak, the rate now included, so "now" is never
    // above "max".
    let current = d.run().map_or(0, |r| r.seq);
    let peak = d
        .history
        .bars()
        .iter()
        .filter(|b| b.run == current)
        .map(|b| b.loops)
        .chain([rates.spins.round() as u64])
        .max()
        .unwrap_or(0);
    let width = inner.width as usize;
    let loops_label = Fit::new()
        .part(
            MUST,
            [
                Span::styled(format!("{unit}/s "), theme::LABEL),
                Span::styled(fmt::rate(rates.spins), theme::SPINS),
            ],
        )
        .part(
            5,
            [Span::styled(
                format!(" {}", t!(lang, "history-max", n = fmt::thousands(peak))),
                theme::LABEL,
            )],
        )
        .line(width);
    chart(
        loops_label,
        &columns,
        Scale::PerRun,
        theme::SPINS,
        loops_area,
        buf,
    );

    let cpu_label = Fit::new()
        .part(
            MUST,
            [
                Span::styled("CPU ", theme::LABEL),
                Span::styled(format!("{:.1}%", rates.cpu()), theme::CPU),
            ],
        )
        .part(
            5,
            [Span::styled(
                format!(" {}", t!(lang, "cpu-of-a-core")),
                theme::LABEL,
            )],
        )
        .line(width);
    chart(cpu_label, &columns, Scale::Cpu, theme::CPU, cpu_area, buf);

    if legend {
        legend_line(d, &columns, legend_area.width as usize).render(legend_area, buf);
    }
}

/// What bars show and how they are scaled: loops, threads and memory by
/// each run's own peak (its unit is its own), CPU on one scale for all
/// (100% of a core, more with threads).
#[derive(Clone, Copy)]
enum Scale {
    PerRun,
    Cpu,
    Threads,
    Memory,
}

fn value(bar: &Bar, scale: Scale) -> u64 {
    match scale {
        Scale::PerRun => bar.loops,
        Scale::Cpu => bar.cpu_pct,
        Scale::Threads => bar.threads,
        Scale::Memory => bar.vm_mib,
    }
}

/// A label line over the bars; with no room below the label, the bars go
/// beside it.
fn chart(
    label: Line,
    columns: &[Column],
    scale: Scale,
    style: Style,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.height == 0 {
        return;
    }
    let [label_area, bars] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
    ]));
    let label_width = label.width() as u16;
    label.render(label_area, buf);
    let bars = if bars.height == 0 {
        let used = label_area.width.min(label_width + 1);
        Rect {
            x: label_area.x + used,
            width: label_area.width - used,
            ..label_area
        }
    } else {
        bars
    };
    let columns = &columns[columns.len().saturating_sub(bars.width as usize)..];
    // Each run's peak, and the peak of all, once for the whole chart.
    let mut peaks: Vec<(usize, u64)> = Vec::new();
    let mut peak_of_all = 0;
    for column in columns {
        if let Column::Bar(b) = column {
            let v = value(b, scale);
            peak_of_all = peak_of_all.max(v);
            match peaks.last_mut() {
                Some((run, peak)) if *run == b.run => *peak = (*peak).max(v),
                _ => peaks.push((b.run, v)),
            }
        }
    }
    let peak_of = |run: usize| peaks.iter().find(|(r, _)| *r == run).map_or(0, |p| p.1);
    let height = u64::from(bars.height);
    for (x, column) in (bars.x..).zip(columns) {
        match column {
            Column::Switch => {
                for y in bars.y..bars.bottom() {
                    buf[(x, y)].set_symbol("│").set_style(theme::SWITCH);
                }
            }
            Column::Bar(bar) => {
                let max = match scale {
                    Scale::Cpu => peak_of_all.max(100),
                    _ => peak_of(bar.run),
                };
                let v = value(bar, scale);
                // In eighths of a cell; a non-zero value shows at least one.
                let mut eighths = (v * height * 8).div_ceil(max.max(1));
                if v > 0 {
                    eighths = eighths.max(1);
                }
                for row in 0..height {
                    let y = bars.bottom() - 1 - row as u16;
                    let fill = eighths.saturating_sub(row * 8).min(8) as usize;
                    let cell = &mut buf[(x, y)];
                    if row == 0 && bar.paused && v == 0 {
                        cell.set_symbol("‖").set_style(theme::HINT);
                    } else if row == 0 && fill == 0 {
                        // Time passes even when nothing ran.
                        cell.set_symbol("·").set_style(theme::HINT);
                    } else {
                        cell.set_symbol(EIGHTHS[fill]).set_style(style);
                    }
                }
            }
        }
    }
}

/// The models under their bars: each name starts at its run's first column
/// and is cut where the next run begins; the newest may run on into the
/// empty columns after it.
fn legend_line(d: &Dashboard, columns: &[Column], width: usize) -> Line<'static> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < columns.len() {
        match columns[i] {
            Column::Switch => {
                spans.push(Span::styled("│", theme::SWITCH));
                i += 1;
            }
            Column::Bar(bar) => {
                let run_width = columns[i..]
                    .iter()
                    .take_while(|c| matches!(c, Column::Bar(b) if b.run == bar.run))
                    .count();
                let last = i + run_width == columns.len();
                let room = if last {
                    width.saturating_sub(i)
                } else {
                    run_width
                };
                let name = d.run_by_seq(bar.run).map_or(String::new(), |r| {
                    text::model_name(d.view.lang, r.model).into_owned()
                });
                // Whole characters only, by display width (CJK is two).
                let mut shown = String::new();
                for c in name.chars() {
                    if shown.width() + c.width().unwrap_or(0) > room {
                        break;
                    }
                    shown.push(c);
                }
                let pad = room.saturating_sub(shown.width());
                spans.push(Span::styled(shown, theme::LABEL));
                spans.push(Span::raw(" ".repeat(pad)));
                i += run_width;
            }
        }
    }
    Line::from(spans)
}
