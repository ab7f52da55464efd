//! Numbers, sizes and times as a room reads them.

/// 12345678 → "12,345,678".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate, rounded to a whole number with separators.
pub fn rate(r: f64) -> String {
    thousands(r.max(0.0).round() as u64)
}

/// 1536 → "1.5K", 3 → "3".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["K", "M", "G", "T"];
    if n < 1024 {
        return n.to_string();
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if v < 10.0 {
        format!("{v:.1}{}", UNITS[unit])
    } else {
        format!("{v:.0}{}", UNITS[unit])
    }
}

/// Bytes with their unit, for a figure that stands alone: "12 B",
/// "1.5 KiB", "222 MiB".
pub fn size(n: u64) -> String {
    let short = bytes(n);
    match short.strip_suffix(['K', 'M', 'G', 'T']) {
        Some(num) => format!("{num} {}iB", &short[num.len()..]),
        None => format!("{short} B"),
    }
}

/// A duration in microseconds, short: "87 µs", "12.3 ms", "4.1 s".
pub fn micros(us: u64) -> String {
    match us {
        0..=9_999 => format!("{us} µs"),
        10_000..=999_999 => format!("{:.1} ms", us as f64 / 1e3),
        _ => format!("{:.1} s", us as f64 / 1e6),
    }
}

/// A setting's duration, exact: "1 s", "500 ms", "250 µs".
pub fn setting(us: u64) -> String {
    match us {
        us if us >= 1_000_000 && us % 1_000_000 == 0 => format!("{} s", us / 1_000_000),
        us if us >= 1_000 && us % 1_000 == 0 => format!("{} ms", us / 1_000),
        us => format!("{us} µs"),
    }
}

/// Microseconds as a clock: "01:02:03" (hours shown when there are any).
pub fn clock(us: u64) -> String {
    let s = us / 1_000_000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Microseconds as minutes, seconds and tenths: "01:02.3".
pub fn tenths(us: u64) -> String {
    let tenths = us / 100_000;
    format!(
        "{:02}:{:02}.{}",
        tenths / 600,
        tenths / 10 % 60,
        tenths % 10
    )
}

/// Microseconds as a log timestamp: "01:02.345".
pub fn stamp(us: u64) -> String {
    format!("{}.{:03}", clock(us), us / 1000 % 1000)
}

/// Client bytes as an event shows them (escaped: a backslash always starts
/// an escape, `\\`, `\n`, `\xNN`, ...) in at most `cols` columns: cut
/// before an escape or a character, never inside one, and `…` where cut.
pub fn fit_escaped(shown: &str, cols: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if shown.width() <= cols {
        return shown.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut rest = shown;
    while let Some(c) = rest.chars().next() {
        let len = match (c, rest.as_bytes().get(1)) {
            ('\\', Some(b'x')) => 4,
            ('\\', Some(_)) => 2,
            (c, _) => c.len_utf8(),
        };
        let unit = rest.get(..len).unwrap_or(rest);
        if used + unit.width() + 1 > cols {
            break;
        }
        out.push_str(unit);
        used += unit.width();
        rest = &rest[unit.len()..];
    }
    if cols > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_is_cut_between_escapes_and_characters() {
        let shown = "ab\\x1b[2J\\\\世界\\n";
        assert_eq!(fit_escaped(shown, 40), shown);
        assert_eq!(fit_escaped(shown, 5), "ab…");
        assert_eq!(fit_escaped(shown, 6), "ab…");
        assert_eq!(fit_escaped(shown, 7), "ab\\x1b…");
        assert_eq!(fit_escaped(shown, 11), "ab\\x1b[2J…");
        // A wide character that does not fit whole is left out whole.
        assert_eq!(fit_escaped(shown, 13), "ab\\x1b[2J\\\\…");
        assert_eq!(fit_escaped(shown, 14), "ab\\x1b[2J\\\\世…");
        assert_eq!(fit_escaped(shown, 16), "ab\\x1b[2J\\\\世界…");
        assert_eq!(fit_escaped(shown, 17), shown);
        assert_eq!(fit_escaped(shown, 1), "…");
        assert_eq!(fit_escaped(shown, 0), "");
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
        assert_eq!(bytes(1023), "1023");
        assert_eq!(bytes(1536), "1.5K");
        assert_eq!(bytes(1 << 20), "1.0M");
        assert_eq!(bytes(300 << 20), "300M");
        assert_eq!(size(12), "12 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(222 << 20), "222 MiB");
        assert_eq!(clock(83_000_000), "01:23");
        assert_eq!(clock(3_723_000_000), "1:02:03");
        assert_eq!(stamp(62_345_000), "01:02.345");
    }
}
