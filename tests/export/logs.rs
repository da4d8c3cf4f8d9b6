//! Incident logs built through the library with a fake clock: notes, milestones, hand-offs,
//! lookups with datapoints, a guard alarm, two responders' logs, a torn log, runs to compare.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use runbook::event::{AlarmInfo, Clock, EventLog, LookupErrorKind};
use runbook::event::{
    Datapoint, Event, LoggedLookupError, LoggedVariable, Mode, NoteKind, RunbookRef, StepOutline,
    StepStatus,
};
use runbook::incident_log::IncidentLogFile;
use runbook::runbook::{AlarmState, LookupQuery};
use serde_json::json;

/// 2026-11-22T03:00:00.000Z.
const START_MS: i64 = 1_795_316_400_000;

/// A clock the test moves by hand.
struct HandClock(Arc<AtomicI64>);

impl Clock for HandClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).expect("valid time")
    }
}

/// Appends events at chosen times as a chosen operator.
pub struct Builder {
    log: IncidentLogFile,
    now: Arc<AtomicI64>,
    operator: String,
}

impl Builder {
    pub fn new(dir: &Path, session: &str, operator: &str) -> Self {
        let now = Arc::new(AtomicI64::new(START_MS));
        let log = IncidentLogFile::create(
            &dir.join("logs"),
            "fixture",
            Box::new(HandClock(now.clone())),
            session.to_string(),
        )
        .expect("create log");
        Builder {
            log,
            now,
            operator: operator.to_string(),
        }
    }

    /// Sets the time to `secs` seconds after 03:00:00Z.
    /// Continues the log at `path`, as `runbook resume` does, as a new session.
    pub fn resume(path: &Path, session: &str, operator: &str) -> Self {
        let now = Arc::new(AtomicI64::new(START_MS));
        let (log, _) = IncidentLogFile::open_for_resume(
            path,
            Box::new(HandClock(now.clone())),
            session.to_string(),
        )
        .expect("open log to resume");
        Builder {
            log,
            now,
            operator: operator.to_string(),
        }
    }

    /// Closes the log where it is.
    pub fn close(self) {}

    pub fn at(&mut self, secs: f64) -> &mut Self {
        self.now
            .store(START_MS + (secs * 1000.0) as i64, Ordering::SeqCst);
        self
    }

    /// Sets the time to `ms` milliseconds after 03:00:00Z (negative: before it).
    pub fn at_ms(&mut self, ms: i64) -> &mut Self {
        self.now.store(START_MS + ms, Ordering::SeqCst);
        self
    }

    pub fn as_op(&mut self, operator: &str) -> &mut Self {
        self.operator = operator.to_string();
        self
    }

    pub fn ev(&mut self, event: Event) -> &mut Self {
        self.log.append(&self.operator, event).expect("append");
        self
    }

    /// Moves the log to `dir/name`.
    pub fn finish(self, dir: &Path, name: &str) -> PathBuf {
        let to = dir.join(name);
        fs::rename(self.log.path(), &to).expect("move log");
        to
    }
}

pub fn runbook(title: &str, steps: &[(&str, &str)]) -> RunbookRef {
    RunbookRef {
        path: "runbooks/widget.md".into(),
        title: title.into(),
        sha256: "ab".repeat(32),
        steps: steps.len(),
        outline: steps
            .iter()
            .map(|(id, title)| StepOutline {
                id: id.to_string(),
                title: title.to_string(),
                sha256: "cd".repeat(32),
            })
            .collect(),
        ..Default::default()
    }
}

const INCIDENT_STEPS: [(&str, &str); 4] = [
    ("check-error-rate", "Check the error rate"),
    ("drain", "Drain the bad node"),
    ("restart", "Restart the widget"),
    ("tell", "Tell the channel"),
];

pub fn started(rb: RunbookRef, mode: Mode, host: &str, incident: Option<&str>) -> Event {
    Event::SessionStarted {
        runbook: rb,
        tool_version: "0.1.0".into(),
        hostname: host.into(),
        mode,
        incident: incident.map(str::to_string),
        variables: vec![
            LoggedVariable {
                name: "NODE".into(),
                value: Some("fs-1".into()),
                secret: false,
                source: runbook::event::VariableSource::Flag,
            },
            LoggedVariable {
                name: "TOKEN".into(),
                value: None,
                secret: true,
                source: runbook::event::VariableSource::Prompt,
            },
        ],
    }
}

pub fn step_started(step: usize, steps: &[(&str, &str)]) -> Event {
    Event::StepStarted {
        step,
        step_id: steps[step - 1].0.into(),
        title: steps[step - 1].1.into(),
    }
}

pub fn step_finished(
    step: usize,
    steps: &[(&str, &str)],
    status: StepStatus,
    reason: Option<&str>,
) -> Event {
    Event::StepFinished {
        step,
        step_id: steps[step - 1].0.into(),
        status,
        reason: reason.map(str::to_string),
    }
}

pub fn cmd_started(step: usize, name: &str, code: &str, attempt: u32) -> Event {
    Event::CommandStarted {
        step,
        command: 1,
        name: Some(name.into()),
        code: code.into(),
        cwd: "/srv/ops".into(),
        runner: None,
        attempt,
        placeholders: Vec::new(),
    }
}

pub fn cmd_finished(step: usize, exit: i32, ms: u64, output: &str) -> Event {
    Event::CommandFinished {
        step,
        command: 1,
        exit_code: Some(exit),
        signal: None,
        success: exit == 0,
        duration_ms: ms,
        output: output.into(),
        truncated: false,
        bytes: output.len() as u64,
        redactions: u64::from(output.contains("[REDACTED]")),
        timed_out: false,
        interrupted: false,
        cwd_after: None,
        env_changed: Vec::new(),
    }
}

pub fn note(kind: NoteKind, text: &str, step: Option<usize>) -> Event {
    Event::Note {
        step,
        kind,
        text: text.into(),
        at: None,
    }
}

/// A note back-dated to `secs` seconds after 03:00:00Z, as `at 03:01: …` typed later makes it.
pub fn back_dated(kind: NoteKind, text: &str, secs: i64) -> Event {
    let at = DateTime::from_timestamp_millis(START_MS + secs * 1000).expect("valid time");
    Event::Note {
        step: None,
        kind,
        text: text.into(),
        at: Some(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    }
}

/// Milestones written late and back-dated: detected noted at T+10:00 claiming T+01:00, mitigated
/// noted at T+12:00 claiming T+05:00, resolved noted on time at T+14:00.
pub fn late_milestones(dir: &Path) {
    let steps = &INCIDENT_STEPS[..1];
    let mut l = Builder::new(dir, "1a7e0000", "alice");
    l.at(0.0)
        .ev(started(
            runbook("Widget 5xx storm", steps),
            Mode::Live,
            "ops-1",
            Some("INC-77"),
        ))
        .at(10.0)
        .ev(step_started(1, steps))
        .at(600.0)
        .ev(back_dated(NoteKind::Detected, "pager fired", 60))
        .at(720.0)
        .ev(back_dated(NoteKind::Mitigated, "failover done", 300))
        .at(730.0)
        .ev(step_finished(1, steps, StepStatus::Done, None))
        .at(840.0)
        .ev(note(NoteKind::Resolved, "error rate normal", None))
        .at(850.0)
        .ev(Event::SessionFinished {
            done: 1,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        });
    l.finish(dir, "late.jsonl");
}

fn points(start_min: u32, values: &[f64]) -> Vec<Datapoint> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Datapoint {
            ts: format!("2026-11-22T02:{:02}:00.000Z", start_min + i as u32),
            value: *v,
        })
        .collect()
}

fn metric_query() -> LookupQuery {
    typed(json!({
        "kind": "metric",
        "namespace": "AWS/ApplicationELB",
        "metric": "HTTPCode_Target_5XX_Count",
        "dimensions": [{"name": "LoadBalancer", "value": "app/widget/50dc6c495c0c9188"}],
        "stat": "Sum",
        "period_s": 60,
        "window_s": 900,
        "expect": "< 10"
    }))
}

/// A typed value from the JSON the log holds, as a reader would get it.
fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("valid log JSON")
}

pub fn lookup(
    step: usize,
    n: usize,
    label: &str,
    region: &str,
    values: &[f64],
    verdict: &str,
) -> Event {
    Event::LookupResult {
        step,
        lookup: n,
        label: Some(label.into()),
        region: region.into(),
        query: metric_query(),
        datapoints: points(50, values),
        verdict: Some(typed(json!(verdict))),
        alarms: None,
        error: None,
        duration_ms: 420,
    }
}

/// Two responders' logs of incident INC-4821: alice (checks, drains, hands over) and bob
/// (restarts, mitigates, resolves), with lookups in two regions, a guard alarm, notes of every
/// kind, a retry, a skipped command and step, and hostile text.
pub fn incident(dir: &Path) {
    let steps = &INCIDENT_STEPS;
    let rb = || runbook("Widget 5xx storm", steps);
    let mut a = Builder::new(dir, "a11ce000a11ce000", "alice");
    let long_output: String = (1..=30)
        .map(|i| format!("\u{1b}[32mnode {i}\u{1b}[0m drained\r\n"))
        .collect();
    a.at(0.0)
        .ev(started(rb(), Mode::Live, "ops-1", Some("INC-4821")))
        .at(5.0)
        .ev(step_started(1, steps))
        .at(30.0)
        .ev(lookup(
            1,
            1,
            "5xx errors",
            "eu-west-2",
            &[2.0, 3.0, 40.0, 85.0, 120.0],
            "BREACH",
        ))
        .ev(lookup(
            1,
            1,
            "5xx errors",
            "eu-central-1",
            &[1.0, 0.0, 2.0, 1.0, 0.0],
            "OK",
        ))
        .at(31.0)
        .ev(Event::LookupResult {
            step: 1,
            lookup: 2,
            label: Some("widget alarms".into()),
            region: "eu-west-2".into(),
            query: typed(json!({"kind": "alarms", "prefix": "widget-", "state": "ALARM"})),
            datapoints: Vec::new(),
            verdict: None,
            alarms: Some(vec![AlarmInfo {
                name: "widget-5xx".into(),
                state: AlarmState::Alarm,
                reason: "Threshold Crossed: 1 datapoint [120.0] was greater than 50".into(),
                since: Some("2026-11-22T02:53:00.000Z".into()),
            }]),
            error: None,
            duration_ms: 210,
        })
        .at(60.0)
        .ev(note(
            NoteKind::Detected,
            "api errors above 5% on widget",
            Some(1),
        ))
        .at(70.0)
        .ev(note(
            NoteKind::Observation,
            "<script>alert(1)</script> | pipes | `ticks` *stars*",
            Some(1),
        ))
        .at(80.0)
        .ev(step_finished(1, steps, StepStatus::Done, None))
        .at(90.0)
        .ev(step_started(2, steps))
        .at(100.0)
        .ev(Event::GuardAlarm {
            region: "eu-west-2".into(),
            alarm: "widget-5xx".into(),
            state: AlarmState::Alarm,
            reason: "Threshold Crossed".into(),
            // Fired before the walk saw it: the alarm's own time is kept.
            since: Some("2026-11-22T03:01:20.000Z".into()),
        })
        .at(105.0)
        .ev(Event::GuardUnavailable {
            region: "eu-west-2".into(),
            error: LoggedLookupError {
                kind: LookupErrorKind::NoCredentials,
                message: "no AWS credentials: run `aws sso login --profile oncall`".into(),
            },
        })
        .at(110.0)
        .ev(Event::GuardRecovered {
            region: "eu-west-2".into(),
        })
        .at(120.0)
        .ev(cmd_started(
            2,
            "drain",
            "opensips-cli -x mi ds_set_state i 1 \"sip:$NODE\"\n",
            1,
        ))
        .at(150.0)
        .ev(cmd_finished(
            2,
            1,
            30_000,
            "\u{1b}[31merror:\u{1b}[0m dispatcher busy\r\n",
        ))
        .at(180.0)
        .ev(note(
            NoteKind::Hypothesis,
            "the dispatcher is still syncing",
            Some(2),
        ))
        .at(210.0)
        .ev(cmd_started(
            2,
            "drain",
            "opensips-cli -x mi ds_set_state i 1 \"sip:$NODE\"\n",
            2,
        ))
        .at(240.0)
        .ev(cmd_finished(2, 0, 30_000, &long_output))
        .at(250.0)
        .ev(step_finished(2, steps, StepStatus::Done, None))
        .at(260.0)
        .ev(Event::Handoff {
            from: "alice".into(),
            to: "bob".into(),
        })
        .as_op("bob")
        .at(261.0)
        .ev(Event::SessionPaused {
            reason: "handed over to bob on ops-2".into(),
            signal: None,
        });
    a.finish(dir, "alice.jsonl");

    let mut b = Builder::new(dir, "b0b0b0b0b0b0b0b0", "bob");
    b.at(270.0)
        .ev(started(rb(), Mode::Live, "ops-2", Some("INC-4821")))
        .at(280.0)
        .ev(step_started(3, steps))
        .at(300.0)
        .ev(cmd_started(
            3,
            "restart",
            "sudo systemctl restart widget\n",
            1,
        ))
        .at(305.0)
        .ev(cmd_finished(3, 0, 5_000, "token [REDACTED] accepted\n"))
        .at(360.0)
        .ev(lookup(
            3,
            1,
            "5xx errors after",
            "eu-west-2",
            &[30.0, 4.0, 1.0],
            "OK",
        ))
        .ev(Event::LookupResult {
            step: 3,
            lookup: 1,
            label: Some("5xx errors after".into()),
            region: "eu-central-1".into(),
            query: metric_query(),
            datapoints: Vec::new(),
            verdict: None,
            alarms: None,
            error: Some(LoggedLookupError {
                kind: LookupErrorKind::AccessDenied,
                message: "access denied: cloudwatch:GetMetricData".into(),
            }),
            duration_ms: 90,
        })
        .at(600.0)
        .ev(note(NoteKind::Mitigated, "error rate back under 1%", None))
        .at(610.0)
        .ev(step_finished(3, steps, StepStatus::Done, None))
        .at(620.0)
        .ev(step_started(4, steps))
        .ev(Event::ChecklistItem {
            step: 4,
            item: 1,
            text: "Post in #incident".into(),
            automatic: false,
            number: Some("1".into()),
        })
        .at(630.0)
        .ev(note(
            NoteKind::Decision,
            "<img src=x onerror=alert(2)> keep node drained",
            Some(4),
        ))
        .ev(Event::CommandSkipped {
            step: 4,
            command: 1,
            reason: "the status page was updated by the IC".into(),
            automatic: false,
        })
        .at(900.0)
        .ev(note(NoteKind::Resolved, "customers confirm", None))
        .at(910.0)
        .ev(step_finished(
            4,
            steps,
            StepStatus::Skipped,
            Some("posted by the IC"),
        ))
        .at(920.0)
        .ev(Event::SessionFinished {
            done: 3,
            skipped: 1,
            failed: 0,
            rehearsed: 0,
        });
    b.finish(dir, "bob.jsonl");
}

/// Six events, milestones without `detected`; line 3 is a note starting `api errors`.
pub fn without_detected(dir: &Path) {
    let steps = &INCIDENT_STEPS[..1];
    let mut l = Builder::new(dir, "5e551011", "alice");
    l.at(0.0)
        .ev(started(
            runbook("Widget 5xx storm", steps),
            Mode::Live,
            "ops-1",
            None,
        ))
        .at(10.0)
        .ev(step_started(1, steps))
        .at(20.0)
        .ev(note(NoteKind::Observation, "api errors rising", Some(1)))
        .at(120.0)
        .ev(note(NoteKind::Mitigated, "rolled back", None))
        .at(130.0)
        .ev(step_finished(1, steps, StepStatus::Done, None))
        .at(140.0)
        .ev(Event::SessionFinished {
            done: 1,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        });
    l.finish(dir, "plain.jsonl");
}

/// Five complete events and 40 bytes of a sixth (a crash mid-write).
pub fn torn(dir: &Path) {
    let steps = &INCIDENT_STEPS;
    let mut l = Builder::new(dir, "70e470e4", "alice");
    l.at(0.0)
        .ev(started(
            runbook("Widget 5xx storm", steps),
            Mode::Live,
            "ops-1",
            Some("INC-4822"),
        ))
        .at(5.0)
        .ev(step_started(1, steps))
        .at(6.0)
        .ev(cmd_started(1, "status", "systemctl status widget\n", 1))
        .at(7.0)
        .ev(cmd_finished(1, 0, 1_000, "active (running)\n"))
        .at(8.0)
        .ev(step_finished(1, steps, StepStatus::Done, None))
        .at(9.0)
        .ev(step_started(2, steps));
    let path = l.finish(dir, "torn.jsonl");
    let raw = fs::read(&path).expect("log");
    let body = &raw[..raw.len() - 1];
    let cut = body
        .iter()
        .rposition(|&b| b == b'\n')
        .expect("several lines")
        + 1;
    fs::write(&path, &raw[..cut + 40]).expect("tear");
}

/// Three runs of one runbook: two earlier ones alike, and one whose step 2 took 2 minutes and
/// whose step 3 was skipped.
pub fn compare_runs(dir: &Path) {
    let steps: &[(&str, &str)] = &[
        ("check", "Check the service"),
        ("restart", "Restart the widget"),
        ("tell", "Tell the channel"),
    ];
    let run = |name: &str, session: &str, mode: Mode, durations: [f64; 3], last: StepStatus| {
        let mut l = Builder::new(dir, session, "alice");
        l.at(0.0).ev(started(
            runbook("Widget service recovery", steps),
            mode,
            "ops-1",
            None,
        ));
        let mut t = 1.0;
        for (i, d) in durations.iter().enumerate() {
            let status = if i == 2 { last } else { StepStatus::Done };
            let reason = (status == StepStatus::Skipped).then_some("not needed at night");
            l.at(t).ev(step_started(i + 1, steps));
            t += d;
            l.at(t).ev(step_finished(i + 1, steps, status, reason));
            t += 1.0;
        }
        l.at(t).ev(Event::SessionFinished {
            done: 3,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        });
        l.finish(dir, name);
    };
    run(
        "before1.jsonl",
        "be40e001",
        Mode::Live,
        [15.0, 15.0, 5.0],
        StepStatus::Done,
    );
    run(
        "before2.jsonl",
        "be40e002",
        Mode::Rehearsal,
        [15.0, 15.0, 5.0],
        StepStatus::Done,
    );
    run(
        "now.jsonl",
        "a0a0a0a0",
        Mode::Live,
        [40.0, 120.0, 2.0],
        StepStatus::Skipped,
    );
}

/// An intact log whose last event starts a step (a walk killed right then).
pub fn ends_with_a_step_start(dir: &Path) {
    let steps = &INCIDENT_STEPS[..1];
    let mut l = Builder::new(dir, "0be0be0b", "alice");
    l.at(0.0)
        .ev(started(
            runbook("Widget 5xx storm", steps),
            Mode::Live,
            "ops-1",
            None,
        ))
        .at(10.0)
        .ev(step_started(1, steps));
    l.finish(dir, "open.jsonl");
}

/// The same log twice over: `a.jsonl`, alice's walk paused in step 2; `b.jsonl`, a copy of it
/// resumed by bob on another machine, who finished the walk; `c.jsonl`, another copy resumed by
/// carol, who skipped step 2 instead.
pub fn copies(dir: &Path) {
    let steps = &INCIDENT_STEPS[..2];
    let rb = || runbook("Widget 5xx storm", steps);
    let mut a = Builder::new(dir, "a11ce0a11ce0a11c", "alice");
    a.at(0.0)
        .ev(started(rb(), Mode::Live, "ops-1", Some("INC-9")))
        .at(5.0)
        .ev(step_started(1, steps))
        .at(6.0)
        .ev(cmd_started(1, "status", "systemctl status widget\n", 1))
        .at(7.0)
        .ev(cmd_finished(1, 0, 1_000, "active (running)\n"))
        .at(65.0)
        .ev(step_finished(1, steps, StepStatus::Done, None))
        .at(65.0)
        .ev(step_started(2, steps))
        .at(125.0)
        .ev(Event::SessionPaused {
            reason: "operator quit".into(),
            signal: None,
        });
    let a = a.finish(dir, "a.jsonl");
    let resumed = |host: &str| -> Event {
        serde_json::from_value(json!({
            "type": "session_resumed",
            "runbook": rb(),
            "tool_version": "0.1.0",
            "hostname": host,
            "mode": "live",
            "runbook_changed": false,
            "step": 2,
        }))
        .expect("a session_resumed event")
    };
    fs::copy(&a, dir.join("b.jsonl")).expect("copy");
    fs::copy(&a, dir.join("c.jsonl")).expect("copy");
    let mut b = Builder::resume(&dir.join("b.jsonl"), "b0b0b0b0b0b0b0b0", "bob");
    b.at(600.0)
        .ev(resumed("ops-2"))
        .ev(step_started(2, steps))
        .at(720.0)
        .ev(step_finished(2, steps, StepStatus::Done, None))
        .ev(Event::SessionFinished {
            done: 2,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        });
    b.close();
    let mut c = Builder::resume(&dir.join("c.jsonl"), "ca201ca201ca201c", "carol");
    c.at(900.0)
        .ev(resumed("ops-3"))
        .ev(step_started(2, steps))
        .at(930.0)
        .ev(step_finished(
            2,
            steps,
            StepStatus::Skipped,
            Some("done by bob already"),
        ))
        .ev(Event::SessionFinished {
            done: 1,
            skipped: 1,
            failed: 0,
            rehearsed: 0,
        });
    c.close();
}

/// One incident, two runbooks walked at once, both with a step 1 `check` and a step 2: alice
/// walks the widget runbook (`widget.jsonl`), bob the database one (`db.jsonl`).
pub fn two_runbooks(dir: &Path) {
    let widget = [
        ("check", "Check the error rate"),
        ("drain", "Drain the bad node"),
    ];
    let db = [
        ("check", "Check replication lag"),
        ("promote", "Promote the replica"),
        ("repoint", "Repoint the app"),
    ];
    let mut a = Builder::new(dir, "a11ce000a11ce000", "alice");
    a.at(0.0)
        .ev(started(
            runbook("Widget 5xx storm", &widget),
            Mode::Live,
            "ops-1",
            Some("INC-5"),
        ))
        .at(10.0)
        .ev(step_started(1, &widget))
        .at(70.0)
        .ev(note(NoteKind::Detected, "5xx on widget", Some(1)))
        .at(100.0)
        .ev(step_finished(1, &widget, StepStatus::Done, None))
        .ev(step_started(2, &widget))
        .at(400.0)
        .ev(step_finished(
            2,
            &widget,
            StepStatus::Skipped,
            Some("db is the cause"),
        ))
        .at(410.0)
        .ev(Event::SessionFinished {
            done: 1,
            skipped: 1,
            failed: 0,
            rehearsed: 0,
        });
    a.finish(dir, "widget.jsonl");
    let mut db_ref = runbook("DB failover", &db);
    db_ref.path = "runbooks/db.md".into();
    db_ref.sha256 = "ef".repeat(32);
    let mut b = Builder::new(dir, "b0b0b0b0b0b0b0b0", "bob");
    b.at(60.0)
        .ev(started(db_ref, Mode::Live, "ops-2", Some("INC-5")))
        .at(90.0)
        .ev(step_started(1, &db))
        .at(200.0)
        .ev(step_finished(1, &db, StepStatus::Done, None))
        .ev(step_started(2, &db))
        .at(320.0)
        .ev(step_finished(
            2,
            &db,
            StepStatus::Failed,
            Some("replica lagging"),
        ))
        .at(330.0)
        .ev(Event::Note {
            step: None,
            kind: NoteKind::Decision,
            text: "promote anyway".into(),
            at: None,
        })
        .at(500.0)
        .ev(note(NoteKind::Mitigated, "app on the new primary", None))
        .at(510.0)
        .ev(Event::SessionPaused {
            reason: "paused by the operator".into(),
            signal: None,
        });
    b.finish(dir, "db.jsonl");
}

/// One incident, three logs of two runbooks that share a title: alice walks
/// `team-a/failover.md` and carol the same file from her own checkout
/// (`../ops/team-a/failover.md`); bob walks `team-b/failover-web.md`, another "Failover".
pub fn same_title_runbooks(dir: &Path) {
    let db = [("lag", "Check replication lag"), ("promote", "Promote")];
    let web = [("drain", "Drain the web tier")];
    let walk = |session: &str, operator: &str, path: &str, steps: &[(&str, &str)], at: f64| {
        let mut rb = runbook("Failover", steps);
        rb.path = path.into();
        let mut b = Builder::new(dir, session, operator);
        b.at(at)
            .ev(started(rb, Mode::Live, "ops-1", Some("INC-9")))
            .at(at + 10.0)
            .ev(step_started(1, steps))
            .at(at + 40.0)
            .ev(step_finished(1, steps, StepStatus::Done, None));
        b
    };
    walk("a11ce000a11ce000", "alice", "team-a/failover.md", &db, 0.0).finish(dir, "a.jsonl");
    walk(
        "b0b0b0b0b0b0b0b0",
        "bob",
        "team-b/failover-web.md",
        &web,
        20.0,
    )
    .finish(dir, "b.jsonl");
    walk(
        "ca401ca401ca401c",
        "carol",
        "../ops/team-a/failover.md",
        &db,
        100.0,
    )
    .finish(dir, "c.jsonl");
    // dave walks team-a's file too, at another version.
    let mut rb = runbook("Failover", &db);
    rb.path = "team-a/failover.md".into();
    rb.sha256 = "9e".repeat(32);
    let mut d = Builder::new(dir, "da7eda7eda7eda7e", "dave");
    d.at(200.0)
        .ev(started(rb, Mode::Live, "ops-3", Some("INC-9")));
    d.finish(dir, "d.jsonl");
}
