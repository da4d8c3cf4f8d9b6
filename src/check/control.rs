//! Control characters in a runbook's text: a terminal obeys them instead of showing them, so what
//! the operator reads could differ from what runs.

use crate::human::visible;
use crate::runbook::{Diagnostic, DiagnosticCode};
use crate::span::LineIndex;

/// One error per run of control characters in `text`, at its line and column. The CR of a CRLF
/// line ending is not one: it changes nothing on screen.
pub fn control_characters(text: &str) -> Vec<Diagnostic> {
    // In a file whose lines all end in a lone CR, those CRs are line ends (`cr-line-endings`).
    let cr_lines = crate::markdown::cr_line_endings(text);
    let runs = hidden_runs(text, cr_lines);
    if runs.is_empty() {
        return Vec::new();
    }
    // Lines and columns are counted as the parser counts them: CR ends a line there.
    let translated = cr_lines.then(|| text.replace('\r', "\n"));
    let index = LineIndex::new(translated.as_deref().unwrap_or(text));
    runs.into_iter()
        .map(|(start, end)| {
            Diagnostic::error(
                DiagnosticCode::ControlCharacter,
                index.span(start, end),
                format!(
                    "control character `{}`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)",
                    visible(&text[start..end])
                ),
            )
        })
        .collect()
}

/// Byte ranges of the runs of hidden control characters in `text`, in order (see
/// [`crate::human::is_hidden_control`]; a CR is not one before LF, nor in a CR-only file).
///
/// Every file is scanned and almost none holds one, so this reads bytes, not chars: eight at a
/// time while none could start a hidden character, and only then looks at the character. In
/// UTF-8 a hidden character starts with a byte below 0x20, 0x7f (DEL), 0xc2 (C1, U+0080–U+009F)
/// or 0xe2 (the bidirectional controls); 0xc2 and 0xe2 only ever start a character, so landing
/// inside a multibyte character cannot misread it.
fn hidden_runs(text: &str, cr_lines: bool) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + 8)
            && !may_hold_control(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])))
        {
            i += 8;
            continue;
        }
        // Something in these eight bytes might be one: look at each.
        let stop = (i + 8).min(b.len());
        while i < stop {
            let len = hidden_len(b, i, cr_lines);
            if len == 0 {
                i += 1;
                continue;
            }
            match runs.last_mut() {
                Some((_, end)) if *end == i => *end = i + len,
                _ => runs.push((i, i + len)),
            }
            i += len;
        }
    }
    runs
}

/// The length of the hidden control character that starts at byte `i` of `b`, or 0.
#[inline]
fn hidden_len(b: &[u8], i: usize, cr_lines: bool) -> usize {
    match b[i] {
        // Tab and LF show as themselves.
        b'\t' | b'\n' => 0,
        b'\r' if cr_lines || b.get(i + 1) == Some(&b'\n') => 0,
        0..=0x1f | 0x7f => 1,
        0xc2 if matches!(b.get(i + 1), Some(0x80..=0x9f)) => 2,
        0xe2 if matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ) =>
        {
            3
        }
        _ => 0,
    }
}

/// Whether any byte of `w` is below 0x20, is 0x7f, or is 0x80 and up: a cheap superset of the
/// bytes a hidden control character can start with.
#[inline]
fn may_hold_control(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 borrows in `w - 0x20…`, setting its high bit where `w`'s was clear (exact
    // as a whole-word yes/no, which is all that is asked).
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    // A 0x7f byte is zero after the xor.
    let x = w ^ (ONES * 0x7f);
    let del = x.wrapping_sub(ONES) & !x;
    (below_space | del | w) & HIGH != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::human::is_hidden_control;
    use proptest::prelude::*;

    /// The former char-by-char scan: the oracle the byte scan is tested against.
    fn hidden_runs_by_char(text: &str, cr_lines: bool) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let hidden = |i: usize, c: char| {
            is_hidden_control(c) && !(c == '\r' && (cr_lines || bytes.get(i + 1) == Some(&b'\n')))
        };
        let mut runs = Vec::new();
        let mut run: Option<(usize, usize)> = None;
        for (i, c) in text.char_indices() {
            if hidden(i, c) {
                let end = i + c.len_utf8();
                run = Some(run.map_or((i, end), |(start, _)| (start, end)));
            } else if let Some(r) = run.take() {
                runs.push(r);
            }
        }
        runs.extend(run);
        runs
    }

    fn agrees(text: &str) {
        let cr_lines = crate::markdown::cr_line_endings(text);
        assert_eq!(
            hidden_runs(text, cr_lines),
            hidden_runs_by_char(text, cr_lines),
            "{text:?}"
        );
    }

    #[test]
    fn byte_scan_finds_every_kind_at_every_offset() {
        // Each hidden character, its neighbours that are not hidden, and characters sharing its
        // lead byte, at every position of the eight-byte window and across its edge.
        let probes = [
            "\0",
            "\u{8}",
            "\t",
            "\n",
            "\u{b}",
            "\r",
            "\r\n",
            "\u{1b}",
            "\u{1f}",
            " ",
            "~",
            "\u{7f}",
            "\u{7f}\u{80}",
            "\u{80}",
            "\u{9f}",
            "\u{a0}",
            "é",
            "\u{c2}",
            "\u{2029}",
            "\u{202a}",
            "\u{202e}",
            "\u{202f}",
            "\u{2065}",
            "\u{2066}",
            "\u{2069}",
            "\u{206a}",
            "€",
            "😀",
            "\u{1b}\u{9b}\u{202e}",
        ];
        for probe in probes {
            for pad in 0..17 {
                let before = "a".repeat(pad);
                agrees(&format!("{before}{probe}"));
                agrees(&format!("{before}{probe}x{probe}{probe}\n"));
                agrees(&format!("é{before}{probe}\u{2028}{before}"));
            }
        }
        // A CR-only file: its CRs are line ends, not controls.
        agrees("# T\r\r## A\recho \x1b[2Kok\r");
        assert_eq!(hidden_runs("a\u{85}\u{7f}b", false), [(1, 4)]);
    }

    /// Characters near the hidden ones, in UTF-8 of every length.
    fn near_controls() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::char::range('a', 'e'),
            2 => prop::char::range('\0', ' '),
            1 => prop::char::range('~', '\u{a1}'),
            1 => prop::char::range('\u{2028}', '\u{202f}'),
            1 => prop::char::range('\u{2064}', '\u{206a}'),
            1 => Just('\r'),
            1 => Just('\n'),
            1 => prop::char::any(),
        ]
    }

    proptest! {
        #[test]
        fn byte_scan_agrees_with_the_char_scan(chars in prop::collection::vec(near_controls(), 0..64)) {
            let text: String = chars.into_iter().collect();
            let cr_lines = crate::markdown::cr_line_endings(&text);
            prop_assert_eq!(hidden_runs(&text, cr_lines), hidden_runs_by_char(&text, cr_lines));
        }
    }

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
