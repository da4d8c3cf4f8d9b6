//! SDK timestamps as RFC 3339 text; durations are spelled by [`crate::human`].

use aws_sdk_cloudwatch::primitives::DateTime;
use chrono::SecondsFormat;

/// `2024-05-01T10:00:00Z` (fractional seconds only when there are some).
pub(crate) fn rfc3339(t: &DateTime) -> String {
    match chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()) {
        Some(utc) => utc.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        // Out of chrono's range: the SDK's own ISO 8601 form, or the raw seconds.
        None => t
            .fmt(aws_sdk_cloudwatch::primitives::DateTimeFormat::DateTime)
            .unwrap_or_else(|_| t.secs().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(
            rfc3339(&DateTime::from_secs(1_714_557_600)),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(
            rfc3339(&DateTime::from_millis(1_714_557_600_250)),
            "2024-05-01T10:00:00.250Z"
        );
    }

    #[test]
    fn lookup_durations_use_the_one_spelling() {
        // Spinners and timeout messages spell durations as everything else does.
        use std::time::Duration;
        let d = crate::human::duration;
        assert_eq!(d(Duration::from_secs(10)), "10s");
        assert_eq!(d(Duration::from_millis(400)), "400ms");
        assert_eq!(d(Duration::from_millis(2500)), "2.5s");
        assert_eq!(d(Duration::from_millis(40)), "40ms");
    }
}
