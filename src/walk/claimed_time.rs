//! A note's claimed time, typed before its text: `at 14:05`, `at 2026-12-03 14:05`, `-10m`,
//! `-1h30m`, `10 minutes ago`. A reviewer back-dates a milestone noted late; the log keeps both.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A note's text split into the time it claims and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    pub at: DateTime<Utc>,
    /// The text after the time and its separator (`:`, `,`, a dash); empty when only a time.
    pub rest: &'a str,
}

/// A time the note starts with that cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error(
        "`{typed}` is not a time: write `at 14:05`, `at 2026-12-03 14:05`, `-10m` or `10 minutes ago`"
    )]
    NotATime { typed: String },
    /// A claimed time cannot be after the moment it is written.
    #[error("`{typed}` is in the future ({at}); a note can only be back-dated")]
    InFuture { typed: String, at: String },
}

/// Splits `text` into a claimed time and the rest, `None` when it does not start with a time.
/// Times of day are in the operator's zone: `offset_at` gives its offset from UTC at an instant,
/// so a clock change between now and the time typed is taken into account. `at 14:05` is today,
/// and refused when that is still to come (not silently taken as yesterday's: a wrong milestone
/// is worse than a retyped one; `at 2026-12-02 14:05` says yesterday).
pub fn parse<'a>(
    text: &'a str,
    now: DateTime<Utc>,
    offset_at: &dyn Fn(DateTime<Utc>) -> FixedOffset,
) -> Result<Option<Claim<'a>>, ClaimError> {
    let trimmed = text.trim_start();
    let (at, rest, typed) = if let Some(after) = strip_word(trimmed, "at") {
        match time_of_day(after, now, offset_at)? {
            Some((at, rest)) => (at, rest, &trimmed[..trimmed.len() - rest.len()]),
            None => return Ok(None),
        }
    } else if let Some(after) = trimmed.strip_prefix('-') {
        match compound(after) {
            Some((ago, rest)) if separated(rest) => {
                (now - ago, rest, &trimmed[..trimmed.len() - rest.len()])
            }
            _ => return Ok(None),
        }
    } else {
        match ago(trimmed) {
            Some((ago, rest)) => (now - ago, rest, &trimmed[..trimmed.len() - rest.len()]),
            None => return Ok(None),
        }
    };
    let typed = typed.trim();
    if at > now {
        return Err(ClaimError::InFuture {
            typed: typed.to_string(),
            at: at
                .with_timezone(&offset_at(at))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        });
    }
    let rest = rest
        .trim_start()
        .trim_start_matches([':', ',', '-', '—', '–'])
        .trim_start();
    Ok(Some(Claim { at, rest }))
}

/// `word` followed by a space, case-insensitive.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let after = &text[word.len()..];
    (head.eq_ignore_ascii_case(word) && after.starts_with([' ', '\t'])).then(|| after.trim_start())
}

/// The rest after a time ends the text or is set off from it.
fn separated(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with([' ', '\t', ':', ','])
}

/// After `at `: `14:05`, `14:05:30`, `2026-12-03 14:05`; `None` for prose (`at least`), an
/// error for something shaped like a time that is not one (`at 25:00`).
fn time_of_day<'a>(
    text: &'a str,
    now: DateTime<Utc>,
    offset_at: &dyn Fn(DateTime<Utc>) -> FixedOffset,
) -> Result<Option<(DateTime<Utc>, &'a str)>, ClaimError> {
    let token_end = |s: &str| s.find([' ', '\t', ',']).unwrap_or(s.len());
    let first = &text[..token_end(text)];
    let (date, clock, rest) = if looks_like_date(first) {
        let after = text[first.len()..].trim_start();
        let clock = &after[..token_end(after)];
        let date = NaiveDate::parse_from_str(first, "%Y-%m-%d").map_err(|_| not_a_time(first))?;
        (Some(date), clock, &after[clock.len()..])
    } else {
        (None, first, &text[first.len()..])
    };
    // A trailing `:` separates the text: `at 14:05: failover done`.
    let (clock, rest) = match clock.strip_suffix(':') {
        Some(c) => (c, &text[text.len() - rest.len() - 1..]),
        None => (clock, rest),
    };
    if !clock.starts_with(|c: char| c.is_ascii_digit()) || !clock.contains(':') {
        return match date {
            Some(_) => Err(not_a_time(text.trim_end())),
            None => Ok(None),
        };
    }
    let time = NaiveTime::parse_from_str(clock, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M:%S"))
        .map_err(|_| not_a_time(clock))?;
    let date = date.unwrap_or_else(|| now.with_timezone(&offset_at(now)).date_naive());
    Ok(Some((local_to_utc(date.and_time(time), offset_at), rest)))
}

fn looks_like_date(token: &str) -> bool {
    token.len() == 10 && token.as_bytes()[4] == b'-' && token.as_bytes()[7] == b'-'
}

/// A local time as UTC: the offset guessed at the local time read as UTC, then corrected once
/// with the offset at the instant found (enough for any zone's one clock change at a time).
fn local_to_utc(
    local: NaiveDateTime,
    offset_at: &dyn Fn(DateTime<Utc>) -> FixedOffset,
) -> DateTime<Utc> {
    let guess = Utc.from_utc_datetime(&local);
    let first = guess - Duration::seconds(offset_at(guess).local_minus_utc().into());
    let second = offset_at(first);
    guess - Duration::seconds(second.local_minus_utc().into())
}

/// `1h30m`, `10m`, `45s` and what follows; `None` unless it is one.
fn compound(text: &str) -> Option<(Duration, &str)> {
    let mut total = Duration::zero();
    let mut rest = text;
    let mut parts = 0;
    loop {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            break;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let seconds = match unit {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total += Duration::seconds(n.checked_mul(seconds)?);
        rest = &rest[digits + 1..];
        parts += 1;
    }
    (parts > 0).then_some((total, rest))
}

/// `10 minutes ago`, `1 hour ago`, `90 s ago`, `1h30m ago` and what follows.
fn ago(text: &str) -> Option<(Duration, &str)> {
    if let Some((d, rest)) = compound(text)
        && let Some(rest) = strip_word(rest.trim_start_matches(' '), "ago").or_else(|| {
            rest.trim_start_matches(' ')
                .eq_ignore_ascii_case("ago")
                .then_some("")
        })
    {
        return Some((d, rest));
    }
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if digits == 0 {
        return None;
    }
    let n: i64 = text[..digits].parse().ok()?;
    let mut words = text[digits..].trim_start().splitn(3, [' ', '\t']);
    let unit = words.next()?;
    let seconds = match unit.to_ascii_lowercase().as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        _ => return None,
    };
    let ago_word = words.next()?;
    let ago_word = ago_word.strip_suffix([':', ',']).unwrap_or(ago_word);
    if !ago_word.eq_ignore_ascii_case("ago") {
        return None;
    }
    // The rest starts right after `ago` (its `:` or `,` kept for the caller to trim).
    let start = text.len() - words.next().map_or(0, |w| w.len() + 1);
    Some((Duration::seconds(n.checked_mul(seconds)?), &text[start..]))
}

fn not_a_time(typed: &str) -> ClaimError {
    ClaimError::NotATime {
        typed: typed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 14:15:00 in a zone 5h30 ahead of UTC (no DST): 08:45:00Z.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 8, 45, 0).unwrap()
    }

    fn india(_: DateTime<Utc>) -> FixedOffset {
        FixedOffset::east_opt(5 * 3600 + 1800).unwrap()
    }

    fn claim(text: &str) -> Option<(String, String)> {
        parse(text, now(), &india).unwrap().map(|c| {
            (
                c.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                c.rest.to_string(),
            )
        })
    }

    fn claimed(at: &str, rest: &str) -> Option<(String, String)> {
        Some((at.to_string(), rest.to_string()))
    }

    #[test]
    fn a_time_of_day_is_today_in_the_operators_zone() {
        assert_eq!(
            claim("at 14:05: failover done"),
            claimed("2026-12-03T08:35:00Z", "failover done")
        );
        assert_eq!(
            claim("At 14:05 failover done"),
            claimed("2026-12-03T08:35:00Z", "failover done")
        );
        assert_eq!(claim("at 14:05:30"), claimed("2026-12-03T08:35:30Z", ""));
        assert_eq!(
            claim("at 00:10, page acknowledged"),
            claimed("2026-12-02T18:40:00Z", "page acknowledged")
        );
    }

    #[test]
    fn a_date_and_time_is_taken_as_written() {
        assert_eq!(
            claim("at 2026-12-02 23:50 - first alert"),
            claimed("2026-12-02T18:20:00Z", "first alert")
        );
    }

    #[test]
    fn durations_count_back_from_now() {
        assert_eq!(
            claim("-10m: drained"),
            claimed("2026-12-03T08:35:00Z", "drained")
        );
        assert_eq!(claim("-1h30m"), claimed("2026-12-03T07:15:00Z", ""));
        assert_eq!(
            claim("10 minutes ago: drained"),
            claimed("2026-12-03T08:35:00Z", "drained")
        );
        assert_eq!(claim("1 hour ago"), claimed("2026-12-03T07:45:00Z", ""));
        assert_eq!(
            claim("90 s ago, retried"),
            claimed("2026-12-03T08:43:30Z", "retried")
        );
        assert_eq!(
            claim("1h30m ago the pager went"),
            claimed("2026-12-03T07:15:00Z", "the pager went")
        );
    }

    #[test]
    fn prose_is_not_a_time() {
        for text in [
            "at least 3 nodes down",
            "-5% error rate",
            "10 minutes of errors",
            "failover done at 14:05",
            "at noon",
            "",
        ] {
            assert_eq!(claim(text), None, "{text}");
        }
    }

    #[test]
    fn the_future_and_non_times_are_refused() {
        assert!(matches!(
            parse("at 14:20: done", now(), &india),
            Err(ClaimError::InFuture { at, .. }) if at == "2026-12-03 14:20"
        ));
        assert!(matches!(
            parse("at 2026-12-04 01:00", now(), &india),
            Err(ClaimError::InFuture { .. })
        ));
        for text in [
            "at 25:00",
            "at 14:5x",
            "at 2026-13-01 10:00",
            "at 2026-12-01 soon",
        ] {
            assert!(
                matches!(parse(text, now(), &india), Err(ClaimError::NotATime { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn a_clock_change_between_now_and_the_time_typed_is_taken_into_account() {
        // A zone at +02:00 until 2026-12-03T06:00Z and +01:00 after (a clock going back).
        let zone = |t: DateTime<Utc>| {
            let switch = Utc.with_ymd_and_hms(2026, 12, 3, 6, 0, 0).unwrap();
            FixedOffset::east_opt(if t < switch { 7200 } else { 3600 }).unwrap()
        };
        let at = |text| parse(text, now(), &zone).unwrap().unwrap().at;
        // Now is 09:45 local (+01:00); 07:30 local is 06:30Z (after the change), 06:30 local is
        // 04:30Z (before it, at +02:00).
        assert_eq!(
            at("at 07:30"),
            Utc.with_ymd_and_hms(2026, 12, 3, 6, 30, 0).unwrap()
        );
        assert_eq!(
            at("at 06:30"),
            Utc.with_ymd_and_hms(2026, 12, 3, 4, 30, 0).unwrap()
        );
    }
}
