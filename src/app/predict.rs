//! The room guesses: with prediction on, while the loop is stepped or in
//! slow motion, the outcome of the next call is held back — the call has
//! really happened, only the screen waits — until the lecturer reveals it,
//! with the guesses typed meanwhile beside the answer.

use std::collections::VecDeque;

use crate::event::{Call, ConnId, Event, EventKind};

/// Events held back at most; beyond, the oldest go on to the screen (a
/// slow-motion loop left running with nobody revealing).
pub const HELD_CAP: usize = 4_096;

/// A call whose outcome the room can guess, as the screen asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub call: Call,
    pub conn: Option<ConnId>,
}

/// The outcomes a call can have, in the order the screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// accept: a new client; recv: bytes; send: all of the reply.
    Data,
    WouldBlock,
    /// recv: 0 bytes (the peer closed); send: part of it (the rest queued).
    Zero,
    /// A reset, or another error (EMFILE for accept).
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Data,
        Outcome::WouldBlock,
        Outcome::Zero,
        Outcome::Error,
    ];

    pub fn index(self) -> usize {
        Outcome::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// The question a call event answers, and its answer; `None` for events
/// that are no call the room could guess.
pub fn question(kind: &EventKind) -> Option<(Question, Outcome)> {
    let q = |call, conn| Question { call, conn };
    Some(match kind {
        // accept's question names no connection: the answer makes one.
        EventKind::Accept { .. } => (q(Call::Accept, None), Outcome::Data),
        EventKind::AcceptError { .. } | EventKind::Refused { .. } => {
            (q(Call::Accept, None), Outcome::Error)
        }
        EventKind::WouldBlockOn { call, conn } => (q(*call, *conn), Outcome::WouldBlock),
        EventKind::Recv { conn, bytes, .. } => (
            q(Call::Recv, Some(*conn)),
            if *bytes > 0 {
                Outcome::Data
            } else {
                Outcome::Zero
            },
        ),
        EventKind::Closed { conn } => (q(Call::Recv, Some(*conn)), Outcome::Zero),
        EventKind::Reset { conn, call, .. } => (q(*call, Some(*conn)), Outcome::Error),
        EventKind::Send {
            conn,
            bytes,
            pending,
            ..
        } => {
            // A send of nothing with bytes queued is the outcome of a send
            // already asked about (it would block), or of none.
            if *bytes == 0 && *pending > 0 {
                return None;
            }
            let outcome = if *pending > 0 {
                Outcome::Zero
            } else {
                Outcome::Data
            };
            (q(Call::Send, Some(*conn)), outcome)
        }
        _ => return None,
    })
}

/// A question answered: what came back, and the guesses for each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    pub question: Question,
    pub answer: Outcome,
    pub guesses: [u32; 4],
}

#[derive(Debug, Clone, Default)]
pub struct Prediction {
    pub on: bool,
    /// From the call being guessed on, in order.
    held: VecDeque<Event>,
    /// Guesses typed for the question on screen, by outcome.
    pub guesses: [u32; 4],
    /// The last question revealed.
    pub answered: Option<Answered>,
}

impl Prediction {
    /// The question on screen, if an outcome is held back.
    pub fn asking(&self) -> Option<Question> {
        self.held
            .front()
            .and_then(|e| question(&e.kind))
            .map(|(q, _)| q)
    }

    /// Takes `event` if it must wait: prediction is on, the loop is
    /// stepped or slowed down (`slow`), and it is a call the room guesses,
    /// or comes after one that waits. Otherwise hands it back.
    pub fn hold(&mut self, event: &Event, slow: bool) -> bool {
        if !self.on || (self.held.is_empty() && !(slow && question(&event.kind).is_some())) {
            return false;
        }
        self.held.push_back(event.clone());
        true
    }

    /// Held events beyond [`HELD_CAP`]: they go on to the screen now.
    pub fn overflow(&mut self) -> Option<Event> {
        (self.held.len() > HELD_CAP)
            .then(|| self.held.pop_front())
            .flatten()
    }

    /// A guess for outcome `i` (0 to 3), while a question is on screen.
    pub fn guess(&mut self, i: usize) {
        if self.asking().is_some() {
            if let Some(n) = self.guesses.get_mut(i) {
                *n += 1;
            }
        }
    }

    /// The answer: the held call and what came after it, up to the next
    /// call the room guesses (which waits in its turn), to be applied.
    pub fn reveal(&mut self) -> Vec<Event> {
        let Some(first) = self.held.pop_front() else {
            return Vec::new();
        };
        if let Some((question, answer)) = question(&first.kind) {
            self.answered = Some(Answered {
                question,
                answer,
                guesses: std::mem::take(&mut self.guesses),
            });
        }
        let mut out = vec![first];
        while let Some(e) = self.held.front() {
            if question(&e.kind).is_some() {
                break;
            }
            out.extend(self.held.pop_front());
        }
        out
    }

    /// Prediction on or off; off, everything held goes to the screen.
    pub fn toggle(&mut self) -> Vec<Event> {
        self.on = !self.on;
        self.guesses = [0; 4];
        if self.on {
            self.answered = None;
            Vec::new()
        } else {
            self.held.drain(..).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t_us: u64, kind: EventKind) -> Event {
        Event { t_us, kind }
    }

    fn would_block(conn: ConnId) -> Event {
        ev(
            1,
            EventKind::WouldBlockOn {
                call: Call::Recv,
                conn: Some(conn),
            },
        )
    }

    #[test]
    fn the_next_call_waits_for_the_reveal_with_what_comes_after_it() {
        let mut p = Prediction::default();
        assert!(!p.hold(&would_block(1), true), "off: nothing waits");
        p.toggle();
        assert!(!p.hold(&would_block(1), false), "full speed: nothing waits");
        let paused = ev(
            2,
            EventKind::Paused {
                paused: true,
                thread: None,
            },
        );
        assert!(!p.hold(&paused, true), "not a call");
        assert!(p.hold(&would_block(3), true));
        assert!(
            p.hold(&paused, true),
            "behind a held call, everything waits"
        );
        assert!(p.hold(&would_block(4), true));
        assert_eq!(
            p.asking(),
            Some(Question {
                call: Call::Recv,
                conn: Some(3)
            })
        );
        p.guess(1);
        p.guess(1);
        p.guess(0);
        p.guess(7); // no such answer: ignored
        let shown = p.reveal();
        assert_eq!(shown.len(), 2, "the call and the park after it");
        let answered = p.answered.unwrap();
        assert_eq!(answered.answer, Outcome::WouldBlock);
        assert_eq!(answered.guesses, [1, 2, 0, 0]);
        assert_eq!(p.guesses, [0; 4], "the next question starts afresh");
        assert_eq!(
            p.asking().and_then(|q| q.conn),
            Some(4),
            "the next call waits"
        );
        // Off: the rest goes to the screen.
        assert_eq!(p.toggle().len(), 1);
        assert_eq!(p.asking(), None);
    }

    #[test]
    fn each_call_has_its_answer() {
        let cases = [
            (
                EventKind::Recv {
                    conn: 1,
                    bytes: 5,
                    spin: 1,
                    preview: "hello".into(),
                },
                Outcome::Data,
            ),
            (EventKind::Closed { conn: 1 }, Outcome::Zero),
            (
                EventKind::Reset {
                    conn: 1,
                    call: Call::Recv,
                    error: "ECONNRESET".into(),
                    note: None,
                },
                Outcome::Error,
            ),
            (
                EventKind::Send {
                    conn: 1,
                    bytes: 3,
                    spin: 1,
                    preview: "HEL".into(),
                    pending: 2,
                },
                Outcome::Zero,
            ),
            (
                EventKind::Accept {
                    conn: 9,
                    peer: "127.0.0.1:5".into(),
                },
                Outcome::Data,
            ),
        ];
        for (kind, outcome) in cases {
            assert_eq!(question(&kind).map(|(_, o)| o), Some(outcome), "{kind:?}");
        }
        let queued_behind = EventKind::Send {
            conn: 1,
            bytes: 0,
            spin: 1,
            preview: Default::default(),
            pending: 9,
        };
        assert_eq!(question(&queued_behind), None);
    }
}
