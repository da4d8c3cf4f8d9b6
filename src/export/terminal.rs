//! `runbook timeline`: the merged timeline as terminal text, coloured by kind when asked.

use std::fmt::Write;

use super::model::{Kind, Timeline};
use super::text;
use super::text::short_session;
use crate::terminal::Paint;

/// Renders the header, warnings, one line per event and the hash-chain status.
pub fn render(t: &Timeline, paint: Paint) -> String {
    let mut o = String::with_capacity(1024 + t.entries.len() * 120);
    let h = &t.header;
    let title = h
        .runbook
        .as_ref()
        .map_or("(unknown runbook)", |r| r.title.as_str());
    let _ = writeln!(o, "{}", paint.bold(title));
    let mut facts = Vec::new();
    if let Some(i) = &h.incident {
        facts.push(format!("incident {i}"));
    }
    facts.push(format!("mode {}", h.mode));
    facts.push(format!("operators {}", h.operators.join(", ")));
    facts.push(format!(
        "{} → {} ({})",
        text::utc(&h.start),
        text::clock(&h.end),
        text::duration(h.duration_ms)
    ));
    if !h.regions.is_empty() {
        facts.push(format!("regions {}", h.regions.join(", ")));
    }
    let _ = writeln!(o, "{}", paint.dim(&facts.join(" · ")));
    for w in &t.warnings {
        let _ = writeln!(o, "{}", paint.red(&format!("warning: {w}")));
    }
    o.push('\n');
    let who_width = t
        .entries
        .iter()
        .map(|e| e.operator.chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    let multi_session = t.sessions.len() > 1;
    for e in &t.entries {
        let kind = format!("{:<11}", e.kind.label());
        let kind = match e.kind {
            Kind::Session | Kind::Handoff => paint.cyan(&kind),
            Kind::Milestone | Kind::GuardAlarm | Kind::Log => paint.red(&kind),
            Kind::Note | Kind::Lookup => paint.yellow(&kind),
            Kind::Step => paint.bold(&kind),
            Kind::Command | Kind::Checklist => kind,
        };
        // A log is hostile input: no escape sequence of its own reaches the terminal.
        let clean = text::clean_output(&e.summary).replace('\n', " ");
        let summary = if summary_failed(e) {
            paint.red(&clean)
        } else {
            clean
        };
        let op: String = text::clean_output(&e.operator).chars().take(16).collect();
        let session = if multi_session {
            format!(" {}", paint.dim(short_session(&e.session)))
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "{} {} {op:<who_width$}{session} {kind} {}",
            paint.dim(text::clock(&e.ts)),
            paint.dim(&format!("{:>9}", text::offset(e.offset_ms))),
            summary
        );
    }
    o.push('\n');
    for l in &t.logs {
        let _ = writeln!(o, "{}: {}", l.path, l.describe());
    }
    o
}

fn summary_failed(e: &super::model::Entry) -> bool {
    use crate::event::{Event, StepStatus};
    matches!(
        e.event,
        Event::CommandFinished { success: false, .. }
            | Event::StepFinished {
                status: StepStatus::Failed,
                ..
            }
    )
}
