//! Where events go and what time it is: the two interfaces every walk is given.

use chrono::{DateTime, FixedOffset, Offset, Utc};

use super::{Event, Record};

/// Why an event could not be recorded; the walk stops rather than go on unlogged.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the incident log `{path}`: {reason}")]
pub struct LogError {
    pub path: String,
    pub reason: String,
}

/// The incident log, written as a database writes its write-ahead log: each event is written at
/// once (a killed process loses nothing it wrote), and made durable in groups by [`commit`]
/// (one `fdatasync` for every event since the last one). The walk commits before each action an
/// event announces (a command, a lookup, an editor) and before each prompt and its end, so every
/// event is on disk before what it announces starts.
///
/// [`commit`]: EventLog::commit
pub trait EventLog {
    /// Writes `event` as `operator` and returns the record as written; durable at the next
    /// [`commit`](Self::commit).
    fn append(&mut self, operator: &str, event: Event) -> Result<Record, LogError>;
    /// Makes every event appended so far durable; a no-op when nothing is pending.
    fn commit(&mut self) -> Result<(), LogError>;
    /// Where the log lives, for messages.
    fn location(&self) -> String;
}

/// Wall-clock time, so tests can fix it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
    /// The operator's local zone's offset from UTC at `at`, for times of day typed at the prompt.
    fn local_offset(&self, _at: DateTime<Utc>) -> FixedOffset {
        Utc.fix()
    }
}
