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

/// Whether a block's statements only make sense in one shell, so splitting would change what it
/// does: an `exit` or `return` before the last statement (control flow across statements), a
/// function definition, `set -e`/`set -o`, a `trap`, or a shell variable set (not exported) by
/// one statement and read by a later one.
pub(super) fn one_shell(code: &str, parts: &[Part]) -> bool {
    let Some((_, init)) = parts.split_last() else {
        return false;
    };
    for (k, part) in parts.iter().enumerate() {
        let text = &code[part.range.clone()];
        let mut words = text.split(|c: char| c.is_ascii_whitespace() || ";&|()`".contains(c));
        let first = words.next().unwrap_or("");
        if first == "trap"
            || (first == "set"
                && text
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|f| f.starts_with('-') && (f.contains('e') || f == "-o")))
        {
            return true;
        }
        // A function lives in the shell that defined it: whole only when a later statement
        // calls it.
        if let Some(name) = function_name(text)
            && code[part.range.end..]
                .split(|c: char| c.is_ascii_whitespace() || ";&|()`$\"'".contains(c))
                .any(|w| w == name)
        {
            return true;
        }
        if k < init.len()
            && text
                .split(|c: char| c.is_ascii_whitespace() || ";&|()`".contains(c))
                .any(|w| w == "exit" || w == "return")
        {
            return true;
        }
        if k < init.len()
            && let Some(name) = assigned_name(text)
        {
            let later = &code[part.range.end..];
            if later.contains(&format!("${name}")) || later.contains(&format!("${{{name}")) {
                return true;
            }
        }
    }
    false
}

/// The name a statement defines as a function: `function NAME …` or `NAME() {`.
fn function_name(text: &str) -> Option<&str> {
    let text = text.trim_start();
    if let Some(rest) = text.strip_prefix("function ") {
        let name = rest
            .split(|c: char| c.is_ascii_whitespace() || c == '(')
            .next()?;
        return (!name.is_empty()).then_some(name);
    }
    let (name, after) = text.split_once('(')?;
    let name = name.trim_end();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b':');
    (valid && after.trim_start().starts_with(')')).then_some(name)
}

/// The shell variable a statement sets without exporting it: `x=1`, `x=$(cmd)`, `read -r x`,
/// `local x=…`, `declare x=…`.
fn assigned_name(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    let mut first = words.next()?;
    if matches!(first, "local" | "declare" | "typeset" | "readonly") {
        first = words.find(|w| !w.starts_with('-'))?;
    } else if first == "read" {
        return words.rfind(|w| !w.starts_with('-'));
    }
    let (name, _) = first.split_once('=')?;
    let valid = !name.is_empty()
        && !name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(name)
}
