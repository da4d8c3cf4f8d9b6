//! The errors that end a command, their exit codes, and the one place they are rendered.

use std::io;

use crate::runbook::Diagnostic;
use crate::source::LoadError;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The runbook has errors; they were already reported as diagnostics.
    #[error("{path} has {count} error(s)")]
    Invalid { path: String, count: usize },
    /// The runbook parses but cannot be used this way.
    #[error("{message}")]
    Unusable {
        path: String,
        diagnostic: Box<Diagnostic>,
        message: String,
    },
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
    /// Arguments that clap accepts but that make no sense together or in this place.
    #[error("{0}")]
    Usage(String),
    /// The incident log cannot be written or read.
    #[error(transparent)]
    Log(#[from] crate::event::LogError),
    /// A file the command writes (not the incident log) cannot be written.
    #[error("cannot write `{}`: {}", path.display(), crate::human::io_reason(source))]
    WriteFile {
        path: std::path::PathBuf,
        source: io::Error,
    },
    /// The walk cannot go on as asked (changed runbook, invalid log); exit 1.
    #[error("{0}")]
    Refused(String),
    /// A log to resume was changed or damaged (not torn by a crash); exit 2.
    #[error(transparent)]
    DamagedLog(#[from] crate::incident_log::DamagedLog),
    /// A log head cannot be signed, or a signature checked; exit 2.
    #[error(transparent)]
    Sign(#[from] crate::signing::SignError),
    /// A shared incident cannot be read from CloudWatch Logs; exit 1 when it is not there, else 2.
    #[error(transparent)]
    SharedRead(#[from] crate::share::reader::ReadError),
    /// The log does not reach the head it was asked to prove; exit 2.
    #[error("`{path}`: {source}")]
    Head {
        path: String,
        source: crate::incident_log::HeadError,
    },
}

impl From<crate::incident_log::ResumeError> for Error {
    fn from(e: crate::incident_log::ResumeError) -> Self {
        match e {
            crate::incident_log::ResumeError::Log(e) => Error::Log(e),
            crate::incident_log::ResumeError::Damaged(e) => Error::DamagedLog(e),
        }
    }
}

impl Error {
    /// 1 for a runbook with errors, 2 for usage and I/O errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid { .. } | Error::Unusable { .. } | Error::Refused(_) => 1,
            Error::SharedRead(e) => e.exit_code(),
            Error::Load(_)
            | Error::Output(_)
            | Error::Usage(_)
            | Error::Log(_)
            | Error::WriteFile { .. }
            | Error::DamagedLog(_)
            | Error::Sign(_)
            | Error::Head { .. } => 2,
        }
    }

    /// The full message for stderr; `None` when it was already reported.
    pub fn render(&self) -> Option<String> {
        // Messages quote the runbook and the log: their control characters are shown.
        let message = match self {
            Error::Invalid { .. } => None,
            Error::Load(e) => Some(match e.location() {
                Some(at) => format!("{at}: error: {e}"),
                None => format!("error: {e}"),
            }),
            Error::Unusable {
                path, diagnostic, ..
            } => Some(diagnostic.render(path)),
            Error::DamagedLog(d) => Some(format!("{}: error: {}", d.location(), d.message())),
            Error::Output(_)
            | Error::Usage(_)
            | Error::Log(_)
            | Error::Refused(_)
            | Error::WriteFile { .. }
            | Error::Sign(_)
            | Error::SharedRead(_)
            | Error::Head { .. } => Some(format!("error: {self}")),
        };
        message.map(|m| crate::human::visible(&m).into_owned())
    }

    /// Writing to a closed pipe (`runbook list | head`) is not a failure worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}
