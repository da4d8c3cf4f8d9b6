//! Lints a parsed runbook beyond what parsing reports: commands that need a safety annotation.

mod destructive;

pub use destructive::looks_destructive;

use crate::runbook::{Diagnostic, Runbook};

/// Warnings about the runbook's content; parse diagnostics come from the parser.
pub fn lint(runbook: &Runbook) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for command in runbook.steps.iter().flat_map(|s| &s.commands) {
        if !command.runnable || command.annotations.danger || command.annotations.confirm {
            continue;
        }
        if let Some(reason) = looks_destructive(&command.code) {
            out.push(Diagnostic::warning(
                "destructive-command",
                command.span,
                format!("{reason} looks destructive: mark the block `danger` (typed confirmation) or `confirm`"),
            ));
        }
    }
    out
}
