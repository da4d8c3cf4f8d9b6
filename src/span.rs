//! Source positions: byte ranges with the 1-based line and column users see.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

/// A range of bytes in a runbook file, with the line and column of its start.
///
/// Columns count characters, not bytes, so that editors land on the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    pub line: u32,
    pub column: u32,
}

impl Span {
    /// A span covering the first byte of the file, for diagnostics about the whole file.
    pub const FILE: Span = Span {
        start: 0,
        end: 0,
        line: 1,
        column: 1,
    };
}

/// Maps byte offsets to lines and columns for one text.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// The line of the last lookup. The parser asks about offsets in nearly ascending order, so
    /// checking this line and the next one first skips most binary searches. Only a hint:
    /// relaxed atomics keep the index `Sync` and cost a plain load and store.
    last_line: AtomicUsize,
}

impl Clone for LineIndex<'_> {
    fn clone(&self) -> Self {
        LineIndex {
            text: self.text,
            line_starts: self.line_starts.clone(),
            last_line: AtomicUsize::new(self.last_line.load(Ordering::Relaxed)),
        }
    }
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            text,
            line_starts,
            last_line: AtomicUsize::new(0),
        }
    }

    /// The span of `start..end`, clamped into the text and onto char boundaries.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(self.text, start.min(self.text.len()));
        let end = floor_char_boundary(self.text, end.clamp(start, self.text.len()));
        let line = self.line_of(start);
        let line_start = self.line_starts[line];
        let prefix = &self.text[line_start..start];
        // Most lines are ASCII, where bytes are characters; counting chars is the slow path.
        let column = if prefix.is_ascii() {
            prefix.len()
        } else {
            prefix.chars().count()
        } + 1;
        Span {
            start,
            end,
            line: to_u32(line + 1),
            column: to_u32(column),
        }
    }

    /// Byte offset where 0-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// 0-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let holds = |line: usize| {
            self.line_starts.get(line).is_some_and(|&s| s <= offset)
                && self
                    .line_starts
                    .get(line + 1)
                    .is_none_or(|&next| offset < next)
        };
        let hint = self.last_line.load(Ordering::Relaxed);
        let line = if holds(hint) {
            hint
        } else if holds(hint + 1) {
            hint + 1
        } else {
            // Usually a few lines from the hint: search a window that doubles away from it
            // rather than the whole file (fewer, nearby reads).
            let starts = &self.line_starts;
            let (mut lo, mut hi) = (0, starts.len());
            let mut width = 4;
            if starts.get(hint).is_some_and(|&s| s <= offset) {
                lo = hint;
                while lo + width < starts.len() && starts[lo + width] <= offset {
                    lo += width;
                    width *= 2;
                }
                hi = (lo + width).min(starts.len());
            } else if hint < starts.len() {
                hi = hint;
                while hi > width && starts[hi - width] > offset {
                    hi -= width;
                    width *= 2;
                }
                lo = hi.saturating_sub(width);
            }
            lo + starts[lo..hi].partition_point(|&s| s <= offset) - 1
        };
        self.last_line.store(line, Ordering::Relaxed);
        line
    }

    /// The text of 0-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_of_agrees_with_a_plain_search_from_any_hint() {
        let text: String = (0..300)
            .map(|i| format!("{}\n", "x".repeat(i % 7)))
            .collect();
        let index = LineIndex::new(&text);
        let plain = |offset: usize| text[..offset].matches('\n').count();
        for hint_offset in [0, 1, 50, 400, 900, text.len() - 1, text.len()] {
            for offset in (0..=text.len()).step_by(13).chain([text.len()]) {
                index.line_of(hint_offset);
                assert_eq!(index.line_of(offset), plain(offset), "offset {offset}");
            }
        }
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_chars() {
        let index = LineIndex::new("ab\ncé d\n");
        assert_eq!(index.span(0, 1).line, 1);
        let s = index.span(7, 8);
        assert_eq!((s.line, s.column), (2, 4));
        assert_eq!(index.line_text(1), "cé d");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let index = LineIndex::new("abc");
        let s = index.span(10, 20);
        assert_eq!((s.start, s.end, s.line, s.column), (3, 3, 1, 4));
    }
}
