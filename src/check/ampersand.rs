//! `unquoted-ampersand`: an `&` inside an unquoted URL (`curl http://x/?a=1&b=2`) ends the
//! command there and runs it in the background; the rest of the URL becomes a command of its own.

use crate::markdown::{CONSOLE_LANGS, SHELL_LANGS};
use crate::runbook::{Command, Diagnostic, DiagnosticCode, Runbook};
use crate::span::LineIndex;

/// One warning per unquoted URL holding an `&`, at the `&`'s line and column in `lines_of`: the
/// file's text as the parser counts lines (a CR-only file with CR read as line ends).
pub fn unquoted_ampersands(runbook: &Runbook, lines_of: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut index: Option<LineIndex<'_>> = None;
    for command in runbook.steps.iter().flat_map(|s| &s.commands) {
        if !read_by_a_shell(command) || !command.code.contains('&') {
            continue;
        }
        // A statement's or a prompt's span is its first byte: its lines are the code's many.
        let end = if command.span.end > command.span.start + 1 {
            command.span.end
        } else {
            let lines = command.code.lines().count().max(1);
            lines_of[command.span.start..]
                .match_indices('\n')
                .nth(lines - 1)
                .map_or(lines_of.len(), |(i, _)| command.span.start + i + 1)
        };
        let Some(block) = lines_of.get(command.span.start..end) else {
            continue;
        };
        let mut at = command.span.start;
        for line in block.split_inclusive('\n') {
            if let Some((amp, url)) = ampersand_in_url(line)
                // Only lines of the command itself, not a console's expected output.
                && command
                    .code
                    .lines()
                    .any(|l| !l.trim().is_empty() && line.trim_end().ends_with(l.trim_end()))
            {
                let index = index.get_or_insert_with(|| LineIndex::new(lines_of));
                out.push(Diagnostic::warning(
                    DiagnosticCode::UnquotedAmpersand,
                    index.span(at + amp, at + amp + 1),
                    format!(
                        "the unquoted `&` in `{url}` ends the command there and runs it in the background, and the rest of the URL runs as a command of its own: quote the URL ('…')"
                    ),
                ));
            }
            at += line.len();
        }
    }
    out
}

fn read_by_a_shell(command: &Command) -> bool {
    if command.runnable {
        command.annotations.runner.is_none()
    } else {
        // Blocks a shell reads when typed by hand: shell, console and unlabelled ones.
        let lang = command.lang.as_ref();
        lang.is_empty() || SHELL_LANGS.contains(&lang) || CONSOLE_LANGS.contains(&lang)
    }
}

/// The byte offset of the first `&` that ends an unquoted word holding `://`, and that URL as
/// written (up to the next blank).
fn ampersand_in_url(line: &str) -> Option<(usize, &str)> {
    let b = line.as_bytes();
    let ends_word = |c: u8| c.is_ascii_whitespace() || b";|&()<>'\"`".contains(&c);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if q == b'"' && b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'\\' => i += 2,
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => return None,
            c if ends_word(c) => i += 1,
            _ => {
                let start = i;
                while i < b.len() && !ends_word(b[i]) {
                    i += 1;
                }
                let next = b.get(i + 1).copied();
                if line[start..i].contains("://")
                    && b.get(i) == Some(&b'&')
                    && next.is_some_and(|n| !n.is_ascii_whitespace() && !b"&>;|".contains(&n))
                {
                    let end = line[i..]
                        .find(|c: char| c.is_ascii_whitespace())
                        .map_or(line.len(), |e| i + e);
                    return Some((i, &line[start..end]));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    #[test]
    fn finds_the_ampersand_of_an_unquoted_url_only() {
        assert_eq!(
            ampersand_in_url("curl http://x/?a=1&b=2 | jq ."),
            Some((18, "http://x/?a=1&b=2"))
        );
        assert_eq!(ampersand_in_url("curl 'http://x/?a=1&b=2'"), None);
        assert_eq!(ampersand_in_url("curl \"http://x/?a=1&b=2\""), None);
        assert_eq!(ampersand_in_url("curl http://x/ & wait"), None);
        assert_eq!(ampersand_in_url("curl http://x/ok&& echo done"), None);
        assert_eq!(ampersand_in_url("curl http://x/ 2>&1"), None);
        assert_eq!(ampersand_in_url("echo a # http://x/?a&b"), None);
    }

    #[test]
    fn reports_the_line_and_column_in_the_file_not_in_expected_output() {
        let text = "# T\n\n## A\n\n- item\n\n  ```bash\n  curl -s http://x/api?a=1&b=2\n  ```\n\n```console\n$ echo ok\nhttp://x/?a&b\n```\n\n```text\ncurl http://x/?a&b\n```\n";
        let found = unquoted_ampersands(&parse("t.md", text).runbook, text);
        let at: Vec<(u32, u32)> = found.iter().map(|d| (d.span.line, d.span.column)).collect();
        assert_eq!(at, [(8, 27)]);
        assert!(
            found[0]
                .message
                .starts_with("the unquoted `&` in `http://x/api?a=1&b=2`")
        );
    }
}
