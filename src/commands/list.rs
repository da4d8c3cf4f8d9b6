//! `runbook list`: one line per runbook with its title, size and metadata.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::{load_or_empty, parallel_map};
use crate::error::Error;
use crate::source::markdown_files;

/// One row (schemas/runbook-list.schema.json).
#[derive(Serialize)]
struct Row {
    path: String,
    title: String,
    steps: usize,
    commands: usize,
    service: Option<String>,
    severity: Option<String>,
    sha256: String,
}

/// Exit 0, or 2 when some file could not be read (the others are still listed); an empty file is
/// listed with no steps.
pub fn run(
    paths: &[PathBuf],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    let files = markdown_files(paths)?;
    let results = parallel_map(&files, |path| {
        load_or_empty(path).map(|source| {
            let rb = crate::markdown::parse(&source.path, &source.text).runbook;
            Row {
                steps: rb.steps.len(),
                commands: rb.command_count(),
                path: rb.path,
                title: rb.title,
                service: rb.front_matter.service,
                severity: rb.front_matter.severity,
                sha256: rb.sha256,
            }
        })
    });
    let mut rows = Vec::new();
    let mut code = 0;
    for result in results {
        match result {
            Ok(row) => rows.push(row),
            Err(e) => {
                code = 2;
                if let Some(message) = Error::Load(e).render() {
                    writeln!(err, "{message}")?;
                }
            }
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(code);
    }
    let header = ["PATH", "TITLE", "STEPS", "COMMANDS", "SERVICE", "SEVERITY"];
    let table: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            // Control characters from a runbook are shown, never obeyed (see `human::visible`).
            let shown = |s: &str| crate::human::visible(s).into_owned();
            [
                shown(&r.path),
                shown(&r.title),
                r.steps.to_string(),
                r.commands.to_string(),
                r.service.as_deref().map_or_else(|| "-".into(), shown),
                r.severity.as_deref().map_or_else(|| "-".into(), shown),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header = header.map(String::from);
    for row in std::iter::once(&header).chain(&table) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let numeric = i == 2 || i == 3;
            let pad = w - cell.chars().count();
            if numeric {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if i + 1 < row.len() {
                line.push_str("  ");
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(code)
}
