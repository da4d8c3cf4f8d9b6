//! `runbook list` and `runbook check` over files and directories.

use crate::test::{Test, assert_valid, json};

#[test]
fn list_defaults_to_runbooks_dir() {
    Test::new()
        .file("runbooks/b.md", "---\nservice: voice\nseverity: sev1\n---\n# Bee\n## One\n```bash\ntrue\n```\n## Two\ntext\n")
        .file("runbooks/sub/a.md", "# Ay\n## One\ntext\n")
        .args(["list"])
        .stdout(
            "PATH               TITLE  STEPS  COMMANDS  SERVICE  SEVERITY
runbooks/b.md      Bee        2         1  voice    sev1
runbooks/sub/a.md  Ay         1         0  -        -
",
        )
        .run();
}

#[test]
fn list_json_follows_the_schema() {
    let output = Test::new()
        .in_repo()
        .args(["list", "runbooks", "--json"])
        .run();
    let rows = json(&output);
    assert_valid("runbook-list.schema.json", &rows);
    assert!(rows.as_array().unwrap().len() >= 9);
}

#[test]
fn check_clean_file() {
    Test::new()
        .file("ok.md", "## Step\n```bash {readonly}\nuptime\n```\n")
        .args(["check", "ok.md"])
        .stdout("")
        .stderr("checked 1 runbook: 0 errors, 0 warnings\n")
        .run();
}

#[test]
fn check_destructive_command_without_annotation_warns() {
    Test::new()
        .file("rm.md", "## Clean up\n```console\n$ sudo rm -rf /var/lib/freeswitch/db\n```\n")
        .args(["check", "rm.md"])
        .stdout("rm.md:3:1: warning: `rm -r` looks destructive: mark the block `danger` (typed confirmation) or `confirm`\n")
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
}

#[test]
fn check_json_follows_the_schema() {
    let output = Test::new()
        .file(
            "d/a.md",
            "## A\n```bash {timeout=soon}\nkubectl delete pod x\n```\n",
        )
        .file("d/b.md", "## B\ntext\n")
        .args(["check", "d", "--format", "json"])
        .status(1)
        .stderr("checked 2 runbooks: 1 error, 1 warning\n")
        .run();
    let report = json(&output);
    assert_valid("check-report.schema.json", &report);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["diagnostics"][0]["path"], "d/a.md");
    assert_eq!(report["diagnostics"][0]["code"], "destructive-command");
    assert_eq!(report["diagnostics"][1]["code"], "bad-annotation");
    assert_eq!(report["diagnostics"][1]["column"], 10);
}

#[test]
fn unterminated_fence_is_reported_with_what_it_swallowed() {
    Test::new()
        .file("open.md", "## A\n```bash\necho a\n\n## B\ntext\n")
        .args(["check", "open.md"])
        .stdout("open.md:2:1: warning: code block is never closed, so lines up to 6 are code: add a line ``` where it ends\n")
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
}

/// Outside a repository with `runbooks/`, `list` lists the current directory.
#[test]
fn list_defaults_to_the_current_directory_without_runbooks_dir() {
    Test::new()
        .file("demo.md", "# Demo\n\n## Step\n```bash\necho hi\n```\n")
        .file("ops/db.md", "---\nservice: db\n---\n# DB\n\n## One\nDo it.\n\n## Two\nAgain.\n")
        .args(["list"])
        .stdout("PATH       TITLE  STEPS  COMMANDS  SERVICE  SEVERITY\ndemo.md    Demo       1         1  -        -\nops/db.md  DB         2         0  db       -\n")
        .run();
}

/// A command of 8.5 MiB of `"`: 17 MiB as JSON, more than a log line holds (16 MiB).
fn too_large_to_log() -> String {
    format!(
        "# Big\n\n## Dump\n\n```bash\necho '{}'\n```\n",
        "\"".repeat(17 << 19)
    )
}

const TOO_LARGE: &str = "big.md:5:1: error: command 1 of step 1 would be logged as an event of 17 MiB, more than the 16 MiB a log line holds: split it, or run it from a script file\n";

#[test]
fn check_and_run_agree_on_what_the_log_can_hold() {
    Test::new()
        .file("big.md", too_large_to_log())
        .args(["check", "big.md"])
        .status(1)
        .stdout(TOO_LARGE)
        .stderr("checked 1 runbook: 1 error, 0 warnings\n")
        .run();
    let (_, dir) = Test::new()
        .file("big.md", too_large_to_log())
        .args(["run", "--yes", "big.md", "--log-dir", "logs"])
        .status(1)
        .stdout("")
        .stderr(TOO_LARGE)
        .run_keep();
    assert!(!dir.path().join("logs").exists(), "no log is started");
}

/// Placeholder files in a tree of runbooks are warned about, never a reason to exit 2.
#[test]
fn check_warns_about_empty_files_and_files_with_no_steps() {
    Test::new()
        .file("d/empty.md", "")
        .file("d/title.md", "# Only a title\n")
        .file("d/ok.md", "## Step\n```bash {readonly}\nuptime\n```\n")
        .args(["check", "d"])
        .stdout(
            "d/empty.md:1:1: warning: no steps: no heading is followed by text, a list or a code block
d/title.md:1:1: warning: no steps: no heading is followed by text, a list or a code block
",
        )
        .stderr("checked 3 runbooks: 0 errors, 2 warnings\n")
        .run();
}

#[test]
fn list_shows_empty_files_with_no_steps() {
    Test::new()
        .file("d/empty.md", "")
        .file("d/ok.md", "# Ok\n## Step\ntext\n")
        .args(["list", "d"])
        .stdout(
            "PATH        TITLE  STEPS  COMMANDS  SERVICE  SEVERITY
d/empty.md  empty      0         0  -        -
d/ok.md     Ok         1         0  -        -
",
        )
        .stderr("")
        .run();
}

#[test]
fn check_and_list_exit_2_for_a_missing_path() {
    for command in ["check", "list"] {
        Test::new()
            .file("ok.md", "## Step\ntext\n")
            .args([command, "ok.md", "gone.md"])
            .status(2)
            .run();
    }
}

#[test]
fn check_strict_fails_on_warnings() {
    let file = "## Clean up\n```bash\nrm -rf /tmp/x\n```\n";
    let warning = "rm.md:2:1: warning: `rm -r` looks destructive: mark the block `danger` (typed confirmation) or `confirm`\n";
    Test::new()
        .file("rm.md", file)
        .args(["check", "rm.md"])
        .stdout(warning)
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
    Test::new()
        .file("rm.md", file)
        .args(["check", "--strict", "rm.md"])
        .status(1)
        .stdout(warning)
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
    Test::new()
        .file("ok.md", "## Step\n```bash {readonly}\nuptime\n```\n")
        .args(["check", "--strict", "ok.md"])
        .stdout("")
        .run();
}

/// One workflow command per diagnostic; `%` in the message and `,`/`:` in the path are escaped
/// so the runner does not cut the value short.
#[test]
fn check_format_github_writes_workflow_commands() {
    Test::new()
        .file(
            "d/a,b:c.md",
            "## A\n```bash {timeout=50%}\nkubectl delete pod x\n```\n",
        )
        .file("d/empty.md", "")
        .args(["check", "--format", "github", "d"])
        .status(1)
        .stdout(
            "::warning file=d/a%2Cb%3Ac.md,line=2,col=1,title=destructive-command::`kubectl delete` looks destructive: mark the block `danger` (typed confirmation) or `confirm`
::error file=d/a%2Cb%3Ac.md,line=2,col=10,title=bad-annotation::bad duration `50%25`: use a number with a unit, as in `500ms`, `30s`, `5m`, `1h30m`
::warning file=d/empty.md,line=1,col=1,title=no-steps::no steps: no heading is followed by text, a list or a code block
",
        )
        .stderr("checked 2 runbooks: 1 error, 2 warnings\n")
        .run();
}

/// Validated against schemas/check-sarif.schema.json, a hand-written subset of the official
/// SARIF 2.1.0 schema (not obtainable offline; tests run without network).
#[test]
fn check_format_sarif_follows_the_schema() {
    let output = Test::new()
        .file(
            "d/a b.md",
            "## A\n```bash {timeout=soon}\nkubectl delete pod x\n```\n",
        )
        .file("d/empty.md", "")
        .file("d/ok.md", "## Step\n```bash {readonly}\nuptime\n```\n")
        .args(["check", "d", "--format", "sarif"])
        .status(1)
        .stderr("checked 3 runbooks: 1 error, 2 warnings\n")
        .run();
    let log = json(&output);
    assert_valid("check-sarif.schema.json", &log);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "runbook");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let summary: Vec<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            format!(
                "{}:{}:{} {} {}",
                place["artifactLocation"]["uri"].as_str().unwrap(),
                place["region"]["startLine"],
                place["region"]["startColumn"],
                r["level"].as_str().unwrap(),
                r["ruleId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "d/a%20b.md:2:1 warning destructive-command",
            "d/a%20b.md:2:10 error bad-annotation",
            "d/empty.md:1:1 warning no-steps",
        ]
    );
    assert_eq!(
        run["results"][1]["message"]["text"],
        "bad duration `soon`: use a number with a unit, as in `500ms`, `30s`, `5m`, `1h30m`"
    );
}

#[test]
fn check_reports_an_unclosed_annotation_comment_and_reads_the_rest() {
    // Without the fix the comment ran to the end of the file: no step, no warning about `rm -rf`.
    Test::new()
        .file(
            "rb.md",
            "# T\n\n## Wipe\n\n  <!-- runbook: danger\n\n```bash\nrm -rf /data\n```\n",
        )
        .args(["check", "rb.md"])
        .status(1)
        .stdout(
            "rb.md:5:3: error: annotation comment is not closed before the next blank line, so it would hide what follows: end it with `-->` on its line (until then it is ignored)
rb.md:7:1: warning: `rm -r` looks destructive: mark the block `danger` (typed confirmation) or `confirm`
",
        )
        .stderr("checked 1 runbook: 1 error, 1 warning\n")
        .run();
}

#[test]
fn check_reports_transcripts_comment_only_scripts_and_unlabelled_shell_at_their_lines() {
    Test::new()
        .file(
            "t.md",
            "## Disk\n```bash\ndf -h\nFilesystem      Size  Used Avail\n```\n## Restart\n```bash\n# nothing to run: watch the graph\n```\n## Pods\n```\nkubectl get pods\n```\n",
        )
        .args(["check", "t.md"])
        .stdout(concat!(
            "t.md:4:1: warning: this `bash` block mixes commands with their output, so it is not run: label the block `console` and prefix commands with `$ `, or move the output into its own block\n",
            "t.md:8:1: warning: this script block holds only comments, so there is nothing to run: a `# ` root prompt? label the block `console`; else remove the block or the `# `\n",
            "t.md:12:1: info: this unlabelled block reads as shell, so it is run only once confirmed: label the block ```bash\n",
        ))
        // An info is a suggestion: neither counted nor failing.
        .stderr("checked 1 runbook: 0 errors, 2 warnings\n")
        .run();
}
