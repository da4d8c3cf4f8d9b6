//! Exports never panic: random event sequences written through the real log writer (so that
//! `verify` accepts them), cut at any line or byte, with zero-length sessions, steps opened by the
//! last event, clocks that stand still or step back, and NaN, infinite and ±1e308 datapoints, are
//! exported in every format; the JSON outputs still validate against `schemas/`.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use runbook::event::{
    AlarmInfo, Datapoint, Event, LoggedLookupError, LookupErrorKind, Mode, NoteKind, StepStatus,
};
use runbook::export::{self, Format, compare};
use runbook::runbook::AlarmState;
use serde_json::{Value, json};

use crate::logs::{Builder, runbook as runbook_ref, started};

/// Enough cases to meet every hazard below several times, few enough to run in a few seconds.
const CASES: u32 = 64;

/// One thing that happens, `dt_ms` after the one before (0: at the same instant; negative: the
/// clock stepped back).
#[derive(Debug, Clone)]
struct Op {
    dt_ms: i64,
    what: What,
}

#[derive(Debug, Clone)]
enum What {
    StepStarted(usize, String),
    StepFinished(usize, StepStatus),
    CommandStarted(usize, u32),
    CommandFinished(usize, u64, String),
    Skipped(usize),
    Note(Option<usize>, NoteKind, String),
    Handoff(String),
    Metric(usize, Vec<(i64, f64)>, bool),
    Alarms(usize),
    LookupFailed(usize),
    Guard(bool),
    Paused,
    Finished,
    Resumed(usize),
}

/// Values that break naive scaling.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -1000.0f64..1000.0,
        1 => select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            0.0,
            -0.0,
        ]),
    ]
}

/// Datapoint times in seconds after the first: repeated, out of order, or far apart.
fn points() -> impl Strategy<Value = Vec<(i64, f64)>> {
    prop::collection::vec(
        (
            prop_oneof![
                Just(0i64),
                -60i64..600,
                Just(86_400 * 365),
                Just(NOT_A_TIME)
            ],
            value(),
        ),
        0..8,
    )
}

/// Text from the operator, a command or AWS: empty, multi-byte, control and escape characters,
/// markup, long lines.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("seen".to_string()),
        2 => "[a-z \\n\\r\\t`*|<>&\"'\\x1b\\x00\\x7f\\u{80}-\\u{10ffff}\\[\\]]{0,40}",
        1 => "[é😀\\x1b\\[0-9m;]{200,400}",
    ]
}

/// A datapoint whose `ts` is not a time.
const NOT_A_TIME: i64 = i64::MIN;

/// Step numbers in range, and out of it (0, past the last step).
fn step() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 1usize..=3, 1 => select(vec![0usize, 7])]
}

fn what() -> impl Strategy<Value = What> {
    let status = select(vec![
        StepStatus::Done,
        StepStatus::Skipped,
        StepStatus::Failed,
        StepStatus::Rehearsed,
    ]);
    let kind = select(NoteKind::ALL.to_vec());
    prop_oneof![
        4 => (step(), text()).prop_map(|(s, t)| What::StepStarted(s, t)),
        3 => (step(), status).prop_map(|(s, st)| What::StepFinished(s, st)),
        3 => (step(), 1u32..4).prop_map(|(s, a)| What::CommandStarted(s, a)),
        3 => (step(), prop_oneof![Just(0u64), 0u64..100_000, Just(u64::MAX)], text())
            .prop_map(|(s, d, o)| What::CommandFinished(s, d, o)),
        1 => step().prop_map(What::Skipped),
        2 => (prop::option::of(step()), kind, text()).prop_map(|(s, k, t)| What::Note(s, k, t)),
        1 => text().prop_map(What::Handoff),
        3 => (step(), points(), any::<bool>()).prop_map(|(s, p, e)| What::Metric(s, p, e)),
        1 => step().prop_map(What::Alarms),
        1 => step().prop_map(What::LookupFailed),
        1 => any::<bool>().prop_map(What::Guard),
        1 => Just(What::Paused),
        1 => Just(What::Finished),
        1 => step().prop_map(What::Resumed),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (
        prop_oneof![
            3 => Just(0i64),
            4 => 0i64..120_000,
            1 => -5_000i64..0,
            // Centuries: a clock set wrong.
            1 => Just(400 * 365 * 86_400_000i64),
        ],
        what(),
    )
        .prop_map(|(dt_ms, what)| Op { dt_ms, what })
}

/// Where the log is cut: not at all, after a number of whole lines, or at a byte (a torn line).
#[derive(Debug, Clone)]
enum Cut {
    None,
    Lines(usize),
    Byte(usize),
}

fn cut() -> impl Strategy<Value = Cut> {
    prop_oneof![
        2 => Just(Cut::None),
        2 => (1usize..40).prop_map(Cut::Lines),
        1 => (1usize..20_000).prop_map(Cut::Byte),
    ]
}

const STEPS: [(&str, &str); 3] = [
    ("check", "Check the error rate"),
    ("drain", "Drain the bad node"),
    ("tell", "Tell the channel"),
];

fn query(expect: bool) -> runbook::runbook::LookupQuery {
    let mut q = json!({
        "kind": "metric",
        "namespace": "AWS/ApplicationELB",
        "metric": "HTTPCode_Target_5XX_Count",
        "dimensions": [],
        "stat": "Sum",
        "period_s": 60,
        "window_s": 900
    });
    if expect {
        q["expect"] = json!("< 10");
    }
    serde_json::from_value(q).expect("a lookup query")
}

fn event(what: &What, rb: &runbook::event::RunbookRef) -> Event {
    let id = |s: usize| STEPS.get(s.wrapping_sub(1)).map_or("gone", |s| s.0);
    match what.clone() {
        What::StepStarted(step, title) => Event::StepStarted {
            step,
            step_id: id(step).into(),
            title,
        },
        What::StepFinished(step, status) => Event::StepFinished {
            step,
            step_id: id(step).into(),
            status,
            reason: (status == StepStatus::Skipped).then(|| "not needed".into()),
        },
        What::CommandStarted(step, attempt) => Event::CommandStarted {
            step,
            command: 1,
            name: None,
            code: "true\n".into(),
            cwd: "/srv".into(),
            runner: None,
            attempt,
            placeholders: Vec::new(),
        },
        What::CommandFinished(step, duration_ms, output) => Event::CommandFinished {
            step,
            command: 1,
            exit_code: Some(i32::from(duration_ms % 2 == 1)),
            signal: None,
            success: duration_ms % 2 == 0,
            duration_ms,
            bytes: output.len() as u64,
            output,
            truncated: false,
            redactions: 0,
            timed_out: false,
            interrupted: false,
            cwd_after: None,
            env_changed: Vec::new(),
        },
        What::Skipped(step) => Event::CommandSkipped {
            step,
            command: 1,
            reason: "operator".into(),
            automatic: false,
        },
        What::Note(step, kind, text) => Event::Note {
            step,
            kind,
            text,
            at: None,
        },
        What::Handoff(to) => Event::Handoff {
            from: "alice".into(),
            to,
        },
        What::Metric(step, pts, expect) => Event::LookupResult {
            step,
            lookup: 1,
            label: Some("5xx".into()),
            region: "eu-west-2".into(),
            query: query(expect),
            datapoints: pts
                .iter()
                .map(|(secs, value)| Datapoint {
                    ts: if *secs == NOT_A_TIME {
                        "yesterday".into()
                    } else {
                        chrono::DateTime::from_timestamp(1_795_316_400 + secs, 0)
                            .expect("a time")
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                    },
                    value: *value,
                })
                .collect(),
            verdict: None,
            alarms: None,
            error: None,
            duration_ms: 0,
        },
        What::Alarms(step) => Event::LookupResult {
            step,
            lookup: 2,
            label: None,
            region: "eu-west-2".into(),
            query: serde_json::from_value(json!({"kind": "alarms", "prefix": "w-"}))
                .expect("a lookup query"),
            datapoints: Vec::new(),
            verdict: None,
            alarms: Some(vec![AlarmInfo {
                name: "w-5xx".into(),
                state: AlarmState::Alarm,
                reason: "Threshold Crossed".into(),
                since: Some("not a time".into()),
            }]),
            error: None,
            duration_ms: u64::MAX,
        },
        What::LookupFailed(step) => Event::LookupResult {
            step,
            lookup: 1,
            label: None,
            region: "eu-west-2".into(),
            query: query(true),
            datapoints: Vec::new(),
            verdict: None,
            alarms: None,
            error: Some(LoggedLookupError {
                kind: LookupErrorKind::Timeout,
                message: "timed out".into(),
            }),
            duration_ms: 0,
        },
        What::Guard(firing) => Event::GuardAlarm {
            region: "eu-west-2".into(),
            alarm: "w-5xx".into(),
            state: if firing {
                AlarmState::Alarm
            } else {
                AlarmState::Ok
            },
            reason: "Threshold Crossed".into(),
            since: Some("2026-11-22T03:00:00.000Z".into()),
        },
        What::Paused => Event::SessionPaused {
            reason: "operator".into(),
            signal: None,
        },
        What::Finished => Event::SessionFinished {
            done: 1,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        },
        What::Resumed(step) => Event::SessionResumed {
            runbook: rb.clone(),
            tool_version: "0.1.0".into(),
            hostname: "ops-2".into(),
            mode: Mode::Live,
            runbook_changed: false,
            changed_steps: Vec::new(),
            forced: false,
            step,
        },
    }
}

/// Writes the log through the real writer, then cuts it.
fn write_log(dir: &Path, ops: &[Op], cut: &Cut, rehearsal: bool) -> std::path::PathBuf {
    let rb = runbook_ref("Widget 5xx storm", &STEPS);
    let mode = if rehearsal {
        Mode::Rehearsal
    } else {
        Mode::Live
    };
    let mut b = Builder::new(dir, "5e55105e55105e55", "alice");
    b.at_ms(0)
        .ev(started(rb.clone(), mode, "ops-1", Some("INC-1")));
    let mut now = 0;
    for op in ops {
        now += op.dt_ms;
        b.at_ms(now).ev(event(&op.what, &rb));
    }
    let path = b.finish(dir, "props.jsonl");
    let raw = fs::read(&path).expect("read log");
    let kept = match *cut {
        Cut::None => raw.len(),
        Cut::Lines(n) => raw
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(n - 1)
            .map_or(raw.len(), |(i, _)| i + 1),
        Cut::Byte(n) => n.min(raw.len()),
    };
    fs::write(&path, &raw[..kept]).expect("cut log");
    path
}

fn validator(schema_file: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(crate::repo().join("schemas").join(schema_file)).expect("read schema"),
    )
    .expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn check_json(v: &jsonschema::Validator, what: &str, text: &str) -> Result<(), TestCaseError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| TestCaseError::fail(format!("{what} is not JSON: {e}\n{text}")))?;
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    prop_assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
    Ok(())
}

/// Every coordinate of the charts and every bar's place is a plain number on the drawing: no
/// scaling left a NaN, an infinity or an exponent.
fn html_numbers_are_sane(html: &str) -> Result<(), TestCaseError> {
    static NUMBERS: OnceLock<regex_lite::Regex> = OnceLock::new();
    let re = NUMBERS.get_or_init(|| {
        regex_lite::Regex::new(
            r#"(?: (?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)")|(?:points="([^"]*)")|(?:(?:left|width):([^;"]*)%)"#,
        )
        .expect("regex")
    });
    for c in re.captures_iter(html) {
        let (all, found) = (
            c.get(0).map_or("", |m| m.as_str()),
            c.iter().skip(1).flatten(),
        );
        for m in found {
            for n in m.as_str().split([' ', ',']).filter(|n| !n.is_empty()) {
                let ok = n
                    .parse::<f64>()
                    .is_ok_and(|v| v.is_finite() && v.abs() <= 1000.0)
                    && !n.contains(['e', 'E']);
                prop_assert!(ok, "html holds `{n}` in `{all}`");
            }
        }
    }
    Ok(())
}

/// Exports `ops` (cut by `cut`) in every format; panics propagate to the runner, which shrinks.
fn export_all(ops: &[Op], cut: &Cut, rehearsal: bool) -> Result<(), TestCaseError> {
    type Validators = (
        jsonschema::Validator,
        jsonschema::Validator,
        jsonschema::Validator,
    );
    static SCHEMAS: OnceLock<Validators> = OnceLock::new();
    let (export_schema, aws_schema, log_schema) = SCHEMAS.get_or_init(|| {
        (
            validator("incident-export.schema.json"),
            validator("aws-timeline.schema.json"),
            validator("incident-log.schema.json"),
        )
    });
    // Memory-backed where there is one: each event is an fdatasync, and the cases are many.
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("dir");
    let path = write_log(dir.path(), ops, cut, rehearsal);
    if matches!(cut, Cut::None | Cut::Lines(_)) {
        let log = runbook::incident_log::read_log(&path).expect("read log");
        prop_assert!(log.verdict().is_ok(), "verify refuses a whole-line log");
        // What the writer wrote is what the log's schema describes (NaN as `null`).
        // Step 0 is the generator's (verify accepts it; the walk never writes it).
        for line in fs::read_to_string(&path)
            .expect("read log")
            .lines()
            .filter(|l| !l.contains("\"step\":0,"))
        {
            check_json(log_schema, "log line", line)?;
        }
    }
    let build = || {
        export::build(vec![export::load_log(&path).expect("load log")])
            .map_err(|e| TestCaseError::reject(e.to_string()))
    };
    let timeline = build()?;
    for format in [
        Format::Markdown,
        Format::Html,
        Format::Json,
        Format::AwsTimeline,
        Format::Slack,
    ] {
        let out = export::render(&timeline, format);
        match format {
            Format::Json => check_json(export_schema, "json", &out)?,
            Format::AwsTimeline => check_json(aws_schema, "aws-timeline", &out)?,
            _ => prop_assert!(!out.is_empty()),
        }
        if format == Format::Html {
            html_numbers_are_sane(&out)?;
        }
    }
    for enabled in [false, true] {
        export::terminal::render(&timeline, runbook::terminal::Paint { enabled });
    }
    // The log given twice, as `export a.jsonl a.jsonl` would.
    let twice = export::build(vec![
        export::load_log(&path).expect("load log"),
        export::load_log(&path).expect("load log"),
    ])
    .map_err(|e| TestCaseError::reject(e.to_string()))?;
    for format in [Format::Markdown, Format::Html] {
        export::render(&twice, format);
    }
    check_json(
        export_schema,
        "json of two",
        &export::render(&twice, Format::Json),
    )?;
    // Given twice, or with a copy of its first half (a log and its resumed copy), the log's
    // events, runs and durations count once.
    let facts = |t: &export::Timeline| {
        t.steps
            .iter()
            .map(|s| (s.index, s.runs, s.duration_ms, s.commands))
            .collect::<Vec<_>>()
    };
    prop_assert_eq!(twice.entries.len(), timeline.entries.len());
    prop_assert_eq!(facts(&twice), facts(&timeline));
    let raw = fs::read(&path).expect("read log");
    let lines = raw.iter().filter(|&&b| b == b'\n').count();
    let half = raw
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(lines / 2)
        .map_or(raw.len(), |(i, _)| i + 1);
    let head = path.with_file_name("head.jsonl");
    fs::write(&head, &raw[..half]).expect("write half");
    let with_head = export::build(vec![
        export::load_log(&head).expect("load log"),
        export::load_log(&path).expect("load log"),
    ])
    .map_err(|e| TestCaseError::reject(e.to_string()))?;
    prop_assert_eq!(with_head.entries.len(), timeline.entries.len());
    prop_assert_eq!(facts(&with_head), facts(&timeline));
    prop_assert!(with_head.warnings.len() <= timeline.warnings.len() + 1);
    let before = build()?;
    compare::render(
        "now",
        &timeline,
        &[compare::Run {
            label: "before",
            timeline: &before,
        }],
    );
    Ok(())
}

pub fn exports_of_any_log_never_panic() {
    let mut runner = TestRunner::new(Config {
        // `PROPTEST_CASES=2000` for a deeper search by hand.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (prop::collection::vec(op(), 0..24), cut(), any::<bool>());
    if let Err(e) = runner.run(&strategy, |(ops, cut, rehearsal)| {
        export_all(&ops, &cut, rehearsal)
    }) {
        panic!("{e}");
    }
}

/// The hazards named in the issue, each once, whatever the random cases meet.
pub fn exports_of_edge_logs_never_panic() {
    let at = |dt_ms, what| Op { dt_ms, what };
    let cases: Vec<Vec<Op>> = vec![
        // A zero-length session.
        vec![],
        vec![at(0, What::Finished)],
        // A step opened by the last event, at the last instant, with a command running.
        vec![
            at(60_000, What::StepStarted(1, "Step".into())),
            at(0, What::CommandStarted(1, 1)),
        ],
        vec![
            at(0, What::StepStarted(1, "Step".into())),
            at(0, What::StepStarted(2, String::new())),
        ],
        // Everything at one instant, with every awkward datapoint.
        vec![
            at(0, What::StepStarted(1, "Step".into())),
            at(
                0,
                What::Metric(
                    1,
                    vec![(0, f64::NAN), (0, 1e308), (0, -1e308), (0, f64::INFINITY)],
                    true,
                ),
            ),
            at(0, What::Metric(1, vec![(0, 1e308), (60, -1e308)], true)),
            at(0, What::Metric(1, vec![(0, f64::NAN)], false)),
            at(0, What::CommandFinished(1, u64::MAX, String::new())),
            at(0, What::StepFinished(1, StepStatus::Done)),
        ],
        // A clock that steps back across a step.
        vec![
            at(10_000, What::StepStarted(1, "Step".into())),
            at(-20_000, What::StepFinished(1, StepStatus::Done)),
        ],
    ];
    for ops in cases {
        if let Err(e) = export_all(&ops, &Cut::None, false) {
            panic!("{ops:?}: {e}");
        }
    }
}
