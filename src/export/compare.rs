//! `runbook compare`: one run's step durations next to earlier runs or rehearsals of the same
//! runbook, flagging steps that took far longer and steps that failed or were skipped now only.
//!
//! Steps are matched by id, else by title. A step is **slower** when it took more than
//! [`SLOWER_FACTOR`] times its baseline *and* more than [`SLOWER_MARGIN_MS`] longer; the baseline
//! is the median of its durations in the earlier runs that reached it. A step is **newly failed**
//! (or **newly skipped**) when it failed (was skipped) now and in none of the earlier runs that
//! reached it.

use std::fmt::Write;

use super::model::{StepState, StepSummary, Timeline};
use super::report::span;
use super::text::plain_line;
use crate::human;

/// A step is slower when it took more than this many times its baseline...
pub const SLOWER_FACTOR: f64 = 2.0;
/// ...and more than this much longer (so 2s against 500ms is not news).
pub const SLOWER_MARGIN_MS: i64 = 30_000;

/// One run in the comparison: its label (the log path) and its timeline.
pub struct Run<'a> {
    pub label: &'a str,
    pub timeline: &'a Timeline,
}

/// What stands out about a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    Slower {
        now_ms: i64,
        baseline_ms: i64,
    },
    NewlyFailed,
    NewlySkipped,
    /// Not in any earlier run.
    New,
}

impl Flag {
    pub fn describe(&self) -> String {
        match self {
            Flag::Slower {
                now_ms,
                baseline_ms,
            } => format!(
                "slower: {} against a median of {} ({:.1}×)",
                span(*now_ms),
                span(*baseline_ms),
                *now_ms as f64 / (*baseline_ms).max(1) as f64
            ),
            Flag::NewlyFailed => "failed now, not before".into(),
            Flag::NewlySkipped => "skipped now, not before".into(),
            Flag::New => "not in the earlier runs".into(),
        }
    }
}

/// One row: the step as it is now, its match in each earlier run, and its flags.
pub struct Row<'a> {
    pub now: &'a StepSummary,
    pub before: Vec<Option<&'a StepSummary>>,
    pub flags: Vec<Flag>,
}

/// Matches a step by id, else by title.
fn find<'a>(t: &'a Timeline, s: &StepSummary) -> Option<&'a StepSummary> {
    t.steps
        .iter()
        .find(|o| !s.id.is_empty() && o.id == s.id)
        .or_else(|| t.steps.iter().find(|o| o.title == s.title))
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

/// Compares `now` with `before`, step by step in `now`'s order.
pub fn compare<'a>(now: &'a Timeline, before: &[Run<'a>]) -> Vec<Row<'a>> {
    now.steps
        .iter()
        .map(|s| {
            let matches: Vec<Option<&StepSummary>> =
                before.iter().map(|r| find(r.timeline, s)).collect();
            let reached: Vec<&StepSummary> = matches
                .iter()
                .flatten()
                .copied()
                .filter(|m| m.status != StepState::NotStarted)
                .collect();
            let mut flags = Vec::new();
            if matches.iter().all(Option::is_none) && !before.is_empty() {
                flags.push(Flag::New);
            }
            let baseline = median(
                reached
                    .iter()
                    .filter(|m| m.status != StepState::InProgress)
                    .filter_map(|m| m.duration_ms)
                    .collect(),
            );
            if let (Some(now_ms), Some(baseline_ms)) = (s.duration_ms, baseline)
                && now_ms as f64 > baseline_ms as f64 * SLOWER_FACTOR
                && now_ms - baseline_ms > SLOWER_MARGIN_MS
            {
                flags.push(Flag::Slower {
                    now_ms,
                    baseline_ms,
                });
            }
            if !reached.is_empty() {
                if s.status == StepState::Failed
                    && reached.iter().all(|m| m.status != StepState::Failed)
                {
                    flags.push(Flag::NewlyFailed);
                }
                if s.status == StepState::Skipped
                    && reached.iter().all(|m| m.status != StepState::Skipped)
                {
                    flags.push(Flag::NewlySkipped);
                }
            }
            Row {
                now: s,
                before: matches,
                flags,
            }
        })
        .collect()
}

fn cell(s: Option<&StepSummary>) -> String {
    match s {
        None => "-".into(),
        Some(s) => match (s.status, s.duration_ms) {
            (StepState::NotStarted, _) => "not started".into(),
            (StepState::Done, Some(d)) => span(d),
            (st, Some(d)) => format!("{} {}", span(d), st.label()),
            (st, None) => st.label().into(),
        },
    }
}

/// The comparison as a text table, a legend of the runs, and the flags.
pub fn render(now_label: &str, now: &Timeline, before: &[Run<'_>]) -> String {
    let rows = compare(now, before);
    let mut header = vec!["#".to_string(), "step".to_string(), "now".to_string()];
    header.extend((1..=before.len()).map(|i| format!("run {i}")));
    header.push("flags".into());
    let mut table: Vec<Vec<String>> = vec![header];
    for r in &rows {
        let mut line = vec![
            r.now.index.to_string(),
            plain_line(&r.now.title),
            cell(Some(r.now)),
        ];
        line.extend(r.before.iter().map(|b| cell(*b)));
        line.push(if r.flags.is_empty() {
            String::new()
        } else {
            r.flags
                .iter()
                .map(Flag::describe)
                .collect::<Vec<_>>()
                .join("; ")
        });
        table.push(line);
    }
    let cols = table[0].len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut o = String::new();
    let mode = |t: &Timeline| t.header.mode.clone();
    let _ = writeln!(
        o,
        "now:   {now_label} ({}, {})",
        mode(now),
        human::utc(&now.header.start)
    );
    for (i, r) in before.iter().enumerate() {
        let _ = writeln!(
            o,
            "run {}: {} ({}, {})",
            i + 1,
            r.label,
            mode(r.timeline),
            human::utc(&r.timeline.header.start)
        );
    }
    o.push('\n');
    for row in &table {
        let mut line = String::new();
        for (c, v) in row.iter().enumerate() {
            if c + 1 == cols {
                line.push_str(v);
            } else if c == 0 {
                let _ = write!(line, "{v:>w$}  ", w = widths[c]);
            } else {
                let _ = write!(line, "{v:<w$}  ", w = widths[c]);
            }
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
    let flagged = rows.iter().filter(|r| !r.flags.is_empty()).count();
    let _ = writeln!(
        o,
        "\n{} flagged (slower: more than {SLOWER_FACTOR}× the median of earlier runs and more than {} longer).",
        human::count(flagged, "step", "steps"),
        span(SLOWER_MARGIN_MS)
    );
    o
}
