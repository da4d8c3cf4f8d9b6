//! A log's head: `seq` and hash of its last line, printed at each session end and proven by `verify --head`.
//!
//! The hash is the sha256 of the line's bytes (without its newline): the `prev` the next line
//! carries. A head written down elsewhere (a ticket, a chat, a signature) pins the log: a log cut
//! before it, or rewritten with every hash recomputed, no longer reaches it.

use std::fmt;
use std::str::FromStr;

use super::ExistingLog;

/// `seq:hash` of one line of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    /// Lowercase hex sha256 of the line without its newline.
    pub hash: String,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// A `--head` value that is not `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a log head: expected SEQ:HASH, an event number and 64 hex digits, as a walk prints it (`log head: 42:9f3c…`)"
)]
pub struct HeadSyntax(pub String);

impl FromStr for Head {
    type Err = HeadSyntax;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HeadSyntax(s.to_string());
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: u64 = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if seq == 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Head { seq, hash })
    }
}

/// Why a log does not reach a head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error(
        "the log ends at event {last}, before the head {head}: its last {} event(s) were dropped or never written",
        head.seq - last
    )]
    Short { last: u64, head: Head },
    #[error("line {line} is invalid, before the head {head}: {reason}")]
    Broken {
        line: usize,
        reason: String,
        head: Head,
    },
    #[error(
        "event {} has hash `{found}`, not the head's `{}`: the log was rewritten up to there (events changed and the chain recomputed), or the head is another log's",
        head.seq,
        head.hash
    )]
    Rewritten { found: String, head: Head },
}

/// The head of a log as read: its last valid line; `None` for a log with no valid line.
pub fn head_of(log: &ExistingLog) -> Option<Head> {
    log.records.last().map(|last| Head {
        seq: last.seq,
        hash: log.last_line_hash.clone(),
    })
}

/// Whether `log` reaches `head` through an intact chain; `Ok(n)`: `n` events follow the head.
pub fn reaches(log: &ExistingLog, head: &Head) -> Result<usize, HeadError> {
    let valid = log.records.len() as u64;
    if valid < head.seq {
        // A problem before the head (torn tails included) is what cut the chain short.
        if let Some(problem) = log.verdict().err()
            && (problem.line as u64) <= head.seq
        {
            return Err(HeadError::Broken {
                line: problem.line,
                reason: problem.reason,
                head: head.clone(),
            });
        }
        return Err(HeadError::Short {
            last: valid,
            head: head.clone(),
        });
    }
    // Line `seq + 1` carries the hash of line `seq` as its `prev`, checked by the reader.
    let found = if valid == head.seq {
        log.last_line_hash.clone()
    } else {
        log.records[head.seq as usize].prev.clone()
    };
    if found != head.hash {
        return Err(HeadError::Rewritten {
            found,
            head: head.clone(),
        });
    }
    Ok((valid - head.seq) as usize)
}

/// The statement a signature covers, written beside the log as `LOG.head`: plain text a
/// reviewer can read, naming the log file, the session that ended and the head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadStatement {
    /// The log's file name (no directory: the pair moves with the log).
    pub log: String,
    pub session: String,
    pub head: Head,
}

const STATEMENT_TITLE: &str = "runbook incident log head";

impl HeadStatement {
    pub fn render(&self) -> String {
        format!(
            "{STATEMENT_TITLE}\nlog: {}\nsession: {}\nseq: {}\nhash: {}\n",
            self.log, self.session, self.head.seq, self.head.hash
        )
    }

    /// Reads a statement back; `None` when it is not one.
    pub fn parse(text: &str) -> Option<HeadStatement> {
        let mut lines = text.lines();
        if lines.next()? != STATEMENT_TITLE {
            return None;
        }
        let mut field = |name: &str| {
            lines
                .next()?
                .strip_prefix(name)?
                .strip_prefix(": ")
                .map(str::to_string)
        };
        let log = field("log")?;
        let session = field("session")?;
        let seq = field("seq")?;
        let hash = field("hash")?;
        let head = format!("{seq}:{hash}").parse().ok()?;
        Some(HeadStatement { log, session, head })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_as_printed_and_nothing_else() {
        let hash = "ab".repeat(32);
        let head: Head = format!("42:{hash}").parse().unwrap();
        assert_eq!(head.to_string(), format!("42:{hash}"));
        for bad in [
            "42",
            "x:ab",
            &format!("0:{hash}"),
            "42:abc",
            &format!("42:{}", "g".repeat(64)),
        ] {
            assert!(bad.parse::<Head>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_statement_reads_back() {
        let s = HeadStatement {
            log: "20261203T101100Z-rb.jsonl".into(),
            session: "s1".into(),
            head: Head {
                seq: 7,
                hash: "cd".repeat(32),
            },
        };
        assert_eq!(HeadStatement::parse(&s.render()), Some(s.clone()));
        assert_eq!(
            HeadStatement::parse(&s.render().replace("seq: 7", "seq: x")),
            None
        );
    }
}
