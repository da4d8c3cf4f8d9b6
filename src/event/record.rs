//! The line format: the envelope every line shares and the events of a walk, one JSON line each.

use serde::{Deserialize, Serialize};

/// Version of the line format, written as `v` on every line.
pub const FORMAT_VERSION: u32 = 1;

/// One line of the log: the envelope every event shares, and the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    /// From 1, no gaps.
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds: `2026-11-22T03:04:05.678Z`.
    pub ts: String,
    /// Who was at the keyboard (changes with a hand-off).
    pub operator: String,
    /// Random id of the process that wrote the line; a resumed walk has a new one.
    pub session: String,
    /// Hex sha256 of the previous line's bytes (without its newline); of "" for the first line.
    pub prev: String,
    #[serde(flatten)]
    pub event: Event,
}

/// Whether commands really run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Live,
    /// `--rehearse`: only `readonly` commands run.
    Rehearsal,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Rehearsal => "rehearsal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Done,
    Skipped,
    Failed,
    Rehearsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Note,
    Observation,
    Hypothesis,
    Decision,
    /// Milestones: when the incident was detected, mitigated, resolved.
    Detected,
    Mitigated,
    Resolved,
}

impl NoteKind {
    pub const ALL: [NoteKind; 7] = [
        NoteKind::Note,
        NoteKind::Observation,
        NoteKind::Hypothesis,
        NoteKind::Decision,
        NoteKind::Detected,
        NoteKind::Mitigated,
        NoteKind::Resolved,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Note => "note",
            NoteKind::Observation => "observation",
            NoteKind::Hypothesis => "hypothesis",
            NoteKind::Decision => "decision",
            NoteKind::Detected => "detected",
            NoteKind::Mitigated => "mitigated",
            NoteKind::Resolved => "resolved",
        }
    }
}

/// The runbook a session walks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunbookRef {
    pub path: String,
    pub title: String,
    pub sha256: String,
    pub steps: usize,
    /// Each step's id, title and digest, so a resume can tell which steps changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<StepOutline>,
    /// The runbook's canonical absolute path, so `resume` finds it from any directory (older
    /// logs lack it: `path` is then read from the current directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute_path: Option<String>,
    /// The directory the walk started in: commands without `cwd=`, and relative ones, run there,
    /// on resume too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_dir: Option<String>,
}

/// One step as it was when the log began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepOutline {
    pub id: String,
    pub title: String,
    /// Hex sha256 of the step's title and body.
    pub sha256: String,
}

/// A variable's value as logged: secret values never appear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedVariable {
    pub name: String,
    /// `None` for secrets.
    pub value: Option<String>,
    pub secret: bool,
    pub source: VariableSource,
}

/// Where a variable's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableSource {
    /// `--var NAME=value`.
    Flag,
    /// The process environment.
    Env,
    /// Typed by the operator.
    Prompt,
    /// The front matter's `default`, accepted by the operator or taken unattended.
    Default,
    /// The log of the walk being resumed.
    Log,
}

impl VariableSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VariableSource::Flag => "flag",
            VariableSource::Env => "env",
            VariableSource::Prompt => "prompt",
            VariableSource::Default => "default",
            VariableSource::Log => "log",
        }
    }
}

/// Everything that can happen in a walk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    SessionStarted {
        runbook: RunbookRef,
        tool_version: String,
        hostname: String,
        mode: Mode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incident: Option<String>,
        variables: Vec<LoggedVariable>,
    },
    SessionResumed {
        runbook: RunbookRef,
        tool_version: String,
        hostname: String,
        mode: Mode,
        /// The runbook's sha256 differs from the one the log started with.
        runbook_changed: bool,
        /// 1-based steps whose text changed since the log started.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        changed_steps: Vec<usize>,
        /// `--force` let a changed list of steps through.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        forced: bool,
        /// The step the walk continues at.
        step: usize,
    },
    /// A torn last line (a crash mid-write) was cut off before appending; its bytes are kept here.
    LogRepaired {
        torn_bytes: u64,
        /// The torn bytes, lossily decoded.
        torn_text: String,
    },
    SessionPaused {
        reason: String,
        /// With reason `signal`: the signal that ended the walk (`SIGTERM`, `SIGHUP`, `SIGQUIT`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<String>,
    },
    SessionFinished {
        done: usize,
        skipped: usize,
        failed: usize,
        rehearsed: usize,
    },
    StepStarted {
        step: usize,
        step_id: String,
        title: String,
    },
    StepFinished {
        step: usize,
        step_id: String,
        status: StepStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    CommandStarted {
        step: usize,
        command: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        code: String,
        cwd: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runner: Option<String>,
        /// 1 for the first run, 2 for the first retry, ...
        attempt: u32,
        /// The values that took the place of the `<placeholders>` in `code` (which keeps them
        /// as written), in the order they appear.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        placeholders: Vec<FilledPlaceholder>,
    },
    CommandFinished {
        step: usize,
        command: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// Name of the signal that ended it (`SIGKILL`), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<String>,
        success: bool,
        duration_ms: u64,
        /// Head and tail of the output, with a marker where the middle was cut.
        output: String,
        truncated: bool,
        /// Total bytes the command printed.
        bytes: u64,
        /// Secret values replaced in the output.
        redactions: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        timed_out: bool,
        /// Stopped by the operator's Ctrl-C.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        interrupted: bool,
        /// The directory the command left (`pwd -P`), when not the one it started in: the next
        /// command starts there. Redacted when it spells out a secret.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cwd_after: Option<String>,
        /// Exported variables the command set, changed or unset, by name: later commands get them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        env_changed: Vec<EnvChange>,
    },
    /// A command that was not run: rehearsal, `danger` under `--yes`, or the operator's choice.
    CommandSkipped {
        step: usize,
        command: usize,
        reason: String,
        /// Decided by the tool (rehearsal, `--yes`), not by the operator.
        automatic: bool,
    },
    /// A manual block the operator did by hand.
    CommandDone {
        step: usize,
        command: usize,
        automatic: bool,
        /// Where it was typed, when not in the local shell: "on HOST", "as root"...
        #[serde(default, skip_serializing_if = "Option::is_none")]
        place: Option<String>,
        /// The program it was typed to, at its prompt: `mysql`, `psql`...
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
    },
    ChecklistItem {
        step: usize,
        item: usize,
        text: String,
        automatic: bool,
        /// The item's number as written for people (`3.1`); absent in logs from before it was
        /// recorded, which then show `item`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
    },
    Note {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
        kind: NoteKind,
        text: String,
        /// The time the note claims (RFC 3339 UTC with milliseconds), when the operator
        /// back-dated it (`at 14:05`, `-10m`); never after the line's `ts`, the time it was
        /// written. Absent otherwise, so older logs read, and hash, as they were.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
    Handoff {
        from: String,
        to: String,
    },
    /// What one CloudWatch lookup found in one region.
    LookupResult {
        step: usize,
        lookup: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        region: String,
        /// The lookup as written (kind, namespace, metric, dimensions resolved, stat, ...).
        query: crate::runbook::LookupQuery,
        /// Datapoints oldest first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        datapoints: Vec<Datapoint>,
        /// `OK`, `BREACH` or `NO DATA` for a metric with `expect`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verdict: Option<super::Verdict>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alarms: Option<Vec<super::AlarmInfo>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<LoggedLookupError>,
        duration_ms: u64,
    },
    /// A guard alarm entered ALARM during the walk (or left it: `state` says which).
    GuardAlarm {
        region: String,
        alarm: String,
        state: crate::runbook::AlarmState,
        reason: String,
        /// When the alarm entered `state`, by CloudWatch's clock (RFC 3339): not when it was seen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<String>,
    },
    /// The guard alarms of a region cannot be read (credentials, endpoint, throttling, timeout):
    /// logged once, when the guard goes blind there.
    GuardUnavailable {
        region: String,
        error: LoggedLookupError,
    },
    /// The guard alarms of a region that was unavailable can be read again.
    GuardRecovered {
        region: String,
    },
    /// A variable got a value after the session began: asked when a command first needed it,
    /// changed by the operator (`v`), or given to `resume` (`--var`, environment).
    VariableSet {
        name: String,
        source: VariableSource,
        /// `null` for a secret.
        value: Option<String>,
    },
    /// A command was approved to run, written right before it starts: by a key, by typing `yes`,
    /// or by `--yes` / `--allow-danger`.
    CommandApproved {
        step: usize,
        command: usize,
        attempt: u32,
        how: ApprovalHow,
        /// Hex sha256 of the exact text that runs (the edit, when the command was edited).
        code_sha256: String,
    },
    /// The operator declined a `confirm` or `danger` command, or typed something other than `yes`.
    CommandRefused {
        step: usize,
        command: usize,
        attempt: u32,
        /// What was answered (redacted): `n`, the text typed at a DANGER prompt, empty when the
        /// question was cancelled.
        answer: String,
    },
    /// The operator went on while a guard alarm was firing.
    GuardOverride {
        region: String,
        alarm: String,
        state: crate::runbook::AlarmState,
    },
    /// The operator edited a command before running it; the edit is what runs.
    CommandEdited {
        step: usize,
        command: usize,
        /// Hex sha256 of the command as written in the runbook.
        original_sha256: String,
        /// The command as written in the runbook.
        original: String,
        /// The edited text (secret values redacted).
        code: String,
    },
}

/// One exported variable a command changed, as `command_finished` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvChange {
    pub name: String,
    /// The new value; absent when unset or redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The command unset it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unset: bool,
    /// The value is a secret (a secret variable, a credential's name, a secret value in it):
    /// not logged, so `resume` cannot restore it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

/// How a command was approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalHow {
    /// A key at the menu (`r`, Enter, `a`) or `y` at a `confirm` question.
    Key,
    /// `yes` typed in full at a DANGER prompt.
    TypedYes,
    /// `--yes`: run without asking.
    YesFlag,
    /// `--yes --allow-danger`: a `danger` command run without asking.
    AllowDangerFlag,
}

impl ApprovalHow {
    pub fn label(self) -> &'static str {
        match self {
            ApprovalHow::Key => "key",
            ApprovalHow::TypedYes => "typed-yes",
            ApprovalHow::YesFlag => "yes-flag",
            ApprovalHow::AllowDangerFlag => "allow-danger-flag",
        }
    }
}

/// One metric datapoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    pub ts: String,
    /// JSON cannot hold NaN or ±infinity: they are written as `null` and read back as NaN, so that
    /// such a log still reads, verifies, resumes and exports.
    #[serde(deserialize_with = "nan_for_null")]
    pub value: f64,
}

/// A datapoint's value, NaN for `null`.
fn nan_for_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A lookup that failed in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedLookupError {
    pub kind: super::LookupErrorKind,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_without_a_claimed_time_is_written_as_before_it_had_one() {
        // Lines of older logs read back and write out byte for byte, so their hashes hold.
        let old = r#"{"type":"note","kind":"mitigated","text":"failover done"}"#;
        let event: Event = serde_json::from_str(old).expect("reads");
        assert!(matches!(&event, Event::Note { at: None, .. }));
        assert_eq!(serde_json::to_string(&event).expect("writes"), old);
        let dated = r#"{"type":"note","kind":"mitigated","text":"failover done","at":"2026-11-22T02:50:00.000Z"}"#;
        let event: Event = serde_json::from_str(dated).expect("reads");
        assert_eq!(serde_json::to_string(&event).expect("writes"), dated);
    }

    #[test]
    fn a_datapoint_json_cannot_hold_is_written_as_null_and_read_back_as_nan() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let json = serde_json::to_string(&Datapoint {
                ts: "t".into(),
                value: v,
            })
            .expect("serializes");
            assert_eq!(json, r#"{"ts":"t","value":null}"#);
            let back: Datapoint = serde_json::from_str(&json).expect("reads back");
            assert!(back.value.is_nan());
        }
        let big: Datapoint = serde_json::from_str(r#"{"ts":"t","value":-1e308}"#).expect("reads");
        assert_eq!(big.value, -1e308);
        assert!(serde_json::from_str::<Datapoint>(r#"{"ts":"t"}"#).is_err());
    }
}

/// A `<placeholder>` of a started command and the value that took its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledPlaceholder {
    /// As written in the command: `<HO-ID>`.
    pub text: String,
    /// The session variable it was read from: `HO_ID`.
    pub variable: String,
    /// The value; `null` for a secret, which the log never holds.
    pub value: Option<String>,
}
