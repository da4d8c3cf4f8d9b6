//! `<words-in-angle-brackets>` that an author left for the operator to fill in.

use std::borrow::Cow;

use crate::runbook::Placeholder;

/// Lower-case HTML tags that Markdown authors write in code by habit: markup, not placeholders.
const HTML_TAGS: &[&str] = &[
    "a", "b", "br", "code", "details", "div", "em", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "td", "th", "tr",
    "tt", "u", "ul",
];

/// Longest placeholder text read as one (a longer run is prose or markup).
const MAX_LEN: usize = 64;

/// The placeholders of `code` in order, outside comments (a heredoc's text has none):
/// `<HO-ID>`, `<pool location>`. Not a heredoc `<<`, nor a redirect (`< file.txt`: a blank after `<`, or a path's `.` or `/`), nor
/// HTML (`<br>`).
pub fn find_placeholders(code: &str) -> Vec<Placeholder> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    if memchr::memchr(b'<', b).is_none() {
        return out;
    }
    let bodies = crate::runbook::heredoc_bodies(code);
    let mut body = bodies.iter().peekable();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        while body.peek().is_some_and(|h| h.end <= i) {
            body.next();
        }
        // A heredoc's text has no quote or comment in it, placeholders only.
        let text = body.peek().is_some_and(|h| h.start <= i);
        let c = b[i];
        match (text, quote, c) {
            (false, Some(q), _) if c == q => quote = None,
            (false, None | Some(b'"'), b'\\') => i += 1,
            (false, None, b'\'' | b'"') => quote = Some(c),
            (false, None, b'#') if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                // A comment: up to the end of its line.
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                continue;
            }
            (_, _, b'<') => {
                if let Some(len) = placeholder_at(b, i) {
                    let text = &code[i..i + len];
                    out.push(Placeholder {
                        text: text.to_string(),
                        variable: variable_name(&text[1..len - 1]),
                        offset: i,
                    });
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        if text {
            quote = None;
        }
        i += 1;
    }
    out
}

/// The length of the placeholder starting at `b[i] == b'<'`, if one does.
fn placeholder_at(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && matches!(b[i - 1], b'<' | b'$') {
        return None;
    }
    let rest = &b[i + 1..];
    let first = *rest.first()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let close = rest
        .iter()
        .take(MAX_LEN)
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b' ')))?;
    if rest[close] != b'>' || rest[close - 1] == b' ' {
        return None;
    }
    let inner = &rest[..close];
    if HTML_TAGS.iter().any(|t| t.as_bytes() == inner) {
        return None;
    }
    Some(close + 2)
}

/// `HO-ID` → `HO_ID`, `pool location` → `POOL_LOCATION`.
fn variable_name(inner: &str) -> String {
    let mut name = String::with_capacity(inner.len());
    for c in inner.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    name.trim_end_matches('_').to_string()
}

/// `code` with each placeholder made a plain word of the same length (`<HO-ID>` → `_HO_ID_`), so
/// that a shell grammar reads an argument, not a redirect, at the same offsets.
pub fn mask_placeholders(code: &str) -> Cow<'_, str> {
    let found = find_placeholders(code);
    if found.is_empty() {
        return Cow::Borrowed(code);
    }
    let mut bytes = code.as_bytes().to_vec();
    for p in &found {
        for b in &mut bytes[p.offset..p.offset + p.text.len()] {
            if matches!(*b, b'<' | b'>' | b'-' | b' ') {
                *b = b'_';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    Cow::Owned(String::from_utf8(bytes).expect("ASCII for ASCII keeps UTF-8 valid"))
}
