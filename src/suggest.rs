//! Did-you-mean: the closest of some known words to a mistyped one. Pure text, no I/O.

/// Edit distance in characters, a swap of two neighbours counting as one edit (the commonest
/// typo: `fial` for `fail`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `word` (case-insensitive), when it is close enough to be what was
/// meant: within a third of the word's length (at least 2 edits), starting with the word, or
/// starting with a close typo of it.
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
            // A typo in the start of a longer name (`fial` for `fail-over`) counts too, with
            // a tighter limit, so short words do not match everything.
            let len = word.chars().count();
            let head: String = lower.chars().take(len).collect();
            let head_distance = edit_distance(&word, &head);
            let full = edit_distance(&word, &lower);
            if len >= 4 && head_distance <= (len / 4).max(1) {
                full.min(limit)
            } else {
                full
            }
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
        assert_eq!(closest("fial", ["drain", "fail-over"]), Some("fail-over"));
        assert_eq!(closest("ab", ["abc-long", "xyz"]), Some("abc-long"));
        assert_eq!(closest("xq", ["abc-long"]), None);
        assert_eq!(edit_distance("confrim", "confirm"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
