//! The incident log: writing, reading back, the schema, tamper evidence, torn tails and `runbook verify`.

#[path = "integration/test.rs"]
#[allow(dead_code)]
mod test;

use std::cell::Cell;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use runbook::event::{Clock, EventLog};
use runbook::event::{
    EnvChange, Event, LoggedVariable, Mode, NoteKind, Record, RunbookRef, StepOutline, StepStatus,
    VariableSource,
};
use runbook::incident_log::{EMPTY_HASH, ExistingLog, IncidentLogFile, read_log, read_log_from};
use sha2::{Digest, Sha256};

use test::Test;

/// 2026-11-22T03:04:05.678Z, then 1.234 s later at every call.
struct FakeClock(Cell<i64>);

const START_MS: i64 = 1_795_316_645_678;

impl FakeClock {
    fn boxed() -> Box<FakeClock> {
        Box::new(FakeClock(Cell::new(START_MS)))
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        let t = self.0.get();
        self.0.set(t + 1234);
        DateTime::from_timestamp_millis(t).expect("valid time")
    }
}

fn runbook_ref() -> RunbookRef {
    RunbookRef {
        path: "runbooks/db-failover.md".into(),
        title: "Database failover".into(),
        sha256: sha256_hex(b"runbook"),
        steps: 3,
        outline: vec![StepOutline {
            id: "check-replication".into(),
            title: "Check replication".into(),
            sha256: sha256_hex(b"step 1"),
        }],
        absolute_path: Some("/srv/ops/runbooks/db-failover.md".into()),
        start_dir: Some("/srv/ops".into()),
    }
}

fn session_started() -> Event {
    Event::SessionStarted {
        runbook: runbook_ref(),
        tool_version: "0.1.0".into(),
        hostname: "ops-1".into(),
        mode: Mode::Live,
        incident: Some("INC-42".into()),
        variables: vec![
            LoggedVariable {
                name: "CLUSTER".into(),
                value: Some("prod-eu".into()),
                secret: false,
                source: VariableSource::Flag,
            },
            LoggedVariable {
                name: "TOKEN".into(),
                value: None,
                secret: true,
                source: VariableSource::Prompt,
            },
        ],
    }
}

/// Every variant, optional fields both set and unset, with awkward text.
fn all_events() -> Vec<Event> {
    let mut events = vec![
        session_started(),
        Event::SessionStarted {
            runbook: RunbookRef {
                outline: vec![],
                ..runbook_ref()
            },
            tool_version: "0.1.0".into(),
            hostname: "ops-1".into(),
            mode: Mode::Rehearsal,
            incident: None,
            variables: vec![],
        },
        Event::SessionResumed {
            runbook: runbook_ref(),
            tool_version: "0.1.0".into(),
            hostname: "ops-2".into(),
            mode: Mode::Live,
            runbook_changed: true,
            changed_steps: vec![2, 3],
            forced: true,
            step: 2,
        },
        Event::SessionResumed {
            runbook: runbook_ref(),
            tool_version: "0.1.0".into(),
            hostname: "ops-2".into(),
            mode: Mode::Rehearsal,
            runbook_changed: false,
            changed_steps: vec![],
            forced: false,
            step: 1,
        },
        Event::LogRepaired {
            torn_bytes: 12,
            torn_text: "{\"v\":1,\"seq\u{fffd}".into(),
        },
        Event::SessionPaused {
            reason: "operator quit".into(),
            signal: None,
        },
        Event::StepStarted {
            step: 1,
            step_id: "check-replication".into(),
            title: "Check replication — lag \"seconds\"".into(),
        },
        Event::StepFinished {
            step: 1,
            step_id: "check-replication".into(),
            status: StepStatus::Failed,
            reason: Some("exit 1".into()),
        },
        Event::CommandStarted {
            step: 1,
            command: 1,
            name: Some("lag".into()),
            code: "psql -c 'select 1'\necho \"$CLUSTER\"\t\\".into(),
            cwd: "/srv".into(),
            runner: Some("ssh db1 bash".into()),
            attempt: 2,
            placeholders: Vec::new(),
        },
        Event::CommandStarted {
            step: 1,
            command: 2,
            name: None,
            code: "true".into(),
            cwd: "/".into(),
            runner: None,
            attempt: 1,
            placeholders: Vec::new(),
        },
        Event::CommandFinished {
            step: 1,
            command: 1,
            exit_code: Some(-1),
            signal: Some("SIGKILL".into()),
            success: false,
            duration_ms: 30_000,
            output:
                "line 1\nline 2\r\n\u{1b}[31mred\u{1b}[0m\u{0}\n[… 1024 bytes cut …]\ntail 日本"
                    .into(),
            truncated: true,
            bytes: 4096,
            redactions: 2,
            timed_out: true,
            interrupted: true,
            cwd_after: None,
            env_changed: Vec::new(),
        },
        Event::CommandFinished {
            step: 1,
            command: 2,
            exit_code: Some(0),
            signal: None,
            success: true,
            duration_ms: 3,
            output: String::new(),
            truncated: false,
            bytes: 0,
            redactions: 0,
            timed_out: false,
            interrupted: false,
            cwd_after: Some("/srv/app".into()),
            env_changed: vec![
                EnvChange {
                    name: "API_TOKEN".into(),
                    value: None,
                    unset: false,
                    redacted: true,
                },
                EnvChange {
                    name: "FOO".into(),
                    value: Some("1\n2".into()),
                    unset: false,
                    redacted: false,
                },
                EnvChange {
                    name: "OLD".into(),
                    value: None,
                    unset: true,
                    redacted: false,
                },
            ],
        },
        Event::CommandSkipped {
            step: 2,
            command: 1,
            reason: "rehearsal".into(),
            automatic: true,
        },
        Event::CommandDone {
            step: 2,
            command: 2,
            automatic: false,
            place: Some("on db1 as root".into()),
            program: None,
        },
        Event::ChecklistItem {
            step: 2,
            item: 1,
            text: "Tell #incidents".into(),
            automatic: false,
            number: Some("1".into()),
        },
        Event::Handoff {
            from: "alice".into(),
            to: "bob".into(),
        },
        Event::StepFinished {
            step: 2,
            step_id: "promote".into(),
            status: StepStatus::Done,
            reason: None,
        },
        Event::SessionFinished {
            done: 1,
            skipped: 1,
            failed: 1,
            rehearsed: 0,
        },
    ];
    // A value asked when first needed, and a secret (its value never written).
    events.push(Event::VariableSet {
        name: "DB_HOST".into(),
        source: VariableSource::Prompt,
        value: Some("db-2".into()),
    });
    events.push(Event::VariableSet {
        name: "TOKEN".into(),
        source: VariableSource::Flag,
        value: None,
    });
    events.push(Event::Note {
        step: None,
        kind: NoteKind::Note,
        text: "no step".into(),
        at: Some("2026-11-22T02:59:00.000Z".into()),
    });
    for kind in NoteKind::ALL {
        events.push(Event::Note {
            step: Some(2),
            kind,
            text: format!("a {} with \"quotes\" and \\backslashes\\", kind.label()),
            at: None,
        });
    }
    events
}

/// A log of `events` in `dir`; returns its path and the records written.
fn write_log(dir: &Path, events: Vec<Event>) -> (PathBuf, Vec<Record>) {
    let mut log = IncidentLogFile::create(dir, "db-failover", FakeClock::boxed(), "s1".into())
        .expect("create log");
    let records = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let operator = if i < 15 { "alice" } else { "bob" };
            log.append(operator, e).expect("append")
        })
        .collect();
    (log.path().to_path_buf(), records)
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(test::repo().join("schemas/incident-log.schema.json"))
            .expect("read schema"),
    )
    .expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, line: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(line).expect("line is JSON");
    validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Computed here, not with `runbook::digest`: the chain is checked by an independent oracle.
fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn verdict(bytes: &[u8]) -> Result<(), String> {
    let log = read_log_from(bytes).expect("reading from memory");
    log.verdict()
        .map_err(|p| format!("line {}: {}", p.line, p.reason))
}

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

#[test]
fn every_event_is_written_read_back_equal_and_valid_against_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs/nested");
    let events = all_events();
    let (path, records) = write_log(&dir, events.clone());

    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "20261122T030405Z-db-failover.jsonl"
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600, "log file mode");
    assert_eq!(mode(&dir), 0o700, "created directory mode");

    // The records returned are the records written, in order, chained.
    assert_eq!(records.len(), events.len());
    for (i, (record, event)) in records.iter().zip(&events).enumerate() {
        assert_eq!(record.v, 1);
        assert_eq!(record.seq, i as u64 + 1);
        assert_eq!(&record.event, event);
        assert_eq!(record.session, "s1");
    }
    assert_eq!(
        records[0].ts, "2026-11-22T03:04:06.912Z",
        "the file name took the first tick"
    );
    assert_eq!(records[1].ts, "2026-11-22T03:04:08.146Z");
    assert_eq!(records[0].prev, EMPTY_HASH);
    assert_eq!(records[0].prev, sha256_hex(b""));

    let log = read_log(&path).unwrap();
    assert_eq!(log.records, records);
    assert_eq!(log.problem, None);
    assert_eq!(log.torn_tail, None);
    assert_eq!(log.lines, events.len());
    assert_eq!(log.verdict(), Ok(()));

    let bytes = fs::read(&path).unwrap();
    assert_eq!(log.valid_len, bytes.len() as u64);
    let validator = validator();
    let text = String::from_utf8(bytes).unwrap();
    let mut prev = sha256_hex(b"");
    for (i, line) in text.lines().enumerate() {
        let errors = schema_errors(&validator, line);
        assert!(errors.is_empty(), "line {}: {errors:#?}\n{line}", i + 1);
        // `prev` is the hash of the previous line's bytes; `hash` that of this line without it.
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["prev"], prev.as_str());
        let (body, _) = line.rsplit_once(",\"hash\":").unwrap();
        assert_eq!(
            value["hash"],
            sha256_hex(format!("{body}}}").as_bytes()).as_str()
        );
        assert!(line.ends_with(&format!(",\"hash\":{}}}", value["hash"])));
        prev = sha256_hex(line.as_bytes());
    }
    assert_eq!(log.last_line_hash, prev);
}

#[test]
fn the_schema_refuses_unknown_fields_missing_fields_and_unknown_types() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, _) = write_log(tmp.path(), all_events());
    let text = fs::read_to_string(path).unwrap();
    let validator = validator();
    let note = text.lines().last().unwrap();
    assert!(schema_errors(&validator, note).is_empty());
    let mut value: serde_json::Value = serde_json::from_str(note).unwrap();
    type Change = fn(&mut serde_json::Value);
    let cases: [(&str, Change); 8] = [
        ("extra field", |v| v["extra"] = 1.into()),
        ("field of another type", |v| v["exit_code"] = 0.into()),
        ("missing text", |v| {
            v.as_object_mut().unwrap().remove("text");
        }),
        ("missing hash", |v| {
            v.as_object_mut().unwrap().remove("hash");
        }),
        ("unknown type", |v| v["type"] = "lookup_result".into()),
        ("bad kind", |v| v["kind"] = "rumour".into()),
        ("bad ts", |v| v["ts"] = "2026-11-22T03:04:05Z".into()),
        ("bad v", |v| v["v"] = 2.into()),
    ];
    for (name, change) in cases {
        let original = value.clone();
        change(&mut value);
        assert!(
            validator.iter_errors(&value).next().is_some(),
            "{name}: accepted {value}"
        );
        value = original;
    }
}

#[test]
fn a_second_log_in_the_same_second_gets_a_suffix_and_slugs_are_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let name = |slug: &str| {
        let mut log =
            IncidentLogFile::create(tmp.path(), slug, FakeClock::boxed(), "s".into()).unwrap();
        // The log gets its name when its first line is on disk.
        log.append("alice", session_started()).unwrap();
        log.path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(name("db"), "20261122T030405Z-db.jsonl");
    assert_eq!(name("db"), "20261122T030405Z-db-2.jsonl");
    assert_eq!(name("db"), "20261122T030405Z-db-3.jsonl");
    assert_eq!(name("../x/y z"), "20261122T030405Z--x-y-z.jsonl");
    assert_eq!(name(""), "20261122T030405Z-runbook.jsonl");
}

#[test]
fn the_first_event_must_start_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log =
        IncidentLogFile::create(tmp.path(), "db", FakeClock::boxed(), "s".into()).unwrap();
    let e = log
        .append(
            "alice",
            Event::SessionPaused {
                reason: "x".into(),
                signal: None,
            },
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with(": the first event must be `session_started`"),
        "{e}"
    );
    // Not poisoned: a refused event wrote nothing.
    log.append("alice", session_started()).unwrap();
    assert_eq!(read_log(log.path()).unwrap().records.len(), 1);
}

#[test]
fn an_event_larger_than_a_line_may_be_is_refused_without_poisoning() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log =
        IncidentLogFile::create(tmp.path(), "db", FakeClock::boxed(), "s".into()).unwrap();
    log.append("alice", session_started()).unwrap();
    let huge = Event::Note {
        step: None,
        kind: NoteKind::Note,
        text: "x".repeat(runbook::incident_log::MAX_LINE_BYTES),
        at: None,
    };
    let e = log.append("alice", huge).unwrap_err();
    assert!(e.to_string().contains("larger than 16 MiB"), "{e}");
    let record = log
        .append(
            "alice",
            Event::SessionPaused {
                reason: "x".into(),
                signal: None,
            },
        )
        .unwrap();
    assert_eq!(record.seq, 2);
    assert_eq!(read_log(log.path()).unwrap().verdict(), Ok(()));
}

/// A log of 20 events, as bytes.
fn twenty_event_log(dir: &Path) -> (PathBuf, Vec<u8>) {
    let events: Vec<Event> = all_events().into_iter().take(20).collect();
    assert_eq!(events.len(), 20);
    let (path, _) = write_log(dir, events);
    let bytes = fs::read(&path).unwrap();
    assert_eq!(verdict(&bytes), Ok(()));
    (path, bytes)
}

#[test]
fn every_single_byte_change_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let mut changed = bytes.clone();
    let mut checked = 0;
    for at in 0..bytes.len() {
        let original = bytes[at];
        // A neighbour value and a non-ASCII one at every byte; more at every 7th (a debug build
        // hashes slowly, and each check reads the whole log from the top).
        let mut values = vec![original ^ 0x01, original ^ 0x80];
        if at % 7 == 0 {
            values.extend([original ^ 0x20, b'0', b' ', b'"', b'\n']);
        }
        values.retain(|&v| v != original);
        values.dedup();
        for value in values {
            changed[at] = value;
            assert!(
                verdict(&changed).is_err(),
                "byte {at} changed from {:?} to {:?} went unnoticed",
                original as char,
                value as char
            );
            checked += 1;
        }
        changed[at] = original;
    }
    assert!(checked > 2 * bytes.len());
}

#[test]
fn deleting_a_line_or_swapping_two_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let lines = lines(&bytes);
    assert_eq!(lines.len(), 20);
    for deleted in 0..lines.len() {
        let mut copy = lines.clone();
        copy.remove(deleted);
        let result = verdict(&copy.concat());
        if deleted == lines.len() - 1 {
            // Nothing after the last line vouches for it: a log cut after line 19 looks like a
            // walk that stopped there. Only a copy kept elsewhere can tell.
            assert_eq!(result, Ok(()));
        } else {
            let err = result.expect_err("deleting a line is noticed");
            assert_eq!(
                err,
                format!(
                    "line {}: `seq` is {}, expected {}: a line is missing or out of order",
                    deleted + 1,
                    deleted + 2,
                    deleted + 1
                )
            );
        }
    }
    for i in 0..lines.len() - 1 {
        let mut copy = lines.clone();
        copy.swap(i, i + 1);
        assert!(
            verdict(&copy.concat()).is_err(),
            "swapping lines {i} and {}",
            i + 1
        );
    }
    // Duplicating a line, too.
    let mut copy = lines.clone();
    copy.insert(5, lines[5]);
    assert!(verdict(&copy.concat()).is_err());
}

#[test]
fn a_consistent_rewrite_of_the_middle_breaks_the_next_line() {
    // Someone edits line 3 and fixes its own `hash`: line 4's `prev` gives it away.
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let mut lines: Vec<Vec<u8>> = lines(&bytes).iter().map(|l| l.to_vec()).collect();
    let text = String::from_utf8(lines[2].clone()).unwrap();
    let (body, _) = text.trim_end().rsplit_once(",\"hash\":").unwrap();
    let body = body.replace("\"tool_version\":\"0.1.0\"", "\"tool_version\":\"0.1.1\"");
    assert_ne!(body, text.rsplit_once(",\"hash\":").unwrap().0);
    let hash = sha256_hex(format!("{body}}}").as_bytes());
    lines[2] = format!("{body},\"hash\":\"{hash}\"}}\n").into_bytes();
    assert_eq!(
        verdict(&lines.concat()),
        Err("line 4: `prev` does not match the hash of line 3: the log was changed after it was written".into())
    );
}

#[test]
fn reasons_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let lines = lines(&bytes);
    let with = |i: usize, line: &[u8]| {
        let mut copy = lines.clone();
        copy[i] = line;
        verdict(&copy.concat())
    };
    assert_eq!(
        with(2, b"{not json\n"),
        Err("line 3: not valid JSON: key must be a string: the line was changed or damaged after it was written".into())
    );
    assert_eq!(
        with(2, b"{\"v\":1}\n"),
        Err("line 3: not a valid event: missing field `seq`: the line was changed or damaged after it was written".into())
    );
    assert_eq!(
        with(2, b"\n"),
        Err(
            "line 3: the line is empty: the line was changed or damaged after it was written"
                .into()
        )
    );
    // The same complete lines as the last line: not a tear either.
    assert_eq!(
        with(19, b"{not json\n"),
        Err("line 20: not valid JSON: key must be a string: the line was changed or damaged after it was written".into())
    );
    assert_eq!(
        with(19, b"\n"),
        Err(
            "line 20: the line is empty: the line was changed or damaged after it was written"
                .into()
        )
    );
    assert_eq!(verdict(b""), Err("line 1: the log is empty".into()));
    assert_eq!(
        verdict(&lines[1..].concat()),
        Err("line 1: `seq` is 2, expected 1: a line is missing or out of order".into())
    );
    let text = String::from_utf8(lines[2].to_vec()).unwrap();
    let without_hash = format!("{}}}\n", text.rsplit_once(",\"hash\":").unwrap().0);
    assert_eq!(
        with(2, without_hash.as_bytes()),
        Err(
            "line 3: `hash` is missing at the end of the line: the line was not written by runbook"
                .into()
        )
    );
}

#[test]
fn no_input_makes_read_log_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..4096), |random| {
            let _ = read_log_from(&random[..]).unwrap().verdict();
            Ok(())
        })
        .unwrap();
    // Random lines of JSON-ish text, and random splices into a real log.
    let jsonish = proptest::collection::vec(
        prop_oneof![
            Just(b"{\"v\":1,\"seq\":1,".to_vec()),
            Just(b"\"type\":\"note\"".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"}".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..16),
        ],
        0..64,
    );
    runner
        .run(&jsonish, |parts| {
            let _ = read_log_from(&parts.concat()[..]).unwrap().verdict();
            Ok(())
        })
        .unwrap();
    runner
        .run(
            &(
                0..bytes.len(),
                proptest::collection::vec(any::<u8>(), 0..32),
            ),
            |(at, insert)| {
                let mut spliced = bytes.clone();
                spliced.splice(at..at, insert.iter().copied());
                let result = read_log_from(&spliced[..]).unwrap().verdict();
                prop_assert!(insert.is_empty() == result.is_ok(), "{result:?}");
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn a_torn_last_line_is_reported_cut_off_on_resume_and_the_chain_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, records) = write_log(tmp.path(), all_events().into_iter().take(12).collect());
    let bytes = fs::read(&path).unwrap();
    let lines = lines(&bytes);
    let complete = lines[..11].concat();
    let torn = &lines[11][..lines[11].len() / 2];
    fs::write(&path, [complete.as_slice(), torn].concat()).unwrap();

    let log = read_log(&path).unwrap();
    assert_eq!(log.torn_tail.as_deref(), Some(torn));
    assert_eq!(log.problem, None);
    assert_eq!(log.records, records[..11]);
    assert_eq!(log.valid_len, complete.len() as u64);
    assert_eq!(log.lines, 12);
    assert_eq!(
        log.verdict().unwrap_err().reason,
        format!(
            "the last line is torn (written partially, {} bytes): run `runbook resume` to repair it",
            torn.len()
        )
    );

    let (mut resumed, existing) =
        IncidentLogFile::open_for_resume(&path, FakeClock::boxed(), "s2".into()).unwrap();
    assert_eq!(existing, log);
    assert_eq!(
        fs::read(&path).unwrap(),
        complete,
        "the torn tail is cut off"
    );
    assert_eq!(resumed.last_seq(), 11);
    let repair = existing.repair_event().unwrap();
    assert_eq!(
        repair,
        Event::LogRepaired {
            torn_bytes: torn.len() as u64,
            torn_text: String::from_utf8_lossy(torn).into_owned(),
        }
    );
    let record = resumed.append("bob", repair).unwrap();
    assert_eq!(record.seq, 12);
    assert_eq!(record.session, "s2");
    assert_eq!(record.prev, sha256_hex(&lines[10][..lines[10].len() - 1]));
    resumed
        .append(
            "bob",
            Event::SessionPaused {
                reason: "x".into(),
                signal: None,
            },
        )
        .unwrap();
    drop(resumed);

    let after = read_log(&path).unwrap();
    assert_eq!(after.verdict(), Ok(()));
    assert_eq!(after.records.len(), 13);
    // Reading a log again is a no-op for resume: nothing torn, nothing cut.
    let before = fs::read(&path).unwrap();
    let (_, again) =
        IncidentLogFile::open_for_resume(&path, FakeClock::boxed(), "s3".into()).unwrap();
    assert_eq!(again.torn_tail, None);
    assert_eq!(again.repair_event(), None);
    assert_eq!(fs::read(&path).unwrap(), before);
}

/// Only a last line without its newline is torn (the writer writes each line and its newline
/// at once): a complete line that fails is changed or damaged, even the last one.
#[test]
fn a_last_line_without_newline_is_torn_and_a_complete_bad_one_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, bytes) = twenty_event_log(tmp.path());
    let tail = |bytes: &[u8]| read_log_from(bytes).unwrap();
    // Complete but for its newline.
    let log = tail(&bytes[..bytes.len() - 1]);
    assert_eq!(log.records.len(), 19);
    assert_eq!(
        log.torn_tail.as_deref(),
        Some(lines(&bytes)[19].strip_suffix(b"\n").unwrap())
    );
    // Zeros where the last line should be (a crash on some filesystems: the newline is lost
    // with the rest).
    let mut zeros = lines(&bytes)[..19].concat();
    zeros.extend_from_slice(&[0; 40]);
    let log = tail(&zeros);
    assert_eq!(log.problem, None);
    assert_eq!(log.torn_tail.as_ref().map(Vec::len), Some(40));
    // With a newline after them, the line is complete: damaged, not torn.
    zeros.push(b'\n');
    let log = tail(&zeros);
    assert_eq!(log.torn_tail, None);
    assert_eq!(log.problem.map(|p| (p.line, p.column)), Some((20, 1)));
    // The same line anywhere else is a problem, not a tear.
    let mut middle = lines(&bytes)[..10].concat();
    middle.extend_from_slice(&[0; 40]);
    middle.push(b'\n');
    middle.extend_from_slice(&lines(&bytes)[10..].concat());
    let log = tail(&middle);
    assert_eq!(log.torn_tail, None);
    assert_eq!(log.problem.unwrap().line, 11);
}

#[test]
fn resume_refuses_a_log_invalid_before_its_last_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, bytes) = twenty_event_log(tmp.path());
    let mut lines = lines(&bytes);
    lines.remove(4);
    fs::write(&path, lines.concat()).unwrap();
    let e = IncidentLogFile::open_for_resume(&path, FakeClock::boxed(), "s2".into()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:5:8: `seq` is 6, expected 5: a line is missing or out of order; it cannot be resumed: only a last line cut short by a crash is repaired",
            path.display()
        )
    );
    assert_eq!(fs::read(&path).unwrap(), lines.concat(), "left untouched");

    fs::write(&path, &bytes[..10]).unwrap();
    let e = IncidentLogFile::open_for_resume(&path, FakeClock::boxed(), "s2".into()).unwrap_err();
    assert!(
        e.to_string()
            .ends_with(": it holds no complete event to resume from"),
        "{e}"
    );
}

#[test]
fn a_log_being_written_cannot_be_resumed_at_the_same_time() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log =
        IncidentLogFile::create(tmp.path(), "db", FakeClock::boxed(), "s1".into()).unwrap();
    log.append("alice", session_started()).unwrap();
    let e =
        IncidentLogFile::open_for_resume(log.path(), FakeClock::boxed(), "s2".into()).unwrap_err();
    assert!(
        e.to_string()
            .ends_with(": another runbook process is writing it"),
        "{e}"
    );
    let path = log.path().to_path_buf();
    drop(log);
    IncidentLogFile::open_for_resume(&path, FakeClock::boxed(), "s2".into()).unwrap();
}

#[test]
fn existing_log_fields_for_an_intact_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (path, bytes) = twenty_event_log(tmp.path());
    let log: ExistingLog = read_log(&path).unwrap();
    assert_eq!(log.lines, 20);
    assert_eq!(log.valid_len, bytes.len() as u64);
    let last = lines(&bytes)[19];
    assert_eq!(log.last_line_hash, sha256_hex(&last[..last.len() - 1]));
}

// ---- `runbook verify LOG` through the binary ----

fn log_bytes() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    twenty_event_log(tmp.path()).1
}

#[test]
fn verify_an_intact_log() {
    Test::new()
        .file("incident.jsonl", log_bytes())
        .args(["verify", "incident.jsonl"])
        .status(0)
        .stdout("ok: 20 events, hash chain intact (first 2026-11-22T03:04:06.912Z, last 2026-11-22T03:04:30.358Z)\n")
        .stderr("")
        .run();
}

#[test]
fn verify_a_changed_log() {
    let mut bytes = log_bytes();
    let at = bytes.windows(5).position(|w| w == b"alice").unwrap();
    bytes[at] = b'A';
    // The column is the `hash` value's, after the runbook's (temporary) absolute path.
    let first = bytes.split(|b| *b == b'\n').next().unwrap();
    let hash_at = first.windows(8).position(|w| w == b"\"hash\":\"").unwrap() + 9;
    Test::new()
        .file("incident.jsonl", bytes)
        .args(["verify", "incident.jsonl"])
        .status(1)
        .stdout(&format!("incident.jsonl:1:{hash_at}: invalid: `hash` does not match the line: the line was changed after it was written\n"))
        .stderr("")
        .run();
}

#[test]
fn verify_a_log_missing_a_line() {
    let bytes = log_bytes();
    let mut lines = lines(&bytes);
    lines.remove(6);
    Test::new()
        .file("incident.jsonl", lines.concat())
        .args(["verify", "incident.jsonl"])
        .status(1)
        .stdout("incident.jsonl:7:8: invalid: `seq` is 8, expected 7: a line is missing or out of order\n")
        .run();
}

#[test]
fn verify_a_torn_log() {
    let bytes = log_bytes();
    let cut = bytes.len() - 37;
    Test::new()
        .file("logs/incident.jsonl", &bytes[..cut])
        .args(["verify", "logs/incident.jsonl"])
        .status(1)
        .stdout(&format!(
            "logs/incident.jsonl:20:{}: invalid: the last line is torn (written partially, {} bytes): run `runbook resume` to repair it\n",
            lines(&bytes)[19].len() - 36,
            lines(&bytes)[19].len() - 37
        ))
        .run();
}

#[test]
fn verify_an_empty_log_and_unreadable_ones() {
    Test::new()
        .file("empty.jsonl", "")
        .args(["verify", "empty.jsonl"])
        .status(1)
        .stdout("empty.jsonl:1:1: invalid: the log is empty\n")
        .run();
    Test::new()
        .args(["verify", "nope.jsonl"])
        .status(2)
        .stdout("")
        .stderr("error: cannot read `nope.jsonl`: no such file or directory\n")
        .run();
    Test::new()
        .dir("logs")
        .args(["verify", "logs"])
        .status(2)
        .stderr("error: cannot read `logs`: is a directory; give an incident log (`*.jsonl`)\n")
        .run();
}

#[test]
fn verify_a_file_that_is_not_a_log() {
    let mut file = Vec::new();
    writeln!(file, "# Not a log").unwrap();
    writeln!(file, "just text").unwrap();
    Test::new()
        .file("notes.md", file)
        .args(["verify", "notes.md"])
        .status(1)
        .stdout("notes.md:1:1: invalid: not valid JSON: expected value: not an incident log, or its first line was changed or damaged\n")
        .run();
}

#[test]
fn appended_events_are_in_the_file_at_once_in_order_and_a_commit_syncs_them_together() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log =
        IncidentLogFile::create(tmp.path(), "db", FakeClock::boxed(), "s".into()).unwrap();
    // The first event is synced at once: it publishes the file.
    log.append("alice", session_started()).unwrap();
    assert_eq!(log.unsynced(), 0);
    let note = |text: &str| Event::Note {
        step: None,
        kind: NoteKind::Note,
        text: text.into(),
        at: None,
    };
    let first = log.append("alice", note("written at once")).unwrap();
    let second = log
        .append("alice", note("synced with the one before"))
        .unwrap();
    assert_eq!((first.seq, second.seq), (2, 3));
    // In the file before any commit: a killed process loses nothing it wrote.
    let bytes = fs::read(log.path()).unwrap();
    assert_eq!(lines(&bytes).len(), 3);
    assert_eq!(verdict(&bytes), Ok(()));
    assert_eq!(log.unsynced(), 2);
    log.commit().unwrap();
    assert_eq!(log.unsynced(), 0);
    // A second commit with nothing pending is free.
    log.commit().unwrap();
}
