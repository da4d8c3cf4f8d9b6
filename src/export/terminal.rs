//! `runbook timeline`: the report's header, events and hash chain as terminal text, coloured by
//! kind when asked.

use std::fmt::Write;

use super::model::{Kind, Timeline};
use super::report::{EventRow, Head, Summary, chain_rows, event_rows};
use crate::human::visible;
use crate::terminal::Paint;

/// Operator names are cut to this many characters to keep the columns.
const OPERATOR_WIDTH: usize = 16;

/// Columns of the event rows: the operator's width, and whether the session is shown.
pub fn columns(t: &Timeline) -> (usize, bool) {
    let width = t
        .entries
        .iter()
        .map(|e| e.operator.chars().count())
        .max()
        .unwrap_or(0)
        .min(OPERATOR_WIDTH);
    (width, Summary::new(t).sessions > 1)
}

/// One event as a line of the timeline, newline included.
pub fn row(e: &EventRow<'_>, who_width: usize, multi_session: bool, paint: Paint) -> String {
    let kind = format!("{:<11}", e.kind.label());
    let kind = match e.kind {
        Kind::Session | Kind::Handoff => paint.cyan(&kind),
        Kind::Milestone | Kind::GuardAlarm | Kind::Log => paint.red(&kind),
        Kind::Note | Kind::Lookup => paint.yellow(&kind),
        Kind::Step => paint.bold(&kind),
        Kind::Command | Kind::Checklist => kind,
    };
    // A log is hostile input: no control character of its own reaches the terminal; each
    // is shown (`^[`), as the walk showed it, so the code that ran reads as it ran.
    let summary = visible(&e.summary.replace('\n', " ")).into_owned();
    let summary = if e.failed {
        paint.red(&summary)
    } else {
        summary
    };
    let op: String = visible(e.operator).chars().take(OPERATOR_WIDTH).collect();
    let session = if multi_session {
        format!(" {}", paint.dim(e.session))
    } else {
        String::new()
    };
    format!(
        "{} {} {op:<who_width$}{session} {kind} {summary}\n",
        paint.dim(e.clock),
        paint.dim(&format!("{:>9}", e.t_plus)),
    )
}

/// Renders the header, warnings, one line per event and the hash-chain status.
pub fn render(t: &Timeline, paint: Paint) -> String {
    let mut o = String::with_capacity(1024 + t.entries.len() * 120);
    let s = Summary::new(t);
    let _ = writeln!(o, "{}", paint.bold(&visible(Head::new(t).runbook_title)));
    let mut facts = Vec::new();
    if let Some(i) = &t.header.incident {
        facts.push(format!("incident {i}"));
    }
    if !s.runbooks.is_empty() {
        let titles: Vec<String> = t.runbooks.iter().map(|r| r.label(&t.runbooks)).collect();
        facts.push(format!("runbooks {}", titles.join(", ")));
    }
    facts.push(format!("mode {}", s.mode));
    facts.push(format!("operators {}", s.operators.join(", ")));
    facts.push(format!("{} → {} ({})", s.start, s.end_clock, s.duration));
    if !s.regions.is_empty() {
        facts.push(format!("regions {}", s.regions.join(", ")));
    }
    let _ = writeln!(o, "{}", paint.dim(&visible(&facts.join(" · "))));
    for w in &t.warnings {
        let _ = writeln!(o, "{}", paint.red(&visible(&format!("warning: {w}"))));
    }
    for n in &t.merge_notes {
        let _ = writeln!(o, "{}", paint.dim(&visible(&format!("note: {n}"))));
    }
    o.push('\n');
    let (who_width, multi_session) = columns(t);
    for e in &event_rows(t) {
        o.push_str(&row(e, who_width, multi_session, paint));
    }
    o.push('\n');
    for l in chain_rows(t) {
        let _ = writeln!(o, "{}: {}", l.path, l.text);
    }
    o
}
