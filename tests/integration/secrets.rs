//! Secrets through the binary: a variable secret by its name alone, and a secret in a `cwd`.

use std::fs;

use crate::run::{events, log_file};
use crate::test::Test;

const SECRET: &str = "s3cr3t-admin-token-42";

/// Plain Markdown: no front matter, so `ADMIN_API_TOKEN` is secret by its name alone.
const PLAIN: &str = "# Rotate\n\n## Call the admin API\n\n```bash\necho \"calling with $ADMIN_API_TOKEN for $NODE\"\n```\n\n## In its directory\n\n```bash {cwd=\"work-$ADMIN_API_TOKEN\"}\npwd\n```\n";

#[test]
fn a_credential_named_variable_of_a_plain_runbook_is_secret_in_the_log_and_every_export() {
    let (out, dir) = Test::new()
        .file("rb.md", PLAIN)
        .dir(&format!("work-{SECRET}"))
        .args([
            "run",
            "rb.md",
            "--yes",
            "--var",
            &format!("ADMIN_API_TOKEN={SECRET}"),
            "--var",
            "NODE=fs-1",
        ])
        .run_keep();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = log_file(dir.path());
    let text = fs::read_to_string(&log).unwrap();
    assert!(!text.contains(SECRET), "secret in the log:\n{text}");
    for stream in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(SECRET));
    }
    let events = events(&log);
    assert_eq!(
        events[0]["variables"],
        serde_json::json!([
            {"name": "ADMIN_API_TOKEN", "value": null, "secret": true, "source": "flag"},
            {"name": "NODE", "value": "fs-1", "secret": false, "source": "flag"},
        ])
    );
    let outputs: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "command_finished")
        .map(|e| e["output"].as_str().unwrap())
        .collect();
    assert!(
        outputs[0].contains("calling with [REDACTED] for fs-1"),
        "{outputs:?}"
    );
    // The directory is logged as written, never expanded; it still ran there.
    assert!(outputs[1].contains("[REDACTED]"), "{outputs:?}");
    let cwd = events
        .iter()
        .filter(|e| e["type"] == "command_started")
        .nth(1)
        .unwrap()["cwd"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(cwd.ends_with("/work-$ADMIN_API_TOKEN"), "{cwd}");
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let export = Test::new()
            .args(["export", log.to_str().unwrap(), "--format", format])
            .run();
        assert!(
            !String::from_utf8_lossy(&export.stdout).contains(SECRET),
            "secret in the {format} export"
        );
    }
}

/// `grep --color=always` puts colour codes inside the secret it prints; the exports strip
/// colours, so the secret would come out clean there had redaction missed it.
#[test]
fn a_secret_coloured_by_grep_is_redacted_in_the_log_and_every_export() {
    let secret = "zz-abcdef-zz";
    let (out, dir) = Test::new()
        .file(
            "rb.md",
            "# Grep\n\n## Find it\n\n```bash {whole}\nprintf 'key=%s\\n' \"$ADMIN_API_TOKEN\" > creds\ngrep --color=always cd creds\n```\n",
        )
        .args([
            "run",
            "rb.md",
            "--yes",
            "--var",
            &format!("ADMIN_API_TOKEN={secret}"),
        ])
        .run_keep();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = log_file(dir.path());
    let finished = events(&log)
        .into_iter()
        .find(|e| e["type"] == "command_finished")
        .unwrap();
    assert_eq!(finished["output"], "key=[REDACTED]\r\n");
    assert_eq!(finished["redactions"], 1);
    let text = fs::read_to_string(&log).unwrap();
    assert!(!text.contains("abcdef"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("abcdef"));
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let export = Test::new()
            .args(["export", log.to_str().unwrap(), "--format", format])
            .run();
        let shown = String::from_utf8_lossy(&export.stdout);
        // The AWS timeline carries no command output.
        assert!(
            format == "aws-timeline" || shown.contains("[REDACTED]"),
            "{format}: {shown}"
        );
        assert!(!shown.contains("abcdef"), "secret in the {format} export");
    }
}
