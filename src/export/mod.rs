//! Post-incident exports: one or more incident logs merged into one computed timeline, rendered
//! as Markdown, self-contained HTML, JSON, AWS Incident Manager timeline events, a Slack summary,
//! or terminal text,
//! and compared with earlier runs.
//!
//! Everything here is pure except [`load_logs`]: the renderers take a [`Timeline`] and return text;
//! Markdown, HTML and the terminal timeline show the one [`report::Report`] computed from it.

pub mod aws_timeline;
pub mod compare;
pub mod html;
pub mod json;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod report;
pub mod slack;
pub mod terminal;
pub mod text;

#[cfg(test)]
mod duration_tests;
#[cfg(test)]
mod merge_tests;

use std::path::{Path, PathBuf};

pub use model::{ChainState, Kind, LoadedLog, Timeline};

/// Why an export cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A log that cannot be read at all (missing, a directory, unreadable).
    #[error("cannot read `{path}`: {reason}")]
    Read { path: String, reason: String },
    /// Not one valid event in any of the logs.
    #[error("no valid event to export: {details}")]
    NoEvents { details: String },
}

/// The output formats of `runbook export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
    AwsTimeline,
    /// A short summary for a chat channel, as message text.
    Slack,
    /// The same summary as a webhook payload, `{"text": …}`.
    SlackJson,
}

/// Reads every log (checking each line and the hash chain as `verify` does), stopping each at its
/// first problem; only an unreadable file is an error.
pub fn load_logs(paths: &[PathBuf]) -> Result<Vec<LoadedLog>, ExportError> {
    paths.iter().map(|p| load_log(p)).collect()
}

/// Reads one log; see [`load_logs`].
pub fn load_log(path: &Path) -> Result<LoadedLog, ExportError> {
    let shown = path.display().to_string();
    let log = crate::incident_log::read_log(path).map_err(|e| ExportError::Read {
        path: shown.clone(),
        reason: match e.kind() {
            std::io::ErrorKind::IsADirectory => {
                "is a directory; give an incident log (`*.jsonl`)".into()
            }
            _ => crate::human::io_reason(&e),
        },
    })?;
    Ok(LoadedLog { path: shown, log })
}

/// Builds the merged timeline, refusing when no log holds a single valid event.
pub fn build(logs: Vec<LoadedLog>) -> Result<Timeline, ExportError> {
    if logs.iter().all(|l| l.log.records.is_empty()) {
        let details = logs
            .iter()
            .map(|l| match l.log.verdict() {
                Err(p) => format!("`{}`:{}: {}", l.path, p.line, p.reason),
                Ok(()) => format!("`{}`: no event", l.path),
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ExportError::NoEvents { details });
    }
    Ok(model::build(logs))
}

/// Renders `timeline` in `format`.
pub fn render(timeline: &Timeline, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(timeline),
        Format::Html => html::render(timeline),
        Format::Json => json::render(timeline),
        Format::AwsTimeline => aws_timeline::render(timeline),
        Format::Slack => slack::render(timeline),
        Format::SlackJson => slack::render_json(timeline),
    }
}
