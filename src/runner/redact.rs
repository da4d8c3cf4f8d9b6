//! Streaming redaction: replaces every occurrence of a secret with `[REDACTED]`, even when an
//! occurrence is split across the chunks a command's output arrives in, or has terminal escape
//! sequences and carriage returns printed between its bytes.

use std::collections::HashMap;

/// What a redacted occurrence becomes.
pub const MARKER: &[u8] = b"[REDACTED]";

/// The most bytes skipped between two consecutive bytes of a secret: escape sequences, control
/// characters and carriage returns. `grep --color=always` puts 16 there; the bound keeps the
/// hold-back finite (a stream that never ends its escape sequence is released, not held).
pub const MAX_GAP: usize = 256;

/// Replaces secrets in a byte stream fed chunk by chunk.
///
/// Matching is on bytes, so multi-byte UTF-8 secrets work whatever the chunk boundaries.
/// Between two bytes of a secret the stream may hold what a terminal or the exports do not
/// show as text (the grammar of `gap` below): escape sequences (`grep --color` colouring a
/// match), control characters, and the `\r` a pseudo-terminal puts before each `\n`, at most
/// [`MAX_GAP`] bytes per gap. The whole span, escapes included, becomes one `[REDACTED]`: nothing the
/// exports would strip can reassemble the secret.
///
/// At each position the longest span wins; occurrences that overlap (`abcd` and `cdef` in
/// `abcdef`) are merged into one `[REDACTED]`, so no part of either leaks. Adjacent occurrences
/// (`abcabc`) give one marker each. Only a possible start of a secret is held back between
/// chunks, less than [`Redactor::max_hold_back`] bytes; [`Redactor::finish`] releases it.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, no empty ones, no duplicates.
    secrets: Vec<Vec<u8>>,
    /// Bytes that may begin a secret.
    first: Vec<bool>,
    max_len: usize,
    max_hold: usize,
    /// Held-back bytes: a possible start of a secret, not yet emitted.
    carry: Vec<u8>,
    /// How many leading bytes of `carry` are already inside an emitted marker.
    covered: usize,
    count: u64,
    scratch: Vec<u8>,
    search: Search,
}

/// What matching the secrets at one position found.
#[derive(Debug, Default, Clone, Copy)]
struct Found {
    /// Some secret may still match there once more bytes arrive.
    partial: bool,
    /// End of the longest span that matches a secret.
    end: Option<usize>,
}

/// Reused buffers of the span search (a small NFA walk: secret index × stream position).
#[derive(Debug, Clone, Default)]
struct Search {
    stack: Vec<(usize, usize, usize)>,
    /// Least gap seen at each (secret index, stream position): a larger one can do no better.
    seen: HashMap<(usize, usize), usize>,
}

impl Redactor {
    /// A redactor for `secrets`; empty ones are ignored.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<Vec<u8>> = secrets
            .into_iter()
            .map(|s| s.as_ref().as_bytes().to_vec())
            .filter(|s| !s.is_empty())
            .collect();
        list.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        list.dedup();
        let mut first = vec![false; 256];
        for s in &list {
            first[usize::from(s[0])] = true;
        }
        let max_len = list.first().map_or(0, Vec::len);
        Redactor {
            secrets: list,
            first,
            max_len,
            max_hold: max_len + max_len.saturating_sub(1) * MAX_GAP,
            ..Redactor::default()
        }
    }

    /// Whether there is nothing to redact (the stream passes through untouched).
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The longest secret's length in bytes (0 without secrets).
    pub fn max_secret_len(&self) -> usize {
        self.max_len
    }

    /// The longest span a secret can take in the stream, gaps included: fewer bytes than this
    /// are ever held back.
    pub fn max_hold_back(&self) -> usize {
        self.max_hold
    }

    /// How many `[REDACTED]` markers were emitted so far.
    pub fn redactions(&self) -> u64 {
        self.count
    }

    /// Feeds `input`; appends to `out` everything that can safely be shown now.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.secrets.is_empty() {
            out.extend_from_slice(input);
            return;
        }
        if self.carry.is_empty() {
            self.process(input, false, out);
        } else {
            let mut buf = std::mem::take(&mut self.scratch);
            buf.clear();
            buf.append(&mut self.carry);
            buf.extend_from_slice(input);
            self.process(&buf, false, out);
            self.scratch = buf;
        }
    }

    /// Ends the stream: appends the held-back bytes (redacted) to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.carry.is_empty() {
            return;
        }
        let buf = std::mem::take(&mut self.carry);
        self.process(&buf, true, out);
        self.carry.clear();
        self.covered = 0;
    }

    /// Every secret that begins at `buf[at]`, gaps allowed between its bytes.
    fn find(&mut self, buf: &[u8], at: usize) -> Found {
        let mut found = Found::default();
        let Search { stack, seen } = &mut self.search;
        for s in self.secrets.iter().filter(|s| s[0] == buf[at]) {
            stack.clear();
            seen.clear();
            // (bytes of the secret matched, stream position, gap bytes since the last match)
            stack.push((1, at + 1, 0));
            while let Some((j, p, skipped)) = stack.pop() {
                if j == s.len() {
                    found.end = found.end.max(Some(p));
                    continue;
                }
                if p == buf.len() {
                    found.partial = true;
                    continue;
                }
                let mut visit = |j: usize, p: usize, skipped: usize| {
                    let better = seen.get(&(j, p)).is_none_or(|&g| skipped < g);
                    if better {
                        seen.insert((j, p), skipped);
                        stack.push((j, p, skipped));
                    }
                };
                match gap(&buf[p..], MAX_GAP - skipped) {
                    Gap::Len(n) => visit(j, p + n, skipped + n),
                    Gap::Incomplete => found.partial = true,
                    Gap::None => {}
                }
                if buf[p] == s[j] {
                    visit(j + 1, p + 1, 0);
                }
            }
        }
        found
    }

    fn process(&mut self, buf: &[u8], last: bool, out: &mut Vec<u8>) {
        // `cover_end`: bytes before it are inside an emitted marker.
        let mut cover_end = self.covered;
        let mut i = 0;
        while i < buf.len() {
            if i >= cover_end {
                // Fast path: copy everything up to the next byte that can begin a secret.
                let skip = buf[i..]
                    .iter()
                    .position(|&b| self.first[usize::from(b)])
                    .unwrap_or(buf.len() - i);
                out.extend_from_slice(&buf[i..i + skip]);
                i += skip;
                if i >= buf.len() {
                    break;
                }
            } else if !self.first[usize::from(buf[i])] {
                i += 1;
                continue;
            }
            let found = self.find(buf, i);
            if !last && found.partial {
                break;
            }
            if let Some(end) = found.end {
                if i >= cover_end {
                    out.extend_from_slice(MARKER);
                    self.count += 1;
                }
                cover_end = cover_end.max(end);
            }
            if i >= cover_end {
                out.push(buf[i]);
            }
            i += 1;
        }
        self.carry.clear();
        self.carry.extend_from_slice(&buf[i..]);
        self.covered = cover_end.saturating_sub(i).min(self.carry.len());
    }
}

/// What starts a stretch of the stream that shows no text.
#[derive(Debug, PartialEq, Eq)]
enum Gap {
    /// Not a gap: a byte of text (or a `\n`, a tab).
    None,
    /// A complete escape sequence or control character of this many bytes.
    Len(usize),
    /// The start of one, cut by the end of the bytes we have, within the limit.
    Incomplete,
}

/// The escape sequence or control character at the start of `b`, as the exports'
/// [`crate::export::text::clean_output`] removes it (kept in step with it, so that what the
/// exports strip is exactly what matching skips): `ESC [` CSI up to a final byte `@`..`~`;
/// `ESC ]`, `P`, `X`, `^`, `_` strings up to BEL, `ESC \`, `ESC` or U+009C; `ESC` with `(`,
/// `)`, `*`, `+`, `#`, `%` and one more character; `ESC` and any other character; U+009B CSI;
/// any other C0 or C1 control character but `\n` and `\t` (so `\r` too). Longer than `limit`
/// bytes: not a gap.
fn gap(b: &[u8], limit: usize) -> Gap {
    let sized = |r: Gap| match r {
        Gap::Len(n) if n > limit => Gap::None,
        Gap::Incomplete if b.len() >= limit => Gap::None,
        r => r,
    };
    let scan_end = b.len().min(limit.saturating_add(1));
    match b[0] {
        0x1b => sized(escape(b, scan_end)),
        0xc2 => match b.get(1) {
            None => sized(Gap::Incomplete),
            Some(0x9b) => sized(csi(b, 2, scan_end)),
            Some(0x80..=0x9f) => sized(Gap::Len(2)),
            Some(_) => Gap::None,
        },
        b'\n' | b'\t' => Gap::None,
        0x00..=0x1f | 0x7f => sized(Gap::Len(1)),
        _ => Gap::None,
    }
}

fn escape(b: &[u8], end: usize) -> Gap {
    match b.get(1) {
        None => Gap::Incomplete,
        Some(b'[') => csi(b, 2, end),
        Some(b']' | b'P' | b'X' | b'^' | b'_') => string(b, 2, end),
        Some(b'(' | b')' | b'*' | b'+' | b'#' | b'%') => char_after(b, 2),
        Some(_) => char_after(b, 1),
    }
}

/// A CSI's parameters from `from`, up to its final byte.
fn csi(b: &[u8], from: usize, end: usize) -> Gap {
    match b[from.min(end)..end]
        .iter()
        .position(|c| (0x40..=0x7e).contains(c))
    {
        Some(k) => Gap::Len(from + k + 1),
        None if end < b.len() => Gap::Len(usize::MAX),
        None => Gap::Incomplete,
    }
}

/// An OSC-like string from `from`, up to BEL, U+009C, or `ESC` (with its `\` if one follows).
fn string(b: &[u8], from: usize, end: usize) -> Gap {
    let mut k = from;
    while k < end {
        match b[k] {
            0x07 => return Gap::Len(k + 1),
            0xc2 if b.get(k + 1) == Some(&0x9c) => return Gap::Len(k + 2),
            0x1b => {
                return match b.get(k + 1) {
                    None => Gap::Incomplete,
                    Some(b'\\') => Gap::Len(k + 2),
                    Some(_) => Gap::Len(k + 1),
                };
            }
            _ => k += 1,
        }
    }
    if end < b.len() {
        Gap::Len(usize::MAX)
    } else {
        Gap::Incomplete
    }
}

/// The sequence up to and including the (UTF-8) character at `at`.
fn char_after(b: &[u8], at: usize) -> Gap {
    let Some(&lead) = b.get(at) else {
        return Gap::Incomplete;
    };
    let n = match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    };
    if at + n <= b.len() {
        Gap::Len(at + n)
    } else {
        Gap::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `chunks` through a redactor and returns the text and the count.
    fn run(secrets: &[&str], chunks: &[&[u8]]) -> (String, u64) {
        let mut r = Redactor::new(secrets);
        let mut out = Vec::new();
        for c in chunks {
            r.push(c, &mut out);
        }
        r.finish(&mut out);
        (String::from_utf8(out).unwrap(), r.redactions())
    }

    /// Every way of cutting `text` in two (and into single bytes) gives the same result.
    fn all_splits(secrets: &[&str], text: &str) -> (String, u64) {
        let bytes = text.as_bytes();
        let whole = run(secrets, &[bytes]);
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(run(secrets, &[a, b]), whole, "cut at {cut}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(run(secrets, &singles), whole, "byte by byte");
        whole
    }

    #[test]
    fn no_secrets_passes_through() {
        assert_eq!(run(&[], &[b"hello", b" world"]), ("hello world".into(), 0));
        assert_eq!(run(&[""], &[b"hello"]), ("hello".into(), 0));
    }

    #[test]
    fn replaces_each_occurrence() {
        assert_eq!(
            all_splits(&["hunter2"], "pw=hunter2 again hunter2!"),
            ("pw=[REDACTED] again [REDACTED]!".into(), 2)
        );
    }

    #[test]
    fn adjacent_occurrences_get_one_marker_each() {
        assert_eq!(
            all_splits(&["abc"], "abcabc"),
            ("[REDACTED][REDACTED]".into(), 2)
        );
    }

    #[test]
    fn split_across_chunks() {
        assert_eq!(
            run(&["abcdef"], &[b"xxabc", b"def", b"yy"]),
            ("xx[REDACTED]yy".into(), 1)
        );
        assert_eq!(
            run(&["abcdef"], &[b"a", b"b", b"c", b"d", b"e", b"f"]),
            ("[REDACTED]".into(), 1)
        );
    }

    #[test]
    fn false_start_is_released() {
        assert_eq!(
            run(&["abcdef"], &[b"xxabc", b"dxx"]),
            ("xxabcdxx".into(), 0)
        );
        // Held back until the end of the stream, then released unchanged.
        let mut r = Redactor::new(["abcdef"]);
        let mut out = Vec::new();
        r.push(b"12abcd", &mut out);
        assert_eq!(out, b"12");
        r.finish(&mut out);
        assert_eq!(out, b"12abcd");
    }

    #[test]
    fn carry_is_bounded() {
        let mut r = Redactor::new(["abcdef"]);
        let mut out = Vec::new();
        for _ in 0..1000 {
            r.push(b"abcde", &mut out);
            assert!(r.carry.len() < r.max_hold_back());
        }
    }

    #[test]
    fn repeated_prefix_does_not_hide_a_match() {
        assert_eq!(all_splits(&["aab"], "aaab"), ("a[REDACTED]".into(), 1));
    }

    #[test]
    fn overlapping_secrets_are_merged() {
        assert_eq!(
            all_splits(&["abcd", "cdef"], "xabcdefx"),
            ("x[REDACTED]x".into(), 1)
        );
        assert_eq!(
            all_splits(&["abcd", "cdef"], "cdef"),
            ("[REDACTED]".into(), 1)
        );
    }

    #[test]
    fn longest_secret_wins_when_one_is_a_prefix_of_another() {
        assert_eq!(
            all_splits(&["abc", "abcdef"], "abcdef abc abcde"),
            ("[REDACTED] [REDACTED] [REDACTED]de".into(), 3)
        );
        assert_eq!(
            all_splits(&["abcdef", "abc"], "abcdefg"),
            ("[REDACTED]g".into(), 1)
        );
    }

    #[test]
    fn multi_byte_utf8() {
        assert_eq!(
            all_splits(&["pässwörd"], "ünïcode pässwörd ✓"),
            ("ünïcode [REDACTED] ✓".into(), 1)
        );
        assert_eq!(
            all_splits(&["✓"], "✓✓ ok"),
            ("[REDACTED][REDACTED] ok".into(), 2)
        );
    }

    #[test]
    fn duplicate_secrets_count_once() {
        assert_eq!(all_splits(&["tok", "tok"], "tok"), ("[REDACTED]".into(), 1));
    }

    #[test]
    fn a_multi_line_secret_is_found_after_the_terminal_turned_its_newlines_into_crlf() {
        let pem = "-----BEGIN KEY-----\nMIIEv\n-----END KEY-----";
        let printed = "key: -----BEGIN KEY-----\r\nMIIEv\r\n-----END KEY-----\r\ndone\r\n";
        assert_eq!(
            all_splits(&[pem], printed),
            ("key: [REDACTED]\r\ndone\r\n".into(), 1)
        );
        // As written too (a runner's pipe does not translate), and a `\r\n` secret as the
        // terminal prints it (`\r\r\n`).
        assert_eq!(
            all_splits(&[pem], &format!("<{pem}>")),
            ("<[REDACTED]>".into(), 1)
        );
        assert_eq!(
            all_splits(&["a\r\nb"], "x a\r\r\nb y a\r\nb"),
            ("x [REDACTED] y [REDACTED]".into(), 2)
        );
        // Only the secret's own newlines: a line break next to a one-line secret is kept.
        assert_eq!(
            all_splits(&["tok"], "tok\r\n"),
            ("[REDACTED]\r\n".into(), 1)
        );
    }

    #[test]
    fn colour_codes_inside_a_secret_are_part_of_the_span() {
        // `grep --color=always cd` on a line holding the secret `abcdef`.
        let grep = "x ab\x1b[01;31m\x1b[Kcd\x1b[m\x1b[Kef y";
        assert_eq!(all_splits(&["abcdef"], grep), ("x [REDACTED] y".into(), 1));
        // Colours around the secret stay; only those inside go with it.
        assert_eq!(
            all_splits(&["abc"], "\x1b[31mabc\x1b[0m a\x1b[1mb\x1b[0mc"),
            ("\x1b[31m[REDACTED]\x1b[0m [REDACTED]".into(), 2)
        );
    }

    #[test]
    fn every_kind_of_invisible_sequence_is_skipped_between_bytes() {
        for inside in [
            "\x1b[38;5;196m",
            "\x1b]8;;https://example.com\x1b\\",
            "\x1b]0;title\x07",
            "\x1b]0;title\u{9c}",
            "\x1b(B",
            "\x1b7",
            "\u{9b}1m",
            "\u{85}",
            "\r",
            "\r\r",
            "\x00\x7f\x08",
        ] {
            let text = format!("<ab{inside}c>");
            assert_eq!(
                all_splits(&["abc"], &text),
                ("<[REDACTED]>".into(), 1),
                "{inside:?}"
            );
        }
    }

    #[test]
    fn text_between_bytes_is_not_skipped() {
        for inside in ["\n", "\t", " ", "\x1b", "\x1b[", "\x1b]title"] {
            let text = format!("<ab{inside}c>");
            assert_eq!(all_splits(&["abc"], &text), (text.clone(), 0), "{inside:?}");
        }
    }

    #[test]
    fn a_gap_longer_than_the_limit_is_not_skipped() {
        let fits = format!("ab\x1b[{}mc", "1;".repeat((MAX_GAP - 3) / 2));
        assert!(fits.len() - 3 <= MAX_GAP);
        assert_eq!(all_splits(&["abc"], &fits).1, 1);
        let long = format!("ab\x1b[{}mc", "1;".repeat(MAX_GAP));
        assert_eq!(all_splits(&["abc"], &long), (long.clone(), 0));
        // An escape sequence that never ends is released once past the limit.
        let mut r = Redactor::new(["abc"]);
        let mut out = Vec::new();
        r.push(b"ab\x1b]", &mut out);
        assert!(out.is_empty());
        for _ in 0..MAX_GAP {
            r.push(b"x", &mut out);
        }
        assert!(out.starts_with(b"ab\x1b]x"), "{out:?}");
    }

    #[test]
    fn secrets_holding_escapes_and_returns_still_match() {
        assert_eq!(
            all_splits(&["a\x1b[0mb"], "a\x1b[31m\x1b[0mb a\x1b[0mb"),
            ("[REDACTED] [REDACTED]".into(), 2)
        );
        assert_eq!(
            all_splits(&["a\r\rb"], "a\r\r\r\r\rb"),
            ("[REDACTED]".into(), 1)
        );
    }

    #[test]
    fn the_hold_back_stays_bounded_in_a_flood_of_colour() {
        let mut r = Redactor::new(["abcdef"]);
        let mut out = Vec::new();
        for _ in 0..1000 {
            r.push(b"a\x1b[1mb\x1b[0mc\x1b[1m", &mut out);
            assert!(r.carry.len() < r.max_hold_back());
        }
        assert_eq!(r.max_hold_back(), 6 + 5 * MAX_GAP);
    }
}
