//! Where an incident lives in CloudWatch Logs: the log group, and one stream per walk session.

/// The log group incidents are shared in unless `--share-group` names another.
pub const DEFAULT_GROUP: &str = "/runbook/incidents";

/// CloudWatch Logs' limit on a stream name, in bytes.
const MAX_STREAM_NAME: usize = 512;

/// The longest session id `new_session_id` makes, and the `/` before it.
const SESSION_PART: usize = 17;

/// The stream a session ships to: `<incident>/<session>`.
pub fn stream_name(incident: &str, session: &str) -> String {
    format!("{incident}/{session}")
}

/// What every stream of `incident` starts with, for listing them.
pub fn stream_prefix(incident: &str) -> String {
    format!("{incident}/")
}

/// The session a stream of `incident` belongs to, or `None` when it is not one of its streams.
pub fn session_of<'a>(stream: &'a str, incident: &str) -> Option<&'a str> {
    stream
        .strip_prefix(incident)?
        .strip_prefix('/')
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// Why an incident id cannot name streams, if it cannot: CloudWatch Logs refuses `:` and `*` in
/// stream names, and `/` would make one incident's prefix match another's streams.
pub fn check_incident(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("the incident id is empty".into());
    }
    if let Some(c) = id
        .chars()
        .find(|&c| matches!(c, ':' | '*' | '/') || c.is_control())
    {
        return Err(format!(
            "incident id `{id}` holds `{}`, which a CloudWatch Logs stream name cannot share: use letters, digits, `-`, `_` and `.`",
            c.escape_default()
        ));
    }
    if id.len() + SESSION_PART > MAX_STREAM_NAME {
        return Err(format!(
            "incident id `{}…` is {} bytes long; at most {} fit in a stream name",
            id.chars().take(20).collect::<String>(),
            id.len(),
            MAX_STREAM_NAME - SESSION_PART
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_stream_is_named_after_the_incident_and_read_back() {
        let stream = stream_name("INC-2041", "0123456789abcdef");
        assert_eq!(stream, "INC-2041/0123456789abcdef");
        assert!(stream.starts_with(&stream_prefix("INC-2041")));
        assert_eq!(session_of(&stream, "INC-2041"), Some("0123456789abcdef"));
        // `INC-20` is a prefix of the name, not the incident.
        assert_eq!(session_of(&stream, "INC-20"), None);
        assert_eq!(session_of("INC-2041/", "INC-2041"), None);
    }

    #[test]
    fn incident_ids_that_cannot_name_a_stream_are_refused_with_the_reason() {
        assert!(check_incident("INC-2041").is_ok());
        assert!(check_incident("2026-12-03.sev1_sip").is_ok());
        assert_eq!(
            check_incident("  ").unwrap_err(),
            "the incident id is empty"
        );
        for bad in ["a:b", "a*", "a/b", "a\tb"] {
            let e = check_incident(bad).unwrap_err();
            assert!(e.contains("cannot share"), "{bad}: {e}");
        }
        assert!(
            check_incident(&"x".repeat(600))
                .unwrap_err()
                .contains("600 bytes")
        );
    }
}
