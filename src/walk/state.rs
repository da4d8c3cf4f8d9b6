//! Where a walk stands: each step's items and status, and who is operating. Rebuilt from the log on resume.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::items::{Item, items};
use crate::event::{Event, Record, StepStatus};
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

#[derive(Debug, Clone)]
pub struct StepProgress {
    pub items: Vec<(Item, ItemStatus)>,
    pub status: Option<StepStatus>,
    pub reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Runs so far of each command, for `attempt` numbers.
    pub attempts: HashMap<usize, u32>,
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
                })
                .collect(),
            unknown_outcomes: Vec::new(),
            failed_last: Vec::new(),
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

    /// Applies one logged event, as the walk did when it wrote it.
    pub fn apply(&mut self, record: &Record) {
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
                ..
            } => {
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
