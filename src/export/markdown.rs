//! The Markdown export: the [`Report`] as a document ready to paste into a postmortem.

use std::fmt::Write;

use super::model::Timeline;
use super::report::{
    Cell, Column, CommandBlock, CommandItem, CommandView, EVENT_COLUMNS, GUARD_ALARM_COLUMNS,
    KeyTimes, LOOKUP_COLUMNS, MILESTONE_COLUMNS, Remark, Report, SESSION_COLUMNS, STEP_COLUMNS,
    Sections, Span, Summary, TableRow,
};
use super::text::{self, md, md_code, md_fence};

/// Output longer than this many bytes is folded in `<details>` too, however few its lines.
const FOLD_BYTES: usize = 2000;

/// Renders the whole report.
pub fn render(t: &Timeline) -> String {
    let r = Report::new(t);
    let mut o = String::with_capacity(4096 + t.entries.len() * 160);
    let _ = writeln!(o, "# {}\n", md(&r.head.title));
    r.write::<Markdown>(&mut o);
    o
}

/// The report's sections in Markdown.
struct Markdown;

impl Sections for Markdown {
    fn banner(o: &mut String, warnings: &[String]) {
        let _ = writeln!(o, "> **⚠ Warning: this export may be incomplete.**\n>");
        for w in warnings {
            let _ = writeln!(o, "> - {}", inline(w));
        }
        o.push('\n');
    }

    fn merge_notes(o: &mut String, notes: &[String]) {
        for n in notes {
            let _ = writeln!(o, "> **Note:** {}", inline(n));
        }
        o.push('\n');
    }

    fn summary(o: &mut String, s: &Summary<'_>) {
        o.push_str("## Summary\n\n| | |\n| --- | --- |\n");
        for f in s.facts() {
            let _ = write!(o, "| {} | ", f.label);
            spans(o, &f.value);
            o.push_str(" |\n");
        }
        o.push('\n');
    }

    fn key_times(o: &mut String, k: Option<&KeyTimes<'_>>) {
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

    fn steps(o: &mut String, r: &Report<'_>) {
        o.push_str("## Steps\n\n");
        if r.runbooks.is_empty() {
            table(o, &STEP_COLUMNS, &r.steps);
            o.push('\n');
            return;
        }
        // Several runbooks: one section each, under the one merged timeline below.
        for rb in &r.runbooks {
            let logs: Vec<String> = rb.logs.iter().map(|l| md_code(l)).collect();
            let _ = writeln!(
                o,
                "### Runbook: {}\n\n{} (sha256 {}), walked in {}.\n",
                md(&rb.title),
                md_code(rb.path),
                md_code(rb.sha256),
                logs.join(", ")
            );
            table(o, &STEP_COLUMNS, &rb.steps);
            o.push('\n');
        }
    }

    fn events(o: &mut String, r: &Report<'_>) {
        o.push_str("## Timeline\n\n");
        table(o, &EVENT_COLUMNS, &r.events);
        o.push('\n');
    }

    fn commands(o: &mut String, items: &[CommandItem<'_>]) {
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

    fn notes(o: &mut String, r: &Report<'_>) {
        o.push_str("## Notes\n");
        for group in &r.notes {
            let _ = writeln!(o, "\n### {}\n", group.heading);
            for n in &group.notes {
                remark(o, n);
            }
        }
        o.push('\n');
    }

    fn lookups(o: &mut String, r: &Report<'_>) {
        o.push_str("## Lookups\n\n");
        table(o, &LOOKUP_COLUMNS, &r.lookups);
        o.push('\n');
    }

    fn guard_alarms(o: &mut String, r: &Report<'_>) {
        o.push_str("## Guard alarms\n\n");
        table(o, &GUARD_ALARM_COLUMNS, &r.guard_alarms);
        o.push('\n');
    }

    fn sessions(o: &mut String, r: &Report<'_>) {
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

    fn chain(o: &mut String, r: &Report<'_>) {
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
}

/// Warning text: `code` spans kept as code, the rest escaped.
fn inline(s: &str) -> String {
    text::code_spans(s, md_code, md)
}

/// `- when, who: what`.
fn remark(o: &mut String, r: &Remark<'_>) {
    let _ = writeln!(o, "- {}: {}", md(&r.lead), md(r.text));
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

fn cell(o: &mut String, cell: &Cell<'_>) {
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
        Cell::Spans(s) => spans(o, s),
    }
}

fn command(o: &mut String, run: &CommandView<'_>) {
    for block in run.blocks() {
        match block {
            CommandBlock::Heading(title) => {
                o.push_str("\n### ");
                spans(o, &title);
                o.push_str("\n\n");
            }
            CommandBlock::Started(line) => {
                spans(o, &line);
                o.push_str("\n\n");
            }
            CommandBlock::Code(code) => o.push_str(&md_fence("sh", code)),
            CommandBlock::Edited { original } => {
                o.push_str("\nEdited by the operator before it ran; the runbook's text was:\n\n");
                o.push_str(&md_fence("sh", original));
            }
            CommandBlock::MissingStart => {
                o.push_str("The start of this command is not in the log.\n");
            }
            CommandBlock::Outcome { success, rest } => {
                o.push_str(if success { "\nSucceeded" } else { "\n**Failed**" });
                spans(o, &rest);
                o.push('\n');
            }
            CommandBlock::Output(out) if out.is_long() || out.text.len() > FOLD_BYTES => {
                let _ = write!(
                    o,
                    "\n<details><summary>{}</summary>\n\n{}\n</details>\n",
                    out.caption,
                    md_fence("text", &out.text)
                );
            }
            CommandBlock::Output(out) => {
                let _ = write!(o, "\n{}:\n\n{}", out.caption, md_fence("text", &out.text));
            }
            CommandBlock::NoOutput => o.push_str("\nNo output.\n"),
            CommandBlock::UnknownEnd => o.push_str(
                "\nNo end recorded: the outcome is unknown (the walk stopped or crashed while it ran).\n",
            ),
        }
    }
}

/// Marked-up text: code spans, bold.
fn spans(o: &mut String, spans: &[Span<'_>]) {
    for span in spans {
        match span {
            Span::Text(t) => o.push_str(&md(t)),
            Span::Code(c) => o.push_str(&md_code(c)),
            Span::Strong(t) => {
                let _ = write!(o, "**{}**", md(t));
            }
            Span::Variable(v) => match &v.value {
                Some(value) => {
                    let _ = write!(o, "{}={}", md_code(&v.name), md_code(value));
                }
                None => {
                    let _ = write!(o, "{} (secret)", md_code(&v.name));
                }
            },
        }
    }
}
