//! The walk's screens as the terminal lays them out: the same scripted walks as the engine's
//! tests, written down by [`render`] instead of in brief.

use std::time::Duration;

use super::{Paint, help, render, summary_table};
use crate::event::{AlarmInfo, LookupErrorKind, Mode, StepStatus};
use crate::walk::actions::Action;
use crate::walk::ports::{CommandOutcome, GuardAlarm, LookupError};
use crate::walk::screen::{RowStatus, Screen, Summary, SummaryRow};
use crate::walk::scripted::{
    Harness, RB, Reply, ScriptedMetrics, ScriptedRunner, WATCHED, opts, points,
};

fn plain(screen: &Screen<'_>) -> String {
    render(screen, Paint { enabled: false }, None)
}

fn harness(replies: impl IntoIterator<Item = Reply>) -> Harness {
    let mut h = Harness::new(replies);
    h.ui.render = plain;
    h
}

#[test]
fn a_step_shows_its_place_title_and_header() {
    let mut h = harness([Reply::Enter, Reply::Key('r'), Reply::Key('q')]);
    h.runner = ScriptedRunner::default().on("check", [ScriptedRunner::exit(1)]);
    h.walk(RB, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    assert!(
        screen.contains("── Step 1/3 · 0 done · T+00:02  Check  [check]"),
        "{screen}"
    );
    assert!(screen.contains("mode live · incident INC-1 · operator alice"));
    assert!(
        screen.contains("✘ command 1 failed: exit 1 in 5ms"),
        "{screen}"
    );
    assert!(screen.contains("✔ command 1 exit 0 in 5ms"), "{screen}");
}

#[test]
fn lookups_show_one_table_per_lookup_with_verdicts_and_errors() {
    let mut h = harness([]);
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
    let mut o = opts(Mode::Live, true, false);
    o.regions = vec!["eu-west-2".into()];
    h.walk(WATCHED, o);
    let screen = h.ui.screen();
    assert!(screen.contains("5xx on the voice API"), "{screen}");
    assert!(screen.contains("BREACH"));
    assert!(screen.contains("access denied in eu-west-2"));
    // Periods and windows in the one spelling of durations.
    assert!(screen.contains("Sum · 1m over 30m"), "{screen}");
}

#[test]
fn a_guard_alarm_is_a_banner() {
    let alarm = GuardAlarm {
        region: "eu-west-2".into(),
        alarm: AlarmInfo {
            name: "freeswitch-calls-failing".into(),
            state: crate::runbook::AlarmState::Alarm,
            reason: "threshold crossed".into(),
            since: None,
        },
    };
    let mut h = harness([Reply::Enter, Reply::No, Reply::Enter, Reply::Key('q')]);
    h.metrics = Some(ScriptedMetrics::default().guard(vec![alarm]));
    h.walk(WATCHED, opts(Mode::Live, false, false));
    assert!(
        h.ui.screen()
            .contains("GUARD ALARM freeswitch-calls-failing in eu-west-2")
    );
}

#[test]
fn help_lists_every_action_from_the_walks_table() {
    let text = help();
    assert_eq!(text.lines().count(), Action::ALL.len());
    for action in Action::ALL {
        let line = format!("  {}  {}", action.key(), action.help());
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    assert_eq!(plain(&Screen::Help), text);
}

#[test]
fn outcomes_and_summaries_spell_durations_one_way() {
    let outcome = CommandOutcome {
        exit_code: Some(0),
        duration_ms: 400,
        ..CommandOutcome::default()
    };
    let shown = plain(&Screen::Outcome {
        command: 2,
        outcome: &outcome,
        success: true,
    });
    assert_eq!(shown, "  ✔ command 2 exit 0 in 400ms");
    let summary = Summary {
        rows: vec![
            SummaryRow {
                step: 1,
                title: "Check".into(),
                status: RowStatus::Finished(StepStatus::Done),
                duration: Some(Duration::from_secs(185)),
            },
            SummaryRow {
                step: 2,
                title: "Drain".into(),
                status: RowStatus::Finished(StepStatus::Skipped),
                duration: Some(Duration::from_millis(400)),
            },
            SummaryRow {
                step: 3,
                title: "Verify".into(),
                status: RowStatus::NotStarted,
                duration: None,
            },
        ],
    };
    assert_eq!(
        summary_table(&summary),
        "STEP  STATUS       DURATION  TITLE\n   1  done            3m05s  Check\n   2  skipped         400ms  Drain\n   3  not started         -  Verify\n"
    );
}

#[test]
fn the_step_header_counts_settled_steps_and_the_time_since_the_start() {
    let mut h = harness([
        Reply::Enter,
        Reply::Key('s'),
        Reply::Text("done by the NOC".into()),
        Reply::Key('q'),
    ]);
    h.walk(RB, opts(Mode::Live, false, false));
    let screen = h.ui.screen();
    assert!(
        screen.contains("── Step 3/3 · 1 done · 1 skipped · T+00:"),
        "{screen}"
    );
}

#[test]
fn context_steps_and_variables_are_laid_out_for_reading() {
    use crate::event::VariableSource;
    use crate::walk::screen::{VariableRow, VariableState};
    let rb = crate::markdown::parse(
        "rb.md",
        "---\ndescription: Writes fail for 30-60 s.\n---\n# Failover\n\nWork from the **bastion**.\n\n```text\nssh bastion\n```\n\n## Check\nx\n\n## Fail over\ny\n",
    )
    .runbook;
    assert_eq!(
        plain(&Screen::Context { runbook: &rb }),
        "\n── About this runbook\n\nWrites fail for 30-60 s.\n\nWork from the bastion.\n    │ ssh bastion\n"
    );
    let rows = [
        SummaryRow {
            step: 1,
            title: "Check".into(),
            status: RowStatus::Finished(StepStatus::Done),
            duration: None,
        },
        SummaryRow {
            step: 2,
            title: "Fail over".into(),
            status: RowStatus::InProgress,
            duration: None,
        },
    ];
    assert_eq!(
        plain(&Screen::Steps {
            runbook: &rb,
            rows: &rows,
            current: 2
        }),
        "\n    1 ✔ Check  [check] done\n  → 2 ▸ Fail over  [fail-over] in progress\n"
    );
    let vars = [
        VariableRow {
            name: "HOST",
            description: Some("the standby"),
            secret: false,
            state: VariableState::Set {
                value: Some("db-2"),
                source: VariableSource::Prompt,
            },
        },
        VariableRow {
            name: "TOKEN",
            description: None,
            secret: true,
            state: VariableState::Set {
                value: None,
                source: VariableSource::Flag,
            },
        },
        VariableRow {
            name: "TICKET",
            description: None,
            secret: false,
            state: VariableState::NotSet,
        },
    ];
    assert_eq!(
        plain(&Screen::Variables { rows: &vars }),
        "\n  HOST    db-2  (prompt)  — the standby\n  TOKEN   [secret, hidden]  (flag)\n  TICKET  (not asked yet: asked when a command needs it)\n"
    );
}

#[test]
fn checklist_items_show_and_log_their_nested_numbers() {
    use crate::event::Event;
    use crate::walk::screen::Question;
    let rb = "# R\n\n## Drain\n1. Drain the proxies\n   - [ ] opensips-1\n   - [ ] opensips-2\n2. Tell #voice\n";
    let mut h = harness(std::iter::repeat_n(Reply::Enter, 5));
    h.walk(rb, opts(Mode::Live, false, false));
    let parsed = crate::markdown::parse("rb.md", rb).runbook;
    let step = &parsed.steps[0];
    let next = |n| {
        let item = Some(crate::walk::items::Item::Check(n));
        super::question(&Question::NextItem { step, item }, Paint { enabled: false })
    };
    assert_eq!(next(3), "next: · [1.2] opensips-2");
    assert_eq!(next(4), "next: · [2] Tell #voice");
    let numbers: Vec<Option<&str>> = h
        .log
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::ChecklistItem { number, .. } => Some(number.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(numbers, [Some("1"), Some("1.1"), Some("1.2"), Some("2")]);
}

#[test]
fn the_sharing_note_follows_the_place_in_every_step_header() {
    use crate::walk::screen::Tally;
    let rb = crate::markdown::parse("rb.md", "# Failover\n\n## Check\nx\n").runbook;
    let progress = crate::walk::state::StepProgress::default();
    let screen = Screen::Step {
        step: &rb.steps[0],
        total: 1,
        elapsed: Duration::from_secs(252),
        progress: &progress,
        tally: Tally::default(),
        mode: Mode::Live,
    };
    let paint = Paint { enabled: false };
    let noted = render::render_noted(&screen, paint, None, Some("offline since 14:02"));
    let first = noted.lines().nth(1).unwrap_or_default();
    assert!(
        first.starts_with("── Step 1/1 · 0 done · T+04:12 · offline since 14:02  Check"),
        "{first}"
    );
    // Without a note (a walk that does not share), the header is as it always was.
    assert!(!plain(&screen).contains(" · offline"), "{}", plain(&screen));
}
