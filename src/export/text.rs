//! Text helpers shared by the renderers: cleaning command output and escaping for each format.
//! Durations, times and numbers are spelled by [`crate::human`].

/// Command output as a reader should see it: ANSI escape sequences removed, `\r\n` as `\n`, a
/// line overwritten with `\r` (progress bars) kept as its last state, other control characters
/// (but tabs) dropped.
pub fn clean_output(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut line = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\n' => {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            '\r' => {
                // `\r\n` ends the line; a lone `\r` starts it over (what a terminal would show).
                while chars.peek() == Some(&'\r') {
                    chars.next();
                }
                if chars.peek() != Some(&'\n') && chars.peek().is_some() {
                    line.clear();
                }
            }
            '\t' => line.push(c),
            c if c.is_control() => {}
            c => line.push(c),
        }
    }
    out.push_str(&line);
    out
}

/// Log text on one terminal line: [`clean_output`] with newlines as spaces.
pub fn plain_line(raw: &str) -> String {
    clean_output(raw).replace('\n', " ")
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        // OSC, DCS, SOS, PM, APC: up to BEL or ST (`ESC \`).
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || c == '\u{9c}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        // Two-byte sequences with an intermediate (`ESC ( B`).
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// The first line of `s`, at most `max` characters, with `…` when cut.
pub fn one_line(s: &str, max: usize) -> String {
    let first = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let cut: String = first.chars().take(max).collect();
    if cut.len() < first.len() || s.trim().lines().count() > 1 {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_html(&mut out, s);
    out
}

/// [`html`] appended to `out`: runs of plain text are copied whole, which is most of a log.
pub fn push_html(out: &mut String, s: &str) {
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if c.is_control() && c != '\n' && c != '\t' => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(replacement);
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
}

/// Escapes text for a Markdown paragraph or table cell: markup characters backslash-escaped,
/// HTML made inert, newlines as spaces.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` as a Markdown code span, safe in a table cell (pipes escaped, one line).
pub fn md_code(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let flat = flat.replace('|', "\\|");
    let ticks = "`".repeat(longest_run(&flat, '`') + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{flat}{pad}{ticks}")
}

/// The first 8 characters of a session id.
pub fn short_session(s: &str) -> &str {
    match s.char_indices().nth(8) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Text whose `` `code` `` spans are rendered by `code` and the rest by `plain`.
pub fn code_spans(s: &str, code: fn(&str) -> String, plain: fn(&str) -> String) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { plain(part) })
        .collect()
}

/// A fenced code block holding `body` verbatim, with a fence longer than any run of backticks in it.
pub fn md_fence(lang: &str, body: &str) -> String {
    let ticks = "`".repeat((longest_run(body, '`') + 1).max(3));
    let body = body.strip_suffix('\n').unwrap_or(body);
    format!("{ticks}{lang}\n{body}\n{ticks}\n")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_loses_ansi_and_carriage_returns() {
        assert_eq!(
            clean_output("widget is down\r\n\u{1b}[31mred\u{1b}[0m\r\r\n"),
            "widget is down\nred\n"
        );
        assert_eq!(clean_output("10%\r50%\r100%\ndone"), "100%\ndone");
        assert_eq!(clean_output("\u{1b}]0;title\u{7}x\u{1b}(By"), "xy");
    }

    #[test]
    fn escaping() {
        assert_eq!(
            html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(md("a|b <i>*x*</i>"), "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt;");
        assert_eq!(md_code("a`b|c"), "``a`b\\|c``");
        assert_eq!(md_fence("", "```x```\n"), "````\n```x```\n````\n");
    }
}
