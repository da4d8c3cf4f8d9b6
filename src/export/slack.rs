//! The Slack export: a short mrkdwn summary for an incident channel (who, what, how long, where the
//! steps got to, milestones and decisions), within a `text` message's limit.

use super::model::{Entry, StepState, Timeline};
use super::report::time_taken;
use super::text;
use crate::event::{Event, NoteKind};
use crate::human;

/// Slack truncates a message's `text` past 40,000 characters and advises 4,000 at most; every
/// summary stays within this many characters.
pub const MAX_CHARS: usize = 4_000;

/// The longest any one line's free text (a note, a title) is shown.
const MAX_TEXT: usize = 200;

/// The summary as message text, with a final newline: to paste or to pipe into a webhook.
pub fn render(t: &Timeline) -> String {
    let mut out = summary(t);
    out.push('\n');
    out
}

/// The summary wrapped as a webhook payload: `{"text": "…"}`.
pub fn render_json(t: &Timeline) -> String {
    let mut s = serde_json::json!({ "text": summary(t) }).to_string();
    s.push('\n');
    s
}

/// The summary without a final newline: head lines, then milestones and decisions in the order
/// they happened (a channel reads top down), each list cut with `… and N more` to fit.
fn summary(t: &Timeline) -> String {
    let h = &t.header;
    let mut head = Vec::new();
    head.push(match &h.incident {
        Some(id) => format!("*Incident {}*", escape(&text::one_line(id, MAX_TEXT))),
        None => "*Incident report*".to_string(),
    });
    let runbooks = runbooks(t);
    if !runbooks.is_empty() {
        let label = if runbooks.len() == 1 {
            "Runbook"
        } else {
            "Runbooks"
        };
        head.push(format!("*{label}:* {}", listed(&runbooks, 10)));
    }
    if !h.operators.is_empty() {
        head.push(format!("*Operators:* {}", listed(&h.operators, 10)));
    }
    let m = &t.milestones;
    head.push(format!(
        "*Time to mitigate:* {} · *Time to resolve:* {} ({})",
        time_taken(m.time_to_mitigate_ms),
        time_taken(m.time_to_resolve_ms),
        match m.measured_from {
            super::model::MeasuredFrom::Detected => "from detection",
            super::model::MeasuredFrom::SessionStart => "from the first session's start",
        }
    ));
    head.push(steps_line(t));

    let milestones: Vec<String> = notes(t, |k| {
        matches!(
            k,
            NoteKind::Detected | NoteKind::Mitigated | NoteKind::Resolved
        )
    });
    let decisions: Vec<String> = notes(t, |k| k == NoteKind::Decision);

    let mut out = head.join("\n");
    // What the lists may take: the head always fits (each of its values is cut short).
    let mut budget = MAX_CHARS.saturating_sub(chars(&out));
    let sections: Vec<(String, Vec<String>)> =
        [("Milestones", milestones), ("Decisions", decisions)]
            .into_iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(title, items)| (format!("\n*{title}:*"), items))
            .collect();
    // Room for a `… and N more` line.
    let more_line = chars("\n• … and 99999 more");
    for (i, (heading, items)) in sections.iter().enumerate() {
        // Every later section keeps room for its heading and a count of what it leaves out.
        let later: usize = sections[i + 1..]
            .iter()
            .map(|(h, _)| chars(h) + more_line)
            .sum();
        out.push_str(heading);
        budget = budget.saturating_sub(chars(heading));
        let mut shown = 0;
        for (n, item) in items.iter().enumerate() {
            let line = format!("\n• {item}");
            let after = if n + 1 < items.len() { more_line } else { 0 };
            if chars(&line) + after + later > budget {
                break;
            }
            out.push_str(&line);
            budget -= chars(&line);
            shown += 1;
        }
        if shown < items.len() {
            let more = format!("\n• … and {} more", items.len() - shown);
            budget = budget.saturating_sub(chars(&more));
            out.push_str(&more);
        }
    }
    out
}

/// The runbooks walked, in the order first walked, by title (and file name where two share a
/// title).
fn runbooks(t: &Timeline) -> Vec<String> {
    t.runbooks.iter().map(|r| r.label(&t.runbooks)).collect()
}

/// `*Steps:* 3 done, 1 failed, 1 skipped (of 6)`.
fn steps_line(t: &Timeline) -> String {
    let count = |s: StepState| t.steps.iter().filter(|x| x.status == s).count();
    let mut parts = vec![
        format!("{} done", count(StepState::Done)),
        format!("{} failed", count(StepState::Failed)),
        format!("{} skipped", count(StepState::Skipped)),
    ];
    for state in [
        StepState::Rehearsed,
        StepState::InProgress,
        StepState::NotStarted,
    ] {
        let n = count(state);
        if n > 0 {
            parts.push(format!("{n} {}", state.label()));
        }
    }
    format!("*Steps:* {} (of {})", parts.join(", "), t.steps.len())
}

/// The notes of the kinds `wanted`, in time order (claimed time for back-dated ones), one line
/// each: `03:05 mitigated — failover done (alice; noted 03:12)`.
fn notes(t: &Timeline, wanted: impl Fn(NoteKind) -> bool) -> Vec<String> {
    let mut rows: Vec<(&Entry, NoteKind, &str)> = t
        .entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Note { kind, text, .. } if wanted(*kind) => Some((e, *kind, text.as_str())),
            _ => None,
        })
        .collect();
    rows.sort_by_key(|(e, _, _)| e.claimed_time());
    rows.into_iter()
        .map(|(e, kind, note)| {
            let claimed = e.claimed_ts();
            let noted = if claimed == e.ts {
                String::new()
            } else {
                format!("; noted {}", hh_mm(&e.ts))
            };
            let label = if kind == NoteKind::Decision {
                String::new()
            } else {
                format!("{} — ", kind.label())
            };
            format!(
                "{} UTC {label}{} ({}{noted})",
                hh_mm(claimed),
                escape(&text::one_line(note, MAX_TEXT)),
                escape(&text::one_line(&e.operator, 60)),
            )
        })
        .collect()
}

/// `2026-11-22T03:04:05.678Z` as `03:04`.
fn hh_mm(ts: &str) -> &str {
    human::clock(ts).get(..5).unwrap_or(ts)
}

/// At most `max` values, escaped and cut short, then `… and N more`.
fn listed(values: &[String], max: usize) -> String {
    let mut shown: Vec<String> = values
        .iter()
        .take(max)
        .map(|v| escape(&text::one_line(v, 80)))
        .collect();
    if values.len() > max {
        shown.push(format!("… and {} more", values.len() - max));
    }
    shown.join(", ")
}

/// Slack's three control characters, escaped as its message formatting requires.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b>&c <!channel>"),
            "a&lt;b&gt;&amp;c &lt;!channel&gt;"
        );
    }

    #[test]
    fn long_lists_are_cut_with_a_count() {
        let names: Vec<String> = (1..=12).map(|i| format!("op{i}")).collect();
        let shown = listed(&names, 10);
        assert!(shown.ends_with("op10, … and 2 more"), "{shown}");
    }
}
