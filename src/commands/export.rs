//! `runbook export LOG... --format markdown|html|json|aws-timeline|slack|slack-json [-o FILE]`: the incident logs
//! merged into one post-incident report.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{ExportConfig, LogSource};
use crate::error::Error;
use crate::export::{self, ExportError, Timeline};
use crate::source::LoadError;

/// Exit 0 with the export on `out` (or in the `-o` file), warnings for torn or invalid logs on
/// `err`; 1 when no log holds a valid event; 2 when a log cannot be read.
pub fn run(config: &ExportConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Error> {
    let timeline = load_source(&config.source, err)?;
    let rendered = export::render(&timeline, config.format);
    match &config.output {
        None => out.write_all(rendered.as_bytes())?,
        Some(path) => {
            std::fs::write(path, rendered.as_bytes()).map_err(|e| {
                Error::Usage(format!(
                    "cannot write `{}`: {}",
                    path.display(),
                    crate::human::io_reason(&e)
                ))
            })?;
            writeln!(
                err,
                "exported {} to `{}`",
                crate::human::count(timeline.entries.len(), "event", "events"),
                path.display()
            )?;
        }
    }
    Ok(0)
}

/// Reads and merges local logs or a shared incident, printing a warning on `err` for each problem found.
pub fn load_source(source: &LogSource, err: &mut dyn Write) -> Result<Timeline, Error> {
    match source {
        LogSource::Files(paths) => load(paths, err),
        LogSource::Shared(shared) => super::shared::load(shared, err),
    }
}

/// Reads and merges the logs, printing a warning on `err` for each problem found.
pub fn load(paths: &[PathBuf], err: &mut dyn Write) -> Result<Timeline, Error> {
    let logs = export::load_logs(paths).map_err(to_error)?;
    build_and_warn(logs, err)
}

/// Merges logs already read, printing the timeline's warnings and notes on `err`.
pub fn build_and_warn(
    logs: Vec<export::LoadedLog>,
    err: &mut dyn Write,
) -> Result<Timeline, Error> {
    let timeline = export::build(logs).map_err(to_error)?;
    for w in &timeline.warnings {
        writeln!(err, "warning: {w}")?;
    }
    for n in &timeline.merge_notes {
        writeln!(err, "note: {n}")?;
    }
    Ok(timeline)
}

/// Reads one log on its own (for `compare`).
pub fn load_one(path: &Path, err: &mut dyn Write) -> Result<Timeline, Error> {
    load(&[path.to_path_buf()], err)
}

fn to_error(e: ExportError) -> Error {
    match e {
        ExportError::Read { path, reason } => Error::Load(LoadError::Io { path, reason }),
        e @ ExportError::NoEvents { .. } => Error::Refused(e.to_string()),
    }
}
