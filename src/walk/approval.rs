//! What the operator approves before a command runs: its whole text as it will run, with the
//! session's variables shown in place, where and how it runs, and how the approval was given.

use std::time::Duration;

use super::ports::Environment;
use super::state::Past;
use super::variables::Value;
use crate::runbook::Command;

/// A command as put to the operator for approval (data; the prompter lays it out).
#[derive(Debug, Clone)]
pub struct Approval<'a> {
    /// 1-based step.
    pub step: usize,
    pub command: &'a Command,
    /// The whole text that runs, every line, with `$VARS` shown resolved (secrets as `[secret NAME]`).
    pub text: String,
    /// The text is the operator's edit, not the runbook's.
    pub edited: bool,
    /// The directory it runs in.
    pub cwd: String,
    /// The program the block is piped to (`$VARS` resolved), or `None` for `bash -c`.
    pub runner: Option<String>,
    pub timeout: Option<Duration>,
    /// A `danger` command: `yes` must be typed.
    pub danger: bool,
    /// 1 for the first run, 2 for the first retry, ...
    pub attempt: u32,
    /// Variables the command reads that have no value (shown as written).
    pub unset: Vec<String>,
    /// How its last run ended, when it ran (or was settled) before.
    pub past: Option<&'a Past>,
}

/// `code` with each plain `$NAME` / `${NAME}` it reads replaced by the value the command gets:
/// the session's (a secret as `[secret NAME]`), else the environment's. Names with no value stay
/// as written and are returned too. Single-quoted text and quoted heredocs are left alone, as
/// the shell leaves them.
pub fn resolve_for_display(
    code: &str,
    values: &[Value],
    env: &dyn Environment,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(code.len());
    let mut unset = Vec::new();
    let mut at = 0;
    for (name, range) in crate::markdown::plain_expansions(code) {
        let value = match values.iter().find(|v| v.name == name) {
            Some(v) if v.secret => Some(format!("[secret {name}]")),
            Some(v) => Some(v.value.clone()),
            None => env.var(&name),
        };
        let Some(value) = value else {
            if !unset.contains(&name) {
                unset.push(name);
            }
            continue;
        };
        out.push_str(&code[at..range.start]);
        out.push_str(&value);
        at = range.end;
    }
    out.push_str(&code[at..]);
    (out, unset)
}

/// What the log may keep of text the operator typed: every occurrence of a secret value replaced
/// by `[REDACTED]`, overlapping occurrences merged into one marker, as command output is.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let mut from = 0;
        while let Some(pos) = text[from..].find(secret.as_str()) {
            let start = from + pos;
            spans.push((start, start + secret.len()));
            // Next search one character on, so overlapping occurrences are found too.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in merged {
        out.push_str(&text[at..s]);
        out.push_str("[REDACTED]");
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::VariableSource;

    fn value(name: &str, value: &str, secret: bool) -> Value {
        Value {
            name: name.into(),
            value: value.into(),
            secret,
            source: VariableSource::Flag,
        }
    }

    #[test]
    fn variables_are_shown_resolved_secrets_by_name_and_unset_ones_as_written() {
        let values = [value("NODE", "fs-1", false), value("TOKEN", "s3cret", true)];
        let env = vec![("REGION".to_string(), "eu-west-2".to_string())];
        let (text, unset) = resolve_for_display(
            "drain \"sip:$NODE\" --token ${TOKEN}\necho '$NODE' $REGION $MISSING\n",
            &values,
            &env,
        );
        assert_eq!(
            text,
            "drain \"sip:fs-1\" --token [secret TOKEN]\necho '$NODE' eu-west-2 $MISSING\n"
        );
        assert_eq!(unset, ["MISSING"]);
    }

    #[test]
    fn a_variable_the_command_sets_itself_is_not_replaced() {
        let values = [value("NODE", "fs-1", false)];
        let (text, _) = resolve_for_display("NODE=x; echo $NODE ${NODE:-y}", &values, &vec![]);
        assert_eq!(text, "NODE=x; echo $NODE ${NODE:-y}");
    }

    #[test]
    fn redaction_replaces_every_occurrence_and_merges_overlaps() {
        let secrets = ["abcd".to_string(), "cdef".to_string(), String::new()];
        assert_eq!(
            redact("x abcdef y abcd", &secrets),
            "x [REDACTED] y [REDACTED]"
        );
        assert_eq!(redact("abcdabcd", &secrets), "[REDACTED][REDACTED]");
        assert_eq!(redact("nothing", &secrets), "nothing");
    }
}
