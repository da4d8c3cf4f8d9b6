//! `runbook export`, `timeline` and `compare` through the binary, on logs made by real walks of
//! the fixture runbooks and on logs built through the library with a fake clock.

mod browser;
mod logs;
#[path = "../common/needs.rs"]
mod needs;
mod props;
mod secrets;
mod slack;
use props::{exports_of_any_log_never_panic, exports_of_edge_logs_never_panic};
use secrets::{
    a_secret_coloured_by_grep_is_in_no_export, no_secret_reaches_the_log_or_any_export,
    no_secret_survives_the_redactor_in_any_form,
    whatever_the_exports_strip_between_two_bytes_the_redactor_skips,
};
use slack::{
    slack_summaries_fit_a_message_whatever_the_incident,
    slack_summary_of_an_incident_with_back_dated_milestones,
};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_runbook");

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir` (no terminal, no colour, `USER=tester`).
pub fn runbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RUNBOOK_LOG_DIR")
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .stdin(Stdio::null())
        .output()
        .expect("run runbook")
}

/// Runs the binary and checks its exit code; returns stdout.
pub fn ok(dir: &Path, args: &[&str], status: i32) -> (String, String) {
    let out = runbook(dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(status),
        "runbook {args:?}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    );
    (stdout, stderr)
}

/// Validates `instance` against a schema in `schemas/`, listing every violation on failure.
pub fn assert_valid(schema_file: &str, instance: &Value) {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(repo().join("schemas").join(schema_file)).expect("read schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_file}:\n{}", errors.join("\n"));
}

/// Exports `logs` as JSON and aws-timeline, validating both against their schemas; returns the JSON.
pub fn export_json(dir: &Path, logs: &[&str]) -> Value {
    let mut args = vec!["export", "--format", "json"];
    args.extend(logs);
    let (json, _) = ok(dir, &args, 0);
    let doc: Value = serde_json::from_str(&json).expect("export is JSON");
    assert_valid("incident-export.schema.json", &doc);
    let mut args = vec!["export", "--format", "aws-timeline"];
    args.extend(logs);
    let (aws, _) = ok(dir, &args, 0);
    let events: Value = serde_json::from_str(&aws).expect("aws-timeline is JSON");
    assert_valid("aws-timeline.schema.json", &events);
    for e in events.as_array().expect("an array") {
        let data: Value = serde_json::from_str(e["eventData"].as_str().expect("a string"))
            .expect("eventData is a JSON string");
        assert!(
            data["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{data}"
        );
    }
    doc
}

/// Replaces what changes from one real walk to the next: times, offsets, durations, session ids,
/// the host name and the temporary directory.
pub fn normalize(text: &str, dir: &Path, log: &Path) -> String {
    let mut s = text.replace(&dir.display().to_string(), "[DIR]");
    if let Ok(raw) = fs::read_to_string(log) {
        let mut sessions = Vec::new();
        for line in raw.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(id) = v["session"].as_str()
                && !sessions.contains(&id.to_string())
            {
                sessions.push(id.to_string());
            }
            if let Some(host) = v["hostname"].as_str() {
                for (from, to) in [
                    (format!(" on {host}"), " on [HOST]".to_string()),
                    (format!("| {host} |"), "| [HOST] |".to_string()),
                    (
                        format!("\"hostname\": \"{host}\""),
                        "\"hostname\": \"[HOST]\"".to_string(),
                    ),
                    (
                        format!("\"hostnames\": [\n      \"{host}\""),
                        "\"hostnames\": [\n      \"[HOST]\"".to_string(),
                    ),
                ] {
                    s = s.replace(&from, &to);
                }
            }
        }
        for (i, id) in sessions.iter().enumerate() {
            s = s.replace(id, &format!("[SESSION{}]", i + 1));
            s = s.replace(&id[..8.min(id.len())], &format!("[S{}]", i + 1));
        }
    }
    let rules = [
        (
            r#""(duration_ms|offset_ms|start_offset_ms|time_to_mitigate_ms|time_to_resolve_ms)": \d+"#,
            r#""$1": "[N]""#,
        ),
        (r#""tool_version": "[^"]*""#, r#""tool_version": "[V]""#),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "[TS]"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", "[TIME]"),
        (r"\b\d{2}:\d{2}:\d{2}\b", "[CLOCK]"),
        (r"T\+\d+:\d{2}", "T+[OFF]"),
        (
            // After a space or `(`, so that `\033[0m` in a command stays as it is.
            r"(^|[\s(])(?:\d+h(?:\d{2}m)?(?:\d{2}s)?|\d+m(?:\d{2}s)?|\d+(?:\.\d)?(?:ms|s))\b",
            "${1}[DUR]",
        ),
        (r"\d{8}T\d{6}Z", "[STAMP]"),
    ];
    for (re, to) in rules {
        s = regex_lite::Regex::new(re)
            .expect("regex")
            .replace_all(&s, to)
            .into_owned();
    }
    s
}

/// A temporary directory with the fixture runbooks copied in.
pub fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for f in fs::read_dir(repo().join("tests/export/fixtures")).expect("fixtures") {
        let f = f.expect("fixture");
        if f.path().extension().is_some_and(|e| e == "md") {
            fs::copy(f.path(), dir.path().join(f.file_name())).expect("copy fixture");
        }
    }
    dir
}

/// The single `.jsonl` under `dir/logs`, copied to `dir/name` (a stable name for snapshots).
pub fn take_log(dir: &Path, name: &str) -> PathBuf {
    let logs: Vec<PathBuf> = fs::read_dir(dir.join("logs"))
        .expect("logs dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let to = dir.join(name);
    fs::rename(&logs[0], &to).expect("move log");
    to
}

/// A live walk of `widget.md` by alice that fails at step 2 (no marker file), then, once the
/// marker exists, resumed by bob: a failure, a pause, a resumption, a hand-off and a retry.
/// Carol rehearses `widget.md` under `--yes`; the log is `drill.jsonl`.
fn drill_walk(dir: &Path) -> PathBuf {
    ok(
        dir,
        &[
            "run",
            "--rehearse",
            "--yes",
            "widget.md",
            "--operator",
            "carol",
            "--log-dir",
            "logs",
        ],
        0,
    );
    take_log(dir, "drill.jsonl")
}

pub fn live_walk(dir: &Path) -> PathBuf {
    ok(
        dir,
        &[
            "run",
            "--yes",
            "widget.md",
            "--incident",
            "INC-7",
            "--operator",
            "alice",
            "--log-dir",
            "logs",
        ],
        1,
    );
    let log = take_log(dir, "live.jsonl");
    fs::write(dir.join("ok.marker"), "").expect("marker");
    ok(
        dir,
        &["resume", "--yes", "live.jsonl", "--operator", "bob"],
        0,
    );
    log
}

fn live_walk_exports_to_markdown_and_json() {
    let dir = workdir();
    let log = live_walk(dir.path());
    let (md, stderr) = ok(dir.path(), &["export", "live.jsonl"], 0);
    assert_eq!(stderr, "", "no warning for an intact log");
    // Colours and carriage returns of command output do not reach the report.
    assert!(!md.contains('\u{1b}') && !md.contains('\r'), "{md}");
    assert!(md.contains("widget is down\nred\n"), "{md}");
    assert!(md.contains("| 2 | Restart the widget | done |"), "{md}");
    assert!(md.contains("up to attempt 2"), "{md}");
    assert!(md.contains("hand-off: alice → bob"), "{md}");
    assert!(
        md.contains("paused: command 1 of step 2 failed under --yes"),
        "{md}"
    );
    insta::assert_snapshot!("live_markdown", normalize(&md, dir.path(), &log));

    let doc = export_json(dir.path(), &["live.jsonl"]);
    assert_eq!(doc["header"]["mode"], "live");
    assert_eq!(
        doc["header"]["operators"],
        serde_json::json!(["alice", "bob"])
    );
    assert_eq!(doc["steps"][1]["max_attempt"], 2);
    assert_eq!(doc["steps"][1]["failed_commands"], 1);
    assert_eq!(doc["sessions"][0]["outcome"], "paused");
    assert_eq!(doc["sessions"][1]["outcome"], "finished");
    assert_eq!(doc["logs"][0]["chain"], "intact");
    let pretty = serde_json::to_string_pretty(&doc).expect("json");
    insta::assert_snapshot!("live_json", normalize(&pretty, dir.path(), &log));
}

fn rehearsal_is_exported_as_a_rehearsal() {
    let dir = workdir();
    drill_walk(dir.path());
    let doc = export_json(dir.path(), &["drill.jsonl"]);
    assert_eq!(doc["header"]["mode"], "rehearsal");
    let statuses: Vec<&str> = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["done", "rehearsed", "done"], "{doc:#}");
    let (md, _) = ok(dir.path(), &["export", "drill.jsonl"], 0);
    assert!(md.contains("| Mode | rehearsal |"), "{md}");
}

fn several_logs_merge_into_one_timeline_with_notes_lookups_and_milestones() {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let (md, stderr) = ok(dir.path(), &["export", "alice.jsonl", "bob.jsonl"], 0);
    assert_eq!(stderr, "");
    insta::assert_snapshot!("incident_markdown", md);
    let doc = export_json(dir.path(), &["alice.jsonl", "bob.jsonl"]);
    let mut fixed = doc.clone();
    fixed["tool_version"] = "[V]".into();
    insta::assert_json_snapshot!("incident_json", fixed);
    // Detected at T+1:00, mitigated at T+10:00, resolved at T+15:00.
    assert_eq!(doc["milestones"]["measured_from"], "detected");
    assert_eq!(doc["milestones"]["time_to_mitigate_ms"], 540_000);
    assert_eq!(doc["milestones"]["time_to_resolve_ms"], 840_000);
    assert_eq!(
        doc["header"]["regions"],
        serde_json::json!(["eu-central-1", "eu-west-2"])
    );
    // Ordered by time across the logs, ties by log then seq.
    let events = doc["events"].as_array().expect("events");
    let keys: Vec<(String, u64, u64)> = events
        .iter()
        .map(|e| {
            (
                e["ts"].as_str().unwrap_or("").to_string(),
                e["log"].as_u64().unwrap_or(9),
                e["seq"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(
        events
            .iter()
            .any(|e| e["log"] == 1 && e["operator"] == "bob")
    );
    // Hostile text stays text.
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
}

fn time_to_mitigate_falls_back_to_the_session_start() {
    let dir = tempfile::tempdir().expect("dir");
    logs::without_detected(dir.path());
    let doc = export_json(dir.path(), &["plain.jsonl"]);
    assert_eq!(doc["milestones"]["measured_from"], "session_start");
    assert_eq!(doc["milestones"]["time_to_mitigate_ms"], 120_000);
    let (md, _) = ok(dir.path(), &["export", "plain.jsonl"], 0);
    assert!(
        md.contains("Measured from the start of the first session (no detected milestone)"),
        "{md}"
    );
}

fn back_dated_milestones_count_at_the_time_claimed_and_show_both() {
    let dir = tempfile::tempdir().expect("dir");
    logs::late_milestones(dir.path());
    let doc = export_json(dir.path(), &["late.jsonl"]);
    let m = &doc["milestones"];
    assert_eq!(m["detected"], "2026-11-22T03:01:00.000Z");
    assert_eq!(m["detected_noted"], "2026-11-22T03:10:00.000Z");
    assert_eq!(m["mitigated"], "2026-11-22T03:05:00.000Z");
    assert_eq!(m["mitigated_noted"], "2026-11-22T03:12:00.000Z");
    assert_eq!(m["resolved"], "2026-11-22T03:14:00.000Z");
    assert!(m.get("resolved_noted").is_none(), "{m}");
    // From the claimed detection (03:01) to the claimed mitigation (03:05), and to 03:14.
    assert_eq!(m["time_to_mitigate_ms"], 240_000);
    assert_eq!(m["time_to_resolve_ms"], 780_000);
    let (md, _) = ok(dir.path(), &["export", "late.jsonl"], 0);
    insta::assert_snapshot!("back_dated_markdown", md);
    let (html, _) = ok(dir.path(), &["export", "--format", "html", "late.jsonl"], 0);
    assert!(
        html.contains("2026-11-22 03:05:00 UTC (noted 03:12:00)"),
        "{html}"
    );
    // On an incident record's timeline, a back-dated milestone stands where it happened.
    let (aws, _) = ok(
        dir.path(),
        &["export", "--format", "aws-timeline", "late.jsonl"],
        0,
    );
    let aws: Value = serde_json::from_str(&aws).expect("aws-timeline is JSON");
    let mitigated = aws
        .as_array()
        .expect("array")
        .iter()
        .find(|e| {
            e["eventData"]
                .as_str()
                .unwrap_or("")
                .contains("failover done")
        })
        .expect("the mitigated note is on the timeline");
    assert_eq!(mitigated["eventTime"], "2026-11-22T03:05:00.000Z");
    let data: Value =
        serde_json::from_str(mitigated["eventData"].as_str().unwrap_or("")).expect("data");
    assert_eq!(data["noted"], "2026-11-22T03:12:00.000Z");
    let (text, _) = ok(dir.path(), &["timeline", "late.jsonl"], 0);
    assert!(
        text.contains("mitigated (at 2026-11-22 03:05:00 UTC): failover done"),
        "{text}"
    );
}

fn runbooks_sharing_a_title_are_told_apart_by_file_name() {
    let dir = tempfile::tempdir().expect("dir");
    logs::same_title_runbooks(dir.path());
    let doc = export_json(dir.path(), &["a.jsonl", "b.jsonl", "c.jsonl"]);
    let sections: Vec<(String, Value)> = doc["runbooks"]
        .as_array()
        .expect("two sections")
        .iter()
        .map(|r| {
            (
                r["runbook"]["path"].as_str().unwrap_or("").to_string(),
                r["logs"].clone(),
            )
        })
        .collect();
    // The same file from another checkout is the same runbook; another file is another one.
    assert_eq!(
        sections,
        [
            ("team-a/failover.md".to_string(), serde_json::json!([0, 2])),
            ("team-b/failover-web.md".to_string(), serde_json::json!([1])),
        ]
    );
    let (md, stderr) = ok(dir.path(), &["export", "a.jsonl", "b.jsonl", "c.jsonl"], 0);
    assert_eq!(stderr, "", "no warning: nothing here walks another version");
    assert!(
        md.starts_with("# Incident INC-9: Failover (failover.md) + Failover (failover-web.md)\n"),
        "{md}"
    );
    let (slack, _) = ok(
        dir.path(),
        &[
            "export", "--format", "slack", "a.jsonl", "b.jsonl", "c.jsonl",
        ],
        0,
    );
    assert!(
        slack.contains("Failover (failover.md), Failover (failover-web.md)"),
        "{slack}"
    );
    let doc = export_json(dir.path(), &["a.jsonl", "d.jsonl"]);
    assert_eq!(
        doc["warnings"],
        serde_json::json!([
            "`d.jsonl` walks `team-a/failover.md` (sha256 9e9e9e9e9e9e), another version of `team-a/failover.md` (sha256 abababababab) that `a.jsonl` walks"
        ])
    );
}

fn several_runbooks_have_a_section_each_under_one_timeline() {
    let dir = tempfile::tempdir().expect("dir");
    logs::two_runbooks(dir.path());
    let (md, stderr) = ok(dir.path(), &["export", "widget.jsonl", "db.jsonl"], 0);
    // Two runbooks in one incident are no mistake: no warning.
    assert_eq!(stderr, "");
    insta::assert_snapshot!("two_runbooks_markdown", md);
    let doc = export_json(dir.path(), &["widget.jsonl", "db.jsonl"]);
    let runbooks = doc["runbooks"].as_array().expect("runbooks");
    let facts: Vec<(String, Vec<(String, String)>)> = runbooks
        .iter()
        .map(|r| {
            (
                r["runbook"]["title"].as_str().unwrap_or("").to_string(),
                r["steps"]
                    .as_array()
                    .expect("steps")
                    .iter()
                    .map(|s| {
                        (
                            s["title"].as_str().unwrap_or("").to_string(),
                            s["status"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let own = |title: &str, steps: &[(&str, &str)]| {
        (
            title.to_string(),
            steps
                .iter()
                .map(|(t, s)| (t.to_string(), s.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        facts,
        [
            own(
                "Widget 5xx storm",
                &[
                    ("Check the error rate", "done"),
                    ("Drain the bad node", "skipped")
                ]
            ),
            own(
                "DB failover",
                &[
                    ("Check replication lag", "done"),
                    ("Promote the replica", "failed"),
                    ("Repoint the app", "not_started")
                ]
            ),
        ]
    );
    // Each step's duration from its own runbook's log: `check` ran 90 s in one, 110 s in the other.
    assert_eq!(runbooks[0]["steps"][0]["duration_ms"], 90_000);
    assert_eq!(runbooks[1]["steps"][0]["duration_ms"], 110_000);
    assert_eq!(runbooks[1]["logs"], serde_json::json!([1]));
    // The old fields stay: every step, and one merged timeline.
    assert_eq!(doc["steps"].as_array().map(Vec::len), Some(5));
    assert_eq!(doc["events"].as_array().map(Vec::len), Some(15));
    let (html, _) = ok(
        dir.path(),
        &["export", "--format", "html", "widget.jsonl", "db.jsonl"],
        0,
    );
    assert_eq!(
        html.matches("<section class=\"runbook\">").count(),
        2,
        "{html}"
    );
    assert!(html.contains("<h3>Runbook: DB failover</h3>"), "{html}");
    let (slack, _) = ok(
        dir.path(),
        &["export", "--format", "slack", "widget.jsonl", "db.jsonl"],
        0,
    );
    assert!(
        slack.contains("*Runbooks:* Widget 5xx storm, DB failover"),
        "{slack}"
    );
    assert!(
        slack.contains("*Steps:* 2 done, 1 failed, 1 skipped, 1 not started (of 5)"),
        "{slack}"
    );
    let (text, _) = ok(dir.path(), &["timeline", "widget.jsonl", "db.jsonl"], 0);
    assert!(
        text.contains("runbooks Widget 5xx storm, DB failover"),
        "{text}"
    );
}

const TORN_WARNING: &str = "the last line (line 6) is torn, written partially";

fn a_torn_log_exports_everything_valid_under_a_banner_in_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    logs::torn(dir.path());
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let (out, stderr) = ok(dir.path(), &["export", "torn.jsonl", "--format", format], 0);
        assert_eq!(
            stderr,
            "warning: `torn.jsonl`: the last line (line 6) is torn, written partially (40 bytes); the 5 complete events before it are exported\n"
        );
        assert!(out.contains(TORN_WARNING), "{format}: {out}");
    }
    let (md, _) = ok(dir.path(), &["export", "torn.jsonl"], 0);
    assert!(
        md.contains("> **⚠ Warning: this export may be incomplete.**"),
        "{md}"
    );
    insta::assert_snapshot!("torn_markdown", md);
    let doc = export_json(dir.path(), &["torn.jsonl"]);
    assert_eq!(doc["logs"][0]["chain"], "torn");
    assert_eq!(doc["events"].as_array().map(Vec::len), Some(5));
    let (html, _) = ok(dir.path(), &["export", "torn.jsonl", "--format", "html"], 0);
    assert!(html.contains("id=\"warning-banner\""));
    let (text, _) = ok(dir.path(), &["timeline", "torn.jsonl"], 0);
    assert!(
        text.contains(&format!("warning: `torn.jsonl`: {TORN_WARNING}")),
        "{text}"
    );
}

fn a_broken_chain_exports_the_events_before_it() {
    let dir = tempfile::tempdir().expect("dir");
    logs::without_detected(dir.path());
    let raw = fs::read_to_string(dir.path().join("plain.jsonl")).expect("log");
    let changed = raw.replacen("\"text\":\"api errors", "\"text\":\"API errors", 1);
    assert_ne!(raw, changed);
    fs::write(dir.path().join("plain.jsonl"), changed).expect("write");
    let (md, stderr) = ok(dir.path(), &["export", "plain.jsonl"], 0);
    assert!(
        stderr.starts_with(
            "warning: `plain.jsonl`: reading stopped at line 3: `hash` does not match the line"
        ),
        "{stderr}"
    );
    assert!(md.contains("reading stopped at line 3"), "{md}");
    let doc = export_json(dir.path(), &["plain.jsonl"]);
    assert_eq!(doc["logs"][0]["chain"], "invalid");
    assert_eq!(doc["events"].as_array().map(Vec::len), Some(2));
}

fn a_step_started_by_the_last_event_exports_in_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    logs::ends_with_a_step_start(dir.path());
    ok(dir.path(), &["verify", "open.jsonl"], 0);
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let (out, _) = ok(dir.path(), &["export", "open.jsonl", "--format", format], 0);
        assert!(out.contains("Widget 5xx storm"), "{format}: {out}");
    }
    let (html, _) = ok(dir.path(), &["export", "open.jsonl", "--format", "html"], 0);
    // The bar of a step started at the very end keeps its smallest width.
    assert!(
        html.contains("style=\"left:100.00%;width:0.30%\""),
        "{html}"
    );
}

/// The log a reviewer needs most: the terminal closed (SIGHUP) during a command of a later step,
/// so the walk ends a few milliseconds after that step opened. `export --format html` panicked
/// on it (exit 101) when the step's bar was narrower than its minimum width.
fn a_walk_hung_up_during_a_later_step_exports_in_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    fs::write(
        dir.path().join("hangup.md"),
        "# Hang-up\n\n## Check\n\n```bash\ntrue\n```\n\n## Slow\n\n```bash\nsleep 30\n```\n",
    )
    .expect("write runbook");
    let mut walk = Command::new(BIN)
        .args(["run", "--yes", "hangup.md", "--log-dir", "logs"])
        .current_dir(dir.path())
        .env_remove("RUNBOOK_LOG_DIR")
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the walk");
    let started = std::time::Instant::now();
    let log = loop {
        let found = fs::read_dir(dir.path().join("logs"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                fs::read_to_string(p)
                    .is_ok_and(|t| t.contains("\"type\":\"command_started\",\"step\":2"))
            });
        if let Some(p) = found {
            break p;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "step 2's command never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let hup = Command::new("kill")
        .args(["-HUP", &walk.id().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    walk.wait().expect("the walk ends");
    let log = log.display().to_string();
    ok(dir.path(), &["verify", &log], 0);
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let (out, _) = ok(dir.path(), &["export", &log, "--format", format], 0);
        assert!(out.contains("Hang-up"), "{format}: {out}");
    }
    ok(dir.path(), &["timeline", &log], 0);
    let (html, _) = ok(dir.path(), &["export", &log, "--format", "html"], 0);
    // Both steps have a bar, each at least its minimum width.
    let bars: Vec<(f64, f64)> =
        regex_lite::Regex::new(r#"style="left:([0-9.]+)%;width:([0-9.]+)%""#)
            .expect("regex")
            .captures_iter(&html)
            .map(|c| {
                (
                    c[1].parse().expect("a place"),
                    c[2].parse().expect("a width"),
                )
            })
            .collect();
    assert_eq!(bars.len(), 2, "{html}");
    assert!(
        bars.iter()
            .all(|(l, w)| (0.0..=100.0).contains(l) && (0.3..=100.0).contains(w)),
        "{bars:?}"
    );
}

/// (index, status, runs, duration) of each step of a JSON export.
fn step_facts(doc: &Value) -> Vec<(u64, String, u64, u64)> {
    doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["index"].as_u64().unwrap_or(0),
                s["status"].as_str().unwrap_or("").to_string(),
                s["runs"].as_u64().unwrap_or(0),
                s["duration_ms"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn a_log_given_twice_or_with_its_resumed_copy_is_merged_once_with_a_note() {
    let dir = tempfile::tempdir().expect("dir");
    logs::copies(dir.path());
    let (_, stderr) = ok(dir.path(), &["export", "a.jsonl", "a.jsonl"], 0);
    assert_eq!(
        stderr,
        "note: `a.jsonl` is given twice; its 7 events of session `a11ce0a11ce0a11c` merged once\n"
    );
    let note = "note: `b.jsonl` repeats 7 events of session `a11ce0a11ce0a11c` from `a.jsonl`; merged once\n";
    for args in [
        &["export", "a.jsonl", "b.jsonl"][..],
        &["timeline", "a.jsonl", "b.jsonl"],
        &["export", "--format", "json", "a.jsonl", "b.jsonl"],
    ] {
        let (_, stderr) = ok(dir.path(), args, 0);
        assert_eq!(stderr, note, "{args:?}");
    }
    // The merge is the copy alone: step 1 a minute, step 2 one minute then two, two runs.
    let alone = export_json(dir.path(), &["b.jsonl"]);
    let merged = export_json(dir.path(), &["a.jsonl", "b.jsonl"]);
    assert_eq!(step_facts(&merged), step_facts(&alone));
    assert_eq!(
        step_facts(&merged),
        [
            (1, "done".to_string(), 1, 60_000),
            (2, "done".to_string(), 2, 180_000)
        ]
    );
    assert_eq!(merged["events"].as_array().map(Vec::len), Some(11));
    assert_eq!(
        merged["merge_notes"],
        serde_json::json!([
            "`b.jsonl` repeats 7 events of session `a11ce0a11ce0a11c` from `a.jsonl`; merged once"
        ])
    );
    assert!(alone.get("merge_notes").is_none());
    let (md, _) = ok(dir.path(), &["export", "a.jsonl", "b.jsonl"], 0);
    assert!(
        md.contains("> **Note:** `b.jsonl` repeats 7 events of session `a11ce0a11ce0a11c` from `a.jsonl`; merged once\n"),
        "{md}"
    );
    assert!(md.contains("| 2 | Drain the bad node | done |"), "{md}");
    let (html, _) = ok(
        dir.path(),
        &["export", "--format", "html", "a.jsonl", "b.jsonl"],
        0,
    );
    assert!(
        html.contains("<li><strong>Note:</strong> <code>b.jsonl</code> repeats 7 events"),
        "{html}"
    );
    let (text, _) = ok(dir.path(), &["timeline", "a.jsonl", "b.jsonl"], 0);
    assert!(
        text.contains("\nnote: `b.jsonl` repeats 7 events"),
        "{text}"
    );
}

const FORK_WARNING: &str = "warning: `b.jsonl` and `c.jsonl` fork after event 7 of session `a11ce0a11ce0a11c`: two walks went on from the same log separately; the 7 shared events are shown once, then each branch's events labelled `branch b.jsonl` or `branch c.jsonl`\n";

fn two_copies_resumed_separately_are_shown_as_branches_with_a_warning() {
    let dir = tempfile::tempdir().expect("dir");
    logs::copies(dir.path());
    let (md, stderr) = ok(dir.path(), &["export", "b.jsonl", "c.jsonl"], 0);
    assert_eq!(stderr, FORK_WARNING);
    insta::assert_snapshot!("forked_markdown", md);
    let (text, stderr) = ok(dir.path(), &["timeline", "b.jsonl", "c.jsonl"], 0);
    assert_eq!(stderr, FORK_WARNING);
    insta::assert_snapshot!("forked_timeline", text);
    let doc = export_json(dir.path(), &["b.jsonl", "c.jsonl"]);
    // Step 2: a minute shared, then two minutes on one branch and half a minute on the other.
    assert_eq!(step_facts(&doc)[1], (2, "skipped".to_string(), 3, 210_000));
    let branches: Vec<&str> = doc["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["branch"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(branches.iter().filter(|b| **b == "-").count(), 7);
    assert_eq!(branches.iter().filter(|b| **b == "b.jsonl").count(), 4);
    assert_eq!(branches.iter().filter(|b| **b == "c.jsonl").count(), 4);
    // Given with the original too, the fork is warned of once and the original noted.
    let (_, stderr) = ok(dir.path(), &["export", "a.jsonl", "b.jsonl", "c.jsonl"], 0);
    assert_eq!(
        stderr,
        format!(
            "{FORK_WARNING}note: `b.jsonl` repeats 7 events of session `a11ce0a11ce0a11c` from `a.jsonl`; merged once\nnote: `c.jsonl` repeats 7 events of session `a11ce0a11ce0a11c` from `a.jsonl`; merged once\n"
        )
    );
}

fn errors_name_the_file_and_exit_as_documented() {
    let dir = tempfile::tempdir().expect("dir");
    let out = runbook(dir.path(), &["export", "missing.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot read `missing.jsonl`: no such file or directory\n"
    );
    assert!(out.stdout.is_empty());
    fs::write(dir.path().join("empty.jsonl"), "").expect("write");
    let out = runbook(dir.path(), &["timeline", "empty.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no valid event to export: `empty.jsonl`:1: the log is empty\n"
    );
    fs::write(dir.path().join("junk.jsonl"), "{\"v\":1}\nnot json\n").expect("write");
    let out = runbook(dir.path(), &["export", "junk.jsonl", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: no valid event to export: `junk.jsonl`:1: ")
    );
    let out = runbook(
        dir.path(),
        &["compare", "missing.jsonl", "--with", "empty.jsonl"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = runbook(dir.path(), &["export", "."]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot read `.`: is a directory; give an incident log (`*.jsonl`)\n"
    );
}

fn export_writes_the_output_file() {
    let dir = tempfile::tempdir().expect("dir");
    logs::without_detected(dir.path());
    let (stdout, stderr) = ok(
        dir.path(),
        &[
            "export",
            "plain.jsonl",
            "--format",
            "html",
            "-o",
            "report.html",
        ],
        0,
    );
    assert_eq!(stdout, "");
    assert_eq!(stderr, "exported 6 events to `report.html`\n");
    let html = fs::read_to_string(dir.path().join("report.html")).expect("report");
    assert!(html.starts_with("<!DOCTYPE html>"));
}

fn timeline_is_plain_without_a_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let (text, _) = ok(dir.path(), &["timeline", "alice.jsonl", "bob.jsonl"], 0);
    assert!(!text.contains('\u{1b}'), "{text}");
    insta::assert_snapshot!("incident_timeline", text);
}

fn compare_flags_slower_steps_and_new_skips() {
    let dir = tempfile::tempdir().expect("dir");
    logs::compare_runs(dir.path());
    let (text, _) = ok(
        dir.path(),
        &[
            "compare",
            "now.jsonl",
            "--with",
            "before1.jsonl",
            "before2.jsonl",
        ],
        0,
    );
    insta::assert_snapshot!("compare", text);
    assert!(
        text.contains("slower: 2m against a median of 15s"),
        "{text}"
    );
    assert!(text.contains("skipped now, not before"), "{text}");
    // 40s against 15s is more than 2× but only 25s longer: not flagged.
    assert!(
        !text
            .lines()
            .any(|l| l.contains("Check the service") && l.contains("slower")),
        "{text}"
    );
}

/// Every form `compare --help` shows gives the same comparison; a lone log is a usage error.
fn compare_accepts_every_form_its_usage_shows() {
    let dir = tempfile::tempdir().expect("dir");
    logs::compare_runs(dir.path());
    let canonical = [
        "compare",
        "now.jsonl",
        "--with",
        "before1.jsonl",
        "before2.jsonl",
    ];
    let (expected, _) = ok(dir.path(), &canonical, 0);
    let (help, _) = ok(dir.path(), &["compare", "--help"], 0);
    assert!(
        help.contains("Usage: runbook compare <LOG> --with <LOG>...\n       runbook compare --with <LOG>... <LOG>\n"),
        "{help}"
    );
    for form in [
        &[
            "compare",
            "--with",
            "before1.jsonl",
            "before2.jsonl",
            "now.jsonl",
        ][..],
        &[
            "compare",
            "--with",
            "before1.jsonl",
            "--with",
            "before2.jsonl",
            "now.jsonl",
        ],
    ] {
        let (text, _) = ok(dir.path(), form, 0);
        assert_eq!(text, expected, "{form:?}");
    }
    let (_, stderr) = ok(dir.path(), &["compare", "--with", "now.jsonl"], 2);
    assert_eq!(
        stderr,
        "error: `compare` needs the run's log and at least one earlier log: runbook compare LOG --with LOG...\n"
    );
}

fn compare_real_runs() {
    let dir = workdir();
    live_walk(dir.path());
    drill_walk(dir.path());
    let (text, _) = ok(
        dir.path(),
        &["compare", "live.jsonl", "--with", "drill.jsonl"],
        0,
    );
    assert!(text.contains("Restart the widget"), "{text}");
    assert!(text.contains("0 steps flagged"), "{text}");
}

fn html_is_self_contained_and_escapes_log_text() {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let (html, _) = ok(
        dir.path(),
        &["export", "alice.jsonl", "bob.jsonl", "--format", "html"],
        0,
    );
    browser::assert_no_remote_resources(&html);
    // Two scripts of its own; the hostile note is text.
    assert_eq!(html.matches("<script").count(), 2);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
}

fn html_renders_in_headless_chromium(chromium: &browser::Chromium) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    logs::torn(dir.path());
    ok(
        dir.path(),
        &[
            "export",
            "alice.jsonl",
            "bob.jsonl",
            "--format",
            "html",
            "-o",
            "incident.html",
        ],
        0,
    );
    ok(
        dir.path(),
        &[
            "export",
            "torn.jsonl",
            "--format",
            "html",
            "-o",
            "torn.html",
        ],
        0,
    );

    let page = browser::open(chromium, &dir.path().join("incident.html"));
    page.assert_clean();
    for title in [
        "Check the error rate",
        "Drain the bad node",
        "Restart the widget",
        "Tell the channel",
    ] {
        assert!(
            page.dom.contains(title),
            "step {title} missing from the DOM"
        );
    }
    // One chart per lookup result with datapoints (two regions of one lookup, and one more).
    assert_eq!(page.dom.matches("<svg class=\"chart\"").count(), 3);
    assert!(!page.dom.contains("id=\"warning-banner\""));
    // The hostile note did not become markup.
    assert!(!page.dom.contains("<img src=\"x\""));

    let torn = browser::open(chromium, &dir.path().join("torn.html"));
    torn.assert_clean();
    assert!(torn.dom.contains("id=\"warning-banner\""));
    assert!(torn.dom.contains(TORN_WARNING));

    // Two runbooks: a section each, with its own step table, and the page still works.
    logs::two_runbooks(dir.path());
    ok(
        dir.path(),
        &[
            "export",
            "widget.jsonl",
            "db.jsonl",
            "--format",
            "html",
            "-o",
            "two.html",
        ],
        0,
    );
    let two = browser::open(chromium, &dir.path().join("two.html"));
    two.assert_clean();
    assert_eq!(two.dom.matches("<section class=\"runbook\">").count(), 2);
    // Its row in its runbook's step table, its start and its end in the timeline.
    assert_eq!(two.dom.matches("Check replication lag").count(), 3);
    assert!(two.dom.contains("<h3>Runbook: Widget 5xx storm</h3>"));

    browser::self_check(chromium, dir.path());
}

fn main() -> std::process::ExitCode {
    needs::Suite::default()
        .plain(tests![
            live_walk_exports_to_markdown_and_json,
            rehearsal_is_exported_as_a_rehearsal,
            several_logs_merge_into_one_timeline_with_notes_lookups_and_milestones,
            time_to_mitigate_falls_back_to_the_session_start,
            back_dated_milestones_count_at_the_time_claimed_and_show_both,
            several_runbooks_have_a_section_each_under_one_timeline,
            runbooks_sharing_a_title_are_told_apart_by_file_name,
            slack_summaries_fit_a_message_whatever_the_incident,
            slack_summary_of_an_incident_with_back_dated_milestones,
            a_torn_log_exports_everything_valid_under_a_banner_in_every_format,
            a_broken_chain_exports_the_events_before_it,
            a_step_started_by_the_last_event_exports_in_every_format,
            a_walk_hung_up_during_a_later_step_exports_in_every_format,
            a_log_given_twice_or_with_its_resumed_copy_is_merged_once_with_a_note,
            two_copies_resumed_separately_are_shown_as_branches_with_a_warning,
            errors_name_the_file_and_exit_as_documented,
            export_writes_the_output_file,
            timeline_is_plain_without_a_terminal,
            compare_flags_slower_steps_and_new_skips,
            compare_accepts_every_form_its_usage_shows,
            compare_real_runs,
            html_is_self_contained_and_escapes_log_text,
            exports_of_edge_logs_never_panic,
            exports_of_any_log_never_panic,
            no_secret_survives_the_redactor_in_any_form,
            no_secret_reaches_the_log_or_any_export,
            a_secret_coloured_by_grep_is_in_no_export,
            whatever_the_exports_strip_between_two_bytes_the_redactor_skips,
        ])
        .needing(
            "Chromium (scripts/test installs it)",
            browser::chromium(),
            tests![html_renders_in_headless_chromium],
        )
        .run()
}
