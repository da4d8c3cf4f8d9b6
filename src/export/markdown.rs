//! The Markdown export: the [`Report`] as a document ready to paste into a postmortem.

use std::fmt::Write;

use super::model::Timeline;
use super::report::{
    Cell, Column, CommandEnd, CommandItem, CommandStart, CommandView, EVENT_COLUMNS, Exit,
    Finished, GUARD_ALARM_COLUMNS, KeyTimes, LookupResult, MILESTONE_COLUMNS, Remark, Report,
    SESSION_COLUMNS, STEP_COLUMNS, Summary, TableRow,
};
use super::text::{self, md, md_code, md_fence};

/// Output longer than this many bytes is folded in `<details>` too, however few its lines.
const FOLD_BYTES: usize = 2000;

/// Renders the whole report.
pub fn render(t: &Timeline) -> String {
    let r = Report::new(t);
    let mut o = String::with_capacity(4096 + t.entries.len() * 160);
    let _ = writeln!(o, "# {}\n", md(&r.head.title));
    banner(&mut o, r.warnings);
    summary(&mut o, &r.summary);
    key_times(&mut o, r.key_times.as_ref());
    steps(&mut o, &r);
    timeline(&mut o, &r);
    commands(&mut o, &r.commands);
    notes(&mut o, &r);
    lookups(&mut o, &r);
    guard_alarms(&mut o, &r);
    sessions(&mut o, &r);
    chain(&mut o, &r);
    o
}

/// Warning text: `code` spans kept as code, the rest escaped.
fn inline(s: &str) -> String {
    text::code_spans(s, md_code, md)
}

/// `- when, who: what`.
fn remark(o: &mut String, r: &Remark) {
    let _ = writeln!(o, "- {}: {}", md(&r.lead), md(r.text));
}

fn banner(o: &mut String, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(o, "> **⚠ Warning: this export may be incomplete.**\n>");
    for w in warnings {
        let _ = writeln!(o, "> - {}", inline(w));
    }
    o.push('\n');
}

fn summary(o: &mut String, s: &Summary) {
    o.push_str("## Summary\n\n| | |\n| --- | --- |\n");
    let row = |o: &mut String, k: &str, v: &str| {
        let _ = writeln!(o, "| {k} | {v} |");
    };
    row(o, "Incident", &md(s.incident));
    if let Some(rb) = s.runbook {
        row(
            o,
            "Runbook",
            &format!("{} ({})", md(&rb.title), md_code(&rb.path)),
        );
        row(o, "Runbook sha256", &md_code(&rb.sha256));
    }
    row(o, "Mode", &md(s.mode));
    row(o, "Operators", &list(s.operators));
    row(o, "Hosts", &list(s.hosts));
    row(o, "Start", &s.start);
    row(o, "End", &s.end);
    row(o, "Duration", &s.duration);
    row(o, "Regions", &list(s.regions));
    row(o, "Sessions", &s.sessions.to_string());
    let logs: Vec<String> = s
        .logs
        .iter()
        .map(|(path, events)| format!("{} ({events} events)", md_code(path)))
        .collect();
    row(o, "Logs", &logs.join(", "));
    row(
        o,
        "Hash chain",
        if s.chain_intact {
            "intact"
        } else {
            "**not intact**: see the warning above"
        },
    );
    if !s.variables.is_empty() {
        let vars: Vec<String> = s
            .variables
            .iter()
            .map(|v| match &v.value {
                Some(val) => format!("{}={}", md_code(&v.name), md_code(val)),
                None => format!("{} (secret)", md_code(&v.name)),
            })
            .collect();
        row(o, "Variables", &vars.join(", "));
    }
    o.push('\n');
}

/// Items joined with commas, or `-`.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "-".into();
    }
    md(&items.join(", "))
}

fn key_times(o: &mut String, k: Option<&KeyTimes>) {
    o.push_str("## Key times\n\n");
    let Some(k) = k else {
        o.push_str("No milestone notes (detected, mitigated, resolved) were recorded.\n\n");
        return;
    };
    table(o, &MILESTONE_COLUMNS, &k.milestones);
    let _ = writeln!(
        o,
        "\n- **Time to mitigate:** {}\n- **Time to resolve:** {}\n- Measured {} ({}).\n",
        k.to_mitigate,
        k.to_resolve,
        k.measured_from.replace('`', ""),
        k.reference
    );
}

fn steps(o: &mut String, r: &Report) {
    o.push_str("## Steps\n\n");
    table(o, &STEP_COLUMNS, &r.steps);
    o.push('\n');
}

fn timeline(o: &mut String, r: &Report) {
    o.push_str("## Timeline\n\n");
    table(o, &EVENT_COLUMNS, &r.events);
    o.push('\n');
}

/// A table of the columns shown in text formats.
fn table<R: TableRow>(o: &mut String, columns: &[Column], rows: &[R]) {
    let shown = |c: &&Column| !c.text.is_empty();
    o.push('|');
    for c in columns.iter().filter(shown) {
        let _ = write!(o, " {} |", c.text);
    }
    o.push_str("\n|");
    for c in columns.iter().filter(shown) {
        o.push_str(if c.numeric { " ---: |" } else { " --- |" });
    }
    o.push('\n');
    for row in rows {
        o.push('|');
        for (_, cell) in columns.iter().zip(row.cells()).filter(|(c, _)| shown(c)) {
            o.push(' ');
            self::cell(o, &cell);
            o.push_str(" |");
        }
        o.push('\n');
    }
}

fn cell(o: &mut String, cell: &Cell) {
    match cell {
        Cell::Text(s) | Cell::StepTitle(s) | Cell::Muted(s) => o.push_str(&md(s)),
        Cell::Code(s) => o.push_str(&md_code(s)),
        Cell::Time(s) | Cell::Number(s) => o.push_str(s),
        Cell::Alert(s) => {
            let _ = write!(o, "**{}**", md(s));
        }
        Cell::Status(state) => o.push_str(state.label()),
        Cell::Kind(kind) => o.push_str(kind.words()),
        Cell::Bar(..) => {}
    }
}

fn commands(o: &mut String, items: &[CommandItem]) {
    if items.is_empty() {
        return;
    }
    o.push_str("## Commands\n");
    for item in items {
        match item {
            CommandItem::Line(line) => {
                let _ = writeln!(o, "\n- {}", md(line));
            }
            CommandItem::Run(run) => command(o, run),
        }
    }
    o.push('\n');
}

fn command(o: &mut String, run: &CommandView) {
    match &run.start {
        CommandStart::Logged(s) => {
            let mut title = format!("### {}", s.heading);
            if let Some(n) = s.name {
                let _ = write!(title, " {}", md_code(n));
            }
            if let Some(a) = &s.attempt {
                let _ = write!(title, " ({a})");
            }
            let _ = writeln!(o, "\n{title}\n");
            let _ = writeln!(
                o,
                "Started {} by {} in {}{}.\n",
                s.at,
                md(s.operator),
                md_code(s.cwd),
                s.runner
                    .map_or(String::new(), |r| format!(", piped to {}", md_code(r)))
            );
            o.push_str(&md_fence("sh", s.code));
        }
        CommandStart::Missing { heading } => {
            let _ = writeln!(o, "\n### {}\n", md(heading));
            o.push_str("The start of this command is not in the log.\n");
        }
    }
    match &run.end {
        Some(CommandEnd::Finished(f)) => finished(o, f),
        Some(CommandEnd::Unknown) => o.push_str(
            "\nNo end recorded: the outcome is unknown (the walk stopped or crashed while it ran).\n",
        ),
        None => {}
    }
}

fn finished(o: &mut String, f: &Finished) {
    let how = match f.exit {
        Exit::Signal(sig) => format!("killed by {}", md(sig)),
        Exit::Code(c) => format!("exit code **{c}**"),
        Exit::Unknown => "no exit code".into(),
    };
    let _ = writeln!(
        o,
        "\n{} ({how}) after {}, at {}{}.",
        if f.success { "Succeeded" } else { "**Failed**" },
        f.took,
        f.at,
        f.remarks
    );
    match &f.output {
        None => o.push_str("\nNo output.\n"),
        Some(out) if out.is_long() || out.text.len() > FOLD_BYTES => {
            let _ = write!(
                o,
                "\n<details><summary>{}</summary>\n\n{}\n</details>\n",
                out.caption,
                md_fence("text", &out.text)
            );
        }
        Some(out) => {
            let _ = write!(o, "\n{}:\n\n{}", out.caption, md_fence("text", &out.text));
        }
    }
}

fn notes(o: &mut String, r: &Report) {
    if r.notes.is_empty() {
        return;
    }
    o.push_str("## Notes\n");
    for group in &r.notes {
        let _ = writeln!(o, "\n### {}\n", group.heading);
        for n in &group.notes {
            remark(o, n);
        }
    }
    o.push('\n');
}

fn lookups(o: &mut String, r: &Report) {
    if r.lookups.is_empty() {
        return;
    }
    o.push_str("## Lookups\n\n| time (UTC) | T+ | step | lookup | region | query | result | verdict |\n| --- | --- | ---: | --- | --- | --- | --- | --- |\n");
    for l in &r.lookups {
        let result = match &l.result {
            LookupResult::Error(message) => format!("error: {}", md(message)),
            LookupResult::NoAlarms => "no alarms".into(),
            LookupResult::Alarms(alarms) => alarms
                .iter()
                .map(|a| format!("{} {}", md_code(&a.name), md(a.state.as_str())))
                .collect::<Vec<_>>()
                .join(", "),
            LookupResult::NoData => "no data".into(),
            LookupResult::Datapoints { latest, .. } => latest.clone(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {result} | {} |",
            l.clock,
            l.t_plus,
            l.step,
            md(&l.name),
            md(l.region),
            md_code(&l.query),
            l.verdict
                .map_or("-".into(), |v| format!("**{}**", md(v.as_str()))),
        );
    }
    o.push('\n');
}

fn guard_alarms(o: &mut String, r: &Report) {
    if r.guard_alarms.is_empty() {
        return;
    }
    o.push_str("## Guard alarms\n\n");
    table(o, &GUARD_ALARM_COLUMNS, &r.guard_alarms);
    o.push('\n');
}

fn sessions(o: &mut String, r: &Report) {
    o.push_str("## Sessions, hand-offs and pauses\n\n");
    table(o, &SESSION_COLUMNS, &r.sessions);
    if !r.session_moves.is_empty() {
        o.push('\n');
        for m in &r.session_moves {
            remark(o, m);
        }
    }
    o.push('\n');
}

fn chain(o: &mut String, r: &Report) {
    o.push_str(
        "## Hash chain\n\nChecked at export time, line by line, as `runbook verify` does:\n\n",
    );
    for l in &r.chain {
        let _ = writeln!(o, "- {}: {}", md_code(l.path), inline(&l.text));
    }
    let _ = writeln!(
        o,
        "\nRunbook sha256 at the start of the walk: {}.",
        r.runbook_sha256.map_or("-".into(), md_code)
    );
}
