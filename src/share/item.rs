//! One log line on its way to CloudWatch Logs: its `seq`, its time and its exact bytes.

/// A line as shipped: the message is the log line byte for byte, without its newline; the
/// CloudWatch timestamp is the line's `ts` in epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub seq: u64,
    pub ts_millis: i64,
    pub message: String,
}

impl Item {
    /// The item for a line as the log wrote it (newline included) with the `seq` and `ts` of its
    /// record. A `ts` that does not parse (never written so) ships at time 0, which CloudWatch
    /// rejects as too old: reported, never silently dropped.
    pub fn from_line(seq: u64, ts: &str, mut line: Vec<u8>) -> Item {
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let message = match String::from_utf8(line) {
            Ok(s) => s,
            // The writer encodes JSON, which is UTF-8; keep going rather than panic if not.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Item {
            seq,
            ts_millis: millis(ts).unwrap_or(0),
            message,
        }
    }

    /// Bytes PutLogEvents counts for this event: the message's UTF-8 bytes and 26 more.
    pub fn cost(&self) -> usize {
        self.message.len() + super::batch::EVENT_OVERHEAD
    }
}

/// `2026-11-22T03:04:05.678Z` as epoch milliseconds.
pub fn millis(ts: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// The `seq` of a shipped message (a log line), read back from a stream.
pub fn seq_of(message: &str) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_str::<Seq>(message).ok().map(|s| s.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_ships_without_its_newline_at_its_own_time() {
        let line = br#"{"v":1,"seq":7,"ts":"2026-11-22T03:04:05.678Z"}"#.to_vec();
        let mut with_newline = line.clone();
        with_newline.push(b'\n');
        let item = Item::from_line(7, "2026-11-22T03:04:05.678Z", with_newline);
        assert_eq!(item.message.as_bytes(), &line[..]);
        assert_eq!(item.ts_millis, 1_795_316_645_678);
        assert_eq!(seq_of(&item.message), Some(7));
        assert_eq!(item.cost(), line.len() + 26);
    }
}
