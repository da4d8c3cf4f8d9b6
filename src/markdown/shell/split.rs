//! The statement split by tree-sitter-bash: any shell text, multi-line constructs included.

use std::cell::RefCell;

use tree_sitter::Parser;

use super::Statement;

thread_local! {
    // One parser per thread: creating one (and loading the grammar) costs more than a small block.
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .expect("the bash grammar is built for this tree-sitter version");
    parser
}

/// Top-level statements as tree-sitter reads them; nodes that share a line are one statement
/// (`cd /x; ls`, `echo a # note`), a comment on a line of its own is none. An ERROR node is a
/// statement like any other, so a line bash cannot read loses only its own statement.
pub fn tree_statements(code: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    split_into(code, 0, &mut out);
    out
}

/// Whether tree-sitter-bash finds a syntax error in `code` (tests: the fast path's property
/// holds for shell text that parses).
#[cfg(test)]
pub fn has_syntax_error(code: &str) -> bool {
    PARSER
        .with(|p| p.borrow_mut().parse(code, None))
        .is_none_or(|tree| tree.root_node().has_error())
}

/// Texts longer than this are not parsed again past an error: each retry parses the rest anew.
const RETRY_MAX: usize = 64 * 1024;

/// The statements of `code[from..]`, with offsets into `code`.
fn split_into(code: &str, from: usize, out: &mut Vec<Statement>) {
    let text = &code[from..];
    let Some(tree) = PARSER.with(|p| p.borrow_mut().parse(text, None)) else {
        // Only a cancelled or timed-out parse gives none, and neither is set: keep it whole.
        push_trimmed(code, from..code.len(), out);
        return;
    };
    let root = tree.root_node();
    let mut current: Option<std::ops::Range<usize>> = None;
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        let (start, end) = (from + child.start_byte(), from + child.end_byte());
        if start >= end {
            continue; // a MISSING node: nothing written
        }
        // Error recovery may take every line after a bad one into its ERROR node: the bad line
        // is a statement (with what shares its line), the lines after it are read again.
        if child.is_error() && text.len() <= RETRY_MAX {
            let line_end = memchr::memchr(b'\n', &code.as_bytes()[start..end]).map(|n| start + n);
            if let Some(line_end) = line_end
                && !code[line_end..end].trim().is_empty()
            {
                let first = current.take().map_or(start, |r| {
                    if code.as_bytes()[r.end..start].contains(&b'\n') {
                        push_trimmed(code, r, out);
                        start
                    } else {
                        r.start
                    }
                });
                push_trimmed(code, first..line_end, out);
                split_into(code, line_end + 1, out);
                return;
            }
        }
        if let Some(range) = &mut current
            && !code.as_bytes()[range.end..start].contains(&b'\n')
        {
            range.end = range.end.max(end);
            continue;
        }
        if let Some(range) = current.take() {
            push_trimmed(code, range, out);
        }
        if child.kind() != "comment" {
            current = Some(start..end);
        }
    }
    if let Some(range) = current {
        push_trimmed(code, range, out);
    }
}

/// Adds `range` without the blanks at either end (an ERROR node may start or end with some).
fn push_trimmed(code: &str, range: std::ops::Range<usize>, out: &mut Vec<Statement>) {
    let text = &code[range.clone()];
    let lead = text.len() - text.trim_start().len();
    let len = text.trim().len();
    if len > 0 {
        let start = range.start + lead;
        out.push(Statement {
            range: start..start + len,
        });
    }
}
