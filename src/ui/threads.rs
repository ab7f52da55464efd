//! The thread models' panel: where every server thread is parked, for how
//! long, and (pool) who waits in the queue.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{Fit, MUST};
use super::{fmt, lists::scrollbar, panel, theme, window};
use crate::app::{Dashboard, Panel, ThreadState};
use crate::t;
use unicode_width::UnicodeWidthStr;

pub fn render(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
    let t = &d.threads;
    let mut title = vec![
        Span::styled(format!(" {} ", t!(lang, "threads-title")), theme::TITLE),
        Span::styled(format!("{} ", t.rows.len()), theme::VALUE),
    ];
    if d.model() == Some(crate::event::Model::Pool) {
        let (busy, idle) = t.pool_workers();
        title.push(Span::styled(
            format!(
                "· {} · {} ",
                t!(lang, "threads-workers", busy = busy, idle = idle),
                t!(lang, "threads-queue", n = t.queue.len())
            ),
            theme::LABEL,
        ));
    }
    // After what matters more, and only whole.
    let counts = format!(
        "· {} ",
        t!(
            lang,
            "threads-started-ended",
            started = t.started,
            ended = t.ended
        )
    );
    let used: usize = title.iter().map(Span::width).sum();
    if used + counts.width() + 2 <= area.width as usize {
        title.push(Span::styled(counts, theme::LABEL));
    }
    let block = panel(d, Some(Panel::Ready), Line::from(title)).title_bottom(Line::styled(
        format!(" {} ", t!(lang, "threads-legend")),
        theme::HINT,
    ));
    let inner = block.inner(area);
    block.render(area, buf);

    let mut lines: Vec<Line> = Vec::new();
    for (conn, since) in &t.queue {
        let held = fmt::micros(d.now_us.saturating_sub(*since));
        lines.push(
            Fit::new()
                .part(
                    MUST,
                    [Span::styled(
                        format!("{:<10}", format!("#{conn} ")),
                        theme::VALUE,
                    )],
                )
                .part(7, [Span::styled(format!("{held:>8} "), theme::LABEL)])
                .part(
                    MUST,
                    [Span::styled(t!(lang, "threads-queued"), theme::WARN)],
                )
                .part(
                    4,
                    [Span::styled(
                        format!(", {}", t!(lang, "threads-no-free-worker")),
                        theme::WARN,
                    )],
                )
                .line(inner.width as usize),
        );
    }
    for row in t.rows.values() {
        let held = fmt::micros(d.now_us.saturating_sub(row.since_us));
        let mut spans = vec![Span::styled(
            format!("{:<10}", format!("{} ", row.name)),
            theme::VALUE,
        )];
        match row.state {
            _ if row.held => {
                spans.push(Span::styled(format!("{held:>8} "), theme::LABEL));
                spans.push(Span::styled(
                    format!("‖ {}", t!(lang, "threads-paused")),
                    theme::PAUSED_TEXT,
                ));
            }
            ThreadState::Blocked { call, conn } => {
                spans.push(Span::styled(format!("{held:>8} "), theme::LABEL));
                spans.push(Span::styled(format!("{}()", call.name()), theme::WARN));
                if let Some(c) = conn {
                    spans.push(Span::styled(format!(" #{c}"), theme::VALUE));
                }
            }
            ThreadState::Running => {
                spans.push(Span::styled(
                    t!(lang, "threads-running"),
                    theme::RUNNING_TEXT,
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    if lines.is_empty() {
        lines.push(Line::styled(t!(lang, "threads-none-yet"), theme::HINT));
    }
    let height = inner.height as usize;
    d.view.set_rows(Panel::Ready, height);
    let (first, end) = window(lines.len(), height, d.view.scroll_of(Panel::Ready));
    let len = lines.len();
    Paragraph::new(lines.drain(first..end).collect::<Vec<_>>()).render(inner, buf);
    scrollbar(len, height, first, area, buf);
}
