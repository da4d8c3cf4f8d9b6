//! `e`: the operator edits the next command before it runs. The edit is logged (with the
//! runbook's text it replaces) before anything runs, and then goes through the usual approval:
//! an edited command is at least `confirm`, and a `danger` one stays `danger`.

use super::approval::redact;
use super::engine::{StepExit, Walk};
use super::ports::Tone;
use crate::event::{Event, LogError};

impl Walk<'_, '_> {
    /// Opens command `n` of step `i` (its current edit, else the runbook's text) in the editor;
    /// a changed text is logged and put to the operator for approval at once.
    pub(super) fn edit_command(
        &mut self,
        i: usize,
        n: usize,
    ) -> Result<Option<StepExit>, LogError> {
        let step = self.step(i);
        let command = &step.commands[n - 1];
        let current = self.state.steps[i]
            .edits
            .get(&n)
            .cloned()
            .unwrap_or_else(|| command.code.clone());
        self.commit()?;
        let mut text = match self.ports.editor.edit(&current) {
            Err(reason) => {
                self.ports
                    .ui
                    .notice(Tone::Warning, &format!("command {n} not edited: {reason}"));
                return Ok(None);
            }
            Ok(None) => {
                self.ports
                    .ui
                    .notice(Tone::Info, &format!("command {n} unchanged"));
                return Ok(None);
            }
            Ok(Some(text)) => text,
        };
        if text.trim().is_empty() {
            self.ports.ui.notice(
                Tone::Warning,
                &format!(
                    "command {n} not edited: the edit is empty (mark it done by hand, or skip it)"
                ),
            );
            return Ok(None);
        }
        // Editors differ on the final newline; keep the runbook's convention.
        if command.code.ends_with('\n') && !text.ends_with('\n') {
            text.push('\n');
        }
        if text == command.code {
            self.state.steps[i].edits.remove(&n);
            self.ports.ui.notice(
                Tone::Info,
                &format!("command {n} is back to the runbook's text"),
            );
            return Ok(None);
        }
        self.log(Event::CommandEdited {
            step: step.index,
            command: n,
            original_sha256: crate::digest::sha256_hex(command.code.as_bytes()),
            original: command.code.clone(),
            code: redact(&text, &self.secrets()),
        })?;
        self.state.steps[i].edits.insert(n, text);
        self.ports.ui.notice(
            Tone::Success,
            &format!("command {n} edited; it runs only once you approve it"),
        );
        self.run_interactive(i, n)
    }
}
