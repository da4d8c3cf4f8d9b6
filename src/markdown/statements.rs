//! A script block as commands: one per top-level statement, each with its place in the file and
//! the comment above it as its label; and what every runnable command learns from its code
//! (whether it needs a keyboard, its placeholders).

use std::ops::Range;

use super::shell;
use crate::runbook::Command;
use crate::span::LineIndex;

/// A statement of a script block: its bytes in the block's code, and its label.
pub(super) struct Part {
    pub range: Range<usize>,
    pub label: Option<String>,
}

/// The statements of a script block's code, each labelled by the comment lines right above it.
pub(super) fn parts(code: &str) -> Vec<Part> {
    let mut floor = 0;
    shell::statements(code)
        .into_iter()
        .map(|s| {
            let label = shell::label_above(code, s.range.start, floor);
            floor = s.range.end;
            Part {
                range: s.range,
                label,
            }
        })
        .collect()
}

/// Where byte `offset` of a block's code sits in the file: the code's lines are the file's
/// lines from `first_line` on, less the indentation a list or quote gives them.
pub(super) fn file_offset(
    index: &LineIndex<'_>,
    code: &str,
    first_line: usize,
    offset: usize,
    fallback: usize,
) -> usize {
    let before = &code[..offset];
    let line_in_code = memchr::memchr_iter(b'\n', before.as_bytes()).count();
    let line_start_in_code = before.rfind('\n').map_or(0, |i| i + 1);
    let col = offset - line_start_in_code;
    let line = first_line + line_in_code;
    let code_line = code[line_start_in_code..].split('\n').next().unwrap_or("");
    let file_line = index.line_text(line);
    let file_line = file_line.strip_suffix('\r').unwrap_or(file_line);
    let lead = if file_line.ends_with(code_line) {
        file_line.len() - code_line.len()
    } else {
        file_line.find(code_line.trim()).unwrap_or(0)
    };
    index
        .line_start(line)
        .map_or(fallback, |start| start + lead + col)
}

/// Fills in what a command's code tells: `interactive` (unless annotated) and its placeholders.
/// A block piped into a `runner` is that program's input, not shell: neither applies.
pub(super) fn finish(command: &mut Command) {
    let shell = command.runnable && command.annotations.runner.is_none();
    command.interactive = command
        .annotations
        .interactive
        .unwrap_or_else(|| shell && shell::is_interactive(&command.code));
    if shell {
        command.placeholders = shell::find_placeholders(&command.code);
    }
}

/// `placeholder` (info) at each placeholder of a runnable command, naming the variable it becomes.
pub(super) fn placeholder_diagnostics(
    steps: &[crate::runbook::Step],
    index: &LineIndex<'_>,
    diagnostics: &mut Vec<crate::runbook::Diagnostic>,
) {
    use crate::runbook::{Diagnostic, DiagnosticCode};
    for command in steps.iter().flat_map(|s| &s.commands) {
        for p in &command.placeholders {
            let span = super::locate(index, command, p.offset).unwrap_or(command.span);
            diagnostics.push(Diagnostic::info(
                DiagnosticCode::Placeholder,
                span,
                format!(
                    "placeholder `{}` is asked for as variable `{}` before the command runs; the value takes its place, quoted",
                    p.text, p.variable
                ),
            ));
        }
    }
}
