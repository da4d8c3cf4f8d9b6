//! The aws-timeline export: a JSON array of AWS Incident Manager `CreateTimelineEvent` inputs
//! (schemas/aws-timeline.schema.json), one per event worth a line in an incident record.
//!
//! Each element works with `aws ssm-incidents create-timeline-event --incident-record-arn ARN
//! --cli-input-json "$element"`. `eventData` is a JSON *string* (the API's type) holding a short
//! summary. Kept: sessions (start, resume, pause, finish), log repairs, finished steps, finished,
//! skipped and hand-done commands, approvals typed or allowed by a flag, refusals,
//! edits, guard overrides, notes and milestones, hand-offs, lookups and guard alarms; left
//! out: step and command starts and checklist ticks, which the finished events already cover.

use serde::Serialize;

use super::model::{Entry, Kind, Timeline};
use crate::event::{ApprovalHow, Event};

/// The API's limit on `eventData` is 12,000 characters; summaries are kept far below.
const MAX_SUMMARY_CHARS: usize = 1000;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TimelineEvent {
    event_time: String,
    event_type: &'static str,
    event_data: String,
}

#[derive(Serialize)]
struct EventData<'a> {
    source: &'static str,
    summary: String,
    kind: &'static str,
    #[serde(rename = "type")]
    event_type: &'static str,
    operator: &'a str,
    session: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step_title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<&'a str>,
    /// A back-dated note stands at the time it claims; this is when it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    noted: Option<&'a str>,
}

fn wanted(e: &Entry) -> bool {
    !matches!(
        e.event,
        Event::StepStarted { .. }
            | Event::CommandStarted { .. }
            | Event::ChecklistItem { .. }
            // A key or `--yes` approves every command; typing `yes` or `--allow-danger` is news.
            | Event::CommandApproved {
                how: ApprovalHow::Key | ApprovalHow::YesFlag,
                ..
            }
    )
}

fn type_name(e: &Event) -> &'static str {
    match e {
        Event::SessionStarted { .. } => "session_started",
        Event::SessionResumed { .. } => "session_resumed",
        Event::LogRepaired { .. } => "log_repaired",
        Event::SessionPaused { .. } => "session_paused",
        Event::SessionFinished { .. } => "session_finished",
        Event::StepStarted { .. } => "step_started",
        Event::StepFinished { .. } => "step_finished",
        Event::CommandStarted { .. } => "command_started",
        Event::CommandFinished { .. } => "command_finished",
        Event::CommandSkipped { .. } => "command_skipped",
        Event::CommandDone { .. } => "command_done",
        Event::ChecklistItem { .. } => "checklist_item",
        Event::Note { .. } => "note",
        Event::Handoff { .. } => "handoff",
        Event::LookupResult { .. } => "lookup_result",
        Event::GuardAlarm { .. } => "guard_alarm",
        Event::CommandApproved { .. } => "command_approved",
        Event::CommandRefused { .. } => "command_refused",
        Event::GuardOverride { .. } => "guard_override",
        Event::CommandEdited { .. } => "command_edited",
        Event::VariableSet { .. } => "variable_set",
        Event::GuardUnavailable { .. } => "guard_unavailable",
        Event::GuardRecovered { .. } => "guard_recovered",
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_SUMMARY_CHARS {
        return s.to_string();
    }
    let mut c: String = s.chars().take(MAX_SUMMARY_CHARS).collect();
    c.push('…');
    c
}

/// Renders the array, pretty-printed, with a final newline. When a log is torn or invalid, the
/// first element is a warning event at the time of the first event, so the record says so too.
pub fn render(t: &Timeline) -> String {
    let incident = t.header.incident.as_deref();
    let mut out = Vec::new();
    if !t.warnings.is_empty()
        && let Some(first) = t.entries.first()
    {
        let data = EventData {
            source: "runbook",
            summary: cut(&format!(
                "WARNING: this timeline may be incomplete: {}",
                t.warnings.join("; ").replace('`', "")
            )),
            kind: Kind::Log.label(),
            event_type: "export_warning",
            operator: &first.operator,
            session: &first.session,
            incident,
            step: None,
            step_title: None,
            warning: Some("incomplete"),
            noted: None,
        };
        out.push(TimelineEvent {
            event_time: first.ts.clone(),
            event_type: "Custom Event",
            event_data: serde_json::to_string(&data).unwrap_or_default(),
        });
    }
    for e in t.entries.iter().filter(|e| wanted(e)) {
        let data = EventData {
            source: "runbook",
            summary: cut(&format!("{}: {}", e.operator, e.summary)),
            kind: e.kind.label(),
            event_type: type_name(&e.event),
            operator: &e.operator,
            session: &e.session,
            incident,
            step: e.step,
            step_title: e.step.and_then(|s| t.step_title(s)),
            warning: None,
            noted: (e.claimed_ts() != e.ts).then_some(e.ts.as_str()),
        };
        out.push(TimelineEvent {
            event_time: e.claimed_ts().to_string(),
            event_type: "Custom Event",
            event_data: serde_json::to_string(&data).unwrap_or_default(),
        });
    }
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
