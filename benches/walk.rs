//! Per-step cost of a walk: `cargo bench --bench walk`.
//!
//! A plain program (no harness). It writes a runbook of 200 steps, each one `true` command, runs
//! `runbook run --yes` on it with the release binary (its log on the real disk, under `target/`:
//! every event durable before the next action, one group fdatasync per step), and compares the
//! time per step with running `bash -c true` 200 times from one process. The two alternate, run
//! by run, so a noisy machine weighs on both alike. Goal: at most 0.6 ms per step beyond bash.
//! Best of 5 runs each after a warm-up.
//!
//! To show where the time goes, the same walk also runs with its log on a tmpfs (`/dev/shm`),
//! where fsync costs nothing: the difference is the price of the step's fdatasyncs on this disk,
//! and what is left beyond bash is the walk's own cost.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STEPS: usize = 200;
const RUNS: usize = 5;
/// The walk's cost per step beyond the bare command, log on disk included.
const GOAL_OVERHEAD_MS: f64 = 0.6;

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

    let shm = Path::new("/dev/shm");
    let shm_dir = shm.is_dir().then(|| {
        tempfile::Builder::new()
            .prefix("walk-bench-")
            .tempdir_in(shm)
            .expect("bench dir on /dev/shm")
    });
    let walk_in = |logs: &Path, k: usize| {
        let start = Instant::now();
        let status = Command::new(&bin)
            .args(["run", "many.md", "--yes", "--log-dir"])
            .arg(logs.join(k.to_string()))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run runbook");
        assert!(status.success(), "walk failed");
        start.elapsed()
    };
    let disk_logs = dir.path().join("logs");
    let walk = |k: usize| walk_in(&disk_logs, k);
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
    // Side by side: walk, bash, walk, bash, ...
    let (mut walk_best, mut bash_best) = (Duration::MAX, Duration::MAX);
    for k in 1..=RUNS {
        walk_best = walk_best.min(walk(k));
        bash_best = bash_best.min(bash());
    }
    let tmpfs_best = shm_dir.as_ref().map(|shm| {
        walk_in(shm.path(), 0);
        best(&mut |k| walk_in(shm.path(), k))
    });
    let per_step = walk_best.as_secs_f64() * 1000.0 / STEPS as f64;
    let per_bash = bash_best.as_secs_f64() * 1000.0 / STEPS as f64;
    let log = std::fs::read_dir(disk_logs.join("1"))
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
        "  runbook run --yes     {:>8.1} ms  {per_step:.2} ms/step  ({events} events)",
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
    if let Some(tmpfs) = tmpfs_best {
        let per_tmpfs = tmpfs.as_secs_f64() * 1000.0 / STEPS as f64;
        println!(
            "  same, log on tmpfs    {:>8.1} ms  {per_tmpfs:.2} ms/step  (fsync costs nothing there)",
            tmpfs.as_secs_f64() * 1000.0
        );
        println!(
            "    fdatasyncs          {:>8.2} ms/step  (disk minus tmpfs)",
            per_step - per_tmpfs
        );
        println!(
            "    the walk's own cost {:>8.2} ms/step  (tmpfs walk minus bash)",
            per_tmpfs - per_bash
        );
    }
    println!(
        "  goal: overhead <= {GOAL_OVERHEAD_MS} ms/step: {}",
        if per_step - per_bash <= GOAL_OVERHEAD_MS {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!("reproduce: cargo bench --bench walk");
}
