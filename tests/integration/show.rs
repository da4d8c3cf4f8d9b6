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

const STATEMENTS: &str = "# Fail over

## Move traffic
```bash {confirm name=move}
# Fail over to A
failover --to a

# Watch DNS
watch dig +short app.example
rmht verify <HO-ID>
```

```bash {whole}
echo one
echo two
```
";

#[test]
fn plan_as_json_gives_each_statement_its_block_label_interactive_and_placeholders() {
    let output = Test::new()
        .file("fo.md", STATEMENTS)
        .args(["show", "fo.md", "--json"])
        .run();
    let plan = json(&output);
    assert_valid("runbook-plan.schema.json", &plan);
    let commands = plan["steps"][0]["commands"].as_array().unwrap();
    let seen: Vec<(String, u64, u64, Option<&str>, bool)> = commands
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                c["line"].as_u64().unwrap(),
                c["block"].as_u64().unwrap(),
                c["label"].as_str(),
                c["interactive"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "failover --to a".into(),
                6,
                1,
                Some("Fail over to A"),
                false
            ),
            (
                "watch dig +short app.example".into(),
                9,
                1,
                Some("Watch DNS"),
                true
            ),
            ("rmht verify <HO-ID>".into(), 10, 1, None, false),
            ("echo one\necho two\n".into(), 13, 2, None, false),
        ]
    );
    assert_eq!(commands[1]["annotations"]["name"], "move-2");
    assert_eq!(commands[1]["annotations"]["confirm"], true);
    let placeholder = &commands[2]["placeholders"][0];
    assert_eq!(placeholder["text"], "<HO-ID>");
    assert_eq!(placeholder["variable"], "HO_ID");
    assert_eq!(placeholder["offset"], 12);
    assert_eq!(commands[3]["annotations"]["whole"], true);
}

#[test]
fn check_reports_a_placeholder_as_information_at_its_place() {
    let output = Test::new()
        .file("fo.md", STATEMENTS)
        .args(["check", "fo.md", "--format", "json"])
        .run();
    let report = json(&output);
    assert_valid("check-report.schema.json", &report);
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "placeholder")
        .expect("a placeholder diagnostic");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(10), Some(13))
    );
    assert_eq!(d["severity"], "info");
    assert!(d["message"].as_str().unwrap().contains("`HO_ID`"));
}
