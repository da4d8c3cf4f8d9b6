//! The Markdown export: a report ready to paste into a postmortem document.

use std::fmt::Write;

use super::model::{ChainState, Entry, Kind, Timeline, number, query_text, short};
use super::text::{self, clean_output, md, md_code, md_fence, short_session};
use crate::event::{Event, NoteKind};

/// Output longer than this many lines (or bytes) is folded in `<details>`.
const FOLD_LINES: usize = 15;
const FOLD_BYTES: usize = 2000;

/// Renders the whole report.
pub fn render(t: &Timeline) -> String {
    let mut o = String::with_capacity(4096 + t.entries.len() * 160);
    let h = &t.header;
    let title = h
        .runbook
        .as_ref()
        .map_or("(unknown runbook)", |r| r.title.as_str());
    let _ = match &h.incident {
        Some(i) => writeln!(o, "# Incident {}: {}\n", md(i), md(title)),
        None => writeln!(o, "# Incident report: {}\n", md(title)),
    };
    banner(&mut o, t);
    summary(&mut o, t);
    key_times(&mut o, t);
    steps(&mut o, t);
    timeline(&mut o, t);
    commands(&mut o, t);
    notes(&mut o, t);
    lookups(&mut o, t);
    guard_alarms(&mut o, t);
    sessions(&mut o, t);
    chain(&mut o, t);
    o
}

fn banner(o: &mut String, t: &Timeline) {
    if t.warnings.is_empty() {
        return;
    }
    let _ = writeln!(o, "> **⚠ Warning: this export may be incomplete.**\n>");
    for w in &t.warnings {
        let _ = writeln!(o, "> - {}", inline(w));
    }
    o.push('\n');
}

/// Warning text: `code` spans kept as code, the rest escaped.
fn inline(s: &str) -> String {
    text::code_spans(s, md_code, md)
}

fn at(e: &Entry) -> String {
    format!("{} ({})", text::utc(&e.ts), text::offset(e.offset_ms))
}

fn summary(o: &mut String, t: &Timeline) {
    let h = &t.header;
    o.push_str("## Summary\n\n| | |\n| --- | --- |\n");
    let row = |o: &mut String, k: &str, v: String| {
        let _ = writeln!(o, "| {k} | {v} |");
    };
    row(o, "Incident", h.incident.as_deref().map_or("-".into(), md));
    if let Some(rb) = &h.runbook {
        row(
            o,
            "Runbook",
            format!("{} ({})", md(&rb.title), md_code(&rb.path)),
        );
        row(o, "Runbook sha256", md_code(&rb.sha256));
    }
    row(o, "Mode", h.mode.clone());
    row(o, "Operators", list(&h.operators));
    row(o, "Hosts", list(&h.hostnames));
    row(o, "Start", text::utc(&h.start));
    row(o, "End", text::utc(&h.end));
    row(o, "Duration", text::duration(h.duration_ms));
    row(
        o,
        "Regions",
        if h.regions.is_empty() {
            "-".into()
        } else {
            list(&h.regions)
        },
    );
    row(o, "Sessions", t.sessions.len().to_string());
    let logs: Vec<String> = t
        .logs
        .iter()
        .map(|l| format!("{} ({} events)", md_code(&l.path), l.events))
        .collect();
    row(o, "Logs", logs.join(", "));
    let intact = t.logs.iter().all(|l| l.chain == ChainState::Intact);
    row(
        o,
        "Hash chain",
        if intact {
            "intact".into()
        } else {
            "**not intact**: see the warning above".into()
        },
    );
    if !h.variables.is_empty() {
        let vars: Vec<String> = h
            .variables
            .iter()
            .map(|v| match &v.value {
                Some(val) => format!("{}={}", md_code(&v.name), md_code(val)),
                None => format!("{} (secret)", md_code(&v.name)),
            })
            .collect();
        row(o, "Variables", vars.join(", "));
    }
    o.push('\n');
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "-".into();
    }
    items.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")
}

fn key_times(o: &mut String, t: &Timeline) {
    let m = &t.milestones;
    o.push_str("## Key times\n\n");
    let find = |ts: &Option<String>| {
        ts.as_ref().and_then(|ts| {
            t.entries
                .iter()
                .find(|e| &e.ts == ts && e.kind == Kind::Milestone)
        })
    };
    if m.detected.is_none() && m.mitigated.is_none() && m.resolved.is_none() {
        o.push_str("No milestone notes (detected, mitigated, resolved) were recorded.\n\n");
        return;
    }
    o.push_str(
        "| milestone | time (UTC) | T+ | operator | note |\n| --- | --- | --- | --- | --- |\n",
    );
    for (label, ts) in [
        ("detected", &m.detected),
        ("mitigated", &m.mitigated),
        ("resolved", &m.resolved),
    ] {
        match find(ts) {
            Some(e) => {
                let note = match &e.event {
                    Event::Note { text, .. } => md(text),
                    _ => String::new(),
                };
                let _ = writeln!(
                    o,
                    "| {label} | {} | {} | {} | {note} |",
                    text::utc(&e.ts),
                    text::offset(e.offset_ms),
                    md(&e.operator)
                );
            }
            None => {
                let _ = writeln!(o, "| {label} | - | - | - | not recorded |");
            }
        }
    }
    let show = |v: Option<i64>| v.map_or("not recorded".to_string(), text::duration);
    let _ = writeln!(
        o,
        "\n- **Time to mitigate:** {}\n- **Time to resolve:** {}\n- Measured {} ({}).\n",
        show(m.time_to_mitigate_ms),
        show(m.time_to_resolve_ms),
        m.measured_from_text().replace('`', ""),
        text::utc(&m.reference)
    );
}

fn steps(o: &mut String, t: &Timeline) {
    o.push_str("## Steps\n\n| # | step | status | start (UTC) | duration | operator | commands | reason |\n| ---: | --- | --- | --- | ---: | --- | --- | --- |\n");
    for s in &t.steps {
        let commands = if s.commands == 0 {
            "-".to_string()
        } else {
            let mut c = format!(
                "{} run{}",
                s.commands,
                if s.commands == 1 { "" } else { "s" }
            );
            if s.failed_commands > 0 {
                c.push_str(&format!(", {} failed", s.failed_commands));
            }
            if s.max_attempt > 1 {
                c.push_str(&format!(", up to attempt {}", s.max_attempt));
            }
            c
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {commands} | {} |",
            s.index,
            md(&s.title),
            s.status.label(),
            s.start.as_deref().map_or("-".into(), |ts| format!(
                "{} ({})",
                text::clock(ts),
                text::offset(s.start_offset_ms.unwrap_or(0))
            )),
            s.duration_ms.map_or("-".into(), text::duration),
            s.operator.as_deref().map_or("-".into(), md),
            s.reason.as_deref().map_or(String::new(), md),
        );
    }
    o.push('\n');
}

fn timeline(o: &mut String, t: &Timeline) {
    o.push_str("## Timeline\n\n| time (UTC) | T+ | operator | session | kind | event |\n| --- | --- | --- | --- | --- | --- |\n");
    for e in &t.entries {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            text::clock(&e.ts),
            text::offset(e.offset_ms),
            md(&e.operator),
            md_code(short_session(&e.session)),
            e.kind.label().replace('_', " "),
            md(&e.summary)
        );
    }
    o.push('\n');
}

fn commands(o: &mut String, t: &Timeline) {
    if t.commands.is_empty() {
        return;
    }
    o.push_str("## Commands\n");
    for run in &t.commands {
        if let Some(i) = run.other {
            let e = &t.entries[i];
            let _ = writeln!(o, "\n- {} — {}, {}", md(&e.summary), md(&e.operator), at(e));
            continue;
        }
        let start = run.started.map(|i| &t.entries[i]);
        let end = run.finished.map(|i| &t.entries[i]);
        if let Some(Event::CommandStarted {
            step,
            command,
            name,
            code,
            cwd,
            runner,
            attempt,
        }) = start.map(|e| &e.event)
        {
            let e = start.unwrap_or_else(|| &t.entries[0]);
            let mut title = format!("### Step {step}, command {command}");
            if let Some(n) = name {
                title.push_str(&format!(" {}", md_code(n)));
            }
            if *attempt > 1 {
                title.push_str(&format!(" (attempt {attempt})"));
            }
            let _ = writeln!(o, "\n{title}\n");
            let _ = writeln!(
                o,
                "Started {} by {} in {}{}.\n",
                at(e),
                md(&e.operator),
                md_code(cwd),
                runner
                    .as_deref()
                    .map_or(String::new(), |r| format!(", piped to {}", md_code(r)))
            );
            o.push_str(&md_fence("sh", code));
        } else if let Some(e) = end {
            let _ = writeln!(o, "\n### {}\n", md(&e.summary));
            o.push_str("The start of this command is not in the log.\n");
        }
        match end.map(|e| (e, &e.event)) {
            Some((
                e,
                Event::CommandFinished {
                    exit_code,
                    signal,
                    success,
                    duration_ms,
                    output,
                    truncated,
                    bytes,
                    redactions,
                    timed_out,
                    interrupted,
                    ..
                },
            )) => {
                let how = match (exit_code, signal) {
                    (_, Some(sig)) => format!("killed by {}", md(sig)),
                    (Some(c), None) => format!("exit code **{c}**"),
                    (None, None) => "no exit code".into(),
                };
                let mut line = format!(
                    "\n{} ({how}) after {}, at {}",
                    if *success { "Succeeded" } else { "**Failed**" },
                    text::duration(*duration_ms as i64),
                    at(e)
                );
                if *timed_out {
                    line.push_str("; timed out");
                }
                if *interrupted {
                    line.push_str("; interrupted with Ctrl-C");
                }
                if *redactions > 0 {
                    line.push_str(&format!("; {redactions} secret value(s) redacted"));
                }
                line.push_str(".\n");
                o.push_str(&line);
                let out = clean_output(output);
                if out.trim().is_empty() {
                    o.push_str("\nNo output.\n");
                } else {
                    let lines = out.lines().count();
                    let what = format!(
                        "Output: {} line{}, {bytes} bytes{}",
                        lines,
                        if lines == 1 { "" } else { "s" },
                        if *truncated { ", middle cut" } else { "" }
                    );
                    if lines > FOLD_LINES || out.len() > FOLD_BYTES {
                        let _ = write!(
                            o,
                            "\n<details><summary>{what}</summary>\n\n{}\n</details>\n",
                            md_fence("text", &out)
                        );
                    } else {
                        let _ = write!(o, "\n{what}:\n\n{}", md_fence("text", &out));
                    }
                }
            }
            _ if start.is_some() => {
                o.push_str("\nNo end recorded: the outcome is unknown (the walk stopped or crashed while it ran).\n");
            }
            _ => {}
        }
    }
    o.push('\n');
}

fn notes(o: &mut String, t: &Timeline) {
    let notes = t.notes_by_kind();
    if notes.is_empty() {
        return;
    }
    o.push_str("## Notes\n");
    for (kind, rows) in notes {
        let heading = match kind {
            NoteKind::Note => "Notes",
            NoteKind::Observation => "Observations",
            NoteKind::Hypothesis => "Hypotheses",
            NoteKind::Decision => "Decisions",
            NoteKind::Detected => "Milestone: detected",
            NoteKind::Mitigated => "Milestone: mitigated",
            NoteKind::Resolved => "Milestone: resolved",
        };
        let _ = writeln!(o, "\n### {heading}\n");
        for n in rows {
            let step = n.step.map_or(String::new(), |s| format!(", step {s}"));
            let (e, text) = (n.entry, n.text);
            let _ = writeln!(o, "- {}, {}{step}: {}", at(e), md(&e.operator), md(text));
        }
    }
    o.push('\n');
}

fn lookups(o: &mut String, t: &Timeline) {
    let rows: Vec<&Entry> = t.of_kind(Kind::Lookup).collect();
    if rows.is_empty() {
        return;
    }
    o.push_str("## Lookups\n\n| time (UTC) | T+ | step | lookup | region | query | result | verdict |\n| --- | --- | ---: | --- | --- | --- | --- | --- |\n");
    for e in rows {
        let Event::LookupResult {
            step,
            lookup,
            label,
            region,
            query,
            datapoints,
            verdict,
            alarms,
            error,
            ..
        } = &e.event
        else {
            continue;
        };
        let result = if let Some(err) = error {
            format!("error: {}", md(&err.message))
        } else if let Some(alarms) = alarms {
            if alarms.is_empty() {
                "no alarms".into()
            } else {
                alarms
                    .iter()
                    .map(|a| format!("{} {}", md_code(&a.name), md(a.state.as_str())))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        } else if datapoints.is_empty() {
            "no data".into()
        } else {
            let values: Vec<String> = datapoints
                .iter()
                .rev()
                .take(6)
                .rev()
                .map(|d| number(d.value))
                .collect();
            format!(
                "{} datapoints{}: {}",
                datapoints.len(),
                if datapoints.len() > 6 { ", last 6" } else { "" },
                values.join(", ")
            )
        };
        let _ = writeln!(
            o,
            "| {} | {} | {step} | {} | {} | {} | {result} | {} |",
            text::clock(&e.ts),
            text::offset(e.offset_ms),
            label.as_deref().map_or(format!("lookup {lookup}"), md),
            md(region),
            md_code(&query_text(query)),
            verdict.map_or("-".into(), |v| format!("**{}**", md(v.as_str()))),
        );
    }
    o.push('\n');
}

fn guard_alarms(o: &mut String, t: &Timeline) {
    let rows: Vec<&Entry> = t.of_kind(Kind::GuardAlarm).collect();
    if rows.is_empty() {
        return;
    }
    o.push_str("## Guard alarms\n\n| time (UTC) | T+ | region | alarm | state | reason |\n| --- | --- | --- | --- | --- | --- |\n");
    for e in rows {
        if let Event::GuardAlarm {
            region,
            alarm,
            state,
            reason,
        } = &e.event
        {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | **{}** | {} |",
                text::clock(&e.ts),
                text::offset(e.offset_ms),
                md(region),
                md_code(alarm),
                md(state.as_str()),
                md(reason)
            );
        }
    }
    o.push('\n');
}

fn sessions(o: &mut String, t: &Timeline) {
    o.push_str("## Sessions, hand-offs and pauses\n\n| session | log | operator | host | mode | start (UTC) | end (UTC) | outcome |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for s in &t.sessions {
        let outcome = match &s.reason {
            Some(r) => format!("{}: {}", s.outcome, md(r)),
            None => s.outcome.clone(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {}{} | {} | {} | {outcome} |",
            md_code(short_session(&s.session)),
            md_code(&t.logs[s.log].path),
            md(&s.operator),
            md(&s.hostname),
            s.mode.label(),
            if s.resumed { ", resumed" } else { "" },
            text::clock(&s.start),
            text::clock(&s.end),
        );
    }
    let moves: Vec<&Entry> = t.session_moves().collect();
    if !moves.is_empty() {
        o.push('\n');
        for e in moves {
            let _ = writeln!(o, "- {}, {}: {}", at(e), md(&e.operator), md(&e.summary));
        }
    }
    o.push('\n');
}

fn chain(o: &mut String, t: &Timeline) {
    o.push_str(
        "## Hash chain\n\nChecked at export time, line by line, as `runbook verify` does:\n\n",
    );
    for l in &t.logs {
        let _ = writeln!(o, "- {}: {}", md_code(&l.path), inline(&l.describe()));
    }
    let _ = writeln!(
        o,
        "\nRunbook sha256 at the start of the walk: {}.",
        t.header
            .runbook
            .as_ref()
            .map_or("-".into(), |r| md_code(short(&r.sha256)))
    );
}
