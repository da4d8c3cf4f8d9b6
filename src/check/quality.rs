//! Recall and precision of the destructive-command check on the labelled set in
//! tests/fixtures/destructive/cases.tsv (corpus lines and hand-written cases).

use super::looks_destructive_in;

const CASES: &str = include_str!("../../tests/fixtures/destructive/cases.tsv");
const GOAL: f64 = 0.90;

/// `\n`, `\t`, `\\` escapes; `-` is empty.
fn unescape(field: &str) -> String {
    if field == "-" {
        return String::new();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

#[test]
fn destructive_recall_and_precision_meet_the_goal() {
    let (mut tp, mut fp, mut fneg, mut total) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for line in CASES
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 5, "five tab-separated fields: {line}");
        let expected = match fields[0] {
            "destructive" => true,
            "safe" => false,
            other => panic!("label `{other}`: destructive or safe"),
        };
        let (title, comment, code) = (
            unescape(fields[2]),
            unescape(fields[3]),
            unescape(fields[4]),
        );
        let found = looks_destructive_in(
            &code,
            Some(comment.as_str()).filter(|c| !c.is_empty()),
            Some(title.as_str()).filter(|t| !t.is_empty()),
        );
        total += 1;
        match (expected, &found) {
            (true, Some(_)) => tp += 1,
            (false, Some(reason)) => {
                fp += 1;
                misses.push(format!("false alarm ({reason}): {code}"));
            }
            (true, None) => {
                fneg += 1;
                misses.push(format!("missed: {code}"));
            }
            (false, None) => {}
        }
    }
    let recall = tp as f64 / (tp + fneg) as f64;
    let precision = tp as f64 / (tp + fp) as f64;
    println!(
        "destructive-command on {total} cases ({} destructive): recall {:.1}% ({tp}/{}), precision {:.1}% ({tp}/{})",
        tp + fneg,
        recall * 100.0,
        tp + fneg,
        precision * 100.0,
        tp + fp
    );
    for m in &misses {
        println!("  {m}");
    }
    assert!(total >= 150, "at least 150 cases, got {total}");
    assert!(
        recall >= GOAL && precision >= GOAL,
        "below {GOAL}: see the lines above"
    );
}
