//! Lints a parsed runbook beyond what parsing reports: commands that need a safety annotation or
//! are mistyped, and control characters a terminal would obey.

mod ampersand;
mod control;
mod destructive;
mod log_limits;
mod programs;
#[cfg(test)]
mod quality;
mod sarif;
mod shell_words;
mod sql;

pub use ampersand::unquoted_ampersands;
pub use control::control_characters;
pub use destructive::{looks_destructive, looks_destructive_in};
pub use log_limits::log_limits;
pub use programs::programs;
pub use sarif::sarif_log;

use crate::runbook::{Command, Diagnostic, DiagnosticCode, Runbook, Step};
use crate::span::{LineIndex, Span};

/// Warnings about the runbook's content; parse diagnostics come from the parser.
pub fn lint(runbook: &Runbook) -> Vec<Diagnostic> {
    lint_in(runbook, None)
}

/// [`lint`], with the file's text as the parser counts lines (CR-only files translated, see
/// [`crate::markdown::cr_line_endings`]): a finding in a long command is then placed at the line
/// that holds it (the `drain` inside a `for` loop), not at the command's first line.
pub fn lint_in(runbook: &Runbook, lines_text: Option<&str>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Built only for a file that has such a finding: most have none.
    let mut index: Option<LineIndex<'_>> = None;
    for step in &runbook.steps {
        for command in &step.commands {
            lint_command(step, command, lines_text, &mut index, &mut out);
        }
    }
    out
}

/// Where code line `k` of `command` starts in the file: at its first non-blank character.
fn code_line_span(index: &LineIndex<'_>, command: &Command, k: usize) -> Option<Span> {
    let first = index.line_of(command.span.start);
    let opening = index.line_text(first).trim_start_matches([' ', '>', '\t']);
    let whole_block = command.span.end > command.span.start + 1;
    let fenced = whole_block && (opening.starts_with("```") || opening.starts_with("~~~"));
    let line = first + usize::from(fenced) + k;
    let code_line = command.code.lines().nth(k)?.trim();
    let text = index.line_text(line);
    let col = text.find(code_line)?;
    let start = index.line_start(line)? + col;
    Some(index.span(start, start + 1))
}

/// Languages of blocks that are not run but hold commands an operator may type by hand: SQL,
/// consoles, unlabelled blocks. Data, diagrams and output are never linted.
const TYPED_BY_HAND: &[&str] = &[
    "",
    "sql",
    "mysql",
    "psql",
    "pgsql",
    "postgres",
    "postgresql",
    "plsql",
    "tsql",
    "sqlite",
    "cql",
    "redis",
    "sh",
    "bash",
    "zsh",
    "shell",
    "console",
    "shell-session",
    "terminal",
    "powershell",
    "ps1",
    "pwsh",
    "cmd",
    "bat",
    "none",
];

fn lint_command<'t>(
    step: &Step,
    command: &Command,
    lines_text: Option<&'t str>,
    index: &mut Option<LineIndex<'t>>,
    out: &mut Vec<Diagnostic>,
) {
    if command.runnable
        && command.code.lines().any(|l| {
            let t = l.trim_end_matches([' ', '\t']);
            t.len() < l.len() && t.ends_with('\\') && !t.ends_with("\\\\")
        })
    {
        out.push(Diagnostic::warning(
            DiagnosticCode::BackslashSpace,
            command.span,
            "a `\\` followed by spaces does not continue the line: the shell runs the next line as a command of its own",
        ));
    }
    if command.annotations.danger || command.annotations.confirm {
        return;
    }
    let by_hand = !command.runnable;
    if by_hand && !TYPED_BY_HAND.contains(&command.lang.as_ref()) {
        return;
    }
    // The title speaks for what runs; a block shown for reading may be sample output under it.
    let title = (!by_hand).then_some(step.title.as_str());
    let label = command.label.as_deref();
    if let Some(reason) = looks_destructive_in(&command.code, label, title) {
        let prefix = if by_hand {
            "if you run this by hand: "
        } else {
            ""
        };
        let warn = |span: Span, reason: &str| {
            Diagnostic::warning(
                DiagnosticCode::DestructiveCommand,
                span,
                format!(
                    "{prefix}{reason} looks destructive: mark the block `danger` (typed confirmation) or `confirm`"
                ),
            )
        };
        // In a command of several lines (a loop, a SQL script), at each line destructive by
        // itself; else at the command.
        let mut found = false;
        if let Some(text) = lines_text.filter(|_| command.code.trim_end().contains('\n')) {
            let index = index.get_or_insert_with(|| LineIndex::new(text));
            for (k, line) in command.code.lines().enumerate() {
                if let Some(reason) = looks_destructive_in(line, label, title)
                    && let Some(span) = code_line_span(index, command, k)
                {
                    out.push(warn(span, &reason));
                    found = true;
                }
            }
        }
        if !found {
            out.push(warn(command.span, &reason));
        }
    }
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
    fn output_and_data_blocks_are_not_linted() {
        assert!(codes("## A\n```text\nrm -rf / \\ \n```\n").is_empty());
        assert!(codes("## Restart\n```yaml\ncommand: [rm, -rf, /x]\n```\n").is_empty());
    }

    #[test]
    fn manual_sql_and_unlabelled_blocks_are_linted_for_running_by_hand() {
        let messages = |text: &str| -> Vec<String> {
            lint(&parse("t.md", text).runbook)
                .into_iter()
                .map(|d| d.message)
                .collect()
        };
        assert_eq!(
            messages("## A\n```sql\nDELETE FROM sessions;\n```\n"),
            [
                "if you run this by hand: `DELETE FROM` without `WHERE` looks destructive: mark the block `danger` (typed confirmation) or `confirm`"
            ]
        );
        assert_eq!(messages("## A\n```\nkubectl drain node-1\n```\n").len(), 1);
        assert!(messages("## A\n```sql {danger}\nDROP TABLE x;\n```\n").is_empty());
        // The title is not read for a block that is not run: it may be sample output.
        assert!(messages("## Restart\n```\nNAME READY STATUS\n```\n").is_empty());
    }

    #[test]
    fn the_step_title_says_what_an_unknown_script_does() {
        assert_eq!(
            codes("## Fail over to DC2\n```bash\n./bin/dcctl activate dc2\n```\n"),
            ["destructive-command"]
        );
        assert!(codes("## Fail over to DC2\n```bash\nkubectl get pods\n```\n").is_empty());
    }
}
