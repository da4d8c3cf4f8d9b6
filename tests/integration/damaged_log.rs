//! A log changed or damaged after it was written is reported as such, at `path:line:column`,
//! and never cut off; only a last line without its newline (a crash mid-write) is torn, and
//! `resume` repairs it.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::run::{log_file, types};
use crate::test::Test;

const RUNBOOK: &str =
    "# Fix\n\n## One\n\n```bash\necho one\n```\n\n## Two\n\n```bash\necho two\n```\n";

/// A finished walk of [`RUNBOOK`] in a directory of its own, and its log's lines (with their
/// newlines).
fn walked() -> (TempDir, Vec<String>) {
    let (_, dir) = Test::new()
        .file("rb.md", RUNBOOK)
        .args(["run", "--yes", "rb.md"])
        .run_keep();
    let text = fs::read_to_string(log_file(dir.path())).unwrap();
    let lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    assert_eq!(lines.len(), 12, "{text}");
    (dir, lines)
}

/// 1-based column of the line's `hash` digest.
fn digest_column(line: &str) -> usize {
    line.rfind(",\"hash\":\"").unwrap() + 10
}

/// `verify` names the line and column (exit 1); `resume` refuses at the same place (exit 2)
/// and leaves the file as it was.
fn refused(dir: &Path, name: &str, line: usize, column: usize, reason: &str) {
    let before = fs::read(dir.join(name)).unwrap();
    Test::new()
        .in_dir(dir)
        .args(["verify", name])
        .status(1)
        .stdout(&format!("{name}:{line}:{column}: invalid: {reason}\n"))
        .stderr("")
        .run();
    Test::new()
        .in_dir(dir)
        .args(["resume", "--yes", name])
        .status(2)
        .stdout("")
        .stderr(&format!(
            "{name}:{line}:{column}: error: {reason}; it cannot be resumed: only a last line cut short by a crash is repaired\n"
        ))
        .run();
    assert_eq!(fs::read(dir.join(name)).unwrap(), before, "left untouched");
}

#[test]
fn an_edited_middle_line_is_a_change_not_a_crash() {
    let (dir, mut lines) = walked();
    let edited = lines[2].replacen("\"step\":1", "\"step\":2", 1);
    assert_ne!(edited, lines[2]);
    lines[2] = edited;
    fs::write(dir.path().join("mid.jsonl"), lines.concat()).unwrap();
    let reason = "`hash` does not match the line: the line was changed after it was written";
    refused(dir.path(), "mid.jsonl", 3, digest_column(&lines[2]), reason);
    Test::new()
        .in_dir(dir.path())
        .args(["export", "mid.jsonl"])
        .stdout_starts_with("# ")
        .stderr(&format!(
            "warning: `mid.jsonl`: reading stopped at line 3: {reason}; the 2 valid events before it are exported, nothing after it\n"
        ))
        .run();
}

#[test]
fn a_complete_last_line_that_fails_is_a_change_not_a_crash() {
    let (dir, lines) = walked();
    // Its hash changed.
    let mut bad_hash = lines.clone();
    let last = &lines[11];
    let at = digest_column(last) - 1;
    let flipped = if &last[at..=at] == "0" { "1" } else { "0" };
    bad_hash[11] = format!("{}{flipped}{}", &last[..at], &last[at + 1..]);
    fs::write(dir.path().join("hash.jsonl"), bad_hash.concat()).unwrap();
    refused(
        dir.path(),
        "hash.jsonl",
        12,
        at + 1,
        "`hash` does not match the line: the line was changed after it was written",
    );
    // Not JSON, but ended by its newline: a crash cannot write the newline without the rest.
    let mut cut = lines.clone();
    cut[11] = format!("{}\n", &lines[11][..40]);
    fs::write(dir.path().join("cut.jsonl"), cut.concat()).unwrap();
    refused(
        dir.path(),
        "cut.jsonl",
        12,
        // Where the JSON parser stopped: the last byte.
        40,
        "not valid JSON: EOF while parsing a string: the line was changed or damaged after it was written",
    );
}

#[test]
fn a_last_line_without_its_newline_is_torn_and_resume_repairs_it() {
    let (dir, lines) = walked();
    let torn = &lines[11][..100];
    fs::write(
        dir.path().join("torn.jsonl"),
        [lines[..11].concat().as_str(), torn].concat(),
    )
    .unwrap();
    Test::new()
        .in_dir(dir.path())
        .args(["verify", "torn.jsonl"])
        .status(1)
        .stdout("torn.jsonl:12:101: invalid: the last line is torn (written partially, 100 bytes): run `runbook resume` to repair it\n")
        .stderr("")
        .run();
    let out = Test::new()
        .in_dir(dir.path())
        .args(["resume", "--yes", "torn.jsonl"])
        .status(0)
        .run();
    let log = fs::read_to_string(dir.path().join("torn.jsonl")).unwrap();
    let last = log.lines().last().unwrap();
    let head = format!(
        "{}:{}",
        log.lines().count(),
        runbook::digest::sha256_hex(last.as_bytes())
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "  ! the log's last line was torn (100 bytes written by a crash mid-write); it is cut off and kept in a `log_repaired` event\n  ! every step in `torn.jsonl` has a status but the walk's end was not recorded; recorded it now\n  · log head: {head}\n"
        )
    );
    let kinds = types(&dir.path().join("torn.jsonl"));
    assert_eq!(
        kinds[11..],
        ["log_repaired", "session_finished"],
        "{kinds:?}"
    );
    Test::new()
        .in_dir(dir.path())
        .args(["verify", "torn.jsonl"])
        .status(0)
        .stdout_starts_with("ok: 13 events, hash chain intact")
        .run();
}
