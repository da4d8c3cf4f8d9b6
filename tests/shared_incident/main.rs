//! Reading a shared incident from CloudWatch Logs (`export`, `timeline`, `compare --incident`),
//! against moto's server behind the test-only translator (which passes CloudWatch Logs' JSON 1.1
//! straight through). The incidents are put into streams here with the SDK, one stream per
//! session as `run --share` ships them, from logs built through the library.
//!
//! Each test uses its own log group, so the tests run in parallel against one emulator.

#[allow(
    dead_code,
    reason = "shared with the cloudwatch tests; not every helper is used here"
)]
#[path = "../cloudwatch/emulator.rs"]
mod emulator;
#[allow(
    dead_code,
    reason = "shared with the export tests; not every log is used here"
)]
#[path = "../export/logs.rs"]
mod logs;
#[path = "../common/needs.rs"]
mod needs;

use std::io::{BufRead, BufReader};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, ExitCode, Output, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::Value;

use emulator::{Emulator, Shared, runtime, unique};

const BIN: &str = env!("CARGO_BIN_EXE_runbook");
const REGION: &str = "eu-west-3";

fn main() -> ExitCode {
    needs::Suite::default()
        .plain(tests![
            local_logs_and_incident_are_exclusive_and_follow_needs_an_incident
        ])
        .needing(
            "the AWS emulator (moto)",
            emulator::available(),
            tests![
                export_of_a_shared_incident_equals_the_export_of_its_local_logs,
                a_resumed_log_split_over_two_streams_is_joined_and_verifies,
                a_missing_line_or_a_changed_line_names_its_stream_and_the_rest_is_exported,
                a_session_without_its_end_is_named_as_still_running_or_cut_off,
                timeline_follow_shows_another_writers_new_stream_within_two_seconds,
                timeline_follow_through_a_network_cut_shows_each_event_once_when_it_returns,
                timeline_follow_shows_lines_that_arrive_with_earlier_timestamps_once,
                compare_incident_compares_the_shared_run_with_a_local_log,
                an_incident_of_more_streams_than_one_page_is_read_whole,
                an_incident_with_no_stream_is_one_line_and_exit_1,
                a_missing_group_or_an_unreachable_endpoint_is_one_clear_line,
            ],
        )
        .run()
}

fn local_logs_and_incident_are_exclusive_and_follow_needs_an_incident() {
    let dir = tempfile::tempdir().expect("dir");
    for (args, says) in [
        (
            &["export", "a.jsonl", "--incident", "INC-1"][..],
            "cannot be used with",
        ),
        (
            &["timeline", "a.jsonl", "--incident", "INC-1"][..],
            "cannot be used with",
        ),
        (
            &[
                "compare",
                "a.jsonl",
                "--with",
                "b.jsonl",
                "--incident",
                "INC-1",
            ][..],
            "cannot be used with",
        ),
        (&["export", "--share-region", "euw2"][..], "--incident"),
        (
            &["export", "--incident", "INC/1"][..],
            "error: --incident: incident id `INC/1` holds `/`",
        ),
    ] {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .env_remove("RUNBOOK_SHARE_GROUP")
            .stdin(Stdio::null())
            .output()
            .expect("run runbook");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

fn create_group(emu: &Emulator, group: &str) {
    runtime()
        .block_on(
            emu.logs_client(REGION)
                .create_log_group()
                .log_group_name(group)
                .send(),
        )
        .expect("create log group");
}

/// Epoch millis of a line's `ts`.
fn ts_ms(line: &str) -> i64 {
    let v: Value = serde_json::from_str(line).expect("a log line");
    chrono::DateTime::parse_from_rfc3339(v["ts"].as_str().expect("ts"))
        .expect("rfc3339")
        .timestamp_millis()
}

/// Puts `lines` into `group`/`stream` (created when new), as the shipper does: each message a
/// line's bytes, its timestamp the line's `ts`. The fixture logs are dated 2026-11-22, older
/// than the 14 days CloudWatch Logs (and moto) accept, so every timestamp is moved by the same
/// amount (the same for the whole test run, so order across puts holds) to an hour ago.
fn put(emu: &Emulator, group: &str, stream: &str, lines: &[String]) {
    static SHIFT: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    if lines.is_empty() {
        return;
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    // 2026-11-22T03:00:00Z, where the fixture logs start.
    let shift = *SHIFT.get_or_init(|| now - 3_600_000 - 1_795_316_400_000);
    let rt = runtime();
    let c = emu.logs_client(REGION);
    let _ = rt.block_on(
        c.create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send(),
    );
    let events: Vec<InputLogEvent> = lines
        .iter()
        .map(|l| {
            InputLogEvent::builder()
                .timestamp((ts_ms(l) + shift).min(now))
                .message(l)
                .build()
                .expect("event")
        })
        .collect();
    let out = rt
        .block_on(
            c.put_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .set_log_events(Some(events))
                .send(),
        )
        .expect("put log events");
    assert!(
        out.rejected_log_events_info().is_none(),
        "rejected: {:?}",
        out.rejected_log_events_info()
    );
}

/// The lines of the log at `path` written by `session`, in order.
fn session_lines(path: &Path, session: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read log")
        .lines()
        .filter(|l| {
            serde_json::from_str::<Value>(l).expect("line")["session"].as_str() == Some(session)
        })
        .map(str::to_string)
        .collect()
}

/// Every session of the log at `path`, in order of appearance.
fn sessions(path: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in std::fs::read_to_string(path).expect("read log").lines() {
        let v: Value = serde_json::from_str(l).expect("line");
        let s = v["session"].as_str().expect("session").to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Ships every session of the log at `path` to its own stream of `incident`.
fn share(emu: &Emulator, group: &str, incident: &str, path: &Path) {
    for s in sessions(path) {
        put(
            emu,
            group,
            &format!("{incident}/{s}"),
            &session_lines(path, &s),
        );
    }
}

fn command(emu: &Emulator, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", &emu.url)
        .env_remove("AWS_PROFILE")
        .env_remove("RUNBOOK_SHARE_GROUP")
        .env_remove("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .stdin(Stdio::null());
    c
}

fn runbook(emu: &Emulator, dir: &Path, args: &[&str]) -> Output {
    command(emu, dir, args).output().expect("run runbook")
}

/// Runs the binary and checks its exit code; returns stdout and stderr.
fn ok(emu: &Emulator, dir: &Path, args: &[&str], status: i32) -> (String, String) {
    let out = runbook(emu, dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(status),
        "runbook {args:?}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    );
    (stdout, stderr)
}

fn assert_valid_export(doc: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/incident-export.schema.json"),
        )
        .expect("read schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// `text` with each stream label named as the local file it came from.
fn relabel(text: &str, labels: &[(&str, &str)]) -> String {
    labels
        .iter()
        .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

const ALICE: &str = "a11ce000a11ce000";
const BOB: &str = "b0b0b0b0b0b0b0b0";

fn export_of_a_shared_incident_equals_the_export_of_its_local_logs(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    share(emu, &group, "INC-4821", &dir.path().join("alice.jsonl"));
    share(emu, &group, "INC-4821", &dir.path().join("bob.jsonl"));
    let alice = format!("INC-4821/{ALICE}");
    let bob = format!("INC-4821/{BOB}");
    let labels = [(alice.as_str(), "alice.jsonl"), (bob.as_str(), "bob.jsonl")];
    for format in ["markdown", "json", "html", "aws-timeline"] {
        let (local, _) = ok(
            emu,
            dir.path(),
            &["export", "--format", format, "alice.jsonl", "bob.jsonl"],
            0,
        );
        let (shared, stderr) = ok(
            emu,
            dir.path(),
            &[
                "export",
                "--format",
                format,
                "--incident",
                "INC-4821",
                "--share-group",
                &group,
            ],
            0,
        );
        assert_eq!(stderr, "", "{format}");
        assert_eq!(relabel(&shared, &labels), local, "{format}");
        if format == "json" {
            let doc: Value = serde_json::from_str(&shared).expect("export is JSON");
            assert_valid_export(&doc);
            assert!(shared.contains(&alice) && shared.contains(&bob));
        }
    }
    // The terminal timeline, from the same path.
    let (local, _) = ok(
        emu,
        dir.path(),
        &["timeline", "alice.jsonl", "bob.jsonl"],
        0,
    );
    let (shared, _) = ok(
        emu,
        dir.path(),
        &[
            "timeline",
            "--incident",
            "INC-4821",
            "--share-group",
            &group,
            "--share-region",
            REGION,
        ],
        0,
    );
    assert_eq!(relabel(&shared, &labels), local);
}

fn a_resumed_log_split_over_two_streams_is_joined_and_verifies(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    // a.jsonl: alice's session, paused; b.jsonl: a copy bob resumed and finished; c.jsonl: a
    // copy carol resumed separately. Three streams; bob's and carol's both continue alice's.
    logs::copies(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    share(emu, &group, "INC-9", &dir.path().join("b.jsonl"));
    let carol = sessions(&dir.path().join("c.jsonl"))[1].clone();
    put(
        emu,
        &group,
        &format!("INC-9/{carol}"),
        &session_lines(&dir.path().join("c.jsonl"), &carol),
    );
    let b = sessions(&dir.path().join("b.jsonl"));
    assert_eq!(b.len(), 2, "a resumed log of two sessions");
    let (doc, stderr) = ok(
        emu,
        dir.path(),
        &[
            "export",
            "--format",
            "json",
            "--incident",
            "INC-9",
            "--share-group",
            &group,
        ],
        0,
    );
    // Joined: no stream is said to be incomplete, though two of them do not start at seq 1.
    assert!(!stderr.contains("incomplete"), "{stderr}");
    let joined_b = format!("INC-9/{} + INC-9/{}", b[0], b[1]);
    let joined_c = format!("INC-9/{} + INC-9/{carol}", b[0]);
    let labels = [
        (joined_b.as_str(), "b.jsonl"),
        (joined_c.as_str(), "c.jsonl"),
    ];
    let (local, local_err) = ok(
        emu,
        dir.path(),
        &["export", "--format", "json", "b.jsonl", "c.jsonl"],
        0,
    );
    assert_eq!(relabel(&doc, &labels), local);
    assert_eq!(relabel(&stderr, &labels), local_err);
    let doc: Value = serde_json::from_str(&doc).expect("JSON");
    assert_valid_export(&doc);
    let chains: Vec<&str> = doc["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .map(|l| l["chain"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(chains, ["intact", "intact"], "{doc:#}");
}

fn a_missing_line_or_a_changed_line_names_its_stream_and_the_rest_is_exported(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let alice_lines = session_lines(&dir.path().join("alice.jsonl"), ALICE);
    let bob_lines = session_lines(&dir.path().join("bob.jsonl"), BOB);

    // Alice's stream lost its fifth line; bob's is whole.
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let mut gap = alice_lines.clone();
    gap.remove(4);
    put(emu, &group, &format!("INC-1/{ALICE}"), &gap);
    put(emu, &group, &format!("INC-1/{BOB}"), &bob_lines);
    let args = [
        "export",
        "--format",
        "json",
        "--incident",
        "INC-1",
        "--share-group",
        &group,
    ];
    let (doc, stderr) = ok(emu, dir.path(), &args, 0);
    assert!(
        stderr.contains(&format!(
            "warning: stream `INC-1/{ALICE}` is incomplete: line 5 of the stream: `seq` is 6, expected 5: a line is missing or out of order"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(BOB) || !stderr.contains(&format!("`INC-1/{BOB}` is incomplete")));
    let doc: Value = serde_json::from_str(&doc).expect("JSON");
    assert_valid_export(&doc);
    // The export itself says so too, not only stderr.
    assert!(
        doc["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w
                .as_str()
                .is_some_and(|w| w.starts_with(&format!("stream `INC-1/{ALICE}` is incomplete")))),
        "{doc:#}"
    );
    let count = |session: &str| {
        doc["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["session"] == session)
            .count()
    };
    assert_eq!(count(ALICE), 4, "alice's events before the gap");
    assert_eq!(count(BOB), bob_lines.len(), "all of bob's");

    // Bob's third line was changed after it was written (a status rewritten).
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let mut changed = bob_lines.clone();
    let before = changed[2].clone();
    changed[2] = before.replacen("\"seq\":3", "\"seq\":3 ", 1);
    assert_ne!(changed[2], before);
    put(emu, &group, &format!("INC-1/{ALICE}"), &alice_lines);
    put(emu, &group, &format!("INC-1/{BOB}"), &changed);
    let args = [
        "export",
        "--format",
        "markdown",
        "--incident",
        "INC-1",
        "--share-group",
        &group,
    ];
    let (md, stderr) = ok(emu, dir.path(), &args, 0);
    assert!(
        stderr.contains(&format!(
            "warning: stream `INC-1/{BOB}` is incomplete: line 3 of the stream: `hash` does not match the line"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&format!("`INC-1/{ALICE}` is incomplete")),
        "{stderr}"
    );
    assert!(md.contains("alice"), "{md}");
    assert!(
        md.contains(&format!("stream `INC-1/{BOB}` is incomplete")),
        "{md}"
    );
}

fn a_session_without_its_end_is_named_as_still_running_or_cut_off(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let mut bob_lines = session_lines(&dir.path().join("bob.jsonl"), BOB);
    bob_lines.truncate(bob_lines.len() - 2);
    let group = unique("/runbook/test");
    create_group(emu, &group);
    put(emu, &group, &format!("INC-2/{BOB}"), &bob_lines);
    let (text, stderr) = ok(
        emu,
        dir.path(),
        &["timeline", "--incident", "INC-2", "--share-group", &group],
        0,
    );
    assert!(
        stderr.contains(&format!(
            "warning: stream `INC-2/{BOB}` is incomplete: its last event is `"
        )) && stderr.contains("the walk is still running, or its end was never shipped"),
        "{stderr}"
    );
    assert!(text.contains("bob"), "{text}");
}

/// Lines of a child's stdout, as they come.
fn lines_of(stdout: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line holding `needle`, at most until `deadline`; the lines read on the way.
fn wait_for(rx: &mpsc::Receiver<String>, needle: &str, deadline: Instant) -> Result<(), String> {
    let mut seen = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Ok(()),
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => return Err(seen),
        }
    }
}

fn timeline_follow_shows_another_writers_new_stream_within_two_seconds(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    share(emu, &group, "INC-7", &dir.path().join("alice.jsonl"));
    let mut child = command(
        emu,
        dir.path(),
        &[
            "timeline",
            "--incident",
            "INC-7",
            "--share-group",
            &group,
            "--follow",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn timeline --follow");
    let rx = lines_of(child.stdout.take().expect("stdout"));
    let err_rx = lines_of(child.stderr.take().expect("stderr"));
    // The timeline so far ends with the chain of alice's stream.
    if let Err(seen) = wait_for(
        &rx,
        &format!("INC-7/{ALICE}: "),
        Instant::now() + Duration::from_secs(20),
    ) {
        let _ = child.kill();
        panic!("no timeline so far:\n{seen}");
    }
    wait_for(
        &err_rx,
        "following incident `INC-7`",
        Instant::now() + Duration::from_secs(10),
    )
    .expect("the follow notice");
    // Bob joins: a new stream, from another writer.
    let bob_lines = session_lines(&dir.path().join("bob.jsonl"), BOB);
    put(emu, &group, &format!("INC-7/{BOB}"), &bob_lines);
    let shipped = Instant::now();
    let seen = wait_for(&rx, " bob ", shipped + Duration::from_secs(2));
    let took = shipped.elapsed();
    eprintln!("timeline --follow showed a new stream's first event {took:?} after it was put");
    // The rest of bob's events follow; then SIGTERM ends it cleanly.
    std::thread::sleep(Duration::from_millis(300));
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(
        seen.is_ok(),
        "bob's events not shown within 2 s:\n{}",
        seen.unwrap_err()
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(status.code(), Some(0), "SIGTERM ends following with 0");
    let rest: Vec<String> = rx.try_iter().collect();
    let bobs = rest.iter().filter(|l| l.contains(" bob ")).count() + 1;
    assert!(bobs >= 2, "more of bob's events: {rest:#?}");
}

/// A TCP relay to the emulator that can be cut (every connection closed, new ones refused by
/// closing them at once) and restored: a network cut between a reader and CloudWatch Logs.
struct Relay {
    url: String,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn start(upstream_url: &str) -> Relay {
        let upstream = upstream_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let cut = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c, o) = (Arc::clone(&cut), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if c.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut held = o.lock().expect("lock");
                for s in [&client, &server] {
                    if let Ok(s) = s.try_clone() {
                        held.push(s);
                    }
                }
                drop(held);
                for (mut from, mut to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ]
                .into_iter()
                .filter_map(|(a, b)| Some((a.ok()?, b.ok()?)))
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Relay { url, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.open.lock().expect("lock").drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn timeline_follow_through_a_network_cut_shows_each_event_once_when_it_returns(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let alice_lines = session_lines(&dir.path().join("alice.jsonl"), ALICE);
    let bob_lines = session_lines(&dir.path().join("bob.jsonl"), BOB);
    put(emu, &group, &format!("INC-8/{ALICE}"), &alice_lines[..6]);
    let relay = Relay::start(&emu.url);
    let mut child = command(
        emu,
        dir.path(),
        &[
            "timeline",
            "--incident",
            "INC-8",
            "--share-group",
            &group,
            "--aws-endpoint",
            &relay.url,
            "--follow",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn timeline --follow");
    let rx = lines_of(child.stdout.take().expect("stdout"));
    let err_rx = lines_of(child.stderr.take().expect("stderr"));
    let stop = |child: &mut std::process::Child| {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(child),
            rustix::process::Signal::TERM,
        );
        child.wait().expect("wait")
    };
    if let Err(seen) = wait_for(
        &rx,
        &format!("INC-8/{ALICE}: "),
        Instant::now() + Duration::from_secs(20),
    ) {
        let _ = child.kill();
        panic!("no timeline so far:\n{seen}");
    }
    // The network goes; meanwhile alice ships the rest and bob joins.
    relay.cut();
    put(emu, &group, &format!("INC-8/{ALICE}"), &alice_lines[6..]);
    put(emu, &group, &format!("INC-8/{BOB}"), &bob_lines);
    let said = wait_for(
        &err_rx,
        "warning: cannot read incident `INC-8` from CloudWatch Logs: ",
        Instant::now() + Duration::from_secs(30),
    );
    let during: Vec<String> = rx.try_iter().collect();
    // The network comes back: every event shipped meanwhile, each once.
    relay.restore();
    let back = wait_for(
        &err_rx,
        "note: CloudWatch Logs answers again",
        Instant::now() + Duration::from_secs(30),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let status = stop(&mut child);
    let after: Vec<String> = rx.try_iter().collect();
    said.unwrap_or_else(|seen| panic!("the cut was not said:\n{seen}"));
    back.unwrap_or_else(|seen| panic!("the return was not said:\n{seen}"));
    assert!(during.is_empty(), "nothing new while cut: {during:#?}");
    let rows = |short: &str| after.iter().filter(|l| l.contains(short)).count();
    assert_eq!(
        (rows(&ALICE[..8]), rows(&BOB[..8])),
        (alice_lines.len() - 6, bob_lines.len()),
        "each event shipped during the cut, once:\n{}",
        after.join("\n")
    );
    assert_eq!(status.code(), Some(0));
}

fn timeline_follow_shows_lines_that_arrive_with_earlier_timestamps_once(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let alice_lines = session_lines(&dir.path().join("alice.jsonl"), ALICE);
    put(emu, &group, &format!("INC-6/{ALICE}"), &alice_lines[..6]);
    let mut child = command(
        emu,
        dir.path(),
        &[
            "timeline",
            "--incident",
            "INC-6",
            "--share-group",
            &group,
            "--follow",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn timeline --follow");
    let rx = lines_of(child.stdout.take().expect("stdout"));
    if let Err(seen) = wait_for(
        &rx,
        &format!("INC-6/{ALICE}: "),
        Instant::now() + Duration::from_secs(20),
    ) {
        let _ = child.kill();
        panic!("no timeline so far:\n{seen}");
    }
    // Lines 9 on arrive first, then lines 7 and 8, stamped earlier (a batch retried late).
    put(emu, &group, &format!("INC-6/{ALICE}"), &alice_lines[8..]);
    std::thread::sleep(Duration::from_millis(1200));
    put(emu, &group, &format!("INC-6/{ALICE}"), &alice_lines[6..8]);
    std::thread::sleep(Duration::from_millis(2500));
    let _ = rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    );
    let status = child.wait().expect("wait");
    let rows: Vec<String> = rx.try_iter().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        rows.len(),
        alice_lines.len() - 6,
        "each later event once:\n{}",
        rows.join("\n")
    );
    for (line, shipped) in alice_lines[6..8].iter().enumerate() {
        let v: Value = serde_json::from_str(shipped).expect("line");
        let clock = &v["ts"].as_str().expect("ts")[11..19];
        assert!(
            rows.iter().any(|r| r.starts_with(clock)),
            "line {} ({clock}) shown:\n{}",
            line + 7,
            rows.join("\n")
        );
    }
    assert_eq!(status.code(), Some(0));
}

fn compare_incident_compares_the_shared_run_with_a_local_log(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    logs::copies(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    share(emu, &group, "INC-5", &dir.path().join("b.jsonl"));
    let (shared, _) = ok(
        emu,
        dir.path(),
        &[
            "compare",
            "--incident",
            "INC-5",
            "--share-group",
            &group,
            "--with",
            "c.jsonl",
        ],
        0,
    );
    let (local, _) = ok(
        emu,
        dir.path(),
        &["compare", "b.jsonl", "--with", "c.jsonl"],
        0,
    );
    assert_eq!(shared.replace("incident INC-5", "b.jsonl"), local);
}

fn an_incident_of_more_streams_than_one_page_is_read_whole(emu: &Shared) {
    // DescribeLogStreams answers 50 streams a page: 55 sessions take two pages.
    let dir = tempfile::tempdir().expect("dir");
    logs::incident(dir.path());
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let bob_lines = session_lines(&dir.path().join("bob.jsonl"), BOB);
    for i in 0..54 {
        // A stream named after another session holding bob's lines: a copy, read as one.
        put(emu, &group, &format!("INC-3/copy{i:02}"), &bob_lines[..2]);
    }
    put(emu, &group, &format!("INC-3/{BOB}"), &bob_lines);
    let (doc, _) = ok(
        emu,
        dir.path(),
        &[
            "export",
            "--format",
            "json",
            "--incident",
            "INC-3",
            "--share-group",
            &group,
        ],
        0,
    );
    let doc: Value = serde_json::from_str(&doc).expect("JSON");
    let logs = doc["logs"].as_array().expect("logs");
    assert_eq!(logs.len(), 55);
    // The copies repeat bob's first events, merged once.
    let events = doc["events"].as_array().expect("events");
    assert_eq!(events.len(), bob_lines.len(), "every event once: {doc:#}");
}

fn an_incident_with_no_stream_is_one_line_and_exit_1(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    let group = unique("/runbook/test");
    create_group(emu, &group);
    let (out, stderr) = ok(
        emu,
        dir.path(),
        &["export", "--incident", "INC-404", "--share-group", &group],
        1,
    );
    assert_eq!(out, "");
    assert_eq!(
        stderr,
        format!(
            "error: no shared session of incident `INC-404` in log group `{group}` ({REGION}): check the incident id, --share-group and --share-region\n"
        )
    );
}

fn a_missing_group_or_an_unreachable_endpoint_is_one_clear_line(emu: &Shared) {
    let dir = tempfile::tempdir().expect("dir");
    let group = unique("/runbook/test");
    let (_, stderr) = ok(
        emu,
        dir.path(),
        &["timeline", "--incident", "INC-1", "--share-group", &group],
        2,
    );
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read incident `INC-1` from CloudWatch Logs: log group `{group}` does not exist ({REGION})"
        )) && stderr.lines().count() == 1,
        "{stderr}"
    );
    let closed = format!("http://127.0.0.1:{}", emulator::closed_port());
    let (_, stderr) = ok(
        emu,
        dir.path(),
        &["export", "--incident", "INC-1", "--aws-endpoint", &closed],
        2,
    );
    assert!(
        stderr.starts_with(
            "error: cannot read incident `INC-1` from CloudWatch Logs: cannot reach CloudWatch Logs"
        ) && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
