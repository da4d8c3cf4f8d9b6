//! The engine on scripted ports: what runs, what is logged, what the operator is shown and asked.

use super::REHEARSAL_REASON;
use super::ports::{GuardAlarm, LookupError};
use super::scripted::{Harness, RB, Reply, ScriptedMetrics, ScriptedRunner, WATCHED, opts, points};
use super::state::SessionState;
use super::variables::Value;
use super::variables::expand;
use super::{Ending, lookup_requests};
use crate::event::{AlarmInfo, LookupErrorKind};
use crate::event::{Event, Mode, NoteKind, StepStatus, VariableSource, Verdict};
use crate::markdown::parse;

#[test]
fn yes_runs_everything_but_danger_and_acknowledges_manual_items() {
    // The confirm command still asks under --yes.
    let mut h = Harness::new([Reply::Yes]);
    let ending = h.walk(RB, opts(Mode::Live, true, false));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    assert_eq!(h.ran(), ["check $NODE", "drain $NODE"]);
    assert_eq!(
        h.log.types(),
        [
            "session_started",
            "step_started",
            "command_approved",
            "command_started",
            "command_finished",
            "step_finished",
            "step_started",
            "command_approved",
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
    assert_eq!(h.ran(), ["check $NODE", "restart $NODE"]);
}

#[test]
fn rehearsal_runs_only_readonly_and_logs_the_rest_as_rehearsed() {
    let mut h = Harness::new([]);
    let ending = h.walk(RB, opts(Mode::Rehearsal, true, true));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    assert_eq!(h.ran(), ["check $NODE"]);
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
    assert_eq!(h.ran(), ["check $NODE", "check $NODE"]);
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
        text: "fs-1 shows 300 channels".into(),
        at: None,
    }));
    assert!(h.log.events().contains(&&Event::StepFinished {
        step: 2,
        step_id: "restart".into(),
        status: StepStatus::Skipped,
        reason: Some("drained by the NOC already".into())
    }));
    // The terminal's layout of these screens is checked in `terminal::tests`.
    assert!(h.ui.screen().contains("[step 1/3 Check]"));
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
    assert_eq!(h.ran(), ["check $NODE", "restart $NODE"]);
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
    assert_eq!(h.ran(), ["check $NODE", "check $NODE"]);
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
fn end_of_input_pauses_instead_of_hanging() {
    let mut h = Harness::new([]);
    let ending = h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(
        ending,
        Ending::Paused {
            reason: super::END_OF_INPUT.into()
        }
    );
    assert_eq!(h.log.types().last().unwrap(), "session_paused");
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
    let env = vec![
        ("REL".to_string(), "8".to_string()),
        ("HOME".to_string(), "/h".to_string()),
    ];
    assert_eq!(
        expand(
            "/srv/${APP}/$REL-x",
            &[("APP".into(), "web".into()), ("REL".into(), "7".into())],
            &env
        ),
        "/srv/web/7-x"
    );
    assert_eq!(expand("a$", &[], &env), "a$");
    assert_eq!(expand("$HOME/$UNSET.", &[], &env), "/h/.");
}

#[test]
fn lookup_dimensions_fall_back_to_the_environment_port() {
    let rb = parse("rb.md", &WATCHED.replace("$LB", "$ELSEWHERE")).runbook;
    let env = vec![("ELSEWHERE".to_string(), "app/from-env/2".to_string())];
    let (requests, missing) = lookup_requests(&rb.steps[0], &[], &env, &[], None);
    assert_eq!(missing, [2], "the alarm lookup names no region");
    match &requests[0].lookup.query {
        crate::runbook::LookupQuery::Metric { metric, .. } => {
            assert_eq!(metric.dimensions[0].value, "app/from-env/2");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn menus_offer_every_handled_action_and_lookups_only_where_there_are_some() {
    // `l` runs the lookups again; `?` shows the help.
    let mut h = Harness::new([Reply::Key('l'), Reply::Key('?'), Reply::Key('q')]);
    h.metrics = Some(ScriptedMetrics::default());
    h.walk(WATCHED, opts(Mode::Live, false, false));
    let asked = h.metrics.as_ref().unwrap().asked.len();
    assert_eq!(asked, 6, "three requests when shown, three again on `l`");
    assert!(h.ui.screen().contains("[help]"));

    // `p` always, `v` with variables; one step: no `g`.
    assert_eq!(h.ui.menus[0], "raedsnlpjvh?q");

    // A first step without lookups offers neither `l` nor `b`; the next one offers `b`.
    let mut h = Harness::new([Reply::Enter, Reply::Key('q')]);
    h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(h.ui.menus, ["raedsnpgjvh?q", "raedsnpgbjvh?q"]);
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
            assert_eq!(metric.dimensions[0].value, "app/voice-api/1");
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
    // One table per lookup, its regions side by side; how it looks is `terminal::tests`'s.
    let screen = h.ui.screen();
    assert!(
        screen.contains("[lookup 1 in eu-west-2, eu-central-1]"),
        "{screen}"
    );
    assert!(screen.contains("[lookup 2 in eu-west-2]"), "{screen}");
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
            .contains("[guard alarm freeswitch-calls-failing in eu-west-2]")
    );
    assert_eq!(h.ran(), ["restart it"]);
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
    assert!(h.ran().is_empty());
}

/// Variables asked when needed: a description and an introduction, `HOST` (pattern) and `TOKEN`
/// (secret) for the failover, `REGION` (default) for the check, `TICKET` used by no command.
const LAZY: &str = "---
description: Fail the proxy over. Writes fail for 30-60 s.
variables:
  REGION: {default: eu-west-2}
  HOST: {pattern: '^db-[0-9]+$'}
  TOKEN: {secret: true}
  TICKET: {description: change ticket}
---
# Failover

Work from the bastion.

## Check
```bash {readonly}
check $REGION
```

## Find the standby
Look it up.

## Fail over
```bash
failover $TOKEN $HOST $REGION
```
";

fn variable_sets(h: &Harness) -> Vec<(String, VariableSource, Option<String>)> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::VariableSet {
                name,
                source,
                value,
            } => Some((name.clone(), *source, value.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn each_variable_is_asked_just_before_the_first_command_that_needs_it() {
    let mut h = Harness::new([
        Reply::Text("CHG-7".into()), // TICKET: used by no command, so asked before step 1
        Reply::Enter,                // step 1: run
        Reply::Enter,                // REGION: its default
        Reply::Enter,                // step 2: done by hand
        Reply::Enter,                // step 3: run
        Reply::Text("fs-1".into()),  // HOST: asked in the author's order, before TOKEN
        Reply::Text("db-2".into()),  // again, as `fs-1` does not match
        Reply::Text("s3cret".into()),
        Reply::Key('q'),
    ]);
    h.values = Vec::new();
    h.walk(LAZY, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    // Context first, then TICKET, then the first step; REGION only once step 1 runs.
    let at = |needle: &str| {
        screen
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {screen}"))
    };
    assert!(at("[context Failover]") < at("? TICKET (change ticket)"));
    assert!(at("? TICKET") < at("[step 1/3 Check]"));
    assert!(at("[step 1/3 Check]") < at("? REGION"));
    assert!(at("[step 3/3 Fail over]") < at("Info: values needed: HOST, TOKEN"));
    assert!(at("values needed") < at("? HOST"));
    assert!(at("? HOST") < at("? TOKEN"));
    assert!(screen.contains("`fs-1` does not match `^db-[0-9]+$`; try again"));
    assert_eq!(
        variable_sets(&h),
        [
            (
                "TICKET".into(),
                VariableSource::Prompt,
                Some("CHG-7".into())
            ),
            (
                "REGION".into(),
                VariableSource::Default,
                Some("eu-west-2".into())
            ),
            ("HOST".into(), VariableSource::Prompt, Some("db-2".into())),
            ("TOKEN".into(), VariableSource::Prompt, None),
        ]
    );
    let spec = &h.runner.ran[1];
    assert!(spec.env.contains(&("HOST".into(), "db-2".into())));
    assert_eq!(spec.secrets, ["s3cret"]);
    // Each value is logged before the command that uses it starts.
    let types = h.log.types();
    let token = types.iter().rposition(|t| t == "variable_set").unwrap();
    assert_eq!(
        types[token + 1..token + 3],
        ["command_approved", "command_started"]
    );
}

#[test]
fn given_values_are_not_asked_and_a_rehearsal_asks_nothing_it_does_not_run() {
    let mut h = Harness::new([Reply::Enter, Reply::Enter, Reply::Enter, Reply::Key('q')]);
    h.values = vec![
        Value {
            name: "REGION".into(),
            value: "us-east-2".into(),
            secret: false,
            source: VariableSource::Flag,
        },
        Value {
            name: "TICKET".into(),
            value: "CHG-1".into(),
            secret: false,
            source: VariableSource::Env,
        },
    ];
    h.walk(LAZY, opts(Mode::Rehearsal, false, false));
    // Step 3's failover is not run in a rehearsal, so HOST and TOKEN are never asked.
    let screen = h.ui.screen();
    let questions: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("? ") && !l.starts_with("? next"))
        .collect();
    assert!(questions.is_empty(), "{questions:?}");
    assert!(variable_sets(&h).is_empty());
}

#[test]
fn v_lists_the_variables_secrets_hidden_and_changes_one_with_a_log_event() {
    let mut h = Harness::new([
        Reply::Text("CHG-7".into()),
        Reply::Key('v'),
        Reply::Text("regoin".into()), // a typo: did-you-mean, nothing changed
        Reply::Key('v'),
        Reply::Text("region".into()),
        Reply::Text("us-east-1".into()),
        Reply::Enter, // step 1: run, with the new value
        Reply::Key('q'),
    ]);
    h.values = vec![Value {
        name: "TOKEN".into(),
        value: "s3cret".into(),
        secret: true,
        source: VariableSource::Flag,
    }];
    h.walk(LAZY, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    assert!(
        screen.contains("[variables REGION=NotSet HOST=NotSet TOKEN=Set { value: None, source: Flag } TICKET=Set { value: Some(\"CHG-7\"), source: Prompt }]"),
        "{screen}"
    );
    assert!(screen.contains("no variable `regoin`; did you mean `REGION`?"));
    assert!(screen.contains("Success: REGION set"));
    assert!(!screen.contains("s3cret"));
    assert_eq!(
        variable_sets(&h)[1],
        (
            "REGION".into(),
            VariableSource::Prompt,
            Some("us-east-1".into())
        )
    );
    assert!(
        h.runner.ran[0]
            .env
            .contains(&("REGION".into(), "us-east-1".into()))
    );
}

#[test]
fn i_shows_the_context_again_p_reprints_and_g_goes_to_a_step_by_title() {
    let mut h = Harness::new([
        Reply::Key('i'),
        Reply::Key('p'),
        Reply::Key('g'),
        Reply::Text("fial".into()), // a typo: did-you-mean, the walk stays
        Reply::Key('g'),
        Reply::Text("check".into()), // the step it is on: shown again, not reopened
        Reply::Key('g'),
        Reply::Text("find".into()),
        Reply::Key('q'),
    ]);
    h.values = vec![Value {
        name: "TICKET".into(),
        value: "CHG-1".into(),
        secret: false,
        source: VariableSource::Flag,
    }];
    h.walk(LAZY, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    assert_eq!(screen.matches("[context Failover]").count(), 2, "{screen}");
    assert_eq!(screen.matches("[step 1/3 Check]").count(), 3, "{screen}");
    assert!(screen.contains("[steps at 1: 1:InProgress 2:NotStarted 3:NotStarted]"));
    assert!(
        screen.contains("Warning: no step `fial`; did you mean step 3 `fail-over` (Fail over)?")
    );
    assert!(screen.contains("[step 2/3 Find the standby]"));
    assert_eq!(
        h.log
            .types()
            .iter()
            .filter(|t| *t == "step_started")
            .count(),
        2
    );
}

/// A walk of `RB` whose first command started and was then killed (SIGKILL): the log ends at its
/// `command_started`, with no `command_finished`.
fn killed_during_the_first_command() -> Harness {
    let mut h = Harness::new([Reply::Enter]);
    h.walk(RB, opts(Mode::Live, false, false));
    let started = h
        .log
        .types()
        .iter()
        .position(|t| t == "command_started")
        .unwrap();
    h.log.records.truncate(started + 1);
    h
}

#[test]
fn resume_yes_skips_a_command_whose_outcome_is_unknown_and_logs_why() {
    let mut h = killed_during_the_first_command();
    h.resume(RB, opts(Mode::Live, true, false));
    assert_eq!(h.ran(), ["check $NODE"], "not run a second time");
    assert!(h.log.events().contains(&&Event::CommandSkipped {
        step: 1,
        command: 1,
        reason: super::OUTCOME_UNKNOWN.into(),
        automatic: true,
    }));
}

#[test]
fn resume_asks_before_running_a_command_whose_outcome_is_unknown() {
    // Enter at the menu, "no": not run, back at the menu; Enter asks again, and "yes" runs it.
    let mut h = killed_during_the_first_command();
    h.ui.replies = [Reply::Enter, Reply::No, Reply::Enter, Reply::Yes].into();
    h.resume(RB, opts(Mode::Live, false, false));
    let asked: Vec<&String> =
        h.ui.transcript
            .iter()
            .filter(|l| l.contains("outcome is unknown (the walk was killed): run it again?"))
            .collect();
    assert_eq!(asked.len(), 2, "{:#?}", h.ui.transcript);
    assert!(
        asked[0].starts_with("? `check $NODE` was started at "),
        "{}",
        asked[0]
    );
    assert_eq!(h.ran(), ["check $NODE", "check $NODE"]);
    assert!(!h.log.types().contains(&"command_skipped".to_string()));
}

#[test]
fn the_durability_check_names_an_action_that_found_events_not_committed() {
    use crate::walk::scripted::{Port, durability_breaches};
    let committed = [
        Port::Append("step_started".into()),
        Port::Commit,
        Port::Action("command"),
    ];
    assert!(durability_breaches(&committed).is_empty());
    let late = [
        Port::Append("step_started".into()),
        Port::Action("command"),
        Port::Append("command_finished".into()),
    ];
    assert_eq!(
        durability_breaches(&late),
        [
            "command after uncommitted [\"step_started\"]",
            "walk ended with uncommitted [\"step_started\", \"command_finished\"]"
        ]
    );
}

#[test]
fn a_walk_with_yes_syncs_once_per_step_of_one_command_and_once_at_the_end() {
    use crate::walk::scripted::Port;
    let mut h = Harness::new([]);
    let text = "# R\n\n## One\n```bash\ntrue\n```\n\n## Two\n```bash\ntrue\n```\n";
    h.walk(text, opts(Mode::Live, true, false));
    assert_eq!(h.ran(), ["true", "true"]);
    let commits = h.journal.iter().filter(|p| **p == Port::Commit).count();
    assert_eq!(commits, 3, "{:#?}", h.journal);
}

#[test]
fn an_introduction_is_shown_first_and_one_with_commands_is_walked_as_step_one() {
    let text_only = "# Swap SBC\n\nCalls drop for 20 s.\n\n## Swap\n```bash\nswap\n```\n";
    let mut h = Harness::new([]);
    h.walk(text_only, opts(Mode::Live, true, false));
    let screen = h.ui.screen();
    let context = screen.find("[context Swap SBC]").expect(&screen);
    assert!(context < screen.find("[step 1/1 Swap]").expect(&screen));

    let with_commands = "# Swap SBC\n\nLog in first:\n\n```bash\naws sso login\n```\n\n## Swap\n```bash\nswap\n```\n";
    let mut h = Harness::new([]);
    let ending = h.walk(with_commands, opts(Mode::Live, true, false));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    let screen = h.ui.screen();
    assert!(screen.contains("[step 1/2 Introduction]"), "{screen}");
    assert!(!screen.contains("[context"), "{screen}");
    assert_eq!(h.ran(), ["aws sso login", "swap"]);
}

/// A placeholder and an interactive command in one block: one command each.
const PLACEHOLDERS: &str = "# P

## Verify
```bash
# Verify the hand-off
rmht verify <HO-ID> --name '<HO-ID>'
ssh bastion
```
";

#[test]
fn a_placeholder_is_asked_when_first_needed_and_its_value_runs_in_its_place() {
    let mut h = Harness::new([
        Reply::Enter,
        Reply::Text("ho 1'x".into()),
        Reply::Enter,
        Reply::Key('q'),
    ]);
    h.walk(PLACEHOLDERS, opts(Mode::Live, false, false));
    let first = &h.runner.ran[0];
    assert_eq!(first.code, r"rmht verify 'ho 1'\''x' --name 'ho 1'\''x'");
    assert!(!first.interactive);
    // The second statement needs the keyboard: it gets it.
    assert!(h.runner.ran[1].interactive, "{:?}", h.runner.ran);
    let started = h.log.events().into_iter().find_map(|e| match e {
        Event::CommandStarted {
            code, placeholders, ..
        } => Some((code.clone(), placeholders.clone())),
        _ => None,
    });
    let (code, filled) = started.unwrap();
    assert_eq!(code, "rmht verify <HO-ID> --name '<HO-ID>'");
    assert_eq!(filled.len(), 2);
    assert_eq!(filled[0].variable, "HO_ID");
    assert_eq!(filled[0].value.as_deref(), Some("ho 1'x"));
    // What bash makes of it (one argument, no file `HO-ID` read or made) is checked through
    // the binary: tests/integration/run.rs.
}

#[test]
fn a_command_with_an_unfilled_placeholder_never_runs() {
    // Nobody there to give the value (--yes): the command is skipped, logged, never run.
    let mut h = Harness::new([]);
    h.walk(PLACEHOLDERS, opts(Mode::Live, true, false));
    assert!(
        h.runner.ran.iter().all(|s| !s.code.contains("rmht")),
        "{:?}",
        h.runner.ran
    );
    let skipped = h.log.events().into_iter().find_map(|e| match e {
        Event::CommandSkipped {
            command: 1, reason, ..
        } => Some(reason.clone()),
        _ => None,
    });
    assert!(
        skipped.as_deref().is_some_and(|r| r.contains("`<HO-ID>`")),
        "{skipped:?}\n{}",
        h.ui.screen()
    );
}

#[test]
fn a_back_dated_milestone_keeps_the_time_claimed_and_a_future_one_is_asked_again() {
    // The operator's zone is 5h30 ahead of UTC: the walk starts at 08:30 local (03:00Z).
    let mut h = Harness::new([
        Reply::Key('n'),
        Reply::Key('m'),
        Reply::Text("at 09:00: failover done".into()),
        // Asked again after the error, the text as typed offered: mended.
        Reply::Text("at 08:20: failover done".into()),
        Reply::Key('n'),
        Reply::Key('t'),
        Reply::Text("-1h30m".into()),
        Reply::Key('n'),
        Reply::Key('n'),
        Reply::Text("at least 3 nodes were down".into()),
        Reply::Key('q'),
    ]);
    h.clock.offset = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    h.walk(RB, opts(Mode::Live, false, false));
    let notes: Vec<(NoteKind, &str, Option<&str>)> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Note { kind, text, at, .. } => Some((*kind, text.as_str(), at.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [
            (
                NoteKind::Mitigated,
                "failover done",
                Some("2026-11-22T02:50:00.000Z")
            ),
            // Only a time: it stays the text.
            (
                NoteKind::Detected,
                "-1h30m",
                Some("2026-11-22T01:30:05.000Z")
            ),
            (NoteKind::Note, "at least 3 nodes were down", None),
        ]
    );
    let refused =
        h.ui.transcript
            .iter()
            .find(|l| l.contains("in the future"))
            .expect("the future time is refused at the prompt");
    assert!(refused.contains("`at 09:00`"), "{refused}");
    // Said back in the operator's zone.
    assert!(
        h.ui.transcript
            .iter()
            .any(|l| l.contains("mitigated recorded as at 08:20")),
        "{:#?}",
        h.ui.transcript
    );
    // Every claimed time is before the line that records it.
    for r in &h.log.records {
        if let Event::Note { at: Some(at), .. } = &r.event {
            assert!(at.as_str() <= r.ts.as_str(), "{at} after {}", r.ts);
        }
    }
}
