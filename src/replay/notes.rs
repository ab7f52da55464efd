//! The lecturer's notes for a replay: marks on the recording's time line.
//!
//! A mark is a moment worth coming back to: a marker dropped with `M`
//! during the live run (it is in the recording), or a line of a notes file
//! kept beside the recording (`tour.jsonl` → `tour.notes`, or `--notes`).
//! When playback reaches a mark its note shows in a panel; `'` and `"`
//! jump to the next and previous mark; a note can ask playback to pause.
//!
//! A notes file is plain text, a note a line:
//!
//! ```text
//! # comments and blank lines are skipped
//! 0:04.0        The loop spins: look at the WouldBlocks a second.
//! 0:12.5 pause  A client resets: recv() gets ECONNRESET.
//! 1:02          (a time alone: the note before it leaves the screen)
//! ```
//!
//! The time is from the recording's first event, as the progress line
//! shows it: `s`, `m:ss` or `h:mm:ss`, each with optional tenths.

use std::fmt;
use std::path::{Path, PathBuf};

/// A moment of the recording worth coming back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// From the recording's first event.
    pub at_us: u64,
    /// What the lecturer wants said there (empty: nothing to show).
    pub note: String,
    /// Playback pauses when it reaches the mark.
    pub pause: bool,
}

/// A notes file that cannot be used: which line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesError {
    pub path: PathBuf,
    /// 0: the file as a whole.
    pub line: usize,
    pub what: String,
}

impl fmt::Display for NotesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.what)
        } else {
            write!(
                f,
                "{} line {}: {}",
                self.path.display(),
                self.line,
                self.what
            )
        }
    }
}

impl std::error::Error for NotesError {}

/// The notes file a recording has beside it, if there is one:
/// `tour.jsonl` → `tour.notes`.
pub fn beside(recording: &Path) -> Option<PathBuf> {
    let notes = recording.with_extension("notes");
    (notes != recording && notes.is_file()).then_some(notes)
}

/// Reads the notes file at `path`.
pub fn load(path: &Path) -> Result<Vec<Mark>, NotesError> {
    let text = std::fs::read_to_string(path).map_err(|e| NotesError {
        path: path.to_path_buf(),
        line: 0,
        what: format!("cannot read: {e}"),
    })?;
    parse(&text).map_err(|(line, what)| NotesError {
        path: path.to_path_buf(),
        line,
        what,
    })
}

/// Parses a notes file's text: its marks, in time order; or the first bad
/// line and what is wrong with it.
pub fn parse(text: &str) -> Result<Vec<Mark>, (usize, String)> {
    let mut marks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (time, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let at_us = parse_time(time).ok_or_else(|| {
            (
                i + 1,
                format!("\"{time}\" is not a time: a note begins with one, e.g. 1:02.5 or 62.5"),
            )
        })?;
        let rest = rest.trim_start();
        let (pause, note) = match rest.split_once(char::is_whitespace) {
            Some(("pause", note)) => (true, note.trim_start()),
            None if rest == "pause" => (true, ""),
            _ => (false, rest),
        };
        marks.push(Mark {
            at_us,
            note: note.to_string(),
            pause,
        });
    }
    marks.sort_by_key(|m| m.at_us);
    Ok(marks)
}

/// `s`, `m:ss` or `h:mm:ss`, each with optional decimals: microseconds.
fn parse_time(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let mut secs: u64 = 0;
    let parts: Vec<&str> = whole.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    for (i, part) in parts.iter().enumerate() {
        let n: u64 = part.parse().ok()?;
        if i > 0 && (part.len() != 2 || n >= 60) {
            return None;
        }
        secs = secs.checked_mul(60)?.checked_add(n)?;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 6 {
        return None;
    }
    let micros: u64 = format!("{frac:0<6}").parse().ok()?;
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_notes_and_pauses_are_read_in_time_order() {
        let marks = parse(
            "# the tour\n\n1:02 later\n0:04.5   The loop spins.\n  12.25 pause  A reset!\n1:00:00 pause\n",
        )
        .unwrap();
        let got: Vec<(u64, &str, bool)> = marks
            .iter()
            .map(|m| (m.at_us, m.note.as_str(), m.pause))
            .collect();
        assert_eq!(
            got,
            [
                (4_500_000, "The loop spins.", false),
                (12_250_000, "A reset!", true),
                (62_000_000, "later", false),
                (3_600_000_000, "", true),
            ]
        );
    }

    #[test]
    fn a_line_without_a_time_names_its_line() {
        for (text, line) in [
            ("0:01 ok\nhello there\n", 2),
            ("1:60 bad seconds", 1),
            ("1:2 one digit", 1),
            ("1.5.5 two points", 1),
            ("# c\n-3 negative", 2),
        ] {
            let (n, what) = parse(text).unwrap_err();
            assert_eq!(n, line, "{text:?}");
            assert!(what.contains("is not a time"), "{what}");
        }
    }

    #[test]
    fn a_notes_file_beside_a_recording_is_found_and_its_errors_name_it() {
        let dir = std::env::temp_dir().join(format!("ioscope-notes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rec = dir.join("tour.jsonl");
        assert_eq!(beside(&rec), None);
        std::fs::write(dir.join("tour.notes"), "0:01 hi\noops\n").unwrap();
        let notes = beside(&rec).unwrap();
        let e = load(&notes).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("tour.notes line 2: \"oops\""), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
