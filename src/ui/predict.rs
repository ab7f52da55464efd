//! The room's guess: the question while an outcome is held back, the
//! answer beside the guesses once it is revealed. A box at the foot of the
//! body; the panels under it go on.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::{text, theme};
use crate::app::{Answered, Dashboard};
use crate::event::Call;

/// Draws the box if prediction is on; `body` is the area between the
/// header and the footer.
pub fn render(d: &Dashboard, body: Rect, buf: &mut Buffer) {
    let p = &d.prediction;
    if !p.on || body.height < 7 {
        return;
    }
    // Above the bottom border of the panels under it.
    let width = body.width.min(78);
    let area = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.bottom() - 6,
        width,
        height: 5,
    };
    let (question, lines) = match (p.asking(), p.answered) {
        (Some(q), answered) => {
            // The last answer stays in sight under the next question.
            let under = match answered {
                Some(a) => {
                    let (label, guessed) = answer(&a);
                    let call = text::question_call(a.question.call, a.question.conn);
                    Line::from(vec![
                        Span::styled(" last: ", theme::HINT),
                        Span::styled(format!("{call} → {label} · {guessed}"), theme::LABEL),
                        Span::styled(text::GUESS_HINT, theme::HINT),
                    ])
                }
                None => Line::styled(text::GUESS_HINT, theme::HINT),
            };
            (
                text::question(q.call, q.conn),
                vec![options(q.call, &p.guesses), under],
            )
        }
        (None, Some(a)) => {
            let (label, guessed) = answer(&a);
            (
                text::question(a.question.call, a.question.conn),
                vec![
                    Line::from(vec![
                        Span::styled(" → ", theme::LABEL),
                        Span::styled(label, theme::PAUSED_TEXT),
                        Span::styled(format!("   {guessed}"), theme::LABEL),
                    ]),
                    Line::styled(text::NEXT_GUESS_HINT, theme::HINT),
                ],
            )
        }
        (None, None) => (
            text::GUESS_WAITING.to_string(),
            vec![Line::styled(text::NEXT_GUESS_HINT, theme::HINT)],
        ),
    };
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(text::GUESS_TITLE, theme::TITLE));
    let mut all = vec![Line::styled(format!(" {question}"), theme::VALUE)];
    all.extend(lines);
    Paragraph::new(all).block(block).render(area, buf);
}

/// The answers a call can have, numbered, with the guesses counted.
fn options(call: Call, guesses: &[u32; 4]) -> Line<'static> {
    let spans: Vec<Span> = text::outcomes(call)
        .into_iter()
        .enumerate()
        .filter_map(|(i, label)| label.map(|l| (i, l)))
        .flat_map(|(i, label)| {
            [
                Span::styled(format!(" {} ", i + 1), theme::TITLE),
                Span::styled(format!("{label} "), theme::DATA),
                Span::styled(format!("[{}]  ", guesses[i]), theme::VALUE),
            ]
        })
        .collect();
    Line::from(spans)
}

/// What came back, and how the room did.
fn answer(a: &Answered) -> (&'static str, String) {
    let i = a.answer.index();
    let label = text::outcomes(a.question.call)[i].unwrap_or("?");
    (
        label,
        text::guessed_right(a.guesses[i], a.guesses.iter().sum()),
    )
}
