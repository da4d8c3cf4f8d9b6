//! The JSON export: one document (schemas/incident-export.schema.json) with the session metadata,
//! steps, ordered events and computed durations.

use serde::Serialize;

use super::model::{
    CommandRun, Entry, Header, LogStatus, Milestones, RunbookSection, SessionInfo, StepSummary,
    Timeline,
};

/// Version of the export document, written as `export_version`.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    export_version: u32,
    tool_version: &'static str,
    header: &'a Header,
    /// Each input log and its hash chain at export time.
    logs: &'a [LogStatus],
    warnings: &'a [String],
    /// Events given more than once, merged once.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    merge_notes: &'a [String],
    sessions: &'a [SessionInfo],
    /// Every step; with several runbooks, each runbook's in turn.
    steps: &'a [StepSummary],
    /// Only when the logs walk several runbooks: each with its logs and its own steps.
    #[serde(skip_serializing_if = "<[RunbookSection]>::is_empty")]
    runbooks: &'a [RunbookSection],
    milestones: &'a Milestones,
    /// Indexes into `events`.
    commands: &'a [CommandRun],
    events: &'a [Entry],
}

/// Renders the document, pretty-printed, with a final newline.
pub fn render(t: &Timeline) -> String {
    let doc = Document {
        export_version: EXPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        header: &t.header,
        logs: &t.logs,
        warnings: &t.warnings,
        merge_notes: &t.merge_notes,
        sessions: &t.sessions,
        steps: &t.steps,
        runbooks: if t.runbooks.len() > 1 {
            &t.runbooks
        } else {
            &[]
        },
        milestones: &t.milestones,
        commands: &t.commands,
        events: &t.entries,
    };
    // Serializing plain data to a string cannot fail (no maps with non-string keys, no I/O).
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialize the export: {e}") }).to_string()
    });
    s.push('\n');
    s
}
