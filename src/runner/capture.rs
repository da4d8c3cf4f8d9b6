//! Bounded capture of a command's output for the log: the first and the last 512 KiB.

/// Bytes kept from the start of the output.
pub const HEAD_LIMIT: usize = 512 * 1024;
/// Bytes kept from the end of the output.
pub const TAIL_LIMIT: usize = 512 * 1024;

/// Keeps the first [`HEAD_LIMIT`] bytes and a ring of the last [`TAIL_LIMIT`] bytes, whatever
/// the total; memory stays under 1 MiB. Buffers grow on demand, so short outputs cost little.
#[derive(Debug, Clone)]
pub struct Capture {
    head: Vec<u8>,
    /// Ring buffer; once full, `tail_start` is its oldest byte.
    tail: Vec<u8>,
    tail_start: usize,
    total: u64,
    head_limit: usize,
    tail_limit: usize,
}

impl Default for Capture {
    fn default() -> Self {
        Capture::with_limits(HEAD_LIMIT, TAIL_LIMIT)
    }
}

/// What the capture kept, ready for [`crate::walk::ports::CommandOutcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Everything, or head + `\n[… N bytes omitted …]\n` + tail; lossily decoded.
    pub output: String,
    pub truncated: bool,
    pub bytes: u64,
}

impl Capture {
    /// A capture keeping `head` leading and `tail` trailing bytes (tests use small limits).
    pub fn with_limits(head: usize, tail: usize) -> Self {
        Capture {
            head: Vec::new(),
            tail: Vec::new(),
            tail_start: 0,
            total: 0,
            head_limit: head,
            tail_limit: tail,
        }
    }

    /// Total bytes seen.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn push(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.head.len() < self.head_limit {
            let n = data.len().min(self.head_limit - self.head.len());
            self.head.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        if data.is_empty() || self.tail_limit == 0 {
            return;
        }
        if data.len() >= self.tail_limit {
            self.tail.clear();
            self.tail
                .extend_from_slice(&data[data.len() - self.tail_limit..]);
            self.tail_start = 0;
            return;
        }
        // Fill up to the limit first, then overwrite the oldest bytes.
        if self.tail.len() < self.tail_limit {
            let n = data.len().min(self.tail_limit - self.tail.len());
            self.tail.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        while !data.is_empty() {
            let n = data.len().min(self.tail_limit - self.tail_start);
            self.tail[self.tail_start..self.tail_start + n].copy_from_slice(&data[..n]);
            self.tail_start = (self.tail_start + n) % self.tail_limit;
            data = &data[n..];
        }
    }

    /// The kept bytes: head, a marker if anything was dropped, tail.
    pub fn finish(self) -> Captured {
        let kept = (self.head.len() + self.tail.len()) as u64;
        let omitted = self.total - kept;
        let mut bytes = self.head;
        if omitted > 0 {
            bytes.extend_from_slice(format!("\n[… {omitted} bytes omitted …]\n").as_bytes());
        }
        bytes.extend_from_slice(&self.tail[self.tail_start..]);
        bytes.extend_from_slice(&self.tail[..self.tail_start]);
        Captured {
            output: match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            },
            truncated: omitted > 0,
            bytes: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut c = Capture::with_limits(4, 4);
        c.push(b"abc");
        c.push(b"defgh");
        let got = c.finish();
        assert_eq!(got.output, "abcdefgh");
        assert!(!got.truncated);
        assert_eq!(got.bytes, 8);
    }

    #[test]
    fn empty() {
        let got = Capture::default().finish();
        assert_eq!(
            (got.output.as_str(), got.truncated, got.bytes),
            ("", false, 0)
        );
    }

    #[test]
    fn keeps_head_and_tail_across_ring_wraps() {
        let mut c = Capture::with_limits(4, 4);
        for chunk in [&b"01234"[..], b"56", b"789", b"ab", b"c"] {
            c.push(chunk);
        }
        let got = c.finish();
        assert_eq!(got.output, "0123\n[… 5 bytes omitted …]\n9abc");
        assert!(got.truncated);
        assert_eq!(got.bytes, 13);
    }

    #[test]
    fn chunk_larger_than_the_tail() {
        let mut c = Capture::with_limits(2, 3);
        c.push(b"ab");
        c.push(b"x");
        c.push(b"0123456789");
        let got = c.finish();
        assert_eq!(got.output, "ab\n[… 8 bytes omitted …]\n789");
    }

    #[test]
    fn byte_by_byte_matches_one_push() {
        let data: Vec<u8> = (0..200u8).collect();
        let mut a = Capture::with_limits(7, 11);
        let mut b = Capture::with_limits(7, 11);
        a.push(&data);
        for byte in &data {
            b.push(std::slice::from_ref(byte));
        }
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn bounded_for_large_output() {
        let mut c = Capture::default();
        let block = vec![b'x'; 64 * 1024];
        for _ in 0..64 {
            c.push(&block);
        }
        assert!(c.head.capacity() <= HEAD_LIMIT * 2 && c.tail.capacity() <= TAIL_LIMIT * 2);
        let got = c.finish();
        assert!(got.truncated);
        assert_eq!(got.bytes, 4 * 1024 * 1024);
        let marker = format!("\n[… {} bytes omitted …]\n", 3 * 1024 * 1024);
        assert_eq!(got.output.len(), HEAD_LIMIT + TAIL_LIMIT + marker.len());
        assert!(got.output.contains(&marker));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let mut c = Capture::default();
        c.push(b"ok \xff\xfe end");
        assert_eq!(c.finish().output, "ok \u{fffd}\u{fffd} end");
    }
}
