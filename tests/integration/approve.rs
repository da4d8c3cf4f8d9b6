//! What the operator approves is what runs, in a real pseudo-terminal with an operator's
//! settings (TERM=xterm-256color, colours on): the whole command shown resolved before
//! `confirm` and DANGER prompts, every retry asked again, `e` through `$VISUAL`, earlier
//! outcomes on a reopened step, and the approval events in the log.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Expect};

use crate::run::{events, log_file};
use crate::test::{BIN, assert_valid};

type Pty = expectrl::session::OsSession;

/// `runbook ARGS` in a fresh pseudo-terminal in `dir`, as an operator's terminal is: colours on.
fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env("USER", "oncall")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        command.env(k, v);
    }
    crate::pty::spawn(command, 80, 24)
}

fn exit_code(session: &mut Pty) -> String {
    session.expect(Eof).ok();
    format!(
        "{:?}",
        session.get_process().wait().expect("wait for runbook")
    )
}

const DANGER: &str = "---
variables:
  NODE: {description: node}
  TOKEN: {secret: true}
---
# Restart

## Restart the node
```bash {danger whole timeout=1m name=restart-node}
echo \"restarting $NODE\" ${TOKEN:+with-token}
echo \"token $TOKEN\" > /dev/null; sleep 30
```
";

#[test]
fn danger_shows_the_whole_resolved_command_and_a_retry_after_ctrl_c_asks_again() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), DANGER).unwrap();
    let mut p = spawn(
        dir.path(),
        &[
            "run",
            "rb.md",
            "--var",
            "NODE=fs-1",
            "--var",
            "TOKEN=s3cret",
        ],
        &[],
    );
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    // The whole command, every line, variables resolved, the secret by name; where and how.
    p.expect("DANGER · step 1 · command 1 (restart-node)")
        .unwrap();
    p.expect("echo \"restarting fs-1\" ${TOKEN:+with-token}")
        .unwrap();
    p.expect("echo \"token [secret TOKEN]\" > /dev/null; sleep 30")
        .unwrap();
    p.expect("bash -c · timeout 1m").unwrap();
    p.expect("type `yes` to run command 1 as shown").unwrap();
    p.send_line("yes").unwrap();
    p.expect("restarting fs-1 with-token").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("command 1 failed: interrupted").unwrap();
    p.expect("(Enter: retry)").unwrap();
    p.send("r").unwrap();
    // The retry is put to the operator again, and says which attempt it is.
    p.expect("attempt 2").unwrap();
    p.expect("type `yes` to run command 1 as shown").unwrap();
    p.send_line("no").unwrap();
    p.expect("`yes` was not typed").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));

    let all = events(&log_file(dir.path()));
    let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let approved = kinds.iter().position(|t| *t == "command_approved").unwrap();
    assert_eq!(kinds[approved + 1], "command_started");
    assert_eq!(all[approved]["how"], "typed-yes");
    assert_eq!(all[approved]["attempt"], 1);
    let refused = all.iter().find(|e| e["type"] == "command_refused").unwrap();
    assert_eq!(
        (refused["answer"].as_str(), refused["attempt"].as_u64()),
        (Some("no"), Some(2))
    );
    assert_eq!(
        kinds.iter().filter(|t| **t == "command_started").count(),
        1,
        "the refused retry never started"
    );
    for e in &all {
        assert_valid("incident-log.schema.json", e);
    }
}

const CONFIRM: &str = "# Edit

## Greet
```bash {confirm whole}
echo hello $NODE
echo second line
```

## Read
Look at the greeting.
";

#[test]
fn e_edits_in_visual_the_edit_is_approved_then_run_and_b_shows_the_past() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), CONFIRM).unwrap();
    // An editor that rewrites the file it is given, as an operator would.
    let editor = dir.path().join("fake-editor");
    fs::write(&editor, "#!/bin/sh\nsed -i 's/hello/goodbye/' \"$1\"\n").unwrap();
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).unwrap();
    let mut p = spawn(
        dir.path(),
        &["run", "rb.md", "--var", "NODE=fs-1"],
        &[("VISUAL", editor.to_str().unwrap())],
    );
    p.expect("(Enter: run)").unwrap();
    p.send("e").unwrap();
    p.expect("command 1 edited; it runs only once you approve it")
        .unwrap();
    p.expect("EDITED (not the runbook's text)").unwrap();
    p.expect("echo goodbye fs-1").unwrap();
    p.expect("echo second line").unwrap();
    p.expect("Run command 1 as shown? [y/N]").unwrap();
    p.send("y").unwrap();
    p.expect("goodbye fs-1").unwrap();
    p.expect("command 1 exit 0").unwrap();
    // Step 2: back to step 1, which tells how its command ended before asking anything.
    p.expect("── Step 2/2").unwrap();
    p.expect("(Enter: done by hand)").unwrap();
    p.send("b").unwrap();
    p.expect("Before, in this step:").unwrap();
    p.expect("ran: exit 0 at").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    // The reopened step runs the runbook's text again, and asks again.
    p.expect("echo hello fs-1").unwrap();
    p.expect("before: ran: exit 0 at").unwrap();
    p.expect("Run command 1 as shown? [y/N]").unwrap();
    p.send("n").unwrap();
    p.expect("command 1 not run: the operator said no").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));

    let all = events(&log_file(dir.path()));
    let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let edited = kinds.iter().position(|t| *t == "command_edited").unwrap();
    assert_eq!(
        &kinds[edited..edited + 3],
        ["command_edited", "command_approved", "command_started"]
    );
    assert_eq!(
        all[edited]["original"],
        "echo hello $NODE\necho second line\n"
    );
    assert_eq!(
        all[edited]["code"],
        "echo goodbye $NODE\necho second line\n"
    );
    assert_eq!(all[edited + 1]["how"], "key");
    assert_eq!(
        all[edited + 2]["code"],
        "echo goodbye $NODE\necho second line\n"
    );
    let refused = all.iter().find(|e| e["type"] == "command_refused").unwrap();
    assert_eq!(refused["answer"], "n");
    for e in &all {
        assert_valid("incident-log.schema.json", e);
    }
}
