//! A cap on how deep one line nests: past [`MAX_NESTING`] container markers (`>`, `-`, `+`, `*`,
//! `1.`, `1)`, a task box) the rest of the markers are shown as `…`, read as text. pulldown-cmark keeps about
//! 60 bytes a level, so a 2 MB line of `- - - …` (a nesting bomb) took 120 MB before any step
//! was read; no runbook nests 64 levels deep.

use std::borrow::Cow;

/// Container markers read on one line; more are blanked.
pub const MAX_NESTING: usize = 64;

/// `text` with the container markers past the [`MAX_NESTING`]th of a line replaced by `…` and
/// spaces (as many bytes, so every offset, line and column stays where it was); borrowed when
/// no line nests that deep.
pub fn cap_nesting(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        // Each marker takes a byte at least: a shorter line cannot nest too deep.
        if end - start > MAX_NESTING
            && let Some((from, to)) = excess(&bytes[start..end])
        {
            let buf = out.get_or_insert_with(|| bytes.to_vec());
            let region = &mut buf[start + from..start + to];
            region.fill(b' ');
            // Text first, so that the blanks are not read as an indented code block (a command).
            let mark: &[u8] = if region.len() >= 3 {
                "…".as_bytes()
            } else {
                b"\\"
            };
            region[..mark.len()].copy_from_slice(mark);
        }
        start = end + 1;
    }
    // Only ASCII bytes were replaced by spaces: the text is still UTF-8.
    match out.map(String::from_utf8) {
        Some(Ok(s)) => Cow::Owned(s),
        _ => Cow::Borrowed(text),
    }
}

/// Where the markers past the cap start and where the run of markers ends, in `line`.
fn excess(line: &[u8]) -> Option<(usize, usize)> {
    let space = |b: u8| matches!(b, b' ' | b'\t');
    let mut i = 0;
    let mut level = 0;
    let mut cut = None;
    loop {
        while i < line.len() && space(line[i]) {
            i += 1;
        }
        let at = i;
        let rest = &line[i..];
        if rest.first() == Some(&b'>') {
            i += 1;
        } else if rest.len() >= 2 && matches!(rest[0], b'-' | b'+' | b'*') && space(rest[1]) {
            i += 2;
            let r = &line[i..];
            if r.len() >= 4 && r[0] == b'[' && matches!(r[1], b' ' | b'x' | b'X') && r[2] == b']' {
                i += 3;
            }
        } else {
            let digits = rest
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if (1..=9).contains(&digits)
                && rest.len() > digits + 1
                && matches!(rest[digits], b'.' | b')')
                && space(rest[digits + 1])
            {
                i += digits + 2;
            } else {
                break;
            }
        }
        level += 1;
        if level == MAX_NESTING + 1 {
            cut = Some(at);
        }
    }
    cut.map(|c| (c, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_borrowed() {
        let text = "# T\n\n- a\n  - b\n> quote\n1. one\n";
        assert!(matches!(cap_nesting(text), Cow::Borrowed(_)));
        let deep = format!("{}x\n", "- ".repeat(MAX_NESTING));
        assert!(matches!(cap_nesting(&deep), Cow::Borrowed(_)));
    }

    #[test]
    fn markers_past_the_cap_are_blanked_in_place() {
        for unit in ["- ", "1. ", "- [ ] ", "> ", ">", "> 1. - "] {
            let text = format!("# T\n\n{}x\nnext\n", unit.repeat(1000));
            let capped = cap_nesting(&text);
            assert_eq!(capped.len(), text.len(), "{unit:?}");
            assert!(capped.ends_with("x\nnext\n"), "{unit:?}");
            let line = capped.lines().nth(2).unwrap_or("");
            let markers = line.trim_end_matches([' ', 'x']);
            assert!(markers.ends_with('…'), "{unit:?}: {markers}");
            let markers = markers.trim_end_matches('…');
            assert!(
                markers.len() <= unit.len() * MAX_NESTING,
                "{unit:?}: {}",
                markers.len()
            );
        }
    }

    #[test]
    fn a_bomb_parses_into_one_step() {
        let text = format!("# Bomb\n\n## Step\n\n{}x\n", "- ".repeat(1 << 20));
        let parsed = super::super::parse("b.md", &text);
        assert_eq!(parsed.runbook.steps.len(), 1);
    }
}
