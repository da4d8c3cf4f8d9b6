//! Per-step cost of sharing a walk: `cargo bench --bench share`.
//!
//! A plain program (no harness). It writes a runbook of 200 steps, each one `true` command, and
//! runs `runbook run --yes` on it with the release binary (log on the real disk, under
//! `target/`) three ways, alternating run by run so a noisy machine weighs on all alike:
//! without sharing; with `--share` to moto's CloudWatch Logs on 127.0.0.1 (started here from
//! `.venv/bin/moto_server`; skipped, and said so, when missing), the end's wait for the backlog
//! included; and with `--share` to a closed port (offline all along, `--share-timeout 1ms`).
//! Goal: sharing adds at most 0.2 ms per step. Best of 5 runs each after a warm-up.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STEPS: usize = 200;
const RUNS: usize = 5;
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
    let mut text = String::from("# Two hundred steps\n");
    for i in 1..=STEPS {
        text.push_str(&format!("\n## Step {i}\n```bash\ntrue\n```\n"));
    }
    std::fs::write(dir.path().join("many.md"), text).expect("write runbook");
    let moto = start_moto(manifest);
    let walk = |k: usize, share: Option<(&str, &str)>| {
        let mut cmd = Command::new(&bin);
        cmd.args(["run", "many.md", "--yes", "--log-dir"])
            .arg(dir.path().join("logs").join(k.to_string()))
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
        let start = Instant::now();
        let status = cmd.status().expect("run runbook");
        assert!(status.success(), "walk failed");
        start.elapsed()
    };
    let closed = "http://127.0.0.1:9";
    let online = moto.as_ref().ok().map(|m| m.url.clone());
    walk(1000, None);
    if let Some(url) = &online {
        walk(1001, Some((url, "30s")));
    }
    walk(1002, Some((closed, "1ms")));
    let (mut plain, mut shared, mut offline) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for k in 1..=RUNS {
        plain = plain.min(walk(k * 10, None));
        if let Some(url) = &online {
            shared = shared.min(walk(k * 10 + 1, Some((url, "30s"))));
        }
        offline = offline.min(walk(k * 10 + 2, Some((closed, "1ms"))));
    }
    let per_step = |d: Duration| d.as_secs_f64() * 1000.0 / STEPS as f64;
    println!("runbook share benchmark ({STEPS} steps of `true`, best of {RUNS})");
    println!(
        "  run --yes                       {:>8.1} ms  {:.3} ms/step",
        plain.as_secs_f64() * 1000.0,
        per_step(plain)
    );
    let mut worst: f64 = 0.0;
    match &moto {
        Ok(_) => {
            let extra = per_step(shared) - per_step(plain);
            worst = worst.max(extra);
            println!(
                "  run --yes --share (moto)        {:>8.1} ms  {:.3} ms/step  (+{extra:.3} ms/step, end wait included)",
                shared.as_secs_f64() * 1000.0,
                per_step(shared)
            );
        }
        Err(why) => println!("  run --yes --share (moto)        skipped: {why}"),
    }
    let extra = per_step(offline) - per_step(plain);
    worst = worst.max(extra);
    println!(
        "  run --yes --share (offline)     {:>8.1} ms  {:.3} ms/step  (+{extra:.3} ms/step)",
        offline.as_secs_f64() * 1000.0,
        per_step(offline)
    );
    println!(
        "  goal: sharing adds <= {GOAL_MS} ms/step: {}",
        if worst <= GOAL_MS { "PASS" } else { "FAIL" }
    );
    println!("reproduce: cargo bench --bench share");
}
