//! Reading an incident log back: every line checked (JSON, record, `hash`, `seq`, `prev`, `ts`), streamed.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use chrono::DateTime;
use sha2::{Digest, Sha256};

use super::{EMPTY_HASH, HASH_MEMBER, HASH_SUFFIX_LEN};
use crate::digest::sha256_hex;
use crate::event::{Event, Record};

/// Lines longer than this are refused (reading stops there, so memory stays bounded); the writer
/// refuses to write them. A command's output is at most 1 MiB, so real lines are far shorter.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The most of a torn tail kept as text in a [`Event::LogRepaired`] event.
const MAX_TORN_TEXT: usize = 1024 * 1024;

/// What a log holds, read up to its first problem.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingLog {
    /// The valid records, in order, up to the first problem or torn tail.
    pub records: Vec<Record>,
    /// Lines read, counting a torn tail and the line with the problem (lines after it are not read).
    pub lines: usize,
    /// Bytes of the valid lines, newlines included: where a torn tail starts.
    pub valid_len: u64,
    /// Hex sha256 of the last valid line (without its newline); of "" when there is none.
    pub last_line_hash: String,
    /// The last line when it was written partially (no newline): its raw bytes. Only that is a
    /// crash's doing: the writer ends each line with its newline in the same write.
    pub torn_tail: Option<Vec<u8>>,
    /// The first invalid line other than a torn tail (a complete line that fails a check: the
    /// log was changed or damaged after it was written); nothing after it was read.
    pub problem: Option<LogProblem>,
}

/// Why a line is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogProblem {
    /// 1-based.
    pub line: usize,
    /// 1-based, in bytes: where in the line the problem is (1 when it is the whole line).
    pub column: usize,
    /// Lowercase, values in backticks: "`seq` is 5, expected 4: a line is missing or out of order".
    pub reason: String,
}

impl ExistingLog {
    /// `Ok` when every line is valid and the chain is intact; otherwise the problem, a torn tail included.
    pub fn verdict(&self) -> Result<(), LogProblem> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        if let Some(torn) = &self.torn_tail {
            return Err(LogProblem {
                line: self.lines,
                // Where the write stopped.
                column: torn.len() + 1,
                reason: format!(
                    "the last line is torn (written partially, {} bytes): run `runbook resume` to repair it",
                    torn.len()
                ),
            });
        }
        Ok(())
    }

    /// The [`Event::LogRepaired`] to append after cutting off the torn tail, if there was one.
    pub fn repair_event(&self) -> Option<Event> {
        let torn = self.torn_tail.as_ref()?;
        let mut text = String::from_utf8_lossy(torn).into_owned();
        if text.len() > MAX_TORN_TEXT {
            let mut end = MAX_TORN_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push_str("…[cut]");
        }
        Some(Event::LogRepaired {
            torn_bytes: torn.len() as u64,
            torn_text: text,
        })
    }
}

/// Reads and checks the log at `path`; `Err` only for I/O errors, an invalid log is `Ok` with a `problem`.
pub fn read_log(path: &Path) -> io::Result<ExistingLog> {
    let file = crate::source::open_regular(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::from(io::ErrorKind::IsADirectory));
    }
    read_log_from(BufReader::with_capacity(256 * 1024, file))
}

/// Reads and checks a log from any reader, line by line.
pub fn read_log_from(mut reader: impl BufRead) -> io::Result<ExistingLog> {
    let mut log = ExistingLog {
        records: Vec::new(),
        lines: 0,
        valid_len: 0,
        last_line_hash: EMPTY_HASH.to_string(),
        torn_tail: None,
        problem: None,
    };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        log.lines += 1;
        let line = log.lines;
        let Some(content) = buf.strip_suffix(b"\n") else {
            if buf.len() > MAX_LINE_BYTES {
                log.problem = Some(LogProblem {
                    line,
                    column: MAX_LINE_BYTES + 1,
                    reason: format!(
                        "the line is longer than {} MiB",
                        MAX_LINE_BYTES / 1024 / 1024
                    ),
                });
            } else {
                log.torn_tail = Some(std::mem::take(&mut buf));
            }
            break;
        };
        match check_line(content, line, log.records.last(), &log.last_line_hash) {
            Ok(record) => {
                log.last_line_hash = sha256_hex(content);
                log.valid_len += n as u64;
                log.records.push(record);
            }
            // A complete line (it has its newline) that fails: changed or damaged, never a
            // crash, even as the last line; reading stops and nothing is cut off.
            Err(Invalid { reason, column }) => {
                log.problem = Some(LogProblem {
                    line,
                    column,
                    reason,
                });
                break;
            }
        }
    }
    if log.lines == 0 {
        log.problem = Some(LogProblem {
            line: 1,
            column: 1,
            reason: "the log is empty".into(),
        });
    }
    Ok(log)
}

/// Why a complete line fails, and where.
struct Invalid {
    reason: String,
    /// 1-based byte column.
    column: usize,
}

/// What a line that is not a record was made by.
const DAMAGED: &str = "the line was changed or damaged after it was written";

impl Invalid {
    fn at(column: usize, reason: String) -> Self {
        Invalid {
            reason,
            column: column.max(1),
        }
    }
    /// At the member `key` of the line (its first occurrence: the record's own members come
    /// before the event's), or the line's start.
    fn member(content: &[u8], key: &str, reason: String) -> Self {
        let needle = format!("\"{key}\":");
        let column = content
            .windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .map_or(1, |i| i + 1);
        Invalid::at(column, reason)
    }
}

/// Checks one line (without its newline) against the line before it.
fn check_line(
    content: &[u8],
    line: usize,
    previous: Option<&Record>,
    previous_hash: &str,
) -> Result<Record, Invalid> {
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(Invalid::at(1, format!("the line is empty: {DAMAGED}")));
    }
    let record: Record = serde_json::from_slice(content).map_err(|e| {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => &message[..i],
            None => &message,
        };
        // A first line that is no event at all: likely not a log.
        let why = if line == 1 {
            "not an incident log, or its first line was changed or damaged".to_string()
        } else {
            DAMAGED.to_string()
        };
        Invalid::at(
            e.column(),
            match e.classify() {
                serde_json::error::Category::Data => {
                    format!("not a valid event: {message}: {why}")
                }
                _ => format!("not valid JSON: {message}: {why}"),
            },
        )
    })?;
    check_hash(content)?;
    if record.v != crate::event::FORMAT_VERSION {
        return Err(Invalid::member(
            content,
            "v",
            format!(
                "`v` is {}, expected {}: an unknown version of the log format",
                record.v,
                crate::event::FORMAT_VERSION
            ),
        ));
    }
    let expected = previous.map_or(1, |p| p.seq + 1);
    if record.seq != expected {
        return Err(Invalid::member(
            content,
            "seq",
            format!(
                "`seq` is {}, expected {expected}: a line is missing or out of order",
                record.seq
            ),
        ));
    }
    if record.prev != previous_hash {
        return Err(Invalid::member(
            content,
            "prev",
            if line == 1 {
                "`prev` is not the hash of the empty string: the first line must start the chain"
                    .to_string()
            } else {
                format!(
                    "`prev` does not match the hash of line {}: the log was changed after it was written",
                    line - 1
                )
            },
        ));
    }
    if !is_timestamp(&record.ts) {
        return Err(Invalid::member(
            content,
            "ts",
            format!(
                "`ts` is `{}`, expected UTC with milliseconds like `2026-11-22T03:04:05.678Z`",
                record.ts
            ),
        ));
    }
    if line == 1 && !matches!(record.event, Event::SessionStarted { .. }) {
        return Err(Invalid::member(
            content,
            "type",
            "the first event is not `session_started`: the beginning of the log is missing".into(),
        ));
    }
    Ok(record)
}

/// The line ends with `,"hash":"<sha256 of the line before that member, plus `}`>"}`.
fn check_hash(content: &[u8]) -> Result<(), Invalid> {
    let missing = || {
        Invalid::at(
            content.len(),
            "`hash` is missing at the end of the line: the line was not written by runbook".into(),
        )
    };
    if content.len() < HASH_SUFFIX_LEN + 1 {
        return Err(missing());
    }
    let (body, suffix) = content.split_at(content.len() - HASH_SUFFIX_LEN);
    let (member, rest) = suffix.split_at(HASH_MEMBER.len());
    let (digest, end) = rest.split_at(64);
    if member != HASH_MEMBER || end != b"\"}" {
        return Err(missing());
    }
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.update(b"}");
    if crate::digest::hex(&hasher.finalize()).as_bytes() != digest {
        // At the digest.
        return Err(Invalid::at(
            content.len() - HASH_SUFFIX_LEN + HASH_MEMBER.len() + 1,
            "`hash` does not match the line: the line was changed after it was written".into(),
        ));
    }
    Ok(())
}

/// `2026-11-22T03:04:05.678Z`: RFC 3339, UTC, exactly three fractional digits.
fn is_timestamp(ts: &str) -> bool {
    let b = ts.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && DateTime::parse_from_rfc3339(ts).is_ok()
}
