//! The shell state carried from one command to the next, as an operator's shell carries it: the
//! directory the last `cd` left and the variables `export`, `source` or `set -a` changed.
//!
//! The live walk updates it from each command's outcome (real values); `resume` rebuilds it from
//! the log's `command_finished` events (`cwd_after`, `env_changed`), where redacted values are
//! not restored.

use std::path::PathBuf;

use super::ports::{Environment, ShellAfter};
use crate::event::EnvChange;

/// Where the next command starts and what it inherits beyond the session's variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// The directory the last command that changed it left; `None`: the walk's own.
    pub cwd: Option<PathBuf>,
    /// Variables set (`Some`) or unset (`None`) by earlier commands, by name, last change kept.
    pub env: Vec<(String, Option<String>)>,
}

impl Carried {
    /// Takes what a command left.
    pub fn take(&mut self, after: &ShellAfter) {
        if let Some(cwd) = &after.cwd {
            self.cwd = Some(cwd.clone());
        }
        for (name, value) in &after.changed {
            self.set(name, value.clone());
        }
    }

    fn set(&mut self, name: &str, value: Option<String>) {
        match self.env.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.env.push((name.to_string(), value)),
        }
    }

    /// Replays a logged `command_finished`: a redacted directory or value is not restored.
    pub fn replay(&mut self, cwd_after: Option<&str>, changes: &[EnvChange]) {
        if let Some(dir) = cwd_after
            && !dir.contains("[REDACTED]")
        {
            self.cwd = Some(PathBuf::from(dir));
        }
        for change in changes {
            if change.unset {
                self.set(&change.name, None);
            } else if let (Some(value), false) = (&change.value, change.redacted) {
                self.set(&change.name, Some(value.clone()));
            }
        }
    }

    /// Whether an earlier command gave `name` a value.
    pub fn has(&self, name: &str) -> bool {
        self.env.iter().any(|(n, v)| n == name && v.is_some())
    }

    /// The variables set, as name and value.
    pub fn set_vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.env
            .iter()
            .filter_map(|(n, v)| v.as_deref().map(|v| (n.as_str(), v)))
    }

    /// The names unset.
    pub fn unset_names(&self) -> Vec<String> {
        self.env
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// The environment as the next command sees it: what earlier commands exported or unset, over
/// the walk's own environment (for showing a command with its values in place).
pub struct Layered<'a> {
    pub carried: &'a Carried,
    pub base: &'a dyn Environment,
}

impl Environment for Layered<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match self.carried.env.iter().find(|(n, _)| n == name) {
            Some((_, value)) => value.clone(),
            None => self.base.var(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(name: &str, value: Option<&str>, redacted: bool) -> EnvChange {
        EnvChange {
            name: name.into(),
            value: value.map(Into::into),
            unset: value.is_none() && !redacted,
            redacted,
        }
    }

    #[test]
    fn later_changes_win_and_unsets_are_kept() {
        let mut c = Carried::default();
        c.take(&ShellAfter {
            cwd: Some("/a".into()),
            changed: vec![("X".into(), Some("1".into())), ("Y".into(), None)],
        });
        c.take(&ShellAfter {
            cwd: None,
            changed: vec![("X".into(), Some("2".into()))],
        });
        assert_eq!(c.cwd, Some(PathBuf::from("/a")));
        assert_eq!(c.set_vars().collect::<Vec<_>>(), [("X", "2")]);
        assert_eq!(c.unset_names(), ["Y"]);
        assert!(c.has("X") && !c.has("Y"));
    }

    #[test]
    fn the_layered_environment_shows_carried_values_over_the_walks() {
        let mut c = Carried::default();
        c.take(&ShellAfter {
            cwd: None,
            changed: vec![("FOO".into(), Some("1".into())), ("HOME".into(), None)],
        });
        let base: Vec<(String, String)> = vec![
            ("HOME".into(), "/root".into()),
            ("FOO".into(), "0".into()),
            ("USER".into(), "ops".into()),
        ];
        let env = Layered {
            carried: &c,
            base: &base,
        };
        assert_eq!(env.var("FOO").as_deref(), Some("1"));
        assert_eq!(env.var("HOME"), None, "unset by a command");
        assert_eq!(env.var("USER").as_deref(), Some("ops"));
    }

    #[test]
    fn replay_skips_what_the_log_redacted() {
        let mut c = Carried::default();
        c.replay(
            Some("/srv"),
            &[
                change("A", Some("1"), false),
                change("TOKEN", None, true),
                change("B", None, false),
            ],
        );
        c.replay(Some("/home/[REDACTED]"), &[]);
        assert_eq!(c.cwd, Some(PathBuf::from("/srv")));
        assert_eq!(
            c.env,
            [
                ("A".to_string(), Some("1".to_string())),
                ("B".to_string(), None)
            ]
        );
    }
}
