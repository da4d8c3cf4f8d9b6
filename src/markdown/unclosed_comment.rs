//! Unclosed `<!-- runbook:` comments: CommonMark lets an HTML comment run to the next `-->`, or to
//! the end of the file, so one missing `-->` would hide every step after it, `rm -rf` included.

use std::borrow::Cow;

const OPEN: &str = "<!--";

/// `text` with each annotation comment that is not closed before the next blank line turned into
/// an empty comment on its own line (same length, so every offset, line and column stays where it
/// was), and where each such comment starts; borrowed when there is none.
pub fn close_unclosed(text: &str) -> (Cow<'_, str>, Vec<usize>) {
    // Nearly every file has none: find a candidate with one substring search before reading
    // the file line by line (which tracks fences).
    if !memchr::memmem::find_iter(text.as_bytes(), OPEN).any(|at| may_be_unclosed(text, at)) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut out: Option<Vec<u8>> = None;
    let mut found = Vec::new();
    let mut start = 0;
    // The open fence (its character and length): a comment shown inside a code block is code.
    let mut fence: Option<(u8, usize)> = None;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let lead = line.len() - line.trim_start().len();
        let rest = &line[lead..];
        let marker = fence_marker(rest);
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some((c, n)), Some((mc, mn))) if c == mc && mn >= n && is_bare(rest) => fence = None,
            _ => {}
        }
        if fence.is_none()
            && marker.is_none()
            && let Some(after) = rest.strip_prefix(OPEN)
            && after.trim_start().starts_with("runbook:")
            && !after.contains("-->")
            && !closed_before_blank_line(&text[end..])
        {
            let at = start + lead;
            let content_end = start + line.trim_end_matches('\r').len();
            let buf = out.get_or_insert_with(|| text.as_bytes().to_vec());
            // `<!--` + blanks + `-->`: at least `<!-- runbook:` long, so always room for both.
            let region = &mut buf[at..content_end];
            region.fill(b' ');
            region[..OPEN.len()].copy_from_slice(OPEN.as_bytes());
            let n = region.len();
            region[n - 3..].copy_from_slice(b"-->");
            found.push(at);
        }
        start = end + 1;
    }
    let text = match out {
        // Whole lines were replaced by ASCII: the text is still UTF-8.
        Some(bytes) => Cow::Owned(String::from_utf8(bytes).expect("whole lines replaced")),
        None => Cow::Borrowed(text),
    };
    (text, found)
}

/// Whether the `<!--` at `at` could open an unclosed annotation comment: only blanks before it on
/// its line, `runbook:` after it, and no `-->` on the rest of the line.
fn may_be_unclosed(text: &str, at: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i);
    let after = &text[at + OPEN.len()..line_end];
    text[line_start..at].trim().is_empty()
        && after.trim_start().starts_with("runbook:")
        && !after.contains("-->")
}

/// The fence a line opens or closes: three or more backticks or tildes.
fn fence_marker(line: &str) -> Option<(u8, usize)> {
    let c = *line.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = line.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// A closing fence holds nothing but its marker.
fn is_bare(line: &str) -> bool {
    let t = line.trim_end();
    t.bytes().all(|b| b == t.as_bytes()[0])
}

/// A comment that goes on over several lines is closed when `-->` comes before a blank line.
fn closed_before_blank_line(after: &str) -> bool {
    after
        .split('\n')
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .any(|l| l.contains("-->"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_comment_becomes_an_empty_one_of_the_same_length() {
        let text = "## A\n<!-- runbook: danger\n```bash\nrm -rf x\n```\n";
        let (fixed, at) = close_unclosed(text);
        assert_eq!(at, [5]);
        assert_eq!(fixed.len(), text.len());
        // `<!-- runbook: danger` is 20 bytes: `<!--`, 13 blanks, `-->`.
        let blank = " ".repeat(13);
        assert_eq!(
            fixed,
            format!("## A\n<!--{blank}-->\n```bash\nrm -rf x\n```\n")
        );
    }

    #[test]
    fn closed_comments_are_left_alone() {
        for text in [
            "<!-- runbook: confirm -->\n",
            "<!-- runbook:\n  confirm\n-->\n",
            "<!-- not for us\n\nstill a comment -->\n",
        ] {
            let (fixed, at) = close_unclosed(text);
            assert!(matches!(fixed, Cow::Borrowed(_)), "{text:?}");
            assert!(at.is_empty());
        }
        // Shown inside a code block, it is code.
        let (fixed, at) = close_unclosed("````markdown\n<!-- runbook: confirm\n```\n````\n");
        assert!(matches!(fixed, Cow::Borrowed(_)));
        assert!(at.is_empty());
        // Closed only after a blank line: that `-->` belongs to another comment.
        let (_, at) = close_unclosed("<!-- runbook: confirm\n\nx\n<!-- note -->\n");
        assert_eq!(at, [0]);
    }
}
