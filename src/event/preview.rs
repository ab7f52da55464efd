//! The client bytes an event carries, and how they are shown.
//!
//! A busy loop reports every `recv` and `send`, hundreds of thousands a
//! second, so the server thread keeps the first bytes as they came — inline,
//! no allocation, no escaping — and they are escaped for a terminal only
//! when someone shows them: the dashboard for the rows on screen, the JSON
//! stream as it writes (the JSON holds the escaped text).

use std::fmt::{self, Write};

use serde::{Deserialize, Serialize};

/// How many bytes of client data an event carries as a preview.
pub const PREVIEW_BYTES: usize = 40;

/// The first [`PREVIEW_BYTES`] bytes (or fewer: no UTF-8 character is cut)
/// of what a client sent or was sent. `Display` writes them escaped, as
/// [`escape_bytes`] does, with `…` when the data went on.
#[derive(Clone, Copy)]
pub struct Preview {
    bytes: [u8; PREVIEW_BYTES],
    len: u8,
    /// The data went on past what is kept.
    cut: bool,
}

impl Preview {
    /// The preview of `data`.
    pub fn of(data: &[u8]) -> Preview {
        let len = cut_at(data, PREVIEW_BYTES);
        let mut bytes = [0; PREVIEW_BYTES];
        bytes[..len].copy_from_slice(&data[..len]);
        Preview {
            bytes,
            len: len as u8,
            cut: data.len() > PREVIEW_BYTES,
        }
    }

    /// The bytes kept, as the client sent them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Writes what `Display` shows into `out`, without a formatter between.
    pub fn write_shown(&self, out: &mut impl Write) -> fmt::Result {
        write_escaped(self.bytes(), out)?;
        if self.cut {
            out.write_char('…')?;
        }
        Ok(())
    }

    /// Whether the data went on past [`Preview::bytes`].
    pub fn is_cut(&self) -> bool {
        self.cut
    }

    /// Reads back the text `Display` writes (a recorded stream, a test's
    /// expectation): shown again, it is that text. A backslash that
    /// starts no escape is read as a backslash.
    pub fn parse(text: &str) -> Preview {
        let (body, cut) = match text.strip_suffix('…') {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut raw = Vec::with_capacity(body.len());
        let mut rest = body;
        while let Some(at) = rest.find('\\') {
            raw.extend_from_slice(&rest.as_bytes()[..at]);
            let after = &rest[at + 1..];
            let (byte, used) = match after.as_bytes() {
                [b'\\', ..] => (b'\\', 1),
                [b'n', ..] => (b'\n', 1),
                [b'r', ..] => (b'\r', 1),
                [b't', ..] => (b'\t', 1),
                [b'x', hi, lo, ..] => match (hex_value(*hi), hex_value(*lo)) {
                    (Some(hi), Some(lo)) => (hi << 4 | lo, 3),
                    _ => (b'\\', 0),
                },
                _ => (b'\\', 0),
            };
            raw.push(byte);
            rest = &after[used..];
        }
        raw.extend_from_slice(rest.as_bytes());
        let mut preview = Preview::of(&raw);
        preview.cut |= cut;
        preview
    }
}

impl Default for Preview {
    fn default() -> Self {
        Preview::of(&[])
    }
}

impl fmt::Display for Preview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_shown(f)
    }
}

impl fmt::Debug for Preview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Two previews are equal when they show the same: a text read back can
/// keep its bytes differently (`ab…` is `ab` cut, or the three characters).
impl PartialEq for Preview {
    fn eq(&self, other: &Self) -> bool {
        (self.bytes() == other.bytes() && self.cut == other.cut)
            || self.to_string() == other.to_string()
    }
}

impl Eq for Preview {}

/// Compares what is shown: `preview == "HELLO\\n"`.
impl PartialEq<str> for Preview {
    fn eq(&self, other: &str) -> bool {
        /// Takes what is written off the front of `rest`, or fails.
        struct Against<'a> {
            rest: &'a str,
        }
        impl Write for Against<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.rest = self.rest.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut against = Against { rest: other };
        write!(against, "{self}").is_ok() && against.rest.is_empty()
    }
}

impl PartialEq<&str> for Preview {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&str> for Preview {
    /// The escaped text, as [`Preview::parse`] reads it.
    fn from(text: &str) -> Self {
        Preview::parse(text)
    }
}

impl Serialize for Preview {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Preview {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Preview::parse(&text))
    }
}

/// Renders client bytes safe for a terminal: printable text stays, every
/// control byte becomes `\xNN` (newline, CR and tab as `\n`, `\r`, `\t`),
/// bytes that are not UTF-8 become `\xNN`, and a backslash is doubled. No
/// client can put an escape sequence on the lecturer's screen through it.
/// At most `max_bytes` input bytes are shown; more is marked with `…`.
pub fn escape_bytes(data: &[u8], max_bytes: usize) -> String {
    let shown = &data[..cut_at(data, max_bytes)];
    let mut out = String::with_capacity(shown.len() + 8);
    write_escaped(shown, &mut out).expect("a String takes every write");
    if data.len() > max_bytes {
        out.push('…');
    }
    out
}

/// The escaping of [`escape_bytes`], into any writer: runs of characters
/// shown as they are go out as one slice.
fn write_escaped<W: Write>(shown: &[u8], out: &mut W) -> fmt::Result {
    for chunk in shown.utf8_chunks() {
        let text = chunk.valid();
        let mut run = 0;
        let mut escape = |at: usize, c: char, out: &mut W| -> fmt::Result {
            out.write_str(&text[run..at])?;
            run = at + c.len_utf8();
            match c {
                '\\' => out.write_str("\\\\")?,
                '\n' => out.write_str("\\n")?,
                '\r' => out.write_str("\\r")?,
                '\t' => out.write_str("\\t")?,
                c => {
                    let mut buf = [0u8; 4];
                    for &b in c.encode_utf8(&mut buf).as_bytes() {
                        write_hex(out, b)?;
                    }
                }
            }
            Ok(())
        };
        if text.is_ascii() {
            // The common case, and the hot one: no decoding.
            for (at, &b) in text.as_bytes().iter().enumerate() {
                if !matches!(b, b' '..=b'~') || b == b'\\' {
                    escape(at, char::from(b), out)?;
                }
            }
        } else {
            for (at, c) in text.char_indices() {
                if c == '\\' || is_unsafe_char(c) {
                    escape(at, c, out)?;
                }
            }
        }
        out.write_str(&text[run..])?;
        for &b in chunk.invalid() {
            write_hex(out, b)?;
        }
    }
    Ok(())
}

/// Where to cut `data` at most `max` bytes in so that no UTF-8 character
/// is split: a character the limit falls inside is left out whole.
fn cut_at(data: &[u8], max: usize) -> usize {
    if data.len() <= max {
        return data.len();
    }
    let is_continuation = |b: u8| b & 0xc0 == 0x80;
    let mut start = max;
    while start > 0 && max - start < 3 && is_continuation(data[start]) {
        start -= 1;
    }
    let char_there = &data[start..data.len().min(start + 4)];
    let whole_char = std::str::from_utf8(char_there).map_or_else(|e| e.valid_up_to() > 0, |_| true);
    if start < max && whole_char {
        start
    } else {
        max
    }
}

/// Characters that steer a terminal or the layout rather than print:
/// C0/C1 controls, DEL, the bidirectional and zero-width formatting marks
/// (the zero-width joiner among them); and the ones whose width terminals
/// disagree on, so the screen and the layout would not: variation
/// selectors (`❤️`), skin-tone modifiers (`👍🏽`), tags, and the regional
/// indicators flags are made of. The emoji before them stays.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{1f3fb}'..='\u{1f3ff}'
                | '\u{1f1e6}'..='\u{1f1ff}'
                | '\u{e0000}'..='\u{e007f}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

fn write_hex(out: &mut impl Write, b: u8) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.write_str("\\x")?;
    out.write_char(char::from(HEX[usize::from(b >> 4)]))?;
    out.write_char(char::from(HEX[usize::from(b & 0xf)]))
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|v| v as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ascii_byte_is_shown_or_escaped_by_the_rules() {
        for b in 0..=0x7fu8 {
            let shown = escape_bytes(&[b], 40);
            let expected = match b {
                b'\\' => "\\\\".to_string(),
                b'\n' => "\\n".to_string(),
                b'\r' => "\\r".to_string(),
                b'\t' => "\\t".to_string(),
                b if char::from(b).is_control() => format!("\\x{b:02x}"),
                b => char::from(b).to_string(),
            };
            assert_eq!(shown, expected, "byte {b:#04x}");
            // The same in text that is not all ASCII (decoded, not bytes).
            let mut text = vec![b];
            text.extend_from_slice("é".as_bytes());
            assert_eq!(escape_bytes(&text, 40), expected + "é", "byte {b:#04x}");
        }
    }

    #[test]
    fn escapes_control_bytes_and_invalid_utf8() {
        assert_eq!(escape_bytes(b"HELLO\n", 40), "HELLO\\n");
        assert_eq!(escape_bytes(b"\x1b[2J", 40), "\\x1b[2J");
        assert_eq!(escape_bytes(b"a\x00b\xff", 40), "a\\x00b\\xff");
        assert_eq!(escape_bytes("你好".as_bytes(), 40), "你好");
        assert_eq!(escape_bytes("\u{9b}".as_bytes(), 40), "\\xc2\\x9b");
        assert_eq!(escape_bytes(b"back\\slash", 40), "back\\\\slash");
        assert_eq!(escape_bytes(b"abcdef", 3), "abc…");
    }

    #[test]
    fn a_preview_is_never_cut_inside_a_character() {
        // 13 three-byte characters: 40 bytes end inside the fourteenth.
        let text = "全角文字テスト全角文字テスト".as_bytes();
        assert_eq!(escape_bytes(text, 40), "全角文字テスト全角文字テス…");
        // Invalid bytes at the limit are still shown as bytes.
        assert_eq!(escape_bytes(b"ab\xff\xfecd", 3), "ab\\xff…");
        // A lone lead byte at the end of the data is not a cut: shown.
        assert_eq!(escape_bytes(b"ab\xe7", 40), "ab\\xe7");
    }

    #[test]
    fn characters_terminals_measure_differently_are_escaped() {
        use unicode_width::UnicodeWidthStr;
        let shown = escape_bytes("🙂👍🏽❤️🇨🇳👨\u{200d}👩".as_bytes(), 100);
        assert_eq!(
            shown,
            "🙂👍\\xf0\\x9f\\x8f\\xbd❤\\xef\\xb8\\x8f\\xf0\\x9f\\x87\\xa8\\xf0\\x9f\\x87\\xb3👨\\xe2\\x80\\x8d👩"
        );
        // What is left measures the same char by char as as a whole:
        // no cluster whose width depends on the terminal.
        let by_char: usize = shown
            .chars()
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum();
        assert_eq!(by_char, shown.width());
    }

    #[test]
    fn a_preview_keeps_the_bytes_and_shows_them_escaped() {
        let data = b"\x1b[2J hello\n".repeat(5);
        let preview = Preview::of(&data);
        assert_eq!(preview.bytes(), &data[..PREVIEW_BYTES]);
        assert!(preview.is_cut());
        assert_eq!(preview.to_string(), escape_bytes(&data, PREVIEW_BYTES));
        let text = "全角文字テスト全角文字テスト".as_bytes();
        assert_eq!(Preview::of(text).bytes().len(), 39);
        assert_eq!(Preview::of(text).to_string(), escape_bytes(text, 40));
    }

    #[test]
    fn the_shown_text_reads_back_to_the_same_preview() {
        let samples: [&[u8]; 7] = [
            b"",
            b"hello\n",
            b"\x1b[2J\x07\xff back\\slash \\x41 \r\t",
            "你好 🙂👍🏽❤️".as_bytes(),
            &[b'a'; 41],
            "全角文字テスト全角文字テスト".as_bytes(),
            "ends with …".as_bytes(),
        ];
        for data in samples {
            let preview = Preview::of(data);
            let shown = preview.to_string();
            let back = Preview::parse(&shown);
            assert_eq!(back, preview, "{shown}");
            assert_eq!(back.to_string(), shown);
            let json = serde_json::to_string(&preview).unwrap();
            assert_eq!(json, serde_json::to_string(&shown).unwrap());
            assert_eq!(serde_json::from_str::<Preview>(&json).unwrap(), preview);
        }
        // Bytes kept as they came, not as escapes.
        assert_eq!(Preview::parse("a\\x00\\\\b").bytes(), b"a\x00\\b");
        // A backslash that starts no escape stays.
        assert_eq!(Preview::parse("a\\qb\\x4").to_string(), "a\\\\qb\\\\x4");
        assert!(Preview::parse("a…").is_cut());
        assert_eq!(Preview::from("HELLO\\n"), "HELLO\\n");
        assert_ne!(Preview::from("HELLO\\n"), "HELLO");
        assert_ne!(Preview::from("HELLO"), "HELLO\\n");
    }
}
