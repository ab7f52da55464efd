//! A three-row block font for the spin counter, readable from the back of
//! a lecture hall.

use ratatui::text::Line;

/// Glyphs for 0-9, three rows each, three columns wide.
const DIGITS: [[&str; 3]; 10] = [
    ["█▀█", "█ █", "▀▀▀"],
    ["▀█ ", " █ ", "▀▀▀"],
    ["▀▀█", "█▀▀", "▀▀▀"],
    ["▀▀█", " ▀█", "▀▀▀"],
    ["█ █", "▀▀█", "  ▀"],
    ["█▀▀", "▀▀█", "▀▀▀"],
    ["█▀▀", "█▀█", "▀▀▀"],
    ["▀▀█", "  █", "  ▀"],
    ["█▀█", "█▀█", "▀▀▀"],
    ["█▀█", "▀▀█", "▀▀▀"],
];

/// The same in plain ASCII (`--ascii`): seven segments of `_` and `|`.
const ASCII_DIGITS: [[&str; 3]; 10] = [
    [" _ ", "| |", "|_|"],
    ["   ", "  |", "  |"],
    [" _ ", " _|", "|_ "],
    [" _ ", " _|", " _|"],
    ["   ", "|_|", "  |"],
    [" _ ", "|_ ", " _|"],
    [" _ ", "|_ ", "|_|"],
    [" _ ", "  |", "  |"],
    [" _ ", "|_|", "|_|"],
    [" _ ", "|_|", " _|"],
];

/// `text` (digits and separators) as three lines of block glyphs (with
/// `ascii`, of `_` and `|`). Digits are spaced one column apart; a comma
/// is a single low dot.
pub fn lines(text: &str, ascii: bool) -> Vec<Line<'static>> {
    let (font, comma) = if ascii {
        (&ASCII_DIGITS, ", ")
    } else {
        (&DIGITS, "▖ ")
    };
    let mut rows = [String::new(), String::new(), String::new()];
    for c in text.chars() {
        match c.to_digit(10) {
            Some(d) => {
                for (row, glyph) in rows.iter_mut().zip(font[d as usize]) {
                    row.push_str(glyph);
                    row.push(' ');
                }
            }
            None => {
                rows[0].push_str("  ");
                rows[1].push_str("  ");
                rows[2].push_str(comma);
            }
        }
    }
    rows.into_iter().map(Line::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_three_equal_rows() {
        for ascii in [false, true] {
            let l = lines("1,024", ascii);
            assert_eq!(l.len(), 3);
            assert!(l.iter().all(|r| r.width() == l[0].width()));
            assert_eq!(l[0].width(), 4 * 4 + 2);
        }
        let ascii: Vec<String> = lines("1,024", true).iter().map(|l| l.to_string()).collect();
        assert_eq!(
            ascii,
            [
                "       _   _      ",
                "  |   | |  _| |_| ",
                "  | , |_| |_    | "
            ]
        );
    }
}
