//! Variables during the walk: asked just before the first command (or lookup) that needs them,
//! listed and changed with `v`, and every value set after the session began logged as
//! `variable_set`.

use super::actions::paused_by_ctrl_c;
use super::engine::{StepExit, Walk};
use super::ports::{Answer, Tone};
use super::screen::{Screen, VariableRow, VariableState};
use super::variables::{Value, VariableError, ask, mentioned};
use crate::event::{Event, LogError, VariableSource};
use crate::runbook::{Dimension, LookupQuery, Runbook, Step, Variable};

/// Whether a command may go ahead once its variables were asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Needed {
    Ready,
    /// The operator cancelled a question: the command is not run, the walk goes on.
    Cancelled,
    /// A required value cannot be had (nobody to ask): the walk stops with this reason.
    Stop(String),
    /// Ctrl-C at a question, and the operator confirmed the pause.
    Paused,
}

impl Walk<'_, '_> {
    /// Asks for the variables among `names` that have no value yet, in the order the runbook
    /// lists them, and logs each value.
    pub(super) fn need(&mut self, names: &[String]) -> Result<Needed, LogError> {
        let runbook: &Runbook = self.runbook;
        let missing: Vec<&Variable> = runbook
            .variables
            .iter()
            .filter(|v| names.contains(&v.name))
            .filter(|v| !self.values.iter().any(|k| k.name == v.name))
            .filter(|v| !self.declined.contains(&v.name))
            // An earlier command exported it, as an operator's shell would have it.
            .filter(|v| !self.state.shell.has(&v.name))
            .collect();
        if missing.len() > 1 {
            let list: Vec<&str> = missing.iter().map(|v| v.name.as_str()).collect();
            self.ports
                .ui
                .notice(Tone::Info, &format!("values needed: {}", list.join(", ")));
        }
        for var in missing {
            loop {
                self.commit()?;
                match ask(var, self.ports.ui, var.default.as_deref()) {
                    Ok(Some((value, source))) => self.set_value(var, value, source)?,
                    Ok(None) => self.declined.push(var.name.clone()),
                    // Ctrl-C asks whether to pause; "no" asks for the value again.
                    Err(VariableError::Interrupted { .. }) if self.confirm_pause() => {
                        return Ok(Needed::Paused);
                    }
                    Err(VariableError::Interrupted { .. }) => continue,
                    Err(VariableError::Cancelled { .. }) => return Ok(Needed::Cancelled),
                    Err(e) => return Ok(Needed::Stop(e.to_string())),
                }
                break;
            }
        }
        Ok(Needed::Ready)
    }

    /// Before the first step: declared variables that no command or lookup reads (used in text or
    /// by hand), since the walk cannot tell when they are needed.
    pub(super) fn ask_unplaced(&mut self) -> Result<Needed, LogError> {
        let runbook: &Runbook = self.runbook;
        let placed = |name: &str| {
            runbook.steps.iter().any(|s| {
                s.commands.iter().any(|c| c.uses.iter().any(|u| u == name))
                    || lookup_variables(s).iter().any(|u| u == name)
            })
        };
        let unplaced: Vec<String> = runbook
            .variables
            .iter()
            .filter(|v| v.declared && !placed(&v.name))
            .map(|v| v.name.clone())
            .collect();
        self.need(&unplaced)
    }

    /// Records a value, replacing any earlier one, and logs it (a secret as `null`).
    pub(super) fn set_value(
        &mut self,
        var: &Variable,
        value: String,
        source: VariableSource,
    ) -> Result<(), LogError> {
        self.log(Event::VariableSet {
            name: var.name.clone(),
            source,
            value: (!var.secret).then(|| value.clone()),
        })?;
        self.declined.retain(|n| n != &var.name);
        let new = Value {
            name: var.name.clone(),
            value,
            secret: var.secret,
            source,
        };
        match self.values.iter_mut().find(|v| v.name == var.name) {
            Some(old) => *old = new,
            None => self.values.push(new),
        }
        Ok(())
    }

    /// `v`: lists the variables, then changes the one the operator names.
    /// `Some` only when the operator paused at one of its questions.
    pub(super) fn change_variable(&mut self) -> Result<Option<StepExit>, LogError> {
        let runbook: &Runbook = self.runbook;
        let rows: Vec<VariableRow<'_>> = runbook
            .variables
            .iter()
            .map(|var| VariableRow {
                name: &var.name,
                description: var.description.as_deref(),
                secret: var.secret,
                state: match self.values.iter().find(|v| v.name == var.name) {
                    Some(v) => VariableState::Set {
                        value: (!v.secret).then_some(v.value.as_str()),
                        source: v.source,
                    },
                    None if self.declined.contains(&var.name) => VariableState::Empty,
                    None => VariableState::NotSet,
                },
            })
            .collect();
        self.ports.ui.show(Screen::Variables { rows: &rows });
        let name =
            match self.ask(|ui| ui.ask_text("Change which variable? (name; Enter: none)", None)) {
                Answer::Given(name) => name,
                Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
                _ => return Ok(None),
            };
        let name = name.trim();
        if name.is_empty() {
            return Ok(None);
        }
        let Some(var) = runbook
            .variables
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
        else {
            let names = runbook.variables.iter().map(|v| v.name.as_str());
            let message = match crate::suggest::closest(name, names) {
                Some(guess) => format!("no variable `{name}`; did you mean `{guess}`?"),
                None => format!("no variable `{name}`"),
            };
            self.ports.ui.notice(Tone::Warning, &message);
            return Ok(None);
        };
        let current = self
            .values
            .iter()
            .find(|v| v.name == var.name)
            .map(|v| v.value.clone());
        // Enter keeps what is there: the current value, else the default.
        let keep = current.clone().or_else(|| var.default.clone());
        self.commit()?;
        let answer = ask(
            var,
            self.ports.ui,
            if var.secret { None } else { keep.as_deref() },
        );
        match answer {
            Ok(Some((value, _))) if var.secret && value.is_empty() => {}
            Ok(Some((value, source))) if Some(&value) != current.as_ref() => {
                let source = if source == VariableSource::Default && current.is_some() {
                    // Typed (or kept) by the operator now, whatever the default says.
                    VariableSource::Prompt
                } else {
                    source
                };
                self.set_value(var, value, source)?;
                self.ports
                    .ui
                    .notice(Tone::Success, &format!("{} set", var.name));
                return Ok(None);
            }
            Err(VariableError::Interrupted { .. }) if self.confirm_pause() => {
                return Ok(Some(paused_by_ctrl_c()));
            }
            _ => {}
        }
        self.ports
            .ui
            .notice(Tone::Info, &format!("{} unchanged", var.name));
        Ok(None)
    }
}

/// The variables a step's lookups read in their dimension values, in order.
pub(super) fn lookup_variables(step: &Step) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for lookup in &step.lookups {
        let dims: Vec<&Dimension> = match &lookup.query {
            LookupQuery::Metric { metric, .. } => metric.dimensions.iter().collect(),
            LookupQuery::Expression { queries, .. } => {
                queries.iter().flat_map(|q| &q.metric.dimensions).collect()
            }
            LookupQuery::Alarms { .. } => Vec::new(),
        };
        for d in dims {
            for name in mentioned(&d.value) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}
