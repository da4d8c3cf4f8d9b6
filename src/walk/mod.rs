//! The walk engine: steps, actions, safety gates and events. Pure: it reaches the world only through `ports`.

pub mod items;
pub mod ports;
pub mod safety;
pub mod scripted;
pub mod state;
pub mod variables;
pub mod view;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::event::{Clock, EventLog, LogError, Verdict};
use crate::event::{
    Datapoint, Event, LoggedLookupError, Mode, NoteKind, RunbookRef, StepOutline, StepStatus,
};
use crate::runbook::{Command, Dimension, Lookup, LookupQuery, Runbook, Step};
use crate::terminal::Paint;
use items::Item;
use ports::{
    Answer, CommandRunner, CommandSpec, LookupData, LookupOutcome, LookupRequest, MenuEntry,
    Metrics, Prompter, Tone,
};
use safety::Gate;
use state::{ItemStatus, SessionState};
use variables::Value;

/// Reason logged for commands a rehearsal does not run.
pub const REHEARSAL_REASON: &str = "rehearsal: only `readonly` commands run";

/// How the walk behaves.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub mode: Mode,
    /// Unattended: run commands and acknowledge manual items without asking.
    pub yes: bool,
    /// With `yes`: run `danger` commands too.
    pub allow_danger: bool,
    pub paint: Paint,
    /// Where commands run when they have no `cwd`.
    pub cwd: PathBuf,
    /// Regions for lookups that name none: `--region`, else the runbook's front matter.
    pub regions: Vec<String>,
}

/// The walk's connections to the world.
pub struct Ports<'a> {
    pub ui: &'a mut dyn Prompter,
    pub runner: &'a mut dyn CommandRunner,
    pub log: &'a mut dyn EventLog,
    pub clock: &'a dyn Clock,
    /// CloudWatch, when the runbook has lookups or guard alarms.
    pub metrics: Option<&'a mut dyn Metrics>,
}

/// How a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every step has a status.
    Finished { failed: usize },
    /// Paused by the operator (resumable).
    Paused { reason: String },
    /// Stopped by the tool: a command failed under `--yes`, or nobody is left to ask (resumable).
    Stopped { reason: String },
}

/// What the operator chose to do after a step.
enum StepExit {
    Next,
    Back,
    Jump(usize),
    Quit(String),
    Stop(String),
}

/// What running one command came to.
enum RunResult {
    Done,
    /// The command failed; the operator decides (or `--yes` stops).
    Failed,
    /// Not run, nothing recorded (the operator declined a confirmation).
    NotRun,
    /// Not run, recorded (rehearsal, `--yes` skip).
    Settled,
    /// A guard alarm fired and nobody can be asked: the walk stops.
    GuardStop(String),
}

/// Identifies what the session logs about itself.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub tool_version: String,
    pub hostname: String,
    pub incident: Option<String>,
}

pub struct Walk<'r, 'p> {
    runbook: &'r Runbook,
    opts: WalkOptions,
    ports: Ports<'p>,
    values: Vec<Value>,
    state: SessionState,
    started: DateTime<Utc>,
}

impl<'r, 'p> Walk<'r, 'p> {
    /// A walk of `runbook` whose session began at `started` (its first event), in `state`.
    pub fn new(
        runbook: &'r Runbook,
        opts: WalkOptions,
        ports: Ports<'p>,
        values: Vec<Value>,
        state: SessionState,
        started: DateTime<Utc>,
    ) -> Self {
        Walk {
            runbook,
            opts,
            ports,
            values,
            state,
            started,
        }
    }

    pub fn runbook_ref(runbook: &Runbook) -> RunbookRef {
        RunbookRef {
            path: runbook.path.clone(),
            title: runbook.title.clone(),
            sha256: runbook.sha256.clone(),
            steps: runbook.steps.len(),
            outline: runbook.steps.iter().map(outline).collect(),
        }
    }

    fn log(&mut self, event: Event) -> Result<(), LogError> {
        self.ports
            .log
            .append(&self.state.operator, event)
            .map(|_| ())
    }

    /// Logs `session_started` (the log file appears with it) and shows the header.
    pub fn begin(&mut self, info: &SessionInfo) -> Result<(), LogError> {
        let variables = self.values.iter().map(Value::logged).collect();
        self.log(Event::SessionStarted {
            runbook: Self::runbook_ref(self.runbook),
            tool_version: info.tool_version.clone(),
            hostname: info.hostname.clone(),
            mode: self.opts.mode,
            incident: info.incident.clone(),
            variables,
        })?;
        let mode = match self.opts.mode {
            Mode::Live => "live",
            Mode::Rehearsal => "REHEARSAL (only `readonly` commands run)",
        };
        let p = self.opts.paint;
        let header = format!(
            "{}\n{}",
            p.bold(&self.runbook.title),
            p.dim(&format!(
                "{} · sha256 {} · mode {mode} · incident {} · operator {}\nlog {}",
                self.runbook.path,
                &self.runbook.sha256[..12.min(self.runbook.sha256.len())],
                info.incident.as_deref().unwrap_or("-"),
                self.state.operator,
                self.ports.log.location()
            ))
        );
        self.ports.ui.show(&header);
        Ok(())
    }

    /// The walk from step `from` (0-based) until it finishes or pauses.
    pub fn run(&mut self, from: usize) -> Result<Ending, LogError> {
        let mut current = from;
        loop {
            let Some(i) = self.state.next_unfinished(current) else {
                return self.finish();
            };
            match self.walk_step(i)? {
                StepExit::Next => current = i + 1,
                StepExit::Back => {
                    current = i.saturating_sub(1);
                    self.state.steps[current].reopen();
                    self.state.steps[current].started_at = None;
                }
                StepExit::Jump(j) => {
                    current = j;
                    self.state.steps[j].reopen();
                    self.state.steps[j].started_at = None;
                }
                StepExit::Quit(reason) => {
                    self.log(Event::SessionPaused {
                        reason: reason.clone(),
                    })?;
                    return Ok(Ending::Paused { reason });
                }
                StepExit::Stop(reason) => {
                    self.log(Event::SessionPaused {
                        reason: reason.clone(),
                    })?;
                    return Ok(Ending::Stopped { reason });
                }
            }
        }
    }

    fn finish(&mut self) -> Result<Ending, LogError> {
        let count = |s| {
            self.state
                .steps
                .iter()
                .filter(|p| p.status == Some(s))
                .count()
        };
        let (done, skipped, failed, rehearsed) = (
            count(StepStatus::Done),
            count(StepStatus::Skipped),
            count(StepStatus::Failed),
            count(StepStatus::Rehearsed),
        );
        self.log(Event::SessionFinished {
            done,
            skipped,
            failed,
            rehearsed,
        })?;
        Ok(Ending::Finished { failed })
    }

    /// The summary table: step, status, duration.
    pub fn summary(&self) -> String {
        let mut rows = vec![[
            "STEP".to_string(),
            "STATUS".to_string(),
            "DURATION".to_string(),
            "TITLE".to_string(),
        ]];
        for (step, p) in self.runbook.steps.iter().zip(&self.state.steps) {
            let status = match p.status {
                Some(StepStatus::Done) => "done",
                Some(StepStatus::Skipped) => "skipped",
                Some(StepStatus::Failed) => "failed",
                Some(StepStatus::Rehearsed) => "rehearsed",
                None if p.started_at.is_some() => "in progress",
                None => "not started",
            };
            let duration = match (p.started_at, p.finished_at) {
                (Some(a), Some(b)) => crate::human::duration((b - a).to_std().unwrap_or_default()),
                _ => "-".into(),
            };
            rows.push([
                step.index.to_string(),
                status.into(),
                duration,
                step.full_title(),
            ]);
        }
        let widths: Vec<usize> = (0..3)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for row in rows {
            out.push_str(&format!(
                "{:>w0$}  {:<w1$}  {:>w2$}  {}\n",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            ));
        }
        out
    }

    fn elapsed(&self) -> String {
        crate::human::duration(
            (self.ports.clock.now() - self.started)
                .to_std()
                .unwrap_or_default(),
        )
    }

    fn step(&self, i: usize) -> &'r Step {
        &self.runbook.steps[i]
    }

    fn show_step(&mut self, i: usize) {
        let elapsed = self.elapsed();
        let text = view::step_view(
            self.step(i),
            self.runbook.steps.len(),
            &elapsed,
            &self.state.steps[i],
            self.opts.paint,
        );
        self.ports.ui.show(&text);
    }

    fn walk_step(&mut self, i: usize) -> Result<StepExit, LogError> {
        let step = self.step(i);
        // Every visit is logged, so a reviewer sees the operator come back to a step.
        self.log(Event::StepStarted {
            step: step.index,
            step_id: step.id.clone(),
            title: step.full_title(),
        })?;
        if self.state.steps[i].started_at.is_none() {
            self.state.steps[i].started_at = Some(self.ports.clock.now());
        }
        self.show_step(i);
        self.run_lookups(i)?;
        let empty = self.state.steps[i].items.is_empty();
        loop {
            let next = self.state.steps[i].next_pending();
            if next.is_none() && (self.opts.yes || !empty) {
                self.finish_step(i, None)?;
                return Ok(StepExit::Next);
            }
            if self.opts.yes {
                let (_, item) = next.expect("checked above");
                if let Some(exit) = self.auto_item(i, item)? {
                    return Ok(exit);
                }
                continue;
            }
            if let Some(exit) = self.menu(i, next.map(|(_, item)| item))? {
                return Ok(exit);
            }
        }
    }

    fn finish_step(&mut self, i: usize, skipped: Option<String>) -> Result<(), LogError> {
        let step = self.step(i);
        let progress = &mut self.state.steps[i];
        let status = if skipped.is_some() {
            StepStatus::Skipped
        } else {
            progress.outcome()
        };
        let reason = skipped.or_else(|| match status {
            StepStatus::Failed => Some("a command failed and the operator went on".into()),
            StepStatus::Skipped => Some("commands were skipped".into()),
            _ => None,
        });
        progress.status = Some(status);
        progress.reason = reason.clone();
        progress.finished_at = Some(self.ports.clock.now());
        self.log(Event::StepFinished {
            step: step.index,
            step_id: step.id.clone(),
            status,
            reason,
        })?;
        let tone = match status {
            StepStatus::Done | StepStatus::Rehearsed => Tone::Success,
            StepStatus::Skipped => Tone::Warning,
            StepStatus::Failed => Tone::Error,
        };
        let word = format!("{status:?}").to_lowercase();
        self.ports
            .ui
            .notice(tone, &format!("step {} {word}", step.index));
        Ok(())
    }

    /// `--yes`: handles one item without asking (except `confirm` commands).
    fn auto_item(&mut self, i: usize, item: Item) -> Result<Option<StepExit>, LogError> {
        let step = self.step(i);
        match item {
            Item::Command(n) if step.commands[n - 1].runnable => match self.run_command(i, n)? {
                RunResult::Done | RunResult::Settled => {}
                RunResult::NotRun => {
                    self.log(Event::CommandSkipped {
                        step: step.index,
                        command: n,
                        reason: "the operator declined to run it".into(),
                        automatic: false,
                    })?;
                    self.state.steps[i].set(item, ItemStatus::Skipped);
                }
                RunResult::Failed => {
                    return Ok(Some(StepExit::Stop(format!(
                        "command {n} of step {} failed under --yes; the walk stopped there",
                        step.index
                    ))));
                }
                RunResult::GuardStop(reason) => return Ok(Some(StepExit::Stop(reason))),
            },
            Item::Command(n) => {
                self.log(Event::CommandDone {
                    step: step.index,
                    command: n,
                    automatic: true,
                })?;
                self.state.steps[i].set(item, ItemStatus::Done);
            }
            Item::Check(n) => {
                self.log(Event::ChecklistItem {
                    step: step.index,
                    item: n,
                    text: step.checklist[n - 1].text.clone(),
                    automatic: true,
                })?;
                self.state.steps[i].set(item, ItemStatus::Done);
            }
        }
        Ok(None)
    }

    fn describe_next(&self, i: usize, next: Option<Item>) -> String {
        let step = self.step(i);
        match next {
            None => "nothing left to run: press Enter to mark the step done".into(),
            Some(item) => format!(
                "next: {}",
                view::item_line(step, item, ItemStatus::Pending, self.opts.paint)
            ),
        }
    }

    /// One round of the action menu; `Some` when the step is left.
    fn menu(&mut self, i: usize, next: Option<Item>) -> Result<Option<StepExit>, LogError> {
        let step = self.step(i);
        let runnable_next = matches!(next, Some(Item::Command(n)) if step.commands[n - 1].runnable);
        let any_runnable = self.state.steps[i].items.iter().any(|(item, s)| {
            *s == ItemStatus::Pending
                && matches!(item, Item::Command(n) if step.commands[n - 1].runnable)
        });
        let mut entries = Vec::new();
        if runnable_next {
            entries.push(MenuEntry {
                key: 'r',
                label: "run",
            });
        }
        if any_runnable {
            entries.push(MenuEntry {
                key: 'a',
                label: "run all",
            });
        }
        entries.extend([
            MenuEntry {
                key: 'd',
                label: "done by hand",
            },
            MenuEntry {
                key: 's',
                label: "skip step",
            },
            MenuEntry {
                key: 'n',
                label: "note",
            },
        ]);
        if i > 0 {
            entries.push(MenuEntry {
                key: 'b',
                label: "back",
            });
        }
        entries.extend([
            MenuEntry {
                key: 'j',
                label: "jump",
            },
            MenuEntry {
                key: 'h',
                label: "hand over",
            },
            MenuEntry {
                key: '?',
                label: "help",
            },
            MenuEntry {
                key: 'q',
                label: "quit",
            },
        ]);
        let default = if runnable_next { 'r' } else { 'd' };
        let prompt = self.describe_next(i, next);
        match self.ports.ui.choose(&prompt, &entries, default) {
            Answer::Given('r') => {
                if let Some(Item::Command(n)) = next {
                    return self.run_interactive(i, n);
                }
            }
            Answer::Given('a') => return self.run_all(i),
            Answer::Given('d') => match next {
                None => {
                    self.finish_step(i, None)?;
                    return Ok(Some(StepExit::Next));
                }
                Some(item) => self.done_by_hand(i, item)?,
            },
            Answer::Given('s') => {
                let reason = match self.ports.ui.ask_text("Why skip this step?", None) {
                    Answer::Given(r) if !r.trim().is_empty() => r,
                    Answer::Given(_) => "no reason given".into(),
                    _ => return Ok(None),
                };
                self.finish_step(i, Some(reason))?;
                return Ok(Some(StepExit::Next));
            }
            Answer::Given('n') => self.note(Some(step.index))?,
            Answer::Given('b') => return Ok(Some(StepExit::Back)),
            Answer::Given('j') => {
                if let Some(j) = self.ask_step() {
                    return Ok(Some(StepExit::Jump(j)));
                }
            }
            Answer::Given('h') => self.handoff()?,
            Answer::Given('l') => self.run_lookups(i)?,
            Answer::Given('?') => self.ports.ui.show(HELP),
            Answer::Given('q') => return Ok(Some(StepExit::Quit("paused by the operator".into()))),
            Answer::Given(_) => {}
            Answer::Cancelled => self.ports.ui.notice(
                Tone::Info,
                "press q to pause the walk; it can be resumed later",
            ),
            Answer::Unavailable => {
                return Ok(Some(StepExit::Stop(
                    "no operator input (end of input)".into(),
                )));
            }
        }
        Ok(None)
    }

    fn done_by_hand(&mut self, i: usize, item: Item) -> Result<(), LogError> {
        let step = self.step(i);
        match item {
            Item::Command(n) => self.log(Event::CommandDone {
                step: step.index,
                command: n,
                automatic: false,
            })?,
            Item::Check(n) => self.log(Event::ChecklistItem {
                step: step.index,
                item: n,
                text: step.checklist[n - 1].text.clone(),
                automatic: false,
            })?,
        }
        self.state.steps[i].set(item, ItemStatus::Done);
        Ok(())
    }

    /// Runs command `n` and, if it fails, asks what next until it is settled.
    fn run_interactive(&mut self, i: usize, n: usize) -> Result<Option<StepExit>, LogError> {
        loop {
            match self.run_command(i, n)? {
                RunResult::Done | RunResult::Settled | RunResult::NotRun => return Ok(None),
                RunResult::GuardStop(reason) => return Ok(Some(StepExit::Stop(reason))),
                RunResult::Failed => {}
            }
            let entries = [
                MenuEntry {
                    key: 'r',
                    label: "retry",
                },
                MenuEntry {
                    key: 's',
                    label: "skip command",
                },
                MenuEntry {
                    key: 'd',
                    label: "done by hand",
                },
                MenuEntry {
                    key: 'q',
                    label: "quit",
                },
            ];
            let step = self.step(i);
            match self
                .ports
                .ui
                .choose(&format!("command {n} failed"), &entries, 'r')
            {
                Answer::Given('r') => continue,
                Answer::Given('s') => {
                    let reason = match self.ports.ui.ask_text("Why skip this command?", None) {
                        Answer::Given(r) if !r.trim().is_empty() => r,
                        _ => "no reason given".into(),
                    };
                    self.log(Event::CommandSkipped {
                        step: step.index,
                        command: n,
                        reason,
                        automatic: false,
                    })?;
                    self.state.steps[i].set(Item::Command(n), ItemStatus::Failed);
                    return Ok(None);
                }
                Answer::Given('d') => {
                    self.done_by_hand(i, Item::Command(n))?;
                    return Ok(None);
                }
                Answer::Given('q') => {
                    return Ok(Some(StepExit::Quit(
                        "paused by the operator after a failed command".into(),
                    )));
                }
                Answer::Cancelled | Answer::Given(_) => return Ok(None),
                Answer::Unavailable => {
                    return Ok(Some(StepExit::Stop(
                        "no operator input (end of input)".into(),
                    )));
                }
            }
        }
    }

    /// Runs the step's pending commands in order, stopping where the operator is needed.
    fn run_all(&mut self, i: usize) -> Result<Option<StepExit>, LogError> {
        while let Some((_, item)) = self.state.steps[i].next_pending() {
            let Item::Command(n) = item else { break };
            if !self.step(i).commands[n - 1].runnable {
                break;
            }
            let before = self.state.steps[i].status_of(item);
            if let Some(exit) = self.run_interactive(i, n)? {
                return Ok(Some(exit));
            }
            if self.state.steps[i].status_of(item) == before {
                break; // declined or cancelled: let the operator choose.
            }
        }
        Ok(None)
    }

    /// Passes the command's safety gate and runs it, logging before and after.
    fn run_command(&mut self, i: usize, n: usize) -> Result<RunResult, LogError> {
        let step = self.step(i);
        let command = &step.commands[n - 1];
        let gate = safety::gate(
            command,
            self.opts.mode,
            self.opts.yes,
            self.opts.allow_danger,
        );
        let settle = |walk: &mut Self,
                      reason: String,
                      status: ItemStatus,
                      tone: Tone|
         -> Result<RunResult, LogError> {
            walk.ports
                .ui
                .notice(tone, &format!("command {n} not run: {reason}"));
            walk.log(Event::CommandSkipped {
                step: step.index,
                command: n,
                reason,
                automatic: true,
            })?;
            walk.state.steps[i].set(Item::Command(n), status);
            Ok(RunResult::Settled)
        };
        match gate {
            Gate::Rehearse => {
                return settle(
                    self,
                    REHEARSAL_REASON.into(),
                    ItemStatus::Rehearsed,
                    Tone::Info,
                );
            }
            Gate::Skip(reason) => return settle(self, reason, ItemStatus::Skipped, Tone::Warning),
            Gate::Confirm => match self.ports.ui.confirm(
                &format!("Run command {n} ({})?", first_line(command)),
                false,
            ) {
                Answer::Given(true) => {}
                Answer::Given(false) | Answer::Cancelled => {
                    self.ports
                        .ui
                        .notice(Tone::Info, &format!("command {n} not run"));
                    return Ok(RunResult::NotRun);
                }
                Answer::Unavailable => {
                    let reason = "`confirm` command not run: no operator to confirm it".to_string();
                    return settle(self, reason, ItemStatus::Skipped, Tone::Warning);
                }
            },
            Gate::TypeYes => {
                self.ports.ui.show(&view::command_block(
                    command,
                    ItemStatus::Pending,
                    self.opts.paint,
                ));
                match self
                    .ports
                    .ui
                    .ask_text("DANGER: type `yes` to run this command", None)
                {
                    Answer::Given(typed) if typed == "yes" => {}
                    Answer::Unavailable => {
                        let reason =
                            "`danger` command not run: no operator to type `yes`".to_string();
                        return settle(self, reason, ItemStatus::Skipped, Tone::Warning);
                    }
                    _ => {
                        self.ports.ui.notice(
                            Tone::Info,
                            &format!("command {n} not run: `yes` was not typed"),
                        );
                        return Ok(RunResult::NotRun);
                    }
                }
            }
            Gate::Run => {}
        }
        // Checked last, right before the command would start, so the operator decides on fresh news.
        if let Some(result) = self.guard_check(n)? {
            return Ok(result);
        }
        let spec = self.spec(command);
        let attempt = self.state.steps[i].attempts.get(&n).copied().unwrap_or(0) + 1;
        self.state.steps[i].attempts.insert(n, attempt);
        self.log(Event::CommandStarted {
            step: step.index,
            command: n,
            name: command.annotations.name.clone(),
            code: command.code.clone(),
            cwd: spec.cwd.display().to_string(),
            runner: command.annotations.runner.clone(),
            attempt,
        })?;
        self.ports.ui.notice(
            Tone::Info,
            &format!("running command {n}{}", retry_note(attempt)),
        );
        let outcome = self.ports.runner.run(&spec);
        let expected: &[i32] = if command.annotations.expect_exit.is_empty() {
            &[0]
        } else {
            &command.annotations.expect_exit
        };
        let success = outcome.spawn_error.is_none()
            && !outcome.timed_out
            && !outcome.interrupted
            && outcome.exit_code.is_some_and(|c| expected.contains(&c));
        let mut output = outcome.output.clone();
        if let Some(e) = &outcome.spawn_error {
            output = format!("runbook: {e}");
        }
        self.log(Event::CommandFinished {
            step: step.index,
            command: n,
            exit_code: outcome.exit_code,
            signal: outcome.signal.clone(),
            success,
            duration_ms: outcome.duration_ms,
            output,
            truncated: outcome.truncated,
            bytes: outcome.bytes,
            redactions: outcome.redactions,
            timed_out: outcome.timed_out,
            interrupted: outcome.interrupted,
        })?;
        let how = describe_outcome(&outcome);
        if success {
            self.ports
                .ui
                .notice(Tone::Success, &format!("command {n} {how}"));
            self.state.steps[i].set(Item::Command(n), ItemStatus::Done);
            Ok(RunResult::Done)
        } else {
            self.ports
                .ui
                .notice(Tone::Error, &format!("command {n} failed: {how}"));
            Ok(RunResult::Failed)
        }
    }

    /// Guard alarms that fired since the last check: logged, shown prominently, and the operator
    /// asked before command `n` runs. Without an operator the walk stops there.
    fn guard_check(&mut self, n: usize) -> Result<Option<RunResult>, LogError> {
        let Some(metrics) = self.ports.metrics.as_deref_mut() else {
            return Ok(None);
        };
        let fired = metrics.guard_alarms();
        if fired.is_empty() {
            return Ok(None);
        }
        let mut names = Vec::new();
        for g in &fired {
            self.log(Event::GuardAlarm {
                region: g.region.clone(),
                alarm: g.alarm.name.clone(),
                state: g.alarm.state.clone(),
                reason: g.alarm.reason.clone(),
            })?;
            names.push(format!("{} ({})", g.alarm.name, g.region));
            let banner = format!(
                "GUARD ALARM {} in {}: {}",
                g.alarm.name, g.region, g.alarm.reason
            );
            self.ports
                .ui
                .show(&self.opts.paint.red(&format!("\n  ▲▲ {banner} ▲▲\n")));
        }
        let question = format!(
            "Guard alarm in ALARM: {}. Run command {n} anyway?",
            names.join(", ")
        );
        match self.ports.ui.confirm(&question, false) {
            Answer::Given(true) => Ok(None),
            Answer::Given(false) | Answer::Cancelled => {
                self.ports.ui.notice(
                    Tone::Warning,
                    &format!("command {n} not run: a guard alarm is firing"),
                );
                Ok(Some(RunResult::NotRun))
            }
            Answer::Unavailable => Ok(Some(RunResult::GuardStop(format!(
                "guard alarm {} entered ALARM; the walk stopped before command {n}",
                names.join(", ")
            )))),
        }
    }

    /// Runs the step's lookups in every region at once, logs each result and shows one table per lookup.
    fn run_lookups(&mut self, i: usize) -> Result<(), LogError> {
        let step = self.step(i);
        if step.lookups.is_empty() {
            return Ok(());
        }
        let Some(metrics) = self.ports.metrics.as_deref_mut() else {
            self.ports.ui.notice(
                Tone::Warning,
                "lookups unavailable: CloudWatch is not set up for this walk",
            );
            return Ok(());
        };
        let env: Vec<(String, String)> = self
            .values
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        let (requests, missing_region) =
            lookup_requests(step, &env, &self.opts.regions, metrics.default_region());
        for index in missing_region {
            self.ports.ui.notice(
                Tone::Warning,
                &format!("lookup {index}: no region: name `regions` in the block, pass --region, or set AWS_REGION"),
            );
        }
        let outcomes = metrics.lookup(&requests);
        for outcome in &outcomes {
            self.log(lookup_event(outcome))?;
        }
        for lookup in &step.lookups {
            let mine: Vec<&LookupOutcome> = outcomes
                .iter()
                .filter(|o| o.request.lookup.index == lookup.index)
                .collect();
            if !mine.is_empty() {
                let table = view::lookup_table(&mine, self.opts.paint);
                self.ports.ui.show(&table);
            }
        }
        Ok(())
    }

    fn spec(&self, command: &Command) -> CommandSpec {
        let env: Vec<(String, String)> = self
            .values
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect();
        let cwd = match &command.annotations.cwd {
            Some(dir) => {
                let expanded = expand(dir, &env);
                let path = Path::new(&expanded);
                if path.is_absolute() {
                    path.to_path_buf()
                } else {
                    self.opts.cwd.join(path)
                }
            }
            None => self.opts.cwd.clone(),
        };
        CommandSpec {
            code: command.code.clone(),
            runner: command.annotations.runner.clone(),
            cwd,
            timeout: command.annotations.timeout_ms.map(Duration::from_millis),
            interactive: command.annotations.interactive,
            secrets: self
                .values
                .iter()
                .filter(|v| v.secret && !v.value.is_empty())
                .map(|v| v.value.clone())
                .collect(),
            env,
        }
    }

    fn note(&mut self, step: Option<usize>) -> Result<(), LogError> {
        let entries: Vec<MenuEntry> = NOTE_KEYS
            .iter()
            .map(|(key, kind)| MenuEntry {
                key: *key,
                label: kind.label(),
            })
            .collect();
        let kind = match self.ports.ui.choose("kind of note", &entries, 'n') {
            Answer::Given(k) => NOTE_KEYS
                .iter()
                .find(|(key, _)| *key == k)
                .map_or(NoteKind::Note, |(_, kind)| *kind),
            _ => return Ok(()),
        };
        if let Answer::Given(text) = self.ports.ui.ask_text(&format!("{}:", kind.label()), None)
            && !text.trim().is_empty()
        {
            self.log(Event::Note { step, kind, text })?;
            self.ports
                .ui
                .notice(Tone::Success, &format!("{} recorded", kind.label()));
        }
        Ok(())
    }

    fn handoff(&mut self) -> Result<(), LogError> {
        if let Answer::Given(to) = self.ports.ui.ask_text("Hand over to (name)", None) {
            let to = to.trim().to_string();
            if !to.is_empty() && to != self.state.operator {
                let from = self.state.operator.clone();
                self.log(Event::Handoff {
                    from: from.clone(),
                    to: to.clone(),
                })?;
                self.state.operator = to.clone();
                self.ports
                    .ui
                    .notice(Tone::Success, &format!("{to} has the walk (from {from})"));
            }
        }
        Ok(())
    }

    fn ask_step(&mut self) -> Option<usize> {
        let n = self.runbook.steps.len();
        let answer = self
            .ports
            .ui
            .ask_text(&format!("Jump to step (1-{n} or id)"), None);
        let Answer::Given(key) = answer else {
            return None;
        };
        match self.runbook.find_step(key.trim()) {
            Some(step) => Some(step.index - 1),
            None => {
                self.ports
                    .ui
                    .notice(Tone::Warning, &format!("no step `{}`", key.trim()));
                None
            }
        }
    }
}

/// A step's id, title and a digest of its text.
pub fn outline(step: &Step) -> StepOutline {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(step.full_title().as_bytes());
    hasher.update([0]);
    hasher.update(step.body.as_bytes());
    StepOutline {
        id: step.id.clone(),
        title: step.full_title(),
        sha256: crate::digest::hex(&hasher.finalize()),
    }
}

const NOTE_KEYS: [(char, NoteKind); 7] = [
    ('n', NoteKind::Note),
    ('o', NoteKind::Observation),
    ('y', NoteKind::Hypothesis),
    ('c', NoteKind::Decision),
    ('t', NoteKind::Detected),
    ('m', NoteKind::Mitigated),
    ('v', NoteKind::Resolved),
];

const HELP: &str = "\
  r  run the next command (Enter, when it is runnable)
  a  run all of the step's remaining commands in order
  d  mark the next item done by hand (manual block, checklist item)
  s  skip the step (asks a reason)
  n  add a note: note, observation, hypYothesis, deCision, deTected, Mitigated, resolVed
  b  back to the previous step
  j  jump to a step by number or id
  h  hand over to another operator
  q  quit: pause the walk; `runbook resume LOG` continues it
";

fn first_line(command: &Command) -> String {
    command.code.lines().next().unwrap_or("").trim().to_string()
}

fn retry_note(attempt: u32) -> String {
    if attempt > 1 {
        format!(" (attempt {attempt})")
    } else {
        String::new()
    }
}

fn describe_outcome(o: &ports::CommandOutcome) -> String {
    let took = crate::human::duration(Duration::from_millis(o.duration_ms));
    if let Some(e) = &o.spawn_error {
        return format!("could not start: {e}");
    }
    if o.timed_out {
        return format!("timed out after {took}");
    }
    if o.interrupted {
        return format!("interrupted after {took}");
    }
    match (&o.exit_code, &o.signal) {
        (_, Some(sig)) => format!("killed by {sig} after {took}"),
        (Some(code), None) => format!("exit {code} in {took}"),
        (None, None) => format!("ended after {took}"),
    }
}

/// One request per lookup and region, `$VARS` resolved; regions from the block, else `regions`
/// (`--region` or the runbook's), else `default_region`. Also the lookups left with no region.
pub fn lookup_requests(
    step: &Step,
    vars: &[(String, String)],
    regions: &[String],
    default_region: Option<String>,
) -> (Vec<LookupRequest>, Vec<usize>) {
    let mut requests = Vec::new();
    let mut missing = Vec::new();
    for lookup in &step.lookups {
        let mut lookup = lookup.clone();
        resolve_dimensions(&mut lookup, vars);
        let chosen = if !lookup.regions.is_empty() {
            lookup.regions.clone()
        } else if !regions.is_empty() {
            regions.to_vec()
        } else {
            default_region.clone().into_iter().collect()
        };
        if chosen.is_empty() {
            missing.push(lookup.index);
        }
        for region in chosen {
            requests.push(LookupRequest {
                step: step.index,
                lookup: lookup.clone(),
                region,
            });
        }
    }
    (requests, missing)
}

/// The verdict of a metric lookup's `expect` on its latest datapoint.
pub fn verdict(outcome: &LookupOutcome) -> Option<Verdict> {
    let expect = match &outcome.request.lookup.query {
        LookupQuery::Metric { expect, .. } | LookupQuery::Expression { expect, .. } => (*expect)?,
        LookupQuery::Alarms { .. } => return None,
    };
    match &outcome.result {
        Ok(LookupData::Metric { points }) => Some(match points.last() {
            Some((_, v)) if expect.holds(*v) => Verdict::Ok,
            Some(_) => Verdict::Breach,
            None => Verdict::NoData,
        }),
        _ => None,
    }
}

/// The `lookup_result` event for one outcome.
pub fn lookup_event(outcome: &LookupOutcome) -> Event {
    let lookup = &outcome.request.lookup;
    let (datapoints, alarms, error) = match &outcome.result {
        Ok(LookupData::Metric { points }) => (
            points
                .iter()
                .map(|(ts, value)| Datapoint {
                    ts: ts.clone(),
                    value: *value,
                })
                .collect(),
            None,
            None,
        ),
        Ok(LookupData::Alarms { alarms }) => (Vec::new(), Some(alarms.clone()), None),
        Err(e) => (
            Vec::new(),
            None,
            Some(LoggedLookupError {
                kind: e.kind,
                message: e.message.clone(),
            }),
        ),
    };
    Event::LookupResult {
        step: outcome.request.step,
        lookup: lookup.index,
        label: lookup.label.clone(),
        region: outcome.request.region.clone(),
        query: lookup.query.clone(),
        datapoints,
        verdict: verdict(outcome),
        alarms,
        error,
        duration_ms: outcome.duration_ms,
    }
}

/// `$VARS` in dimension values, from the session's variables, then the environment.
fn resolve_dimensions(lookup: &mut Lookup, vars: &[(String, String)]) {
    let dims: Vec<&mut Dimension> = match &mut lookup.query {
        LookupQuery::Metric { metric, .. } => metric.dimensions.iter_mut().collect(),
        LookupQuery::Expression { queries, .. } => queries
            .iter_mut()
            .flat_map(|q| q.metric.dimensions.iter_mut())
            .collect(),
        LookupQuery::Alarms { .. } => Vec::new(),
    };
    for d in dims {
        d.value = expand(&d.value, vars);
    }
}

/// Expands `$NAME` and `${NAME}` from `vars`, then the environment, for annotation values like `cwd`.
fn expand(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        let value = vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(name).ok())
            .unwrap_or_default();
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
