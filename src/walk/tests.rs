use super::ports::{GuardAlarm, LookupData, LookupError, Metrics};
use super::scripted::{
    FixedClock, MemoryLog, Reply, ScriptedMetrics, ScriptedPrompter, ScriptedRunner,
};
use super::*;
use crate::event::{AlarmInfo, LookupErrorKind};
use crate::event::{Event, VariableSource, Verdict};
use crate::markdown::parse;

const RB: &str = "---
variables:
  NODE: {description: the node, default: fs-1}
  TOKEN: {secret: true}
---
# Restart

## Check
```bash {readonly}
check $NODE
```

## Restart
1. Drain
   ```bash {confirm}
   drain $NODE
   ```
2. Restart
   ```bash {danger}
   restart $NODE
   ```

## Verify
```text
look at the dashboard
```
";

struct Harness {
    ui: ScriptedPrompter,
    runner: ScriptedRunner,
    log: MemoryLog,
    clock: FixedClock,
    metrics: Option<ScriptedMetrics>,
}

impl Harness {
    fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Harness {
            ui: ScriptedPrompter::new(replies),
            runner: ScriptedRunner::default(),
            log: MemoryLog::default(),
            clock: FixedClock::default(),
            metrics: None,
        }
    }

    fn walk(&mut self, text: &str, opts: WalkOptions) -> Ending {
        let runbook = parse("rb.md", text).runbook;
        let values = vec![
            Value {
                name: "NODE".into(),
                value: "fs-1".into(),
                secret: false,
                source: VariableSource::Flag,
            },
            Value {
                name: "TOKEN".into(),
                value: "s3cret".into(),
                secret: true,
                source: VariableSource::Prompt,
            },
            Value {
                name: "LB".into(),
                value: "app/voice-api/1".into(),
                secret: false,
                source: VariableSource::Default,
            },
        ];
        let state = SessionState::new(&runbook, "alice");
        let started = self.clock.now();
        let ports = Ports {
            ui: &mut self.ui,
            runner: &mut self.runner,
            log: &mut self.log,
            clock: &self.clock,
            metrics: self.metrics.as_mut().map(|m| m as &mut dyn Metrics),
        };
        let mut walk = Walk::new(&runbook, opts, ports, values, state, started);
        walk.begin(&SessionInfo {
            tool_version: "t".into(),
            hostname: "h".into(),
            incident: Some("INC-1".into()),
        })
        .unwrap();
        walk.run(0).unwrap()
    }
}

fn opts(mode: Mode, yes: bool, allow_danger: bool) -> WalkOptions {
    WalkOptions {
        mode,
        yes,
        allow_danger,
        paint: Paint { enabled: false },
        cwd: PathBuf::from("/"),
        regions: Vec::new(),
    }
}

fn ran(h: &Harness) -> Vec<String> {
    h.runner
        .ran
        .iter()
        .map(|s| s.code.trim().to_string())
        .collect()
}

#[test]
fn yes_runs_everything_but_danger_and_acknowledges_manual_items() {
    // The confirm command still asks under --yes.
    let mut h = Harness::new([Reply::Yes]);
    let ending = h.walk(RB, opts(Mode::Live, true, false));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    assert_eq!(ran(&h), ["check $NODE", "drain $NODE"]);
    assert_eq!(
        h.log.types(),
        [
            "session_started",
            "step_started",
            "command_started",
            "command_finished",
            "step_finished",
            "step_started",
            "command_started",
            "command_finished",
            "checklist_item",
            "command_skipped",
            "checklist_item",
            "step_finished",
            "step_started",
            "command_done",
            "step_finished",
            "session_finished"
        ]
    );
    let skipped = h.log.events().into_iter().find_map(|e| match e {
        Event::CommandSkipped {
            reason, automatic, ..
        } => Some((reason.clone(), *automatic)),
        _ => None,
    });
    assert_eq!(
        skipped,
        Some((
            "`danger` command not run under --yes (pass --allow-danger to run it)".into(),
            true
        ))
    );
    let statuses: Vec<StepStatus> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::StepFinished { status, .. } => Some(*status),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [StepStatus::Done, StepStatus::Skipped, StepStatus::Done]
    );
}

#[test]
fn yes_with_allow_danger_runs_danger_and_without_operator_skips_confirm() {
    let mut h = Harness::new([]);
    h.walk(RB, opts(Mode::Live, true, true));
    assert_eq!(ran(&h), ["check $NODE", "restart $NODE"]);
}

#[test]
fn rehearsal_runs_only_readonly_and_logs_the_rest_as_rehearsed() {
    let mut h = Harness::new([]);
    let ending = h.walk(RB, opts(Mode::Rehearsal, true, true));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    assert_eq!(ran(&h), ["check $NODE"]);
    let rehearsed = h
        .log
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::CommandSkipped { reason, .. } if reason == REHEARSAL_REASON))
        .count();
    assert_eq!(rehearsed, 2);
}

#[test]
fn a_failure_under_yes_stops_the_walk_there() {
    let mut h = Harness::new([]);
    h.runner = ScriptedRunner::default().on("check", [ScriptedRunner::exit(3)]);
    let ending = h.walk(RB, opts(Mode::Live, true, false));
    assert!(
        matches!(ending, Ending::Stopped { ref reason } if reason.contains("command 1 of step 1 failed")),
        "{ending:?}"
    );
    assert_eq!(h.log.types().last().unwrap(), "session_paused");
}

#[test]
fn interactive_walk_with_skip_note_retry_and_quit() {
    let mut h = Harness::new([
        // Step 1: run (Enter), it fails, retry, it works.
        Reply::Enter,
        Reply::Key('r'),
        // Step 2: note, then skip the step with a reason.
        Reply::Key('n'),
        Reply::Key('o'),
        Reply::Text("fs-1 shows 300 channels".into()),
        Reply::Key('s'),
        Reply::Text("drained by the NOC already".into()),
        // Step 3: quit.
        Reply::Key('q'),
    ]);
    h.runner = ScriptedRunner::default().on("check", [ScriptedRunner::exit(1)]);
    let ending = h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(
        ending,
        Ending::Paused {
            reason: "paused by the operator".into()
        }
    );
    assert_eq!(ran(&h), ["check $NODE", "check $NODE"]);
    let attempts: Vec<u32> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandStarted { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2]);
    assert!(h.log.events().contains(&&Event::Note {
        step: Some(2),
        kind: NoteKind::Observation,
        text: "fs-1 shows 300 channels".into()
    }));
    assert!(h.log.events().contains(&&Event::StepFinished {
        step: 2,
        step_id: "restart".into(),
        status: StepStatus::Skipped,
        reason: Some("drained by the NOC already".into())
    }));
    assert!(h.ui.screen().contains("── Step 1/3 Check"));
}

#[test]
fn danger_requires_typing_yes_in_full() {
    let mut h = Harness::new([
        Reply::Enter,            // step 1: run check
        Reply::Enter,            // step 2: run drain (confirm)
        Reply::No,               // decline
        Reply::Key('d'),         // mark drain done by hand
        Reply::Key('d'),         // checklist item 1
        Reply::Enter,            // run restart (danger)
        Reply::Text("y".into()), // not enough
        Reply::Enter,            // run restart again
        Reply::Text("yes".into()),
        Reply::Key('q'),
    ]);
    h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(ran(&h), ["check $NODE", "restart $NODE"]);
    assert!(
        h.ui.screen()
            .contains("command 2 not run: `yes` was not typed")
    );
}

#[test]
fn secrets_and_variables_reach_the_runner_as_environment() {
    let mut h = Harness::new([]);
    h.walk(RB, opts(Mode::Live, true, true));
    let spec = &h.runner.ran[0];
    assert!(spec.env.contains(&("NODE".into(), "fs-1".into())));
    assert_eq!(spec.secrets, ["s3cret"]);
    assert_eq!(
        spec.code, "check $NODE\n",
        "code is passed as written, never spliced"
    );
}

#[test]
fn back_and_jump_reopen_steps() {
    let mut h = Harness::new([
        Reply::Enter,    // step 1 run
        Reply::Key('b'), // back from step 2 to step 1
        Reply::Enter,    // step 1 run again
        Reply::Key('j'),
        Reply::Text("verify".into()),
        Reply::Key('q'),
    ]);
    h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(ran(&h), ["check $NODE", "check $NODE"]);
    let started: Vec<usize> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::StepStarted { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert_eq!(started, [1, 2, 1, 2, 3]);
}

#[test]
fn handoff_changes_the_operator_of_later_events() {
    let mut h = Harness::new([Reply::Key('h'), Reply::Text("bob".into()), Reply::Key('q')]);
    h.walk(RB, opts(Mode::Live, false, false));
    let ops: Vec<(&str, String)> = h
        .log
        .records
        .iter()
        .map(|r| {
            (
                r.operator.as_str(),
                h.log.types()[r.seq as usize - 1].clone(),
            )
        })
        .collect();
    assert_eq!(ops.last().unwrap(), &("bob", "session_paused".to_string()));
    assert!(h.log.events().contains(&&Event::Handoff {
        from: "alice".into(),
        to: "bob".into()
    }));
}

#[test]
fn end_of_input_stops_instead_of_hanging() {
    let mut h = Harness::new([]);
    let ending = h.walk(RB, opts(Mode::Live, false, false));
    assert!(matches!(ending, Ending::Stopped { .. }));
}

#[test]
fn replaying_the_log_restores_progress() {
    let mut h = Harness::new([Reply::Enter, Reply::Key('q')]);
    h.walk(RB, opts(Mode::Live, false, false));
    let runbook = parse("rb.md", RB).runbook;
    let mut state = SessionState::new(&runbook, "x");
    for r in &h.log.records {
        state.apply(r);
    }
    assert_eq!(state.steps[0].status, Some(StepStatus::Done));
    assert_eq!(state.next_unfinished(0), Some(1));
    assert_eq!(state.operator, "x");
}

#[test]
fn expand_reads_vars_then_environment() {
    assert_eq!(
        expand(
            "/srv/${APP}/$REL-x",
            &[("APP".into(), "web".into()), ("REL".into(), "7".into())]
        ),
        "/srv/web/7-x"
    );
    assert_eq!(expand("a$", &[]), "a$");
}

const WATCHED: &str = "---
regions: [euw2]
guard_alarms: [freeswitch-]
variables:
  LB: {default: app/voice-api/1}
---
# Watched

## Look
```cloudwatch
namespace: AWS/ApplicationELB
metric: HTTPCode_Target_5XX_Count
dimensions:
  LoadBalancer: $LB
stat: Sum
regions: [euw2, euc1]
expect: \"< 10\"
label: 5xx on the voice API
```

```cloudwatch
alarms: freeswitch-
state: ALARM
```

```bash
restart it
```
";

fn points(values: &[f64]) -> LookupData {
    LookupData::Metric {
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-11-22T03:0{i}:00Z"), *v))
            .collect(),
    }
}

#[test]
fn lookups_run_per_region_with_verdicts_and_are_logged() {
    let mut h = Harness::new([]);
    h.metrics = Some(
        ScriptedMetrics::default()
            .answer(1, "eu-west-2", Ok(points(&[1.0, 3.0, 2.0])))
            .answer(1, "eu-central-1", Ok(points(&[4.0, 12.0])))
            .answer(
                2,
                "eu-west-2",
                Err(LookupError {
                    kind: LookupErrorKind::AccessDenied,
                    message: "access denied in eu-west-2".into(),
                }),
            ),
    );
    // `run` passes the runbook's front matter regions when --region is not given.
    let mut o = opts(Mode::Live, true, false);
    o.regions = vec!["eu-west-2".into()];
    let ending = h.walk(WATCHED, o);
    assert_eq!(ending, Ending::Finished { failed: 0 });
    let asked = &h.metrics.as_ref().unwrap().asked;
    let regions: Vec<(usize, &str)> = asked
        .iter()
        .map(|r| (r.lookup.index, r.region.as_str()))
        .collect();
    // The block's regions, else the runbook's.
    assert_eq!(
        regions,
        [(1, "eu-west-2"), (1, "eu-central-1"), (2, "eu-west-2")]
    );
    // `$LB` in a dimension comes from the session's variables.
    match &asked[0].lookup.query {
        crate::runbook::LookupQuery::Metric { metric, .. } => {
            assert_eq!(metric.dimensions[0].value, "app/voice-api/1")
        }
        other => panic!("{other:?}"),
    }
    let results: Vec<(String, Option<Verdict>, bool)> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::LookupResult {
                region,
                verdict,
                error,
                ..
            } => Some((region.clone(), *verdict, error.is_some())),
            _ => None,
        })
        .collect();
    assert_eq!(
        results,
        [
            ("eu-west-2".to_string(), Some(Verdict::Ok), false),
            ("eu-central-1".to_string(), Some(Verdict::Breach), false),
            ("eu-west-2".to_string(), None, true),
        ]
    );
    let screen = h.ui.screen();
    assert!(screen.contains("5xx on the voice API"), "{screen}");
    assert!(screen.contains("BREACH"));
    assert!(screen.contains("access denied in eu-west-2"));
}

#[test]
fn a_guard_alarm_pauses_before_the_next_command() {
    let alarm = GuardAlarm {
        region: "eu-west-2".into(),
        alarm: AlarmInfo {
            name: "freeswitch-calls-failing".into(),
            state: crate::runbook::AlarmState::Alarm,
            reason: "threshold crossed".into(),
            since: None,
        },
    };
    // The operator declines, then runs it once the alarm has been seen.
    let mut h = Harness::new([Reply::Enter, Reply::No, Reply::Enter, Reply::Key('q')]);
    h.metrics = Some(ScriptedMetrics::default().guard(vec![alarm]));
    h.walk(WATCHED, opts(Mode::Live, false, false));
    assert!(
        h.ui.screen()
            .contains("GUARD ALARM freeswitch-calls-failing in eu-west-2")
    );
    assert_eq!(ran(&h), ["restart it"]);
    assert!(h.log.types().contains(&"guard_alarm".to_string()));

    // Unattended, nobody can answer: the walk stops before the command.
    let mut h = Harness::new([]);
    h.metrics = Some(ScriptedMetrics::default().guard(vec![GuardAlarm {
        region: "eu-west-2".into(),
        alarm: AlarmInfo {
            name: "freeswitch-x".into(),
            state: crate::runbook::AlarmState::Alarm,
            reason: "r".into(),
            since: None,
        },
    }]));
    let ending = h.walk(WATCHED, opts(Mode::Live, true, false));
    assert!(
        matches!(ending, Ending::Stopped { ref reason } if reason.contains("guard alarm freeswitch-x")),
        "{ending:?}"
    );
    assert!(ran(&h).is_empty());
}
