//! A `<placeholder>` in a command, and the command text with values in their place.

use serde::Serialize;

/// A `<words-in-angle-brackets>` argument of a command: a value the operator is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// As written, brackets included: `<HO-ID>`.
    pub text: String,
    /// The session variable that holds its value: `HO_ID`.
    pub variable: String,
    /// Byte offset of its `<` in the command's code.
    pub offset: usize,
}

/// The body of a heredoc in a command's code: the bytes `start..end` (its lines, not the
/// delimiter's), and whether the delimiter was quoted (`<<'EOF'`: nothing in it is expanded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeredocBody {
    pub start: usize,
    pub end: usize,
    pub quoted: bool,
}

/// The heredoc bodies of `code`, in order. Their text is not shell syntax: a `'` or a `#` in
/// it opens no quote and no comment. A body left unterminated runs to the end of the code.
pub fn heredoc_bodies(code: &str) -> Vec<HeredocBody> {
    let mut bodies = Vec::new();
    // Heredocs opened on the current command line, waiting for their bodies: (word, quoted, `<<-`).
    let mut pending: std::collections::VecDeque<(String, bool, bool)> = Default::default();
    let mut body_start = 0;
    let mut at = 0;
    for line in code.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let text = line.strip_suffix('\n').unwrap_or(line);
        if let Some((word, quoted, tabs)) = pending.front() {
            let candidate = if *tabs {
                text.trim_start_matches('\t')
            } else {
                text
            };
            if candidate == word {
                bodies.push(HeredocBody {
                    start: body_start,
                    end: start,
                    quoted: *quoted,
                });
                pending.pop_front();
                body_start = at;
            }
            continue;
        }
        pending.extend(heredocs_opened(text));
        body_start = at;
    }
    if let Some((_, quoted, _)) = pending.front() {
        bodies.push(HeredocBody {
            start: body_start,
            end: code.len(),
            quoted: *quoted,
        });
    }
    bodies
}

/// The heredocs a command line opens, outside quotes and comments: (delimiter, quoted, `<<-`).
fn heredocs_opened(line: &str) -> Vec<(String, bool, bool)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None | Some(b'"'), b'\\') => i += 1,
            (None, b'\'' | b'"') => quote = Some(c),
            (None, b'#') if i == 0 || matches!(b[i - 1], b' ' | b'\t') => break,
            (None, b'<') if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                i += 2;
                let tabs = b.get(i) == Some(&b'-');
                if tabs {
                    i += 1;
                }
                while matches!(b.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                let mut word = String::new();
                let mut quoted = false;
                let mut in_quote: Option<u8> = None;
                while let Some(&w) = b.get(i) {
                    match (in_quote, w) {
                        (Some(q), _) if w == q => in_quote = None,
                        (Some(_), _) => word.push(w as char),
                        (None, b'\'' | b'"') => {
                            quoted = true;
                            in_quote = Some(w);
                        }
                        (None, b'\\') => {
                            quoted = true;
                            if let Some(&n) = b.get(i + 1) {
                                word.push(n as char);
                                i += 1;
                            }
                        }
                        (None, b' ' | b'\t' | b';' | b'|' | b'&' | b'<' | b'>' | b'(' | b')') => {
                            break;
                        }
                        (None, _) => word.push(w as char),
                    }
                    i += 1;
                }
                if !word.is_empty() {
                    out.push((word, quoted, tabs));
                }
                continue;
            }
            (None, b'<') if b.get(i + 1) == Some(&b'<') => {
                // `<<<`: a here-string, no body.
                i += 3;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `code` with each placeholder replaced by its value, quoted for where it stands (unquoted,
/// in single or in double quotes, in a heredoc's body), so the shell reads the value as one
/// word, never as syntax, and a heredoc gets the value itself. `None` when a placeholder has no
/// value, or an empty one, or a value that would end its heredoc (a line that is the
/// delimiter): such a command must not run.
pub fn fill_placeholders(
    code: &str,
    placeholders: &[Placeholder],
    value: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let b = code.as_bytes();
    let bodies = heredoc_bodies(code);
    let mut body = bodies.iter().peekable();
    let mut out = String::with_capacity(code.len());
    let mut quote: Option<u8> = None;
    let mut at = 0;
    let mut next = placeholders.iter().peekable();
    let mut i = 0;
    while i < b.len() {
        while body.peek().is_some_and(|h| h.end <= i) {
            body.next();
        }
        let inside = body.peek().filter(|h| h.start <= i && i < h.end);
        if let Some(p) = next.peek()
            && p.offset == i
        {
            let v = value(&p.variable).filter(|v| !v.is_empty())?;
            out.push_str(&code[at..i]);
            match inside {
                Some(h) => {
                    if v.contains('\n') && !heredoc_safe(&v, code, h) {
                        return None;
                    }
                    out.push_str(&in_heredoc(&v, h.quoted));
                }
                None => out.push_str(&quoted(&v, quote)),
            }
            i += p.text.len();
            at = i;
            next.next();
            continue;
        }
        if inside.is_some() {
            // A heredoc's text: no quotes open or close in it.
            quote = None;
            i += 1;
            continue;
        }
        let c = b[i];
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None | Some(b'"'), b'\\') => i += 1,
            (None, b'\'' | b'"') => quote = Some(c),
            _ => {}
        }
        i += 1;
    }
    if next.peek().is_some() {
        return None; // an offset that is not in the code: never run a half-filled command
    }
    out.push_str(&code[at.min(code.len())..]);
    Some(out)
}

/// Whether `value`, put in the heredoc `h` of `code`, leaves no line that is its delimiter.
fn heredoc_safe(value: &str, code: &str, h: &HeredocBody) -> bool {
    if h.end == code.len() {
        return true; // unterminated: nothing can end it early
    }
    // The delimiter line is the one right after the body.
    let delimiter = code[h.end..]
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_start_matches('\t');
    value
        .split('\n')
        .all(|line| line.trim_start_matches('\t') != delimiter)
}

/// A value in a heredoc's body: as it is when the delimiter was quoted; else with `\`, `$` and
/// `` ` `` escaped, the characters bash still reads there (quotes are plain text in a heredoc).
fn in_heredoc(value: &str, raw: bool) -> String {
    if raw {
        return value.to_string();
    }
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '$' | '`') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

fn quoted(value: &str, quote: Option<u8>) -> String {
    match quote {
        Some(b'\'') => value.replace('\'', r"'\''"),
        Some(_) => {
            let mut s = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    s.push('\\');
                }
                s.push(c);
            }
            s
        }
        None if !value.is_empty()
            && value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&c)) =>
        {
            value.to_string()
        }
        None => format!("'{}'", value.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str, variable: &str, offset: usize) -> Placeholder {
        Placeholder {
            text: text.into(),
            variable: variable.into(),
            offset,
        }
    }

    #[test]
    fn heredoc_bodies_are_found_with_their_quoting() {
        let code = "cat <<EOF >f\nhost <HOST>\nEOF\ncat <<-'END' <<<x\n\tit's\n\tEND\necho \"<<NO\" # <<NOR\ncat <<A <<\"B\"\na\nA\nb\nB\ncat <<LAST\nopen";
        let bodies = heredoc_bodies(code);
        let text: Vec<(&str, bool)> = bodies
            .iter()
            .map(|h| (&code[h.start..h.end], h.quoted))
            .collect();
        assert_eq!(
            text,
            [
                ("host <HOST>\n", false),
                ("\tit's\n", true),
                ("a\n", false),
                ("b\n", true),
                ("open", false),
            ]
        );
    }

    #[test]
    fn a_value_in_a_heredoc_is_itself_and_a_quote_there_opens_nothing() {
        let code = "cat <<EOF >motd\nDon't restart <HOST> ($HOME)\nEOF\nssh <HOST> uptime\ncat <<'RAW'\n<HOST>\nRAW";
        let at = |n: usize| code.match_indices("<HOST>").nth(n).unwrap().0;
        let ps = [
            p("<HOST>", "HOST", at(0)),
            p("<HOST>", "HOST", at(1)),
            p("<HOST>", "HOST", at(2)),
        ];
        let filled = fill_placeholders(code, &ps, |_| Some("db 1 'a' $x`y`\\".into())).unwrap();
        assert_eq!(
            filled,
            "cat <<EOF >motd\nDon't restart db 1 'a' \\$x\\`y\\`\\\\ ($HOME)\nEOF\nssh 'db 1 '\\''a'\\'' $x`y`\\' uptime\ncat <<'RAW'\ndb 1 'a' $x`y`\\\nRAW"
        );
        // A value with a line that is the delimiter would end the heredoc: never run.
        assert_eq!(
            fill_placeholders(code, &ps[..1], |_| Some("x\nEOF\nrm -rf /".into())),
            None
        );
        assert!(fill_placeholders(code, &ps[..1], |_| Some("two\nlines".into())).is_some());
    }

    #[test]
    fn values_are_quoted_for_where_they_stand() {
        let code = r#"rmht verify <HO-ID> '<HO-ID>' "<HO-ID>""#;
        let ps = [
            p("<HO-ID>", "HO_ID", 12),
            p("<HO-ID>", "HO_ID", 21),
            p("<HO-ID>", "HO_ID", 31),
        ];
        let filled = fill_placeholders(code, &ps, |_| Some("a b'$x".into())).unwrap();
        assert_eq!(filled, r#"rmht verify 'a b'\''$x' 'a b'\''$x' "a b'\$x""#);
        let plain = fill_placeholders(code, &ps[..1], |_| Some("ho-123".into())).unwrap();
        assert!(plain.starts_with("rmht verify ho-123 '"), "{plain}");
    }

    #[test]
    fn an_unfilled_placeholder_gives_no_command() {
        let ps = [p("<HO-ID>", "HO_ID", 5)];
        assert_eq!(fill_placeholders("echo <HO-ID>", &ps, |_| None), None);
        assert_eq!(
            fill_placeholders("echo <HO-ID>", &ps, |_| Some(String::new())),
            None
        );
    }
}
