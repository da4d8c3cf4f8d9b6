//! `run --rehearse` checks the ground up front: programs on `PATH`, `cwd`s that exist.

use std::process::{Command, Stdio};

use crate::test::BIN;

const NEEDY: &str = "# Needy\n\n## One\n```bash {cwd=/nonexistent/runbook-dir}\nrunbook-test-no-such-tool --version | grep -q 1\n```\n\n## Two\n```bash {readonly}\nls /\n```\n";

#[test]
fn a_rehearsal_lists_what_is_missing_before_the_first_step_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rb.md"), NEEDY).unwrap();
    let out = Command::new(BIN)
        .args(["run", "rb.md", "--rehearse", "--yes", "--log-dir", "logs"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let block = "  ! rehearsal check: 2 things missing on this machine (the rehearsal goes on):\n      `runbook-test-no-such-tool` is not on PATH (step 1 command 1)\n      working directory `/nonexistent/runbook-dir` does not exist (step 1 command 1)\n";
    assert!(stderr.contains(block), "{stderr}");
    assert!(
        stderr.find(block) < stderr.find("Step 1/2"),
        "before the first step:\n{stderr}"
    );
    // `grep` and `ls` are here; the readonly step ran.
    assert!(
        !stderr.contains("`grep`") && !stderr.contains("`ls`"),
        "{stderr}"
    );

    // A live walk does not list anything up front.
    let out = Command::new(BIN)
        .args(["run", "rb.md", "--yes", "--log-dir", "logs"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("rehearsal check"));
}
