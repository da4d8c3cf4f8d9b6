//! `runbook run`: starts a walk with a new incident log.

use std::io::Write;

use super::load_usable;
use crate::config::RunConfig;
use crate::error::Error;
use crate::incident_log::{IncidentLogFile, new_session_id};
use crate::markdown::slug;
use crate::walk::ports::{Clock, EventLog, Tone};
use crate::walk::state::SessionState;
use crate::walk::variables;
use crate::walk::{Ending, Ports, SessionInfo, Walk, WalkOptions};
use crate::wiring::walk_ports;

/// Exit 0 when every step finished without failure, 1 when a step failed or the walk stopped,
/// 3 when the operator paused it (resumable), 2 for usage and I/O errors.
pub fn run(config: &RunConfig, out: &mut dyn Write) -> Result<u8, Error> {
    let mut ports = walk_ports(config.yes)?;
    let runbook = load_usable(&config.file, &mut std::io::stderr())?;
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
    let env = |name: &str| std::env::var(name).ok();
    let values = variables::resolve(&runbook, &config.vars, &env, &[], ports.prompter.as_mut())
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
    let opts = WalkOptions {
        mode: config.mode,
        yes: config.yes,
        allow_danger: config.allow_danger,
        paint: ports.paint,
        cwd: std::env::current_dir().map_err(Error::Output)?,
        regions: if config.aws.regions.is_empty() {
            runbook.front_matter.regions.clone()
        } else {
            config.aws.regions.clone()
        },
    };
    let mut metrics = crate::wiring::metrics(&runbook, &config.aws);
    let info = SessionInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        hostname: hostname(),
        incident: config.incident.clone(),
    };
    let state = SessionState::new(&runbook, &config.operator);
    let clock = ports.clock;
    let walk_ports = Ports {
        ui: ports.prompter.as_mut(),
        runner: ports.runner.as_mut(),
        log: &mut log,
        clock: &clock,
        metrics: metrics
            .as_deref_mut()
            .map(|m| m as &mut dyn crate::walk::ports::Metrics),
    };
    let mut walk = Walk::new(&runbook, opts, walk_ports, values, state, started);
    walk.begin(&info)?;
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
    summary: &str,
    location: &str,
    ui: &mut dyn crate::walk::ports::Prompter,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    out.write_all(summary.as_bytes())?;
    out.flush()?;
    let (tone, text, code) = match &ending {
        Ending::Finished { failed: 0 } => (Tone::Success, "walk finished".to_string(), 0),
        Ending::Finished { failed } => (
            Tone::Error,
            format!("walk finished with {failed} failed step(s)"),
            1,
        ),
        Ending::Stopped { reason } => (Tone::Error, format!("walk stopped: {reason}"), 1),
        Ending::Paused { reason } => (Tone::Warning, format!("walk paused ({reason})"), 3),
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

pub fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}
