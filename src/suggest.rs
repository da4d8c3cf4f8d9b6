//! Did-you-mean: the closest of some known words to a mistyped one. Pure text, no I/O.

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word` (case-insensitive), when it is close enough to be what was
/// meant: within a third of the word's length (at least 2 edits), or starting with the word.
/// Ties go to the first candidate, so callers pass them in a meaningful order.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    if word.is_empty() {
        return None;
    }
    let limit = (word.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let distance = if lower.starts_with(&word) {
            // A prefix is a strong hint whatever its length; rank it just after close typos.
            limit
        } else {
            edit_distance(&word, &lower)
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_typos_and_prefixes_are_suggested_far_words_are_not() {
        let names = ["demo.md", "redis-cache-degraded.md", "sdc-failover.md"];
        assert_eq!(closest("dmeo.md", names), Some("demo.md"));
        assert_eq!(closest("redis", names), Some("redis-cache-degraded.md"));
        assert_eq!(closest("SDC-failover.md", names), Some("sdc-failover.md"));
        assert_eq!(closest("aurora.md", names), None);
        assert_eq!(closest("", names), None);
        assert_eq!(edit_distance("confrim", "confirm"), 2);
    }
}
