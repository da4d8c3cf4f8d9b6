//! SIGKILL at random moments of a walk: every log still verifies and `resume` completes it.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::test::BIN;

const STEPS: usize = 40;
const ITERATIONS: usize = 50;

fn runbook() -> String {
    let mut text = String::from("# Many steps\n");
    for i in 1..=STEPS {
        text.push_str(&format!("\n## Step {i}\n```bash\necho step {i}\n```\n"));
    }
    text
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn runbook_cmd(dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_log() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("many.md"), runbook()).unwrap();
    // How long a whole walk takes here, to spread the kills over it.
    let t = Instant::now();
    let status = runbook_cmd(dir.path())
        .args(["run", "many.md", "--yes", "--log-dir", "warmup"])
        .status()
        .unwrap();
    assert!(status.success());
    let walk_ms = (t.elapsed().as_millis() as u64).max(20);

    let mut rng = Lcg(0x5eed);
    let started = Instant::now();
    let (mut killed_with_log, mut unknown_outcomes) = (0, 0);
    for i in 0..ITERATIONS {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "kill test ran out of time at iteration {i}"
        );
        let log_dir = format!("logs/{i}");
        let mut child = runbook_cmd(dir.path())
            .args(["run", "many.md", "--yes", "--log-dir", &log_dir])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(walk_ms)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let Ok(entries) = fs::read_dir(dir.path().join(&log_dir)) else {
            continue;
        };
        // A walk killed before its first line leaves at most a hidden `.partial` file, never an empty log.
        let logs: Vec<_> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        if logs.is_empty() {
            continue;
        }
        killed_with_log += 1;
        let log = logs[0].to_str().unwrap().to_string();
        let verify = runbook_cmd(dir.path())
            .args(["verify", &log])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&verify.stdout);
        // Complete lines are always valid; at most the last one can be torn by the kill.
        assert!(
            verify.status.success() || said.contains("torn"),
            "iteration {i}: {said}"
        );
        let resume = runbook_cmd(dir.path())
            .args(["resume", &log, "--yes"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&resume.stderr);
        assert!(
            resume.status.success(),
            "iteration {i}: resume failed: {stderr}"
        );
        if stderr.contains("started, outcome unknown") {
            unknown_outcomes += 1;
        }
        let verify = runbook_cmd(dir.path())
            .args(["verify", &log])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "iteration {i}: {}",
            String::from_utf8_lossy(&verify.stdout)
        );
        let text = fs::read_to_string(&log).unwrap();
        assert!(text.trim_end().ends_with("}"), "iteration {i}");
        assert!(
            text.lines()
                .last()
                .unwrap()
                .contains("\"type\":\"session_finished\""),
            "iteration {i}"
        );
    }
    assert!(
        killed_with_log >= ITERATIONS / 2,
        "only {killed_with_log} kills hit a walk in progress"
    );
    eprintln!(
        "kill test: {killed_with_log} of {ITERATIONS} kills mid-walk, {unknown_outcomes} mid-command"
    );
}
