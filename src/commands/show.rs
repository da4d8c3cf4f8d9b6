//! `runbook show`: the plan of one runbook, for people (text) or programs (JSON).

use std::io::Write;
use std::path::Path;

use super::load_usable;
use crate::error::Error;
use crate::human;
use crate::runbook::{Command, CommandKind, Lookup, LookupQuery, Runbook, Step, region};

/// Prints the plan; a runbook with errors or no steps is refused with its diagnostics.
pub fn run(file: &Path, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let runbook = load_usable(file, err)?;
    if json {
        // Into memory first, then one write: serde_json writes a token at a time, and through
        // `dyn Write` each token was a call of its own (a tenth of `show --json` on 1 MB).
        let mut json = serde_json::to_vec_pretty(&runbook).map_err(std::io::Error::from)?;
        json.push(b'\n');
        out.write_all(&json)?;
    } else {
        // Laid out first, then written with every control character from the runbook shown
        // (`^[`), never obeyed: the plan has no escape sequences of its own.
        let mut plan = Vec::new();
        write_plan(&runbook, &mut plan)?;
        out.write_all(human::visible(&String::from_utf8_lossy(&plan)).as_bytes())?;
    }
    Ok(())
}

fn write_plan(rb: &Runbook, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", rb.title)?;
    let fm = &rb.front_matter;
    let mut meta = vec![rb.path.clone(), format!("sha256 {}", &rb.sha256[..12])];
    meta.extend(fm.service.as_ref().map(|s| format!("service {s}")));
    meta.extend(fm.severity.as_ref().map(|s| format!("severity {s}")));
    if !fm.regions.is_empty() {
        meta.push(format!("regions {}", fm.regions.join(", ")));
    }
    writeln!(out, "{}", meta.join(" · "))?;
    if !fm.guard_alarms.is_empty() {
        writeln!(out, "guard alarms {}", fm.guard_alarms.join(", "))?;
    }
    if let Some(d) = &fm.description {
        writeln!(out, "{d}")?;
    }
    if let Some(intro) = rb.introduction_text() {
        writeln!(out, "\nIntroduction")?;
        for line in intro.lines() {
            writeln!(out, "  {line}")?;
        }
    }
    if !rb.variables.is_empty() {
        writeln!(out, "\nVariables")?;
        let width = rb.variables.iter().map(|v| v.name.len()).max().unwrap_or(0);
        for v in &rb.variables {
            let mut facts = vec![if v.declared {
                "declared".to_string()
            } else {
                format!("found at line {}", v.span.line)
            }];
            if v.secret {
                facts.push("secret".into());
            }
            if v.required {
                facts.push("required".into());
            }
            if let Some(d) = &v.default {
                facts.push(format!("default {d}"));
            }
            if let Some(p) = &v.pattern {
                facts.push(format!("pattern {p}"));
            }
            let description = v
                .description
                .as_deref()
                .map(|d| format!("  {d}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:width$}  {}{description}",
                v.name,
                facts.join(", ")
            )?;
        }
    }
    writeln!(out, "\nSteps")?;
    let number_width = rb.steps.len().to_string().len();
    for step in &rb.steps {
        write_step(step, number_width, out)?;
    }
    Ok(())
}

fn write_step(step: &Step, number_width: usize, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:>number_width$}. {}  [{}, line {}]",
        step.index,
        step.full_title(),
        step.id,
        step.span.line
    )?;
    let indent = " ".repeat(number_width + 4);
    // Checklist items and commands in the order they appear in the file.
    let mut entries: Vec<(usize, Entry<'_>)> = step
        .checklist
        .iter()
        .map(|i| (i.span.start, Entry::Item(&i.number, &i.text, i.checked)))
        .chain(
            step.commands
                .iter()
                .map(|c| (c.span.start, Entry::Command(c))),
        )
        .collect();
    entries.sort_by_key(|(start, _)| *start);
    for (_, entry) in entries {
        match entry {
            Entry::Item(n, text, checked) => {
                writeln!(
                    out,
                    "{indent}[{}] {n}. {text}",
                    if checked { "x" } else { " " }
                )?;
            }
            Entry::Command(c) => write_command(c, &indent, out)?,
        }
    }
    for lookup in &step.lookups {
        writeln!(
            out,
            "{indent}[lookup {}] {}",
            lookup.index,
            describe_lookup(lookup)
        )?;
    }
    Ok(())
}

/// `metric AWS/RDS CPUUtilization Average · 1m over 30m · euw2, euc1 · expect < 80`.
fn describe_lookup(lookup: &Lookup) -> String {
    let mut parts = Vec::new();
    match &lookup.query {
        LookupQuery::Metric {
            metric,
            period_s,
            window_s,
            expect,
        } => {
            let dims: Vec<String> = metric
                .dimensions
                .iter()
                .map(|d| format!("{}={}", d.name, d.value))
                .collect();
            parts.push(format!(
                "metric {} {} {}",
                metric.namespace, metric.metric, metric.stat
            ));
            if !dims.is_empty() {
                parts.push(dims.join(" "));
            }
            parts.push(format!(
                "{} over {}",
                human::duration_ms(u64::from(*period_s) * 1000),
                human::duration_ms(u64::from(*window_s) * 1000)
            ));
            parts.extend(expect.map(|e| format!("expect {e}")));
        }
        LookupQuery::Expression {
            expression,
            queries,
            period_s,
            window_s,
            expect,
        } => {
            let ids: Vec<&str> = queries.iter().map(|q| q.id.as_str()).collect();
            parts.push(format!("expression {expression} ({})", ids.join(", ")));
            parts.push(format!(
                "{} over {}",
                human::duration_ms(u64::from(*period_s) * 1000),
                human::duration_ms(u64::from(*window_s) * 1000)
            ));
            parts.extend(expect.map(|e| format!("expect {e}")));
        }
        LookupQuery::Alarms { prefix, state } => {
            parts.push(format!("alarms {prefix}*"));
            parts.extend(state.map(|s| format!("in {}", s.as_str())));
        }
    }
    if !lookup.regions.is_empty() {
        let short: Vec<&str> = lookup.regions.iter().map(|r| region::short(r)).collect();
        parts.push(short.join(", "));
    }
    let text = parts.join(" · ");
    match &lookup.label {
        Some(label) => format!("{label}: {text}"),
        None => text,
    }
}

enum Entry<'a> {
    Item(&'a str, &'a str, bool),
    Command(&'a Command),
}

fn write_command(c: &Command, indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let nested = if c.checklist_item.is_some() { "  " } else { "" };
    let mut tags = vec![
        match c.kind {
            CommandKind::Script => "script",
            CommandKind::Console => "console",
            CommandKind::Manual => "manual",
            CommandKind::Reference => "reference",
        }
        .to_string(),
    ];
    if !c.lang.is_empty() && c.lang != tags[0] {
        tags.push(c.lang.to_string());
    }
    tags.extend(c.program.as_ref().map(|p| format!("in {p}")));
    tags.extend(c.place.clone());
    if c.guessed {
        tags.push("guessed".into());
    }
    let a = &c.annotations;
    tags.extend(a.name.as_ref().map(|n| format!("name {n}")));
    for (on, label) in [
        (a.danger, "danger"),
        (a.confirm, "confirm"),
        (a.readonly, "readonly"),
        (c.interactive, "interactive"),
    ] {
        if on {
            tags.push(label.into());
        }
    }
    tags.extend(
        a.timeout_ms
            .map(|t| format!("timeout {}", human::duration_ms(t))),
    );
    tags.extend(a.cwd.as_ref().map(|d| format!("cwd {d}")));
    tags.extend(a.runner.as_ref().map(|r| format!("runner {r}")));
    if !a.expect_exit.is_empty() {
        let codes: Vec<String> = a.expect_exit.iter().map(i32::to_string).collect();
        tags.push(format!("expect exit {}", codes.join("|")));
    }
    writeln!(out, "{indent}{nested}({}) {}", c.index, tags.join(" · "))?;
    let prompt = if c.kind == CommandKind::Console {
        "$ "
    } else {
        ""
    };
    for (k, line) in c.code.trim_end_matches('\n').lines().enumerate() {
        let p = if k == 0 {
            prompt
        } else if prompt.is_empty() {
            ""
        } else {
            "  "
        };
        writeln!(out, "{indent}{nested}    {p}{line}")?;
    }
    Ok(())
}
