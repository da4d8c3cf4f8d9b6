//! Text for people: the one spelling of durations, offsets, times, numbers, counts, sizes, I/O
//! reasons, and of control characters on a terminal ([`visible`]).
//!
//! Every duration the tool prints (walk, summary, exports, timeline, compare) goes through
//! [`duration`], so a step reads the same everywhere; what [`parse_duration`] reads back is the
//! same spelling.

use std::borrow::Cow;
use std::io;
use std::time::Duration;

/// `850ms`, `2.5s`, `12.3s`, `3m05s`, `5m`, `1h02m03s`, `1h`: zero trailing parts are dropped.
pub fn duration(d: Duration) -> String {
    duration_ms(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// [`duration`] of a count of milliseconds.
pub fn duration_ms(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    if ms < 60_000 {
        let tenths = ms / 100;
        return if tenths.is_multiple_of(10) {
            format!("{}s", tenths / 10)
        } else {
            format!("{}.{}s", tenths / 10, tenths % 10)
        };
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m, s) {
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m:02}m"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// A difference of durations, always signed: `+3m05s`, `-850ms`, `+0ms`.
pub fn signed_duration_ms(ms: i64) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    format!("{sign}{}", duration_ms(ms.unsigned_abs()))
}

/// Time since the start of an incident: `T+04:12`; minutes keep counting past the hour (`T+125:03`).
pub fn t_plus(ms: i64) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    let s = ms.unsigned_abs() / 1000;
    format!("T{sign}{:02}:{:02}", s / 60, s % 60)
}

/// `2026-11-22T03:04:05.678Z` as `03:04:05`.
pub fn clock(ts: &str) -> &str {
    ts.get(11..19).unwrap_or(ts)
}

/// `2026-11-22T03:04:05.678Z` as `2026-11-22 03:04:05 UTC`.
pub fn utc(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..19)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => ts.to_string(),
    }
}

/// A measured value, short: `12.5`, `1200`, `0.0031`, `NaN`, `inf`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.abs() >= 1e15 {
        // Not 309 digits for 1e308.
        return format!("{v:.3e}");
    }
    if v == v.trunc() {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" || s == "-0" {
        // Too small for four places: keep its magnitude visible.
        return format!("{v:.2e}");
    }
    s.to_string()
}

/// `1 step`, `2 steps`, `0 steps`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// `512 B`, `1.5 KiB`, `32 MiB`, `2.3 GiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() < 0.05 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Parses `500ms`, `30s`, `5m`, `1h30m`, `3m05s` (what [`duration`] writes) into milliseconds;
/// a timeout, so never zero.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    match parse_wait(text)? {
        0 => Err(format!(
            "bad duration `{text}`: a timeout must be longer than zero"
        )),
        total => Ok(total),
    }
}

/// As [`parse_duration`], zero allowed: a wait that may be skipped (`--share-timeout 0s`).
pub fn parse_wait(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "bad duration `{text}`: use a number with a unit, as in `500ms`, `30s`, `5m`, `1h30m`"
        )
    };
    let mut total: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// An I/O error as a short lowercase reason, without the `(os error N)` noise.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or(s)
        }
    }
}

/// Whether `c` would act on a terminal (or reorder the text around it) rather than show as
/// itself: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embedding,
/// override and isolate characters. `check` reports the same set as `control-character`.
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` safe to write to a terminal, with every control character shown, never obeyed: caret
/// notation for C0 and DEL (ESC `^[`, CR `^M`, DEL `^?`), `<U+009B>` for C1 and bidirectional
/// controls. Tabs and newlines stay; so does the CR of a CRLF line ending, which shows nothing.
/// Every renderer of runbook (or log) text on a terminal goes through this one function; the
/// text that runs is never changed, only how it is shown.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |(i, c): (usize, char)| {
        is_hidden_control(c) && !(c == '\r' && text.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    let Some(first) = text.char_indices().position(&hidden) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut plain = 0;
    for (i, c) in text.char_indices().skip(first) {
        if !hidden((i, c)) {
            continue;
        }
        out.push_str(&text[plain..i]);
        match c {
            '\0'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\u{7f}' => out.push_str("^?"),
            c => out.push_str(&format!("<U+{:04X}>", u32::from(c))),
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&text[plain..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_one_spelling() {
        for (ms, text) in [
            (0, "0ms"),
            (850, "850ms"),
            (1_000, "1s"),
            (2_500, "2.5s"),
            (12_340, "12.3s"),
            (59_999, "59.9s"),
            (60_000, "1m"),
            (185_000, "3m05s"),
            (300_000, "5m"),
            (3_600_000, "1h"),
            (3_720_000, "1h02m"),
            (3_723_000, "1h02m03s"),
            (3_605_000, "1h00m05s"),
        ] {
            assert_eq!(duration_ms(ms), text, "{ms} ms");
        }
        assert_eq!(duration(Duration::from_secs(185)), "3m05s");
        assert_eq!(signed_duration_ms(-850), "-850ms");
        assert_eq!(signed_duration_ms(185_000), "+3m05s");
    }

    #[test]
    fn whole_durations_read_back() {
        for ms in [
            500, 1_000, 30_000, 60_000, 185_000, 300_000, 3_600_000, 3_723_000, 3_605_000,
        ] {
            assert_eq!(
                parse_duration(&duration_ms(ms)),
                Ok(ms),
                "{}",
                duration_ms(ms)
            );
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("5 min").is_err());
        assert!(parse_duration("0s").is_err());
        assert_eq!(parse_wait("0s"), Ok(0));
        assert_eq!(parse_wait("0ms"), Ok(0));
        assert!(parse_wait("0").is_err());
        assert!(parse_duration("99999999999999999h").is_err());
    }

    #[test]
    fn offsets_times_numbers_counts_sizes() {
        assert_eq!(t_plus(252_000), "T+04:12");
        assert_eq!(t_plus(7_503_000), "T+125:03");
        assert_eq!(t_plus(-5_000), "T-00:05");
        assert_eq!(clock("2026-11-22T03:04:05.678Z"), "03:04:05");
        assert_eq!(utc("2026-11-22T03:04:05.678Z"), "2026-11-22 03:04:05 UTC");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(1200.0), "1200");
        assert_eq!(number(0.0031), "0.0031");
        assert_eq!(number(0.00001234), "1.23e-5");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(1e308), "1.000e308");
        assert_eq!(number(-1e308), "-1.000e308");
        assert_eq!(count(1, "step", "steps"), "1 step");
        assert_eq!(count(0, "step", "steps"), "0 steps");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(32 << 20), "32 MiB");
    }

    #[test]
    fn io_reasons_are_short_and_lowercase() {
        let e = io::Error::from_raw_os_error(28);
        assert_eq!(io_reason(&e), "no space left on device");
        assert_eq!(
            io_reason(&io::Error::from(io::ErrorKind::NotFound)),
            "no such file or directory"
        );
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert!(matches!(visible("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(
            visible("echo hi\x1b[2K\rrm -rf /tmp/x\x7f"),
            "echo hi^[[2K^Mrm -rf /tmp/x^?"
        );
        assert_eq!(visible("\0\x07\x1f"), "^@^G^_");
        assert_eq!(visible("a\u{9b}31m b\u{202e}c"), "a<U+009B>31m b<U+202E>c");
        // A CRLF line ending shows nothing and is kept; a lone CR is shown.
        assert_eq!(visible("a\r\nb\r"), "a\r\nb^M");
        assert_eq!(visible("é 東京"), "é 東京");
    }
}
