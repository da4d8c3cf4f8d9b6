//! The incident log: JSON Lines, hash-chained, fsync'd per event; writing, reading and verifying it.
//!
//! One event per line. Every line carries `prev`, the sha256 of the previous line's bytes, and
//! ends with `hash`, the sha256 of the line itself up to that member, so a change to any byte of
//! any line is found by [`read_log`]. Lines are written whole and fsync'd one by one by
//! [`IncidentLogFile`]; a crash can only tear the last line, which resuming cuts off and records
//! as a [`crate::event::Event::LogRepaired`] event.

mod damaged;
mod head;
mod local_zone;

pub use local_zone::offset_at as local_offset_at;
mod reader;
mod watch;
mod writer;

pub use damaged::{DamagedLog, ResumeError};
pub use head::{Head, HeadError, HeadStatement, HeadSyntax, head_of, reaches};
pub use reader::{ExistingLog, LogProblem, MAX_LINE_BYTES, read_log, read_log_from};
pub use watch::lost;
pub use writer::{IncidentLogFile, SystemClock, format_timestamp, new_session_id};

/// `prev` of the first line: the sha256 of the empty string.
pub const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The last member of every line: `,"hash":"<64 hex digits>"}`, hashing the line before it plus `}`.
const HASH_MEMBER: &[u8] = b",\"hash\":\"";
/// Bytes of `,"hash":"…"}` at the end of a line.
const HASH_SUFFIX_LEN: usize = HASH_MEMBER.len() + 64 + 2;
