//! The walk itself: a session's steps in order, each step's items until it is left, and the
//! events that record it. Menus, command runs and lookups have files of their own.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::asking::Needed;
use super::guard::GuardWatch;
use super::items::Item;
use super::ports::{CommandRunner, Environment, Metrics, Prompter, Tone};
use super::screen::{Header, RowStatus, Screen, Summary, SummaryRow};
use super::state::{ItemStatus, SessionState};
use super::variables::Value;
use crate::event::{Clock, EventLog, LogError};
use crate::event::{Event, Mode, RunbookRef, StepOutline, StepStatus};
use crate::runbook::{Runbook, Step};

/// How the walk behaves.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub mode: Mode,
    /// Unattended: run commands and acknowledge manual items without asking.
    pub yes: bool,
    /// With `yes`: run `danger` commands too.
    pub allow_danger: bool,
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
    /// Where `$NAME`s the session does not set come from.
    pub env: &'a dyn Environment,
    /// CloudWatch, when the runbook has lookups or guard alarms.
    pub metrics: Option<&'a mut dyn Metrics>,
    /// Where the operator edits a command before it runs (`e`).
    pub editor: &'a mut dyn super::ports::Editor,
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
    /// Ended by a signal (SIGTERM, SIGHUP, SIGQUIT), recorded as a pause (resumable).
    Signalled(super::ports::Termination),
}

/// What the operator chose to do after a step.
pub(super) enum StepExit {
    Next,
    Back,
    Jump(usize),
    Quit(String),
    Stop(String),
}

/// What running one command came to.
pub(super) enum RunResult {
    Done,
    /// The command failed; the operator decides (or `--yes` stops).
    Failed,
    /// Not run, nothing recorded (the operator declined a confirmation).
    NotRun,
    /// Not run, recorded (rehearsal, `--yes` skip).
    Settled,
    /// A guard alarm fired and nobody can be asked: the walk stops.
    GuardStop(String),
    /// A value the command needs cannot be had (nobody to ask): the walk stops.
    Stopped(String),
    /// Ctrl-C at one of its questions, and the operator confirmed the pause.
    Paused,
}

/// Identifies what the session logs about itself.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub tool_version: String,
    pub hostname: String,
    pub incident: Option<String>,
    /// The runbook's canonical absolute path, when it is a file.
    pub runbook_file: Option<String>,
    /// The directory the walk starts in, as the log records it.
    pub start_dir: Option<String>,
}

/// A walk of one runbook with one operator at a time.
pub struct Walk<'r, 'p> {
    pub(super) runbook: &'r Runbook,
    pub(super) opts: WalkOptions,
    pub(super) ports: Ports<'p>,
    pub(super) values: Vec<Value>,
    pub(super) state: SessionState,
    started: DateTime<Utc>,
    /// Variables the operator was asked for and left empty: not asked again (`v` sets them).
    pub(super) declined: Vec<String>,
    pub(super) guard: GuardWatch,
    /// The operator confirmed a pause at a question that cannot leave the step itself (a value a
    /// lookup needs): the step menu leaves at once.
    pub(super) pause_pending: bool,
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
            declined: Vec::new(),
            guard: GuardWatch::default(),
            pause_pending: false,
        }
    }

    pub fn runbook_ref(runbook: &Runbook) -> RunbookRef {
        RunbookRef {
            path: runbook.path.clone(),
            title: runbook.title.clone(),
            sha256: runbook.sha256.clone(),
            steps: runbook.steps.len(),
            outline: runbook.steps.iter().map(outline).collect(),
            absolute_path: None,
            start_dir: None,
        }
    }

    pub(super) fn log(&mut self, event: Event) -> Result<(), LogError> {
        let record = self.ports.log.append(&self.state.operator, event)?;
        self.state.observe(&record);
        Ok(())
    }

    /// Makes every event logged so far durable (one sync for the group), before an action they
    /// announce or a prompt: the rule of the log, at the price of one `fdatasync` per group.
    pub(super) fn commit(&mut self) -> Result<(), LogError> {
        self.ports.log.commit()
    }

    /// Logs `session_started` (the log file appears with it) and shows the header.
    pub fn begin(&mut self, info: &SessionInfo) -> Result<(), LogError> {
        let variables = self.values.iter().map(Value::logged).collect();
        let runbook = RunbookRef {
            absolute_path: info.runbook_file.clone(),
            start_dir: info.start_dir.clone(),
            ..Self::runbook_ref(self.runbook)
        };
        self.log(Event::SessionStarted {
            runbook,
            tool_version: info.tool_version.clone(),
            hostname: info.hostname.clone(),
            mode: self.opts.mode,
            incident: info.incident.clone(),
            variables,
        })?;
        let log = self.ports.log.location();
        self.ports.ui.show(Screen::Header(Header {
            runbook: self.runbook,
            mode: self.opts.mode,
            incident: info.incident.as_deref(),
            operator: &self.state.operator,
            log: &log,
        }));
        if self.opts.mode == Mode::Rehearsal {
            self.check_ground();
        }
        Ok(())
    }

    /// The walk from step `from` (0-based) until it finishes or pauses.
    pub fn run(&mut self, from: usize) -> Result<Ending, LogError> {
        self.show_context();
        match self.ask_unplaced()? {
            Needed::Stop(reason) => return self.leave(reason, false),
            Needed::Paused => return self.leave(super::pause::PAUSED_BY_CTRL_C.into(), true),
            Needed::Ready | Needed::Cancelled => {}
        }
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
                StepExit::Quit(reason) => return self.leave(reason, true),
                StepExit::Stop(reason) => return self.leave(reason, false),
            }
        }
    }

    /// Ends the walk, logging the pause: `paused` by the operator, else stopped by the tool.
    fn leave(&mut self, reason: String, paused: bool) -> Result<Ending, LogError> {
        // However the walk got here (a question answered `Interrupted`, a command stopped), a
        // signal is the real reason.
        if let Some(ended) = self.ports.ui.termination() {
            self.log(Event::SessionPaused {
                reason: super::pause::SIGNAL.into(),
                signal: Some(ended.signal.clone()),
            })?;
            self.commit()?;
            return Ok(Ending::Signalled(ended));
        }
        self.log(Event::SessionPaused {
            reason: reason.clone(),
            signal: None,
        })?;
        self.commit()?;
        Ok(if paused {
            Ending::Paused { reason }
        } else {
            Ending::Stopped { reason }
        })
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
        self.commit()?;
        Ok(Ending::Finished { failed })
    }

    /// Each step's status and duration, for the table at the end.
    pub fn summary(&self) -> Summary {
        let rows = self
            .runbook
            .steps
            .iter()
            .zip(&self.state.steps)
            .map(|(step, p)| SummaryRow {
                step: step.index,
                title: step.full_title(),
                status: match p.status {
                    Some(status) => RowStatus::Finished(status),
                    None if p.started_at.is_some() => RowStatus::InProgress,
                    None => RowStatus::NotStarted,
                },
                // The same sum of open intervals the exports and `compare` read from the log.
                duration: self
                    .state
                    .times
                    .ms(step.index, None)
                    .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs())),
            })
            .collect();
        Summary { rows }
    }

    pub(super) fn step(&self, i: usize) -> &'r Step {
        &self.runbook.steps[i]
    }

    pub(super) fn show_step(&mut self, i: usize) {
        let elapsed = (self.ports.clock.now() - self.started)
            .to_std()
            .unwrap_or_default();
        let tally = self.tally();
        self.ports.ui.show(Screen::Step {
            step: self.step(i),
            total: self.runbook.steps.len(),
            elapsed,
            progress: &self.state.steps[i],
            tally,
            mode: self.opts.mode,
        });
    }

    /// A step met again (reopened with `b` or `j`, or resumed): how its pending commands ended
    /// before, so the operator does not run them again blind.
    fn show_earlier(&mut self, i: usize) {
        let step = self.step(i);
        let progress = &self.state.steps[i];
        let past: Vec<(usize, &super::state::Past)> = progress
            .items
            .iter()
            .filter(|(_, s)| *s == ItemStatus::Pending)
            .filter_map(|(item, _)| match item {
                Item::Command(n) => progress.past.get(n).map(|p| (*n, p)),
                Item::Check(_) => None,
            })
            .collect();
        if !past.is_empty() {
            self.ports.ui.show(Screen::Earlier { step, past: &past });
        }
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
        // An edit lasts one visit of its step (the exports read the log the same way).
        self.state.steps[i].edits.clear();
        self.show_step(i);
        self.show_earlier(i);
        self.run_lookups(i)?;
        let empty = self.state.steps[i].items.is_empty();
        loop {
            // A safe point: guard news is logged and shown before the operator is asked anything.
            self.poll_guard()?;
            if self.ports.ui.termination().is_some() {
                return Ok(StepExit::Quit(super::pause::SIGNAL.into()));
            }
            let next = self.state.steps[i].next_pending();
            match next {
                None if self.opts.yes || !empty => {
                    self.finish_step(i, None)?;
                    return Ok(StepExit::Next);
                }
                Some((_, item)) if self.opts.yes => {
                    if let Some(exit) = self.auto_item(i, item)? {
                        return Ok(exit);
                    }
                }
                _ => {
                    if let Some(exit) = self.menu(i, next.map(|(_, item)| item))? {
                        return Ok(exit);
                    }
                }
            }
        }
    }

    pub(super) fn finish_step(
        &mut self,
        i: usize,
        skipped: Option<String>,
    ) -> Result<(), LogError> {
        let step = self.step(i);
        let progress = &mut self.state.steps[i];
        let mut status = if skipped.is_some() {
            StepStatus::Skipped
        } else {
            progress.outcome()
        };
        // A step whose `danger` command ran changed something: "skipped" would hide it.
        let mut note = None;
        if status == StepStatus::Skipped && progress.danger_ran {
            let failed = progress.items.iter().any(|(_, s)| *s == ItemStatus::Failed);
            status = if failed {
                StepStatus::Failed
            } else {
                StepStatus::Done
            };
            note = Some("its `danger` command ran; other items were skipped");
        }
        let reason = match (skipped, note) {
            (Some(r), Some(note)) => Some(format!("{note}: {r}")),
            (Some(r), None) => Some(r),
            (None, Some(note)) => Some(note.to_string()),
            (None, None) => match status {
                StepStatus::Failed => Some("a command failed and the operator went on".into()),
                StepStatus::Skipped => Some("commands were skipped".into()),
                _ => None,
            },
        };
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
                RunResult::GuardStop(reason) | RunResult::Stopped(reason) => {
                    return Ok(Some(StepExit::Stop(reason)));
                }
                RunResult::Paused => return Ok(Some(super::actions::paused_by_ctrl_c())),
            },
            Item::Command(n) => {
                let c = &step.commands[n - 1];
                self.log(Event::CommandDone {
                    step: step.index,
                    command: n,
                    automatic: true,
                    place: c.place.clone(),
                    program: c.program.clone(),
                })?;
                self.state.steps[i].set(item, ItemStatus::Done);
            }
            Item::Check(n) => {
                self.log(Event::ChecklistItem {
                    step: step.index,
                    item: n,
                    text: step.checklist[n - 1].text.clone(),
                    automatic: true,
                    number: Some(step.checklist[n - 1].number.clone()),
                })?;
                self.state.steps[i].set(item, ItemStatus::Done);
            }
        }
        Ok(None)
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
