//! Which streams of a shared incident make one log (pure): a resumed walk writes a new session
//! into the same file, so its stream continues the stream of the session before it, and its
//! first line's `prev` is the hash of that stream's last line. Joined streams are read back
//! with the incident log's own reader, so the chain is checked exactly as `verify` checks a file.

use serde::Deserialize;

use super::reader::Stream;
use crate::digest::sha256_hex;
use crate::incident_log::{ExistingLog, read_log_from};

/// One log file's worth of streams, joined in order and checked.
#[derive(Debug)]
pub struct JoinedLog {
    /// The stream names, first to last, joined by ` + `: the log's name in exports.
    pub label: String,
    pub streams: Vec<String>,
    pub log: ExistingLog,
}

/// What is wrong with one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    pub stream: String,
    pub why: Why,
    /// Lowercase, values in backticks.
    pub reason: String,
}

/// The kinds of incompleteness, so a live view can leave out the one it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The stream holds no event.
    Empty,
    /// It continues no other stream and does not start at `seq` 1.
    NoBeginning,
    /// A line is missing, out of order, changed, or not a record.
    Broken,
    /// Its last event is no session end: still running, or its end never arrived.
    Unfinished,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stream `{}` is incomplete: {}", self.stream, self.reason)
    }
}

/// The incident's logs and the problems of its streams.
#[derive(Debug)]
pub struct Joined {
    pub logs: Vec<JoinedLog>,
    pub incomplete: Vec<Incomplete>,
    /// Lines a stream held twice (same bytes), kept once; a note, not a loss.
    pub duplicates: Vec<(String, usize)>,
}

/// The members of a line this module needs; the reader checks the rest.
#[derive(Deserialize)]
struct Envelope {
    seq: u64,
    prev: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn envelope(line: &str) -> Option<Envelope> {
    serde_json::from_str(line).ok()
}

/// A stream's lines in `seq` order (CloudWatch orders by timestamp, and a clock may step back),
/// a repeated line kept once.
fn ordered(stream: &Stream) -> (Vec<&str>, usize) {
    let mut lines: Vec<&str> = stream.lines.iter().map(String::as_str).collect();
    let seqs: Option<Vec<u64>> = lines.iter().map(|l| envelope(l).map(|e| e.seq)).collect();
    if let Some(seqs) = seqs {
        let mut pairs: Vec<(u64, &str)> = seqs.into_iter().zip(lines).collect();
        pairs.sort_by_key(|(s, _)| *s);
        lines = pairs.into_iter().map(|(_, l)| l).collect();
    }
    let before = lines.len();
    lines.dedup();
    let dropped = before - lines.len();
    (lines, dropped)
}

/// Joins the streams into logs and checks each; every stream is in at least one log.
pub fn join(streams: &[Stream]) -> Joined {
    let ordered: Vec<(Vec<&str>, usize)> = streams.iter().map(ordered).collect();
    let duplicates = streams
        .iter()
        .zip(&ordered)
        .filter(|(_, (_, d))| *d > 0)
        .map(|(s, (_, d))| (s.name.clone(), *d))
        .collect();
    let lines: Vec<&Vec<&str>> = ordered.iter().map(|(l, _)| l).collect();
    let last_hash: Vec<Option<String>> = lines
        .iter()
        .map(|l| l.last().map(|last| sha256_hex(last.as_bytes())))
        .collect();
    let first: Vec<Option<Envelope>> = lines
        .iter()
        .map(|l| l.first().and_then(|f| envelope(f)))
        .collect();
    // The stream each continues: the one whose last line its first line chains to.
    let before: Vec<Option<usize>> = (0..streams.len())
        .map(|j| {
            let prev = &first[j].as_ref()?.prev;
            (0..streams.len()).find(|&i| i != j && last_hash[i].as_deref() == Some(prev.as_str()))
        })
        .collect();
    let continued: Vec<bool> = (0..streams.len())
        .map(|i| before.contains(&Some(i)))
        .collect();
    let mut incomplete: Vec<Incomplete> = Vec::new();
    let mut say = |stream: &str, why: Why, reason: String| {
        let item = Incomplete {
            stream: stream.to_string(),
            why,
            reason,
        };
        if !incomplete.contains(&item) {
            incomplete.push(item);
        }
    };
    let mut logs = Vec::new();
    // One log per stream nobody continues, back to the stream that continues none.
    for leaf in (0..streams.len()).filter(|&i| !continued[i]) {
        let mut path = vec![leaf];
        while let Some(b) = before[*path.last().unwrap_or(&leaf)] {
            if path.contains(&b) {
                break;
            }
            path.push(b);
        }
        path.reverse();
        let head = path[0];
        if lines[head].is_empty() {
            say(&streams[head].name, Why::Empty, "it holds no event".into());
            continue;
        }
        if let Some(e) = &first[head]
            && e.seq != 1
        {
            say(
                &streams[head].name,
                Why::NoBeginning,
                format!(
                    "it starts at `seq` {} and continues no other stream: its beginning is missing",
                    e.seq
                ),
            );
        }
        let mut text = String::new();
        // Line number (1-based) where each stream of the path starts in `text`.
        let mut starts = Vec::with_capacity(path.len());
        let mut line = 1;
        for &i in &path {
            starts.push(line);
            for l in lines[i] {
                text.push_str(l);
                text.push('\n');
            }
            line += lines[i].len();
        }
        let Ok(log) = read_log_from(text.as_bytes()) else {
            continue;
        };
        if let Some(problem) = &log.problem {
            let at = starts.iter().rposition(|&s| s <= problem.line).unwrap_or(0);
            let stream_line = problem.line - starts[at] + 1;
            // A stream that continues nothing and lacks its start has been said already.
            let said = at == 0 && first[head].as_ref().is_some_and(|e| e.seq != 1);
            if !said {
                say(
                    &streams[path[at]].name,
                    Why::Broken,
                    format!("line {stream_line} of the stream: {}", problem.reason),
                );
            }
        } else if let Some(last) = lines[leaf].last() {
            let end = envelope(last);
            let kind = end.as_ref().and_then(|e| e.kind.as_deref()).unwrap_or("");
            if !matches!(kind, "session_finished" | "session_paused") {
                say(
                    &streams[leaf].name,
                    Why::Unfinished,
                    format!(
                        "its last event is `{kind}` (`seq` {}), no session end: the walk is still running, or its end was never shipped",
                        end.as_ref().map_or(0, |e| e.seq)
                    ),
                );
            }
        }
        let names: Vec<String> = path.iter().map(|&i| streams[i].name.clone()).collect();
        logs.push(JoinedLog {
            label: names.join(" + "),
            streams: names,
            log,
        });
    }
    Joined {
        logs,
        incomplete,
        duplicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(name: &str, lines: &[&str]) -> Stream {
        Stream {
            name: format!("INC-1/{name}"),
            session: name.into(),
            lines: lines.iter().map(|l| (*l).to_string()).collect(),
        }
    }

    #[test]
    fn lines_are_put_in_seq_order_and_a_repeated_line_is_kept_once() {
        let s = stream(
            "a",
            &[
                r#"{"seq":2,"prev":"x"}"#,
                r#"{"seq":1,"prev":"y"}"#,
                r#"{"seq":2,"prev":"x"}"#,
            ],
        );
        let (lines, dropped) = ordered(&s);
        assert_eq!(
            lines,
            [r#"{"seq":1,"prev":"y"}"#, r#"{"seq":2,"prev":"x"}"#]
        );
        assert_eq!(dropped, 1);
    }

    #[test]
    fn an_empty_stream_and_a_stream_of_garbage_are_each_said_by_name() {
        let joined = join(&[stream("empty", &[]), stream("junk", &["not json"])]);
        assert_eq!(joined.incomplete.len(), 2, "{:?}", joined.incomplete);
        assert_eq!(joined.incomplete[0].why, Why::Empty);
        assert_eq!(
            joined.incomplete[0].to_string(),
            "stream `INC-1/empty` is incomplete: it holds no event"
        );
        assert_eq!(joined.incomplete[1].why, Why::Broken);
        assert!(
            joined.incomplete[1]
                .reason
                .starts_with("line 1 of the stream: not valid JSON"),
            "{}",
            joined.incomplete[1].reason
        );
        // The junk stream is still a log (with no record), so exports say what it held.
        assert_eq!(joined.logs.len(), 1);
        assert_eq!(joined.logs[0].label, "INC-1/junk");
    }
}
