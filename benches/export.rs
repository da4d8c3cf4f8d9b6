//! Export throughput: `cargo bench --bench export`.
//!
//! A plain program (no harness). Writes a 10,000-event incident log through the library (steps,
//! commands with a few KB of output, retries, notes, lookups with datapoints, hand-offs), then
//! exports it to each format: in-process (read and check the log, build the timeline, render),
//! and through the release binary under `/usr/bin/time -v` for wall time and peak RSS when that
//! tool is installed. Goal: under 1 s per format. Prints PASS or FAIL per format and the command
//! to reproduce.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use runbook::event::EventLog;
use runbook::event::{Datapoint, Event, Mode, NoteKind, RunbookRef, StepOutline, StepStatus};
use runbook::export::{self, Format};
use runbook::incident_log::{IncidentLogFile, SystemClock};

const EVENTS: usize = 10_000;
const GOAL: Duration = Duration::from_secs(1);

fn main() {
    // fdatasync per event is the writer's job, not what is measured here: prefer a tmpfs.
    let base = ["/dev/shm"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    let tmp = tempfile::tempdir_in(&base).expect("temporary directory");
    let log = write_log(tmp.path());
    let size = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    println!(
        "log: {EVENTS} events, {:.1} MiB ({})",
        size as f64 / 1048576.0,
        log.display()
    );

    let mut all_pass = true;
    for (name, format) in [
        ("markdown", Format::Markdown),
        ("html", Format::Html),
        ("json", Format::Json),
        ("aws-timeline", Format::AwsTimeline),
    ] {
        let started = Instant::now();
        let logs = export::load_logs(std::slice::from_ref(&log)).expect("read log");
        let read = started.elapsed();
        let timeline = export::build(logs).expect("build timeline");
        let built = started.elapsed();
        let out = export::render(&timeline, format);
        let total = started.elapsed();
        let (wall, rss) = binary(&log, name, tmp.path());
        let pass = total < GOAL && wall.is_none_or(|w| w < GOAL);
        all_pass &= pass;
        println!(
            "{name:>12}: {:>7.1} ms in-process (read {:.1} ms, build {:.1} ms, render {:.1} ms), {:.1} MiB out; binary {}; peak RSS {}  {}",
            ms(total),
            ms(read),
            ms(built - read),
            ms(total - built),
            out.len() as f64 / 1048576.0,
            wall.map_or("-".into(), |w| format!("{:.1} ms", ms(w))),
            rss.map_or("- (install `time` for it)".into(), |kb| format!(
                "{:.1} MiB",
                kb as f64 / 1024.0
            )),
            if pass { "PASS" } else { "FAIL" }
        );
    }
    println!(
        "goal: < {} s per format: {}",
        GOAL.as_secs(),
        if all_pass { "PASS" } else { "FAIL" }
    );
    println!("reproduce: cargo bench --bench export");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Wall time and peak RSS (KiB) of `runbook export` in the bench build of the binary.
fn binary(log: &Path, format: &str, dir: &Path) -> (Option<Duration>, Option<u64>) {
    let bin = env!("CARGO_BIN_EXE_runbook");
    let out = dir.join(format!("out.{format}"));
    let args = [
        "export",
        &log.display().to_string(),
        "--format",
        format,
        "-o",
        &out.display().to_string(),
    ]
    .map(ToString::to_string);
    if Path::new("/usr/bin/time").exists() {
        let started = Instant::now();
        let Ok(output) = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(bin)
            .args(&args)
            .output()
        else {
            return (None, None);
        };
        let wall = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let rss = stderr
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.trim().parse().ok());
        (output.status.success().then_some(wall), rss)
    } else {
        let started = Instant::now();
        let ok = Command::new(bin)
            .args(&args)
            .output()
            .is_ok_and(|o| o.status.success());
        (ok.then(|| started.elapsed()), None)
    }
}

fn write_log(dir: &Path) -> PathBuf {
    let mut log = IncidentLogFile::create(dir, "bench", Box::new(SystemClock), "bench".into())
        .expect("create log");
    let steps = 400;
    let outline: Vec<StepOutline> = (1..=steps)
        .map(|i| StepOutline {
            id: format!("step-{i}"),
            title: format!("Step number {i}"),
            sha256: "cd".repeat(32),
        })
        .collect();
    log.append(
        "alice",
        Event::SessionStarted {
            runbook: RunbookRef {
                path: "runbooks/bench.md".into(),
                title: "Bench".into(),
                sha256: "ab".repeat(32),
                steps,
                outline,
                ..Default::default()
            },
            tool_version: "bench".into(),
            hostname: "bench".into(),
            mode: Mode::Live,
            incident: Some("INC-1".into()),
            variables: Vec::new(),
        },
    )
    .expect("append");
    let output: String = (0..40)
        .map(|i| format!("\u{1b}[32mline {i}\u{1b}[0m of some realistic command output\r\n"))
        .collect();
    let mut n = 1;
    let mut step = 0;
    while n < EVENTS - 1 {
        step = step % steps + 1;
        let operator = if step % 50 < 25 { "alice" } else { "bob" };
        let mut events = vec![Event::StepStarted {
            step,
            step_id: format!("step-{step}"),
            title: format!("Step number {step}"),
        }];
        for attempt in 1..=2 {
            events.push(Event::CommandStarted {
                step,
                command: 1,
                name: Some("cmd".into()),
                code: "systemctl restart widget\n".into(),
                cwd: "/srv".into(),
                runner: None,
                attempt,
                placeholders: Vec::new(),
            });
            events.push(Event::CommandFinished {
                step,
                command: 1,
                exit_code: Some(if attempt == 1 { 1 } else { 0 }),
                signal: None,
                success: attempt == 2,
                duration_ms: 1200,
                output: output.clone(),
                truncated: false,
                bytes: output.len() as u64,
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
            text: "error rate still above the threshold <b>".into(),
            at: None,
        });
        events.push(Event::LookupResult {
            step,
            lookup: 1,
            label: Some("5xx".into()),
            region: if step % 2 == 0 { "eu-west-2" } else { "eu-central-1" }.into(),
            query: serde_json::from_value(serde_json::json!({"kind": "metric", "namespace": "AWS/ELB", "metric": "5xx", "dimensions": [], "stat": "Sum", "period_s": 60, "window_s": 900, "expect": "< 10"})).expect("a valid query"),
            datapoints: (0..15)
                .map(|i| Datapoint {
                    ts: format!("2026-11-22T02:{i:02}:00.000Z"),
                    value: (i * step % 37) as f64,
                })
                .collect(),
            verdict: Some(runbook::event::Verdict::Ok),
            alarms: None,
            error: None,
            duration_ms: 300,
        });
        events.push(Event::StepFinished {
            step,
            step_id: format!("step-{step}"),
            status: StepStatus::Done,
            reason: None,
        });
        for e in events {
            if n >= EVENTS - 1 {
                break;
            }
            log.append(operator, e).expect("append");
            n += 1;
        }
    }
    log.append(
        "bob",
        Event::SessionFinished {
            done: steps,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        },
    )
    .expect("append");
    log.path().to_path_buf()
}
