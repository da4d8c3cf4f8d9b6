//! Shell state through the binary: `cd` and `export` carry from one command to the next, the log
//! records them, and `resume` after a kill continues in the carried directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::test::{BIN, assert_valid};

fn runbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GREETING")
        .stdin(Stdio::null())
        .output()
        .expect("run runbook")
}

/// The one log in `dir/logs`, as parsed lines.
fn log_lines(dir: &Path) -> (PathBuf, Vec<serde_json::Value>) {
    let entry = fs::read_dir(dir.join("logs"))
        .expect("log dir")
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("a log");
    let lines = fs::read_to_string(&entry)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (entry, lines)
}

const CARRY: &str = "# Carry

## Go there

```bash
cd sub && export GREETING=hello && export DB_PASSWORD=hunter2
```

## Write where we are

```bash
pwd > here.txt && echo \"$GREETING\" >> here.txt
```
";

#[test]
fn cd_and_export_carry_to_later_steps_and_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("rb.md"), CARRY).unwrap();
    let out = runbook(dir.path(), &["run", "rb.md", "--yes", "--log-dir", "logs"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sub = fs::canonicalize(dir.path().join("sub")).unwrap();
    assert_eq!(
        fs::read_to_string(sub.join("here.txt")).unwrap(),
        format!("{}\nhello\n", sub.display()),
        "the second step ran in `sub` with GREETING set"
    );
    let (_, lines) = log_lines(dir.path());
    let finished: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["type"] == "command_finished")
        .collect();
    assert_eq!(finished[0]["cwd_after"], sub.display().to_string());
    assert_eq!(
        finished[0]["env_changed"],
        serde_json::json!([
            {"name": "DB_PASSWORD", "redacted": true},
            {"name": "GREETING", "value": "hello"},
        ])
    );
    assert!(finished[1].get("cwd_after").is_none() && finished[1].get("env_changed").is_none());
    for line in &lines {
        assert_valid("incident-log.schema.json", line);
    }
    let text = serde_json::to_string(&finished).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn resume_after_a_kill_continues_in_the_carried_directory() {
    // The second step kills the walk itself (its shell's parent): deterministic "kill mid-walk".
    let text = "# Killed

## Go there

```bash
cd sub && export MARK=carried
```

## Die

```bash
kill -9 $PPID; sleep 5
```

## Write where we are

```bash
pwd > here.txt && echo \"$MARK\" >> here.txt
```
";
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("rb.md"), text).unwrap();
    let killed = runbook(dir.path(), &["run", "rb.md", "--yes", "--log-dir", "logs"]);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&killed.status),
        Some(9),
        "{}",
        String::from_utf8_lossy(&killed.stderr)
    );
    let sub = fs::canonicalize(dir.path().join("sub")).unwrap();
    assert!(!sub.join("here.txt").exists());
    let (log, _) = log_lines(dir.path());
    // From elsewhere: the carried directory comes from the log, not from where resume runs.
    let elsewhere = tempfile::tempdir().unwrap();
    let resumed = runbook(
        elsewhere.path(),
        &["resume", log.to_str().unwrap(), "--yes"],
    );
    assert!(
        sub.join("here.txt").exists(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(
        fs::read_to_string(sub.join("here.txt")).unwrap(),
        format!("{}\ncarried\n", sub.display())
    );
}

/// A walk killed by SIGKILL while a capturing command runs leaves no state file (it holds the
/// whole environment) in the temporary directory: the file is unlinked as soon as it is made.
#[test]
fn a_walk_killed_during_a_command_leaves_no_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rb.md"),
        "# Killed\n\n## Wait\n\n```bash\nexport STATE_TEST=1; echo $$ > group.pid; sleep 30\n```\n",
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["run", "rb.md", "--yes"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid_file = dir.path().join("group.pid");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fs::read_to_string(&pid_file).map_or(true, |s| !s.ends_with('\n')) {
        assert!(
            std::time::Instant::now() < deadline,
            "the command never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The command runs under the capture now, its state file open.
    let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let pgid: i32 = fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = rustix::process::kill_process_group(
        rustix::process::Pid::from_raw(pgid).unwrap(),
        rustix::process::Signal::KILL,
    );
    assert!(left.is_empty(), "during the command: {left:?}");
    let after: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert!(after.is_empty(), "after the kill: {after:?}");
}
