//! The incident log deleted or replaced during a walk: the walk says so, runs nothing more and
//! exits 2, naming the path.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::terminal_input::Term;
use crate::test::BIN;

const TWO_STEPS: &str = "# Two

## Slow

```bash
echo $$ > started.txt; sleep 1; echo one >> ran.txt
```

## After

```bash
echo after >> after.txt
```
";

const DELETED: &str =
    "it was deleted (or moved) during the walk; the walk stops here and runs nothing more";
const REPLACED: &str = "it was replaced during the walk (another file is at its path); the walk stops here and runs nothing more";

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The one log under `incidents/`, relative to the walk's directory as the walk names it.
fn the_log(dir: &Path) -> PathBuf {
    let name = fs::read_dir(dir.join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .find(|n| n.to_string_lossy().ends_with(".jsonl"))
        .expect("a log");
    Path::new("incidents").join(name)
}

/// `run --yes`, with the log deleted or replaced (by `tamper`) while its first command runs.
fn tampered_while_a_command_runs(tamper: fn(&Path, &Path)) -> (String, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), TWO_STEPS).unwrap();
    let child = Command::new(BIN)
        .args(["run", "rb.md", "--yes"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("RUNBOOK_LOG_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&dir.path().join("started.txt"));
    let log = the_log(dir.path());
    tamper(dir.path(), &dir.path().join(&log));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    (String::from_utf8(out.stderr).unwrap(), log, dir)
}

#[test]
fn a_log_deleted_while_a_command_runs_stops_the_walk_before_the_next_event() {
    let (stderr, log, dir) = tampered_while_a_command_runs(|_, log| fs::remove_file(log).unwrap());
    assert_eq!(
        stderr.lines().last().unwrap(),
        format!(
            "error: cannot write the incident log `{}`: {DELETED}",
            log.display()
        )
    );
    assert!(
        dir.path().join("ran.txt").exists(),
        "the running command ends"
    );
    assert!(!dir.path().join("after.txt").exists(), "nothing more runs");
}

#[test]
fn a_log_replaced_while_a_command_runs_stops_the_walk_and_the_new_file_is_untouched() {
    let (stderr, log, dir) = tampered_while_a_command_runs(|dir, log| {
        let other = dir.join("other.jsonl");
        fs::write(&other, "not a log\n").unwrap();
        fs::rename(&other, log).unwrap();
    });
    assert_eq!(
        stderr.lines().last().unwrap(),
        format!(
            "error: cannot write the incident log `{}`: {REPLACED}",
            log.display()
        )
    );
    assert!(!dir.path().join("after.txt").exists(), "nothing more runs");
    assert_eq!(
        fs::read_to_string(dir.path().join(&log)).unwrap(),
        "not a log\n"
    );
}

#[test]
fn a_log_deleted_or_replaced_at_a_prompt_is_said_at_once() {
    for replace in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("rb.md"), TWO_STEPS).unwrap();
        let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 200);
        t.expect("(Enter: run)");
        let log = the_log(dir.path());
        let at = Instant::now();
        if replace {
            fs::write(dir.path().join("x"), "").unwrap();
            fs::rename(dir.path().join("x"), dir.path().join(&log)).unwrap();
        } else {
            fs::remove_file(dir.path().join(&log)).unwrap();
        }
        let reason = if replace { REPLACED } else { DELETED };
        t.expect(&format!(
            "error: cannot write the incident log `{}`: {reason}",
            log.display()
        ));
        assert!(at.elapsed() < Duration::from_secs(2), "{:?}", at.elapsed());
        assert_eq!(t.exit_code(), 2);
        assert!(!dir.path().join("started.txt").exists(), "nothing ran");
        assert!(!t.text().contains("Pause the walk?"), "{}", t.text());
    }
}

/// The first write fails (`ulimit -f 0`, SIGXFSZ ignored: `write` gets EFBIG): exit 2 with the
/// reason, and nothing is left in the log directory, not even the hidden file the log starts as.
#[test]
fn a_failed_first_write_leaves_no_hidden_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), TWO_STEPS).unwrap();
    let out = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 0; exec \"$0\" run rb.md --yes",
            BIN,
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("RUNBOOK_LOG_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = stderr.lines().last().unwrap();
    assert!(
        line.starts_with("error: cannot write the incident log `incidents/")
            && line.ends_with("-rb.jsonl`: file too large"),
        "{stderr}"
    );
    let left: Vec<_> = fs::read_dir(dir.path().join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!dir.path().join("started.txt").exists(), "nothing ran");
}
