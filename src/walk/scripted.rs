//! Test doubles for the walk's ports: a scripted operator, a scripted shell, an in-memory log, a
//! fixed clock and canned CloudWatch, and a harness that walks a runbook on them. Unit tests only:
//! the real terminal and pseudo-terminal have their own tests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use chrono::{DateTime, Duration, FixedOffset, Offset, TimeZone, Utc};

use crate::event::{Clock, EventLog, LogError};

use std::path::PathBuf;

use super::ports::{
    Answer, CommandOutcome, CommandRunner, CommandSpec, Editor, Environment, Menu, Prompter, Tone,
};
use super::ports::{GuardAlarm, GuardNews, GuardUpdate};
use super::ports::{LookupData, LookupError, LookupOutcome, LookupRequest, Metrics};
use super::screen::{Question, Screen};
use super::state::SessionState;
use super::variables::Value;
use super::{Ending, Ports, SessionInfo, Walk, WalkOptions};
use crate::event::{Event, FORMAT_VERSION, Record};
use crate::event::{LookupErrorKind, Mode, VariableSource};
use crate::markdown::parse;

/// What the ports saw, in order: how the durability rule is checked on every scripted walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    /// An event written (not yet durable).
    Append(String),
    /// Everything written so far made durable.
    Commit,
    /// Something the operator or the world sees: a question, a command, a lookup, an editor.
    Action(&'static str),
}

thread_local! {
    // libtest runs each test on its own thread, so each test has its own journal.
    static JOURNAL: RefCell<Vec<Port>> = const { RefCell::new(Vec::new()) };
}

fn note(port: Port) {
    JOURNAL.with(|j| j.borrow_mut().push(port));
}

/// Takes this thread's journal.
pub fn take_journal() -> Vec<Port> {
    JOURNAL.with(|j| std::mem::take(&mut *j.borrow_mut()))
}

/// The rule of the log: every event is durable before the next action starts and when the walk
/// returns. Names each action (and the end) that found events not yet committed, with them.
pub fn durability_breaches(journal: &[Port]) -> Vec<String> {
    let mut pending: Vec<&str> = Vec::new();
    let mut breaches = Vec::new();
    for port in journal {
        match port {
            Port::Append(event) => pending.push(event),
            Port::Commit => pending.clear(),
            Port::Action(what) if !pending.is_empty() => {
                breaches.push(format!("{what} after uncommitted {pending:?}"));
            }
            Port::Action(_) => {}
        }
    }
    if !pending.is_empty() {
        breaches.push(format!("walk ended with uncommitted {pending:?}"));
    }
    breaches
}

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
    /// Ctrl-C at the prompt.
    CtrlC,
    /// A signal (`SIGTERM`, 15) ends the session at this question: it and every later one
    /// answer `Interrupted`, and [`Prompter::termination`] says so.
    Signal(&'static str, i32),
}

/// Answers from a script, recording everything shown; when the script runs out, nobody is there.
#[derive(Debug)]
pub struct ScriptedPrompter {
    pub replies: VecDeque<Reply>,
    pub transcript: Vec<String>,
    /// How screens are written down: [`describe`] by default, the terminal's layout in its tests.
    pub render: fn(&Screen<'_>) -> String,
    /// The keys of each menu offered, in order.
    pub menus: Vec<String>,
    /// Set by [`Reply::Signal`].
    pub ended: Option<crate::walk::ports::Termination>,
}

impl ScriptedPrompter {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        ScriptedPrompter {
            replies: replies.into_iter().collect(),
            transcript: Vec::new(),
            render: describe,
            menus: Vec::new(),
            ended: None,
        }
    }

    /// Everything shown, as one text.
    pub fn screen(&self) -> String {
        self.transcript.join("\n")
    }

    fn next(&mut self) -> Option<Reply> {
        if self.ended.is_none()
            && let Some(Reply::Signal(signal, number)) = self.replies.front().cloned()
        {
            self.replies.pop_front();
            self.ended = Some(crate::walk::ports::Termination {
                signal: signal.into(),
                number,
            });
        }
        if self.ended.is_some() {
            return Some(Reply::CtrlC);
        }
        self.replies.pop_front()
    }
}

impl Prompter for ScriptedPrompter {
    fn termination(&self) -> Option<crate::walk::ports::Termination> {
        self.ended.clone()
    }

    fn show(&mut self, screen: Screen<'_>) {
        self.transcript.push((self.render)(&screen));
    }

    fn notice(&mut self, tone: Tone, text: &str) {
        self.transcript.push(format!("{tone:?}: {text}"));
    }

    fn choose(&mut self, menu: &Menu<'_>) -> Answer<usize> {
        note(Port::Action("menu"));
        let prompt = describe_question(&menu.question);
        self.transcript.push(format!("? {prompt}"));
        self.menus
            .push(menu.choices.iter().map(|c| c.key).collect());
        match self.next() {
            Some(Reply::Key(c)) => match menu.choices.iter().position(|e| e.key == c) {
                Some(i) => Answer::Given(i),
                None => panic!(
                    "script pressed `{c}`, not offered at {prompt:?}: {:?}",
                    menu.choices
                ),
            },
            Some(Reply::Enter) => Answer::Given(menu.default),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(Reply::CtrlC) => Answer::Interrupted,
            Some(other) => panic!("script answered {other:?} to the menu {prompt:?}"),
            None => Answer::Unavailable,
        }
    }

    fn ask_text(&mut self, question: &str, default: Option<&str>) -> Answer<String> {
        note(Port::Action("question"));
        self.transcript.push(format!("? {question}"));
        match self.next() {
            Some(Reply::Text(t)) => Answer::Given(t),
            Some(Reply::Enter) => Answer::Given(default.unwrap_or("").to_string()),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(Reply::CtrlC) => Answer::Interrupted,
            Some(other) => panic!("script answered {other:?} to the question {question:?}"),
            None => Answer::Unavailable,
        }
    }

    fn ask_secret(&mut self, question: &str) -> Answer<String> {
        self.ask_text(question, None)
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        note(Port::Action("confirm"));
        self.transcript.push(format!("? {question}"));
        match self.next() {
            Some(Reply::Yes) => Answer::Given(true),
            Some(Reply::No) => Answer::Given(false),
            Some(Reply::Enter) => Answer::Given(default),
            Some(Reply::Cancel) => Answer::Cancelled,
            Some(Reply::CtrlC) => Answer::Interrupted,
            Some(other) => panic!("script answered {other:?} to the question {question:?}"),
            None => Answer::Unavailable,
        }
    }
}

/// A screen in brief, enough for the walk's own tests to see what was shown.
pub fn describe(screen: &Screen<'_>) -> String {
    match *screen {
        Screen::Header(h) => format!("[header {}]", h.runbook.title),
        Screen::Resuming(r) => format!("[resuming at step {}]", r.step),
        Screen::Step { step, total, .. } => {
            format!("[step {}/{total} {}]", step.index, step.title)
        }
        Screen::Lookup { outcomes } => {
            let regions: Vec<&str> = outcomes.iter().map(|o| o.request.region.as_str()).collect();
            let index = outcomes.first().map_or(0, |o| o.request.lookup.index);
            format!("[lookup {index} in {}]", regions.join(", "))
        }
        Screen::Command { command, .. } => format!("[command {}]", command.index),
        Screen::Outcome {
            command, success, ..
        } => format!(
            "[command {command} {}]",
            if success { "succeeded" } else { "failed" }
        ),
        Screen::GuardAlarm(g) => format!("[guard alarm {} in {}]", g.alarm.name, g.region),
        Screen::Help => "[help]".into(),
        Screen::Approval(a) => format!(
            "[approve step {} command {}{}{}: {}]",
            a.step,
            a.command.index,
            if a.danger { " DANGER" } else { "" },
            if a.edited { " edited" } else { "" },
            a.text.trim_end()
        ),
        Screen::Earlier { past, .. } => {
            let list: Vec<String> = past.iter().map(|(n, p)| format!("{n}: {p:?}")).collect();
            format!("[earlier {}]", list.join("; "))
        }
        Screen::Context { runbook } => format!("[context {}]", runbook.title),
        Screen::Steps { rows, current, .. } => {
            let marks: Vec<String> = rows
                .iter()
                .map(|r| format!("{}:{:?}", r.step, r.status))
                .collect();
            format!("[steps at {current}: {}]", marks.join(" "))
        }
        Screen::Variables { rows } => {
            let shown: Vec<String> = rows
                .iter()
                .map(|r| format!("{}={:?}", r.name, r.state))
                .collect();
            format!("[variables {}]", shown.join(" "))
        }
    }
}

fn describe_question(question: &Question<'_>) -> String {
    match *question {
        Question::NextItem { item, .. } => format!("next: {item:?}"),
        Question::CommandFailed { command } => format!("command {command} failed"),
        Question::NoteKind => "kind of note".into(),
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
        note(Port::Action("command"));
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
        let kind = serde_json::to_value(&record.event)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_string))
            .unwrap_or_default();
        note(Port::Append(kind));
        self.records.push(record.clone());
        Ok(record)
    }

    fn commit(&mut self) -> Result<(), LogError> {
        note(Port::Commit);
        Ok(())
    }

    fn location(&self) -> String {
        "memory".into()
    }
}

/// Starts at 2026-11-22T03:00:00Z and moves one second per reading; its local zone is `offset`
/// (UTC unless a test says otherwise), whatever the machine's.
#[derive(Debug)]
pub struct FixedClock {
    next: Cell<DateTime<Utc>>,
    pub offset: FixedOffset,
}

impl Default for FixedClock {
    fn default() -> Self {
        FixedClock {
            next: Cell::new(
                Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
                    .single()
                    .unwrap_or_default(),
            ),
            offset: Utc.fix(),
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let now = self.next.get();
        self.next.set(now + Duration::seconds(1));
        now
    }

    fn local_offset(&self, _at: DateTime<Utc>) -> FixedOffset {
        self.offset
    }
}

/// CloudWatch with canned answers per (lookup, region), and guard news handed out once per poll.
#[derive(Debug, Default)]
pub struct ScriptedMetrics {
    pub answers: Vec<((usize, String), Result<LookupData, LookupError>)>,
    pub asked: Vec<LookupRequest>,
    pub news: VecDeque<Vec<GuardUpdate>>,
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

    /// The next poll of guard alarms returns `alarms` (newly in ALARM, not yet shown).
    pub fn guard(self, alarms: Vec<GuardAlarm>) -> Self {
        self.news(alarms.into_iter().map(GuardNews::Alarm).collect(), false)
    }

    /// The next poll returns `news`, `shown` already (as a status line) or not.
    pub fn news(mut self, news: Vec<GuardNews>, shown: bool) -> Self {
        self.news.push_back(
            news.into_iter()
                .map(|news| GuardUpdate { news, shown })
                .collect(),
        );
        self
    }
}

impl Metrics for ScriptedMetrics {
    fn lookup(&mut self, requests: &[LookupRequest]) -> Vec<LookupOutcome> {
        note(Port::Action("lookup"));
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

    fn guard_news(&mut self) -> Vec<GuardUpdate> {
        self.news.pop_front().unwrap_or_default()
    }
}

/// An editor that returns scripted edits in turn, recording the text it was given each time;
/// when the script runs out, the operator changed nothing.
#[derive(Debug, Default)]
pub struct ScriptedEditor {
    pub edits: VecDeque<Result<Option<String>, String>>,
    pub opened: Vec<String>,
}

impl Editor for ScriptedEditor {
    fn edit(&mut self, text: &str) -> Result<Option<String>, String> {
        note(Port::Action("editor"));
        self.opened.push(text.to_string());
        self.edits.pop_front().unwrap_or(Ok(None))
    }
}

/// Walks a runbook on the doubles above with the session variables `NODE`, `TOKEN` (secret) and `LB`.
pub struct Harness {
    pub ui: ScriptedPrompter,
    pub runner: ScriptedRunner,
    pub log: MemoryLog,
    pub clock: FixedClock,
    pub env: Vec<(String, String)>,
    pub metrics: Option<ScriptedMetrics>,
    pub editor: ScriptedEditor,
    /// The walk's own end-of-walk summary, after `walk` or `resume`.
    pub summary: Option<super::screen::Summary>,
    /// The values known when the walk starts (as from `--var`); the rest are asked when needed.
    pub values: Vec<Value>,
    /// What the ports saw during the last walk or resume.
    pub journal: Vec<Port>,
}

impl Harness {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Harness {
            ui: ScriptedPrompter::new(replies),
            runner: ScriptedRunner::default(),
            log: MemoryLog::default(),
            clock: FixedClock::default(),
            env: Vec::new(),
            metrics: None,
            editor: ScriptedEditor::default(),
            summary: None,
            values: preset_values(),
            journal: Vec::new(),
        }
    }

    pub fn walk(&mut self, text: &str, opts: WalkOptions) -> Ending {
        let env = self.env.clone();
        self.walk_in(text, opts, &env)
    }

    /// [`walk`](Self::walk) on a machine described by `env`.
    pub fn walk_in(&mut self, text: &str, opts: WalkOptions, env: &dyn Environment) -> Ending {
        let runbook = parse("rb.md", text).runbook;
        let state = SessionState::new(&runbook, "alice");
        self.walk_on(&runbook, opts, state, None, env)
    }

    /// Resumes the walk in this harness's log, as `runbook resume` does: the state rebuilt from
    /// the log, `session_resumed` appended, the walk continued at the first unfinished step.
    pub fn resume(&mut self, text: &str, opts: WalkOptions) -> Ending {
        let runbook = parse("rb.md", text).runbook;
        let mut state = SessionState::new(&runbook, "alice");
        for record in &self.log.records {
            state.apply(record);
        }
        let Some(next) = state.next_unfinished(0) else {
            return Ending::Finished { failed: 0 };
        };
        let resumed = self
            .log
            .append(
                &state.operator,
                Event::SessionResumed {
                    runbook: Walk::runbook_ref(&runbook),
                    tool_version: "t".into(),
                    hostname: "h".into(),
                    mode: opts.mode,
                    runbook_changed: false,
                    changed_steps: Vec::new(),
                    forced: false,
                    step: next + 1,
                },
            )
            .unwrap();
        state.apply(&resumed);
        let env = self.env.clone();
        self.walk_on(&runbook, opts, state, Some(next), &env)
    }

    /// The summary the walk printed at its end, from the last walk or resume.
    fn walk_on(
        &mut self,
        runbook: &crate::runbook::Runbook,
        opts: WalkOptions,
        state: SessionState,
        resume_at: Option<usize>,
        env: &dyn Environment,
    ) -> Ending {
        let values = self.values.clone();
        let started = self.clock.now();
        let ports = Ports {
            ui: &mut self.ui,
            runner: &mut self.runner,
            log: &mut self.log,
            clock: &self.clock,
            env,
            metrics: self.metrics.as_mut().map(|m| m as &mut dyn Metrics),
            editor: &mut self.editor,
        };
        let mut walk = Walk::new(runbook, opts, ports, values, state, started);
        let from = match resume_at {
            Some(from) => from,
            None => {
                walk.begin(&SessionInfo {
                    tool_version: "t".into(),
                    hostname: "h".into(),
                    incident: Some("INC-1".into()),
                    runbook_file: None,
                    start_dir: None,
                })
                .unwrap();
                0
            }
        };
        let ending = walk.run(from).unwrap();
        self.summary = Some(walk.summary());
        self.journal = take_journal();
        let breaches = durability_breaches(&self.journal);
        assert!(
            breaches.is_empty(),
            "events not durable before an action: {breaches:#?}"
        );
        ending
    }

    /// The code of every command run, trimmed.
    pub fn ran(&self) -> Vec<String> {
        self.runner
            .ran
            .iter()
            .map(|s| s.code.trim().to_string())
            .collect()
    }
}

/// `NODE`, `TOKEN` (secret) and `LB`, as given before a walk.
pub fn preset_values() -> Vec<Value> {
    vec![
        Value {
            name: "NODE".into(),
            value: "fs-1".into(),
            secret: false,
            source: VariableSource::Flag,
        },
        Value {
            name: "TOKEN".into(),
            value: "s3cret".into(),
            secret: true,
            source: VariableSource::Prompt,
        },
        Value {
            name: "LB".into(),
            value: "app/voice-api/1".into(),
            secret: false,
            source: VariableSource::Default,
        },
    ]
}

/// Walk options for tests: commands run in `/`, no regions.
pub fn opts(mode: Mode, yes: bool, allow_danger: bool) -> WalkOptions {
    WalkOptions {
        mode,
        yes,
        allow_danger,
        cwd: PathBuf::from("/"),
        regions: Vec::new(),
    }
}

/// Three steps: a readonly check, a checklist with a `confirm` and a `danger` command, a manual block.
pub const RB: &str = "---
variables:
  NODE: {description: the node, default: fs-1}
  TOKEN: {secret: true}
---
# Restart

## Check
```bash {readonly}
check $NODE
```

## Restart
1. Drain
   ```bash {confirm}
   drain $NODE
   ```
2. Restart
   ```bash {danger}
   restart $NODE
   ```

## Verify
```
look at the dashboard
```
";

/// One step with a metric lookup in two regions, an alarm lookup and a command; guard alarms on.
pub const WATCHED: &str = "---
regions: [euw2]
guard_alarms: [freeswitch-]
variables:
  LB: {default: app/voice-api/1}
---
# Watched

## Look
```cloudwatch
namespace: AWS/ApplicationELB
metric: HTTPCode_Target_5XX_Count
dimensions:
  LoadBalancer: $LB
stat: Sum
regions: [euw2, euc1]
expect: \"< 10\"
label: 5xx on the voice API
```

```cloudwatch
alarms: freeswitch-
state: ALARM
```

```bash
restart it
```
";

/// A metric lookup's answer: one datapoint a minute.
pub fn points(values: &[f64]) -> LookupData {
    LookupData::Metric {
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-11-22T03:0{i}:00Z"), *v))
            .collect(),
    }
}
