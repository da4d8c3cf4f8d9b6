//! Merging logs that share events: one log given twice, a log and its resumed copy, and two
//! copies resumed separately (a fork) count every shared event once.

use super::model::{LoadedLog, StepState, Timeline, build};
use crate::event::{Event, Record, StepStatus};
use crate::incident_log::ExistingLog;

/// One line of a hand-made chain: `seq`, seconds after the start, session, event. Each line's
/// hash is named by its branch and `seq`, so lines of one branch match and of two do not.
struct Line(u64, i64, &'static str, Event);

fn ts(secs: i64) -> String {
    let t = chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time");
    crate::incident_log::format_timestamp(t)
}

fn log(path: &str, lines: &[(&str, &Line)]) -> LoadedLog {
    let hash = |branch: &str, seq: u64| format!("{branch}{seq}");
    let records: Vec<Record> = lines
        .iter()
        .enumerate()
        .map(|(i, (_, Line(seq, secs, session, event)))| Record {
            v: crate::event::FORMAT_VERSION,
            seq: *seq,
            ts: ts(*secs),
            operator: "alice".into(),
            session: (*session).into(),
            prev: match i {
                0 => String::new(),
                _ => hash(lines[i - 1].0, lines[i - 1].1.0),
            },
            event: event.clone(),
        })
        .collect();
    let last = lines.last().map_or(String::new(), |(b, l)| hash(b, l.0));
    LoadedLog {
        path: path.into(),
        log: ExistingLog {
            lines: records.len(),
            records,
            valid_len: 0,
            last_line_hash: last,
            torn_tail: None,
            problem: None,
        },
    }
}

fn started(step: usize) -> Event {
    Event::StepStarted {
        step,
        step_id: format!("s{step}"),
        title: format!("Step {step}"),
    }
}

fn finished(step: usize) -> Event {
    Event::StepFinished {
        step,
        step_id: format!("s{step}"),
        status: StepStatus::Done,
        reason: None,
    }
}

fn command(step: usize) -> Event {
    Event::CommandStarted {
        step,
        command: 1,
        name: None,
        code: "true".into(),
        cwd: ".".into(),
        runner: None,
        attempt: 1,
        placeholders: Vec::new(),
    }
}

/// Step 1 from 0 s to 10 s, step 2 from 10 s (with a command) to 20 s, failed.
fn original() -> Vec<Line> {
    vec![
        Line(1, 0, "s-one", started(1)),
        Line(2, 10, "s-one", finished(1)),
        Line(3, 10, "s-one", started(2)),
        Line(4, 12, "s-one", command(2)),
        Line(5, 20, "s-one", failed(2)),
    ]
}

fn failed(step: usize) -> Event {
    Event::StepFinished {
        step,
        step_id: format!("s{step}"),
        status: StepStatus::Failed,
        reason: Some("exit 1".into()),
    }
}

fn shared(lines: &[Line]) -> Vec<(&'static str, &Line)> {
    lines.iter().map(|l| ("p", l)).collect()
}

/// (step, status, runs, duration) of every step.
fn steps(t: &Timeline) -> Vec<(usize, StepState, u32, Option<i64>)> {
    t.steps
        .iter()
        .map(|s| (s.index, s.status, s.runs, s.duration_ms))
        .collect()
}

#[test]
fn a_log_given_twice_counts_once_with_a_note() {
    let lines = original();
    let once = build(vec![log("a.jsonl", &shared(&lines))]);
    let twice = build(vec![
        log("a.jsonl", &shared(&lines)),
        log("a.jsonl", &shared(&lines)),
    ]);
    assert_eq!(twice.entries.len(), 5);
    assert_eq!(steps(&twice), steps(&once));
    assert_eq!(twice.commands.len(), 1);
    assert_eq!(twice.sessions.len(), 1);
    assert!(twice.warnings.is_empty(), "{:?}", twice.warnings);
    assert_eq!(
        twice.merge_notes,
        ["`a.jsonl` is given twice; its 5 events of session `s-one` merged once"]
    );
    assert!(once.merge_notes.is_empty());
}

#[test]
fn a_log_and_its_resumed_copy_merge_as_the_copy_alone() {
    let lines = original();
    let more = [
        Line(6, 100, "s-two", started(2)),
        Line(7, 130, "s-two", finished(2)),
    ];
    let mut copy = shared(&lines);
    copy.extend(more.iter().map(|l| ("p", l)));
    let alone = build(vec![log("b.jsonl", &copy)]);
    for order in [["a.jsonl", "b.jsonl"], ["b.jsonl", "a.jsonl"]] {
        let logs = order
            .iter()
            .map(|p| match *p {
                "a.jsonl" => log(p, &shared(&lines)),
                _ => log(p, &copy),
            })
            .collect();
        let t = build(logs);
        assert_eq!(t.entries.len(), 7, "{order:?}");
        // Step 2: open 10 s to 20 s, then 100 s to 130 s; two runs, not three.
        assert_eq!(steps(&t), steps(&alone), "{order:?}");
        assert_eq!(
            steps(&t)[1],
            (2, StepState::Done, 2, Some(40_000)),
            "{order:?}"
        );
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        assert!(t.entries.iter().all(|e| e.branch.is_none()));
        let (second, first) = (order[1], order[0]);
        assert_eq!(
            t.merge_notes,
            [format!(
                "`{second}` repeats 5 events of session `s-one` from `{first}`; merged once"
            )]
        );
    }
}

#[test]
fn two_copies_resumed_separately_are_branches_sharing_their_prefix_once() {
    let lines = original();
    // Both retried step 2: one from 40 s to 60 s, the other from 50 s to 100 s.
    let a_more = [
        Line(6, 40, "s-a", started(2)),
        Line(7, 60, "s-a", finished(2)),
    ];
    let b_more = [
        Line(6, 50, "s-b", started(2)),
        Line(7, 100, "s-b", finished(2)),
    ];
    let mut a = shared(&lines);
    a.extend(a_more.iter().map(|l| ("a", l)));
    let mut b = shared(&lines);
    b.extend(b_more.iter().map(|l| ("b", l)));
    let t = build(vec![log("a.jsonl", &a), log("b.jsonl", &b)]);
    assert_eq!(t.entries.len(), 9);
    assert_eq!(
        t.warnings,
        [
            "`a.jsonl` and `b.jsonl` fork after event 5 of session `s-one`: two walks went on from the same log separately; the 5 shared events are shown once, then each branch's events labelled `branch a.jsonl` or `branch b.jsonl`"
        ]
    );
    assert!(t.merge_notes.is_empty(), "{:?}", t.merge_notes);
    let labels: Vec<(u64, Option<&str>)> = t
        .entries
        .iter()
        .map(|e| (e.seq, e.branch.as_deref()))
        .collect();
    assert_eq!(
        labels,
        [
            (1, None),
            (2, None),
            (3, None),
            (4, None),
            (5, None),
            (6, Some("a.jsonl")),
            (6, Some("b.jsonl")),
            (7, Some("a.jsonl")),
            (7, Some("b.jsonl")),
        ]
    );
    assert!(
        t.entries[5]
            .summary
            .starts_with("[branch a.jsonl] step 2 started")
    );
    // Step 2: 10 s shared, then 20 s on one branch and 50 s on the other; started three times.
    assert_eq!(
        steps(&t),
        [
            (1, StepState::Done, 1, Some(10_000)),
            (2, StepState::Done, 3, Some(80_000))
        ]
    );
    assert_eq!(t.commands.len(), 1);
}

#[test]
fn logs_of_separate_walks_share_nothing() {
    let lines = original();
    let other: Vec<(&str, &Line)> = lines.iter().map(|l| ("q", l)).collect();
    let t = build(vec![
        log("a.jsonl", &shared(&lines)),
        log("b.jsonl", &other),
    ]);
    assert_eq!(t.entries.len(), 10);
    assert!(t.merge_notes.is_empty() && t.warnings.is_empty());
}

#[test]
fn a_claimed_time_after_its_line_is_not_taken_and_is_flagged() {
    let note = |at: &str| Event::Note {
        step: None,
        kind: crate::event::NoteKind::Mitigated,
        text: "failover done".into(),
        at: Some(at.into()),
    };
    let lines = [
        Line(1, 0, "s", started(1)),
        Line(2, 60, "s", note(&ts(120))),
        Line(3, 70, "s", note(&ts(30))),
    ];
    let t = build(vec![log(
        "a.jsonl",
        &lines.iter().map(|l| ("p", l)).collect::<Vec<_>>(),
    )]);
    // The claim from the future counts at its line's time; the one in the past at its claim.
    assert_eq!(t.entries[1].claimed_ts(), ts(60));
    assert_eq!(t.entries[2].claimed_ts(), ts(30));
    assert_eq!(t.milestones.mitigated.as_deref(), Some(ts(30).as_str()));
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(
        t.warnings[0].contains("event 2 claims the time"),
        "{:?}",
        t.warnings
    );
}
