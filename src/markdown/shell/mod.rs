//! A small read-only view of shell code: its top-level statements, placeholders and whether a
//! statement needs a keyboard. Offsets are bytes into the code as written; nothing is rewritten.

mod fast;
mod interactive;
mod placeholders;
mod split;

pub use fast::fast_statements;
pub use interactive::{is_assignment, is_interactive, past_global_options};
pub use placeholders::{find_placeholders, mask_placeholders};
pub use split::tree_statements;

use std::ops::Range;

/// One top-level statement (or several written on one line), as byte offsets into the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From the statement's first byte to its last: leading and trailing blanks excluded.
    pub range: Range<usize>,
}

/// The top-level statements of `code`: one per line for plain one-line commands; pipelines,
/// `&&`/`||` chains, loops, conditionals, functions, heredocs, subshells and continued lines stay
/// whole. Statements written on one line (`cd /x; ls`) stay together, as the author wrote them.
/// Comment lines are not statements. Placeholders (`<HO-ID>`) are read as plain words.
pub fn statements(code: &str) -> Vec<Statement> {
    let masked = mask_placeholders(code);
    match fast_statements(&masked) {
        Some(statements) => statements,
        None => tree_statements(&masked),
    }
}

/// The comment line(s) directly above the statement starting at `start` (no blank line between,
/// and after `floor`, the end of the statement before), without their `#`: the statement's label.
pub fn label_above(code: &str, start: usize, floor: usize) -> Option<String> {
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut lines = Vec::new();
    let mut end = line_start;
    while end > floor {
        // `end` is the start of a line; the line above ends at `end - 1` (its `\n`).
        let above_start = code[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        if above_start < floor {
            break;
        }
        let line = code[above_start..end - 1].trim();
        let Some(text) = line.strip_prefix('#') else {
            break;
        };
        // A shebang is not a description of the command below it.
        if text.starts_with('!') {
            break;
        }
        lines.push(text.trim_start_matches('#').trim());
        end = above_start;
    }
    lines.reverse();
    let label = lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (!label.is_empty()).then_some(label)
}

#[cfg(test)]
mod tests;
