//! What the walk shows and asks the operator, as data: the prompter decides how it looks.

use std::time::Duration;

use super::items::Item;
use super::ports::{CommandOutcome, GuardAlarm, LookupOutcome};
use super::state::{ItemStatus, StepProgress};
use crate::event::{Mode, StepStatus};
use crate::runbook::{Command, Runbook, Step};

/// One thing for the operator to read.
#[derive(Debug, Clone, Copy)]
pub enum Screen<'a> {
    /// The start of a new session.
    Header(Header<'a>),
    /// A resumed session, before its first step.
    Resuming(Resuming<'a>),
    /// A step as the operator meets it: its place, the time so far and its items' progress.
    Step {
        step: &'a Step,
        total: usize,
        elapsed: Duration,
        progress: &'a StepProgress,
        /// Live or rehearsal: every step says which.
        mode: Mode,
    },
    /// One lookup's results, one outcome per region.
    Lookup { outcomes: &'a [&'a LookupOutcome] },
    /// A command shown in full, as before typing `yes` for a `danger` one.
    Command {
        command: &'a Command,
        status: ItemStatus,
    },
    /// How command `command` (1-based in its step) ended.
    Outcome {
        command: usize,
        outcome: &'a CommandOutcome,
        success: bool,
    },
    /// A guard alarm that entered ALARM while the walk went on.
    GuardAlarm(&'a GuardAlarm),
    /// What each key of the step menu does.
    Help,
}

/// What a new session shows first.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub runbook: &'a Runbook,
    pub mode: Mode,
    pub incident: Option<&'a str>,
    pub operator: &'a str,
    /// Where the log is written.
    pub log: &'a str,
}

/// What a resumed session shows first.
#[derive(Debug, Clone, Copy)]
pub struct Resuming<'a> {
    pub title: &'a str,
    pub incident: Option<&'a str>,
    pub operator: &'a str,
    /// 1-based step the walk continues at.
    pub step: usize,
    pub log: &'a str,
}

/// What a menu asks.
#[derive(Debug, Clone, Copy)]
pub enum Question<'a> {
    /// The step menu, with the item its default acts on (none left: Enter finishes the step).
    NextItem { step: &'a Step, item: Option<Item> },
    /// What to do after command `command` failed.
    CommandFailed { command: usize },
    /// The kind of a note.
    NoteKind,
}

/// The end of a walk, step by step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub rows: Vec<SummaryRow>,
}

/// One step in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// 1-based.
    pub step: usize,
    pub title: String,
    pub status: RowStatus,
    /// From its (last) start to its end, when it finished.
    pub duration: Option<Duration>,
}

/// Where a step stands at the end of a walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    Finished(StepStatus),
    InProgress,
    NotStarted,
}
