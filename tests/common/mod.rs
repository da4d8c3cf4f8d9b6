//! Span checks shared by the corpus tests and the parser's property tests.

use runbook::markdown::Parsed;
use runbook::runbook::{Diagnostic, Span};

/// Why `span` does not describe a place in `text`, if it does not.
pub fn span_problem(text: &str, span: &Span) -> Option<String> {
    if span.start > span.end || span.end > text.len() {
        return Some(format!(
            "range {}..{} is not inside 0..{}",
            span.start,
            span.end,
            text.len()
        ));
    }
    if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
        return Some(format!(
            "range {}..{} is not on char boundaries",
            span.start, span.end
        ));
    }
    // Lines end as the parser reads them: in LF, or in a lone CR in a file with no LF at all.
    let end = if runbook::markdown::cr_line_endings(text) {
        '\r'
    } else {
        '\n'
    };
    let before = &text[..span.start];
    let line = 1 + before.matches(end).count();
    let line_start = before.rfind(end).map_or(0, |i| i + 1);
    let column = 1 + text[line_start..span.start].chars().count();
    if (span.line as usize, span.column as usize) != (line, column) {
        return Some(format!(
            "says {}:{} but byte {} is at {line}:{column}",
            span.line, span.column, span.start
        ));
    }
    None
}

/// Every span the parse produced (and of `extra` diagnostics), named for messages.
pub fn spans(parsed: &Parsed, extra: &[Diagnostic]) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for step in &parsed.runbook.steps {
        out.push((format!("step {}", step.index), step.span));
        for c in &step.commands {
            out.push((format!("step {} command {}", step.index, c.index), c.span));
            if let Some(s) = c.annotations.span {
                out.push((
                    format!("step {} command {} annotations", step.index, c.index),
                    s,
                ));
            }
        }
        for item in &step.checklist {
            out.push((
                format!("step {} checklist item {}", step.index, item.index),
                item.span,
            ));
        }
        for l in &step.lookups {
            out.push((format!("step {} lookup {}", step.index, l.index), l.span));
        }
    }
    for v in &parsed.runbook.variables {
        out.push((format!("variable `{}`", v.name), v.span));
    }
    for d in parsed.diagnostics.iter().chain(extra) {
        out.push((format!("diagnostic {} ({})", d.code, d.message), d.span));
    }
    out
}
