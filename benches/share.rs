//! Per-step cost of sharing a walk: `cargo bench --bench share`.
//!
//! A plain program (no harness). It writes a runbook of 500 steps, each one `true` command, and
//! runs `runbook run --yes` on it with the release binary (log on the real disk, under
//! `target/`) three ways: without sharing; with `--share` to moto's CloudWatch Logs on 127.0.0.1
//! (started here from `.venv/bin/moto_server`; skipped, and said so, when missing); and with
//! `--share` to a closed port (offline all along). Both shared walks end with
//! `--share-timeout 0s`, so their time is the walk's own, not the end's wait for the backlog.
//!
//! **Per step** is read from the walk's own log: the time from step 150's `step_finished` to
//! step 450's, over 300. That is the steady cost of a step, free of the process's start and
//! exit and of what sharing pays once (the SDK's set-up on the sharing thread, at the first
//! request, 200 ms after the first event, before step 150). **Whole walk** is the process's
//! wall and CPU time (its threads and its `bash` children, from `getrusage`), which include
//! those one-time costs. Each round runs the three walks, interleaved so a noisy machine weighs
//! on all alike; a mode's extra cost is the median over rounds of its difference from the plain
//! walk of the same round (the order of the three turns from round to round). Goal: sharing adds at most 0.2 ms per step.
//! The end's wait for the backlog to reach moto is measured apart and printed, with no goal.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STEPS: usize = 500;
/// The steps whose `step_finished` times bound the measured stretch.
const FROM: usize = 150;
const TO: usize = 450;
const ROUNDS: usize = 15;
/// A pause before each measured walk.
const SETTLE: Duration = Duration::from_millis(300);
const GOAL_MS: f64 = 0.2;

/// moto's server on a free port, killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto(manifest: &Path) -> Result<Moto, String> {
    let program = std::env::var_os("RUNBOOK_TEST_MOTO")
        .map_or_else(|| manifest.join(".venv/bin/moto_server"), PathBuf::from);
    if !program.exists() {
        return Err(format!("{} not found", program.display()));
    }
    let mut child = Command::new(&program)
        .args(["-H", "127.0.0.1", "-p", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start moto: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr from moto")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent && let Some(at) = line.find("Running on ") {
                let url: String = line[at + 11..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = tx.send(url);
                sent = true;
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "moto did not print its address".to_string())?;
    Ok(Moto { child, url })
}

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
    let dir = tempfile::Builder::new()
        .prefix("share-bench-")
        .tempdir_in(&target)
        .expect("bench dir");
    let mut text = format!("# {STEPS} steps\n");
    for i in 1..=STEPS {
        text.push_str(&format!("\n## Step {i}\n```bash\ntrue\n```\n"));
    }
    std::fs::write(dir.path().join("many.md"), text).expect("write runbook");
    let moto = start_moto(manifest);
    let mut k = 0;
    let mut walk = |share: Option<(&str, &str)>| {
        k += 1;
        let logs = dir.path().join("logs").join(k.to_string());
        let mut cmd = Command::new(&bin);
        cmd.args(["run", "many.md", "--yes", "--log-dir"])
            .arg(&logs)
            .current_dir(dir.path())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "eu-west-2")
            .env_remove("RUNBOOK_SHARE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((endpoint, timeout)) = share {
            cmd.args(["--share", "--incident", &format!("BENCH-{k}")])
                .args(["--aws-endpoint", endpoint, "--share-timeout", timeout]);
        }
        let cpu = children_cpu_ms();
        let start = Instant::now();
        let status = cmd.status().expect("run runbook");
        assert!(status.success(), "walk failed");
        Walk {
            wall: start.elapsed().as_secs_f64() * 1000.0,
            cpu: children_cpu_ms() - cpu,
            per_step: per_step_from_log(&logs),
        }
    };
    let closed = "http://127.0.0.1:9";
    let online = moto.as_ref().ok().map(|m| m.url.clone());
    let modes: Vec<(&str, Option<&str>)> = [
        Some(("run --yes", None)),
        online.as_deref().map(|url| ("--share (moto)", Some(url))),
        Some(("--share (offline)", Some(closed))),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Warm-up: the binary and the page cache, and moto's first requests.
    for (_, endpoint) in &modes {
        walk(endpoint.map(|e| (e, "0s")));
    }
    // runs[mode][round]
    let mut runs: Vec<Vec<Walk>> = (0..modes.len()).map(|_| Vec::new()).collect();
    for round in 0..ROUNDS {
        let mut measured: Vec<(usize, Walk)> = Vec::new();
        // Each mode follows each other in turn, and the machine settles between walks: a walk
        // sharing to moto leaves moto finishing its last request, which would weigh on
        // whichever walk always came next.
        for m in (0..modes.len()).map(|i| (i + round) % modes.len()) {
            std::thread::sleep(SETTLE);
            measured.push((m, walk(modes[m].1.map(|e| (e, "0s")))));
        }
        measured.sort_by_key(|(m, _)| *m);
        for (m, w) in measured {
            runs[m].push(w);
        }
    }
    println!("runbook share benchmark ({STEPS} steps of `true`, {ROUNDS} rounds, medians)");
    println!(
        "  {:<20} {:>22}  {:>22}  {:>22}",
        "", "per step (150-450)", "whole walk", "whole walk CPU"
    );
    let mut worst: f64 = 0.0;
    for (m, (name, _)) in modes.iter().enumerate() {
        let of = |f: fn(&Walk) -> f64| median(runs[m].iter().map(f).collect());
        let over = |f: fn(&Walk) -> f64| {
            median(
                runs[m]
                    .iter()
                    .zip(&runs[0])
                    .map(|(a, b)| f(a) - f(b))
                    .collect(),
            )
        };
        let (step, wall, cpu) = (of(|w| w.per_step), of(|w| w.wall), of(|w| w.cpu));
        if m == 0 {
            println!(
                "  {name:<20} {:>22}  {:>22}  {:>22}",
                format!("{step:.3} ms"),
                format!("{wall:.1} ms"),
                format!("{cpu:.1} ms")
            );
            continue;
        }
        let extra = over(|w| w.per_step);
        worst = worst.max(extra);
        println!(
            "  {name:<20} {:>22}  {:>22}  {:>22}",
            format!("{step:.3} ms ({extra:+.3})"),
            format!("{wall:.1} ms ({:+.1})", over(|w| w.wall)),
            format!("{cpu:.1} ms ({:+.1})", over(|w| w.cpu))
        );
    }
    if let Err(why) = &moto {
        println!("  --share (moto)       skipped: {why}");
    }
    if let Some(url) = &online {
        let waits: Vec<f64> = (0..3)
            .map(|_| walk(Some((url, "30s"))).wall - walk(Some((url, "0s"))).wall)
            .collect();
        println!(
            "  end of a walk waiting for moto to hold every event: {:+.1} ms (median of 3)",
            median(waits)
        );
    }
    println!(
        "  goal: sharing adds <= {GOAL_MS} ms per step: {}",
        if worst <= GOAL_MS { "PASS" } else { "FAIL" }
    );
    println!("reproduce: cargo bench --bench share");
}

/// One walk's measures, in ms.
struct Walk {
    wall: f64,
    cpu: f64,
    per_step: f64,
}

/// The time from step [`FROM`]'s `step_finished` to step [`TO`]'s, per step, from the log's `ts`.
fn per_step_from_log(logs: &Path) -> f64 {
    let log = std::fs::read_dir(logs)
        .expect("the log dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("a log");
    let text = std::fs::read_to_string(log).expect("read the log");
    let finished: Vec<i64> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|v| v["type"] == "step_finished")
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v["ts"].as_str().expect("ts"))
                .expect("an RFC 3339 ts")
                .timestamp_millis()
        })
        .collect();
    assert_eq!(finished.len(), STEPS, "every step finished");
    (finished[TO - 1] - finished[FROM - 1]) as f64 / (TO - FROM) as f64
}

/// CPU time, in ms, of every child this process has waited for (their own children included).
// `getrusage` has no safe wrapper in the crates used here (rustix has none).
#[allow(unsafe_code)]
fn children_cpu_ms() -> f64 {
    // SAFETY: `getrusage` writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
