//! `resume` reads the runbook the log recorded and runs commands where the walk began, from any directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::run::{events, log_file};
use crate::test::Test;

/// Step 2 runs in `sub/` (relative `cwd=`) and fails until `sub/marker` exists.
const PLACED: &str = "# Placed

## One
```bash {readonly}
echo one
```

## Two
```bash {cwd=sub}
test -f marker
```

## Three
```bash
echo three > three.txt
```
";

/// Same steps, other commands: what an old `resume` ran from the wrong directory.
const DECOY: &str = "# Placed

## One
```bash {readonly}
echo decoy > decoy.txt
```

## Two
```bash {cwd=sub}
echo decoy > decoy.txt
```

## Three
```bash
echo decoy > decoy.txt
```
";

/// A walk of `PLACED` stopped at step 2 (exit 1), its directory, and a decoy directory holding a
/// same-named runbook and a `sub/`.
fn stopped_walk() -> (tempfile::TempDir, PathBuf, tempfile::TempDir) {
    let (_, walked) = Test::new()
        .file("rb.md", PLACED)
        .dir("sub")
        .args(["run", "rb.md", "--yes"])
        .status(1)
        .run_keep();
    let log = log_file(walked.path());
    let decoy = tempfile::tempdir().unwrap();
    fs::write(decoy.path().join("rb.md"), DECOY).unwrap();
    fs::create_dir(decoy.path().join("sub")).unwrap();
    fs::write(decoy.path().join("sub/marker"), "").unwrap();
    (walked, log, decoy)
}

fn canonical(p: &Path) -> String {
    fs::canonicalize(p).unwrap().display().to_string()
}

fn resumed(log: &Path) -> serde_json::Value {
    events(log)
        .into_iter()
        .rfind(|e| e["type"] == "session_resumed")
        .expect("a session_resumed event")
}

#[test]
fn the_log_records_the_runbook_and_the_starting_directory() {
    let (walked, log, _decoy) = stopped_walk();
    let first = &events(&log)[0];
    assert_eq!(first["runbook"]["path"], "rb.md");
    assert_eq!(
        first["runbook"]["absolute_path"],
        canonical(&walked.path().join("rb.md"))
    );
    assert_eq!(first["runbook"]["start_dir"], canonical(walked.path()));
}

#[test]
fn resume_from_another_directory_runs_the_recorded_runbook_where_it_began() {
    let (walked, log, decoy) = stopped_walk();
    let dir = walked.path();
    fs::write(dir.join("sub/marker"), "").unwrap();
    let out = Test::new()
        .in_dir(decoy.path())
        .args(["resume", log.to_str().unwrap(), "--yes"])
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("changed"), "{stderr}");
    // Step 2 found `sub/marker` of the walk's directory, step 3 wrote there; the decoy ran nowhere.
    assert_eq!(
        fs::read_to_string(dir.join("three.txt")).unwrap(),
        "three\n"
    );
    assert!(!decoy.path().join("decoy.txt").exists());
    assert!(!decoy.path().join("sub/decoy.txt").exists());
    assert!(!decoy.path().join("three.txt").exists());
    let event = resumed(&log);
    assert_eq!(
        event["runbook"]["absolute_path"],
        canonical(&dir.join("rb.md"))
    );
    assert_eq!(event["runbook"]["start_dir"], canonical(dir));
    let started = events(&log)
        .into_iter()
        .rfind(|e| e["type"] == "command_started")
        .unwrap();
    assert_eq!(started["cwd"], canonical(dir));
}

#[test]
fn a_changed_outline_at_the_recorded_path_is_refused_from_anywhere_unless_forced() {
    let (walked, log, decoy) = stopped_walk();
    let dir = walked.path();
    let file = dir.join("rb.md");
    fs::write(&file, PLACED.replace("## Three", "## Three b")).unwrap();
    let resume = |extra: &[&str]| {
        let mut args = vec!["resume", log.to_str().unwrap(), "--yes"];
        args.extend_from_slice(extra);
        Test::new().in_dir(decoy.path()).args(args)
    };
    resume(&[])
        .status(2)
        .stderr(&format!(
            "error: the steps of `{}` changed since this log began (were: one, two, three; now: one, two, three-b); resume with --force to continue anyway\n",
            canonical(&file)
        ))
        .run();
    assert_eq!(events(&log).last().unwrap()["type"], "session_paused");
    fs::write(dir.join("sub/marker"), "").unwrap();
    let out = resume(&["--force"]).run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("steps changed: 3"), "{stderr}");
    assert_eq!(resumed(&log)["forced"], true);
    assert!(dir.join("three.txt").exists());
}

#[test]
fn a_runbook_gone_from_the_recorded_path_is_named_and_runbook_points_to_it() {
    let (walked, log, decoy) = stopped_walk();
    let dir = walked.path();
    let moved = dir.join("moved.md");
    fs::rename(dir.join("rb.md"), &moved).unwrap();
    Test::new()
        .in_dir(decoy.path())
        .args(["resume", log.to_str().unwrap(), "--yes"])
        .status(2)
        .stderr(&format!(
            "error: the runbook of this log, `{}`, is missing; give its new place with --runbook FILE\n",
            canonical(dir) + "/rb.md"
        ))
        .run();
    fs::write(dir.join("sub/marker"), "").unwrap();
    Test::new()
        .in_dir(decoy.path())
        .args(["resume", log.to_str().unwrap(), "--yes", "--runbook"])
        .args([moved.to_str().unwrap()])
        .run();
    assert_eq!(resumed(&log)["runbook"]["absolute_path"], canonical(&moved));
    assert!(dir.join("three.txt").exists());
}

#[test]
fn runbook_naming_a_file_with_other_steps_is_refused_naming_both() {
    let (walked, log, decoy) = stopped_walk();
    let other = decoy.path().join("other.md");
    fs::write(&other, DECOY.replace("## Two", "## Deux")).unwrap();
    Test::new()
        .in_dir(decoy.path())
        .args(["resume", log.to_str().unwrap(), "--yes", "--runbook", "other.md"])
        .status(2)
        .stderr(&format!(
            "error: the steps of `other.md` differ from those of `{}` when this log began (were: one, two, three; now: one, deux, three); resume with --force to continue anyway\n",
            canonical(&walked.path().join("rb.md"))
        ))
        .run();
}

/// Rewrites the log through `edit` and recomputes every `hash` and `prev`, as a forger (or an
/// older version of runbook) would: the result verifies.
pub fn rewrite_chain(log: &Path, edit: impl FnOnce(&mut Vec<serde_json::Value>)) {
    let mut all = events(log);
    edit(&mut all);
    let mut prev = runbook::digest::sha256_hex(b"");
    let mut text = String::new();
    for (i, mut event) in all.into_iter().enumerate() {
        let map = event.as_object_mut().unwrap();
        map.remove("hash");
        map.insert("seq".into(), (i as u64 + 1).into());
        map.insert("prev".into(), prev.clone().into());
        let body = serde_json::to_string(&event).unwrap();
        let hash = runbook::digest::sha256_hex(body.as_bytes());
        let line = format!("{},\"hash\":\"{hash}\"}}", &body[..body.len() - 1]);
        prev = runbook::digest::sha256_hex(line.as_bytes());
        text.push_str(&line);
        text.push('\n');
    }
    fs::write(log, text).unwrap();
}

#[test]
fn an_older_log_without_the_recorded_place_resumes_from_the_current_directory_with_a_note() {
    let (walked, log, _decoy) = stopped_walk();
    let dir = walked.path();
    rewrite_chain(&log, |all| {
        for e in all.iter_mut() {
            if let Some(r) = e.get_mut("runbook").and_then(|r| r.as_object_mut()) {
                r.remove("absolute_path");
                r.remove("start_dir");
            }
        }
    });
    Test::new().args(["verify", log.to_str().unwrap()]).run();
    fs::write(dir.join("sub/marker"), "").unwrap();
    let out = Test::new()
        .in_dir(dir)
        .args(["resume", log.to_str().unwrap(), "--yes"])
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("this log does not record where its runbook is (an older log): reading `rb.md` from the current directory"),
        "{stderr}"
    );
    assert!(dir.join("three.txt").exists());
}
