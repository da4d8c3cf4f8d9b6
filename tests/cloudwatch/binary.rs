//! `runbook lookup` and `runbook run` with lookups, through the binary, against the emulator.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use aws_sdk_cloudwatch::types::StateValue;

use super::{put_alarm, put_metric, unique};
use crate::emulator::{Emulator, Shared};

fn runbook(emu: &Emulator, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(args)
        .arg("--aws-endpoint")
        .arg(&emu.url)
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-2")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run runbook")
}

pub fn validate(event: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/incident-log.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(event)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{event}");
}

fn write_runbook(dir: &Path, metric: &str, alarm_prefix: &str) {
    let text = format!(
        "---\nvariables:\n  SVC: {{default: api}}\n---\n# Watched\n\n## Look\n```cloudwatch\nnamespace: Runbook/Test\nmetric: {metric}\ndimensions:\n  Service: $SVC\nstat: Sum\nregions: [euw2, euc1]\nexpect: \"< 10\"\nlabel: errors\n```\n\n```cloudwatch\nalarms: {alarm_prefix}\nstate: ALARM\nregions: [euw2]\n```\n\n## Act\n```bash\necho acted\n```\n"
    );
    std::fs::write(dir.join("rb.md"), text).unwrap();
}

pub fn lookup_prints_per_region_verdicts_as_json_events(emu: &Shared) {
    let metric = unique("Errors");
    let prefix = unique("guard");
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 3.0, 60);
    put_metric(emu, "eu-central-1", "Runbook/Test", &metric, 42.0, 60);
    put_alarm(
        emu,
        "eu-west-2",
        &format!("{prefix}-calls"),
        StateValue::Alarm,
    );
    let dir = tempfile::tempdir().unwrap();
    write_runbook(dir.path(), &metric, &prefix);

    let out = runbook(emu, dir.path(), &["lookup", "rb.md", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one region breaches: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let mut verdicts: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["lookup"] == 1)
        .map(|e| {
            (
                e["region"].as_str().unwrap().to_string(),
                e["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    verdicts.sort();
    assert_eq!(
        verdicts,
        [
            ("eu-central-1".into(), "BREACH".into()),
            ("eu-west-2".into(), "OK".into())
        ]
    );
    let alarms = events.iter().find(|e| e["lookup"] == 2).unwrap();
    assert_eq!(alarms["alarms"][0]["name"], format!("{prefix}-calls"));
    assert_eq!(alarms["alarms"][0]["state"], "ALARM");
    // The dimension's `$SVC` was resolved from the runbook's default.
    assert_eq!(events[0]["query"]["dimensions"][0]["value"], "api");

    let out = runbook(emu, dir.path(), &["lookup", "rb.md"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[lookup 1] errors"), "{text}");
    assert!(
        text.contains("BREACH") && text.contains("euc1") && text.contains("euw2"),
        "{text}"
    );
}

pub fn a_walk_logs_lookup_results_that_follow_the_schema(emu: &Shared) {
    let metric = unique("Errors");
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 1.0, 120);
    put_metric(emu, "eu-west-2", "Runbook/Test", &metric, 2.0, 60);
    let dir = tempfile::tempdir().unwrap();
    write_runbook(dir.path(), &metric, &unique("none"));
    let out = runbook(
        emu,
        dir.path(),
        &["run", "rb.md", "--yes", "--log-dir", "logs"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let events: Vec<serde_json::Value> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["type"] == "lookup_result")
        .collect();
    assert_eq!(
        results.len(),
        3,
        "two regions for the metric, one for the alarms"
    );
    for e in &events {
        validate(e);
    }
    let euw2 = results
        .iter()
        .find(|e| e["region"] == "eu-west-2" && e["lookup"] == 1)
        .unwrap();
    let values: Vec<f64> = euw2["datapoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [1.0, 2.0]);
    assert_eq!(euw2["verdict"], "OK");
    let euc1 = results
        .iter()
        .find(|e| e["region"] == "eu-central-1")
        .unwrap();
    assert_eq!(euc1["verdict"], "NO DATA");
}

/// A secret (by its name) in a dimension: CloudWatch gets it, `lookup --json`, the log and every
/// export show `[REDACTED]`.
pub fn a_secret_dimension_is_redacted_in_lookup_json_the_log_and_the_exports(emu: &Shared) {
    const SECRET: &str = "s3cr3t-dimension-77";
    let metric = unique("Errors");
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# Keyed\n\n## Look\n```cloudwatch\nnamespace: Runbook/Test\nmetric: {metric}\ndimensions:\n  Tenant: $TENANT_API_KEY\nstat: Sum\nregions: [euw2]\n```\n\n```bash\necho looked\n```\n"
    );
    std::fs::write(dir.path().join("rb.md"), text).unwrap();
    let var = format!("TENANT_API_KEY={SECRET}");
    let out = runbook(
        emu,
        dir.path(),
        &["lookup", "rb.md", "--json", "--var", &var],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(SECRET), "{stdout}");
    assert!(stdout.contains("[REDACTED]"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SECRET));

    let out = runbook(
        emu,
        dir.path(),
        &["run", "rb.md", "--yes", "--log-dir", "logs", "--var", &var],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(!logged.contains(SECRET), "{logged}");
    assert!(logged.contains("\"value\":\"[REDACTED]\""), "{logged}");
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let out = runbook(
            emu,
            dir.path(),
            &["export", log.to_str().unwrap(), "--format", format],
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(SECRET),
            "{format}"
        );
    }
}
