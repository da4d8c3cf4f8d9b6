//! Running a step's commands: the safety gate, guard alarms, the run itself with its events, and
//! what the operator does after a failure.

use std::path::Path;
use std::time::Duration;

use super::actions::{Recovery, paused_by_ctrl_c, pick};
use super::approval::{Approval, redact, resolve_for_display};
use super::asking::Needed;
use super::carried::Layered;
use super::engine::{RunResult, StepExit, Walk};
use super::items::Item;
use super::pause::END_OF_INPUT;
use super::ports::{Answer, CommandOutcome, CommandSpec, ShellAfter, Tone};
use super::safety::{self, Gate};
use super::screen::{Question, Screen};
use super::state::{ItemStatus, Past};
use super::variables::expand;
use super::{OUTCOME_UNKNOWN, REHEARSAL_REASON};
use crate::event::{ApprovalHow, EnvChange, Event, FilledPlaceholder, LogError};
use crate::runbook::{Command, fill_placeholders};

/// The shortest value exported under a credential's name that later output is redacted for.
const MIN_CARRIED_SECRET: usize = 6;

impl Walk<'_, '_> {
    /// Runs command `n` and, if it fails, asks what next until it is settled.
    pub(super) fn run_interactive(
        &mut self,
        i: usize,
        n: usize,
    ) -> Result<Option<StepExit>, LogError> {
        loop {
            match self.run_command(i, n)? {
                RunResult::Done | RunResult::Settled | RunResult::NotRun => return Ok(None),
                RunResult::GuardStop(reason) | RunResult::Stopped(reason) => {
                    return Ok(Some(StepExit::Stop(reason)));
                }
                RunResult::Paused => return Ok(Some(paused_by_ctrl_c())),
                RunResult::Failed => {}
            }
            self.poll_guard()?;
            let step = self.step(i);
            let question = Question::CommandFailed { command: n };
            match self.ask(|ui| pick(ui, question, &Recovery::ALL, Recovery::Retry)) {
                Answer::Given(Recovery::Retry) => continue,
                Answer::Given(Recovery::SkipCommand) => {
                    let reason = match self.ask(|ui| ui.ask_text("Why skip this command?", None)) {
                        Answer::Given(r) if !r.trim().is_empty() => self.typed(&r),
                        Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
                        _ => "no reason given".into(),
                    };
                    self.log(Event::CommandSkipped {
                        step: step.index,
                        command: n,
                        reason,
                        automatic: false,
                    })?;
                    self.state.steps[i].set(Item::Command(n), ItemStatus::Failed);
                    return Ok(None);
                }
                Answer::Given(Recovery::DoneByHand) => {
                    self.done_by_hand(i, Item::Command(n))?;
                    return Ok(None);
                }
                Answer::Given(Recovery::Quit) => {
                    if self.confirm_pause() {
                        return Ok(Some(StepExit::Quit(
                            "paused by the operator after a failed command".into(),
                        )));
                    }
                }
                Answer::Interrupted => return Ok(Some(paused_by_ctrl_c())),
                Answer::Cancelled => return Ok(None),
                Answer::Unavailable => return Ok(Some(StepExit::Quit(END_OF_INPUT.into()))),
            }
        }
    }

    /// Runs the step's pending commands in order (a block's statements one after the other),
    /// stopping where the operator is needed, and at the first failure: what follows a failed
    /// statement may depend on it, so the rest stays pending and the step menu comes back.
    pub(super) fn run_all(&mut self, i: usize) -> Result<Option<StepExit>, LogError> {
        while let Some((_, item)) = self.state.steps[i].next_pending() {
            let Item::Command(n) = item else { break };
            if !self.step(i).commands[n - 1].runnable {
                break;
            }
            let before = self.state.steps[i].status_of(item);
            match self.run_command(i, n)? {
                RunResult::Done | RunResult::Settled | RunResult::NotRun => {}
                RunResult::GuardStop(reason) | RunResult::Stopped(reason) => {
                    return Ok(Some(StepExit::Stop(reason)));
                }
                RunResult::Paused => return Ok(Some(paused_by_ctrl_c())),
                RunResult::Failed => {
                    let mut left = self.pending_commands(i);
                    left.retain(|&c| c != n);
                    let rest = match &left[..] {
                        [] => "no other command was pending".to_string(),
                        [only] => format!("command {only} is left pending"),
                        _ => format!(
                            "commands {} are left pending",
                            left.iter()
                                .map(usize::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.ports.ui.notice(
                        Tone::Warning,
                        &format!("command {n} failed: run all stopped; {rest}"),
                    );
                    return Ok(None);
                }
            }
            if self.state.steps[i].status_of(item) == before {
                break; // declined or cancelled: let the operator choose.
            }
        }
        Ok(None)
    }

    /// The step's commands still pending, 1-based, in order.
    fn pending_commands(&self, i: usize) -> Vec<usize> {
        self.state.steps[i]
            .items
            .iter()
            .filter_map(|(item, status)| match (item, status) {
                (Item::Command(n), ItemStatus::Pending) => Some(*n),
                _ => None,
            })
            .collect()
    }

    /// Passes the command's safety gate and runs it, logging before and after: the approval
    /// (or refusal) first, then the start, each on disk before what it announces.
    pub(super) fn run_command(&mut self, i: usize, n: usize) -> Result<RunResult, LogError> {
        let step = self.step(i);
        let command = &step.commands[n - 1];
        let edit = self.state.steps[i].edits.get(&n).cloned();
        let gate = match edit {
            Some(_) => safety::gate_edited(command, self.opts.mode),
            None => safety::gate(
                command,
                self.opts.mode,
                self.opts.yes,
                self.opts.allow_danger,
            ),
        };
        let attempt = self.state.steps[i].attempts.get(&n).copied().unwrap_or(0) + 1;
        let settle = |walk: &mut Self,
                      reason: String,
                      status: ItemStatus,
                      tone: Tone|
         -> Result<RunResult, LogError> {
            walk.ports
                .ui
                .notice(tone, &format!("command {n} not run: {reason}"));
            walk.log(Event::CommandSkipped {
                step: step.index,
                command: n,
                reason,
                automatic: true,
            })?;
            walk.state.steps[i].set(Item::Command(n), status);
            Ok(RunResult::Settled)
        };
        let refuse = |walk: &mut Self, answer: &str, why: &str| -> Result<RunResult, LogError> {
            let answer = redact(answer, &walk.secrets());
            walk.log(Event::CommandRefused {
                step: step.index,
                command: n,
                attempt,
                answer,
            })?;
            walk.ports
                .ui
                .notice(Tone::Info, &format!("command {n} not run: {why}"));
            Ok(RunResult::NotRun)
        };
        // A command a killed walk started may have done its work: never run again unasked.
        if !matches!(gate, Gate::Rehearse | Gate::Skip(_))
            && self.state.unknown_outcomes.contains(&(step.index, n))
            && let Some(result) = self.outcome_unknown(i, n)?
        {
            return Ok(result);
        }
        // Values are asked for only once the command will really be offered to run.
        if !matches!(gate, Gate::Rehearse | Gate::Skip(_)) {
            match self.need(&command.uses)? {
                Needed::Ready => {}
                Needed::Cancelled => {
                    self.ports
                        .ui
                        .notice(Tone::Info, &format!("command {n} not run"));
                    return Ok(RunResult::NotRun);
                }
                Needed::Stop(reason) => return Ok(RunResult::Stopped(reason)),
                Needed::Paused => return Ok(RunResult::Paused),
            }
        }
        let mut spec = self.spec(command);
        if let Some(code) = &edit {
            spec.code.clone_from(code);
        }
        // The values go in place of the `<placeholders>`; with one missing, nothing runs (a
        // `<HO-ID>` left in would be a redirect from a file named `HO-ID`).
        let mut filled = Vec::new();
        // An edit is run as typed: one that kept a `<placeholder>` would read it as a redirect.
        if let Some(code) = &edit
            && let Some(p) = command.placeholders.iter().find(|p| code.contains(&p.text))
            && !matches!(gate, Gate::Rehearse | Gate::Skip(_))
        {
            let reason = format!(
                "the edited command still holds placeholder `{}`: edit it again with the value in its place",
                p.text
            );
            // Not settled: the operator may edit it again.
            self.ports
                .ui
                .notice(Tone::Warning, &format!("command {n} not run: {reason}"));
            return Ok(RunResult::NotRun);
        }
        if edit.is_none()
            && !command.placeholders.is_empty()
            && !matches!(gate, Gate::Rehearse | Gate::Skip(_))
        {
            let value = |name: &str| {
                self.values
                    .iter()
                    .find(|v| v.name == name)
                    .map(|v| v.value.clone())
            };
            match fill_placeholders(&command.code, &command.placeholders, value) {
                Some(code) => spec.code = code,
                None => {
                    let unfilled: Vec<String> = command
                        .placeholders
                        .iter()
                        .filter(|p| value(&p.variable).is_none_or(|v| v.is_empty()))
                        .map(|p| format!("`{}` (`{}`)", p.text, p.variable))
                        .collect();
                    let reason = format!("no value for placeholder {}", unfilled.join(", "));
                    return settle(self, reason, ItemStatus::Skipped, Tone::Warning);
                }
            }
            filled = command
                .placeholders
                .iter()
                .map(|p| {
                    let v = self.values.iter().find(|v| v.name == p.variable);
                    FilledPlaceholder {
                        text: p.text.clone(),
                        variable: p.variable.clone(),
                        value: v.filter(|v| !v.secret).map(|v| v.value.clone()),
                    }
                })
                .collect();
        }
        let how = match gate {
            Gate::Rehearse => {
                return settle(
                    self,
                    REHEARSAL_REASON.into(),
                    ItemStatus::Rehearsed,
                    Tone::Info,
                );
            }
            Gate::Skip(reason) => return settle(self, reason, ItemStatus::Skipped, Tone::Warning),
            Gate::Confirm => {
                self.show_approval(i, n, &spec, edit.is_some(), false, attempt);
                match self.ask(|ui| ui.confirm(&format!("Run command {n} as shown?"), false)) {
                    Answer::Given(true) => ApprovalHow::Key,
                    Answer::Interrupted => return Ok(RunResult::Paused),
                    Answer::Given(false) => return refuse(self, "n", "the operator said no"),
                    Answer::Cancelled => return refuse(self, "", "the question was cancelled"),
                    Answer::Unavailable => {
                        let reason = if command.guessed && !command.annotations.confirm {
                            "unlabelled block guessed as shell not run: no operator to confirm it (label the block ```bash)".to_string()
                        } else {
                            "`confirm` command not run: no operator to confirm it".to_string()
                        };
                        return settle(self, reason, ItemStatus::Skipped, Tone::Warning);
                    }
                }
            }
            Gate::TypeYes => {
                self.show_approval(i, n, &spec, edit.is_some(), true, attempt);
                let question = format!("DANGER: type `yes` to run command {n} as shown");
                match self.ask(|ui| ui.ask_text(&question, None)) {
                    Answer::Given(typed) if typed.trim() == "yes" => ApprovalHow::TypedYes,
                    Answer::Interrupted => return Ok(RunResult::Paused),
                    Answer::Unavailable => {
                        let reason =
                            "`danger` command not run: no operator to type `yes`".to_string();
                        return settle(self, reason, ItemStatus::Skipped, Tone::Warning);
                    }
                    Answer::Given(typed) => {
                        return refuse(self, &typed, "`yes` was not typed");
                    }
                    Answer::Cancelled => return refuse(self, "", "`yes` was not typed"),
                }
            }
            Gate::Run if command.annotations.danger => ApprovalHow::AllowDangerFlag,
            Gate::Run if self.opts.yes => ApprovalHow::YesFlag,
            Gate::Run => ApprovalHow::Key,
        };
        // Checked last, right before the command would start, so the operator decides on fresh news.
        if let Some(result) = self.guard_check(n)? {
            return Ok(result);
        }
        // Nothing starts once the walk is ending (a signal during a question or a lookup).
        if self.ports.ui.termination().is_some() {
            return Ok(RunResult::Paused);
        }
        self.state.steps[i].attempts.insert(n, attempt);
        self.log(Event::CommandApproved {
            step: step.index,
            command: n,
            attempt,
            how,
            code_sha256: crate::digest::sha256_hex(spec.code.as_bytes()),
        })?;
        let logged_code = match &edit {
            Some(code) => redact(code, &self.secrets()),
            None => command.code.clone(),
        };
        self.log(Event::CommandStarted {
            step: step.index,
            command: n,
            name: command.annotations.name.clone(),
            code: logged_code,
            cwd: self.cwd_for_log(command, &spec),
            runner: command.annotations.runner.clone(),
            attempt,
            placeholders: filled,
        })?;
        self.ports.ui.notice(
            Tone::Info,
            &format!("running command {n}{}", retry_note(attempt)),
        );
        // `step_started`, `command_approved`, `command_started` (and whatever came before since the
        // last prompt) go to disk in one fdatasync, before the command can do anything.
        self.commit()?;
        let outcome = self.ports.runner.run(&spec);
        let success = succeeded(command, &outcome);
        let mut output = outcome.output.clone();
        if let Some(e) = &outcome.spawn_error {
            // The reason may name the directory, which may hold a secret.
            output = redact(&format!("runbook: {e}"), &self.secrets());
        }
        let (cwd_after, env_changed) = self.shell_for_log(outcome.shell.as_ref());
        self.log(Event::CommandFinished {
            step: step.index,
            command: n,
            exit_code: outcome.exit_code,
            signal: outcome.signal.clone(),
            success,
            duration_ms: outcome.duration_ms,
            output,
            truncated: outcome.truncated,
            bytes: outcome.bytes,
            redactions: outcome.redactions,
            timed_out: outcome.timed_out,
            interrupted: outcome.interrupted,
            cwd_after,
            env_changed,
        })?;
        if let Some(after) = &outcome.shell {
            self.state.shell.take(after);
        }
        self.ports.ui.show(Screen::Outcome {
            command: n,
            outcome: &outcome,
            success,
        });
        // The signal that stopped the command ends the walk: no failure menu, no next command.
        if self.ports.ui.termination().is_some() {
            if success {
                self.state.steps[i].set(Item::Command(n), ItemStatus::Done);
            }
            return Ok(RunResult::Paused);
        }
        if success {
            self.state.steps[i].set(Item::Command(n), ItemStatus::Done);
            Ok(RunResult::Done)
        } else {
            Ok(RunResult::Failed)
        }
    }

    /// Command `n` started in an earlier session that ended with no record of how it ended (a
    /// SIGKILL, a crash): asks before it may run again; under `--yes`, or with nobody to ask,
    /// it is skipped, logged with reason [`OUTCOME_UNKNOWN`]. `None`: go on and run it.
    fn outcome_unknown(&mut self, i: usize, n: usize) -> Result<Option<RunResult>, LogError> {
        let step = self.step(i);
        let command = &step.commands[n - 1];
        let shown = match &command.annotations.name {
            Some(name) => name.clone(),
            None => {
                let first = command.code.lines().next().unwrap_or_default();
                let more = if command.code.trim_end().contains('\n') {
                    " …"
                } else {
                    ""
                };
                format!("{first}{more}")
            }
        };
        let at = match self.state.steps[i].past.get(&n) {
            Some(Past::Started { at, .. }) => format!("at {} UTC", crate::human::clock(at)),
            _ => "earlier".to_string(),
        };
        let answer = if self.opts.yes {
            Answer::Unavailable
        } else {
            let question = format!(
                "`{shown}` was started {at} but its outcome is unknown (the walk was killed): run it again?"
            );
            self.ask(|ui| ui.confirm(&question, false))
        };
        let key = (step.index, n);
        match answer {
            Answer::Given(true) => {
                self.state.unknown_outcomes.retain(|u| *u != key);
                Ok(None)
            }
            Answer::Given(false) | Answer::Cancelled => {
                self.ports.ui.notice(
                    Tone::Info,
                    &format!("command {n} not run: its outcome is unknown"),
                );
                Ok(Some(RunResult::NotRun))
            }
            Answer::Interrupted => Ok(Some(RunResult::Paused)),
            Answer::Unavailable => {
                self.ports.ui.notice(
                    Tone::Warning,
                    &format!("command {n} not run: {OUTCOME_UNKNOWN} (it was started {at}; the walk was killed)"),
                );
                self.log(Event::CommandSkipped {
                    step: step.index,
                    command: n,
                    reason: OUTCOME_UNKNOWN.into(),
                    automatic: true,
                })?;
                self.state.unknown_outcomes.retain(|u| *u != key);
                self.state.steps[i].set(Item::Command(n), ItemStatus::Skipped);
                Ok(Some(RunResult::Settled))
            }
        }
    }

    /// Shows command `n` as it will run, whole, before the operator is asked to approve it.
    fn show_approval(
        &mut self,
        i: usize,
        n: usize,
        spec: &CommandSpec,
        edited: bool,
        danger: bool,
        attempt: u32,
    ) {
        let step = self.step(i);
        let command = &step.commands[n - 1];
        let env = Layered {
            carried: &self.state.shell,
            base: self.ports.env,
        };
        let (text, mut unset) = if command.annotations.runner.is_some() {
            // The block is the runner's input, not shell text: shown exactly as it is piped.
            (spec.code.clone(), Vec::new())
        } else {
            resolve_for_display(&spec.code, &self.values, &env)
        };
        let runner = command.annotations.runner.as_deref().map(|r| {
            let (shown, more) = resolve_for_display(r, &self.values, &env);
            for name in more {
                if !unset.contains(&name) {
                    unset.push(name);
                }
            }
            shown
        });
        // An edit may hold a secret value typed in clear: the screen shows it redacted too.
        let secrets = self.secrets();
        let approval = Approval {
            step: step.index,
            command,
            text: redact(&text, &secrets),
            edited,
            cwd: self.cwd_for_log(command, spec),
            runner: runner.map(|r| redact(&r, &secrets)),
            timeout: spec.timeout,
            danger,
            attempt,
            unset,
            past: self.state.steps[i].past.get(&n),
        };
        self.ports.ui.show(Screen::Approval(&approval));
    }

    /// The directory a command runs in, as the log and the screen may show it: resolved, unless
    /// that spells out a secret; then the `cwd` annotation as written (`$TOKEN` unexpanded),
    /// against the walk's directory when relative.
    fn cwd_for_log(&self, command: &Command, spec: &CommandSpec) -> String {
        let secrets = self.secrets();
        let resolved = spec.cwd.display().to_string();
        if redact(&resolved, &secrets) == resolved {
            return resolved;
        }
        let written = match &command.annotations.cwd {
            Some(dir) if Path::new(dir).is_absolute() => dir.clone(),
            Some(dir) => self.opts.cwd.join(dir).display().to_string(),
            None => resolved,
        };
        // The walk's own directory could hold a secret value too.
        redact(&written, &secrets)
    }

    /// Free text the operator typed (a note, a reason, a name) as the log may keep it: a secret
    /// value pasted or typed into it is redacted, as command output is.
    pub(super) fn typed(&self, text: &str) -> String {
        redact(text, &self.secrets())
    }

    /// The values to keep out of the log and the screen: secret variables, and values earlier
    /// commands exported under a secret's name.
    pub(super) fn secrets(&self) -> Vec<String> {
        let carried = self
            .state
            .shell
            .set_vars()
            // A flag under a credential's name (`AUTH_ENABLED=1`) is no secret, and redacting
            // every `1` or `true` in later output would hide more than it protects.
            .filter(|(name, value)| value.len() >= MIN_CARRIED_SECRET && self.secret_name(name))
            .map(|(_, value)| value);
        self.values
            .iter()
            .filter(|v| v.secret)
            .map(|v| v.value.as_str())
            .chain(carried)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Whether a variable of this name holds a secret: declared so, or named like a credential.
    fn secret_name(&self, name: &str) -> bool {
        match self.runbook.variables.iter().find(|v| v.name == name) {
            Some(var) => var.secret,
            None => crate::runbook::secret_by_name(name),
        }
    }

    /// What the log records of the state a command left: the directory and the changed
    /// variables, secrets redacted (their values, or a directory that spells one out).
    fn shell_for_log(&self, after: Option<&ShellAfter>) -> (Option<String>, Vec<EnvChange>) {
        let Some(after) = after else {
            return (None, Vec::new());
        };
        let secrets = self.secrets();
        let mut secrets_now = secrets.clone();
        for (name, value) in &after.changed {
            if let Some(value) = value
                && self.secret_name(name)
                && value.len() >= MIN_CARRIED_SECRET
            {
                secrets_now.push(value.clone());
            }
        }
        let cwd = after
            .cwd
            .as_ref()
            .map(|dir| redact(&dir.display().to_string(), &secrets_now));
        let changes = after
            .changed
            .iter()
            .map(|(name, value)| {
                let redacted = value
                    .as_ref()
                    .is_some_and(|v| self.secret_name(name) || redact(v, &secrets) != *v);
                EnvChange {
                    name: name.clone(),
                    value: value.clone().filter(|_| !redacted),
                    unset: value.is_none(),
                    redacted,
                }
            })
            .collect();
        (cwd, changes)
    }

    /// Guard alarms that fired since the last check (logged and shown as they came in), and the
    /// operator asked before command `n` runs. Without an operator the walk stops there.
    fn guard_check(&mut self, n: usize) -> Result<Option<RunResult>, LogError> {
        self.poll_guard()?;
        let fired = self.take_firing();
        if fired.is_empty() {
            return Ok(None);
        }
        let names: Vec<String> = fired
            .iter()
            .map(|g| format!("{} ({})", g.alarm.name, g.region))
            .collect();
        let question = format!(
            "Guard alarm in ALARM: {}. Run command {n} anyway?",
            names.join(", ")
        );
        match self.ask(|ui| ui.confirm(&question, false)) {
            Answer::Given(true) => {
                // The decision to go on despite the alarm is on disk before the command starts.
                for g in &fired {
                    self.log(Event::GuardOverride {
                        region: g.region.clone(),
                        alarm: g.alarm.name.clone(),
                        state: g.alarm.state,
                    })?;
                }
                Ok(None)
            }
            Answer::Interrupted => Ok(Some(RunResult::Paused)),
            Answer::Given(false) | Answer::Cancelled => {
                self.ports.ui.notice(
                    Tone::Warning,
                    &format!("command {n} not run: a guard alarm is firing"),
                );
                Ok(Some(RunResult::NotRun))
            }
            Answer::Unavailable => Ok(Some(RunResult::GuardStop(format!(
                "guard alarm {} entered ALARM; the walk stopped before command {n}",
                names.join(", ")
            )))),
        }
    }

    /// The command as the runner gets it: code as written, the session's variables as its
    /// environment, `cwd` expanded and resolved against the walk's directory.
    fn spec(&self, command: &Command) -> CommandSpec {
        // The session's variables, then what earlier commands exported or unset.
        let unset = self.state.shell.unset_names();
        let mut env: Vec<(String, String)> = self
            .variables()
            .into_iter()
            .filter(|(n, _)| !unset.contains(n))
            .collect();
        for (name, value) in self.state.shell.set_vars() {
            env.retain(|(n, _)| n != name);
            env.push((name.to_string(), value.to_string()));
        }
        let cwd = match &command.annotations.cwd {
            Some(dir) => {
                let expanded = expand(dir, &env, self.ports.env);
                let path = Path::new(&expanded);
                if path.is_absolute() {
                    path.to_path_buf()
                } else {
                    self.opts.cwd.join(path)
                }
            }
            None => self
                .state
                .shell
                .cwd
                .clone()
                .unwrap_or_else(|| self.opts.cwd.clone()),
        };
        CommandSpec {
            code: command.code.clone(),
            runner: command.annotations.runner.clone(),
            cwd,
            timeout: command.annotations.timeout_ms.map(Duration::from_millis),
            interactive: command.interactive,
            no_input: self.opts.yes,
            secrets: self.secrets(),
            env,
            unset,
        }
    }

    /// The session's variables as name and value.
    pub(super) fn variables(&self) -> Vec<(String, String)> {
        self.values
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect()
    }
}

/// Whether the command ended as expected: started, not cut short, an expected exit code (0 by default).
fn succeeded(command: &Command, outcome: &CommandOutcome) -> bool {
    let expected: &[i32] = if command.annotations.expect_exit.is_empty() {
        &[0]
    } else {
        &command.annotations.expect_exit
    };
    outcome.spawn_error.is_none()
        && !outcome.timed_out
        && !outcome.interrupted
        && outcome.exit_code.is_some_and(|c| expected.contains(&c))
}

fn retry_note(attempt: u32) -> String {
    if attempt > 1 {
        format!(" (attempt {attempt})")
    } else {
        String::new()
    }
}
