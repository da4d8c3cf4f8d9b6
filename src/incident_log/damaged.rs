//! A log refused for resuming because a complete line in it fails its checks: it was changed or
//! damaged after it was written. A crash only cuts the last line short (no newline); that alone
//! is repaired.

use crate::event::LogError;

/// A complete line of the log fails its checks, at `path:line:column`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", self.location(), self.message())]
pub struct DamagedLog {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// Why the line fails, as [`super::LogProblem::reason`].
    pub reason: String,
}

impl DamagedLog {
    /// `path:line:column`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path, self.line, self.column)
    }

    /// The message after the location.
    pub fn message(&self) -> String {
        format!(
            "{}; it cannot be resumed: only a last line cut short by a crash is repaired",
            self.reason
        )
    }
}

/// Why a log cannot be opened to continue it.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// It cannot be read, locked or cut.
    #[error(transparent)]
    Log(#[from] LogError),
    /// It was changed or damaged.
    #[error(transparent)]
    Damaged(#[from] DamagedLog),
}
