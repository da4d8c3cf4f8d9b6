//! Where events go and what time it is: the two interfaces every walk is given.

use chrono::{DateTime, Utc};

use super::{Event, Record};

/// Why an event could not be recorded; the walk stops rather than go on unlogged.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the incident log `{path}`: {reason}")]
pub struct LogError {
    pub path: String,
    pub reason: String,
}

/// The incident log: every event durable before the action it announces goes ahead.
pub trait EventLog {
    /// Appends `event` as `operator` and returns the record as written.
    fn append(&mut self, operator: &str, event: Event) -> Result<Record, LogError>;
    /// Appends `event` without waiting for the disk; the next [`append`](Self::append) makes both
    /// durable. Only for an event whose action follows the next event (an approval, written just
    /// before the command's start): one sync instead of two, and both are on disk before the
    /// command runs.
    fn append_unsynced(&mut self, operator: &str, event: Event) -> Result<Record, LogError> {
        self.append(operator, event)
    }
    /// Where the log lives, for messages.
    fn location(&self) -> String;
}

/// Wall-clock time, so tests can fix it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}
