//! `runbook show`: the plan as text and as JSON.

use crate::test::{Test, assert_valid, json};

const RESTART: &str = r#"---
title: Restart a FreeSWITCH node
service: voice
severity: sev2
regions: [eu-west-2, eu-central-1]
variables:
  NODE:
    description: FreeSWITCH host
    pattern: '^fs-[a-z0-9-]+$'
  TOKEN: {secret: true}
---
# Restart a FreeSWITCH node

Use when calls fail on one node.

## Diagnose

### Check the node
<!-- runbook: step id=check -->
```console
$ fs_cli -x "sofia status"
Profile internal RUNNING
```

## Restart

1. Drain it
   ```bash {name=drain confirm timeout=2m}
   opensips-cli -x mi ds_set_state i 1 "sip:$NODE"
   ```
2. Restart it
   <!-- runbook: danger -->
   ```bash
   ssh "$NODE" sudo systemctl restart freeswitch
   ```
- [ ] Tell #incident
"#;

#[test]
fn plan_as_text() {
    Test::new()
        .file("restart.md", RESTART)
        .args(["show", "restart.md"])
        .stdout(
            "Restart a FreeSWITCH node
restart.md · sha256 0b54b3e7f566 · service voice · severity sev2 · regions eu-west-2, eu-central-1

Introduction
  Use when calls fail on one node.

Variables
  NODE   declared, pattern ^fs-[a-z0-9-]+$  FreeSWITCH host
  TOKEN  declared, secret

Steps
  1. Diagnose › Check the node  [check, line 18]
     (1) console
         $ fs_cli -x \"sofia status\"
  2. Restart  [restart, line 25]
     [ ] 1. Drain it
       (1) script · bash · name drain · confirm · timeout 2m
           opensips-cli -x mi ds_set_state i 1 \"sip:$NODE\"
     [ ] 2. Restart it
       (2) script · bash · danger
           ssh \"$NODE\" sudo systemctl restart freeswitch
     [ ] 3. Tell #incident
",
        )
        .stderr("")
        .run();
}

#[test]
fn plan_as_json_follows_the_schema() {
    let output = Test::new()
        .file("restart.md", RESTART)
        .args(["show", "restart.md", "--json"])
        .run();
    let plan = json(&output);
    assert_valid("runbook-plan.schema.json", &plan);
    assert_eq!(
        plan["steps"][1]["commands"][1]["annotations"]["danger"],
        true
    );
    assert_eq!(
        plan["steps"][0]["commands"][0]["expected_output"],
        "Profile internal RUNNING"
    );
    assert_eq!(
        plan["steps"][1]["checklist"][0]["commands"],
        serde_json::json!([1])
    );
}

#[test]
fn warnings_go_to_stderr_and_the_plan_still_shows() {
    // A file that starts at H2 takes that heading as its title.
    let output = Test::new()
        .file("w.md", "## Step\n<!-- runbook: readonly -->\n\ntext\n")
        .args(["show", "w.md"])
        .stderr("w.md:2:1: warning: this annotation comment is not followed by a code block, so it applies to nothing\n")
        .run();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("Step\n"));
}
