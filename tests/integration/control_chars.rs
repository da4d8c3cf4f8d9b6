//! Control characters in a runbook: `check` reports them; `show`, `list`, `timeline` and the walk
//! show them (`^[`, `^M`) and never write them raw; the command runs byte for byte as written.

use crate::run::{events, log_file};
use crate::test::{Test, assert_valid, json};

/// ESC sequences and a CR that, written raw, would erase `rm -rf ./gone` from the screen.
pub const HIDDEN: &str = "---\ntitle: \"Tidy\\e[8m\"\n---\n# Tidy\n\n## Clean up\nLooks \u{9b}harmless.\n\n```bash\necho \"tidy done\" \x1b[2K\rrm -rf ./gone; echo \"bytes \x1b[0m\"\n```\n";

fn has_raw_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn check_reports_each_control_character_at_its_line_and_column() {
    Test::new()
        .file("rb.md", HIDDEN)
        .args(["check", "rb.md"])
        .status(1)
        .stdout(
            "rb.md:7:7: error: control character `<U+009B>`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)
rb.md:10:18: error: control character `^[`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)
rb.md:10:22: error: control character `^M`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)
rb.md:10:50: error: control character `^[`: a terminal would obey it rather than show it, so what is read is not what runs; remove it (it is shown as written here)
",
        )
        .stderr("checked 1 runbook: 4 errors, 0 warnings\n")
        .run();
    let out = Test::new()
        .file("rb.md", HIDDEN)
        .args(["check", "rb.md", "--format", "json"])
        .status(1)
        .run();
    let report = json(&out);
    assert_valid("check-report.schema.json", &report);
    assert_eq!(report["diagnostics"][1]["code"], "control-character");
    // CRLF line endings are not control characters.
    Test::new()
        .file("crlf.md", "# T\r\n\r\n## A\r\n```bash\r\ntrue\r\n```\r\n")
        .args(["check", "crlf.md"])
        .stdout("")
        .run();
}

#[test]
fn show_and_list_show_control_characters_visibly() {
    let out = Test::new()
        .file("rb.md", HIDDEN)
        .args(["show", "rb.md"])
        .run();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(!has_raw_controls(&shown), "{shown:?}");
    assert!(
        shown.contains("echo \"tidy done\" ^[[2K^Mrm -rf ./gone; echo \"bytes ^[[0m\""),
        "{shown}"
    );
    // JSON keeps the text exactly (JSON escapes it).
    let out = Test::new()
        .file("rb.md", HIDDEN)
        .args(["show", "rb.md", "--json"])
        .run();
    assert!(
        json(&out)["steps"][0]["commands"][0]["code"]
            .as_str()
            .unwrap()
            .contains("\x1b[2K\rrm -rf")
    );
    let out = Test::new()
        .file(
            "runbooks/rb.md",
            HIDDEN.replace("# Tidy", "# Tidy\x1b]0;pwned\x07"),
        )
        .args(["list"])
        .run();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(!has_raw_controls(&listed), "{listed:?}");
    assert!(listed.contains("Tidy^[[8m"), "{listed}");
}

#[test]
fn an_unattended_walk_runs_the_bytes_and_the_timeline_shows_them() {
    let (out, dir) = Test::new()
        .file("rb.md", HIDDEN)
        .args(["run", "rb.md", "--yes"])
        .run_keep();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The step view shows the code visibly; the command's own output is its own (not escaped).
    assert!(stderr.contains("^[[2K^Mrm -rf ./gone"), "{stderr}");
    assert!(stderr.contains("bytes \x1b[0m"), "{stderr:?}");
    let log = log_file(dir.path());
    let started = events(&log)
        .into_iter()
        .find(|e| e["type"] == "command_started")
        .unwrap();
    assert!(
        started["code"]
            .as_str()
            .unwrap()
            .contains("\x1b[2K\rrm -rf ./gone")
    );
    let out = Test::new()
        .in_dir(dir.path())
        .args(["timeline", log.to_str().unwrap()])
        .run();
    let timeline = String::from_utf8(out.stdout).unwrap();
    assert!(!has_raw_controls(&timeline), "{timeline:?}");
    assert!(timeline.contains("^[[2K^Mrm -rf ./gone"), "{timeline}");
}

#[test]
fn check_reads_a_cr_only_file_with_cr_as_line_ends() {
    // Classic Mac OS line endings: a warning, not a control character per line; the
    // destructive block is found at its fence's line as the author's editor numbers it.
    Test::new()
        .file(
            "mac.md",
            "# Restart\r\r## Stop\r```bash\rsystemctl stop redis\r```\r",
        )
        .args(["check", "mac.md"])
        .stdout(
            "mac.md:1:1: warning: lines end in a lone CR (classic Mac OS line endings): they are read as line ends; convert them to LF, e.g. `tr '\\r' '\\n' < FILE > FILE.new`
mac.md:4:1: warning: `systemctl stop` looks destructive: mark the block `danger` (typed confirmation) or `confirm`
",
        )
        .stderr("checked 1 runbook: 0 errors, 2 warnings\n")
        .run();
}
