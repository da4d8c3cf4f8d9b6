//! Lints a parsed runbook beyond what parsing reports: commands that need a safety annotation or
//! are mistyped, and control characters a terminal would obey.

mod control;
mod destructive;
mod log_limits;
mod programs;
mod sarif;
mod shell_words;
mod sql;

pub use control::control_characters;
pub use destructive::{looks_destructive, looks_destructive_in};
pub use log_limits::log_limits;
pub use programs::programs;
pub use sarif::sarif_log;

use crate::runbook::{Diagnostic, DiagnosticCode, Runbook};

/// Warnings about the runbook's content; parse diagnostics come from the parser.
pub fn lint(runbook: &Runbook) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for command in runbook.steps.iter().flat_map(|s| &s.commands) {
        if !command.runnable {
            continue;
        }
        if command.code.lines().any(|l| {
            let t = l.trim_end_matches([' ', '\t']);
            t.len() < l.len() && t.ends_with('\\') && !t.ends_with("\\\\")
        }) {
            out.push(Diagnostic::warning(
                DiagnosticCode::BackslashSpace,
                command.span,
                "a `\\` followed by spaces does not continue the line: the shell runs the next line as a command of its own",
            ));
        }
        if command.annotations.danger || command.annotations.confirm {
            continue;
        }
        if let Some(reason) = looks_destructive(&command.code) {
            out.push(Diagnostic::warning(
                DiagnosticCode::DestructiveCommand,
                command.span,
                format!("{reason} looks destructive: mark the block `danger` (typed confirmation) or `confirm`"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    fn codes(text: &str) -> Vec<&'static str> {
        lint(&parse("t.md", text).runbook)
            .into_iter()
            .map(|d| d.code.as_str())
            .collect()
    }

    #[test]
    fn backslash_then_space_is_reported() {
        assert_eq!(
            codes("## A\n```console\n$ oc delete mc \\ \n  name\n```\n"),
            ["backslash-space", "destructive-command"]
        );
        assert!(codes("## A\n```bash\necho a \\\n  b\n```\n").is_empty());
    }

    #[test]
    fn manual_blocks_are_not_linted() {
        assert!(codes("## A\n```text\nrm -rf / \\ \n```\n").is_empty());
    }
}
