//! Context and variables in a real pseudo-terminal, colours on, as an operator's terminal has:
//! the runbook's description and introduction before the first step and on `i`, the progress
//! header, `p`, `g` with its did-you-mean, variables asked when a command needs them, `v`, and a
//! resume that restores values from the log and asks for secrets again.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Expect, Regex};

use crate::run::{events, log_file};
use crate::test::{BIN, Test, assert_valid, json};

type Pty = expectrl::session::OsSession;

/// `runbook ARGS` in a fresh pseudo-terminal in `dir`, as an operator's terminal: xterm-256color,
/// colours on.
fn spawn(dir: &Path, args: &[&str]) -> Pty {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("RUNBOOK_LOG_DIR")
        .env("USER", "oncall")
        .env("TERM", "xterm-256color");
    crate::pty::spawn(command, 80, 24)
}

/// Hidden input turns echo off after its prompt is written, discarding what was typed before
/// (TCSAFLUSH): give it a moment, as a person reading the prompt does.
fn type_secret(p: &mut Pty, secret: &str) {
    std::thread::sleep(Duration::from_millis(300));
    p.send_line(secret).unwrap();
}

fn exit_code(session: &mut Pty) -> String {
    session.expect(Eof).ok();
    format!(
        "{:?}",
        session.get_process().wait().expect("wait for runbook")
    )
}

const FAILOVER: &str = "---
title: Proxy failover
description: Fail the SQL proxy over to the standby. Writes fail for 30-60 s.
---
# Proxy failover

Work from the bastion. Get approval from the duty manager first.

## Check
```bash {readonly}
echo checked-the-proxy
```

## Find the standby
Look it up in the inventory.

## Fail over
```bash
echo failing-over
```
";

#[test]
fn context_before_the_first_step_progress_in_every_header_and_i_p_g() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("failover.md"), FAILOVER).unwrap();
    let mut p = spawn(dir.path(), &["run", "failover.md"]);
    // Colours are on: the header is bold.
    p.expect("\u{1b}[1m── About this runbook").unwrap();
    p.expect("Fail the SQL proxy over to the standby. Writes fail for 30-60 s.")
        .unwrap();
    p.expect("Work from the bastion. Get approval from the duty manager first.")
        .unwrap();
    p.expect("── Step 1/3 · 0 done · T+00:0").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("checked-the-proxy").unwrap();
    p.expect("── Step 2/3 · 1 done · T+00:0").unwrap();
    p.expect("(Enter: done by hand)").unwrap();
    p.send("s").unwrap();
    p.expect("Why skip this step?").unwrap();
    p.send_line("the NOC named it").unwrap();
    p.expect("── Step 3/3 · 1 done · 1 skipped · T+00:0")
        .unwrap();
    p.expect("(Enter: run)").unwrap();

    // `i`: the context again; `p`: the step again.
    p.send("i").unwrap();
    p.expect("── About this runbook").unwrap();
    p.expect("Work from the bastion.").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("p").unwrap();
    p.expect("── Step 3/3 · 1 done · 1 skipped").unwrap();
    p.expect("(Enter: run)").unwrap();

    // `g`: the steps with their status; a typo is answered with the closest step.
    p.send("g").unwrap();
    p.expect(Regex("1 \u{1b}\\[32m✔\u{1b}\\[0m Check")).unwrap();
    p.expect(Regex("2 \u{1b}\\[33m↷\u{1b}\\[0m Find the standby"))
        .unwrap();
    p.expect(Regex("→ 3 ▸ Fail over")).unwrap();
    p.expect("Go to step").unwrap();
    p.send_line("chekc").unwrap();
    p.expect("no step `chekc`; did you mean step 1 `check` (Check)?")
        .unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("g").unwrap();
    p.expect("Go to step").unwrap();
    p.send_line("find").unwrap();
    p.expect("── Step 2/3 · 1 done · T+").unwrap();
    p.expect("(Enter: done by hand)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    p.expect("walk paused").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));

    let all = events(&log_file(dir.path()));
    let visits: Vec<u64> = all
        .iter()
        .filter(|e| e["type"] == "step_started")
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    assert_eq!(visits, [1, 2, 3, 2], "the typo went nowhere");
}

const VARIABLES: &str = "---
variables:
  REGION: {description: AWS region, default: eu-west-2}
  HOST: {description: the standby, pattern: '^db-[0-9]+$'}
  TOKEN: {description: API token, secret: true}
  TICKET: {description: change ticket}
---
# Failover

## Check
```bash {readonly}
echo \"checking $REGION\"
```

## Fail over
```bash
echo \"failing over to $HOST in $REGION with $TOKEN\"
```

## Verify
```bash
echo \"verify $HOST in $REGION with $TOKEN\"
```
";

/// The `variable_set` events of a log: (name, source, value).
fn variable_sets(all: &[serde_json::Value]) -> Vec<(String, String, serde_json::Value)> {
    all.iter()
        .filter(|e| e["type"] == "variable_set")
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["source"].as_str().unwrap().to_string(),
                e["value"].clone(),
            )
        })
        .collect()
}

#[test]
fn variables_are_asked_when_needed_changed_with_v_and_restored_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), VARIABLES).unwrap();
    let mut p = spawn(dir.path(), &["run", "rb.md"]);
    // No command reads TICKET, so it is asked before the first step; REGION waits for its command.
    p.expect("TICKET (change ticket)").unwrap();
    p.send_line("CHG-7").unwrap();
    p.expect("── Step 1/3").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("REGION (AWS region)").unwrap();
    p.send("\r").unwrap();
    p.expect("checking eu-west-2").unwrap();

    // `v`: the list (HOST not asked yet, TOKEN too), then REGION changed.
    p.expect("── Step 2/3").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("v").unwrap();
    p.expect(Regex("REGION.*eu-west-2.*\\(default\\)")).unwrap();
    p.expect(Regex("HOST.*not asked yet")).unwrap();
    p.expect("Change which variable?").unwrap();
    p.send_line("region").unwrap();
    p.expect("REGION (AWS region)").unwrap();
    p.send_line("us-east-1").unwrap();
    p.expect("REGION set").unwrap();

    // The failover needs HOST and TOKEN: asked together, in the author's order.
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("values needed: HOST, TOKEN").unwrap();
    p.expect("HOST (the standby)").unwrap();
    p.send_line("fs-1").unwrap();
    p.expect("`fs-1` does not match `^db-[0-9]+$`; try again")
        .unwrap();
    p.expect("HOST (the standby)").unwrap();
    p.send_line("db-2").unwrap();
    p.expect("TOKEN (API token) (hidden)").unwrap();
    type_secret(&mut p, "s3cret-token");
    p.expect("failing over to db-2 in us-east-1 with [REDACTED]")
        .unwrap();
    p.expect("── Step 3/3").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    assert!(exit_code(&mut p).ends_with(", 3)"));

    let log = log_file(dir.path());
    let all = events(&log);
    assert_eq!(all[0]["variables"], serde_json::json!([]));
    let s = |v: &str| serde_json::Value::String(v.into());
    assert_eq!(
        variable_sets(&all),
        [
            ("TICKET".into(), "prompt".into(), s("CHG-7")),
            ("REGION".into(), "default".into(), s("eu-west-2")),
            ("REGION".into(), "prompt".into(), s("us-east-1")),
            ("HOST".into(), "prompt".into(), s("db-2")),
            ("TOKEN".into(), "prompt".into(), serde_json::Value::Null),
        ]
    );
    // Each value is on disk before the command that uses it starts.
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let token = types.iter().rposition(|t| *t == "variable_set").unwrap();
    assert_eq!(
        types[token + 1..token + 3],
        ["command_approved", "command_started"]
    );
    let text = fs::read_to_string(&log).unwrap();
    assert!(!text.contains("s3cret-token"), "a secret reached the log");

    // Resume: values come back from the log, `--var` is logged, the secret is asked again.
    let mut p = spawn(
        dir.path(),
        &["resume", log.to_str().unwrap(), "--var", "TICKET=CHG-8"],
    );
    p.expect("Resuming: Failover").unwrap();
    p.expect("── Step 3/3").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("TOKEN (API token) (hidden)").unwrap();
    type_secret(&mut p, "s3cret-token");
    p.expect("verify db-2 in us-east-1 with [REDACTED]")
        .unwrap();
    p.expect("walk finished").unwrap();
    assert!(exit_code(&mut p).ends_with(", 0)"));

    let all = events(&log);
    let sets = variable_sets(&all);
    assert_eq!(
        sets[5..],
        [
            ("TICKET".into(), "flag".into(), s("CHG-8")),
            ("TOKEN".into(), "prompt".into(), serde_json::Value::Null),
        ]
    );
    for e in &all {
        assert_valid("incident-log.schema.json", e);
    }
    Test::new()
        .args(["verify", log.to_str().unwrap()])
        .stdout_starts_with("ok: ")
        .run();
    // The export's header shows each variable's last value, the secret hidden.
    let export = json(
        &Test::new()
            .args(["export", log.to_str().unwrap(), "--format", "json"])
            .run(),
    );
    let header: Vec<(String, serde_json::Value)> = export["header"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["value"].clone()))
        .collect();
    assert_eq!(
        header,
        [
            ("TICKET".into(), s("CHG-8")),
            ("REGION".into(), s("us-east-1")),
            ("HOST".into(), s("db-2")),
            ("TOKEN".into(), serde_json::Value::Null),
        ]
    );
}
