//! What CloudWatch said, as the log keeps it: alarms, lookup verdicts and why a lookup failed.

use serde::{Deserialize, Serialize};

use crate::runbook::AlarmState;

/// One alarm as CloudWatch describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmInfo {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    /// When it entered its state (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// How a metric's latest datapoint compares with the lookup's `expect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "OK")]
    Ok,
    #[serde(rename = "BREACH")]
    Breach,
    #[serde(rename = "NO DATA")]
    NoData,
}

impl Verdict {
    /// As logged and shown: `OK`, `BREACH`, `NO DATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Breach => "BREACH",
            Verdict::NoData => "NO DATA",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a lookup failed in one region; the walk goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupErrorKind {
    NoCredentials,
    AccessDenied,
    Throttled,
    Timeout,
    /// The endpoint could not be reached (DNS, connection refused, unknown region).
    Endpoint,
    /// The request was rejected as invalid (bad metric, bad expression).
    Invalid,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_states_keep_their_logged_spelling() {
        for (v, text) in [
            (Verdict::Ok, "\"OK\""),
            (Verdict::Breach, "\"BREACH\""),
            (Verdict::NoData, "\"NO DATA\""),
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), text);
            assert_eq!(serde_json::from_str::<Verdict>(text).unwrap(), v);
        }
        let alarm: AlarmInfo =
            serde_json::from_str(r#"{"name":"a","state":"INSUFFICIENT_DATA","reason":"r"}"#)
                .unwrap();
        assert_eq!(alarm.state, AlarmState::InsufficientData);
        assert!(
            serde_json::from_str::<AlarmInfo>(r#"{"name":"a","state":"WHAT","reason":"r"}"#)
                .is_err()
        );
    }
}
