//! The walk's interfaces to the outside: the operator, the shell, CloudWatch and the environment. Real ones are chosen in `wiring`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::screen::{Question, Screen};
use crate::event::{AlarmInfo, LookupErrorKind};

/// What the operator answered; `Unavailable` when nobody can be asked (no terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    Given(T),
    /// The operator cancelled the question (Esc, Ctrl-C, end of input).
    Cancelled,
    /// There is no operator to ask.
    Unavailable,
    /// Ctrl-C at the prompt. The walk then asks whether to pause (see `Walk::ask`), and after
    /// that question it means the operator confirmed the pause.
    Interrupted,
}

/// Messages of different weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

/// One choice of a menu: the key that picks it and its short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub key: char,
    pub label: &'static str,
}

/// A question answered with one key.
#[derive(Debug, Clone)]
pub struct Menu<'a> {
    pub question: Question<'a>,
    pub choices: Vec<Choice>,
    /// The choice Enter picks, as an index into `choices`.
    pub default: usize,
}

/// A signal that ended the session (SIGTERM, SIGHUP: the terminal closed, SIGQUIT: Ctrl-\\):
/// the walk records it, stops at once, and the process exits 128 + `number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    /// `SIGTERM`, `SIGHUP`, `SIGQUIT`.
    pub signal: String,
    pub number: i32,
}

/// Everything the operator sees and answers. The walk says what to show; the prompter decides how.
pub trait Prompter {
    /// Something for the operator to read: a header, a step, a table, an outcome.
    fn show(&mut self, screen: Screen<'_>);
    /// A one-line message.
    fn notice(&mut self, tone: Tone, text: &str);
    /// One of the menu's choices, as an index into `menu.choices`; Enter gives `menu.default`.
    /// `Unavailable` without a terminal.
    fn choose(&mut self, menu: &Menu<'_>) -> Answer<usize>;
    /// A line of text; Enter gives `default` when there is one.
    fn ask_text(&mut self, question: &str, default: Option<&str>) -> Answer<String>;
    /// A line typed without echo.
    fn ask_secret(&mut self, question: &str) -> Answer<String>;
    /// Yes or no.
    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool>;
    /// The signal that ended the session, once one came. From then on every question answers
    /// `Interrupted` at once (the walk leaves through its pause path, asking nothing) and the
    /// walk starts nothing more.
    fn termination(&self) -> Option<Termination> {
        None
    }
}

/// Opens a command's text for the operator to change before it runs (`e`).
pub trait Editor {
    /// The text as the operator left it; `Ok(None)` when they changed nothing or gave up, `Err`
    /// with a lowercase reason when no editor could run (the command stays as it was).
    fn edit(&mut self, text: &str) -> Result<Option<String>, String>;
}

/// No editor: walks without a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEditor;

impl Editor for NoEditor {
    fn edit(&mut self, _: &str) -> Result<Option<String>, String> {
        Err("there is no terminal to edit on".into())
    }
}

/// Where `$NAME`s the session does not set are looked up: the process environment in `wiring`,
/// a fixed map in tests. The walk never reads the environment itself.
pub trait Environment {
    fn var(&self, name: &str) -> Option<String>;
    /// Whether `program` is an executable on this machine's `PATH`, for a rehearsal's check of
    /// the ground. Only the real environment knows; by default everything is there.
    fn has_program(&self, _program: &str) -> bool {
        true
    }
    /// Whether `dir` is an existing directory (same purpose and default).
    fn is_dir(&self, _dir: &Path) -> bool {
        true
    }
}

/// A fixed list of names and values, as tests use.
impl Environment for Vec<(String, String)> {
    fn var(&self, name: &str) -> Option<String> {
        self.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// A command ready to run: the code as written, with its environment and limits.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    /// Script text for `bash -c`, or the block piped to `runner`.
    pub code: String,
    /// `runner` annotation: a shell command line reading the block on stdin.
    pub runner: Option<String>,
    pub cwd: PathBuf,
    /// Session variables, added to the inherited environment.
    pub env: Vec<(String, String)>,
    pub timeout: Option<Duration>,
    /// Needs the operator's keyboard (stdin forwarded, terminal in raw mode).
    pub interactive: bool,
    /// Nobody types (`--yes`): stdin is `/dev/null`, so every read sees end of input, not just
    /// the first. An `interactive` command with a terminal at hand keeps the keyboard.
    pub no_input: bool,
    /// Values to replace with `[REDACTED]` in everything shown or recorded.
    pub secrets: Vec<String>,
    /// Inherited variables an earlier command unset: the command does not get them.
    pub unset: Vec<String>,
}

/// The shell state a command left: where the next command starts, with what environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShellAfter {
    /// The directory it ended in (`pwd -P`), when not the one it started in.
    pub cwd: Option<PathBuf>,
    /// Exported variables it set or changed (`Some`) or unset (`None`), by name.
    pub changed: Vec<(String, Option<String>)>,
}

/// How a command ended, with what the log keeps of its output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandOutcome {
    pub exit_code: Option<i32>,
    /// `SIGKILL`, `SIGINT`, ... when a signal ended it.
    pub signal: Option<String>,
    pub duration_ms: u64,
    /// Head and tail (at most 1 MiB in all), redacted, lossily decoded.
    pub output: String,
    pub truncated: bool,
    pub bytes: u64,
    pub redactions: u64,
    pub timed_out: bool,
    pub interrupted: bool,
    /// Could not start at all (missing `cwd`, no bash): the reason.
    pub spawn_error: Option<String>,
    /// The state it left; `None` when unknown (killed, `exec`, not started).
    pub shell: Option<ShellAfter>,
}

/// Runs commands, showing their output live and returning what happened.
pub trait CommandRunner {
    fn run(&mut self, spec: &CommandSpec) -> CommandOutcome;
}

/// A lookup to run in one region, `$VARS` in its dimension values already resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupRequest {
    /// 1-based step and lookup, to attribute the result.
    pub step: usize,
    pub lookup: crate::runbook::Lookup,
    pub region: String,
}

/// What a lookup found in one region.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupData {
    /// Datapoints oldest first: (RFC 3339 timestamp, value).
    Metric {
        points: Vec<(String, f64)>,
    },
    Alarms {
        alarms: Vec<AlarmInfo>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError {
    pub kind: LookupErrorKind,
    /// Lowercase, one line.
    pub message: String,
}

/// One request's result.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupOutcome {
    pub request: LookupRequest,
    pub result: Result<LookupData, LookupError>,
    pub duration_ms: u64,
}

/// A guard alarm that entered ALARM (or left it) while the walk went on; `alarm.since` is when,
/// by CloudWatch's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardAlarm {
    pub region: String,
    pub alarm: AlarmInfo,
}

/// What the background guard poll saw change, in the order it saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardNews {
    /// An alarm entered ALARM (already firing at the first poll counts), or left it.
    Alarm(GuardAlarm),
    /// A region's guard alarms cannot be read: the walk is blind there until it recovers.
    Unavailable { region: String, error: LookupError },
    /// A region that could not be read answers again.
    Recovered { region: String },
}

/// One piece of guard news, and whether the operator has seen it already (as a status line
/// while a command ran), so the walk logs it without showing it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardUpdate {
    pub news: GuardNews,
    pub shown: bool,
}

/// CloudWatch, read-only: lookups for steps, and the guard alarms watched during the whole walk.
pub trait Metrics {
    /// Runs every request concurrently (each region with its own timeout) and returns one outcome
    /// per request, in the same order. Never fails as a whole.
    fn lookup(&mut self, requests: &[LookupRequest]) -> Vec<LookupOutcome>;
    /// The region to use when neither the lookup, `--region` nor the runbook names one.
    fn default_region(&self) -> Option<String>;
    /// What the background guard poll saw change since the last call. Never blocks: the walk
    /// calls it at its safe points (before each prompt and each command).
    fn guard_news(&mut self) -> Vec<GuardUpdate>;
}
