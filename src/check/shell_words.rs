//! Quote-aware splitting of shell text into simple commands and their words, for the
//! destructive-command check: enough of the shell's grammar to see the commands inside loops,
//! conditionals, substitutions and lists, and the comment each one sits under; not a parser.

/// One simple command: its words with quoting removed.
#[derive(Debug, Default)]
pub struct Simple {
    pub words: Vec<String>,
    /// Index in [`Split::comments`] of the comment lines just above it, if any.
    pub comment: Option<usize>,
    /// The bodies of the heredocs it reads, joined.
    pub heredoc: Option<String>,
}

/// The simple commands of a text, in order, and the comments they sit under.
#[derive(Debug, Default)]
pub struct Split {
    pub commands: Vec<Simple>,
    pub comments: Vec<String>,
}

/// Splits `code` at newlines, `;`, `|`, `&`, parentheses and backquotes (outside quotes), so
/// `for n in a; do kubectl drain $n; done` gives `do kubectl drain $n` as a command of its own.
/// A comment line's text applies to the commands below it until a blank line or another comment.
pub fn split(code: &str) -> Split {
    let b = code.as_bytes();
    let mut out = Split::default();
    let mut words: Vec<String> = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut comment: Option<usize> = None;
    // Whether the line so far has anything but blanks, and whether it is a comment line.
    let (mut line_used, mut line_comment, mut prev_comment) = (false, false, false);
    // Heredoc terminators opened on this line, and the command they belong to.
    let mut heredocs: Vec<(String, usize)> = Vec::new();
    let mut i = 0;

    fn end_word(words: &mut Vec<String>, word: &mut Vec<u8>, in_word: &mut bool) {
        if *in_word {
            words.push(String::from_utf8_lossy(word).into_owned());
            word.clear();
            *in_word = false;
        }
    }
    fn end_command(out: &mut Split, words: &mut Vec<String>, comment: Option<usize>) {
        if !words.is_empty() {
            out.commands.push(Simple {
                words: std::mem::take(words),
                comment,
                heredoc: None,
            });
        }
    }

    while i < b.len() {
        let c = b[i];
        if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            line_used = true;
        }
        match c {
            b'\'' => {
                let end = b[i + 1..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .map_or(b.len(), |p| i + 1 + p);
                word.extend_from_slice(&b[i + 1..end]);
                in_word = true;
                i = end + 1;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' && j + 1 < b.len() {
                        if !matches!(b[j + 1], b'"' | b'\\' | b'$' | b'`' | b'\n') {
                            word.push(b'\\');
                        }
                        if b[j + 1] != b'\n' {
                            word.push(b[j + 1]);
                        }
                        j += 2;
                    } else {
                        word.push(b[j]);
                        j += 1;
                    }
                }
                in_word = true;
                i = j + 1;
            }
            b'\\' => {
                match b.get(i + 1) {
                    Some(b'\n') => {}
                    Some(b'\r') if b.get(i + 2) == Some(&b'\n') => i += 1,
                    Some(&next) => {
                        word.push(next);
                        in_word = true;
                    }
                    None => {}
                }
                i += 2;
            }
            b'#' if !in_word => {
                let end = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                if words.is_empty() {
                    let text = String::from_utf8_lossy(&b[i..end]);
                    let text = text.trim_start_matches('#').trim();
                    match comment {
                        Some(at) if prev_comment => {
                            out.comments[at].push(' ');
                            out.comments[at].push_str(text);
                        }
                        _ => {
                            out.comments.push(text.to_string());
                            comment = Some(out.comments.len() - 1);
                        }
                    }
                    line_comment = true;
                }
                i = end;
            }
            b'\n' => {
                end_word(&mut words, &mut word, &mut in_word);
                end_command(&mut out, &mut words, comment);
                if !line_used {
                    comment = None;
                }
                prev_comment = line_comment;
                (line_used, line_comment) = (false, false);
                i += 1;
                if !heredocs.is_empty() {
                    i = read_heredocs(b, i, &mut heredocs, &mut out);
                }
            }
            b'&' if word.last() == Some(&b'>') || b.get(i + 1) == Some(&b'>') => {
                // `2>&1`, `&>`: a redirect, not a separator.
                word.push(c);
                in_word = true;
                i += 1;
            }
            b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                end_word(&mut words, &mut word, &mut in_word);
                let mut j = i + 2;
                while j < b.len() && matches!(b[j], b'-' | b' ' | b'\t' | b'\'' | b'"' | b'\\') {
                    j += 1;
                }
                let start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j > start {
                    let owner = out.commands.len();
                    heredocs.push((String::from_utf8_lossy(&b[start..j]).into_owned(), owner));
                }
                while j < b.len() && matches!(b[j], b'\'' | b'"') {
                    j += 1;
                }
                i = j;
            }
            b'<' if placeholder_len(&b[i..]) > 0 => {
                // `<cluster ID>`: a placeholder written in the runbook, one word with its spaces.
                let len = placeholder_len(&b[i..]);
                word.extend_from_slice(&b[i..i + len]);
                in_word = true;
                i += len;
            }
            b';' | b'|' | b'&' | b'(' | b')' | b'`' => {
                end_word(&mut words, &mut word, &mut in_word);
                end_command(&mut out, &mut words, comment);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                end_word(&mut words, &mut word, &mut in_word);
                i += 1;
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    end_word(&mut words, &mut word, &mut in_word);
    end_command(&mut out, &mut words, comment);
    out
}

/// The length of a `<placeholder words>` at the start of `b` (letters, digits, spaces, `-`,
/// `_`, `.`), or 0.
fn placeholder_len(b: &[u8]) -> usize {
    let inner = b[1..]
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'-' | b'_' | b'.'))
        .count();
    let closed = b.get(1 + inner) == Some(&b'>');
    if closed && inner > 0 && b[1].is_ascii_alphabetic() {
        inner + 2
    } else {
        0
    }
}

/// Reads the bodies of the heredocs opened on the line just ended, from `i`; gives them to the
/// commands that opened them and returns where the shell text resumes.
fn read_heredocs(
    b: &[u8],
    mut i: usize,
    heredocs: &mut Vec<(String, usize)>,
    out: &mut Split,
) -> usize {
    for (end, owner) in heredocs.drain(..) {
        let mut body = String::new();
        while i < b.len() {
            let line_end = b[i..]
                .iter()
                .position(|&x| x == b'\n')
                .map_or(b.len(), |p| i + p);
            let line = String::from_utf8_lossy(&b[i..line_end]);
            i = (line_end + 1).min(b.len());
            if line.trim() == end {
                break;
            }
            body.push_str(&line);
            body.push('\n');
        }
        if let Some(command) = out.commands.get_mut(owner) {
            command
                .heredoc
                .get_or_insert_with(String::new)
                .push_str(&body);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(code: &str) -> Vec<Vec<String>> {
        split(code).commands.into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_lists_loops_and_substitutions_outside_quotes() {
        assert_eq!(
            commands("for n in $(nodes); do kubectl drain \"$n\" 2>&1; done | tee x"),
            [
                vec!["for", "n", "in", "$"],
                vec!["nodes"],
                vec!["do", "kubectl", "drain", "$n", "2>&1"],
                vec!["done"],
                vec!["tee", "x"],
            ]
        );
        assert_eq!(
            commands("kubectl -n k-<cluster ID> rollout restart <deploy>"),
            [vec![
                "kubectl",
                "-n",
                "k-<cluster ID>",
                "rollout",
                "restart",
                "<deploy>"
            ]]
        );
        assert_eq!(
            commands("ssh h 'a; b | c' && echo \"x \\\"y\\\"\" \\\n  z"),
            [vec!["ssh", "h", "a; b | c"], vec!["echo", "x \"y\"", "z"]]
        );
    }

    #[test]
    fn comments_apply_until_a_blank_line_and_heredocs_go_to_their_command() {
        let s = split(
            "# fail over\n# to B\n./dc b\nls\n\nls\nssh h <<'EOF'\nrm -rf /x\nEOF\nls # no\n",
        );
        assert_eq!(s.comments, ["fail over to B"]);
        let at: Vec<Option<usize>> = s.commands.iter().map(|c| c.comment).collect();
        assert_eq!(at, [Some(0), Some(0), None, None, None]);
        assert_eq!(s.commands[3].heredoc.as_deref(), Some("rm -rf /x\n"));
        assert_eq!(s.commands[4].words, ["ls"]);
    }
}
