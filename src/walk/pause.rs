//! Ctrl-C and `q` at a prompt: the walk asks whether to pause (a second Ctrl-C means yes), and a
//! pause is logged and resumable; nothing typed at a prompt ends the walk as a failure.

use super::engine::Walk;
use super::ports::{Answer, Prompter};

/// Asked on Ctrl-C at any prompt, and on `q`.
pub const PAUSE_QUESTION: &str = "Pause the walk? (`runbook resume` continues it)";
/// `session_paused` reasons.
pub const PAUSED_BY_OPERATOR: &str = "paused by the operator";
pub const PAUSED_BY_CTRL_C: &str = "paused by the operator (Ctrl-C)";
/// Nobody can answer any more: Ctrl-D at a prompt, or the terminal closed. The walk pauses.
pub const END_OF_INPUT: &str = "end of input (Ctrl-D, or the terminal closed)";
/// SIGTERM, SIGHUP or SIGQUIT ended the walk; `session_paused.signal` says which.
pub const SIGNAL: &str = "signal";

impl Walk<'_, '_> {
    /// Asks `question`; Ctrl-C at it asks whether to pause. `Interrupted` comes back only when
    /// the operator confirms the pause (`y`, or Ctrl-C again); otherwise the question is asked
    /// again, so a stray Ctrl-C never answers anything.
    pub(super) fn ask<T>(
        &mut self,
        mut question: impl FnMut(&mut dyn Prompter) -> Answer<T>,
    ) -> Answer<T> {
        loop {
            // Every event so far is on disk before the operator is asked anything. A failed sync
            // poisons the log: the walk then stops at its next event, with the reason.
            if self.commit().is_err() {
                return Answer::Unavailable;
            }
            match question(&mut *self.ports.ui) {
                Answer::Interrupted if self.confirm_pause() => return Answer::Interrupted,
                Answer::Interrupted => {}
                answer => return answer,
            }
        }
    }

    /// "Pause the walk? [y/N]": `y`, a second Ctrl-C, or nobody left to answer mean yes.
    pub(super) fn confirm_pause(&mut self) -> bool {
        // A signal is ending the walk: nobody is asked.
        if self.ports.ui.termination().is_some() || self.commit().is_err() {
            return true;
        }
        match self.ports.ui.confirm(PAUSE_QUESTION, false) {
            Answer::Given(yes) => yes,
            Answer::Interrupted | Answer::Unavailable => true,
            Answer::Cancelled => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Mode};
    use crate::walk::Ending;
    use crate::walk::scripted::{Harness, RB, Reply, opts};

    fn pauses(h: &Harness) -> usize {
        h.ui.transcript
            .iter()
            .filter(|l| l.contains(PAUSE_QUESTION))
            .count()
    }

    fn paused(reason: &str) -> Ending {
        Ending::Paused {
            reason: reason.into(),
        }
    }

    #[test]
    fn ctrl_c_at_the_menu_asks_and_a_no_goes_back_to_the_same_question() {
        // Ctrl-C, "no": the menu again; Enter runs step 1; then Ctrl-C twice pauses.
        let mut h = Harness::new([
            Reply::CtrlC,
            Reply::No,
            Reply::Enter,
            Reply::CtrlC,
            Reply::CtrlC,
        ]);
        let ending = h.walk(RB, opts(Mode::Live, false, false));
        assert_eq!(ending, paused(PAUSED_BY_CTRL_C));
        assert_eq!(h.ran(), ["check $NODE"]);
        assert_eq!(pauses(&h), 2);
        assert!(h.log.events().contains(&&Event::SessionPaused {
            reason: PAUSED_BY_CTRL_C.into(),
            signal: None,
        }));
    }

    #[test]
    fn a_signal_at_a_question_leaves_at_once_recording_it_and_nothing_more() {
        // Step 1 runs; at step 2's confirm question the terminal closes (SIGHUP).
        let mut h = Harness::new([Reply::Enter, Reply::Enter, Reply::Signal("SIGHUP", 1)]);
        let ending = h.walk(RB, opts(Mode::Live, false, false));
        assert_eq!(
            ending,
            Ending::Signalled(crate::walk::ports::Termination {
                signal: "SIGHUP".into(),
                number: 1
            })
        );
        assert_eq!(h.ran(), ["check $NODE"]);
        assert_eq!(pauses(&h), 0, "nobody is asked whether to pause");
        assert_eq!(
            h.log.events().last(),
            Some(&&Event::SessionPaused {
                reason: SIGNAL.into(),
                signal: Some("SIGHUP".into()),
            })
        );
        assert!(!h.log.types().contains(&"command_refused".to_string()));
    }

    #[test]
    fn q_asks_before_pausing() {
        let mut h = Harness::new([Reply::Key('q'), Reply::No, Reply::Key('q'), Reply::Yes]);
        let ending = h.walk(RB, opts(Mode::Live, false, false));
        assert_eq!(ending, paused(PAUSED_BY_OPERATOR));
        assert_eq!(pauses(&h), 2);
        assert_eq!(h.log.types().last().unwrap(), "session_paused");
    }

    #[test]
    fn ctrl_c_at_a_confirm_or_danger_prompt_never_runs_the_command() {
        // Step 2: `drain` asks to confirm; Ctrl-C, "no" asks again, and `n` declines it. The
        // danger command: Ctrl-C at the typed `yes`, then `y` to pause.
        let mut h = Harness::new([
            Reply::Enter,
            Reply::Enter,
            Reply::CtrlC,
            Reply::No,
            Reply::No,
            Reply::Key('d'),
            Reply::Enter,
            Reply::Enter,
            Reply::CtrlC,
            Reply::Yes,
        ]);
        let ending = h.walk(RB, opts(Mode::Live, false, false));
        assert_eq!(ending, paused(PAUSED_BY_CTRL_C));
        assert_eq!(h.ran(), ["check $NODE"]);
        let asked_confirm =
            h.ui.transcript
                .iter()
                .filter(|l| l.starts_with("? Run command 1"))
                .count();
        assert_eq!(asked_confirm, 2, "{:#?}", h.ui.transcript);
        assert!(h.ui.screen().contains("? DANGER"), "{}", h.ui.screen());
    }

    #[test]
    fn ctrl_c_while_typing_a_reason_or_a_note_pauses_without_recording_it() {
        let mut h = Harness::new([Reply::Key('s'), Reply::CtrlC, Reply::Yes]);
        assert_eq!(
            h.walk(RB, opts(Mode::Live, false, false)),
            paused(PAUSED_BY_CTRL_C)
        );
        assert!(!h.log.types().contains(&"step_finished".to_string()));
        let mut h = Harness::new([Reply::Key('n'), Reply::Key('n'), Reply::CtrlC, Reply::Yes]);
        assert_eq!(
            h.walk(RB, opts(Mode::Live, false, false)),
            paused(PAUSED_BY_CTRL_C)
        );
        assert!(!h.log.types().contains(&"note".to_string()));
    }
}
