//! Variables: the values commands need. Flags, the environment and a resumed log give theirs
//! before the walk starts; the operator is asked for the rest just before the first command that
//! needs them (all up front when nobody can be asked later). Also `$NAME` expansion in annotation
//! and dimension values.

use super::ports::{Answer, Environment, Prompter, Tone};
use crate::event::{LoggedVariable, VariableSource};
use crate::runbook::{Runbook, Variable};

/// A variable with its value and where the value came from.
#[derive(Debug, Clone)]
pub struct Value {
    pub name: String,
    pub value: String,
    pub secret: bool,
    pub source: VariableSource,
}

impl Value {
    pub fn logged(&self) -> LoggedVariable {
        LoggedVariable {
            name: self.name.clone(),
            value: (!self.secret).then(|| self.value.clone()),
            secret: self.secret,
            source: self.source,
        }
    }
}

/// Why the walk cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariableError {
    #[error("`--var {name}` is not declared nor used by any command of this runbook")]
    Unknown { name: String },
    #[error("value of `{name}` does not match its pattern `{pattern}`")]
    Mismatch { name: String, pattern: String },
    #[error("`{name}` needs a value and there is no terminal to ask: pass `--var {name}=...`")]
    Missing { name: String },
    #[error("the operator cancelled entering `{name}`")]
    Cancelled { name: String },
    #[error("the operator pressed Ctrl-C while entering `{name}`")]
    Interrupted { name: String },
}

/// Whether `value` matches `pattern` in full.
pub fn matches(pattern: &str, value: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(value))
}

/// When the operator is asked for the variables nothing else gives a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    /// Now, before the walk: nobody will be there later (`--yes` without a terminal), so the
    /// defaults are taken and a missing required value refuses the walk before anything runs.
    Upfront,
    /// Later, by the walk, just before the first command that needs them.
    WhenNeeded,
}

/// The values of `runbook`'s variables known before the walk. `flags` are `--var` values; `env`
/// is the environment; `known` are the values a resumed log holds (secrets are not in it).
pub fn resolve(
    runbook: &Runbook,
    flags: &[(String, String)],
    env: &dyn Environment,
    known: &[LoggedVariable],
    ui: &mut dyn Prompter,
    asking: Asking,
) -> Result<Vec<Value>, VariableError> {
    for (name, _) in flags {
        if !runbook.variables.iter().any(|v| &v.name == name) {
            return Err(VariableError::Unknown { name: name.clone() });
        }
    }
    let mut values = Vec::new();
    for var in &runbook.variables {
        let given = flags
            .iter()
            .rev()
            .find(|(n, _)| n == &var.name)
            .map(|(_, v)| (v.clone(), VariableSource::Flag))
            .or_else(|| {
                known
                    .iter()
                    .find(|k| k.name == var.name && !k.secret)
                    .and_then(|k| k.value.clone().map(|v| (v, VariableSource::Log)))
            })
            .or_else(|| env.var(&var.name).map(|v| (v, VariableSource::Env)));
        let value = match given {
            Some((value, source)) => {
                check_pattern(var, &value)?;
                Some((value, source))
            }
            None if asking == Asking::Upfront => ask(var, ui, var.default.as_deref())?,
            None => None,
        };
        if let Some((value, source)) = value {
            values.push(Value {
                name: var.name.clone(),
                value,
                secret: var.secret,
                source,
            });
        }
    }
    Ok(values)
}

fn check_pattern(var: &Variable, value: &str) -> Result<(), VariableError> {
    match &var.pattern {
        Some(p) if !matches(p, value) => Err(VariableError::Mismatch {
            name: var.name.clone(),
            pattern: p.clone(),
        }),
        _ => Ok(()),
    }
}

/// Asks the operator, re-asking until the pattern matches; without a terminal, falls back to the
/// default. `None`: left empty (optional, no default), or undeclared and nobody to ask.
/// Enter gives `default` (the front matter's, or the current value when changing one).
pub fn ask(
    var: &Variable,
    ui: &mut dyn Prompter,
    default: Option<&str>,
) -> Result<Option<(String, VariableSource)>, VariableError> {
    let question = match (&var.description, var.declared) {
        (Some(d), true) => format!("{} ({d})", var.name),
        (Some(d), false) => format!("{} ({d}, not set in the environment)", var.name),
        (None, true) => var.name.clone(),
        (None, false) => format!(
            "{} (used by a command, not set in the environment)",
            var.name
        ),
    };
    loop {
        let answer = if var.secret {
            ui.ask_secret(&question)
        } else {
            ui.ask_text(&question, default)
        };
        match answer {
            Answer::Given(value) => {
                if value.is_empty() && !var.required && default.is_none() {
                    return Ok(None);
                }
                if let Some(p) = &var.pattern
                    && !matches(p, &value)
                {
                    ui.notice(
                        Tone::Warning,
                        &format!("`{value}` does not match `{p}`; try again"),
                    );
                    continue;
                }
                let source = if Some(&value) == var.default.as_ref() {
                    VariableSource::Default
                } else {
                    VariableSource::Prompt
                };
                return Ok(Some((value, source)));
            }
            Answer::Cancelled => {
                return Err(VariableError::Cancelled {
                    name: var.name.clone(),
                });
            }
            // The walk asks whether to pause; before the walk starts it cancels.
            Answer::Interrupted => {
                return Err(VariableError::Interrupted {
                    name: var.name.clone(),
                });
            }
            Answer::Unavailable => {
                return match (&var.default, var.required || !var.declared) {
                    (Some(d), _) => Ok(Some((d.clone(), VariableSource::Default))),
                    (None, true) if var.declared => Err(VariableError::Missing {
                        name: var.name.clone(),
                    }),
                    // An undeclared variable may be set in ways the parser cannot see; the command decides.
                    (None, _) => Ok(None),
                };
            }
        }
    }
}

/// The names `text` expands as `$NAME` or `${NAME}`, in order, each once.
pub fn mentioned(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        let after = &rest[pos + 1..];
        let (name, len) = name_at(after);
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        rest = &after[len..];
    }
    names
}

/// The name right after a `$` (`NAME` or `{NAME}`) and how many bytes it takes; empty when none.
fn name_at(after: &str) -> (&str, usize) {
    if let Some(inner) = after.strip_prefix('{') {
        match inner.find('}') {
            Some(end) => (&inner[..end], end + 2),
            None => ("", 0),
        }
    } else {
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        (&after[..end], end)
    }
}

/// Expands `$NAME` and `${NAME}` from `vars`, then `env`, for annotation values like `cwd`.
/// Unset names expand to nothing; a `$` not followed by a name stays.
pub fn expand(text: &str, vars: &[(String, String)], env: &dyn Environment) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, len) = name_at(after);
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        let value = vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| env.var(name))
            .unwrap_or_default();
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}
