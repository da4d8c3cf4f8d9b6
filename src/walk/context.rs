//! Where the operator stands: the runbook's description and introduction, the progress shown on
//! every step header, and going to a step by number, id or title (with a did-you-mean).

use super::engine::Walk;
use super::ports::{Answer, Tone};
use super::screen::{Screen, Tally};
use crate::event::StepStatus;
use crate::runbook::Runbook;

/// Why a typed step could not be gone to, as the message to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSuchStep(pub String);

/// The step (0-based) that `key` names: a number, an id, a title, or the start of a title or id
/// (case-insensitive) that only one step has. Otherwise the message to show, with a did-you-mean.
pub fn find_step(runbook: &Runbook, key: &str) -> Result<usize, NoSuchStep> {
    let key = key.trim();
    let steps = &runbook.steps;
    if let Ok(n) = key.parse::<usize>() {
        return match n.checked_sub(1).filter(|i| *i < steps.len()) {
            Some(i) => Ok(i),
            None => Err(NoSuchStep(format!(
                "no step {n}: give a number from 1 to {}",
                steps.len()
            ))),
        };
    }
    let lower = key.to_lowercase();
    if lower.is_empty() {
        return Err(NoSuchStep("no step given".into()));
    }
    let exact = |s: &crate::runbook::Step| s.id == key || s.title.to_lowercase() == lower;
    if let Some(i) = steps.iter().position(exact) {
        return Ok(i);
    }
    let starts = |s: &crate::runbook::Step| {
        s.title.to_lowercase().starts_with(&lower) || s.id.starts_with(&lower)
    };
    let matching: Vec<usize> = (0..steps.len()).filter(|&i| starts(&steps[i])).collect();
    match matching[..] {
        [i] => Ok(i),
        [] => {
            // Ids and titles, lowercased, each pointing back at its step.
            let names: Vec<(String, usize)> = steps
                .iter()
                .enumerate()
                .flat_map(|(i, s)| [(s.id.clone(), i), (s.title.to_lowercase(), i)])
                .collect();
            let guess = crate::suggest::closest(&lower, names.iter().map(|(n, _)| n.as_str()))
                .and_then(|best| names.iter().find(|(n, _)| n == best))
                .map(|(_, i)| &steps[*i]);
            Err(NoSuchStep(match guess {
                Some(step) => format!(
                    "no step `{key}`; did you mean step {} `{}` ({})?",
                    step.index, step.id, step.title
                ),
                None => format!("no step `{key}`: give a number, an id or the start of a title"),
            }))
        }
        _ => {
            let list: Vec<String> = matching
                .iter()
                .map(|&i| format!("{} `{}`", i + 1, steps[i].id))
                .collect();
            Err(NoSuchStep(format!(
                "`{key}` starts several steps ({}): type more, or the number",
                list.join(", ")
            )))
        }
    }
}

impl Walk<'_, '_> {
    /// The description and introduction, when the runbook has either.
    pub(super) fn show_context(&mut self) {
        if has_context(self.runbook) {
            self.ports.ui.show(Screen::Context {
                runbook: self.runbook,
            });
        }
    }

    /// Steps settled so far, by status.
    pub(super) fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for p in &self.state.steps {
            match p.status {
                Some(StepStatus::Done) => tally.done += 1,
                Some(StepStatus::Skipped) => tally.skipped += 1,
                Some(StepStatus::Failed) => tally.failed += 1,
                Some(StepStatus::Rehearsed) => tally.rehearsed += 1,
                None => {}
            }
        }
        tally
    }

    /// Lists the steps with their status, then asks which to go to; `None` when the operator
    /// stays (no answer, no such step, or the step they are on).
    pub(super) fn go_to(&mut self, i: usize) -> StepChoice {
        let rows = self.summary().rows;
        self.ports.ui.show(Screen::Steps {
            runbook: self.runbook,
            rows: &rows,
            current: i + 1,
        });
        match self.ask_step("Go to step (number, id or start of the title)") {
            StepChoice::To(target) if target == i => {
                // Reopening the step one is on would forget its progress: show it again instead.
                self.show_step(i);
                StepChoice::Stay
            }
            choice => choice,
        }
    }

    /// Asks for a step; a wrong answer is told with a did-you-mean, and the walk stays.
    pub(super) fn ask_step(&mut self, question: &str) -> StepChoice {
        let key = match self.ask(|ui| ui.ask_text(question, None)) {
            Answer::Given(key) => key,
            Answer::Interrupted => return StepChoice::Pause,
            _ => return StepChoice::Stay,
        };
        if key.trim().is_empty() {
            return StepChoice::Stay;
        }
        match find_step(self.runbook, &key) {
            Ok(j) => StepChoice::To(j),
            Err(NoSuchStep(message)) => {
                self.ports.ui.notice(Tone::Warning, &message);
                StepChoice::Stay
            }
        }
    }
}

/// Where the operator asked to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StepChoice {
    /// To this step (0-based).
    To(usize),
    /// Nowhere: no answer, no such step, or the step they are on.
    Stay,
    /// Ctrl-C at the question, and the operator confirmed the pause.
    Pause,
}

/// Whether the runbook has a description or an introduction to show.
pub fn has_context(runbook: &Runbook) -> bool {
    let filled = |t: Option<&str>| t.is_some_and(|t| !t.trim().is_empty());
    filled(runbook.front_matter.description.as_deref()) || filled(runbook.introduction_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse;

    const STEPS: &str = "# R\n\n## Drain the node\n<!-- runbook: step id=drain -->\nx\n\n## Restart the node\ny\n\n## Restore traffic\nz\n";

    #[test]
    fn a_step_is_found_by_number_id_title_or_unique_prefix() {
        let rb = parse("r.md", STEPS).runbook;
        assert_eq!(find_step(&rb, "2"), Ok(1));
        assert_eq!(find_step(&rb, "drain"), Ok(0));
        assert_eq!(find_step(&rb, "restore-traffic"), Ok(2));
        assert_eq!(find_step(&rb, "Restart the node"), Ok(1));
        assert_eq!(find_step(&rb, "resta"), Ok(1));
        assert_eq!(find_step(&rb, " RESTO "), Ok(2));
    }

    #[test]
    fn no_match_says_why_with_a_did_you_mean() {
        let rb = parse("r.md", STEPS).runbook;
        assert_eq!(
            find_step(&rb, "7"),
            Err(NoSuchStep("no step 7: give a number from 1 to 3".into()))
        );
        assert_eq!(
            find_step(&rb, "rest"),
            Err(NoSuchStep(
                "`rest` starts several steps (2 `restart-the-node`, 3 `restore-traffic`): type more, or the number".into()
            ))
        );
        assert_eq!(
            find_step(&rb, "drian"),
            Err(NoSuchStep(
                "no step `drian`; did you mean step 1 `drain` (Drain the node)?".into()
            ))
        );
        assert_eq!(
            find_step(&rb, "rollback"),
            Err(NoSuchStep(
                "no step `rollback`: give a number, an id or the start of a title".into()
            ))
        );
    }
}
