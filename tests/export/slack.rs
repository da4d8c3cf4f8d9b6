//! `export --format slack`: the summary stays within a Slack message's 4,000 characters however
//! large the incident, cuts lists between lines with a count, and escapes what Slack reads.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use runbook::event::{Event, Mode, NoteKind, StepStatus};
use runbook::export::{self, Format};

use crate::logs::{
    Builder, back_dated, note, runbook as runbook_ref, started, step_finished, step_started,
};

const STEPS: [(&str, &str); 2] = [("check", "Check the widget"), ("drain", "Drain the node")];

/// A log of `notes` (kind, text, operator), one a minute, then the session's end.
fn incident(dir: &std::path::Path, notes: &[(NoteKind, String, String)]) -> export::Timeline {
    let mut b = Builder::new(dir, "5aac0000", "alice");
    b.at(0.0)
        .ev(started(
            runbook_ref("Widget <5xx> & storm", &STEPS),
            Mode::Live,
            "ops-1",
            Some("INC-9"),
        ))
        .at(1.0)
        .ev(step_started(1, &STEPS))
        .ev(step_finished(1, &STEPS, StepStatus::Done, None));
    for (i, (kind, text, operator)) in notes.iter().enumerate() {
        b.as_op(operator)
            .at(60.0 * (i as f64 + 1.0))
            .ev(note(*kind, text, None));
    }
    let path = b.finish(dir, "slack.jsonl");
    export::build(vec![export::load_log(&path).expect("load log")]).expect("exportable")
}

fn kind() -> impl Strategy<Value = NoteKind> {
    prop::sample::select(NoteKind::ALL.to_vec())
}

pub fn slack_summaries_fit_a_message_whatever_the_incident() {
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = prop::collection::vec((kind(), "[a-z<>&* ]{0,400}", "[a-z]{1,30}"), 0..200);
    let result = runner.run(&strategy, |notes| {
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("dir");
        let t = incident(dir.path(), &notes);
        let text = export::render(&t, Format::Slack);
        prop_assert!(
            text.chars().count() <= 4_000,
            "{} chars",
            text.chars().count()
        );
        prop_assert!(!text.contains('<') && !text.contains('>'), "{text}");
        // Every list item is whole: a note cut short ends in `…` only by its own one-line cut.
        let listed = text.lines().filter(|l| l.starts_with("• ")).count();
        let wanted = notes
            .iter()
            .filter(|(k, _, _)| {
                !matches!(
                    k,
                    NoteKind::Note | NoteKind::Observation | NoteKind::Hypothesis
                )
            })
            .count();
        let more: usize = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("• … and ")?
                    .strip_suffix(" more")?
                    .parse::<usize>()
                    .ok()
            })
            .sum();
        let cut_lines = text.lines().filter(|l| l.starts_with("• … and ")).count();
        prop_assert_eq!(listed - cut_lines + more, wanted, "{}", text);
        let json: serde_json::Value =
            serde_json::from_str(&export::render(&t, Format::SlackJson)).expect("payload is JSON");
        prop_assert_eq!(json["text"].as_str().map(|s| format!("{s}\n")), Some(text));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

pub fn slack_summary_of_an_incident_with_back_dated_milestones() {
    let dir = tempfile::tempdir().expect("dir");
    let mut b = Builder::new(dir.path(), "5aac0001", "alice");
    b.at(0.0)
        .ev(started(
            runbook_ref("Widget 5xx storm", &STEPS),
            Mode::Live,
            "ops-1",
            Some("INC-9"),
        ))
        .at(1.0)
        .ev(step_started(1, &STEPS))
        .at(100.0)
        .ev(step_finished(
            1,
            &STEPS,
            StepStatus::Failed,
            Some("health check <timeout>"),
        ))
        .ev(step_started(2, &STEPS))
        .at(200.0)
        .ev(step_finished(
            2,
            &STEPS,
            StepStatus::Skipped,
            Some("drained already"),
        ))
        .at(600.0)
        .ev(back_dated(NoteKind::Detected, "pager fired", 60))
        .as_op("bob")
        .at(650.0)
        .ev(note(
            NoteKind::Decision,
            "fail over to eu-west-2 & page <!here>",
            None,
        ))
        .at(720.0)
        .ev(back_dated(NoteKind::Mitigated, "failover done", 300))
        .at(900.0)
        .ev(note(NoteKind::Resolved, "error rate normal", None))
        .at(901.0)
        .ev(Event::SessionFinished {
            done: 0,
            skipped: 1,
            failed: 1,
            rehearsed: 0,
        });
    let path = b.finish(dir.path(), "inc.jsonl");
    let t = export::build(vec![export::load_log(&path).expect("load log")]).expect("exportable");
    insta::assert_snapshot!("slack_summary", export::render(&t, Format::Slack));
}
