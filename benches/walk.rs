//! Per-step cost of a walk: `cargo bench --bench walk`.
//!
//! A plain program (no harness). It writes a runbook of 200 steps, each one `true` command, runs
//! `runbook run --yes` on it with the release binary (every event fsync'd to a log on the real
//! disk, under `target/`), and compares the time per step with running `bash -c true` 200 times
//! from one process. Goal: under 2 ms per step in total. Best of 5 runs after a warm-up.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STEPS: usize = 200;
const RUNS: usize = 5;
const GOAL_MS_PER_STEP: f64 = 2.0;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "runbook"])
        .current_dir(manifest)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest.join("target"), PathBuf::from);
    let bin = target.join("release/runbook");
    // Under target/, so the log's fsyncs hit the real disk, not a tmpfs.
    let dir = tempfile::Builder::new()
        .prefix("walk-bench-")
        .tempdir_in(&target)
        .expect("bench dir");
    let mut text = String::from("# Two hundred steps\n");
    for i in 1..=STEPS {
        text.push_str(&format!("\n## Step {i}\n```bash\ntrue\n```\n"));
    }
    std::fs::write(dir.path().join("many.md"), text).expect("write runbook");

    let walk = |k: usize| {
        let start = Instant::now();
        let status = Command::new(&bin)
            .args(["run", "many.md", "--yes", "--log-dir", &format!("logs/{k}")])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run runbook");
        assert!(status.success(), "walk failed");
        start.elapsed()
    };
    let bash = || {
        let start = Instant::now();
        for _ in 0..STEPS {
            let status = Command::new("bash")
                .args(["-c", "true"])
                .stdin(Stdio::null())
                .status()
                .expect("bash");
            assert!(status.success());
        }
        start.elapsed()
    };
    walk(0);
    bash();
    let best = |f: &mut dyn FnMut(usize) -> Duration| (1..=RUNS).map(f).min().unwrap_or_default();
    let walk_best = best(&mut |k| walk(k));
    let bash_best = best(&mut |_| bash());
    let per_step = walk_best.as_secs_f64() * 1000.0 / STEPS as f64;
    let per_bash = bash_best.as_secs_f64() * 1000.0 / STEPS as f64;
    let log = std::fs::read_dir(dir.path().join("logs/1"))
        .expect("log dir")
        .next()
        .expect("a log")
        .expect("entry")
        .path();
    let events = std::fs::read_to_string(&log)
        .expect("read log")
        .lines()
        .count();
    println!("runbook walk benchmark ({STEPS} steps of `true`, best of {RUNS})");
    println!(
        "  runbook run --yes     {:>8.1} ms  {per_step:.2} ms/step  ({events} events, each fsync'd)",
        walk_best.as_secs_f64() * 1000.0
    );
    println!(
        "  bash -c true x{STEPS}    {:>8.1} ms  {per_bash:.2} ms/step",
        bash_best.as_secs_f64() * 1000.0
    );
    println!(
        "  overhead beyond bash  {:>8.2} ms/step",
        per_step - per_bash
    );
    println!(
        "  goal < {GOAL_MS_PER_STEP} ms/step: {}",
        if per_step < GOAL_MS_PER_STEP {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!("reproduce: cargo bench --bench walk");
}
