//! The walk through a real pseudo-terminal, as an operator at a keyboard sees it (expectrl).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Expect, Regex};

use crate::run::{events, types};
use crate::test::{BIN, repo};

type Pty = expectrl::session::OsSession;

/// `runbook ARGS` in a fresh pseudo-terminal, in `dir`, with colours off.
fn spawn(dir: &Path, args: &[&str]) -> Pty {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("USER", "oncall")
        .env("TERM", "xterm");
    crate::pty::spawn(command, 80, 24)
}

fn exit_code(session: &mut Pty) -> String {
    session.expect(Eof).ok();
    format!(
        "{:?}",
        session.get_process().wait().expect("wait for runbook")
    )
}

fn log_in(dir: &Path) -> std::path::PathBuf {
    crate::run::log_file(dir)
}

#[test]
fn walk_the_demo_with_run_all_checklist_failure_retry_skip_note_and_confirm() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("runbooks/demo.md"), dir.path().join("demo.md")).unwrap();
    let mut p = spawn(dir.path(), &["run", "demo.md", "--incident", "DRILL-1"]);
    // What the runbook is about comes first; a variable is asked when a command first needs it.
    p.expect("About this runbook").unwrap();
    p.expect("── Step 1/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    // Three statements, three commands: `a` runs them in order.
    p.send("a").unwrap();
    p.expect("GREETING (Word the demo greets you with)")
        .unwrap();
    p.send_line("howdy").unwrap();
    p.expect("howdy from the runbook demo").unwrap();
    p.expect("command 1 exit 0").unwrap();
    // Step 2: run all three console commands.
    p.expect("── Step 2/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("a").unwrap();
    p.expect("command 3 exit 0").unwrap();
    // Step 3: three checklist items, each confirmed on its own (its text block is for
    // reference only: no item).
    p.expect("── Step 3/7").unwrap();
    for _ in 0..3 {
        p.expect("(Enter: done by hand)").unwrap();
        p.send("d").unwrap();
    }
    // Step 4: the failing command, retried once, then skipped with a reason.
    p.expect("── Step 4/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("command 1 failed: exit 1").unwrap();
    p.expect("(Enter: retry)").unwrap();
    p.send("r").unwrap();
    p.expect("attempt 2").unwrap();
    p.expect("(Enter: retry)").unwrap();
    p.send("s").unwrap();
    p.expect("Why skip this command?").unwrap();
    p.send_line("file is missing on purpose").unwrap();
    p.expect("step 4 failed").unwrap();
    // Step 5: a note, then skip the slow step.
    p.expect("── Step 5/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("n").unwrap();
    p.expect("kind of note").unwrap();
    p.send("y").unwrap();
    p.expect("hypothesis:").unwrap();
    p.send_line("the demo file was never created").unwrap();
    p.expect("hypothesis recorded").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("s").unwrap();
    p.expect("Why skip this step?").unwrap();
    p.send_line("no time for ticks").unwrap();
    // Step 6: a `confirm` command asks first.
    p.expect("── Step 6/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("[y/N]").unwrap();
    p.send("y").unwrap();
    p.expect("howdy, this file was written by the demo")
        .unwrap();
    p.expect("command 1 exit 0").unwrap();
    // Step 7, then the summary.
    p.expect("── Step 7/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect(Regex("4\\s+failed")).unwrap();
    p.expect("walk finished with 1 failed step(s)").unwrap();
    assert!(exit_code(&mut p).ends_with(", 1)"));

    let log = log_in(dir.path());
    let all = events(&log);
    assert_eq!(all[0]["incident"], "DRILL-1");
    assert_eq!(all[0]["operator"], "oncall");
    let greeting = all.iter().find(|e| e["type"] == "variable_set").unwrap();
    assert_eq!(
        (&greeting["name"], &greeting["source"], &greeting["value"]),
        (&"GREETING".into(), &"prompt".into(), &"howdy".into())
    );
    let skipped = all.iter().find(|e| e["type"] == "command_skipped").unwrap();
    assert_eq!(skipped["reason"], "file is missing on purpose");
    let note = all.iter().find(|e| e["type"] == "note").unwrap();
    assert_eq!(
        (note["kind"].as_str(), note["step"].as_i64()),
        (Some("hypothesis"), Some(5))
    );
    let checks = all
        .iter()
        .filter(|e| e["type"] == "checklist_item" && e["automatic"] == false)
        .count();
    assert_eq!(checks, 3);
    let statuses: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] == "step_finished")
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["done", "done", "done", "failed", "skipped", "done", "done"]
    );
    for e in &all {
        crate::test::assert_valid("incident-log.schema.json", e);
    }
}

const SLOW: &str = "# Slow\n\n## Wait\n```bash\necho started; sleep 30\n```\n\n## Bounded\n```bash {timeout=1s}\nsleep 30\n```\n\n## Last\nRead this.\n";

#[test]
fn ctrl_c_stops_the_command_not_the_walk_and_timeouts_kill_the_group() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("slow.md"), SLOW).unwrap();
    let mut p = spawn(dir.path(), &["run", "slow.md"]);
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("started").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("command 1 failed: interrupted").unwrap();
    // Back at a prompt: the session goes on.
    p.expect("(Enter: retry)").unwrap();
    p.send("d").unwrap();
    p.expect("── Step 2/3").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("command 1 failed: timed out after 1s").unwrap();
    p.expect("(Enter: retry)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    p.expect("walk paused").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));
    let all = events(&log_in(dir.path()));
    let finished: Vec<&serde_json::Value> = all
        .iter()
        .filter(|e| e["type"] == "command_finished")
        .collect();
    assert_eq!(finished[0]["interrupted"], true);
    assert_eq!(finished[1]["timed_out"], true);
    assert!(finished[1]["duration_ms"].as_u64().unwrap() < 5000);
}

#[test]
fn quit_then_resume_in_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("runbooks/demo.md"), dir.path().join("demo.md")).unwrap();
    let mut p = spawn(dir.path(), &["run", "demo.md", "--var", "GREETING=hi"]);
    p.expect("(Enter: run)").unwrap();
    p.send("a").unwrap();
    p.expect("── Step 2/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    p.expect("continue with: runbook resume").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));
    let log = log_in(dir.path());

    let mut p = spawn(
        dir.path(),
        &[
            "resume",
            log.to_str().unwrap(),
            "--operator",
            "second-shift",
        ],
    );
    p.expect("Resuming: Demo runbook").unwrap();
    p.expect("continuing at step 2").unwrap();
    p.expect("── Step 2/7").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));
    let t = types(&log);
    assert_eq!(t.iter().filter(|t| *t == "session_paused").count(), 2);
    let all = events(&log);
    let handoff = all.iter().find(|e| e["type"] == "handoff").unwrap();
    assert_eq!(
        (handoff["from"].as_str(), handoff["to"].as_str()),
        (Some("oncall"), Some("second-shift"))
    );
    assert_eq!(all.last().unwrap()["operator"], "second-shift");
}
