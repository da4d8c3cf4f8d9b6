//! Streaming redaction: replaces every occurrence of a secret with `[REDACTED]`, even when an
//! occurrence is split across the chunks a command's output arrives in.

/// What a redacted occurrence becomes.
pub const MARKER: &[u8] = b"[REDACTED]";

/// Replaces secrets in a byte stream fed chunk by chunk.
///
/// Matching is on bytes, so multi-byte UTF-8 secrets work whatever the chunk boundaries.
/// At each position the longest secret wins; occurrences that overlap (`abcd` and `cdef` in
/// `abcdef`) are merged into one `[REDACTED]`, so no part of either leaks. Adjacent occurrences
/// (`abcabc`) give one marker each. At most `longest secret - 1` bytes are held back between
/// chunks (a possible start of a secret); [`Redactor::finish`] releases them.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, no empty ones, no duplicates.
    secrets: Vec<Vec<u8>>,
    /// Bytes that may begin a secret.
    first: Vec<bool>,
    max_len: usize,
    /// Held-back bytes: a possible start of a secret, not yet emitted.
    carry: Vec<u8>,
    /// How many leading bytes of `carry` are already inside an emitted marker.
    covered: usize,
    count: u64,
    scratch: Vec<u8>,
}

impl Redactor {
    /// A redactor for `secrets`; empty ones are ignored.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list: Vec<Vec<u8>> = Vec::new();
        for secret in secrets {
            let bytes = secret.as_ref().as_bytes();
            if bytes.is_empty() {
                continue;
            }
            // A pseudo-terminal prints every `\n` as `\r\n` (ONLCR): a multi-line secret (a PEM
            // key, JSON credentials) reaches us in that form, so it is matched in both.
            if bytes.contains(&b'\n') {
                list.push(crlf(bytes));
            }
            list.push(bytes.to_vec());
        }
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

    /// Longest secret matching entirely at the start of `rest`.
    fn full_match(&self, rest: &[u8]) -> Option<usize> {
        self.secrets
            .iter()
            .find(|s| rest.starts_with(s))
            .map(Vec::len)
    }

    /// Whether `rest` (the end of what we have) is a proper prefix of some secret.
    fn partial_match(&self, rest: &[u8]) -> bool {
        self.secrets
            .iter()
            .any(|s| s.len() > rest.len() && s.starts_with(rest))
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
            let rest = &buf[i..];
            if !last && rest.len() < self.max_len && self.partial_match(rest) {
                break;
            }
            if let Some(len) = self.full_match(rest) {
                if i >= cover_end {
                    out.extend_from_slice(MARKER);
                    self.count += 1;
                }
                cover_end = cover_end.max(i + len);
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

/// `bytes` as a terminal in its default mode prints them: each `\n` becomes `\r\n`.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
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
            assert!(r.carry.len() < r.max_secret_len());
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
}
