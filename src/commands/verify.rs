//! `runbook verify LOG`: checks every line of an incident log and its hash chain.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::human::{count, io_reason};
use crate::incident_log;
use crate::source::LoadError;

/// Exit 0 when the log is intact, 1 when a line is invalid, changed, missing or torn (reported on
/// `out` as `LOG:LINE:COLUMN: invalid: reason`), 2 (an `Err`) when it cannot be read.
pub fn run(path: &Path, out: &mut dyn Write, _err: &mut dyn Write) -> Result<u8, Error> {
    let shown = path.display().to_string();
    let log = incident_log::read_log(path).map_err(|e| {
        Error::Load(LoadError::Io {
            path: shown.clone(),
            reason: match e.kind() {
                std::io::ErrorKind::IsADirectory => {
                    "is a directory; give an incident log (`*.jsonl`)".into()
                }
                _ => io_reason(&e),
            },
        })
    })?;
    match (log.verdict(), log.records.first(), log.records.last()) {
        (Ok(()), Some(first), Some(last)) => {
            writeln!(
                out,
                "ok: {}, hash chain intact (first {}, last {})",
                count(log.records.len(), "event", "events"),
                first.ts,
                last.ts
            )?;
            Ok(0)
        }
        (Err(problem), ..) => {
            writeln!(
                out,
                "{shown}:{}:{}: invalid: {}",
                problem.line, problem.column, problem.reason
            )?;
            Ok(1)
        }
        // A log with no problem has a first line; kept total for the type checker.
        (Ok(()), ..) => {
            writeln!(out, "{shown}:1:1: invalid: the log is empty")?;
            Ok(1)
        }
    }
}
