//! What the operator approves is what runs, and every approval, refusal, override and edit is on
//! the log before what follows it; reopened steps tell their past; statuses match the log.

use super::Ending;
use super::ports::{CommandOutcome, GuardAlarm};
use super::screen::RowStatus;
use super::scripted::{Harness, RB, Reply, ScriptedMetrics, ScriptedRunner, WATCHED, opts};
use crate::event::{AlarmInfo, ApprovalHow, Event, Mode, StepStatus};

/// One step: a two-line `confirm` command reading a variable and a secret, in a `cwd`.
const CONFIRM: &str = "# C

## Drain
```bash {confirm whole cwd=/srv/$NODE timeout=2m}
drain \"sip:$NODE\" --token \"$TOKEN\"
echo drained $NODE
```
";

/// One step: a `danger` command.
const DANGER: &str = "# D

## Restart
```bash {danger name=restart-fs}
restart $NODE
```
";

fn interrupted() -> CommandOutcome {
    CommandOutcome {
        exit_code: None,
        signal: Some("SIGINT".into()),
        interrupted: true,
        duration_ms: 300,
        ..CommandOutcome::default()
    }
}

fn approvals(h: &Harness) -> Vec<(u32, ApprovalHow)> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandApproved { attempt, how, .. } => Some((*attempt, *how)),
            _ => None,
        })
        .collect()
}

fn refusals(h: &Harness) -> Vec<String> {
    h.log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandRefused { answer, .. } => Some(answer.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn confirm_shows_the_whole_command_resolved_and_the_approval_is_logged_before_the_start() {
    let mut h = Harness::new([Reply::Enter, Reply::Yes, Reply::Key('q')]);
    h.walk(CONFIRM, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    assert!(
        screen.contains(
            "[approve step 1 command 1: drain \"sip:fs-1\" --token \"[secret TOKEN]\"\necho drained fs-1]"
        ),
        "{screen}"
    );
    assert!(!screen.contains("s3cret"), "{screen}");
    assert!(screen.contains("? Run command 1 as shown?"), "{screen}");
    let types = h.log.types();
    let at = types.iter().position(|t| t == "command_approved").unwrap();
    assert_eq!(types[at + 1], "command_started");
    let approved = h.log.events()[at].clone();
    let code = "drain \"sip:$NODE\" --token \"$TOKEN\"\necho drained $NODE\n";
    assert_eq!(
        approved,
        Event::CommandApproved {
            step: 1,
            command: 1,
            attempt: 1,
            how: ApprovalHow::Key,
            code_sha256: crate::digest::sha256_hex(code.as_bytes()),
        }
    );
    // What was approved is what ran: the code as written, the variables in its environment.
    assert_eq!(h.runner.ran[0].code, code);
}

#[test]
fn a_refusal_is_logged_with_what_was_answered_secrets_redacted() {
    let mut h = Harness::new([
        Reply::Enter,
        Reply::No,
        Reply::Enter,
        Reply::Cancel,
        Reply::Key('q'),
    ]);
    h.walk(CONFIRM, opts(Mode::Live, false, false));
    assert_eq!(refusals(&h), ["n", ""]);
    assert!(h.ran().is_empty());

    let mut h = Harness::new([
        Reply::Enter,
        Reply::Text("yes s3cret".into()),
        Reply::Key('q'),
    ]);
    h.walk(DANGER, opts(Mode::Live, false, false));
    assert_eq!(refusals(&h), ["yes [REDACTED]"]);
    assert!(h.ran().is_empty());
    assert!(!h.log.types().contains(&"command_approved".to_string()));
}

#[test]
fn every_retry_of_a_confirm_or_danger_command_asks_again_also_after_ctrl_c() {
    // confirm: stopped by Ctrl-C, retried: asked again; declined the second time.
    let mut h = Harness::new([
        Reply::Enter,
        Reply::Yes,
        Reply::Key('r'),
        Reply::No,
        Reply::Key('q'),
    ]);
    h.runner = ScriptedRunner::default().on("drain", [interrupted()]);
    h.walk(CONFIRM, opts(Mode::Live, false, false));
    assert_eq!(h.ran().len(), 1);
    assert_eq!(approvals(&h), [(1, ApprovalHow::Key)]);
    let refused: Vec<u32> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandRefused { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(refused, [2]);

    // danger: `yes` typed again for the retry, and the prompt says which attempt it is.
    let mut h = Harness::new([
        Reply::Enter,
        Reply::Text("yes".into()),
        Reply::Key('r'),
        Reply::Text("yes".into()),
        Reply::Key('q'),
    ]);
    h.runner = ScriptedRunner::default().on("restart", [interrupted()]);
    h.walk(DANGER, opts(Mode::Live, false, false));
    assert_eq!(h.ran().len(), 2);
    assert_eq!(
        approvals(&h),
        [(1, ApprovalHow::TypedYes), (2, ApprovalHow::TypedYes)]
    );
    let asked =
        h.ui.transcript
            .iter()
            .filter(|l| l.starts_with("? DANGER: type `yes`"))
            .count();
    assert_eq!(asked, 2);
}

#[test]
fn flags_approve_unattended_and_say_so() {
    let mut h = Harness::new([Reply::Yes]);
    h.walk(RB, opts(Mode::Live, true, true));
    assert_eq!(
        approvals(&h),
        [
            (1, ApprovalHow::YesFlag),
            (1, ApprovalHow::Key),
            (1, ApprovalHow::AllowDangerFlag)
        ]
    );
}

#[test]
fn going_on_while_a_guard_alarm_fires_is_logged_before_the_command_starts() {
    let alarm = GuardAlarm {
        region: "eu-west-2".into(),
        alarm: AlarmInfo {
            name: "freeswitch-calls-failing".into(),
            state: crate::runbook::AlarmState::Alarm,
            reason: "threshold crossed".into(),
            since: None,
        },
    };
    let mut h = Harness::new([Reply::Enter, Reply::Yes, Reply::Key('q')]);
    h.metrics = Some(ScriptedMetrics::default().guard(vec![alarm]));
    h.walk(WATCHED, opts(Mode::Live, false, false));
    let types = h.log.types();
    let at = types.iter().position(|t| t == "guard_override").unwrap();
    assert_eq!(
        &types[at - 1..at + 3],
        [
            "guard_alarm",
            "guard_override",
            "command_approved",
            "command_started"
        ]
    );
    assert_eq!(
        h.log.events()[at],
        &Event::GuardOverride {
            region: "eu-west-2".into(),
            alarm: "freeswitch-calls-failing".into(),
            state: crate::runbook::AlarmState::Alarm,
        }
    );
}

#[test]
fn an_edit_is_logged_then_approved_then_run() {
    const PLAIN: &str = "# P\n\n## Look\n```bash\necho $NODE\n```\n";
    let mut h = Harness::new([Reply::Key('e'), Reply::Yes, Reply::Key('q')]);
    h.editor
        .edits
        .push_back(Ok(Some("echo edited $NODE s3cret".into())));
    h.walk(PLAIN, opts(Mode::Live, false, false));
    assert_eq!(h.editor.opened, ["echo $NODE\n"]);
    // The edit runs (with the runbook's final newline), after a confirmation a plain command
    // would not need.
    assert_eq!(h.runner.ran[0].code, "echo edited $NODE s3cret\n");
    // A secret value typed into the edit is not put back on the screen either.
    assert!(
        h.ui.screen()
            .contains("[approve step 1 command 1 edited: echo edited fs-1 [REDACTED]]"),
        "{}",
        h.ui.screen()
    );
    let types = h.log.types();
    let at = types.iter().position(|t| t == "command_edited").unwrap();
    assert_eq!(
        &types[at..at + 3],
        ["command_edited", "command_approved", "command_started"]
    );
    let events = h.log.events();
    assert_eq!(
        events[at],
        &Event::CommandEdited {
            step: 1,
            command: 1,
            original_sha256: crate::digest::sha256_hex(b"echo $NODE\n"),
            original: "echo $NODE\n".into(),
            code: "echo edited $NODE [REDACTED]\n".into(),
        }
    );
    assert!(matches!(
        events[at + 1],
        Event::CommandApproved { code_sha256, .. }
            if *code_sha256 == crate::digest::sha256_hex(b"echo edited $NODE s3cret\n")
    ));
    assert!(matches!(
        events[at + 2],
        Event::CommandStarted { code, .. } if code == "echo edited $NODE [REDACTED]\n"
    ));
}

#[test]
fn an_edited_danger_command_still_needs_yes_and_a_failed_editor_changes_nothing() {
    let mut h = Harness::new([
        Reply::Key('e'),
        Reply::Key('e'),
        Reply::Text("y".into()),
        Reply::Enter,
        Reply::Text("yes".into()),
        Reply::Key('q'),
    ]);
    h.editor.edits.extend([
        Err("`vim` ended with exit status: 1; the command is unchanged".into()),
        Ok(Some("restart $NODE --force\n".into())),
    ]);
    h.walk(DANGER, opts(Mode::Live, false, false));
    assert!(
        h.ui.screen()
            .contains("command 1 not edited: `vim` ended with exit status: 1")
    );
    assert_eq!(h.ran(), ["restart $NODE --force"]);
    assert_eq!(refusals(&h), ["y"]);
    assert_eq!(approvals(&h), [(1, ApprovalHow::TypedYes)]);
    assert_eq!(
        h.log
            .types()
            .iter()
            .filter(|t| *t == "command_edited")
            .count(),
        1
    );
}

#[test]
fn a_step_whose_danger_command_ran_is_not_skipped_and_the_summary_matches_the_log() {
    let mut h = Harness::new([
        Reply::Enter,              // step 1: run check
        Reply::Enter,              // step 2: drain (confirm)
        Reply::Yes,                //
        Reply::Key('d'),           // checklist item 1
        Reply::Enter,              // restart (danger)
        Reply::Text("yes".into()), //
        Reply::Key('s'),           // skip the rest of step 2
        Reply::Text("verified by the NOC".into()),
        Reply::Key('s'), // skip step 3 outright
        Reply::Text("no dashboard access".into()),
    ]);
    let ending = h.walk(RB, opts(Mode::Live, false, false));
    assert_eq!(ending, Ending::Finished { failed: 0 });
    let finished: Vec<(usize, StepStatus, Option<String>)> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::StepFinished {
                step,
                status,
                reason,
                ..
            } => Some((*step, *status, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        [
            (1, StepStatus::Done, None),
            (
                2,
                StepStatus::Done,
                Some(
                    "its `danger` command ran; other items were skipped: verified by the NOC"
                        .into()
                )
            ),
            (3, StepStatus::Skipped, Some("no dashboard access".into())),
        ]
    );
    let summary = h.summary.clone().unwrap();
    let rows: Vec<(usize, RowStatus)> = summary.rows.iter().map(|r| (r.step, r.status)).collect();
    let logged: Vec<(usize, RowStatus)> = finished
        .iter()
        .map(|(s, st, _)| (*s, RowStatus::Finished(*st)))
        .collect();
    assert_eq!(rows, logged);
    assert!(h.log.events().contains(&&Event::SessionFinished {
        done: 2,
        skipped: 1,
        failed: 0,
        rehearsed: 0
    }));
}

#[test]
fn a_reopened_step_shows_how_its_commands_ended_before_asking() {
    let mut h = Harness::new([
        Reply::Enter,    // step 1: run check
        Reply::Key('b'), // back from step 2
        Reply::Key('q'),
    ]);
    h.walk(RB, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    let earlier = screen
        .lines()
        .find(|l| l.starts_with("[earlier"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        earlier.starts_with("[earlier 1: Ran { exit_code: Some(0), signal: None, success: true"),
        "{earlier}"
    );
    // Shown after the step and before its menu.
    let step_at = screen.rfind("[step 1/3 Check]").unwrap();
    let earlier_at = screen.rfind("[earlier").unwrap();
    let menu_at = screen.rfind("? next: Some(Command(1))").unwrap();
    assert!(step_at < earlier_at && earlier_at < menu_at, "{screen}");
}

#[test]
fn an_edit_that_keeps_a_placeholder_is_not_run() {
    const PLACEHOLDER: &str = "# P\n\n## Look\n```bash\nrmht verify <HO-ID>\n```\n";
    let mut h = Harness::new([Reply::Key('e'), Reply::Text("ho-1".into()), Reply::Key('q')]);
    h.editor
        .edits
        .push_back(Ok(Some("rmht verify --all <HO-ID>".into())));
    h.walk(PLACEHOLDER, opts(Mode::Live, false, false));
    assert!(h.runner.ran.is_empty(), "{:?}", h.runner.ran);
    assert!(
        h.ui.screen()
            .contains("the edited command still holds placeholder `<HO-ID>`"),
        "{}",
        h.ui.screen()
    );
}
