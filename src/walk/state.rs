//! Where a walk stands: each step's items and status, and who is operating. Rebuilt from the log on resume.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::carried::Carried;
use super::items::{Item, items};
use crate::event::{Event, Record, StepStatus, StepTimes};
use crate::runbook::Runbook;

/// How far one item got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Pending,
    Done,
    Rehearsed,
    /// Not run, by the operator's choice or the tool's (reason logged).
    Skipped,
    /// Ran and failed, and the operator moved on.
    Failed,
}

/// How a command's last run (or its settling) ended: shown when its step is met again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Past {
    /// It ran; `at` is when it ended (RFC 3339).
    Ran {
        exit_code: Option<i32>,
        signal: Option<String>,
        success: bool,
        timed_out: bool,
        interrupted: bool,
        attempt: u32,
        at: String,
    },
    /// It started and no end was recorded (the walk ended while it ran).
    Started {
        attempt: u32,
        at: String,
    },
    Skipped {
        reason: String,
        at: String,
    },
    DoneByHand {
        at: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct StepProgress {
    pub items: Vec<(Item, ItemStatus)>,
    pub status: Option<StepStatus>,
    pub reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Runs so far of each command, for `attempt` numbers.
    pub attempts: HashMap<usize, u32>,
    /// Each command's last outcome, kept when the step is reopened.
    pub past: HashMap<usize, Past>,
    /// The operator's edit of a command (`e`), run instead of the runbook's text during this
    /// visit of the step (cleared when the step is started again).
    pub edits: HashMap<usize, String>,
    /// 1-based commands annotated `danger`.
    pub danger: Vec<usize>,
    /// A `danger` command of this step started (in any visit): the step is never "skipped".
    pub danger_ran: bool,
}

impl StepProgress {
    pub fn next_pending(&self) -> Option<(usize, Item)> {
        self.items
            .iter()
            .enumerate()
            .find(|(_, (_, s))| *s == ItemStatus::Pending)
            .map(|(i, (item, _))| (i, *item))
    }

    pub fn set(&mut self, item: Item, status: ItemStatus) {
        if let Some(entry) = self.items.iter_mut().find(|(i, _)| *i == item) {
            entry.1 = status;
        }
    }

    pub fn status_of(&self, item: Item) -> ItemStatus {
        self.items
            .iter()
            .find(|(i, _)| *i == item)
            .map_or(ItemStatus::Pending, |(_, s)| *s)
    }

    /// Starts the step over, as when the operator goes back to it.
    pub fn reopen(&mut self) {
        for entry in &mut self.items {
            entry.1 = ItemStatus::Pending;
        }
        self.status = None;
        self.reason = None;
        self.finished_at = None;
        self.edits.clear();
    }

    /// The status a finished step gets from its items.
    pub fn outcome(&self) -> StepStatus {
        let any = |s| self.items.iter().any(|(_, st)| *st == s);
        if any(ItemStatus::Failed) {
            StepStatus::Failed
        } else if any(ItemStatus::Skipped) {
            StepStatus::Skipped
        } else if any(ItemStatus::Rehearsed) {
            StepStatus::Rehearsed
        } else {
            StepStatus::Done
        }
    }
}

/// The whole walk's progress.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub operator: String,
    pub steps: Vec<StepProgress>,
    /// Commands that started but have no recorded end: (step, command) 1-based.
    pub unknown_outcomes: Vec<(usize, usize)>,
    /// Commands whose last run failed: a skip after it leaves them failed.
    failed_last: Vec<(usize, usize)>,
    /// How long each step was open: the one definition of a step's duration.
    pub times: StepTimes,
    /// The shell state commands left, for the next one (rebuilt from the log on resume).
    pub shell: Carried,
}

impl SessionState {
    pub fn new(runbook: &Runbook, operator: &str) -> Self {
        SessionState {
            operator: operator.to_string(),
            steps: runbook
                .steps
                .iter()
                .map(|step| StepProgress {
                    items: items(step)
                        .into_iter()
                        .map(|i| (i, ItemStatus::Pending))
                        .collect(),
                    status: None,
                    reason: None,
                    started_at: None,
                    finished_at: None,
                    attempts: HashMap::new(),
                    past: HashMap::new(),
                    edits: HashMap::new(),
                    danger: step
                        .commands
                        .iter()
                        .filter(|c| c.annotations.danger)
                        .map(|c| c.index)
                        .collect(),
                    danger_ran: false,
                })
                .collect(),
            unknown_outcomes: Vec::new(),
            failed_last: Vec::new(),
            times: StepTimes::default(),
            shell: Carried::default(),
        }
    }

    fn step_mut(&mut self, step: usize) -> Option<&mut StepProgress> {
        self.steps.get_mut(step.wrapping_sub(1))
    }

    /// The first step with no status at or after `from` (0-based), else the first anywhere.
    pub fn next_unfinished(&self, from: usize) -> Option<usize> {
        (from..self.steps.len())
            .chain(0..from.min(self.steps.len()))
            .find(|&i| self.steps[i].status.is_none())
    }

    /// Notes what every logged event tells beyond the walk's own bookkeeping: step times and
    /// each command's last outcome. The walk calls it for each event it writes; `apply` too.
    pub fn observe(&mut self, record: &Record) {
        self.times.observe_record(record);
        let at = || record.ts.clone();
        let (step, command, past) = match &record.event {
            Event::CommandStarted {
                step,
                command,
                attempt,
                ..
            } => {
                if let Some(p) = self.step_mut(*step)
                    && p.danger.contains(command)
                {
                    p.danger_ran = true;
                }
                (
                    *step,
                    *command,
                    Past::Started {
                        attempt: *attempt,
                        at: at(),
                    },
                )
            }
            Event::CommandFinished {
                step,
                command,
                exit_code,
                signal,
                success,
                timed_out,
                interrupted,
                ..
            } => {
                let attempt = self
                    .step_mut(*step)
                    .and_then(|p| p.attempts.get(command).copied())
                    .unwrap_or(1);
                (
                    *step,
                    *command,
                    Past::Ran {
                        exit_code: *exit_code,
                        signal: signal.clone(),
                        success: *success,
                        timed_out: *timed_out,
                        interrupted: *interrupted,
                        attempt,
                        at: at(),
                    },
                )
            }
            Event::CommandSkipped {
                step,
                command,
                reason,
                ..
            } => (
                *step,
                *command,
                Past::Skipped {
                    reason: reason.clone(),
                    at: at(),
                },
            ),
            Event::CommandDone { step, command, .. } => {
                (*step, *command, Past::DoneByHand { at: at() })
            }
            _ => return,
        };
        if let Some(p) = self.step_mut(step) {
            p.past.insert(command, past);
        }
    }

    /// Applies one logged event, as the walk did when it wrote it.
    pub fn apply(&mut self, record: &Record) {
        self.observe(record);
        let ts = DateTime::parse_from_rfc3339(&record.ts)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        match &record.event {
            Event::StepStarted { step, .. } => {
                if let Some(p) = self.step_mut(*step) {
                    if p.status.is_some() {
                        p.reopen();
                    }
                    p.started_at = p.started_at.or(ts);
                }
            }
            Event::StepFinished {
                step,
                status,
                reason,
                ..
            } => {
                if let Some(p) = self.step_mut(*step) {
                    p.status = Some(*status);
                    p.reason = reason.clone();
                    p.finished_at = ts;
                }
            }
            Event::CommandStarted {
                step,
                command,
                attempt,
                ..
            } => {
                self.unknown_outcomes.push((*step, *command));
                if let Some(p) = self.step_mut(*step) {
                    p.attempts.insert(*command, *attempt);
                }
            }
            Event::CommandFinished {
                step,
                command,
                success,
                cwd_after,
                env_changed,
                ..
            } => {
                self.shell.replay(cwd_after.as_deref(), env_changed);
                let key = (*step, *command);
                self.unknown_outcomes.retain(|u| *u != key);
                self.failed_last.retain(|u| *u != key);
                if *success {
                    if let Some(p) = self.step_mut(*step) {
                        p.set(Item::Command(*command), ItemStatus::Done);
                    }
                } else {
                    self.failed_last.push(key);
                }
            }
            Event::CommandSkipped {
                step,
                command,
                reason,
                ..
            } => {
                let status = if self.failed_last.contains(&(*step, *command)) {
                    ItemStatus::Failed
                } else if reason == crate::walk::REHEARSAL_REASON {
                    ItemStatus::Rehearsed
                } else {
                    ItemStatus::Skipped
                };
                if let Some(p) = self.step_mut(*step) {
                    p.set(Item::Command(*command), status);
                }
            }
            Event::CommandDone { step, command, .. } => {
                if let Some(p) = self.step_mut(*step) {
                    p.set(Item::Command(*command), ItemStatus::Done);
                }
            }
            Event::ChecklistItem { step, item, .. } => {
                if let Some(p) = self.step_mut(*step) {
                    p.set(Item::Check(*item), ItemStatus::Done);
                }
            }
            Event::Handoff { to, .. } => self.operator = to.clone(),
            _ => {}
        }
    }
}
