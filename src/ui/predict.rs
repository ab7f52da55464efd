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
use crate::i18n::Lang;
use crate::t;

/// Draws the box if prediction is on; `body` is the area between the
/// header and the footer.
pub fn render(d: &Dashboard, body: Rect, buf: &mut Buffer) {
    let lang = d.view.lang;
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
                    let (label, guessed) = answer(lang, &a);
                    let call = text::question_call(a.question.call, a.question.conn);
                    Line::from(vec![
                        Span::styled(format!(" {} ", t!(lang, "predict-last")), theme::HINT),
                        Span::styled(format!("{call} → {label} · {guessed}"), theme::LABEL),
                        Span::styled(guess_hint(lang), theme::HINT),
                    ])
                }
                None => Line::styled(guess_hint(lang), theme::HINT),
            };
            (
                text::question(lang, q.call, q.conn),
                vec![options(lang, q.call, &p.guesses), under],
            )
        }
        (None, Some(a)) => {
            let (label, guessed) = answer(lang, &a);
            (
                text::question(lang, a.question.call, a.question.conn),
                vec![
                    Line::from(vec![
                        Span::styled(" → ", theme::LABEL),
                        Span::styled(label, theme::PAUSED_TEXT),
                        Span::styled(format!("   {guessed}"), theme::LABEL),
                    ]),
                    Line::styled(next_guess_hint(lang), theme::HINT),
                ],
            )
        }
        (None, None) => (
            t!(lang, "predict-waiting").into_owned(),
            vec![Line::styled(next_guess_hint(lang), theme::HINT)],
        ),
    };
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(theme::BORDER_FOCUS)
        .title(Line::styled(
            format!(" {} ", t!(lang, "predict-title")),
            theme::TITLE,
        ));
    let mut all = vec![Line::styled(format!(" {question}"), theme::VALUE)];
    all.extend(lines);
    Paragraph::new(all).block(block).render(area, buf);
}

/// The answers a call can have, numbered, with the guesses counted.
/// Under the question.
fn guess_hint(lang: Lang) -> String {
    format!(" {}", t!(lang, "predict-guess-hint"))
}

/// Under an answer.
fn next_guess_hint(lang: Lang) -> String {
    format!(" {}", t!(lang, "predict-next-hint"))
}

fn options(lang: Lang, call: Call, guesses: &[u32; 4]) -> Line<'static> {
    let spans: Vec<Span> = text::outcomes(lang, call)
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
fn answer(lang: Lang, a: &Answered) -> (String, String) {
    let i = a.answer.index();
    let label = text::outcomes(lang, a.question.call)
        .into_iter()
        .nth(i)
        .flatten()
        .map_or_else(|| "?".to_string(), |l| l.into_owned());
    (
        label,
        text::guessed_right(lang, a.guesses[i], a.guesses.iter().sum()),
    )
}
