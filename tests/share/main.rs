//! Sharing walks through CloudWatch Logs: the real binary, against moto (CloudWatch Logs over
//! JSON 1.1, passed straight through the test-only CBOR translator). Network cuts come from a
//! TCP forwarder this test runs on 127.0.0.1 and cuts and restores on the same port.
//!
//! Each test uses its own log group and incident, so they run in parallel against one emulator.
//! Timeouts are correctness bounds (a walk must not hang), not speed goals.

#[allow(
    dead_code,
    reason = "the shared emulator module has helpers these tests do not use"
)]
#[path = "../cloudwatch/emulator.rs"]
mod emulator;
mod forwarder;
#[path = "../common/needs.rs"]
mod needs;
#[path = "../common/pty.rs"]
mod pty;
mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;

use emulator::{Emulator, Shared, runtime, unique};
use forwarder::Forwarder;
use terminal::a_terminal_walk_asks_for_the_incident_and_its_header_follows_the_network;

const REGION: &str = "eu-west-2";
/// Longest a test waits for something that should happen in well under a second.
const PATIENCE: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/share")
        .join(name)
}

/// `runbook ARGS` in `dir`, unattended, talking to `endpoint`.
fn runbook(dir: &Path, endpoint: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runbook"));
    cmd.args(args)
        .arg("--aws-endpoint")
        .arg(endpoint)
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env_remove("AWS_PROFILE")
        .env_remove("RUNBOOK_SHARE")
        .env_remove("RUNBOOK_SHARE_GROUP")
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .stdin(Stdio::null());
    cmd
}

/// `runbook run FILE --yes --share` under `group` and `incident`, talking to `endpoint`, whose
/// end waits `timeout` for the backlog.
fn share_walk(
    dir: &Path,
    endpoint: &str,
    group: &str,
    incident: &str,
    file: &str,
    timeout: &str,
) -> Command {
    runbook(
        dir,
        endpoint,
        &[
            "run",
            file,
            "--yes",
            "--share",
            "--share-group",
            group,
            "--incident",
            incident,
            "--share-timeout",
            timeout,
        ],
    )
}

fn run_walk(dir: &Path, endpoint: &str, group: &str, incident: &str, file: &str) -> Output {
    share_walk(dir, endpoint, group, incident, file, "20s")
        .output()
        .expect("run runbook")
}

/// Every event of a stream, oldest first: (timestamp, message).
fn stream_events(emu: &Emulator, group: &str, stream: &str) -> Vec<(i64, String)> {
    let client = emu.logs_client(REGION);
    runtime().block_on(async {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = client
                .get_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .start_from_head(true)
                .set_next_token(token.clone())
                .send()
                .await;
            let Ok(out) = out else { return events };
            let before = events.len();
            events.extend(out.events().iter().map(|e| {
                (
                    e.timestamp().unwrap_or_default(),
                    e.message().unwrap_or_default().to_string(),
                )
            }));
            let next = out.next_forward_token().map(str::to_string);
            if events.len() == before || next == token {
                return events;
            }
            token = next;
        }
    })
}

/// The names of the group's streams starting with `prefix`.
fn streams(emu: &Emulator, group: &str, prefix: &str) -> Vec<String> {
    let client = emu.logs_client(REGION);
    runtime().block_on(async {
        match client
            .describe_log_streams()
            .log_group_name(group)
            .log_stream_name_prefix(prefix)
            .send()
            .await
        {
            Ok(out) => out
                .log_streams()
                .iter()
                .filter_map(|s| s.log_stream_name().map(str::to_string))
                .collect(),
            // No group yet: no stream.
            Err(e) if e.code() == Some("ResourceNotFoundException") => Vec::new(),
            Err(e) => panic!("describe_log_streams: {e:?}"),
        }
    })
}

/// The only incident log in `dir/incidents`.
fn the_log(dir: &Path) -> PathBuf {
    let logs: Vec<PathBuf> = std::fs::read_dir(dir.join("incidents"))
        .expect("incidents/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs.into_iter().next().unwrap_or_default()
}

/// The log's lines (without newlines) of each session, sessions in the order they began.
fn sessions(log: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(log).expect("read the log");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let session = value["session"].as_str().expect("session").to_string();
        match out.iter_mut().find(|(s, _)| *s == session) {
            Some((_, lines)) => lines.push(line.to_string()),
            None => out.push((session, vec![line.to_string()])),
        }
    }
    out
}

fn ts_millis(line: &str) -> i64 {
    let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    chrono::DateTime::parse_from_rfc3339(value["ts"].as_str().expect("ts"))
        .expect("an RFC 3339 ts")
        .timestamp_millis()
}

/// Each session's stream holds exactly its lines, byte for byte, in order, at their own times.
fn assert_streams_match_log(emu: &Emulator, group: &str, incident: &str, log: &Path) {
    let sessions = sessions(log);
    let mut names = streams(emu, group, &format!("{incident}/"));
    names.sort();
    let mut expected: Vec<String> = sessions
        .iter()
        .map(|(s, _)| format!("{incident}/{s}"))
        .collect();
    expected.sort();
    assert_eq!(names, expected, "one stream per session");
    for (session, lines) in sessions {
        let stream = format!("{incident}/{session}");
        let events = stream_events(emu, group, &stream);
        let messages: Vec<&str> = events.iter().map(|(_, m)| m.as_str()).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(messages, lines, "stream {stream}");
        for ((ts, _), line) in events.iter().zip(&lines) {
            assert_eq!(*ts, ts_millis(line), "timestamp of {line}");
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Waits until `cond` holds, failing after [`PATIENCE`].
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + PATIENCE;
    while !cond() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn log_text(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir.join("incidents")) else {
        return String::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn upstream(emu: &Emulator) -> String {
    emu.url.trim_start_matches("http://").to_string()
}

fn copy_fixture(dir: &Path, name: &str) {
    std::fs::copy(fixture(name), dir.join(name)).expect("copy the fixture");
}

fn one_walk_ships_every_line_byte_for_byte_in_order(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "three-steps.md");
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let out = run_walk(dir.path(), &emu.url, &group, &incident, "three-steps.md");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let log = the_log(dir.path());
    let lines = sessions(&log)[0].1.len();
    assert!(
        err.contains(&format!("shared {lines} events to {group} {incident}/")),
        "{err}"
    );
    assert!(err.contains(&format!("in {REGION}")), "{err}");
    assert!(
        err.contains("T+00:00 · shared"),
        "the step header says so: {err}"
    );
    assert_streams_match_log(emu, &group, &incident, &log);
}

fn two_walks_share_one_incident_at_once(emu: &Shared) {
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let walks: Vec<std::process::Child> = dirs
        .iter()
        .map(|dir| {
            copy_fixture(dir.path(), "three-steps.md");
            share_walk(
                dir.path(),
                &emu.url,
                &group,
                &incident,
                "three-steps.md",
                "20s",
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a walk")
        })
        .collect();
    for walk in walks {
        let out = walk.wait_with_output().expect("walk");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(
            err.contains(&format!("events to {group} {incident}/")),
            "{err}"
        );
    }
    let sessions: Vec<String> = dirs
        .iter()
        .map(|d| sessions(&the_log(d.path()))[0].0.clone())
        .collect();
    assert_ne!(sessions[0], sessions[1]);
    let names = streams(emu, &group, &format!("{incident}/"));
    assert_eq!(names.len(), 2, "{names:?}");
    for dir in &dirs {
        // Each stream is checked against its own walk's log.
        let log = the_log(dir.path());
        let (session, lines) = &self::sessions(&log)[0];
        let events = stream_events(emu, &group, &format!("{incident}/{session}"));
        let messages: Vec<&String> = events.iter().map(|(_, m)| m).collect();
        assert_eq!(messages, lines.iter().collect::<Vec<_>>());
    }
}

fn a_network_cut_mid_walk_delays_events_which_then_arrive_once_in_order(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "slow-steps.md");
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let net = Forwarder::open(&upstream(emu));
    let walk = share_walk(
        dir.path(),
        &net.url(),
        &group,
        &incident,
        "slow-steps.md",
        "20s",
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start the walk");
    // Step 2 waits for `go-2`: once its start is shipped, cut the network.
    wait_for("step 2's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 2
    });
    let stream_prefix = format!("{incident}/");
    wait_for("the first lines to be shared", || {
        streams(emu, &group, &stream_prefix)
            .first()
            .is_some_and(|s| {
                stream_events(emu, &group, s).len() == log_text(dir.path()).lines().count()
            })
    });
    let shared_before = log_text(dir.path()).lines().count();
    net.cut();
    std::fs::write(dir.path().join("go-2"), "").unwrap();
    // Step 3 starts and waits for `go-3` while the network is down.
    wait_for("step 3's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 3
    });
    std::thread::sleep(Duration::from_millis(500));
    let stream = &streams(emu, &group, &stream_prefix)[0];
    assert_eq!(
        stream_events(emu, &group, stream).len(),
        shared_before,
        "nothing reached CloudWatch Logs while the network was cut"
    );
    // Step 4 starts once the walk has seen the network fail twice (its header must say
    // offline); the network returns while the walk's end waits for the backlog.
    wait_for("the walk to find the network cut", || net.refused() >= 2);
    std::fs::write(dir.path().join("go-3"), "").unwrap();
    wait_for("the walk's last event", || {
        log_text(dir.path()).contains("session_finished")
    });
    std::thread::sleep(Duration::from_millis(300));
    net.restore();
    let out = walk.wait_with_output().expect("the walk");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("Step 4/4") && l.contains("offline since")),
        "the step header said it was offline: {err}"
    );
    assert!(err.contains("shared "), "{err}");
    assert_streams_match_log(emu, &group, &incident, &the_log(dir.path()));
}

fn an_offline_start_ships_everything_once_the_network_returns(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "slow-steps.md");
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let net = Forwarder::cut_at_start(&upstream(emu));
    let walk = share_walk(
        dir.path(),
        &net.url(),
        &group,
        &incident,
        "slow-steps.md",
        "20s",
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start the walk");
    wait_for("step 2's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 2
    });
    // Once the first attempts have failed, step 3's header must say offline.
    wait_for("the walk to find the network cut", || net.refused() >= 2);
    std::fs::write(dir.path().join("go-2"), "").unwrap();
    wait_for("step 3's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 3
    });
    assert!(streams(emu, &group, &incident).is_empty());
    net.restore();
    // Everything written so far arrives while step 3 still waits.
    let prefix = format!("{incident}/");
    wait_for("the backlog to be shared while the walk runs", || {
        streams(emu, &group, &prefix).first().is_some_and(|s| {
            stream_events(emu, &group, s).len() == log_text(dir.path()).lines().count()
        })
    });
    std::fs::write(dir.path().join("go-3"), "").unwrap();
    let out = walk.wait_with_output().expect("the walk");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("Step 3/4") && l.contains("offline since")),
        "{err}"
    );
    assert_streams_match_log(emu, &group, &incident, &the_log(dir.path()));
}

fn resume_share_ships_the_tail_a_killed_walk_left(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "slow-steps.md");
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let net = Forwarder::open(&upstream(emu));
    let mut walk = runbook(
        dir.path(),
        &net.url(),
        &[
            "run",
            "slow-steps.md",
            "--yes",
            "--share",
            "--share-group",
            &group,
            "--incident",
            &incident,
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("start the walk");
    wait_for("step 2's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 2
    });
    let prefix = format!("{incident}/");
    wait_for("the first lines to be shared", || {
        streams(emu, &group, &prefix).first().is_some_and(|s| {
            stream_events(emu, &group, s).len() == log_text(dir.path()).lines().count()
        })
    });
    net.cut();
    std::fs::write(dir.path().join("go-2"), "").unwrap();
    wait_for("step 3's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 3
    });
    walk.kill().expect("SIGKILL the walk");
    walk.wait().expect("reap the walk");
    let log = the_log(dir.path());
    let first = sessions(&log)[0].clone();
    let shipped = stream_events(emu, &group, &format!("{incident}/{}", first.0)).len();
    assert!(shipped < first.1.len(), "the kill left lines unshared");
    net.restore();
    std::fs::write(dir.path().join("go-3"), "").unwrap();
    let out = runbook(
        dir.path(),
        &net.url(),
        &[
            "resume",
            log.to_str().unwrap(),
            "--yes",
            "--share",
            "--share-group",
            &group,
            "--share-timeout",
            "20s",
        ],
    )
    .output()
    .expect("resume");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("({shipped} more were there already)")),
        "{err}"
    );
    assert_eq!(sessions(&log).len(), 2);
    assert_streams_match_log(emu, &group, &incident, &log);
}

fn sigterm_while_offline_waits_out_the_share_timeout_and_says_what_is_not_shared(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "slow-steps.md");
    let (group, incident) = (unique("/runbook/test"), unique("INC"));
    let net = Forwarder::cut_at_start(&upstream(emu));
    let walk = share_walk(
        dir.path(),
        &net.url(),
        &group,
        &incident,
        "slow-steps.md",
        "1s",
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start the walk");
    wait_for("step 2's command to start", || {
        log_text(dir.path()).matches("command_started").count() == 2
    });
    wait_for("the walk to find the network cut", || net.refused() >= 2);
    let pid = rustix::process::Pid::from_raw(i32::try_from(walk.id()).unwrap()).unwrap();
    let signalled = Instant::now();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let out = walk.wait_with_output().expect("the walk");
    // A bound, not a speed goal: the wait for the backlog is 1 s, not the 4 s backoff or more.
    assert!(signalled.elapsed() < Duration::from_secs(10));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(143), "{err}");
    let lines = log_text(dir.path()).lines().count();
    let log = the_log(dir.path());
    assert!(
        err.contains(&format!("{lines} events not shared yet (offline since "))
            && err.contains(&format!(
                "they are in the local log and are sent by `runbook resume {} --share`",
                Path::new("incidents")
                    .join(log.file_name().unwrap())
                    .display()
            )),
        "{err}"
    );
}

fn a_zero_share_timeout_does_not_wait_and_says_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "three-steps.md");
    let out = runbook(
        dir.path(),
        "http://127.0.0.1:9",
        &[
            "run",
            "three-steps.md",
            "--yes",
            "--share",
            "--incident",
            "INC-0",
            "--share-timeout",
            "0s",
        ],
    )
    .output()
    .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let lines = log_text(dir.path()).lines().count();
    assert!(
        err.contains(&format!("{lines} events not shared yet")),
        "{err}"
    );
    let bad = runbook(
        dir.path(),
        "http://127.0.0.1:9",
        &["run", "three-steps.md", "--share-timeout", "0"],
    )
    .output()
    .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--share-timeout: bad duration `0`"),
        "{}",
        stderr(&bad)
    );
}

fn share_without_an_incident_unattended_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "three-steps.md");
    let out = runbook(
        dir.path(),
        "http://127.0.0.1:9",
        &["run", "three-steps.md", "--yes", "--share"],
    )
    .output()
    .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--share needs an incident id"), "{err}");
    assert!(err.contains("--incident ID"), "{err}");
    assert!(!dir.path().join("incidents").exists(), "no log was started");
    let bad = runbook(
        dir.path(),
        "http://127.0.0.1:9",
        &[
            "run",
            "three-steps.md",
            "--yes",
            "--share",
            "--incident",
            "INC/7",
        ],
    )
    .output()
    .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("incident id `INC/7` holds `/`"),
        "{}",
        stderr(&bad)
    );
}

fn main() -> std::process::ExitCode {
    needs::Suite::default()
        .plain(tests![
            share_without_an_incident_unattended_is_a_usage_error,
            a_zero_share_timeout_does_not_wait_and_says_what_is_left,
        ])
        .needing(
            "the AWS emulator (moto; scripts/test installs it)",
            emulator::available(),
            tests![
                one_walk_ships_every_line_byte_for_byte_in_order,
                two_walks_share_one_incident_at_once,
                a_network_cut_mid_walk_delays_events_which_then_arrive_once_in_order,
                an_offline_start_ships_everything_once_the_network_returns,
                resume_share_ships_the_tail_a_killed_walk_left,
                sigterm_while_offline_waits_out_the_share_timeout_and_says_what_is_not_shared,
                a_terminal_walk_asks_for_the_incident_and_its_header_follows_the_network,
            ],
        )
        .run()
}
