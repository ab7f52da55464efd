//! The last minute: spins/s and CPU %, one bar a second.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Sparkline, Widget};

use super::{fmt, panel, theme};
use crate::app::{Dashboard, HISTORY_SECS};

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let title = Line::from(vec![
        Span::styled(" History ", theme::TITLE),
        Span::styled(format!("{HISTORY_SECS} s "), theme::LABEL),
    ]);
    let block = panel(d, None, title);
    let inner = block.inner(area);
    block.render(area, buf);
    let [spins, cpu] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Fill(1),
    ]));

    let spin_max = d.spin_history.iter().copied().max().unwrap_or(0);
    let spin_label = Line::from(vec![
        Span::styled(format!("{}/s ", d.loop_unit()), theme::LABEL),
        Span::styled(fmt::rate(d.rates.spins), theme::SPINS),
        Span::styled(format!(" max {}", fmt::thousands(spin_max)), theme::LABEL),
    ]);
    chart(spin_label, &d.spin_history, None, theme::SPINS, spins, buf);

    let cpu_label = Line::from(vec![
        Span::styled("CPU ", theme::LABEL),
        Span::styled(format!("{:.1}%", d.rates.cpu()), theme::CPU),
        Span::styled(" of a core", theme::LABEL),
    ]);
    chart(cpu_label, &d.cpu_history, Some(100), theme::CPU, cpu, buf);
}

/// A label line over a sparkline of the newest values that fit.
fn chart(
    label: Line,
    values: &std::collections::VecDeque<u64>,
    max: Option<u64>,
    style: ratatui::style::Style,
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
    // With no room below the label, the bars go beside it.
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
    let skip = values.len().saturating_sub(bars.width as usize);
    let data: Vec<u64> = values.iter().skip(skip).copied().collect();
    let mut spark = Sparkline::default().data(data).style(style);
    if let Some(m) = max {
        spark = spark.max(m);
    }
    spark.render(bars, buf);
}
