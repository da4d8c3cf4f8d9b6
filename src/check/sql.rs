//! SQL (and a few database-console calls) that drop, truncate or rewrite data, found in any
//! text: a `sql` block, `psql -c "…"`, a heredoc fed to `mysql`.

/// Lines that only show or search text: their SQL words are not statements.
const QUOTING_PROGRAMS: &[&str] = &["echo", "printf", "grep", "egrep", "fgrep", "rg", "git"];

const DROPPABLE: &[&str] = &[
    "table",
    "database",
    "schema",
    "index",
    "user",
    "view",
    "column",
    "role",
    "trigger",
    "function",
    "partition",
    "constraint",
    "extension",
    "tablespace",
    "materialized",
    "keyspace",
    "collection",
];

/// Server functions that change a database's role or end sessions.
const FUNCTIONS: &[&str] = &[
    "pg_promote",
    "pg_terminate_backend",
    "pg_drop_replication_slot",
    "pg_cancel_backend",
];

/// Document-store calls that remove data.
const CALLS: &[&str] = &[".drop(", ".dropDatabase(", ".deleteMany(", ".remove("];

/// What in `code` looks like destructive SQL, as a short quotable phrase.
pub fn reason(code: &str) -> Option<String> {
    if let Some(call) = CALLS.iter().find(|c| code.contains(**c)) {
        return Some(format!("`{}`", call.trim_start_matches('.')));
    }
    // Most code holds none of the words `statement_reason` answers for: say so without splitting
    // it into words.
    if !holds_keyword(code) {
        return None;
    }
    statements_reason(code)
}

/// What in the statements of `code` looks destructive: [`statement_reason`] of each.
fn statements_reason(code: &str) -> Option<String> {
    // The words of one statement (up to `;`), lowercased, skipping comment lines and lines that
    // only print or search text.
    let mut statement: Vec<&str> = Vec::new();
    for line in code.lines() {
        let t = line.trim_start();
        let first = t.split_whitespace().next().unwrap_or("");
        if t.starts_with('#') || first == "--" || QUOTING_PROGRAMS.contains(&first) {
            continue;
        }
        let mut rest = line;
        while !rest.is_empty() {
            let (part, more) = match rest.find(';') {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            let part = part.split(" -- ").next().unwrap_or(part);
            // Only words that can start or shape a phrase below are kept: no allocation, and
            // a long block of shell keeps a short list.
            statement.extend(
                part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty()),
            );
            match more {
                Some(more) => {
                    if let Some(r) = statement_reason(&statement) {
                        return Some(r);
                    }
                    statement.clear();
                    rest = more;
                }
                None => rest = "",
            }
        }
    }
    statement_reason(&statement)
}

fn statement_reason(words: &[&str]) -> Option<String> {
    let at = |i: usize| words.get(i).copied().unwrap_or("");
    let is = |i: usize, keyword: &str| at(i).eq_ignore_ascii_case(keyword);
    for (i, w) in words.iter().enumerate() {
        // Every keyword below is at least 4 letters long and starts with one of these.
        if w.len() < 4
            || !matches!(
                w.as_bytes()[0].to_ascii_lowercase(),
                b'd' | b't' | b'u' | b'p'
            )
        {
            continue;
        }
        let lower = w.to_ascii_lowercase();
        match lower.as_str() {
            "drop" if DROPPABLE.iter().any(|k| is(i + 1, k)) => {
                return Some(format!("`DROP {}`", at(i + 1).to_ascii_uppercase()));
            }
            "truncate" if !at(i + 1).is_empty() => return Some("`TRUNCATE`".into()),
            "delete" if is(i + 1, "from") && !has_real_where(&words[i..]) => {
                return Some("`DELETE FROM` without `WHERE`".into());
            }
            "update"
                if (is(i + 2, "set") || is(i + 3, "set"))
                    && (i == 0 || !words[i - 1].eq_ignore_ascii_case("get"))
                    && !has_real_where(&words[i..]) =>
            {
                return Some("`UPDATE` without `WHERE`".into());
            }
            f if FUNCTIONS.contains(&f) => return Some(format!("`{f}()`")),
            _ => {}
        }
    }
    None
}

/// Whether `code` holds, in any case, `drop`, `truncate`, `delete`, `update` or `pg_` (with
/// which every one of [`FUNCTIONS`] starts): without one, no word of it is a keyword
/// [`statement_reason`] answers for, as a word is a run of `code`'s characters.
fn holds_keyword(code: &str) -> bool {
    let b = code.as_bytes();
    let at = |i: usize, word: &[u8]| {
        b.get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    (0..b.len()).any(|i| match b[i].to_ascii_lowercase() {
        b'd' => at(i, b"drop") || at(i, b"delete"),
        b't' => at(i, b"truncate"),
        b'u' => at(i, b"update"),
        b'p' => at(i, b"pg_"),
        _ => false,
    })
}

/// A `WHERE` that selects rows: not `WHERE 1`, `WHERE true` or `WHERE 1=1`.
fn has_real_where(words: &[&str]) -> bool {
    match words.iter().position(|w| w.eq_ignore_ascii_case("where")) {
        None => false,
        Some(at) => {
            let rest: Vec<String> = words[at + 1..]
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect();
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            !matches!(rest.as_slice(), [] | ["1" | "true" | "t"] | ["1", "1"])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn delete_and_update_without_a_real_where_are_destructive() {
        assert!(reason("DELETE FROM sessions;").is_some());
        assert!(reason("delete from cdr where 1").is_some());
        assert!(reason("UPDATE users SET admin = true;").is_some());
        assert_eq!(
            reason("DELETE FROM sessions\n  WHERE expires < now();"),
            None
        );
        assert_eq!(reason("UPDATE users SET a = 1 WHERE id = 7;"), None);
        assert_eq!(reason("SELECT * FROM deleted_calls WHERE id = 1"), None);
        assert_eq!(reason("echo 'DROP TABLE x'\n# drop table y"), None);
        assert!(reason("psql -c 'DROP TABLE calls'").is_some());
        assert!(reason("SELECT pg_Terminate_Backend(42);").is_some());
        assert!(reason("x=1; TrUnCaTe t").is_some());
    }

    proptest::proptest! {
        /// The filter never hides a finding.
        #[test]
        fn the_keyword_filter_hides_no_finding(
            words in proptest::collection::vec(
                proptest::sample::select(&[
                    "DROP", "drop", "Table", "delete", "FROM", "where", "1", "update", "x", "SET",
                    "truncate", "pg_promote()", "PG_CANCEL_BACKEND", "get", ";", "\n", " ", "-- ",
                    "é", "drop_table", "#", "echo",
                ][..]),
                0..12,
            )
        ) {
            let code = words.concat();
            proptest::prop_assert!(super::holds_keyword(&code) || super::statements_reason(&code).is_none());
        }
    }

    #[test]
    fn the_keyword_filter_passes_every_keyword_in_any_case() {
        assert!(super::FUNCTIONS.iter().all(|f| f.starts_with("pg_")));
        for word in ["drop", "DROP", "Delete", "trUNCATE", "updatE", "PG_PROMOTE"] {
            assert!(super::holds_keyword(&format!("é;{word}")), "{word}");
        }
        for code in [
            "",
            "dro",
            "kubectl get pods",
            "upd ate",
            "pg-dump",
            "délete",
        ] {
            assert!(!super::holds_keyword(code), "{code}");
        }
    }
}
