//! What the walk shows and asks the operator, as data: the prompter decides how it looks.

use std::time::Duration;

use super::approval::Approval;
use super::items::Item;
use super::ports::{CommandOutcome, GuardAlarm, LookupOutcome};
use super::state::{ItemStatus, Past, StepProgress};
use crate::event::{Mode, StepStatus, VariableSource};
use crate::runbook::{Command, Runbook, Step};

/// One thing for the operator to read.
#[derive(Debug, Clone, Copy)]
pub enum Screen<'a> {
    /// The start of a new session.
    Header(Header<'a>),
    /// A resumed session, before its first step.
    Resuming(Resuming<'a>),
    /// A step as the operator meets it: its place, the time so far, its items' progress and how
    /// many steps are settled.
    Step {
        step: &'a Step,
        total: usize,
        elapsed: Duration,
        progress: &'a StepProgress,
        tally: Tally,
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
    /// A command put to the operator before it runs (`confirm`, `danger`, or edited).
    Approval(&'a Approval<'a>),
    /// A step met again (reopened, resumed): how its commands ended before, in item order.
    Earlier {
        step: &'a Step,
        past: &'a [(usize, &'a Past)],
    },
    /// The runbook's description (front matter) and introduction (the text before the first
    /// step): the impact, where to work from, whom to ask first.
    Context { runbook: &'a Runbook },
    /// Every step with its status, to pick one to go to; `current` is 1-based.
    Steps {
        runbook: &'a Runbook,
        rows: &'a [SummaryRow],
        current: usize,
    },
    /// The session's variables, secrets hidden.
    Variables { rows: &'a [VariableRow<'a>] },
}

/// How many steps have each status so far, for the step header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: usize,
    pub skipped: usize,
    pub failed: usize,
    pub rehearsed: usize,
}

/// One variable as the operator may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariableRow<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub secret: bool,
    pub state: VariableState<'a>,
}

/// Whether a variable has a value; a secret's value is never handed to the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableState<'a> {
    /// Not asked yet: it is asked before the first command that needs it.
    NotSet,
    /// Asked and left empty.
    Empty,
    /// Set, with where the value came from; `value` is `None` for a secret.
    Set {
        value: Option<&'a str>,
        source: VariableSource,
    },
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
