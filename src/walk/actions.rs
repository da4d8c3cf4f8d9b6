//! What the operator can do at a step, after a failed command and when adding a note: each key,
//! label and help text written once, menus built from them, and the step menu's handlers.

use super::context::StepChoice;
use super::engine::{StepExit, Walk};
use super::items::Item;
use super::pause::{END_OF_INPUT, PAUSED_BY_CTRL_C, PAUSED_BY_OPERATOR};
use super::ports::{Answer, Choice, Menu, Prompter, Tone};
use super::screen::{Question, Screen};
use super::state::ItemStatus;
use crate::event::{Event, LogError, NoteKind};

/// How the walk leaves when the operator confirmed a pause after Ctrl-C.
pub(super) fn paused_by_ctrl_c() -> StepExit {
    StepExit::Quit(PAUSED_BY_CTRL_C.into())
}

/// Something the operator can pick from a menu by one key.
pub trait MenuOption: Copy + PartialEq + 'static {
    fn choice(self) -> Choice;
}

/// The step menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Run,
    RunAll,
    Done,
    Skip,
    Note,
    Lookups,
    Back,
    Jump,
    Handoff,
    Help,
    Quit,
    Edit,
    Context,
    Reprint,
    GoTo,
    Variables,
}

impl Action {
    /// Every action, in menu order.
    pub const ALL: [Action; 16] = [
        Action::Run,
        Action::RunAll,
        Action::Edit,
        Action::Done,
        Action::Skip,
        Action::Note,
        Action::Lookups,
        Action::Context,
        Action::Reprint,
        Action::GoTo,
        Action::Back,
        Action::Jump,
        Action::Variables,
        Action::Handoff,
        Action::Help,
        Action::Quit,
    ];

    /// Key, menu label and help text: the only place they are written (README's table agrees, see tests).
    const fn words(self) -> (char, &'static str, &'static str) {
        match self {
            Action::Run => (
                'r',
                "run",
                "run the next command (Enter, when it is runnable)",
            ),
            Action::RunAll => (
                'a',
                "run all",
                "run the step's remaining commands in order; stops at the first failure (the rest left pending) or at something needing you",
            ),
            Action::Done => (
                'd',
                "done by hand",
                "mark the next item done by hand (manual blocks, checklist items; Enter when the next item is not runnable)",
            ),
            Action::Skip => ('s', "skip step", "skip the step (asks a reason)"),
            Action::Note => (
                'n',
                "note",
                "add a note: note, observation, hypothesis, decision, or a milestone (detected, mitigated, resolved); start it with `at 14:05` or `-10m` to back-date it",
            ),
            Action::Lookups => (
                'l',
                "lookups",
                "run the step's CloudWatch lookups again (steps with lookups)",
            ),
            Action::Back => ('b', "back", "back to the previous step (it is reopened)"),
            Action::Jump => (
                'j',
                "jump",
                "jump to a step by number, id or start of its title (it is reopened)",
            ),
            Action::Handoff => (
                'h',
                "hand over",
                "hand over to another operator; later events carry the new name",
            ),
            Action::Help => ('?', "help", "show what each key does"),
            Action::Quit => (
                'q',
                "quit",
                "pause the walk, after asking (`runbook resume LOG` continues it)",
            ),
            Action::Edit => (
                'e',
                "edit",
                "edit the next command before it runs: in `$VISUAL`, else `$EDITOR`, else `vi` (with neither set, a one-line command is edited at a line prompt); the edit runs after you approve it",
            ),
            Action::Context => (
                'i',
                "intro",
                "show the runbook's description and introduction again",
            ),
            Action::Reprint => ('p', "print step", "print the current step again"),
            Action::GoTo => (
                'g',
                "go to",
                "list the steps with their status, then go to one by number, id or start of its title (it is reopened)",
            ),
            Action::Variables => (
                'v',
                "variables",
                "list the variables (secrets hidden) and change one; the change is logged",
            ),
        }
    }

    pub const fn key(self) -> char {
        self.words().0
    }

    pub const fn label(self) -> &'static str {
        self.words().1
    }

    pub const fn help(self) -> &'static str {
        self.words().2
    }
}

impl MenuOption for Action {
    fn choice(self) -> Choice {
        Choice {
            key: self.key(),
            label: self.label(),
        }
    }
}

/// The menu after a command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    Retry,
    SkipCommand,
    DoneByHand,
    Quit,
}

impl Recovery {
    /// Every choice, in menu order.
    pub const ALL: [Recovery; 4] = [
        Recovery::Retry,
        Recovery::SkipCommand,
        Recovery::DoneByHand,
        Recovery::Quit,
    ];

    /// Key and label: the only place they are written (README's line agrees, see tests).
    const fn words(self) -> (char, &'static str) {
        match self {
            Recovery::Retry => ('r', "retry"),
            Recovery::SkipCommand => ('s', "skip command"),
            Recovery::DoneByHand => ('d', "done by hand"),
            Recovery::Quit => ('q', "quit"),
        }
    }

    pub const fn key(self) -> char {
        self.words().0
    }

    pub const fn label(self) -> &'static str {
        self.words().1
    }
}

impl MenuOption for Recovery {
    fn choice(self) -> Choice {
        Choice {
            key: self.key(),
            label: self.label(),
        }
    }
}

/// The key of each kind of note; the label is the kind's own.
pub const NOTE_KEYS: [(NoteKind, char); 7] = [
    (NoteKind::Note, 'n'),
    (NoteKind::Observation, 'o'),
    (NoteKind::Hypothesis, 'y'),
    (NoteKind::Decision, 'c'),
    (NoteKind::Detected, 't'),
    (NoteKind::Mitigated, 'm'),
    (NoteKind::Resolved, 'v'),
];

impl MenuOption for NoteKind {
    fn choice(self) -> Choice {
        let key = NOTE_KEYS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or('n', |(_, key)| *key);
        Choice {
            key,
            label: self.label(),
        }
    }
}

/// Asks for one of `options`; Enter gives `default`.
pub fn pick<T: MenuOption>(
    ui: &mut dyn Prompter,
    question: Question<'_>,
    options: &[T],
    default: T,
) -> Answer<T> {
    let menu = Menu {
        question,
        choices: options.iter().map(|o| o.choice()).collect(),
        default: options.iter().position(|o| *o == default).unwrap_or(0),
    };
    match ui.choose(&menu) {
        // An index the menu does not have is a prompter's mistake: treat it as a cancel.
        Answer::Given(i) => options
            .get(i)
            .copied()
            .map_or(Answer::Cancelled, Answer::Given),
        Answer::Cancelled => Answer::Cancelled,
        Answer::Unavailable => Answer::Unavailable,
        Answer::Interrupted => Answer::Interrupted,
    }
}

impl Walk<'_, '_> {
    /// The actions offered at step `i` with `next` pending, and the one Enter picks.
    fn offered(&self, i: usize, next: Option<Item>) -> (Vec<Action>, Action) {
        let step = self.step(i);
        let runnable =
            |item: &Item| matches!(item, Item::Command(n) if step.commands[n - 1].runnable);
        let runnable_next = next.as_ref().is_some_and(runnable);
        let any_runnable = self.state.steps[i]
            .items
            .iter()
            .any(|(item, s)| *s == ItemStatus::Pending && runnable(item));
        let offered = Action::ALL
            .into_iter()
            .filter(|action| match action {
                Action::Run | Action::Edit => runnable_next,
                Action::RunAll => any_runnable,
                Action::Lookups => !step.lookups.is_empty(),
                Action::Back => i > 0,
                Action::Context => super::context::has_context(self.runbook),
                Action::Variables => !self.runbook.variables.is_empty(),
                Action::GoTo => self.runbook.steps.len() > 1,
                Action::Reprint => true,
                Action::Done
                | Action::Skip
                | Action::Note
                | Action::Jump
                | Action::Handoff
                | Action::Help
                | Action::Quit => true,
            })
            .collect();
        let default = if runnable_next {
            Action::Run
        } else {
            Action::Done
        };
        (offered, default)
    }

    /// One round of the step menu; `Some` when the step is left.
    pub(super) fn menu(
        &mut self,
        i: usize,
        next: Option<Item>,
    ) -> Result<Option<StepExit>, LogError> {
        if std::mem::take(&mut self.pause_pending) {
            return Ok(Some(paused_by_ctrl_c()));
        }
        let step = self.step(i);
        let (offered, default) = self.offered(i, next);
        let question = Question::NextItem { step, item: next };
        match self.ask(|ui| pick(ui, question, &offered, default)) {
            Answer::Given(Action::Run) => {
                if let Some(Item::Command(n)) = next {
                    return self.run_interactive(i, n);
                }
            }
            Answer::Given(Action::RunAll) => return self.run_all(i),
            Answer::Given(Action::Edit) => {
                if let Some(Item::Command(n)) = next {
                    return self.edit_command(i, n);
                }
            }
            Answer::Given(Action::Done) => match next {
                None => {
                    self.finish_step(i, None)?;
                    return Ok(Some(StepExit::Next));
                }
                Some(item) => self.done_by_hand(i, item)?,
            },
            Answer::Given(Action::Skip) => {
                let reason = match self.ask(|ui| ui.ask_text("Why skip this step?", None)) {
                    Answer::Given(r) if !r.trim().is_empty() => self.typed(&r),
                    Answer::Given(_) => "no reason given".into(),
                    Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
                    _ => return Ok(None),
                };
                self.finish_step(i, Some(reason))?;
                return Ok(Some(StepExit::Next));
            }
            Answer::Given(Action::Note) => return self.note(Some(step.index)),
            Answer::Given(Action::Lookups) => self.run_lookups(i)?,
            Answer::Given(Action::Back) => return Ok(Some(StepExit::Back)),
            Answer::Given(Action::Jump) => {
                let n = self.runbook.steps.len();
                match self.ask_step(&format!("Jump to step (1-{n}, id or title)")) {
                    StepChoice::To(j) => return Ok(Some(StepExit::Jump(j))),
                    StepChoice::Pause => return Ok(Some(paused_by_ctrl_c())),
                    StepChoice::Stay => {}
                }
            }
            Answer::Given(Action::Handoff) => return self.handoff(),
            Answer::Given(Action::Help) => self.ports.ui.show(Screen::Help),
            // `q` asks first, as Ctrl-C does: one key must not end a walk by mistake.
            Answer::Given(Action::Quit) => {
                if self.confirm_pause() {
                    return Ok(Some(StepExit::Quit(PAUSED_BY_OPERATOR.into())));
                }
            }
            Answer::Given(Action::Context) => self.show_context(),
            Answer::Given(Action::Reprint) => self.show_step(i),
            Answer::Given(Action::GoTo) => match self.go_to(i) {
                StepChoice::To(j) => return Ok(Some(StepExit::Jump(j))),
                StepChoice::Pause => return Ok(Some(paused_by_ctrl_c())),
                StepChoice::Stay => {}
            },
            Answer::Given(Action::Variables) => {
                if let Some(exit) = self.change_variable()? {
                    return Ok(Some(exit));
                }
            }
            Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
            Answer::Cancelled => self.ports.ui.notice(
                Tone::Info,
                "press q to pause the walk; it can be resumed later",
            ),
            Answer::Unavailable => return Ok(Some(StepExit::Quit(END_OF_INPUT.into()))),
        }
        Ok(None)
    }

    pub(super) fn done_by_hand(&mut self, i: usize, item: Item) -> Result<(), LogError> {
        let step = self.step(i);
        match item {
            Item::Command(n) => self.log(Event::CommandDone {
                step: step.index,
                command: n,
                automatic: false,
                place: step.commands[n - 1].place.clone(),
                program: step.commands[n - 1].program.clone(),
            })?,
            Item::Check(n) => self.log(Event::ChecklistItem {
                step: step.index,
                item: n,
                text: step.checklist[n - 1].text.clone(),
                automatic: false,
                number: Some(step.checklist[n - 1].number.clone()),
            })?,
        }
        self.state.steps[i].set(item, ItemStatus::Done);
        Ok(())
    }

    /// `Some` only when the operator paused at one of its questions.
    fn note(&mut self, step: Option<usize>) -> Result<Option<StepExit>, LogError> {
        let kinds = NOTE_KEYS.map(|(kind, _)| kind);
        let kind = match self.ask(|ui| pick(ui, Question::NoteKind, &kinds, NoteKind::Note)) {
            Answer::Given(kind) => kind,
            Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
            _ => return Ok(None),
        };
        // The prompter ends the question with its own `:`.
        let question = kind.label().to_string();
        let mut retyped: Option<String> = None;
        loop {
            let (text, at) = match self.ask(|ui| ui.ask_text(&question, retyped.as_deref())) {
                Answer::Given(text) if !text.trim().is_empty() => {
                    match self.claimed(&text) {
                        Ok(Some(claim)) => {
                            // A note that is only a time keeps it as its text.
                            let text = if claim.rest.is_empty() {
                                &text
                            } else {
                                claim.rest
                            };
                            (self.typed(text), Some(claim.at))
                        }
                        Ok(None) => (self.typed(&text), None),
                        Err(e) => {
                            // Asked again with the text as typed, to mend the time.
                            self.ports.ui.notice(Tone::Error, &e.to_string());
                            retyped = Some(text);
                            continue;
                        }
                    }
                }
                Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
                _ => return Ok(None),
            };
            // Said back in the operator's zone, so a mistyped time is caught at once.
            let said = match at {
                Some(at) => {
                    let clock = self.ports.clock;
                    let local = at.with_timezone(&clock.local_offset(at));
                    format!("{} recorded as at {}", kind.label(), local.format("%H:%M"))
                }
                None => format!("{} recorded", kind.label()),
            };
            let at = at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            self.log(Event::Note {
                step,
                kind,
                text,
                at,
            })?;
            self.ports.ui.notice(Tone::Success, &said);
            return Ok(None);
        }
    }

    /// The time a typed note claims (`at 14:05: failover done`), by the walk's clock and zone.
    fn claimed<'t>(
        &self,
        text: &'t str,
    ) -> Result<Option<super::claimed_time::Claim<'t>>, super::claimed_time::ClaimError> {
        let clock = self.ports.clock;
        super::claimed_time::parse(text, clock.now(), &|t| clock.local_offset(t))
    }

    /// `Some` only when the operator paused at its question.
    fn handoff(&mut self) -> Result<Option<StepExit>, LogError> {
        let answer = self.ask(|ui| ui.ask_text("Hand over to (name)", None));
        if let Answer::Interrupted = answer {
            return Ok(Some(paused_by_ctrl_c()));
        }
        if let Answer::Given(to) = answer {
            // A name is free text too: it is logged, and carried by every later event.
            let to = self.typed(to.trim());
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
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_within_each_menu() {
        let mut keys: Vec<char> = Action::ALL.iter().map(|a| a.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
        let mut keys: Vec<char> = Recovery::ALL.iter().map(|a| a.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Recovery::ALL.len());
        let mut keys: Vec<char> = NOTE_KEYS.iter().map(|(_, k)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), NOTE_KEYS.len());
    }
}
