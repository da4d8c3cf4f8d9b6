//! Test doubles for the walk's ports: a scripted operator, a scripted shell, an in-memory log and a fixed clock.
//! They make engine tests fast and deterministic; the real terminal and pseudo-terminal have their own tests.

use std::cell::Cell;
use std::collections::VecDeque;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::event::{Clock, EventLog, LogError};

use super::ports::{Answer, CommandOutcome, CommandRunner, CommandSpec, MenuEntry, Prompter, Tone};
use super::ports::{GuardAlarm, LookupData, LookupError, LookupOutcome, LookupRequest, Metrics};
use crate::event::LookupErrorKind;
use crate::event::{Event, FORMAT_VERSION, Record};

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Key(char),
    /// Enter at a menu: the default.
    Enter,
    Text(String),
    Yes,
    No,
    Cancel,
}

/// Answers from a script, recording everything shown; when the script runs out, nobody is there.
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    pub replies: VecDeque<Reply>,
    pub transcript: Vec<String>,
}

impl ScriptedPrompter {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        ScriptedPrompter {
            replies: replies.into_iter().collect(),
            transcript: Vec::new(),
        }
    }

    /// Everything shown, as one text.
    pub fn screen(&self) -> String {
        self.transcript.join("\n")
    }

    fn next(&mut self) -> Option<Reply> {
        self.replies.pop_front()
    }
}

impl Prompter for ScriptedPrompter {
    fn show(&mut self, text: &str) {
        self.transcript.push(text.to_string());
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        self.transcript.push(format!("{tone:?}: {text}"));
    }

    fn choose(&mut self, prompt: &str, entries: &[MenuEntry], default: char) -> Answer<char> {
        self.transcript.push(format!("? {prompt}"));
        match self.next() {
            Some(Reply::Key(c)) if entries.iter().any(|e| e.key == c) => Answer::Given(c),
            Some(Reply::Key(c)) => {
                panic!("script pressed `{c}`, not offered at {prompt:?}: {entries:?}")
            }
            Some(Reply::Enter) => Answer::Given(default),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(other) => panic!("script answered {other:?} to the menu {prompt:?}"),
            None => Answer::Unavailable,
        }
    }

    fn ask_text(&mut self, question: &str, default: Option<&str>) -> Answer<String> {
        self.transcript.push(format!("? {question}"));
        match self.next() {
            Some(Reply::Text(t)) => Answer::Given(t),
            Some(Reply::Enter) => Answer::Given(default.unwrap_or("").to_string()),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(other) => panic!("script answered {other:?} to the question {question:?}"),
            None => Answer::Unavailable,
        }
    }

    fn ask_secret(&mut self, question: &str) -> Answer<String> {
        self.ask_text(question, None)
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        self.transcript.push(format!("? {question}"));
        match self.next() {
            Some(Reply::Yes) => Answer::Given(true),
            Some(Reply::No) => Answer::Given(false),
            Some(Reply::Enter) => Answer::Given(default),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(other) => panic!("script answered {other:?} to the question {question:?}"),
            None => Answer::Unavailable,
        }
    }
}

/// Returns scripted outcomes by command text (success for anything not scripted), recording every spec.
#[derive(Debug, Default)]
pub struct ScriptedRunner {
    pub outcomes: Vec<(String, VecDeque<CommandOutcome>)>,
    pub ran: Vec<CommandSpec>,
}

impl ScriptedRunner {
    /// The next runs of a command whose code contains `needle` end as `outcomes`, in order.
    pub fn on(mut self, needle: &str, outcomes: impl IntoIterator<Item = CommandOutcome>) -> Self {
        self.outcomes
            .push((needle.to_string(), outcomes.into_iter().collect()));
        self
    }

    pub fn exit(code: i32) -> CommandOutcome {
        CommandOutcome {
            exit_code: Some(code),
            duration_ms: 5,
            output: format!("exit {code}\r\n"),
            bytes: 8,
            ..CommandOutcome::default()
        }
    }
}

impl CommandRunner for ScriptedRunner {
    fn run(&mut self, spec: &CommandSpec) -> CommandOutcome {
        self.ran.push(spec.clone());
        for (needle, queue) in &mut self.outcomes {
            if spec.code.contains(needle.as_str())
                && let Some(outcome) = queue.pop_front()
            {
                return outcome;
            }
        }
        ScriptedRunner::exit(0)
    }
}

/// Records events in memory, hash-chained like the file.
#[derive(Debug, Default)]
pub struct MemoryLog {
    pub records: Vec<Record>,
    prev: Option<String>,
    clock: FixedClock,
}

impl MemoryLog {
    pub fn events(&self) -> Vec<&Event> {
        self.records.iter().map(|r| &r.event).collect()
    }

    /// The `type` of each event, for compact assertions.
    pub fn types(&self) -> Vec<String> {
        self.records
            .iter()
            .map(|r| {
                serde_json::to_value(&r.event)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl EventLog for MemoryLog {
    fn append(&mut self, operator: &str, event: Event) -> Result<Record, LogError> {
        let record = Record {
            v: FORMAT_VERSION,
            seq: self.records.len() as u64 + 1,
            ts: self
                .clock
                .now()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            operator: operator.to_string(),
            session: "test".into(),
            prev: self
                .prev
                .clone()
                .unwrap_or_else(|| crate::digest::sha256_hex(b"")),
            event,
        };
        let line = serde_json::to_string(&record).map_err(|e| LogError {
            path: "memory".into(),
            reason: e.to_string(),
        })?;
        self.prev = Some(crate::digest::sha256_hex(line.as_bytes()));
        self.records.push(record.clone());
        Ok(record)
    }

    fn location(&self) -> String {
        "memory".into()
    }
}

/// Starts at 2026-11-22T03:00:00Z and moves one second per reading.
#[derive(Debug)]
pub struct FixedClock {
    next: Cell<DateTime<Utc>>,
}

impl Default for FixedClock {
    fn default() -> Self {
        FixedClock {
            next: Cell::new(
                Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
                    .single()
                    .unwrap_or_default(),
            ),
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let now = self.next.get();
        self.next.set(now + Duration::seconds(1));
        now
    }
}

/// CloudWatch with canned answers per (lookup, region), and guard alarms handed out once.
#[derive(Debug, Default)]
pub struct ScriptedMetrics {
    pub answers: Vec<((usize, String), Result<LookupData, LookupError>)>,
    pub asked: Vec<LookupRequest>,
    pub guards: VecDeque<Vec<GuardAlarm>>,
}

impl ScriptedMetrics {
    pub fn answer(
        mut self,
        lookup: usize,
        region: &str,
        result: Result<LookupData, LookupError>,
    ) -> Self {
        self.answers.push(((lookup, region.to_string()), result));
        self
    }

    /// The next poll of guard alarms returns `alarms`.
    pub fn guard(mut self, alarms: Vec<GuardAlarm>) -> Self {
        self.guards.push_back(alarms);
        self
    }
}

impl Metrics for ScriptedMetrics {
    fn lookup(&mut self, requests: &[LookupRequest]) -> Vec<LookupOutcome> {
        requests
            .iter()
            .map(|r| {
                self.asked.push(r.clone());
                let result = self
                    .answers
                    .iter()
                    .find(|((i, region), _)| *i == r.lookup.index && region == &r.region)
                    .map(|(_, result)| result.clone())
                    .unwrap_or(Err(LookupError {
                        kind: LookupErrorKind::Other,
                        message: "not scripted".into(),
                    }));
                LookupOutcome {
                    request: r.clone(),
                    result,
                    duration_ms: 3,
                }
            })
            .collect()
    }

    fn default_region(&self) -> Option<String> {
        Some("us-east-2".into())
    }

    fn guard_alarms(&mut self) -> Vec<GuardAlarm> {
        self.guards.pop_front().unwrap_or_default()
    }
}
