//! Control characters in a runbook's text: a terminal obeys them instead of showing them, so what
//! the operator reads could differ from what runs.

use crate::human::{is_hidden_control, visible};
use crate::runbook::{Diagnostic, DiagnosticCode};
use crate::span::LineIndex;

/// One error per run of control characters in `text`, at its line and column. The CR of a CRLF
/// line ending is not one: it changes nothing on screen.
pub fn control_characters(text: &str) -> Vec<Diagnostic> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut index: Option<LineIndex<'_>> = None;
    let mut run: Option<(usize, usize)> = None;
    // In a file whose lines all end in a lone CR, those CRs are line ends (`cr-line-endings`).
    let cr_lines = crate::markdown::cr_line_endings(text);
    // Lines and columns are counted as the parser counts them: CR ends a line there.
    let translated = cr_lines.then(|| text.replace('\r', "\n"));
    let lines_of: &str = translated.as_deref().unwrap_or(text);
    let hidden = |i: usize, c: char| {
        is_hidden_control(c) && !(c == '\r' && (cr_lines || bytes.get(i + 1) == Some(&b'\n')))
    };
    let mut flush = |run: &mut Option<(usize, usize)>, out: &mut Vec<Diagnostic>| {
        if let Some((start, end)) = run.take() {
            let index = index.get_or_insert_with(|| LineIndex::new(lines_of));
            out.push(Diagnostic::error(
                DiagnosticCode::ControlCharacter,
                index.span(start, end),
                format!(
                    "control character `{}`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)",
                    visible(&text[start..end])
                ),
            ));
        }
    };
    for (i, c) in text.char_indices() {
        if hidden(i, c) {
            let end = i + c.len_utf8();
            run = Some(run.map_or((i, end), |(start, _)| (start, end)));
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_is_reported_at_its_line_and_column() {
        let found = control_characters(
            "# T\r\n\r\n## A\n```bash\necho ok\x1b[2K\rrm -rf x\n```\nsee \u{202e}this\u{7f}\n",
        );
        let at: Vec<(u32, u32, &str)> = found
            .iter()
            .map(|d| (d.span.line, d.span.column, d.code.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (5, 8, "control-character"),
                (5, 12, "control-character"),
                (7, 5, "control-character"),
                (7, 10, "control-character"),
            ]
        );
        assert!(found[0].message.starts_with("control character `^[`"));
        assert!(found[1].message.starts_with("control character `^M`"));
        assert!(control_characters("# T\r\n\ttab\n").is_empty());
    }

    #[test]
    fn cr_line_ends_are_not_control_characters_and_lines_count_them() {
        let found = control_characters("# T\r\r## A\recho \x1b[2Kok\r");
        let at: Vec<(u32, u32)> = found.iter().map(|d| (d.span.line, d.span.column)).collect();
        assert_eq!(at, [(4, 6)]);
    }
}
