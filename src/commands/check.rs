//! `runbook check`: every diagnostic of every runbook under the given paths, as text or JSON.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::{load_or_empty, parallel_map};
use crate::check::{control_characters, lint, log_limits};
use crate::error::Error;
use crate::human;
use crate::markdown;
use crate::runbook::{Diagnostic, Severity};
use crate::source::{LoadError, markdown_files};

/// The JSON report (schemas/check-report.schema.json).
#[derive(Serialize)]
struct Report<'a> {
    checked: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    path: &'a str,
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
}

/// Exit 0 when clean or only warnings, 1 with errors, 2 when a file could not be read.
pub fn run(
    paths: &[PathBuf],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    let files = markdown_files(paths)?;
    let results: Vec<Result<(String, Vec<Diagnostic>), LoadError>> = parallel_map(&files, |path| {
        // `check` reports no digest, so it does not compute one.
        // An empty file is a `no-steps` warning from the parser, not an unreadable path.
        let source = load_or_empty(path)?;
        let parsed = markdown::parse_unhashed(&source.path, &source.text);
        let mut diagnostics = parsed.diagnostics;
        diagnostics.extend(lint(&parsed.runbook));
        diagnostics.extend(log_limits(&parsed.runbook));
        diagnostics.extend(control_characters(&source.text));
        diagnostics.sort_by_key(|d| (d.span.start, d.severity));
        Ok((parsed.runbook.path, diagnostics))
    });
    let mut unreadable = 0;
    let mut checked = Vec::new();
    for result in results {
        match result {
            Ok(r) => checked.push(r),
            Err(e) => {
                unreadable += 1;
                if let Some(message) = Error::Load(e).render() {
                    writeln!(err, "{message}")?;
                }
            }
        }
    }
    let count = |severity| {
        checked
            .iter()
            .flat_map(|(_, ds)| ds)
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if json {
        let report = Report {
            checked: checked.len(),
            errors,
            warnings,
            diagnostics: checked
                .iter()
                .flat_map(|(path, ds)| {
                    ds.iter().map(move |d| Entry {
                        path,
                        diagnostic: d,
                    })
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        for (path, diagnostics) in &checked {
            for d in diagnostics {
                writeln!(out, "{}", d.render(path))?;
            }
        }
    }
    writeln!(
        err,
        "checked {}: {}, {}{}",
        human::count(checked.len(), "runbook", "runbooks"),
        human::count(errors, "error", "errors"),
        human::count(warnings, "warning", "warnings"),
        if unreadable > 0 {
            format!(", {unreadable} unreadable")
        } else {
            String::new()
        }
    )?;
    Ok(if unreadable > 0 {
        2
    } else if errors > 0 {
        1
    } else {
        0
    })
}
