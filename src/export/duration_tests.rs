//! Exports of walks made on the scripted ports: a step's duration has one definition (the walk's
//! own summary, the export's step table and `compare` agree, for a walk with back, jump, a pause
//! and a resume), and an edited command shows both the runbook's text and the edit.

use super::compare::{Run, compare, render};
use super::model::{LoadedLog, build};
use super::report::span;
use crate::event::Mode;
use crate::incident_log::ExistingLog;
use crate::walk::scripted::{Harness, RB, Reply, opts};

fn timeline(h: &Harness) -> super::Timeline {
    let records = h.log.records.clone();
    build(vec![LoadedLog {
        path: "rb.jsonl".into(),
        log: ExistingLog {
            lines: records.len(),
            records,
            valid_len: 0,
            last_line_hash: String::new(),
            torn_tail: None,
            problem: None,
        },
    }])
}

#[test]
fn every_format_shows_the_runbooks_text_and_the_edit_and_a_typed_yes() {
    const DANGER: &str = "# D\n\n## Restart\n```bash {danger}\nrestart $NODE\n```\n";
    let mut h = Harness::new([Reply::Key('e'), Reply::Text("yes".into())]);
    h.editor
        .edits
        .push_back(Ok(Some("restart $NODE --gently\n".into())));
    h.walk(DANGER, opts(Mode::Live, false, false));
    let t = timeline(&h);
    let md = super::markdown::render(&t);
    assert!(md.contains("### Step 1, command 1 (edited)"), "{md}");
    assert!(md.contains("approved by typing `yes`."), "{md}");
    assert!(md.contains("approved by typing yes;"), "{md}");
    assert!(md.contains("```sh\nrestart $NODE --gently\n```"), "{md}");
    assert!(
        md.contains("Edited by the operator before it ran; the runbook's text was:\n\n```sh\nrestart $NODE\n```"),
        "{md}"
    );
    let html = super::html::render(&t);
    assert!(html.contains("restart $NODE --gently"), "{html}");
    assert!(
        html.contains("the runbook&#39;s text was:") || html.contains("the runbook's text was:")
    );
    let json = super::json::render(&t);
    assert!(json.contains("\"edited\": "), "{json}");
    assert!(json.contains("\"type\": \"command_edited\""), "{json}");
    let text = super::terminal::render(&t, crate::terminal::Paint { enabled: false });
    assert!(
        text.contains("edited before running: restart $NODE --gently"),
        "{text}"
    );
}

#[test]
fn walk_summary_export_and_compare_agree_on_step_durations() {
    let mut h = Harness::new([
        Reply::Enter,    // step 1: run check
        Reply::Key('n'), // a note takes time in step 2
        Reply::Key('n'),
        Reply::Text("slow".into()),
        Reply::Key('b'), // back to step 1
        Reply::Key('d'), // step 1 again: done by hand
        Reply::Key('j'), // jump to step 3
        Reply::Text("3".into()),
        Reply::Key('q'), // pause in step 3
    ]);
    h.walk(RB, opts(Mode::Live, false, false));
    h.ui.replies.extend([
        Reply::Key('d'), // step 2, resumed: drain done by hand
        Reply::Key('d'), // checklist 1
        Reply::Key('s'), // skip the rest
        Reply::Text("later".into()),
        Reply::Key('d'), // step 3: manual block
    ]);
    let ending = h.resume(RB, opts(Mode::Live, false, false));
    assert_eq!(ending, crate::walk::Ending::Finished { failed: 0 });
    assert_eq!(
        h.log
            .types()
            .iter()
            .filter(|t| *t == "step_started")
            .count(),
        7
    );
    let walk: Vec<Option<i64>> = h
        .summary
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.duration.map(|d| d.as_millis() as i64))
        .collect();
    // The scripted clock moves one second per reading: every step has some time, step 1 two visits.
    assert!(walk.iter().all(|d| d.is_some_and(|ms| ms > 0)), "{walk:?}");

    let timeline = timeline(&h);
    let exported: Vec<Option<i64>> = timeline.steps.iter().map(|s| s.duration_ms).collect();
    assert_eq!(exported, walk);

    let runs = [Run {
        label: "before.jsonl",
        timeline: &timeline,
    }];
    let compared: Vec<Option<i64>> = compare(&timeline, &runs)
        .iter()
        .map(|row| row.now.duration_ms)
        .collect();
    assert_eq!(compared, walk);
    let text = render("rb.jsonl", &timeline, &runs);
    for ms in walk.into_iter().flatten() {
        assert!(text.contains(&span(ms)), "{} in {text}", span(ms));
    }
}

#[test]
fn a_milestone_claimed_before_its_measuring_point_is_not_a_negative_time() {
    use super::report::time_taken;
    assert_eq!(time_taken(None), "not recorded");
    assert_eq!(time_taken(Some(0)), span(0));
    assert_eq!(
        time_taken(Some(-671_000)),
        "none measurable: claimed 11m11s before the point it is measured from"
    );
}
