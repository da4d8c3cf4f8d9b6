//! The merged timeline of one or more incident logs, with every derived number computed once (pure).
//!
//! Events of all logs are ordered by time (ties: by log, then `seq`) and each keeps its operator and
//! session. Steps are keyed by id (else number) and their durations are the sum of the time they
//! were open in each log (from `step_started` to `step_finished`, a pause, a resumption or the end
//! of the log), so a walk paused overnight does not count the night.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::text;
use crate::event::{
    ApprovalHow, Event, LoggedVariable, Mode, NoteKind, Record, RunbookRef, StepStatus, StepTimes,
};
use crate::human;
use crate::incident_log::ExistingLog;
use crate::runbook::{AlarmState, LookupQuery, MetricStat};

/// One log as read: its valid records (up to the first problem) and what stopped the reading.
#[derive(Debug, Clone)]
pub struct LoadedLog {
    /// As given on the command line.
    pub path: String,
    pub log: ExistingLog,
}

/// The hash chain of one log at export time: the same check `runbook verify` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainState {
    /// Every line valid, the chain unbroken.
    Intact,
    /// The last line was written partially (a crash mid-write); everything before it is valid.
    Torn,
    /// A line is invalid, changed or missing; nothing from it on was read.
    Invalid,
}

impl ChainState {
    pub fn label(self) -> &'static str {
        match self {
            ChainState::Intact => "intact",
            ChainState::Torn => "torn",
            ChainState::Invalid => "invalid",
        }
    }
}

/// One input log and the state of its chain.
#[derive(Debug, Clone, Serialize)]
pub struct LogStatus {
    pub path: String,
    /// Valid events read (and exported).
    pub events: usize,
    pub chain: ChainState,
    /// The line where reading stopped, when not intact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

impl LogStatus {
    /// One line: `intact: 19 events, first …, last …` or where and why reading stopped.
    pub fn describe(&self) -> String {
        let n = human::count(self.events, "event", "events");
        match self.chain {
            ChainState::Intact => format!(
                "hash chain intact: {n} (first {}, last {})",
                self.first.as_deref().unwrap_or("-"),
                self.last.as_deref().unwrap_or("-")
            ),
            ChainState::Torn | ChainState::Invalid => format!(
                "{} at line {}: {}; {n} before it exported",
                if self.chain == ChainState::Torn {
                    "torn"
                } else {
                    "invalid"
                },
                self.line.unwrap_or(0),
                self.reason.as_deref().unwrap_or("")
            ),
        }
    }
}

/// What an event is about, for grouping and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Session,
    Step,
    Command,
    Checklist,
    Note,
    Milestone,
    Handoff,
    Lookup,
    GuardAlarm,
    Log,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Session,
        Kind::Step,
        Kind::Command,
        Kind::Checklist,
        Kind::Note,
        Kind::Milestone,
        Kind::Handoff,
        Kind::Lookup,
        Kind::GuardAlarm,
        Kind::Log,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Session => "session",
            Kind::Step => "step",
            Kind::Command => "command",
            Kind::Checklist => "checklist",
            Kind::Note => "note",
            Kind::Milestone => "milestone",
            Kind::Handoff => "handoff",
            Kind::Lookup => "lookup",
            Kind::GuardAlarm => "guard_alarm",
            Kind::Log => "log",
        }
    }

    /// The label as words, for a reader: `guard alarm`.
    pub fn words(self) -> &'static str {
        match self {
            Kind::GuardAlarm => "guard alarm",
            k => k.label(),
        }
    }
}

/// One event of the merged timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Index into [`Timeline::logs`].
    pub log: usize,
    pub seq: u64,
    pub ts: String,
    /// Milliseconds since the start of the incident (the earliest event of all logs).
    pub offset_ms: i64,
    pub operator: String,
    pub session: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// One line of plain text.
    pub summary: String,
    /// The event as logged, `type` included.
    pub event: Event,
    #[serde(skip)]
    pub time: DateTime<Utc>,
    /// The log whose branch this event is on, when two logs fork from one session (the shared
    /// events before the fork have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// The runbook the logs walk, as the first session recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookInfo {
    pub path: String,
    pub title: String,
    pub sha256: String,
    pub steps: usize,
}

/// Who, what, when: the header of every export.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<RunbookInfo>,
    /// `live`, `rehearsal`, `mixed`, or `unknown` when no session start was read.
    pub mode: String,
    /// In order of first appearance.
    pub operators: Vec<String>,
    pub hostnames: Vec<String>,
    pub start: String,
    pub end: String,
    pub duration_ms: i64,
    /// Regions of lookups and guard alarms, sorted.
    pub regions: Vec<String>,
    /// As logged: secret values are `null`.
    pub variables: Vec<LoggedVariable>,
}

/// One process that wrote to a log: a walk started or resumed.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    pub log: usize,
    pub session: String,
    pub operator: String,
    pub resumed: bool,
    pub hostname: String,
    pub tool_version: String,
    pub mode: Mode,
    pub start: String,
    /// Its last event.
    pub end: String,
    /// `finished`, `paused` (with the reason) or `interrupted` (no end recorded).
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where a step got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Skipped,
    Failed,
    Rehearsed,
    /// Started and not finished (paused, interrupted, or reopened).
    InProgress,
    NotStarted,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Failed => "failed",
            StepState::Rehearsed => "rehearsed",
            StepState::InProgress => "in progress",
            StepState::NotStarted => "not started",
        }
    }
}

impl From<StepStatus> for StepState {
    fn from(s: StepStatus) -> Self {
        match s {
            StepStatus::Done => StepState::Done,
            StepStatus::Skipped => StepState::Skipped,
            StepStatus::Failed => StepState::Failed,
            StepStatus::Rehearsed => StepState::Rehearsed,
        }
    }
}

/// One step of the runbook and what happened to it across all logs.
#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    /// 1-based number in the runbook.
    pub index: usize,
    pub id: String,
    pub title: String,
    pub status: StepState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_offset_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Time the step was open, summed over its runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// Who finished it (else who started it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Times it was started (reopened, resumed).
    pub runs: u32,
    /// Commands started in it, retries included.
    pub commands: u32,
    pub failed_commands: u32,
    /// The highest attempt of any of its commands (2 after one retry).
    pub max_attempt: u32,
    #[serde(skip)]
    open_run: bool,
}

/// One command's run: its `command_started` and `command_finished`, or a skip, or done by hand;
/// indexes into [`Timeline::entries`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CommandRun {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<usize>,
    /// `command_skipped` or `command_done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<usize>,
    /// The `command_approved` right before the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<usize>,
    /// The `command_edited` whose edit ran (an edit lasts while its step stays open).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited: Option<usize>,
}

impl CommandRun {
    fn first(&self) -> usize {
        self.started.or(self.other).or(self.finished).unwrap_or(0)
    }
}

/// Where time-to-mitigate and time-to-resolve are measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasuredFrom {
    /// The first `detected` milestone note.
    Detected,
    /// No `detected` milestone: the start of the first session.
    SessionStart,
}

/// The milestone notes and the times computed from them: of each kind, the one claiming the
/// earliest time. A back-dated note (`mitigated at 14:05`) counts at the time it claims; when it
/// was written is kept in `*_noted`.
#[derive(Debug, Clone, Serialize)]
pub struct Milestones {
    /// The time the note claims: its `at`, else when it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// When a back-dated milestone was written (its line's `ts`); absent when not back-dated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_noted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigated_noted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_noted: Option<String>,
    /// Detected, mitigated, resolved: the index of its note in [`Timeline::entries`].
    #[serde(skip)]
    pub notes: [Option<usize>; 3],
    pub measured_from: MeasuredFrom,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_mitigate_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_resolve_ms: Option<i64>,
}

impl Milestones {
    pub fn measured_from_text(&self) -> &'static str {
        match self.measured_from {
            MeasuredFrom::Detected => "from the `detected` milestone",
            MeasuredFrom::SessionStart => {
                "from the start of the first session (no `detected` milestone)"
            }
        }
    }
}

/// Everything an export shows, computed from the logs alone.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub header: Header,
    pub logs: Vec<LogStatus>,
    /// Lines for the warning banner: torn or invalid logs, logs that disagree or fork.
    pub warnings: Vec<String>,
    /// Events given more than once (a log twice, a log and its resumed copy), merged once.
    pub merge_notes: Vec<String>,
    pub sessions: Vec<SessionInfo>,
    /// Every step; with several runbooks, each runbook's steps in turn (see `runbooks`).
    pub steps: Vec<StepSummary>,
    /// The runbooks the logs walk, by title and file name, in the order first walked, each with its own steps
    /// (one section when one runbook); the JSON export writes them only when there are several.
    #[serde(skip)]
    pub runbooks: Vec<RunbookSection>,
    pub milestones: Milestones,
    pub commands: Vec<CommandRun>,
    pub entries: Vec<Entry>,
}

/// One runbook of an incident that walks several: its logs and its own steps.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookSection {
    pub runbook: RunbookInfo,
    /// Indexes into [`Timeline::logs`] of the logs that walk it.
    pub logs: Vec<usize>,
    pub steps: Vec<StepSummary>,
}

/// A note, as the exports list it.
pub struct NoteRow<'a> {
    pub entry: &'a Entry,
    pub text: &'a str,
    pub step: Option<usize>,
}

impl Timeline {
    /// The entries of one kind, in time order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Hand-offs, pauses, resumptions and log repairs: how the walk changed hands or stopped.
    pub fn session_moves(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| {
            matches!(
                e.event,
                Event::Handoff { .. }
                    | Event::SessionPaused { .. }
                    | Event::SessionResumed { .. }
                    | Event::LogRepaired { .. }
            )
        })
    }

    /// The notes grouped by kind, in [`NoteKind::ALL`] order, kinds without notes left out.
    pub fn notes_by_kind(&self) -> Vec<(NoteKind, Vec<NoteRow<'_>>)> {
        NoteKind::ALL
            .into_iter()
            .map(|kind| {
                let rows = self
                    .entries
                    .iter()
                    .filter_map(|entry| match &entry.event {
                        Event::Note {
                            kind: k,
                            text,
                            step,
                            ..
                        } if *k == kind => Some(NoteRow {
                            entry,
                            text,
                            step: *step,
                        }),
                        _ => None,
                    })
                    .collect();
                (kind, rows)
            })
            .filter(|(_, rows): &(NoteKind, Vec<NoteRow<'_>>)| !rows.is_empty())
            .collect()
    }

    /// The step with this number and id (id first), for titles.
    pub fn step_title(&self, index: usize) -> Option<&str> {
        self.steps
            .iter()
            .find(|s| s.index == index)
            .map(|s| s.title.as_str())
    }
}

fn parse_time(ts: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::UNIX_EPOCH)
}

fn ms_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_milliseconds()
}

/// Builds the timeline; `logs` with no records at all contribute only their status.
///
/// Events given more than once (same `seq` and line hash, hence the same chain up to them) are
/// kept once, under the first log that has them; a log that goes on from the shared events in
/// another direction than a second one (a fork) has its own events labelled as its branch.
pub fn build(logs: Vec<LoadedLog>) -> Timeline {
    let mut statuses = Vec::with_capacity(logs.len());
    let mut warnings = Vec::new();
    let mut entries = Vec::new();
    let shared = super::merge::Shared::new(&logs);
    let merge_notes = shared.notes(&logs);
    let (fork_warnings, branch_from) = shared.forks(&logs);
    for (li, loaded) in logs.into_iter().enumerate() {
        let LoadedLog { path, log } = loaded;
        let status = log_status(&path, &log);
        match status.chain {
            ChainState::Intact => {}
            ChainState::Torn => warnings.push(format!(
                "`{path}`: the last line (line {}) is torn, written partially ({}); the {} before it are exported",
                status.line.unwrap_or(0),
                status.reason.as_deref().unwrap_or(""),
                human::count(status.events, "complete event", "complete events"),
            )),
            ChainState::Invalid => warnings.push(format!(
                "`{path}`: reading stopped at line {}: {}; the {} before it are exported, nothing after it",
                status.line.unwrap_or(0),
                status.reason.as_deref().unwrap_or(""),
                human::count(status.events, "valid event", "valid events"),
            )),
        }
        statuses.push(status);
        for (ri, record) in log.records.into_iter().enumerate() {
            if ri < shared.len[li] {
                continue;
            }
            let mut e = entry(li, record);
            if branch_from[li].is_some_and(|at| ri >= at) {
                e.summary = format!("[branch {path}] {}", e.summary);
                e.branch = Some(path.clone());
            }
            entries.push(e);
        }
    }
    warnings.extend(fork_warnings);
    entries.sort_by_key(|e| (e.time, e.log, e.seq));
    let start = entries
        .first()
        .map(|e| e.time)
        .unwrap_or(DateTime::UNIX_EPOCH);
    for e in &mut entries {
        e.offset_ms = ms_between(start, e.time);
    }

    // A claimed time the walk would have refused (after the line, or not a time): the time the
    // note was written stands, and the export says so.
    for e in &entries {
        if let Event::Note { at: Some(at), .. } = &e.event
            && e.claim().is_none()
        {
            warnings.push(format!(
                "`{}`: event {} claims the time `{at}`, after it was written or not a time; its time written ({}) is used",
                statuses[e.log].path, e.seq, e.ts
            ));
        }
    }
    let header = header(&entries, &statuses, &mut warnings);
    let sessions = sessions(&entries);
    // Each log's whole chain, the events it shares with an earlier log included (those are
    // replayed for state only, so that nothing shared is counted twice).
    let at: HashMap<(usize, u64), usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.log, e.seq), i))
        .collect();
    let per_log: Vec<Chain> = (0..statuses.len())
        .map(|li| Chain {
            events: (0..shared.lens[li])
                .filter_map(|ri| {
                    at.get(&(shared.owner(li, ri), shared.seqs[li][ri]))
                        .copied()
                })
                .collect(),
            replayed: shared.len[li],
        })
        .collect();
    let mut runbooks = runbook_sections(&entries, &per_log);
    let steps = if runbooks.len() < 2 {
        steps(&entries, &per_log, start, None)
    } else {
        // Each runbook's steps from its own logs only: two runbooks may both have a step 1 or a
        // step `check`.
        for section in &mut runbooks {
            let own: Vec<Chain> = per_log
                .iter()
                .enumerate()
                .map(|(li, c)| Chain {
                    events: if section.logs.contains(&li) {
                        c.events.clone()
                    } else {
                        Vec::new()
                    },
                    replayed: c.replayed,
                })
                .collect();
            section.steps = steps(&entries, &own, start, Some(&section.logs));
        }
        runbooks.iter().flat_map(|r| r.steps.clone()).collect()
    };
    if runbooks.len() == 1 {
        runbooks[0].steps = steps.clone();
    }
    for e in &mut entries {
        let own = runbooks
            .iter()
            .find(|r| r.logs.contains(&e.log))
            .filter(|_| runbooks.len() > 1)
            .map_or(&steps, |r| &r.steps);
        if let Event::StepFinished { step_id, .. } = &e.event
            && let Some(s) = own.iter().find(|s| &s.id == step_id)
        {
            e.summary = match e.summary.split_once(": ") {
                Some((head, reason)) => format!("{head}: {} ({reason})", s.title),
                None => format!("{}: {}", e.summary, s.title),
            };
        }
    }
    let commands = commands(&entries, &per_log);
    let milestones = milestones(&entries, &header);
    Timeline {
        header,
        logs: statuses,
        warnings,
        merge_notes,
        sessions,
        steps,
        runbooks,
        milestones,
        commands,
        entries,
    }
}

/// The runbooks walked, told apart by title and file name, in the order first walked; each log
/// belongs to the runbook its first session walks (a log without a session start to the first
/// runbook). The file name, not the whole path: responders walk the same runbook from their own
/// checkouts (`runbooks/failover.md`, `../ops/runbooks/failover.md`); the same file at another
/// version stays one section, and a warning says so.
fn runbook_sections(entries: &[Entry], per_log: &[Chain]) -> Vec<RunbookSection> {
    let mut sections: Vec<RunbookSection> = Vec::new();
    let mut orphans = Vec::new();
    let mut first_seen: Vec<(DateTime<Utc>, usize)> = Vec::new();
    for (li, chain) in per_log.iter().enumerate() {
        let found = chain
            .events
            .iter()
            .find_map(|&i| runbook_of(&entries[i].event).map(|(rb, _)| (rb, entries[i].time)));
        let Some((rb, time)) = found else {
            orphans.push(li);
            continue;
        };
        match sections
            .iter()
            .position(|s| s.runbook.title == rb.title && same_file_name(&s.runbook.path, &rb.path))
        {
            Some(pos) => {
                sections[pos].logs.push(li);
                first_seen[pos].0 = first_seen[pos].0.min(time);
            }
            None => {
                first_seen.push((time, sections.len()));
                sections.push(RunbookSection {
                    runbook: RunbookInfo {
                        path: rb.path.clone(),
                        title: rb.title.clone(),
                        sha256: rb.sha256.clone(),
                        steps: rb.steps,
                    },
                    logs: vec![li],
                    steps: Vec::new(),
                });
            }
        }
    }
    first_seen.sort();
    let mut ordered: Vec<RunbookSection> = first_seen
        .into_iter()
        .map(|(_, i)| sections[i].clone())
        .collect();
    if let Some(first) = ordered.first_mut() {
        first.logs.extend(orphans);
        first.logs.sort_unstable();
    }
    ordered
}

/// Whether two runbook paths, as logged, name files of the same name.
fn same_file_name(a: &str, b: &str) -> bool {
    file_name(a) == file_name(b)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl RunbookSection {
    /// The section's name for a reader: its title, and its file name when another section has
    /// the same title (two teams' `Failover`).
    pub fn label(&self, all: &[RunbookSection]) -> String {
        let shared = all
            .iter()
            .filter(|o| o.runbook.title == self.runbook.title)
            .count()
            > 1;
        if shared {
            format!("{} ({})", self.runbook.title, file_name(&self.runbook.path))
        } else {
            self.runbook.title.clone()
        }
    }
}

fn log_status(path: &str, log: &ExistingLog) -> LogStatus {
    let (chain, line, reason) = match (&log.problem, &log.torn_tail) {
        (Some(p), _) => (ChainState::Invalid, Some(p.line), Some(p.reason.clone())),
        (None, Some(torn)) => (
            ChainState::Torn,
            Some(log.lines),
            Some(human::count(torn.len(), "byte", "bytes")),
        ),
        (None, None) => (ChainState::Intact, None, None),
    };
    LogStatus {
        path: path.to_string(),
        events: log.records.len(),
        chain,
        line,
        reason,
        first: log.records.first().map(|r| r.ts.clone()),
        last: log.records.last().map(|r| r.ts.clone()),
    }
}

fn entry(log: usize, record: Record) -> Entry {
    let (kind, step, summary) = describe(&record.event);
    Entry {
        log,
        seq: record.seq,
        time: parse_time(&record.ts),
        ts: record.ts,
        offset_ms: 0,
        operator: record.operator,
        session: record.session,
        kind,
        step,
        summary,
        event: record.event,
        branch: None,
    }
}

fn command_label(step: usize, command: usize, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("step {step} command {command} ({n})"),
        None => format!("step {step} command {command}"),
    }
}

/// The kind, step and one-line summary of an event.
fn describe(event: &Event) -> (Kind, Option<usize>, String) {
    match event {
        Event::SessionStarted {
            runbook,
            hostname,
            mode,
            ..
        } => (
            Kind::Session,
            None,
            format!(
                "session started: {} walk of {} on {hostname}",
                mode.label(),
                runbook.title
            ),
        ),
        Event::SessionResumed {
            hostname,
            step,
            runbook_changed,
            changed_steps,
            forced,
            ..
        } => {
            let mut s = format!("session resumed at step {step} on {hostname}");
            if *runbook_changed {
                s.push_str("; the runbook changed since the log began");
                if !changed_steps.is_empty() {
                    let list: Vec<String> = changed_steps.iter().map(ToString::to_string).collect();
                    s.push_str(&format!(" (steps {})", list.join(", ")));
                }
            }
            if *forced {
                s.push_str("; forced");
            }
            (Kind::Session, None, s)
        }
        Event::LogRepaired { torn_bytes, .. } => (
            Kind::Log,
            None,
            format!(
                "log repaired: a torn last line of {torn_bytes} bytes was cut off and kept here"
            ),
        ),
        Event::SessionPaused {
            reason,
            signal: Some(signal),
        } => (
            Kind::Session,
            None,
            format!("session paused: {reason} ({signal})"),
        ),
        Event::SessionPaused { reason, .. } => {
            (Kind::Session, None, format!("session paused: {reason}"))
        }
        Event::SessionFinished {
            done,
            skipped,
            failed,
            rehearsed,
        } => (
            Kind::Session,
            None,
            format!(
                "session finished: {done} done, {skipped} skipped, {failed} failed, {rehearsed} rehearsed"
            ),
        ),
        Event::StepStarted { step, title, .. } => (
            Kind::Step,
            Some(*step),
            format!("step {step} started: {title}"),
        ),
        Event::StepFinished {
            step,
            status,
            reason,
            ..
        } => {
            let mut s = format!("step {step} {}", StepState::from(*status).label());
            if let Some(r) = reason {
                s.push_str(&format!(": {r}"));
            }
            (Kind::Step, Some(*step), s)
        }
        Event::CommandStarted {
            step,
            command,
            name,
            code,
            attempt,
            placeholders,
            ..
        } => {
            let mut s = format!(
                "{} started",
                command_label(*step, *command, name.as_deref())
            );
            if *attempt > 1 {
                s.push_str(&format!(" (attempt {attempt})"));
            }
            s.push_str(&format!(": {}", text::one_line(code, 80)));
            // The code keeps its `<placeholders>`: a reviewer needs what stood in for them.
            if !placeholders.is_empty() {
                let values: Vec<String> = placeholders
                    .iter()
                    .map(|p| {
                        let value = p.value.as_deref().unwrap_or("[secret]");
                        format!("{}={}", p.text, text::one_line(value, 40))
                    })
                    .collect();
                s.push_str(&format!(" (with {})", values.join(", ")));
            }
            (Kind::Command, Some(*step), s)
        }
        Event::CommandFinished {
            step,
            command,
            exit_code,
            signal,
            success,
            duration_ms,
            timed_out,
            interrupted,
            ..
        } => {
            let how = match (exit_code, signal) {
                (_, Some(sig)) => format!("killed by {sig}"),
                (Some(code), None) => format!("exit {code}"),
                (None, None) => "no exit code".to_string(),
            };
            let mut s = format!(
                "{} {}: {how} in {}",
                command_label(*step, *command, None),
                if *success { "succeeded" } else { "failed" },
                human::duration_ms(*duration_ms)
            );
            if *timed_out {
                s.push_str(" (timed out)");
            }
            if *interrupted {
                s.push_str(" (interrupted)");
            }
            (Kind::Command, Some(*step), s)
        }
        Event::CommandSkipped {
            step,
            command,
            reason,
            automatic,
        } => (
            Kind::Command,
            Some(*step),
            format!(
                "{} skipped{}: {reason}",
                command_label(*step, *command, None),
                if *automatic { " (automatic)" } else { "" }
            ),
        ),
        Event::CommandDone {
            step,
            command,
            automatic,
            place,
            program,
        } => (
            Kind::Command,
            Some(*step),
            format!(
                "{} done by hand{}{}{}",
                command_label(*step, *command, None),
                program
                    .as_ref()
                    .map_or(String::new(), |p| format!(" in {p}")),
                place.as_ref().map_or(String::new(), |p| format!(" {p}")),
                if *automatic { " (automatic)" } else { "" }
            ),
        ),
        Event::ChecklistItem {
            step,
            item,
            text,
            number,
            ..
        } => (
            Kind::Checklist,
            Some(*step),
            format!(
                "step {step} item {} checked: {}",
                number.clone().unwrap_or_else(|| item.to_string()),
                text::one_line(text, 120)
            ),
        ),
        Event::Note {
            step,
            kind,
            text,
            at,
        } => {
            let k = if matches!(
                kind,
                NoteKind::Detected | NoteKind::Mitigated | NoteKind::Resolved
            ) {
                Kind::Milestone
            } else {
                Kind::Note
            };
            // A back-dated note says the time it claims; the row's time is when it was written.
            let claimed = at
                .as_deref()
                .map(|at| format!(" (at {})", human::utc(at)))
                .unwrap_or_default();
            (
                k,
                *step,
                format!("{}{claimed}: {}", kind.label(), text::one_line(text, 200)),
            )
        }
        Event::Handoff { from, to } => (Kind::Handoff, None, format!("hand-off: {from} → {to}")),
        Event::LookupResult {
            step,
            lookup,
            label,
            region,
            datapoints,
            verdict,
            alarms,
            error,
            ..
        } => {
            let name = label.clone().unwrap_or_else(|| format!("lookup {lookup}"));
            let what = if let Some(e) = error {
                format!("error: {}", e.message)
            } else if let Some(alarms) = alarms {
                let firing = alarms
                    .iter()
                    .filter(|a| a.state == AlarmState::Alarm)
                    .count();
                format!(
                    "{} ({firing} in ALARM)",
                    human::count(alarms.len(), "alarm", "alarms")
                )
            } else if let Some(last) = datapoints.last() {
                format!(
                    "latest {} ({})",
                    human::number(last.value),
                    human::count(datapoints.len(), "datapoint", "datapoints")
                )
            } else {
                "no data".to_string()
            };
            let verdict = verdict
                .as_ref()
                .map(|v| format!(" [{v}]"))
                .unwrap_or_default();
            (
                Kind::Lookup,
                Some(*step),
                format!("{name} in {region}: {what}{verdict}"),
            )
        }
        Event::GuardAlarm {
            region,
            alarm,
            state,
            reason,
            since,
        } => (
            Kind::GuardAlarm,
            None,
            format!(
                "guard alarm {alarm} in {region} is {state}{}: {}",
                since
                    .as_deref()
                    .map(|t| format!(" since {}", human::clock(t)))
                    .unwrap_or_default(),
                text::one_line(reason, 200)
            ),
        ),
        Event::CommandApproved {
            step,
            command,
            attempt,
            how,
            code_sha256,
        } => {
            let by = match how {
                ApprovalHow::Key => "by a key",
                ApprovalHow::TypedYes => "by typing yes",
                ApprovalHow::YesFlag => "by --yes",
                ApprovalHow::AllowDangerFlag => "by --yes --allow-danger",
            };
            let mut s = format!("{} approved {by}", command_label(*step, *command, None));
            if *attempt > 1 {
                s.push_str(&format!(" (attempt {attempt})"));
            }
            s.push_str(&format!("; sha256 {}", short(code_sha256)));
            (Kind::Command, Some(*step), s)
        }
        Event::CommandRefused {
            step,
            command,
            answer,
            ..
        } => (
            Kind::Command,
            Some(*step),
            if answer.is_empty() {
                format!(
                    "{} refused: the question was cancelled",
                    command_label(*step, *command, None)
                )
            } else {
                format!(
                    "{} refused: answered `{}`",
                    command_label(*step, *command, None),
                    text::one_line(answer, 80)
                )
            },
        ),
        Event::GuardOverride {
            region,
            alarm,
            state,
        } => (
            Kind::GuardAlarm,
            None,
            format!("guard alarm {alarm} in {region} is {state}: the operator went on anyway"),
        ),
        Event::CommandEdited {
            step,
            command,
            code,
            ..
        } => (
            Kind::Command,
            Some(*step),
            format!(
                "{} edited before running: {}",
                command_label(*step, *command, None),
                text::one_line(code, 80)
            ),
        ),
        Event::VariableSet {
            name,
            source,
            value,
        } => (
            Kind::Session,
            None,
            match value {
                Some(v) => format!(
                    "variable {name} = {} ({})",
                    text::one_line(v, 200),
                    source.as_str()
                ),
                None => format!("variable {name} set (secret, {})", source.as_str()),
            },
        ),
        Event::GuardUnavailable { region, error } => (
            Kind::GuardAlarm,
            None,
            format!(
                "guard alarms cannot be read in {region}: {}",
                text::one_line(&error.message, 200)
            ),
        ),
        Event::GuardRecovered { region } => (
            Kind::GuardAlarm,
            None,
            format!("guard alarms can be read again in {region}"),
        ),
    }
}

fn runbook_of(event: &Event) -> Option<(&RunbookRef, Mode)> {
    match event {
        Event::SessionStarted { runbook, mode, .. }
        | Event::SessionResumed { runbook, mode, .. } => Some((runbook, *mode)),
        _ => None,
    }
}

fn header(entries: &[Entry], logs: &[LogStatus], warnings: &mut Vec<String>) -> Header {
    let mut operators: Vec<String> = Vec::new();
    let mut hostnames: Vec<String> = Vec::new();
    let mut regions = BTreeSet::new();
    let mut modes = BTreeSet::new();
    let mut incident: Option<String> = None;
    let mut incidents_seen = BTreeSet::new();
    let mut runbook: Option<(RunbookInfo, usize)> = None;
    // Each runbook walked (title and file name), as first seen, and the log that first walks it.
    let mut walked: Vec<(RunbookInfo, usize)> = Vec::new();
    let mut variables = Vec::new();
    let mut other_runbooks: Vec<String> = Vec::new();
    for e in entries {
        if !operators.contains(&e.operator) {
            operators.push(e.operator.clone());
        }
        match &e.event {
            Event::SessionStarted {
                hostname,
                incident: inc,
                variables: vars,
                ..
            } => {
                if !hostnames.contains(hostname) {
                    hostnames.push(hostname.clone());
                }
                note_incident(inc, &mut incident, &mut incidents_seen);
                if variables.is_empty() {
                    variables = vars.clone();
                }
            }
            Event::SessionResumed { hostname, .. } if !hostnames.contains(hostname) => {
                hostnames.push(hostname.clone());
            }
            Event::Handoff { to, .. } if !operators.contains(to) => operators.push(to.clone()),
            // A value set during the walk: the header shows the last value of each variable.
            Event::VariableSet {
                name,
                source,
                value,
            } => {
                let logged = LoggedVariable {
                    name: name.clone(),
                    value: value.clone(),
                    secret: value.is_none(),
                    source: *source,
                };
                match variables
                    .iter_mut()
                    .find(|v: &&mut LoggedVariable| &v.name == name)
                {
                    Some(v) => *v = logged,
                    None => variables.push(logged),
                }
            }
            Event::LookupResult { region, .. }
            | Event::GuardAlarm { region, .. }
            | Event::GuardUnavailable { region, .. }
            | Event::GuardRecovered { region } => {
                regions.insert(region.clone());
            }
            _ => {}
        }
        if let Some((rb, mode)) = runbook_of(&e.event) {
            modes.insert(mode.label());
            let info = || RunbookInfo {
                path: rb.path.clone(),
                title: rb.title.clone(),
                sha256: rb.sha256.clone(),
                steps: rb.steps,
            };
            if runbook.is_none() {
                runbook = Some((info(), e.log));
            }
            // Another runbook (another title or file) is a section of its own, not a mistake;
            // the same file from another checkout neither. The same one at another version is
            // worth a warning: its steps may not be the ones the other log walked.
            match walked
                .iter()
                .find(|(w, _)| w.title == rb.title && same_file_name(&w.path, &rb.path))
            {
                None => walked.push((info(), e.log)),
                Some((first, first_log))
                    if matches!(e.event, Event::SessionStarted { .. })
                        && first.sha256 != rb.sha256 =>
                {
                    let this = &logs[e.log].path;
                    let w = format!(
                        "`{this}` walks `{}` (sha256 {}), another version of `{}` (sha256 {}) that `{}` walks",
                        rb.path,
                        short(&rb.sha256),
                        first.path,
                        short(&first.sha256),
                        logs[*first_log].path
                    );
                    if !other_runbooks.contains(&w) {
                        other_runbooks.push(w);
                    }
                }
                Some(_) => {}
            }
        }
    }
    warnings.extend(other_runbooks);
    if incidents_seen.len() > 1 {
        let list: Vec<String> = incidents_seen.iter().map(|i| format!("`{i}`")).collect();
        warnings.push(format!(
            "the logs name different incidents: {}",
            list.join(", ")
        ));
    }
    let mode = match modes.len() {
        0 => "unknown".to_string(),
        1 => modes
            .iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default(),
        _ => "mixed".to_string(),
    };
    let (start, end) = match (entries.first(), entries.last()) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Header {
                incident,
                runbook: runbook.map(|r| r.0),
                mode,
                operators,
                hostnames,
                start: String::new(),
                end: String::new(),
                duration_ms: 0,
                regions: regions.into_iter().collect(),
                variables,
            };
        }
    };
    Header {
        incident,
        runbook: runbook.map(|r| r.0),
        mode,
        operators,
        hostnames,
        start: start.ts.clone(),
        end: end.ts.clone(),
        duration_ms: ms_between(start.time, end.time),
        regions: regions.into_iter().collect(),
        variables,
    }
}

fn note_incident(inc: &Option<String>, incident: &mut Option<String>, seen: &mut BTreeSet<String>) {
    if let Some(i) = inc {
        seen.insert(i.clone());
        if incident.is_none() {
            *incident = Some(i.clone());
        }
    }
}

/// The first 12 hex digits of a digest.
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn sessions(entries: &[Entry]) -> Vec<SessionInfo> {
    let mut out: Vec<SessionInfo> = Vec::new();
    let mut by_key: HashMap<(usize, &str), usize> = HashMap::new();
    for e in entries {
        let key = (e.log, e.session.as_str());
        let i = match by_key.get(&key) {
            Some(&i) => i,
            None => {
                let (resumed, hostname, tool_version, mode) = match &e.event {
                    Event::SessionStarted {
                        hostname,
                        tool_version,
                        mode,
                        ..
                    } => (false, hostname.clone(), tool_version.clone(), *mode),
                    Event::SessionResumed {
                        hostname,
                        tool_version,
                        mode,
                        ..
                    } => (true, hostname.clone(), tool_version.clone(), *mode),
                    _ => (true, String::new(), String::new(), Mode::Live),
                };
                out.push(SessionInfo {
                    log: e.log,
                    session: e.session.clone(),
                    operator: e.operator.clone(),
                    resumed,
                    hostname,
                    tool_version,
                    mode,
                    start: e.ts.clone(),
                    end: e.ts.clone(),
                    outcome: "interrupted".into(),
                    reason: None,
                });
                by_key.insert(key, out.len() - 1);
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.end = e.ts.clone();
        match &e.event {
            Event::SessionFinished { .. } => {
                s.outcome = "finished".into();
                s.reason = None;
            }
            Event::SessionPaused { reason, signal } => {
                s.outcome = "paused".into();
                s.reason = Some(match signal {
                    Some(signal) => format!("{reason} ({signal})"),
                    None => reason.clone(),
                });
            }
            _ => {}
        }
    }
    out
}

/// One log's events in `seq` order (indexes into the entries); the first `replayed` were given by
/// an earlier log, so they set up state (which step is open, which command runs) and count nothing.
struct Chain {
    events: Vec<usize>,
    replayed: usize,
}

/// The steps of the logs in `per_log`; with `only`, the outline is read from those logs alone.
fn steps(
    entries: &[Entry],
    per_log: &[Chain],
    start: DateTime<Utc>,
    only: Option<&[usize]>,
) -> Vec<StepSummary> {
    let mut steps: Vec<StepSummary> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let new_step = |index: usize, id: &str, title: &str| StepSummary {
        index,
        id: id.to_string(),
        title: title.to_string(),
        status: StepState::NotStarted,
        reason: None,
        start: None,
        start_offset_ms: None,
        end: None,
        duration_ms: None,
        operator: None,
        runs: 0,
        commands: 0,
        failed_commands: 0,
        max_attempt: 0,
        open_run: false,
    };
    // The outline of the first session that has one gives every step, reached or not.
    if let Some((rb, _)) = entries
        .iter()
        .filter(|e| only.is_none_or(|logs| logs.contains(&e.log)))
        .find_map(|e| runbook_of(&e.event).filter(|(rb, _)| !rb.outline.is_empty()))
    {
        for (i, o) in rb.outline.iter().enumerate() {
            if !by_id.contains_key(&o.id) {
                by_id.insert(o.id.clone(), steps.len());
                steps.push(new_step(i + 1, &o.id, &o.title));
            }
        }
    }
    let key = |id: &str, index: usize| {
        if id.is_empty() {
            format!("#{index}")
        } else {
            id.to_string()
        }
    };
    // Steps known by number only (command events), per log.
    for chain in per_log {
        let list = &chain.events;
        // Durations: the one definition shared with the walk's summary (`event::StepTimes`).
        let mut times = StepTimes::default();
        // The shared events' durations were counted under the log that gave them: only what this
        // log adds after them counts here (its total less the shared part's, ended where it ends).
        let mut shared_times = StepTimes::default();
        let mut by_index: HashMap<usize, usize> = HashMap::new();
        for (n, &i) in list.iter().enumerate() {
            let e = &entries[i];
            times.observe(e.time, &e.event);
            if n < chain.replayed {
                shared_times.observe(e.time, &e.event);
                if n + 1 == chain.replayed {
                    shared_times.end(e.time);
                }
                if let Event::StepStarted { step, step_id, .. }
                | Event::StepFinished { step, step_id, .. } = &e.event
                    && let Some(&pos) = by_id.get(&key(step_id, *step))
                {
                    by_index.insert(*step, pos);
                }
                continue;
            }
            match &e.event {
                Event::StepStarted {
                    step,
                    step_id,
                    title,
                } => {
                    let k = key(step_id, *step);
                    let pos = *by_id.entry(k).or_insert_with(|| {
                        steps.push(new_step(*step, step_id, title));
                        steps.len() - 1
                    });
                    by_index.insert(*step, pos);
                    let s = &mut steps[pos];
                    s.runs += 1;
                    if s.start.is_none() {
                        s.start = Some(e.ts.clone());
                        s.start_offset_ms = Some(ms_between(start, e.time));
                    }
                    if s.operator.is_none() {
                        s.operator = Some(e.operator.clone());
                    }
                    s.open_run = true;
                    if s.status == StepState::NotStarted {
                        s.status = StepState::InProgress;
                    }
                }
                Event::StepFinished {
                    step,
                    step_id,
                    status,
                    reason,
                } => {
                    let k = key(step_id, *step);
                    let pos = *by_id.entry(k).or_insert_with(|| {
                        steps.push(new_step(*step, step_id, step_id));
                        steps.len() - 1
                    });
                    by_index.insert(*step, pos);
                    let s = &mut steps[pos];
                    s.status = (*status).into();
                    s.reason = reason.clone();
                    s.end = Some(e.ts.clone());
                    s.operator = Some(e.operator.clone());
                    s.open_run = false;
                    if s.start.is_none() {
                        s.start = Some(e.ts.clone());
                        s.start_offset_ms = Some(ms_between(start, e.time));
                    }
                }
                Event::CommandStarted { step, attempt, .. } => {
                    if let Some(&pos) = by_index.get(step) {
                        let s = &mut steps[pos];
                        s.commands += 1;
                        s.max_attempt = s.max_attempt.max(*attempt);
                    }
                }
                Event::CommandFinished { step, success, .. } if !success => {
                    if let Some(&pos) = by_index.get(step) {
                        steps[pos].failed_commands += 1;
                    }
                }
                _ => {}
            }
        }
        if let Some(&last) = list.last() {
            times.end(entries[last].time);
        }
        let shared: HashMap<usize, i64> = shared_times.totals().collect();
        for (step, ms) in times.totals() {
            let ms = ms - shared.get(&step).copied().unwrap_or(0);
            if let Some(s) = by_index.get(&step).and_then(|&pos| steps.get_mut(pos)) {
                *s.duration_ms.get_or_insert(0) += ms;
            }
        }
    }
    for s in &mut steps {
        if s.open_run {
            s.status = StepState::InProgress;
        }
    }
    steps
}

/// The approval and the edit waiting for each `(step, command)`'s next start; the walk forgets
/// edits when a step is met again or the walk resumes.
fn track_approval_and_edit(
    event: &Event,
    i: usize,
    approvals: &mut HashMap<(usize, usize), usize>,
    edits: &mut HashMap<(usize, usize), usize>,
) {
    match event {
        Event::CommandApproved { step, command, .. } => {
            approvals.insert((*step, *command), i);
        }
        Event::CommandEdited { step, command, .. } => {
            edits.insert((*step, *command), i);
        }
        Event::StepStarted { step, .. } => edits.retain(|(s, _), _| s != step),
        Event::SessionStarted { .. } | Event::SessionResumed { .. } => edits.clear(),
        _ => {}
    }
}

fn commands(entries: &[Entry], per_log: &[Chain]) -> Vec<CommandRun> {
    let mut runs: Vec<CommandRun> = Vec::new();
    let run = |started, finished, other| CommandRun {
        started,
        finished,
        other,
        approved: None,
        edited: None,
    };
    // The run each `command_started` made, for logs that share it.
    let mut run_of_start: HashMap<usize, usize> = HashMap::new();
    for chain in per_log {
        let mut open: HashMap<(usize, usize), usize> = HashMap::new();
        let mut approvals: HashMap<(usize, usize), usize> = HashMap::new();
        let mut edits: HashMap<(usize, usize), usize> = HashMap::new();
        for (n, &i) in chain.events.iter().enumerate() {
            let event = &entries[i].event;
            track_approval_and_edit(event, i, &mut approvals, &mut edits);
            if n < chain.replayed {
                // Shared with a log read before: only the state, not a second run.
                match event {
                    Event::CommandStarted { step, command, .. } => {
                        if let Some(&r) = run_of_start.get(&i) {
                            open.insert((*step, *command), r);
                        }
                    }
                    Event::CommandFinished { step, command, .. } => {
                        open.remove(&(*step, *command));
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::CommandStarted { step, command, .. } => {
                    let key = (*step, *command);
                    open.insert(key, runs.len());
                    run_of_start.insert(i, runs.len());
                    runs.push(CommandRun {
                        approved: approvals.remove(&key),
                        edited: edits.get(&key).copied(),
                        ..run(Some(i), None, None)
                    });
                }
                Event::CommandFinished { step, command, .. } => {
                    match open.remove(&(*step, *command)) {
                        Some(r) if runs[r].finished.is_none() => runs[r].finished = Some(i),
                        // Started before a fork and finished on both branches: one run each.
                        Some(r) => runs.push(CommandRun {
                            finished: Some(i),
                            ..runs[r]
                        }),
                        None => runs.push(run(None, Some(i), None)),
                    }
                }
                Event::CommandSkipped { .. } | Event::CommandDone { .. } => {
                    runs.push(run(None, None, Some(i)));
                }
                _ => {}
            }
        }
    }
    runs.sort_by_key(CommandRun::first);
    runs
}

fn milestones(entries: &[Entry], header: &Header) -> Milestones {
    let first = |want: NoteKind| {
        entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(&e.event, Event::Note { kind, .. } if *kind == want))
            .min_by_key(|(i, e)| (e.claimed_time(), *i))
    };
    let detected = first(NoteKind::Detected);
    let mitigated = first(NoteKind::Mitigated);
    let resolved = first(NoteKind::Resolved);
    let (measured_from, reference) = match (detected, entries.first()) {
        (Some((_, d)), _) => (MeasuredFrom::Detected, Some(d)),
        (None, first) => (MeasuredFrom::SessionStart, first),
    };
    let since = |m: Option<(usize, &Entry)>| match (m, reference) {
        (Some((_, m)), Some(r)) => Some(ms_between(r.claimed_time(), m.claimed_time())),
        _ => None,
    };
    let claimed = |m: Option<(usize, &Entry)>| m.map(|(_, e)| e.claimed_ts().to_string());
    let noted = |m: Option<(usize, &Entry)>| {
        m.filter(|(_, e)| e.claimed_ts() != e.ts)
            .map(|(_, e)| e.ts.clone())
    };
    Milestones {
        detected: claimed(detected),
        mitigated: claimed(mitigated),
        resolved: claimed(resolved),
        detected_noted: noted(detected),
        mitigated_noted: noted(mitigated),
        resolved_noted: noted(resolved),
        notes: [detected, mitigated, resolved].map(|m| m.map(|(i, _)| i)),
        measured_from,
        reference: reference.map_or_else(|| header.start.clone(), |r| r.claimed_ts().to_string()),
        time_to_mitigate_ms: since(mitigated),
        time_to_resolve_ms: since(resolved),
    }
}

impl Entry {
    /// The time the event claims: a back-dated note's `at` (when it reads and is not after the
    /// line's `ts`), else when it was written.
    pub fn claimed_time(&self) -> DateTime<Utc> {
        self.claim().map_or(self.time, |(_, t)| t)
    }

    /// [`Entry::claimed_time`] as logged.
    pub fn claimed_ts(&self) -> &str {
        self.claim().map_or(self.ts.as_str(), |(ts, _)| ts)
    }

    /// Milliseconds since the start of the incident, at the claimed time.
    pub fn claimed_offset_ms(&self) -> i64 {
        self.offset_ms + ms_between(self.time, self.claimed_time())
    }

    fn claim(&self) -> Option<(&str, DateTime<Utc>)> {
        let Event::Note { at: Some(at), .. } = &self.event else {
            return None;
        };
        let t = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        (t <= self.time).then_some((at.as_str(), t))
    }
}

/// A lookup's query in one line: `AWS/EC2 CPUUtilization Average (InstanceId=i-1)`.
pub fn query_text(q: &LookupQuery) -> String {
    let metric = |m: &MetricStat| {
        let mut t = format!("{} {} {}", m.namespace, m.metric, m.stat);
        if !m.dimensions.is_empty() {
            let dims: Vec<String> = m
                .dimensions
                .iter()
                .map(|d| format!("{}={}", d.name, d.value))
                .collect();
            t.push_str(&format!(" ({})", dims.join(", ")));
        }
        t.trim().to_string()
    };
    let (mut out, expect) = match q {
        LookupQuery::Alarms { prefix, state } => {
            let mut t = format!("alarms {prefix}*");
            if let Some(state) = state {
                t.push_str(&format!(" in {state}"));
            }
            (t, None)
        }
        LookupQuery::Expression {
            expression,
            queries,
            expect,
            ..
        } => {
            let parts: Vec<String> = queries
                .iter()
                .map(|n| format!("{} = {}", n.id, metric(&n.metric)))
                .collect();
            (format!("{expression} where {}", parts.join("; ")), *expect)
        }
        LookupQuery::Metric {
            metric: m, expect, ..
        } => (metric(m), *expect),
    };
    if let Some(expect) = expect {
        out.push_str(&format!(", expect {expect}"));
    }
    out
}
