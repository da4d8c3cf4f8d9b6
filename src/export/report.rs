//! The report the Markdown, HTML and terminal exports show, computed once from a [`Timeline`]:
//! each section as rows whose values are already chosen and spelled (labels, durations, offsets,
//! statuses, query text), so a renderer only escapes and marks them up.
//!
//! Values are plain text, never escaped here. Where a renderer marks up only part of a value
//! (a code span, a bold exit code), the row keeps that part apart.

use std::borrow::Cow;

use super::model::{
    ChainState, Entry, Kind, RunbookInfo, SessionInfo, StepState, StepSummary, Timeline,
    query_text, short,
};
use super::text::{clean_output, short_session};
use crate::event::{AlarmInfo, ApprovalHow, Datapoint, Event, LoggedVariable, NoteKind, Verdict};
use crate::human;
use crate::runbook::LookupQuery;

/// Output of more lines than this is long: folded, or not open, by the renderers.
pub const LONG_OUTPUT_LINES: usize = 15;

/// The narrowest step bar, in percent of the incident's span.
const MIN_BAR_PCT: f64 = 0.3;

/// Lookup results show at most this many of the latest datapoints as numbers.
const LATEST_VALUES: usize = 6;

/// Every section of the report.
pub struct Report<'a> {
    pub head: Head<'a>,
    /// Lines for the warning banner; `code` spans in backticks.
    pub warnings: &'a [String],
    /// Events given more than once and merged once; `code` spans in backticks.
    pub merge_notes: &'a [String],
    pub summary: Summary<'a>,
    /// `None` when no milestone note was recorded.
    pub key_times: Option<KeyTimes<'a>>,
    pub steps: Vec<StepRow<'a>>,
    /// With several runbooks, each one's steps as a section of its own (else empty: `steps`).
    pub runbooks: Vec<RunbookSteps<'a>>,
    pub events: Vec<EventRow<'a>>,
    /// How many events of each kind, kinds without events left out, in [`Kind::ALL`] order.
    pub kind_counts: Vec<(Kind, usize)>,
    pub commands: Vec<CommandItem<'a>>,
    pub notes: Vec<NoteGroup<'a>>,
    pub lookups: Vec<LookupRow<'a>>,
    pub guard_alarms: Vec<GuardAlarmRow<'a>>,
    pub sessions: Vec<SessionRow<'a>>,
    /// Hand-offs, pauses, resumptions and log repairs.
    pub session_moves: Vec<Remark<'a>>,
    pub chain: Vec<ChainRow<'a>>,
    /// The first 12 hex digits of the runbook's sha256 at the start of the walk.
    pub runbook_sha256: Option<&'a str>,
}

impl<'a> Report<'a> {
    /// Computes every section of `t`.
    pub fn new(t: &'a Timeline) -> Self {
        Report {
            head: Head::new(t),
            warnings: &t.warnings,
            merge_notes: &t.merge_notes,
            summary: Summary::new(t),
            key_times: KeyTimes::new(t),
            steps: t.steps.iter().map(|s| StepRow::new(s, t)).collect(),
            runbooks: if t.runbooks.len() > 1 {
                t.runbooks
                    .iter()
                    .map(|r| RunbookSteps {
                        title: r.label(&t.runbooks),
                        path: &r.runbook.path,
                        sha256: short(&r.runbook.sha256),
                        logs: r.logs.iter().map(|&l| t.logs[l].path.as_str()).collect(),
                        steps: r.steps.iter().map(|s| StepRow::new(s, t)).collect(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            events: event_rows(t),
            kind_counts: Kind::ALL
                .into_iter()
                .map(|k| (k, t.entries.iter().filter(|e| e.kind == k).count()))
                .filter(|&(_, n)| n > 0)
                .collect(),
            commands: command_items(t),
            notes: note_groups(t),
            lookups: t.of_kind(Kind::Lookup).filter_map(LookupRow::new).collect(),
            guard_alarms: t
                .of_kind(Kind::GuardAlarm)
                .filter_map(GuardAlarmRow::new)
                .collect(),
            sessions: t.sessions.iter().map(|s| SessionRow::new(s, t)).collect(),
            session_moves: t
                .session_moves()
                .map(|e| Remark::new(e, None, &e.summary))
                .collect(),
            chain: chain_rows(t),
            runbook_sha256: t.header.runbook.as_ref().map(|r| short(&r.sha256)),
        }
    }
}

/// The sections of a report as one format writes them; [`Report::write`] puts them in order and
/// calls `banner`, `merge_notes`, `commands`, `notes`, `lookups` and `guard_alarms` only when they have something
/// to show.
pub trait Sections {
    fn banner(o: &mut String, warnings: &[String]);
    fn merge_notes(o: &mut String, notes: &[String]);
    fn summary(o: &mut String, s: &Summary<'_>);
    fn key_times(o: &mut String, k: Option<&KeyTimes<'_>>);
    fn steps(o: &mut String, r: &Report<'_>);
    fn events(o: &mut String, r: &Report<'_>);
    fn commands(o: &mut String, items: &[CommandItem<'_>]);
    fn notes(o: &mut String, r: &Report<'_>);
    fn lookups(o: &mut String, r: &Report<'_>);
    fn guard_alarms(o: &mut String, r: &Report<'_>);
    fn sessions(o: &mut String, r: &Report<'_>);
    fn chain(o: &mut String, r: &Report<'_>);
}

impl Report<'_> {
    /// Writes every section, in the one order of all formats.
    pub fn write<S: Sections>(&self, o: &mut String) {
        if !self.warnings.is_empty() {
            S::banner(o, self.warnings);
        }
        if !self.merge_notes.is_empty() {
            S::merge_notes(o, self.merge_notes);
        }
        S::summary(o, &self.summary);
        S::key_times(o, self.key_times.as_ref());
        S::steps(o, self);
        S::events(o, self);
        if !self.commands.is_empty() {
            S::commands(o, &self.commands);
        }
        if !self.notes.is_empty() {
            S::notes(o, self);
        }
        if !self.lookups.is_empty() {
            S::lookups(o, self);
        }
        if !self.guard_alarms.is_empty() {
            S::guard_alarms(o, self);
        }
        S::sessions(o, self);
        S::chain(o, self);
    }
}

/// A signed span of the timeline (a difference of two logged times) in the one spelling:
/// negative only when a later milestone was noted before an earlier one.
pub fn span(ms: i64) -> String {
    match u64::try_from(ms) {
        Ok(ms) => human::duration_ms(ms),
        Err(_) => human::signed_duration_ms(ms),
    }
}

/// A time to mitigate or resolve as a reviewer reads it. A milestone back-dated to before the
/// point it is measured from (mitigated before the first session started, with no detection
/// noted) took no time that this log can tell: said so, not printed as a negative duration.
pub fn time_taken(ms: Option<i64>) -> String {
    match ms {
        None => "not recorded".to_string(),
        Some(ms) if ms < 0 => format!(
            "none measurable: claimed {} before the point it is measured from",
            human::duration_ms(ms.unsigned_abs())
        ),
        Some(ms) => span(ms),
    }
}

/// `2026-11-22 03:04:05 UTC (T+04:05)`: when an event happened, in full.
fn at(e: &Entry) -> String {
    format!("{} ({})", human::utc(&e.ts), human::t_plus(e.offset_ms))
}

/// What every export is titled.
pub struct Head<'a> {
    /// `Incident INC-1: Widget 5xx storm` or `Incident report: Widget 5xx storm`.
    pub title: String,
    /// The runbook's title, or `(unknown runbook)`.
    pub runbook_title: &'a str,
}

impl<'a> Head<'a> {
    pub fn new(t: &'a Timeline) -> Self {
        let runbook_title = t
            .header
            .runbook
            .as_ref()
            .map_or("(unknown runbook)", |r| r.title.as_str());
        // Several runbooks: all their titles.
        let titles = if t.runbooks.len() > 1 {
            let all: Vec<String> = t.runbooks.iter().map(|r| r.label(&t.runbooks)).collect();
            Cow::Owned(all.join(" + "))
        } else {
            Cow::Borrowed(runbook_title)
        };
        let title = match &t.header.incident {
            Some(i) => format!("Incident {i}: {titles}"),
            None => format!("Incident report: {titles}"),
        };
        Head {
            title,
            runbook_title,
        }
    }
}

/// The facts at the top of a report.
pub struct Summary<'a> {
    /// The incident id, or `-`.
    pub incident: &'a str,
    pub runbook: Option<&'a RunbookInfo>,
    /// Every runbook walked, when there are several (else empty: `runbook`).
    pub runbooks: Vec<&'a RunbookInfo>,
    pub mode: &'a str,
    pub operators: &'a [String],
    pub hosts: &'a [String],
    /// In UTC, in full.
    pub start: String,
    pub end: String,
    /// The end's time of day.
    pub end_clock: &'a str,
    pub duration: String,
    /// Sorted; empty when no lookup or guard alarm ran.
    pub regions: &'a [String],
    pub sessions: usize,
    /// Each log's path and valid events.
    pub logs: Vec<(&'a str, usize)>,
    pub chain_intact: bool,
    /// As logged: secret values are `None`.
    pub variables: &'a [LoggedVariable],
}

impl<'a> Summary<'a> {
    pub fn new(t: &'a Timeline) -> Self {
        let h = &t.header;
        Summary {
            incident: h.incident.as_deref().unwrap_or("-"),
            runbook: h.runbook.as_ref(),
            runbooks: if t.runbooks.len() > 1 {
                t.runbooks.iter().map(|r| &r.runbook).collect()
            } else {
                Vec::new()
            },
            mode: &h.mode,
            operators: &h.operators,
            hosts: &h.hostnames,
            start: human::utc(&h.start),
            end: human::utc(&h.end),
            end_clock: human::clock(&h.end),
            duration: span(h.duration_ms),
            regions: &h.regions,
            sessions: t.sessions.len(),
            logs: t.logs.iter().map(|l| (l.path.as_str(), l.events)).collect(),
            chain_intact: t.logs.iter().all(|l| l.chain == ChainState::Intact),
            variables: &h.variables,
        }
    }
}

/// A piece of a fact's value, marked up by kind.
pub enum Span<'a> {
    Text(Cow<'a, str>),
    /// An identifier or path: a code span.
    Code(&'a str),
    Strong(Cow<'a, str>),
    /// A variable as logged: `NAME=value` in code, or `NAME (secret)`.
    Variable(&'a LoggedVariable),
}

/// One line of the summary.
pub struct Fact<'a> {
    pub label: &'static str,
    pub value: Vec<Span<'a>>,
    /// Shown in text formats only (the page says it in its banner and hash-chain section).
    pub text_only: bool,
}

impl<'a> Summary<'a> {
    /// The summary as labelled facts, in the order every format shows them.
    pub fn facts(&self) -> Vec<Fact<'a>> {
        let text = |s: &'a str| vec![Span::Text(Cow::Borrowed(s))];
        let owned = |s: String| vec![Span::Text(Cow::Owned(s))];
        let fact = |label, value| Fact {
            label,
            value,
            text_only: false,
        };
        let list = |items: &[String]| {
            if items.is_empty() {
                "-".to_string()
            } else {
                items.join(", ")
            }
        };
        let mut facts = vec![fact("Incident", text(self.incident))];
        if !self.runbooks.is_empty() {
            let mut value = Vec::new();
            for (i, rb) in self.runbooks.iter().enumerate() {
                if i > 0 {
                    value.push(Span::Text(Cow::Borrowed("; ")));
                }
                value.extend([
                    Span::Text(Cow::Borrowed(rb.title.as_str())),
                    Span::Text(Cow::Borrowed(" (")),
                    Span::Code(&rb.path),
                    Span::Text(Cow::Borrowed(")")),
                ]);
            }
            facts.push(fact("Runbooks", value));
        } else if let Some(rb) = self.runbook {
            facts.push(fact(
                "Runbook",
                vec![
                    Span::Text(Cow::Borrowed(rb.title.as_str())),
                    Span::Text(Cow::Borrowed(" (")),
                    Span::Code(&rb.path),
                    Span::Text(Cow::Borrowed(")")),
                ],
            ));
            facts.push(fact("Runbook sha256", vec![Span::Code(&rb.sha256)]));
        }
        facts.push(fact("Mode", text(self.mode)));
        facts.push(fact("Operators", owned(list(self.operators))));
        facts.push(fact("Hosts", owned(list(self.hosts))));
        facts.push(fact("Start", owned(self.start.clone())));
        facts.push(fact("End", owned(self.end.clone())));
        facts.push(fact("Duration", owned(self.duration.clone())));
        facts.push(fact("Regions", owned(list(self.regions))));
        facts.push(fact("Sessions", owned(self.sessions.to_string())));
        let mut logs = Vec::new();
        for (i, (path, events)) in self.logs.iter().enumerate() {
            if i > 0 {
                logs.push(Span::Text(Cow::Borrowed(", ")));
            }
            logs.push(Span::Code(path));
            logs.push(Span::Text(Cow::Owned(format!(" ({events} events)"))));
        }
        facts.push(fact("Logs", logs));
        facts.push(Fact {
            label: "Hash chain",
            value: if self.chain_intact {
                text("intact")
            } else {
                vec![
                    Span::Strong(Cow::Borrowed("not intact")),
                    Span::Text(Cow::Borrowed(": see the warning above")),
                ]
            },
            text_only: true,
        });
        if !self.variables.is_empty() {
            let mut vars = Vec::new();
            for (i, v) in self.variables.iter().enumerate() {
                if i > 0 {
                    vars.push(Span::Text(Cow::Borrowed(", ")));
                }
                vars.push(Span::Variable(v));
            }
            facts.push(fact("Variables", vars));
        }
        facts
    }
}

/// The milestones and the times measured from them.
pub struct KeyTimes<'a> {
    /// Detected, mitigated, resolved, in that order.
    pub milestones: Vec<MilestoneRow<'a>>,
    /// A duration, or `not recorded`.
    pub to_mitigate: String,
    pub to_resolve: String,
    /// `from the `detected` milestone` or `from the start of the first session (…)`.
    pub measured_from: &'static str,
    /// When that was, in UTC.
    pub reference: String,
}

/// One milestone: `None` when not recorded.
pub struct MilestoneRow<'a> {
    pub label: &'static str,
    pub noted: Option<MilestoneNote<'a>>,
}

pub struct MilestoneNote<'a> {
    pub utc: String,
    pub t_plus: String,
    pub operator: &'a str,
    pub text: &'a str,
}

impl<'a> KeyTimes<'a> {
    pub fn new(t: &'a Timeline) -> Option<Self> {
        let m = &t.milestones;
        if m.detected.is_none() && m.mitigated.is_none() && m.resolved.is_none() {
            return None;
        }
        let milestones = ["detected", "mitigated", "resolved"]
            .into_iter()
            .zip(m.notes)
            .map(|(label, note)| MilestoneRow {
                label,
                noted: note.and_then(|i| t.entries.get(i)).map(|e| {
                    let claimed = e.claimed_ts();
                    // Back-dated: the time claimed, and when it was written.
                    let utc = if claimed == e.ts {
                        human::utc(&e.ts)
                    } else {
                        format!("{} (noted {})", human::utc(claimed), human::clock(&e.ts))
                    };
                    MilestoneNote {
                        utc,
                        t_plus: human::t_plus(e.claimed_offset_ms()),
                        operator: &e.operator,
                        text: match &e.event {
                            Event::Note { text, .. } => text,
                            _ => "",
                        },
                    }
                }),
            })
            .collect();
        Some(KeyTimes {
            milestones,
            to_mitigate: time_taken(m.time_to_mitigate_ms),
            to_resolve: time_taken(m.time_to_resolve_ms),
            measured_from: m.measured_from_text(),
            reference: human::utc(&m.reference),
        })
    }
}

/// One runbook of several walked in one incident, with its own steps.
pub struct RunbookSteps<'a> {
    /// The title, with the file name when another runbook has the same title.
    pub title: String,
    pub path: &'a str,
    /// The first 12 hex digits.
    pub sha256: &'a str,
    /// The logs that walk it.
    pub logs: Vec<&'a str>,
    pub steps: Vec<StepRow<'a>>,
}

/// One step of the runbook.
pub struct StepRow<'a> {
    pub id: &'a str,
    pub index: usize,
    /// `index` as text.
    pub number: String,
    pub title: &'a str,
    pub status: StepState,
    /// `03:04:05 (T+04:05)`, or `-` when never started.
    pub start: String,
    /// Time open, or `-`.
    pub duration: String,
    /// Who finished it (else who started it), or `-`.
    pub operator: &'a str,
    /// `2 runs, 1 failed, up to attempt 2`, or `-`.
    pub commands: String,
    /// Why it was skipped or failed, or empty.
    pub reason: &'a str,
    /// Where it lies on the incident's span, when started and timed.
    pub bar: Option<StepBar>,
}

/// A step's place on the incident's span, in percent of it.
pub struct StepBar {
    pub left_pct: f64,
    pub width_pct: f64,
    /// `T+04:05 for 2m03s`.
    pub label: String,
}

impl<'a> StepRow<'a> {
    fn new(s: &'a StepSummary, t: &Timeline) -> Self {
        let commands = if s.commands == 0 {
            "-".to_string()
        } else {
            let mut c = human::count(s.commands as usize, "run", "runs");
            if s.failed_commands > 0 {
                c.push_str(&format!(", {} failed", s.failed_commands));
            }
            if s.max_attempt > 1 {
                c.push_str(&format!(", up to attempt {}", s.max_attempt));
            }
            c
        };
        let total = t.header.duration_ms.max(1) as f64;
        let bar = match (s.start_offset_ms, s.duration_ms) {
            (Some(start), Some(d)) => {
                let left = (start as f64 / total * 100.0).clamp(0.0, 100.0);
                // At least 0.3% wide to stay visible, even for a step started at the very end
                // (where 100 - 99.7 rounds below 0.3 and `clamp` would panic).
                let room = (100.0 - left.min(99.7)).max(MIN_BAR_PCT);
                Some(StepBar {
                    left_pct: left,
                    width_pct: (d as f64 / total * 100.0).clamp(MIN_BAR_PCT, room),
                    label: format!("{} for {}", human::t_plus(start), span(d)),
                })
            }
            _ => None,
        };
        StepRow {
            id: &s.id,
            index: s.index,
            number: s.index.to_string(),
            title: &s.title,
            status: s.status,
            start: s.start.as_deref().map_or_else(
                || "-".to_string(),
                |ts| {
                    format!(
                        "{} ({})",
                        human::clock(ts),
                        human::t_plus(s.start_offset_ms.unwrap_or(0))
                    )
                },
            ),
            duration: s.duration_ms.map_or_else(|| "-".to_string(), span),
            operator: s.operator.as_deref().unwrap_or("-"),
            commands,
            reason: s.reason.as_deref().unwrap_or(""),
            bar,
        }
    }
}

/// One event of the merged timeline.
pub struct EventRow<'a> {
    pub clock: &'a str,
    pub t_plus: String,
    pub operator: &'a str,
    /// The first 8 characters of the session id.
    pub session: &'a str,
    pub kind: Kind,
    pub summary: &'a str,
    /// A failed command or step.
    pub failed: bool,
}

/// The timeline's events as rows.
pub fn event_rows(t: &Timeline) -> Vec<EventRow<'_>> {
    t.entries
        .iter()
        .map(|e| EventRow {
            clock: human::clock(&e.ts),
            t_plus: human::t_plus(e.offset_ms),
            operator: &e.operator,
            session: short_session(&e.session),
            kind: e.kind,
            summary: &e.summary,
            failed: matches!(
                e.event,
                Event::CommandFinished { success: false, .. }
                    | Event::StepFinished {
                        status: crate::event::StepStatus::Failed,
                        ..
                    }
            ),
        })
        .collect()
}

/// A line said about an event: `when, who[, step N]` and what.
pub struct Remark<'a> {
    /// `2026-11-22 03:04:05 UTC (T+04:05), alice, step 2`.
    pub lead: String,
    pub text: &'a str,
}

impl<'a> Remark<'a> {
    fn new(e: &Entry, step: Option<usize>, text: &'a str) -> Self {
        // A back-dated note leads with the time it claims, then when it was written.
        let mut lead = if e.claimed_ts() == e.ts {
            format!("{}, {}", at(e), e.operator)
        } else {
            format!(
                "{} ({}, noted {}), {}",
                human::utc(e.claimed_ts()),
                human::t_plus(e.claimed_offset_ms()),
                human::clock(&e.ts),
                e.operator
            )
        };
        if let Some(s) = step {
            lead.push_str(&format!(", step {s}"));
        }
        Remark { lead, text }
    }
}

/// One entry of the commands section.
pub enum CommandItem<'a> {
    /// Skipped, or done by hand: `step 4 command 1 skipped: … — bob, 2026-… (T+10:30)`.
    Line(String),
    Run(Box<CommandView<'a>>),
}

/// One command's run: how it started and how it ended.
pub struct CommandView<'a> {
    pub start: CommandStart<'a>,
    /// `None` only for a run whose start is missing and whose end is no finish (no log makes one).
    pub end: Option<CommandEnd<'a>>,
}

pub enum CommandStart<'a> {
    Logged(Started<'a>),
    /// Only its end is in the log: that event's summary stands as the heading.
    Missing {
        heading: &'a str,
    },
}

pub struct Started<'a> {
    /// `Step 2, command 1`.
    pub heading: String,
    pub name: Option<&'a str>,
    /// `attempt 2` for a retry.
    pub attempt: Option<String>,
    pub at: String,
    pub operator: &'a str,
    pub cwd: &'a str,
    pub runner: Option<&'a str>,
    pub code: &'a str,
    /// Approvals worth a reviewer's eye: `yes` typed, or `--yes --allow-danger` (a menu key or
    /// `--yes` approve every command and are left out).
    pub approval: Option<ApprovalHow>,
    /// The runbook's text, when the operator edited the command and `code` is the edit.
    pub original: Option<&'a str>,
}

pub enum CommandEnd<'a> {
    Finished(Finished<'a>),
    /// Started, and no end recorded: the outcome is unknown.
    Unknown,
}

pub struct Finished<'a> {
    pub success: bool,
    pub exit: Exit<'a>,
    pub took: String,
    pub at: String,
    /// `; timed out; interrupted with Ctrl-C; 1 secret value(s) redacted`, or empty.
    pub remarks: String,
    /// As logged; cleaned one command at a time by [`Finished::output`], so that a long
    /// incident's outputs are not all held cleaned at once.
    pub raw_output: &'a str,
    pub bytes: u64,
    pub truncated: bool,
}

impl Finished<'_> {
    /// The output as a reader should see it; `None` when it printed nothing (after cleaning).
    pub fn output(&self) -> Option<Output> {
        let text = clean_output(self.raw_output);
        if text.trim().is_empty() {
            return None;
        }
        let lines = text.lines().count();
        Some(Output {
            caption: format!(
                "Output: {}, {} bytes{}",
                human::count(lines, "line", "lines"),
                self.bytes,
                if self.truncated { ", middle cut" } else { "" }
            ),
            lines,
            text,
        })
    }
}

/// How a command ended.
pub enum Exit<'a> {
    Signal(&'a str),
    Code(i32),
    Unknown,
}

/// Command output as a reader should see it.
pub struct Output {
    pub text: String,
    pub lines: usize,
    /// `Output: 30 lines, 771 bytes, middle cut`.
    pub caption: String,
}

impl Output {
    /// Long output is folded (Markdown) or starts closed (HTML).
    pub fn is_long(&self) -> bool {
        self.lines > LONG_OUTPUT_LINES
    }
}

/// A command's run as the blocks every format shows, in order.
pub enum CommandBlock<'a> {
    /// `Step 2, command 1 `drain` (attempt 2)`, or the end's summary when the start is missing.
    Heading(Vec<Span<'a>>),
    /// `Started … by … in `cwd`, piped to `runner`.`
    Started(Vec<Span<'a>>),
    /// The command's code.
    Code(&'a str),
    /// The command ran as edited by the operator; this is the runbook's text it replaced.
    Edited {
        original: &'a str,
    },
    /// The start is not in the log.
    MissingStart,
    /// `Succeeded` or `Failed`, then `rest`: ` (exit code 1) after 30s, at ….`
    Outcome {
        success: bool,
        rest: Vec<Span<'a>>,
    },
    Output(Output),
    NoOutput,
    /// Started, and no end recorded: the outcome is unknown.
    UnknownEnd,
}

fn text<'a>(s: impl Into<Cow<'a, str>>) -> Span<'a> {
    Span::Text(s.into())
}

impl CommandView<'_> {
    pub fn blocks(&self) -> Vec<CommandBlock<'_>> {
        let mut blocks = Vec::with_capacity(5);
        match &self.start {
            CommandStart::Logged(s) => {
                let mut heading = vec![text(s.heading.as_str())];
                if let Some(n) = s.name {
                    heading.extend([text(" "), Span::Code(n)]);
                }
                if let Some(a) = &s.attempt {
                    heading.push(text(format!(" ({a})")));
                }
                if s.original.is_some() {
                    heading.push(text(" (edited)"));
                }
                let mut started = vec![
                    text("Started "),
                    text(s.at.as_str()),
                    text(" by "),
                    text(s.operator),
                    text(" in "),
                    Span::Code(s.cwd),
                ];
                if let Some(r) = s.runner {
                    started.extend([text(", piped to "), Span::Code(r)]);
                }
                match s.approval {
                    Some(ApprovalHow::TypedYes) => {
                        started.extend([text(", approved by typing "), Span::Code("yes")]);
                    }
                    Some(ApprovalHow::AllowDangerFlag) => {
                        started
                            .extend([text(", approved by "), Span::Code("--yes --allow-danger")]);
                    }
                    _ => {}
                }
                started.push(text("."));
                blocks.extend([
                    CommandBlock::Heading(heading),
                    CommandBlock::Started(started),
                    CommandBlock::Code(s.code),
                ]);
                if let Some(original) = s.original {
                    blocks.push(CommandBlock::Edited { original });
                }
            }
            CommandStart::Missing { heading } => {
                blocks.extend([
                    CommandBlock::Heading(vec![text(*heading)]),
                    CommandBlock::MissingStart,
                ]);
            }
        }
        match &self.end {
            Some(CommandEnd::Finished(f)) => {
                let mut rest = vec![text(" (")];
                match f.exit {
                    Exit::Signal(sig) => rest.extend([text("killed by "), text(sig)]),
                    Exit::Code(c) => {
                        rest.extend([text("exit code "), Span::Strong(c.to_string().into())]);
                    }
                    Exit::Unknown => rest.push(text("no exit code")),
                }
                rest.push(text(format!(
                    ") after {}, at {}{}.",
                    f.took, f.at, f.remarks
                )));
                blocks.push(CommandBlock::Outcome {
                    success: f.success,
                    rest,
                });
                blocks.push(match f.output() {
                    Some(out) => CommandBlock::Output(out),
                    None => CommandBlock::NoOutput,
                });
            }
            Some(CommandEnd::Unknown) => blocks.push(CommandBlock::UnknownEnd),
            None => {}
        }
        blocks
    }
}

fn command_items(t: &Timeline) -> Vec<CommandItem<'_>> {
    t.commands
        .iter()
        .filter_map(|run| {
            if let Some(i) = run.other {
                let e = &t.entries[i];
                return Some(CommandItem::Line(format!(
                    "{} — {}, {}",
                    e.summary,
                    e.operator,
                    at(e)
                )));
            }
            let start = run.started.map(|i| &t.entries[i]);
            let end = run.finished.map(|i| &t.entries[i]);
            let approval = run.approved.and_then(|i| match &t.entries[i].event {
                Event::CommandApproved { how, .. } => Some(*how),
                _ => None,
            });
            let original = run.edited.and_then(|i| match &t.entries[i].event {
                Event::CommandEdited { original, .. } => Some(original.as_str()),
                _ => None,
            });
            let start_view = match (
                start.and_then(started).map(|s| Started {
                    approval,
                    original,
                    ..s
                }),
                end,
            ) {
                (Some(s), _) => CommandStart::Logged(s),
                (None, Some(e)) => CommandStart::Missing {
                    heading: &e.summary,
                },
                // A run holds a start or an end (see `model::commands`).
                (None, None) => return None,
            };
            let end_view = match end.and_then(finished) {
                Some(f) => Some(CommandEnd::Finished(f)),
                None => start.is_some().then_some(CommandEnd::Unknown),
            };
            Some(CommandItem::Run(Box::new(CommandView {
                start: start_view,
                end: end_view,
            })))
        })
        .collect()
}

fn started(e: &Entry) -> Option<Started<'_>> {
    let Event::CommandStarted {
        step,
        command,
        name,
        code,
        cwd,
        runner,
        attempt,
        ..
    } = &e.event
    else {
        return None;
    };
    Some(Started {
        heading: format!("Step {step}, command {command}"),
        name: name.as_deref(),
        attempt: (*attempt > 1).then(|| format!("attempt {attempt}")),
        at: at(e),
        operator: &e.operator,
        cwd,
        runner: runner.as_deref(),
        code,
        approval: None,
        original: None,
    })
}

fn finished(e: &Entry) -> Option<Finished<'_>> {
    let Event::CommandFinished {
        exit_code,
        signal,
        success,
        duration_ms,
        output,
        truncated,
        bytes,
        redactions,
        timed_out,
        interrupted,
        cwd_after,
        env_changed,
        ..
    } = &e.event
    else {
        return None;
    };
    let exit = match (exit_code, signal) {
        (_, Some(sig)) => Exit::Signal(sig),
        (Some(c), None) => Exit::Code(*c),
        (None, None) => Exit::Unknown,
    };
    let mut remarks = String::new();
    if *timed_out {
        remarks.push_str("; timed out");
    }
    if *interrupted {
        remarks.push_str("; interrupted with Ctrl-C");
    }
    if *redactions > 0 {
        remarks.push_str(&format!("; {redactions} secret value(s) redacted"));
    }
    remarks.push_str(&shell_remarks(cwd_after.as_deref(), env_changed));
    Some(Finished {
        success: *success,
        exit,
        took: human::duration_ms(*duration_ms),
        at: at(e),
        remarks,
        raw_output: output,
        bytes: *bytes,
        truncated: *truncated,
    })
}

/// `; left the shell in /srv; exported FOO, TOKEN (redacted); unset OLD`: the state later
/// commands started from, or empty. Long lists are cut: the log has them all.
fn shell_remarks(cwd_after: Option<&str>, changes: &[crate::event::EnvChange]) -> String {
    const MAX_NAMES: usize = 8;
    let list = |names: Vec<String>| {
        let more = names.len().saturating_sub(MAX_NAMES);
        let mut shown = names
            .into_iter()
            .take(MAX_NAMES)
            .collect::<Vec<_>>()
            .join(", ");
        if more > 0 {
            shown.push_str(&format!(" and {more} more"));
        }
        shown
    };
    let mut out = String::new();
    if let Some(dir) = cwd_after {
        out.push_str(&format!("; left the shell in {dir}"));
    }
    let exported: Vec<String> = changes
        .iter()
        .filter(|c| !c.unset)
        .map(|c| match c.redacted {
            true => format!("{} (redacted)", c.name),
            false => c.name.clone(),
        })
        .collect();
    if !exported.is_empty() {
        out.push_str(&format!("; exported {}", list(exported)));
    }
    let unset: Vec<String> = changes
        .iter()
        .filter(|c| c.unset)
        .map(|c| c.name.clone())
        .collect();
    if !unset.is_empty() {
        out.push_str(&format!("; unset {}", list(unset)));
    }
    out
}

/// The notes of one kind.
pub struct NoteGroup<'a> {
    pub kind: NoteKind,
    /// `Observations`, `Milestone: detected`.
    pub heading: &'static str,
    pub notes: Vec<Remark<'a>>,
}

fn note_groups(t: &Timeline) -> Vec<NoteGroup<'_>> {
    t.notes_by_kind()
        .into_iter()
        .map(|(kind, rows)| NoteGroup {
            kind,
            heading: match kind {
                NoteKind::Note => "Notes",
                NoteKind::Observation => "Observations",
                NoteKind::Hypothesis => "Hypotheses",
                NoteKind::Decision => "Decisions",
                NoteKind::Detected => "Milestone: detected",
                NoteKind::Mitigated => "Milestone: mitigated",
                NoteKind::Resolved => "Milestone: resolved",
            },
            notes: rows
                .into_iter()
                .map(|n| Remark::new(n.entry, n.step, n.text))
                .collect(),
        })
        .collect()
}

/// One lookup result in one region.
pub struct LookupRow<'a> {
    pub clock: &'a str,
    pub t_plus: String,
    pub at: String,
    pub step: usize,
    /// `step` as text.
    pub step_number: String,
    /// Its label, or `lookup N`.
    pub name: String,
    pub region: &'a str,
    /// The query in one line.
    pub query: String,
    pub verdict: Option<Verdict>,
    pub result: LookupResult<'a>,
}

/// What a lookup found.
pub enum LookupResult<'a> {
    Error(&'a str),
    /// Alarms listed; never empty.
    Alarms(&'a [AlarmInfo]),
    NoAlarms,
    NoData,
    Datapoints {
        points: &'a [Datapoint],
        /// `5 datapoints: 2, 3, 40, 85, 120` (the last six at most).
        latest: String,
        /// The threshold of the query's `expect`.
        expect: Option<f64>,
    },
}

impl<'a> LookupRow<'a> {
    fn new(e: &'a Entry) -> Option<Self> {
        let Event::LookupResult {
            step,
            lookup,
            label,
            region,
            query,
            datapoints,
            verdict,
            alarms,
            error,
            ..
        } = &e.event
        else {
            return None;
        };
        let result = match (error, alarms) {
            (Some(err), _) => LookupResult::Error(&err.message),
            (None, Some(alarms)) if alarms.is_empty() => LookupResult::NoAlarms,
            (None, Some(alarms)) => LookupResult::Alarms(alarms),
            (None, None) if datapoints.is_empty() => LookupResult::NoData,
            (None, None) => {
                let shown = &datapoints[datapoints.len().saturating_sub(LATEST_VALUES)..];
                let values: Vec<String> = shown.iter().map(|d| human::number(d.value)).collect();
                LookupResult::Datapoints {
                    points: datapoints,
                    latest: format!(
                        "{} datapoints{}: {}",
                        datapoints.len(),
                        if datapoints.len() > LATEST_VALUES {
                            ", last 6"
                        } else {
                            ""
                        },
                        values.join(", ")
                    ),
                    expect: match query {
                        LookupQuery::Metric { expect, .. }
                        | LookupQuery::Expression { expect, .. } => expect.map(|x| x.value),
                        LookupQuery::Alarms { .. } => None,
                    },
                }
            }
        };
        Some(LookupRow {
            clock: human::clock(&e.ts),
            t_plus: human::t_plus(e.offset_ms),
            at: at(e),
            step: *step,
            step_number: step.to_string(),
            name: label.clone().unwrap_or_else(|| format!("lookup {lookup}")),
            region,
            query: query_text(query),
            verdict: *verdict,
            result,
        })
    }
}

/// A guard alarm that fired (or cleared) during the walk, or a region the guard could not read.
pub struct GuardAlarmRow<'a> {
    pub clock: &'a str,
    pub t_plus: String,
    pub region: &'a str,
    /// `-` when the row is about the guard itself (unavailable, recovered).
    pub alarm: &'a str,
    /// The state, with the alarm's own state-change time when logged: `ALARM since 03:04:05`.
    pub state: String,
    pub reason: &'a str,
}

impl<'a> GuardAlarmRow<'a> {
    fn new(e: &'a Entry) -> Option<Self> {
        let (region, alarm, state, reason) = match &e.event {
            Event::GuardAlarm {
                region,
                alarm,
                state,
                reason,
                since,
            } => (
                region,
                alarm.as_str(),
                match since {
                    Some(t) => format!("{} since {}", state.as_str(), human::clock(t)),
                    None => state.as_str().to_string(),
                },
                reason.as_str(),
            ),
            Event::GuardUnavailable { region, error } => (
                region,
                "-",
                "UNAVAILABLE".to_string(),
                error.message.as_str(),
            ),
            Event::GuardRecovered { region } => {
                (region, "-", "RECOVERED".to_string(), "can be read again")
            }
            _ => return None,
        };
        Some(GuardAlarmRow {
            clock: human::clock(&e.ts),
            t_plus: human::t_plus(e.offset_ms),
            region,
            alarm,
            state,
            reason,
        })
    }
}

/// One process that wrote to a log.
pub struct SessionRow<'a> {
    /// The first 8 characters of its id.
    pub session: &'a str,
    /// The log's path.
    pub log: &'a str,
    pub operator: &'a str,
    pub host: &'a str,
    /// `live`, `rehearsal, resumed`.
    pub mode: String,
    pub start: &'a str,
    pub end: &'a str,
    /// `finished`, `interrupted`, `paused: reason`.
    pub outcome: String,
}

impl<'a> SessionRow<'a> {
    fn new(s: &'a SessionInfo, t: &'a Timeline) -> Self {
        SessionRow {
            session: short_session(&s.session),
            log: &t.logs[s.log].path,
            operator: &s.operator,
            host: &s.hostname,
            mode: format!(
                "{}{}",
                s.mode.label(),
                if s.resumed { ", resumed" } else { "" }
            ),
            start: human::clock(&s.start),
            end: human::clock(&s.end),
            outcome: match &s.reason {
                Some(r) => format!("{}: {r}", s.outcome),
                None => s.outcome.clone(),
            },
        }
    }
}

/// One input log's hash chain.
pub struct ChainRow<'a> {
    pub path: &'a str,
    pub state: ChainState,
    /// `hash chain intact: 18 events (…)` or where and why reading stopped; `code` in backticks.
    pub text: String,
}

/// The hash chain of every input log.
pub fn chain_rows(t: &Timeline) -> Vec<ChainRow<'_>> {
    t.logs
        .iter()
        .map(|l| ChainRow {
            path: &l.path,
            state: l.chain,
            text: l.describe(),
        })
        .collect()
}

/// One column of a report table: its header in the text formats (Markdown) and on the page
/// (HTML); an empty header leaves the column out of that format.
pub struct Column {
    pub text: &'static str,
    pub page: &'static str,
    /// Right-aligned.
    pub numeric: bool,
}

const fn col(text: &'static str, page: &'static str) -> Column {
    Column {
        text,
        page,
        numeric: false,
    }
}

const fn num(text: &'static str, page: &'static str) -> Column {
    Column {
        text,
        page,
        numeric: true,
    }
}

/// One cell of a report table: the value, and what kind of value it is (which decides its markup).
pub enum Cell<'a> {
    /// Text, from a log or not.
    Text(&'a str),
    /// An identifier, path or query: a code span.
    Code(&'a str),
    /// A time or an offset.
    Time(&'a str),
    /// A count or a duration, right-aligned.
    Number(&'a str),
    /// What stands out: an alarm state, a verdict.
    Alert(&'a str),
    /// Filler such as `not recorded`.
    Muted(&'a str),
    /// A step's title.
    StepTitle(&'a str),
    Status(StepState),
    /// An event's kind.
    Kind(Kind),
    /// A step's place on the incident's span.
    Bar(StepState, Option<&'a StepBar>),
    /// Marked-up text.
    Spans(Vec<Span<'a>>),
}

/// What a table row stands for, for the attributes the page gives it.
pub enum RowKind<'a> {
    Plain,
    Step {
        id: &'a str,
    },
    Event {
        kind: Kind,
        failed: bool,
        operator: &'a str,
    },
}

/// A row of a report table.
pub trait TableRow {
    fn kind(&self) -> RowKind<'_> {
        RowKind::Plain
    }
    /// One cell per column of its table.
    fn cells(&self) -> Vec<Cell<'_>>;
}

pub const MILESTONE_COLUMNS: [Column; 5] = [
    col("milestone", "milestone"),
    col("time (UTC)", "time (UTC)"),
    col("T+", "T+"),
    col("operator", "operator"),
    col("note", "note"),
];

pub const STEP_COLUMNS: [Column; 9] = [
    num("#", "#"),
    col("step", "step"),
    col("status", "status"),
    col("start (UTC)", "start"),
    num("duration", "duration"),
    col("operator", "operator"),
    col("commands", ""),
    col("reason", "reason"),
    col("", "timeline"),
];

pub const EVENT_COLUMNS: [Column; 6] = [
    col("time (UTC)", "time (UTC)"),
    col("T+", "T+"),
    col("operator", "operator"),
    col("session", "session"),
    col("kind", "kind"),
    col("event", "event"),
];

pub const LOOKUP_COLUMNS: [Column; 8] = [
    col("time (UTC)", "time (UTC)"),
    col("T+", "T+"),
    num("step", "step"),
    col("lookup", "lookup"),
    col("region", "region"),
    col("query", "query"),
    col("result", "result"),
    col("verdict", "verdict"),
];

pub const GUARD_ALARM_COLUMNS: [Column; 6] = [
    col("time (UTC)", "time (UTC)"),
    col("T+", "T+"),
    col("region", "region"),
    col("alarm", "alarm"),
    col("state", "state"),
    col("reason", "reason"),
];

pub const SESSION_COLUMNS: [Column; 8] = [
    col("session", "session"),
    col("log", "log"),
    col("operator", "operator"),
    col("host", "host"),
    col("mode", "mode"),
    col("start (UTC)", "start"),
    col("end (UTC)", "end"),
    col("outcome", "outcome"),
];

impl TableRow for MilestoneRow<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        match &self.noted {
            Some(n) => vec![
                Cell::Text(self.label),
                Cell::Time(&n.utc),
                Cell::Time(&n.t_plus),
                Cell::Text(n.operator),
                Cell::Text(n.text),
            ],
            None => vec![
                Cell::Text(self.label),
                Cell::Text("-"),
                Cell::Text("-"),
                Cell::Text("-"),
                Cell::Muted("not recorded"),
            ],
        }
    }
}

impl TableRow for StepRow<'_> {
    fn kind(&self) -> RowKind<'_> {
        RowKind::Step { id: self.id }
    }
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Number(&self.number),
            Cell::StepTitle(self.title),
            Cell::Status(self.status),
            Cell::Time(&self.start),
            Cell::Number(&self.duration),
            Cell::Text(self.operator),
            Cell::Text(&self.commands),
            Cell::Text(self.reason),
            Cell::Bar(self.status, self.bar.as_ref()),
        ]
    }
}

impl TableRow for EventRow<'_> {
    fn kind(&self) -> RowKind<'_> {
        RowKind::Event {
            kind: self.kind,
            failed: self.failed,
            operator: self.operator,
        }
    }
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Time(self.clock),
            Cell::Time(&self.t_plus),
            Cell::Text(self.operator),
            Cell::Code(self.session),
            Cell::Kind(self.kind),
            Cell::Text(self.summary),
        ]
    }
}

impl TableRow for LookupRow<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        let result = match &self.result {
            LookupResult::Error(message) => vec![text("error: "), text(*message)],
            LookupResult::NoAlarms => vec![text("no alarms")],
            LookupResult::Alarms(alarms) => {
                let mut spans = Vec::with_capacity(alarms.len() * 3);
                for (i, a) in alarms.iter().enumerate() {
                    if i > 0 {
                        spans.push(text(", "));
                    }
                    spans.extend([Span::Code(&a.name), text(" "), text(a.state.as_str())]);
                }
                spans
            }
            LookupResult::NoData => vec![text("no data")],
            LookupResult::Datapoints { latest, .. } => vec![text(latest.as_str())],
        };
        vec![
            Cell::Time(self.clock),
            Cell::Time(&self.t_plus),
            Cell::Number(&self.step_number),
            Cell::Text(&self.name),
            Cell::Text(self.region),
            Cell::Code(&self.query),
            Cell::Spans(result),
            match self.verdict {
                Some(v) => Cell::Alert(v.as_str()),
                None => Cell::Text("-"),
            },
        ]
    }
}

impl TableRow for GuardAlarmRow<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Time(self.clock),
            Cell::Time(&self.t_plus),
            Cell::Text(self.region),
            Cell::Code(self.alarm),
            Cell::Alert(&self.state),
            Cell::Text(self.reason),
        ]
    }
}

impl TableRow for SessionRow<'_> {
    fn cells(&self) -> Vec<Cell<'_>> {
        vec![
            Cell::Code(self.session),
            Cell::Code(self.log),
            Cell::Text(self.operator),
            Cell::Text(self.host),
            Cell::Text(&self.mode),
            Cell::Time(self.start),
            Cell::Time(self.end),
            Cell::Text(&self.outcome),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_offsets_have_the_human_spelling() {
        assert_eq!(span(850), "850ms");
        assert_eq!(span(12_345), "12.3s");
        assert_eq!(span(123_000), "2m03s");
        assert_eq!(span(3_723_000), "1h02m03s");
        assert_eq!(span(-123_000), "-2m03s");
        assert_eq!(human::t_plus(65_400), "T+01:05");
        assert_eq!(human::t_plus(7_503_000), "T+125:03");
    }

    #[test]
    fn the_shell_state_a_command_left_is_one_remark() {
        let change = |name: &str, unset: bool, redacted: bool| crate::event::EnvChange {
            name: name.into(),
            value: (!unset && !redacted).then(|| "v".into()),
            unset,
            redacted,
        };
        assert_eq!(shell_remarks(None, &[]), "");
        assert_eq!(
            shell_remarks(
                Some("/srv/app"),
                &[
                    change("FOO", false, false),
                    change("API_TOKEN", false, true),
                    change("OLD", true, false)
                ]
            ),
            "; left the shell in /srv/app; exported FOO, API_TOKEN (redacted); unset OLD"
        );
        let many: Vec<_> = (0..10)
            .map(|i| change(&format!("V{i}"), false, false))
            .collect();
        assert_eq!(
            shell_remarks(None, &many),
            "; exported V0, V1, V2, V3, V4, V5, V6, V7 and 2 more"
        );
    }
}
