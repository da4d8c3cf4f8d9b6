//! `runbook run`: starts a walk with a new incident log.

use std::io::Write;

use super::load_usable;
use crate::config::RunConfig;
use crate::error::Error;
use crate::event::{Clock, EventLog};
use crate::incident_log::{IncidentLogFile, new_session_id};
use crate::markdown::slug;
use crate::runbook::Runbook;
use crate::walk::ports::Tone;
use crate::walk::screen::Summary;
use crate::walk::state::SessionState;
use crate::walk::variables;
use crate::walk::variables::Value;
use crate::walk::{Ending, Ports, SessionInfo, Walk, WalkOptions};
use crate::wiring::{WalkPorts, walk_ports};
use chrono::{DateTime, Utc};

/// Exit 0 when every step finished without failure, 1 when a step failed or the walk stopped,
/// 3 when the operator paused it (resumable), 2 for usage and I/O errors.
pub fn run(config: &RunConfig, out: &mut dyn Write) -> Result<u8, Error> {
    // The file first: a mistyped name is the likelier mistake, and its did-you-mean the better help.
    let runbook = load_usable(&config.file, &mut std::io::stderr())?;
    // What `check` reports as `event-too-large`, refused before the log exists: a walk that
    // could not log an event would stop halfway.
    let too_large = crate::check::log_limits(&runbook);
    if !too_large.is_empty() {
        let mut err = std::io::stderr();
        for d in &too_large {
            writeln!(err, "{}", d.render(&runbook.path))?;
        }
        return Err(Error::Invalid {
            path: runbook.path.clone(),
            count: too_large.len(),
        });
    }
    let mut ports = walk_ports(config.yes)?;
    let from = match &config.from {
        Some(key) => match runbook.find_step(key) {
            Some(step) => step.index - 1,
            None => {
                return Err(Error::Usage(format!(
                    "no step `{key}` in `{}`: give a number from 1 to {} or a step id",
                    runbook.path,
                    runbook.steps.len()
                )));
            }
        },
        None => 0,
    };
    let asking = asking(&ports);
    let values = variables::resolve(
        &runbook,
        &config.vars,
        &ports.env,
        &[],
        ports.prompter.as_mut(),
        asking,
    )
    .map_err(|e| Error::Usage(e.to_string()))?;
    let stem = std::path::Path::new(&runbook.path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    let name = stem
        .map(|s| slug(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| slug(&runbook.title));
    let mut log = IncidentLogFile::create(
        &config.log_dir,
        &name,
        Box::new(ports.clock),
        new_session_id(),
    )?;
    let started = ports.clock.now();
    let info = SessionInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        hostname: hostname(),
        incident: config.incident.clone(),
    };
    let state = SessionState::new(&runbook, &config.operator);
    let how = How {
        mode: config.mode,
        yes: config.yes,
        allow_danger: config.allow_danger,
        aws: &config.aws,
    };
    drive(
        &runbook,
        how,
        &mut ports,
        &mut log,
        values,
        state,
        started,
        Start::New(&info, from),
        out,
    )
}

/// How a walk runs, from the validated settings of `run` or `resume`.
pub(super) struct How<'a> {
    pub mode: crate::event::Mode,
    pub yes: bool,
    pub allow_danger: bool,
    pub aws: &'a crate::config::AwsConfig,
}

/// Where a walk starts: a new session (logs `session_started`) or a resumed one.
pub(super) enum Start<'a> {
    New(&'a SessionInfo, usize),
    Resumed(usize),
}

/// Builds the walk on the real ports, runs it, and prints its end: shared by `run` and `resume`.
#[allow(clippy::too_many_arguments)]
pub(super) fn drive(
    runbook: &Runbook,
    how: How<'_>,
    ports: &mut WalkPorts,
    log: &mut IncidentLogFile,
    values: Vec<Value>,
    state: SessionState,
    started: DateTime<Utc>,
    start: Start<'_>,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    let opts = WalkOptions {
        mode: how.mode,
        yes: how.yes,
        allow_danger: how.allow_danger,
        cwd: std::env::current_dir().map_err(Error::Output)?,
        regions: how.aws.regions_for(runbook),
    };
    let mut metrics = crate::wiring::metrics(runbook, how.aws, &ports.status);
    let clock = ports.clock;
    let walk_ports = Ports {
        ui: ports.prompter.as_mut(),
        runner: ports.runner.as_mut(),
        log: &mut *log,
        clock: &clock,
        env: &ports.env,
        metrics: metrics
            .as_deref_mut()
            .map(|m| m as &mut dyn crate::walk::ports::Metrics),
        editor: ports.editor.as_mut(),
    };
    let mut walk = Walk::new(runbook, opts, walk_ports, values, state, started);
    let from = match start {
        Start::New(info, from) => {
            walk.begin(info)?;
            from
        }
        Start::Resumed(from) => from,
    };
    let ending = walk.run(from)?;
    let summary = walk.summary();
    drop(walk);
    finish(
        ending,
        &summary,
        &log.location(),
        ports.prompter.as_mut(),
        out,
    )
}

/// Prints the summary (stdout) and where the log is, and picks the exit code.
pub fn finish(
    ending: Ending,
    summary: &Summary,
    location: &str,
    ui: &mut dyn crate::walk::ports::Prompter,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    out.write_all(crate::terminal::summary_table(summary).as_bytes())?;
    out.flush()?;
    let (tone, text, code) = match &ending {
        Ending::Finished { failed: 0 } => (Tone::Success, "walk finished".to_string(), 0),
        Ending::Finished { failed } => (
            Tone::Error,
            format!("walk finished with {failed} failed step(s)"),
            1,
        ),
        Ending::Stopped { reason } => (Tone::Error, format!("walk stopped: {reason}"), 1),
        Ending::Paused { reason } => (Tone::Warning, format!("walk paused: {reason}"), 3),
    };
    ui.notice(tone, &text);
    ui.notice(Tone::Info, &format!("incident log: {location}"));
    if code != 0 {
        ui.notice(
            Tone::Info,
            &format!("continue with: runbook resume {location}"),
        );
    }
    Ok(code)
}

/// With someone at the terminal, variables are asked when a command first needs them; without,
/// all are settled before the walk, so a missing value refuses it before anything runs.
pub(super) fn asking(ports: &WalkPorts) -> variables::Asking {
    if ports.attended {
        variables::Asking::WhenNeeded
    } else {
        variables::Asking::Upfront
    }
}

pub fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}
