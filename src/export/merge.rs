//! Which events of several logs are the same events given twice (pure).
//!
//! A line's hash covers its `prev`, so two logs with the same line hash at the same `seq` hold the
//! same lines up to it: one log given twice, a log and its resumed copy (the copy holds the
//! original's lines plus more), or two copies resumed separately (a fork). Shared events are kept
//! once, under the first log that has them.

use super::model::LoadedLog;
use crate::human;

/// The shared prefixes of every pair of logs.
pub struct Shared {
    /// Records of each log.
    pub lens: Vec<usize>,
    /// Each record's `seq`, per log.
    pub seqs: Vec<Vec<u64>>,
    /// `common[a][b]`: how many leading records logs `a` and `b` share.
    common: Vec<Vec<usize>>,
    /// Leading records of each log already given by an earlier log (kept there, not here).
    pub len: Vec<usize>,
    /// The session ids of each log's leading records, in order, with how many records they span.
    sessions: Vec<Vec<(String, usize)>>,
}

impl Shared {
    pub fn new(logs: &[LoadedLog]) -> Self {
        // A record is known by its `seq` and the hash of its line: the next line's `prev`, or the
        // log's last line hash for the last one. No hash (a log built by hand): never shared.
        let ids: Vec<Vec<(u64, &str)>> = logs
            .iter()
            .map(|l| {
                let r = &l.log.records;
                (0..r.len())
                    .map(|i| {
                        let hash = match r.get(i + 1) {
                            Some(next) => next.prev.as_str(),
                            None => l.log.last_line_hash.as_str(),
                        };
                        (r[i].seq, hash)
                    })
                    .collect()
            })
            .collect();
        let n = logs.len();
        let mut common = vec![vec![0; n]; n];
        for a in 0..n {
            for b in a + 1..n {
                let c = ids[a]
                    .iter()
                    .zip(&ids[b])
                    .take_while(|(x, y)| x == y && !x.1.is_empty())
                    .count();
                common[a][b] = c;
                common[b][a] = c;
            }
        }
        let len = (0..n)
            .map(|a| (0..a).map(|b| common[a][b]).max().unwrap_or(0))
            .collect();
        let sessions = logs
            .iter()
            .map(|l| {
                let mut out: Vec<(String, usize)> = Vec::new();
                for (i, r) in l.log.records.iter().enumerate() {
                    match out.last_mut() {
                        Some((s, end)) if *s == r.session => *end = i + 1,
                        _ => out.push((r.session.clone(), i + 1)),
                    }
                }
                out
            })
            .collect();
        Shared {
            lens: logs.iter().map(|l| l.log.records.len()).collect(),
            seqs: ids
                .iter()
                .map(|v| v.iter().map(|(s, _)| *s).collect())
                .collect(),
            common,
            len,
            sessions,
        }
    }

    /// The log that keeps record `ri` of log `li`: the first log holding it.
    pub fn owner(&self, li: usize, ri: usize) -> usize {
        (0..li).find(|&b| self.common[li][b] > ri).unwrap_or(li)
    }

    /// The session id of record `ri` of log `li`.
    fn session_at(&self, li: usize, ri: usize) -> &str {
        self.sessions[li]
            .iter()
            .find(|(_, end)| *end > ri)
            .map_or("", |(s, _)| s.as_str())
    }

    /// `session `a`` or `sessions `a`, `b`` of the first `count` records of log `li`.
    fn sessions_of(&self, li: usize, count: usize) -> String {
        let mut names = Vec::new();
        let mut from = 0;
        for (s, end) in &self.sessions[li] {
            if from < count {
                names.push(format!("`{s}`"));
            }
            from = *end;
        }
        match names.len() {
            1 => format!("session {}", names[0]),
            _ => format!("sessions {}", names.join(", ")),
        }
    }

    /// One note per log that repeats events of an earlier one, when one of the two holds the
    /// other (a log given twice, a log and its resumed copy); forks are warned of instead.
    pub fn notes(&self, logs: &[LoadedLog]) -> Vec<String> {
        let mut out = Vec::new();
        for li in 0..logs.len() {
            let n = self.len[li];
            if n == 0 {
                continue;
            }
            let Some(from) = (0..li).find(|&b| self.common[li][b] == n) else {
                continue;
            };
            if n < self.lens[li] && n < self.lens[from] {
                continue;
            }
            let (this, that) = (&logs[li].path, &logs[from].path);
            let events = human::count(n, "event", "events");
            out.push(if this == that {
                format!(
                    "`{this}` is given twice; its {events} of {} merged once",
                    self.sessions_of(li, n)
                )
            } else {
                format!(
                    "`{this}` repeats {events} of {} from `{that}`; merged once",
                    self.sessions_of(li, n)
                )
            });
        }
        out
    }

    /// A warning for each pair of logs that share events and then go on differently, and for
    /// each log the record from which its events are its own branch.
    pub fn forks(&self, logs: &[LoadedLog]) -> (Vec<String>, Vec<Option<usize>>) {
        let n = logs.len();
        let mut warnings = Vec::new();
        let mut branch_from: Vec<Option<usize>> = vec![None; n];
        for a in 0..n {
            for b in a + 1..n {
                let c = self.common[a][b];
                if c == 0 || c >= self.lens[a] || c >= self.lens[b] {
                    continue;
                }
                for x in [a, b] {
                    branch_from[x] = Some(branch_from[x].map_or(c, |f| f.min(c)));
                }
                // A log whose branch is itself repeated from an earlier log was warned of there.
                if self.len[a] > c || self.len[b] > c {
                    continue;
                }
                let (pa, pb) = (&logs[a].path, &logs[b].path);
                warnings.push(format!(
                    "`{pa}` and `{pb}` fork after event {} of session `{}`: two walks went on from the same log separately; the {} are shown once, then each branch's events labelled `branch {pa}` or `branch {pb}`",
                    self.seqs[a][c - 1],
                    self.session_at(a, c - 1),
                    human::count(c, "shared event", "shared events"),
                ));
            }
        }
        (warnings, branch_from)
    }
}
