//! How the screen looks beyond its roles, and where the room reaches the
//! server.
//!
//! The panels draw with the role styles of [`theme`](super::theme) (the
//! dark theme's colours); once the frame is whole, [`finish`] maps every
//! cell through the viewer's theme (`--theme`, `T`), takes the colours
//! away for `NO_COLOR`, and with `--ascii` puts a plain ASCII character of
//! the same width in place of every other one. The dark theme without
//! `--ascii` is left exactly as drawn.

use std::net::{IpAddr, SocketAddr};

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::BorderType;
use unicode_width::UnicodeWidthStr;

use super::theme;
use crate::app::{Dashboard, ServerInfo, Theme};

/// The finished frame in the viewer's colours and characters.
pub fn finish(d: &Dashboard, area: Rect, buf: &mut Buffer) {
    let view = &d.view;
    let colours = match (view.no_color, view.theme) {
        (true, _) => Some(Palette::None),
        (false, Theme::Dark) => None,
        (false, Theme::Light) => Some(Palette::Light),
        (false, Theme::HighContrast) => Some(Palette::HighContrast),
    };
    if colours.is_none() && !view.ascii {
        return;
    }
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            if let Some(palette) = colours {
                paint(palette, &mut buf[(x, y)]);
            }
            x += if view.ascii {
                plain(buf, x, y, area)
            } else {
                1
            };
        }
    }
}

/// The focused panel's border: heavy where colour alone would not say
/// which panel has the focus (any theme but dark, `--ascii`, `NO_COLOR`).
pub fn focus_border(d: &Dashboard) -> BorderType {
    let view = &d.view;
    if view.theme != Theme::Dark || view.ascii || view.no_color {
        BorderType::Thick
    } else {
        BorderType::Plain
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Palette {
    Light,
    HighContrast,
    /// `NO_COLOR`: the terminal's own colours, bold and reversed kept.
    None,
}

/// One cell in `palette`: its colours, and the bold that warnings get in
/// high contrast (where they are orange, not red).
fn paint(palette: Palette, cell: &mut Cell) {
    let warning = matches!(cell.fg, Color::Red | Color::LightRed);
    cell.fg = colour(palette, cell.fg, false);
    cell.bg = colour(palette, cell.bg, true);
    if palette == Palette::HighContrast && warning {
        cell.modifier |= Modifier::BOLD;
    }
}

/// A role's colour (as the dark theme has it) in `palette`. The light and
/// high-contrast palettes use the 256-colour table's fixed colours, which
/// terminal colour schemes leave alone (the first 16 they change).
fn colour(palette: Palette, c: Color, bg: bool) -> Color {
    use Color::*;
    let i = Color::Indexed;
    match palette {
        Palette::None => Reset,
        // Dark text on white; colours dark enough to read on it (no light
        // grey, no yellow), highlights light enough for black text.
        Palette::Light if bg => match c {
            Reset => i(231),
            Green | LightGreen => i(114),
            Yellow => i(220),
            LightYellow => i(229),
            LightBlue | Blue => i(153),
            Cyan | LightCyan => i(152),
            Red | LightRed => i(217),
            Magenta | LightMagenta => i(219),
            Black => i(16),
            Gray | DarkGray | White => i(252),
            other => other,
        },
        Palette::Light => match c {
            Reset | Black | White => i(16),
            Gray => i(238),
            DarkGray => i(242),
            Cyan | LightCyan => i(24),
            Yellow => i(130),
            LightYellow => i(94),
            Red | LightRed => i(160),
            Green | LightGreen => i(28),
            LightBlue | Blue => i(27),
            Magenta | LightMagenta => i(127),
            other => other,
        },
        // White on black, and no red or green: what red said is orange
        // (and bold), what green said is blue; yellow and cyan stay, which
        // every kind of colour vision tells from blue and orange.
        Palette::HighContrast if bg => match c {
            Reset => i(16),
            Green | LightGreen => i(33),
            Yellow => i(214),
            LightYellow => i(229),
            LightBlue | Blue => i(117),
            Cyan | LightCyan => i(51),
            Red | LightRed => i(208),
            Magenta | LightMagenta => i(213),
            Black => i(16),
            Gray | DarkGray | White => i(250),
            other => other,
        },
        Palette::HighContrast => match c {
            Reset | White => i(231),
            Black => i(16),
            Gray => i(252),
            DarkGray => i(250),
            Cyan | LightCyan => i(51),
            Yellow => i(226),
            LightYellow => i(229),
            Red | LightRed => i(208),
            Green | LightGreen => i(39),
            LightBlue | Blue => i(153),
            Magenta | LightMagenta => i(213),
            other => other,
        },
    }
}

/// `--ascii`: the cell at (`x`, `y`) in plain ASCII, and the columns its
/// character took (as many as it takes now: the layout does not move). A
/// character with no ASCII look-alike (Chinese, a client's bytes) is a `?`
/// in every column it took. An arrow after a space takes the space:
/// `recv → 0` is `recv-> 0` (`recv > 0` would say something else).
fn plain(buf: &mut Buffer, x: u16, y: u16, area: Rect) -> u16 {
    let cell = &buf[(x, y)];
    let symbol = cell.symbol();
    if symbol.is_ascii() {
        return 1;
    }
    // ... but not between two arrows (the keys `← →` are `< >`).
    let after_arrow = x >= area.left() + 2 && buf[(x - 2, y)].symbol() == "<";
    if symbol == "→" && x > area.left() && buf[(x - 1, y)].symbol() == " " && !after_arrow {
        buf[(x - 1, y)].set_symbol("-");
    }
    let cell = &buf[(x, y)];
    let symbol = cell.symbol();
    let width = (symbol.width().max(1) as u16).min(area.right() - x);
    let mut chars = symbol.chars();
    let alike = match (chars.next(), chars.next()) {
        (Some(c), None) => ascii_of(c),
        _ => None,
    };
    let style = cell.style();
    let mut text = [0u8; 4];
    let (first, rest) = match alike {
        Some(a) => (a, ' '),
        None => ('?', '?'),
    };
    buf[(x, y)].set_symbol(first.encode_utf8(&mut text));
    for dx in 1..width {
        buf[(x + dx, y)]
            .set_symbol(rest.encode_utf8(&mut text))
            .set_style(style);
    }
    width
}

/// The ASCII look-alike of a character the screen draws.
pub fn ascii_of(c: char) -> Option<char> {
    let code = u32::from(c);
    Some(match c {
        // Box drawing: lines, then every corner, tee and cross.
        '─' | '┄' | '┈' | '╌' | '╴' | '╶' | '╼' | '╾' => '-',
        '━' | '┅' | '┉' | '╍' | '═' | '╸' | '╺' => '=',
        '│' | '┃' | '║' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' | '╵' | '╷' | '╹' | '╻' | '╽' | '╿' => {
            '|'
        }
        '╱' => '/',
        '╲' => '\\',
        '╳' => 'X',
        _ if (0x2500..=0x257f).contains(&code) => '+',
        // Blocks: bars by how full they are, the big digits' halves.
        '█' | '▇' | '▆' | '▉' | '▊' | '▋' | '▓' | '▙' | '▛' | '▜' | '▟' | '■' => {
            '#'
        }
        '▅' | '▄' | '▃' | '▌' | '▍' | '▐' | '▒' | '▚' | '▞' => '=',
        '▂' | '▁' | '▎' | '▏' | '▕' | '░' => '.',
        '▀' | '▔' | '▘' | '▝' => '"',
        '▖' | '▗' => ',',
        // Braille: by how many dots are up.
        _ if (0x2800..=0x28ff).contains(&code) => match (code - 0x2800).count_ones() {
            0 => ' ',
            1 | 2 => '.',
            3..=5 => ':',
            _ => '#',
        },
        // Arrows and marks.
        '▲' | '△' | '↑' | '⇡' | '˄' | '⏶' => '^',
        '▼' | '▽' | '↓' | '⇣' | '˅' | '⏷' => 'v',
        '▶' | '▷' | '▸' | '►' | '→' | '⇒' | '⟶' | '»' | '›' => '>',
        '◀' | '◁' | '◂' | '◄' | '←' | '⇐' | '⟵' | '«' | '‹' => '<',
        '↔' | '⇄' => '-',
        '●' | '◆' | '◇' | '★' | '☆' | '•' | '∙' | '◉' => '*',
        '○' | '◦' | '°' => 'o',
        '‖' | '∥' | '⏸' => '|',
        '⚠' | '❗' | '‼' => '!',
        '✓' | '✔' => 'v',
        '✗' | '✘' | '×' | '✕' => 'x',
        '⧗' | '⏳' | '⌛' | '…' | '⋯' | '≈' | '∼' | '〜' => '~',
        // A separator ("1 closed · 1 reset"), or nothing ran (History).
        '·' | '⋅' => '-',
        '∶' => ':',
        // Punctuation and signs.
        '—' | '–' | '‐' | '‑' | '‒' | '−' | '⁃' => '-',
        '“' | '”' | '„' | '″' => '"',
        '‘' | '’' | '‚' | '′' => '\'',
        '⟦' | '⟨' | '〈' => '[',
        '⟧' | '⟩' | '〉' => ']',
        '≤' => '<',
        '≥' => '>',
        '≠' => '#',
        '±' => '+',
        '÷' | '∕' => '/',
        'µ' | 'μ' => 'u',
        '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}' => ' ',
        _ => return None,
    })
}

/// Where the room's laptops connect: the likeliest address of this
/// machine, with the port; the listening address itself when there is
/// none (loopback).
pub fn room_addr(s: &ServerInfo) -> String {
    let first = s
        .reachable
        .first()
        .and_then(|r| r.ip.parse::<IpAddr>().ok());
    match (first, s.addr.parse::<SocketAddr>()) {
        (Some(ip), Ok(listen)) => SocketAddr::new(ip, listen.port()).to_string(),
        _ => s.addr.clone(),
    }
}

/// `nc 192.168.1.23 8080` for `addr` (`[fd00::2]:8080` loses its brackets).
fn nc_line(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((host, port)) => format!("nc {} {port}", host.trim_matches(['[', ']'])),
        None => format!("nc {addr}"),
    }
}

/// `192.168.1.23 (wlan0) · 10.8.0.2 (tun0)`: the addresses after the
/// first `skip`, as many as fit in `room` columns once `around` is said;
/// `None` when there is none to say or none fits.
fn addresses(
    d: &Dashboard,
    skip: usize,
    room: usize,
    around: impl Fn(&str) -> String,
) -> Option<String> {
    let s = d.server.as_ref()?;
    let mut said = String::new();
    for r in s.reachable.iter().skip(skip) {
        let one = if r.iface.is_empty() {
            r.ip.clone()
        } else {
            format!("{} ({})", r.ip, r.iface)
        };
        let longer = if said.is_empty() {
            one
        } else {
            format!("{said} · {one}")
        };
        if around(&longer).width() > room {
            break;
        }
        said = longer;
    }
    (!said.is_empty()).then(|| around(&said))
}

/// The empty Connected list's hint, beyond loopback: the other addresses
/// the room can use, after the `nc` line (which names the first).
pub fn room_hint(d: &Dashboard, mut lines: Vec<String>, width: usize) -> Vec<String> {
    let lang = d.view.lang;
    let also = addresses(d, 1, width, |addrs| {
        crate::t!(lang, "look-room-also", addrs = addrs).into_owned()
    });
    lines.extend(also);
    lines
}

/// The help's first lines, beyond loopback: the line to type on the
/// room's laptops and this machine's addresses, in `width` columns; none
/// on loopback.
pub fn room_help(d: &Dashboard, width: usize) -> Vec<Line<'static>> {
    let Some(s) = d.server.as_ref().filter(|s| !s.reachable.is_empty()) else {
        return Vec::new();
    };
    let lang = d.view.lang;
    let command = nc_line(&room_addr(s));
    let mut lines = vec![Line::from(vec![
        Span::styled(crate::t!(lang, "look-room-help").into_owned(), theme::LABEL),
        Span::raw(" "),
        Span::styled(command, theme::VALUE),
    ])];
    // Several: which is which, to pick the room's network.
    if s.reachable.len() > 1 {
        let addrs = addresses(d, 0, width, |addrs| {
            crate::t!(lang, "look-room-addrs", addrs = addrs).into_owned()
        });
        lines.extend(addrs.map(|a| Line::styled(a, theme::LABEL)));
    }
    lines.push(Line::default());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_look_alike_is_ascii_and_box_drawing_keeps_its_direction() {
        for code in 0x80..0x3000u32 {
            if let Some(c) = char::from_u32(code).and_then(ascii_of) {
                assert!(c.is_ascii() && !c.is_ascii_control(), "{code:#x} → {c:?}");
            }
        }
        assert_eq!(
            "┌─┐│└┘├┤┬┴┼━┃┏╋"
                .chars()
                .map(|c| ascii_of(c).unwrap())
                .collect::<String>(),
            "+-+|+++++++=|++"
        );
        assert_eq!(
            " ▁▂▃▄▅▆▇█"
                .chars()
                .skip(1)
                .map(|c| ascii_of(c).unwrap())
                .collect::<String>(),
            "..===###"
        );
        assert_eq!(ascii_of('看'), None);
    }

    #[test]
    fn a_wide_character_is_a_question_mark_in_each_of_its_columns() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(
            0,
            0,
            "看a─é… →",
            ratatui::style::Style::new().fg(Color::Red),
        );
        let mut d = Dashboard::new();
        d.view.ascii = true;
        finish(&d, buf.area, &mut buf);
        let row: String = (0..8).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert_eq!(row, "??a-?~->");
        let mut keys = Buffer::empty(Rect::new(0, 0, 3, 1));
        keys.set_string(0, 0, "← →", ratatui::style::Style::new());
        finish(&d, keys.area, &mut keys);
        assert_eq!(keys[(1, 0)].symbol(), " ", "the keys are < >");
        assert_eq!(
            buf[(1, 0)].fg,
            Color::Red,
            "the second column keeps the style"
        );
    }

    #[test]
    fn dark_is_left_as_drawn_and_no_color_takes_every_colour_away() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        let style = theme::RUNNING;
        buf.set_string(0, 0, "ab", style);
        let drawn = buf.clone();
        let mut d = Dashboard::new();
        finish(&d, buf.area, &mut buf);
        assert_eq!(buf, drawn);
        d.view.no_color = true;
        d.view.theme = Theme::HighContrast;
        finish(&d, buf.area, &mut buf);
        assert_eq!(
            (buf[(0, 0)].fg, buf[(0, 0)].bg),
            (Color::Reset, Color::Reset)
        );
        assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD), "bold stays");
    }

    #[test]
    fn high_contrast_has_no_red_or_green_and_light_no_light_text() {
        for c in [
            Color::Reset,
            Color::Black,
            Color::Red,
            Color::Green,
            Color::Yellow,
            Color::Blue,
            Color::Magenta,
            Color::Cyan,
            Color::Gray,
            Color::DarkGray,
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
            Color::White,
        ] {
            for bg in [false, true] {
                let hc = colour(Palette::HighContrast, c, bg);
                assert!(
                    !matches!(
                        hc,
                        Color::Indexed(1 | 2 | 9 | 10 | 28 | 34 | 40 | 46 | 160 | 196)
                    ),
                    "{c:?} → {hc:?}"
                );
                assert!(matches!(hc, Color::Indexed(_)));
            }
            // Text on white is dark: no index of the light greys (244-255)
            // or of the pale cube colours.
            let text = colour(Palette::Light, c, false);
            assert!(
                matches!(
                    text,
                    Color::Indexed(16 | 24 | 27 | 28 | 94 | 127 | 130 | 160 | 238 | 242)
                ),
                "{c:?} → {text:?}"
            );
        }
    }
}
