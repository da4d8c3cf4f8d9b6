//! What must happen before a command may run: the safety annotations against the walk's mode.

use crate::event::Mode;
use crate::runbook::Command;

/// The gate a command passes before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Run,
    /// `confirm`: ask, even under `--yes`.
    Confirm,
    /// `danger`: show it and require `yes` typed in full.
    TypeYes,
    /// Not run; the reason is logged.
    Skip(String),
    /// Rehearsal: shown and logged, not run.
    Rehearse,
}

pub fn gate(command: &Command, mode: Mode, yes: bool, allow_danger: bool) -> Gate {
    let a = &command.annotations;
    if mode == Mode::Rehearsal && !a.readonly {
        return Gate::Rehearse;
    }
    if a.danger {
        return match (yes, allow_danger) {
            (true, true) => Gate::Run,
            (true, false) => Gate::Skip(
                "`danger` command not run under --yes (pass --allow-danger to run it)".into(),
            ),
            (false, _) => Gate::TypeYes,
        };
    }
    // An unlabelled block read as shell is the tool's guess: the operator confirms it.
    if a.confirm || command.guessed {
        return Gate::Confirm;
    }
    Gate::Run
}

/// The gate of a command the operator edited: at least `confirm`, and `yes` typed for a `danger`
/// one, whatever the flags. A rehearsal never runs an edit (it may no longer be read-only).
pub fn gate_edited(command: &Command, mode: Mode) -> Gate {
    if mode == Mode::Rehearsal {
        Gate::Rehearse
    } else if command.annotations.danger {
        Gate::TypeYes
    } else {
        Gate::Confirm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    fn command(info: &str) -> Command {
        parse("t.md", &format!("## A\n```bash {info}\nx\n```\n"))
            .runbook
            .steps[0]
            .commands[0]
            .clone()
    }

    #[test]
    fn rehearsal_runs_only_readonly() {
        assert_eq!(
            gate(&command("{readonly}"), Mode::Rehearsal, false, false),
            Gate::Run
        );
        assert_eq!(
            gate(&command(""), Mode::Rehearsal, true, true),
            Gate::Rehearse
        );
        assert_eq!(
            gate(&command("{danger}"), Mode::Rehearsal, true, true),
            Gate::Rehearse
        );
    }

    #[test]
    fn danger_needs_typing_and_is_skipped_under_yes_unless_allowed() {
        assert_eq!(
            gate(&command("{danger}"), Mode::Live, false, false),
            Gate::TypeYes
        );
        assert!(matches!(
            gate(&command("{danger}"), Mode::Live, true, false),
            Gate::Skip(_)
        ));
        assert_eq!(
            gate(&command("{danger}"), Mode::Live, true, true),
            Gate::Run
        );
    }

    #[test]
    fn confirm_always_asks() {
        assert_eq!(
            gate(&command("{confirm}"), Mode::Live, true, true),
            Gate::Confirm
        );
        assert_eq!(gate(&command(""), Mode::Live, true, false), Gate::Run);
    }
}
