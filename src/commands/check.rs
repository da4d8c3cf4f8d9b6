//! `runbook check`: every diagnostic of every runbook under the given paths, as text or JSON.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::{load_or_empty, parallel_map};
use crate::check::{control_characters, lint_in, log_limits, sarif_log, unquoted_ampersands};
use crate::config::CheckOutput;
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

/// Exit 0 when clean or only warnings, 1 with errors (or warnings under `strict`), 2 when a file
/// could not be read.
pub fn run(
    paths: &[PathBuf],
    format: CheckOutput,
    strict: bool,
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
        // Lines as the parser counts them (CR ends a line in a CR-only file), for positions.
        let translated =
            markdown::cr_line_endings(&source.text).then(|| source.text.replace('\r', "\n"));
        let lines_text = translated.as_deref().unwrap_or(&source.text);
        diagnostics.extend(lint_in(&parsed.runbook, Some(lines_text)));
        diagnostics.extend(log_limits(&parsed.runbook));
        diagnostics.extend(control_characters(&source.text));
        diagnostics.extend(unquoted_ampersands(&parsed.runbook, lines_text));
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
    if format == CheckOutput::Json {
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
    } else if format == CheckOutput::Sarif {
        serde_json::to_writer_pretty(&mut *out, &sarif_log(&checked))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        for (path, diagnostics) in &checked {
            for d in diagnostics {
                let line = match format {
                    CheckOutput::Github => github_command(path, d),
                    _ => d.render(path),
                };
                writeln!(out, "{line}")?;
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
    } else if errors > 0 || (strict && warnings > 0) {
        1
    } else {
        0
    })
}

/// One GitHub Actions workflow command, which the runner shows as an annotation on the line:
/// `::error file=PATH,line=L,col=C,title=CODE::message`. Severities beyond error and warning
/// (informational ones) become `notice`.
fn github_command(path: &str, d: &Diagnostic) -> String {
    let command = match d.severity.to_string().as_str() {
        "error" => "error",
        "warning" => "warning",
        _ => "notice",
    };
    // Control characters are shown, never obeyed, in a CI log as in a terminal.
    format!(
        "::{command} file={},line={},col={},title={}::{}",
        github_property(&human::visible(path)),
        d.span.line,
        d.span.column,
        github_property(d.code.as_str()),
        github_data(&human::visible(&d.message)),
    )
}

/// Escapes a workflow command's message as the runner unescapes it (`%`, CR and LF).
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`, which end a value.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::{DiagnosticCode, Span};

    #[test]
    fn files_checked_on_several_threads_come_back_in_path_order() {
        let paths: Vec<PathBuf> = (0..1001)
            .map(|i| PathBuf::from(format!("d/f{i:04}.md")))
            .collect();
        let names = parallel_map(&paths, |p| p.to_string_lossy().into_owned());
        let expected: Vec<String> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn github_commands_escape_data_and_properties() {
        assert_eq!(github_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(github_property("a,b:c%.md"), "a%2Cb%3Ac%25.md");
        let d = Diagnostic::warning(DiagnosticCode::NoSteps, Span::FILE, "no steps: 100%");
        assert_eq!(
            github_command("x,y.md", &d),
            "::warning file=x%2Cy.md,line=1,col=1,title=no-steps::no steps: 100%25"
        );
    }
}
