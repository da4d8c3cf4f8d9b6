//! `runbook run`, `resume` and `verify` through the binary, unattended (`--yes`) or refused without a terminal.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::test::{Test, assert_valid};

/// The only `.jsonl` in `dir/incidents`.
/// `FLAKY` under `--yes` without its marker file: it fails at the second step (exit 1).
fn walk_that_stops_at_the_marker_step() -> (std::process::Output, tempfile::TempDir) {
    Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--yes", "--var", "TOKEN=x"])
        .status(1)
        .run_keep()
}

pub fn log_file(dir: &Path) -> PathBuf {
    let logs: Vec<PathBuf> = fs::read_dir(dir.join("incidents"))
        .expect("incidents/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs[0].clone()
}

pub fn events(log: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

pub fn types(log: &Path) -> Vec<String> {
    events(log)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

const FLAKY: &str = "---
title: Flaky
variables:
  TOKEN: {description: api token, secret: true}
---
# Flaky

## Greet
```bash {readonly}
echo \"hello $TOKEN and again $TOKEN\"
```

## Needs a marker
```bash
test -f marker && echo found
```

## Finish
- [ ] tell the channel
";

#[test]
fn without_a_terminal_run_refuses_at_once() {
    Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md"])
        .status(2)
        .stderr("error: a walk asks before it runs anything, so it needs a terminal on stdin and stderr; pass --yes to walk unattended\n")
        .run();
}

#[test]
fn allow_danger_needs_yes() {
    let out = Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--allow-danger"])
        .status(2)
        .run();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
}

#[test]
fn bad_var_is_a_usage_error() {
    Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--yes", "--var", "9X=1"])
        .status(2)
        .stderr("error: `9X` in `--var` is not a variable name: use letters, digits and `_`\n")
        .run();
    Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--yes", "--var", "NOPE=1"])
        .status(2)
        .stderr("error: `--var NOPE` is not declared nor used by any command of this runbook\n")
        .run();
}

#[test]
fn missing_declared_secret_without_terminal_is_refused() {
    Test::new()
        .file("rb.md", FLAKY.replace("secret: true", "secret: true, required: true"))
        .args(["run", "rb.md", "--yes"])
        .status(2)
        .stderr("error: `TOKEN` needs a value and there is no terminal to ask: pass `--var TOKEN=...`\n")
        .run();
}

#[test]
fn secrets_never_reach_the_log_or_the_screen() {
    let secret = "hunter2-very-secret";
    let (out, dir) = Test::new()
        .file("rb.md", FLAKY)
        .file("marker", "")
        .args([
            "run",
            "rb.md",
            "--yes",
            "--var",
            &format!("TOKEN={secret}"),
            "--incident",
            "INC-7",
        ])
        .run_keep();
    let log = log_file(dir.path());
    let bytes = fs::read(&log).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains(secret),
        "secret in the log"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(secret),
        "secret on the screen"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    let finished = events(&log)
        .into_iter()
        .find(|e| e["type"] == "command_finished")
        .unwrap();
    assert_eq!(finished["redactions"], 2);
    assert!(
        finished["output"]
            .as_str()
            .unwrap()
            .contains("hello [REDACTED] and again [REDACTED]")
    );
    assert_eq!(
        fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let started = &events(&log)[0];
    assert_eq!(started["incident"], "INC-7");
    assert_eq!(
        started["variables"][0],
        serde_json::json!({"name": "TOKEN", "value": null, "secret": true, "source": "flag"})
    );
}

#[test]
fn every_event_of_a_walk_follows_the_schema() {
    let (out, dir) = Test::new()
        .file("rb.md", FLAKY)
        .file("marker", "")
        .args([
            "run",
            "rb.md",
            "--yes",
            "--var",
            "TOKEN=x",
            "--operator",
            "alice",
        ])
        .run_keep();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap(),
        "STEP  STATUS  DURATION  TITLE"
    );
    let log = log_file(dir.path());
    assert_eq!(
        types(&log),
        [
            "session_started",
            "step_started",
            "command_approved",
            "command_started",
            "command_finished",
            "step_finished",
            "step_started",
            "command_approved",
            "command_started",
            "command_finished",
            "step_finished",
            "step_started",
            "checklist_item",
            "step_finished",
            "session_finished"
        ]
    );
    for event in events(&log) {
        assert_valid("incident-log.schema.json", &event);
        assert_eq!(event["operator"], "alice");
    }
}

#[test]
fn a_failure_stops_the_walk_and_resume_finishes_it_in_the_same_log() {
    let (out, tmp) = walk_that_stops_at_the_marker_step();
    let dir = tmp.path();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("walk stopped: command 1 of step 2 failed under --yes"),
        "{stderr}"
    );
    let log = log_file(dir);
    assert_eq!(types(&log).last().unwrap(), "session_paused");
    fs::write(dir.join("marker"), "").unwrap();
    Test::new()
        .in_dir(dir)
        .args(["resume", log.to_str().unwrap(), "--yes", "--var", "TOKEN=x"])
        .run();
    let t = types(&log);
    assert!(t.contains(&"session_resumed".to_string()));
    assert_eq!(t.last().unwrap(), "session_finished");
    let resumed = events(&log)
        .into_iter()
        .find(|e| e["type"] == "session_resumed")
        .unwrap();
    assert_eq!(resumed["step"], 2);
    Test::new()
        .args(["verify", log.to_str().unwrap()])
        .stdout_starts_with(&format!("ok: {} events, hash chain intact", t.len()))
        .run();
}

#[test]
fn resume_refuses_when_the_steps_changed_unless_forced() {
    let (_, tmp) = walk_that_stops_at_the_marker_step();
    let dir = tmp.path().to_path_buf();
    let log = log_file(&dir);
    fs::write(
        dir.join("rb.md"),
        FLAKY.replace("## Finish", "## Finish up"),
    )
    .unwrap();
    let resume = |extra: &[&str]| {
        let mut args = vec!["resume", log.to_str().unwrap(), "--yes", "--var", "TOKEN=x"];
        args.extend_from_slice(extra);
        Test::new().in_dir(&dir).args(args)
    };
    let out = resume(&[]).status(2).run();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: the steps of `{}` changed since this log began (were: greet, needs-a-marker, finish; now: greet, needs-a-marker, finish-up); resume with --force to continue anyway\n",
            fs::canonicalize(dir.join("rb.md")).unwrap().display()
        )
    );
    fs::write(dir.join("marker"), "").unwrap();
    let out = resume(&["--force"]).run();
    assert!(String::from_utf8_lossy(&out.stderr).contains("steps changed: 3"));
}

#[test]
fn a_torn_last_line_is_repaired_visibly_on_resume() {
    let (_, tmp) = walk_that_stops_at_the_marker_step();
    let dir = tmp.path().to_path_buf();
    let log = log_file(&dir);
    let mut bytes = fs::read(&log).unwrap();
    bytes.extend_from_slice(b"{\"v\":1,\"seq\":99,\"ts\":\"2026-");
    fs::write(&log, &bytes).unwrap();
    let out = Test::new()
        .args(["verify", log.to_str().unwrap()])
        .status(1)
        .run();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("torn"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    fs::write(dir.join("marker"), "").unwrap();
    let out = Test::new()
        .in_dir(&dir)
        .args(["resume", log.to_str().unwrap(), "--yes", "--var", "TOKEN=x"])
        .run();
    assert!(String::from_utf8_lossy(&out.stderr).contains("last line was torn"));
    let repaired = events(&log)
        .into_iter()
        .find(|e| e["type"] == "log_repaired")
        .unwrap();
    assert_eq!(repaired["torn_text"], "{\"v\":1,\"seq\":99,\"ts\":\"2026-");
    Test::new().args(["verify", log.to_str().unwrap()]).run();
}

#[test]
fn rehearsal_runs_only_readonly_commands() {
    let (_, dir) = Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--yes", "--rehearse", "--var", "TOKEN=x"])
        .run_keep();
    let log = log_file(dir.path());
    let all = events(&log);
    assert_eq!(all[0]["mode"], "rehearsal");
    let ran: Vec<i64> = all
        .iter()
        .filter(|e| e["type"] == "command_started")
        .map(|e| e["step"].as_i64().unwrap())
        .collect();
    assert_eq!(ran, [1]);
    let rehearsed = all.iter().find(|e| e["type"] == "command_skipped").unwrap();
    assert_eq!(
        rehearsed["reason"],
        "rehearsal: only `readonly` commands run"
    );
    let statuses: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] == "step_finished")
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["done", "rehearsed", "done"]);
}

#[test]
fn from_starts_at_a_step_by_id() {
    let (_, dir) = Test::new()
        .file("rb.md", FLAKY)
        .args([
            "run", "rb.md", "--yes", "--var", "TOKEN=x", "--from", "finish",
        ])
        .status(1)
        .run_keep();
    let started: Vec<i64> = events(&log_file(dir.path()))
        .iter()
        .filter(|e| e["type"] == "step_started")
        .map(|e| e["step"].as_i64().unwrap())
        .collect();
    // The walk starts at step 3, then comes back for the unfinished ones (step 2 fails: no marker).
    assert_eq!(started, [3, 1, 2]);
}

#[test]
fn unknown_from_step_is_a_usage_error() {
    Test::new()
        .file("rb.md", FLAKY)
        .args(["run", "rb.md", "--yes", "--from", "nope"])
        .status(2)
        .stderr("error: no step `nope` in `rb.md`: give a number from 1 to 3 or a step id\n")
        .run();
}

#[test]
fn verify_missing_log_is_an_io_error() {
    let out = Test::new().args(["verify", "nope.jsonl"]).status(2).run();
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: cannot read `nope.jsonl`"));
}

#[test]
fn resume_records_the_end_of_a_walk_killed_after_its_last_step() {
    let (_, tmp) = Test::new()
        .file("rb.md", FLAKY)
        .file("marker", "")
        .args(["run", "rb.md", "--yes", "--var", "TOKEN=x"])
        .run_keep();
    let log = log_file(tmp.path());
    // As if killed between the last `step_finished` and `session_finished`.
    let text = fs::read_to_string(&log).unwrap();
    let without_end: Vec<&str> = text.lines().collect();
    fs::write(
        &log,
        format!("{}\n", without_end[..without_end.len() - 1].join("\n")),
    )
    .unwrap();
    let out = Test::new()
        .in_dir(tmp.path())
        .args(["resume", log.to_str().unwrap(), "--yes", "--var", "TOKEN=x"])
        .run();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the walk's end was not recorded; recorded it now")
    );
    assert_eq!(types(&log).last().unwrap(), "session_finished");
    Test::new().args(["verify", log.to_str().unwrap()]).run();
}

#[test]
fn under_yes_every_read_of_stdin_sees_end_of_input() {
    // The timeout turns a regression (a second read waiting forever) into a failure, not a hang.
    let (out, tmp) = Test::new()
        .file(
            "rb.md",
            "# Reads\n\n## Read twice\n```bash {timeout=10s}\nread a; read b; cat; echo \"done $?\"\n```\n",
        )
        .args(["run", "rb.md", "--yes"])
        .run_keep();
    assert!(String::from_utf8_lossy(&out.stderr).contains("done 0"));
    let all = events(&log_file(tmp.path()));
    let finished = all
        .iter()
        .find(|e| e["type"] == "command_finished")
        .unwrap();
    assert_eq!(finished["exit_code"], 0);
}

#[test]
fn a_placeholder_runs_as_its_value_and_is_never_a_redirect() {
    let (_, dir) = Test::new()
        .file(
            "rb.md",
            "# P\n\n## Verify\n```bash\nprintf '%s\\n' <HO-ID> > seen.txt\nls\n```\n",
        )
        .args(["run", "rb.md", "--yes", "--var", "HO_ID=ho 42"])
        .run_keep();
    assert_eq!(
        fs::read_to_string(dir.path().join("seen.txt")).unwrap(),
        "ho 42\n"
    );
    assert!(!dir.path().join("HO-ID").exists());
    let started: Vec<serde_json::Value> = events(&log_file(dir.path()))
        .into_iter()
        .filter(|e| e["type"] == "command_started")
        .collect();
    assert_eq!(started[0]["code"], "printf '%s\\n' <HO-ID> > seen.txt");
    assert_eq!(started[0]["placeholders"][0]["value"], "ho 42");
    assert_eq!(started.len(), 2);
}

#[test]
fn a_placeholder_in_a_heredoc_is_written_as_its_value() {
    let (_, dir) = Test::new()
        .file(
            "rb.md",
            "# P\n\n## Write\n```bash\ncat <<EOF > motd\nDon't restart <HOST> ($((1 + 1)))\nEOF\ncat <<'RAW' > raw\n<HOST> $HOME\nRAW\necho <HOST> > word\n```\n",
        )
        .args(["run", "rb.md", "--yes", "--var", "HOST=db 1 'a' $x"])
        .run_keep();
    let read = |name: &str| fs::read_to_string(dir.path().join(name)).unwrap();
    // The value as it is, in both kinds of heredoc; the author's own `$((...))` still expands
    // in the unquoted one; and the `'` of "Don't" opened no quote for the next command.
    assert_eq!(read("motd"), "Don't restart db 1 'a' $x (2)\n");
    assert_eq!(read("raw"), "db 1 'a' $x $HOME\n");
    assert_eq!(read("word"), "db 1 'a' $x\n");
}

/// Without `$USER` (a container, a cron job), the log names the account from the user database,
/// as `id -un` does, not `unknown`.
#[test]
fn without_user_the_operator_is_the_account_name() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rb.md"),
        "# Quiet\n\n## Look\n```bash {readonly}\ntrue\n```\n",
    )
    .unwrap();
    let output = std::process::Command::new("env")
        .args(["-u", "USER", "-u", "RUNBOOK_LOG_DIR", crate::test::BIN])
        .args(["run", "rb.md", "--yes"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run env");
    assert!(output.status.success(), "{output:?}");
    // `id -un` reads the same database; an account it does not know is `uid:<n>`.
    let id = |arg: &str| {
        let out = std::process::Command::new("id").arg(arg).output().unwrap();
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap().trim().to_string())
    };
    let expected = id("-un").unwrap_or_else(|| format!("uid:{}", id("-u").unwrap()));
    assert_ne!(expected, "unknown");
    let log = log_file(dir.path());
    for event in events(&log) {
        assert_eq!(event["operator"], expected.as_str());
    }
}
