//! Incident log append latency: `cargo bench --bench log_append`.
//!
//! A plain program (no harness). Appends 2,000 realistic events (steps, commands with a few KB of
//! output, notes) to a log in a temporary directory under `target/` (the real disk, not a tmpfs),
//! timing each `append` followed by a `commit` (the worst case: an action after every event):
//! serialize, hash, one write, fdatasync. Prints p50, p99 and max latency
//! and events per second. Set `RUNBOOK_BENCH_DIR` to measure on another filesystem.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use runbook::event::{Event, LoggedVariable, Mode, NoteKind, RunbookRef, StepStatus};

use runbook::event::EventLog;
use runbook::incident_log::{IncidentLogFile, SystemClock, read_log};

const EVENTS: usize = 2_000;

fn main() {
    let base = std::env::var_os("RUNBOOK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).expect("create bench dir");
    let tmp = tempfile::tempdir_in(&base).expect("temporary directory");
    let fs_type = filesystem(&tmp);

    let mut log =
        IncidentLogFile::create(tmp.path(), "bench", Box::new(SystemClock), "bench".into())
            .expect("create log");
    let events = events();
    let mut latencies = Vec::with_capacity(EVENTS);
    let started = Instant::now();
    for event in events {
        let t = Instant::now();
        log.append("alice", event).expect("append");
        log.commit().expect("commit");
        latencies.push(t.elapsed());
    }
    let total = started.elapsed();
    let path = log.path().to_path_buf();
    drop(log);
    let bytes = std::fs::metadata(&path).expect("log metadata").len();

    let t = Instant::now();
    let read = read_log(&path).expect("read log");
    let read_time = t.elapsed();
    assert_eq!(read.verdict(), Ok(()));
    assert_eq!(read.records.len(), EVENTS);

    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct =
        |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).min(latencies.len()) - 1];
    println!(
        "incident log append + commit (serialize + sha256 + write + fdatasync), {EVENTS} events"
    );
    println!("  dir        {} ({fs_type})", tmp.path().display());
    println!(
        "  log        {:.1} MiB, {:.1} KiB per event on average",
        bytes as f64 / 1048576.0,
        bytes as f64 / 1024.0 / EVENTS as f64
    );
    println!("  p50        {:.3} ms", ms(pct(0.50)));
    println!("  p99        {:.3} ms", ms(pct(0.99)));
    println!("  max        {:.3} ms", ms(latencies[latencies.len() - 1]));
    println!(
        "  throughput {:.0} events/s ({:.2} s in all)",
        EVENTS as f64 / total.as_secs_f64(),
        total.as_secs_f64()
    );
    println!(
        "  read_log   {:.1} ms for the whole log ({:.0} MiB/s)",
        ms(read_time),
        bytes as f64 / 1048576.0 / read_time.as_secs_f64()
    );
    println!("reproduce: cargo bench --bench log_append");
}

/// The filesystem type of `dir`, warning when it is a tmpfs (fsync would cost nothing there).
fn filesystem(dir: &tempfile::TempDir) -> String {
    const TMPFS_MAGIC: u64 = 0x0102_1994;
    match rustix::fs::statfs(dir.path()) {
        Ok(s) if s.f_type as u64 == TMPFS_MAGIC => {
            "tmpfs: fsync is free here, numbers are not representative".into()
        }
        Ok(s) => match s.f_type as u64 {
            0xef53 => "ext4".into(),
            0x5846_5342 => "xfs".into(),
            0x9123_683e => "btrfs".into(),
            0x794c_7630 => "overlayfs".into(),
            magic => format!("filesystem magic {magic:#x}"),
        },
        Err(e) => format!("filesystem unknown: {e}"),
    }
}

/// A walk's worth of events: per step, a start, commands with a few KB of output, a note, an end.
fn events() -> Vec<Event> {
    let runbook = RunbookRef {
        path: "runbooks/db-failover.md".into(),
        title: "Database failover".into(),
        sha256: "0".repeat(64),
        steps: 200,
        outline: vec![],
        ..Default::default()
    };
    let mut events = vec![Event::SessionStarted {
        runbook,
        tool_version: "0.1.0".into(),
        hostname: "ops-1".into(),
        mode: Mode::Live,
        incident: Some("INC-1234".into()),
        variables: vec![LoggedVariable {
            name: "CLUSTER".into(),
            value: Some("prod-eu-1".into()),
            secret: false,
            source: runbook::event::VariableSource::Flag,
        }],
    }];
    let mut step = 0;
    while events.len() < EVENTS {
        step += 1;
        events.push(Event::StepStarted {
            step,
            step_id: format!("step-{step}"),
            title: format!("Check replication lag on replica {step}"),
        });
        for command in 1..=2 {
            events.push(Event::CommandStarted {
                step,
                command,
                name: None,
                code: format!("kubectl -n db logs deploy/replica-{step} --tail=100 | grep -i lag"),
                cwd: "/srv/ops".into(),
                runner: None,
                attempt: 1,
                placeholders: Vec::new(),
            });
            let output: String = (0..60)
                .map(|i| {
                    format!(
                        "2026-11-22T03:04:{:02}.{i:03}Z replica-{step} lag_seconds={} \"ok\"\n",
                        i % 60,
                        i * 7 % 13
                    )
                })
                .collect();
            events.push(Event::CommandFinished {
                step,
                command,
                exit_code: Some(0),
                signal: None,
                success: true,
                duration_ms: 1234,
                bytes: output.len() as u64,
                output,
                truncated: false,
                redactions: 0,
                timed_out: false,
                interrupted: false,
                cwd_after: None,
                env_changed: Vec::new(),
            });
        }
        events.push(Event::Note {
            step: Some(step),
            kind: NoteKind::Observation,
            text: "lag is back under 2 s on every replica".into(),
            at: None,
        });
        events.push(Event::StepFinished {
            step,
            step_id: format!("step-{step}"),
            status: StepStatus::Done,
            reason: None,
        });
    }
    events.truncate(EVENTS);
    events
}
