//! `runbook run`: starts a walk with a new incident log.

use std::io::Write;

use super::load_usable;
use crate::config::RunConfig;
use crate::error::Error;
use crate::event::{Clock, EventLog};
use crate::incident_log::{IncidentLogFile, new_session_id};
use crate::markdown::slug;
use crate::runbook::Runbook;
use crate::share::SharedLog;
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
    // A walk that is to be signed learns of a missing key or ssh-keygen before anything runs.
    if let Some(key) = &config.signing_key {
        crate::signing::check_ready(key)?;
    }
    let mut ports = walk_ports(config.yes)?;
    let sharing = config.share.wanted(&runbook);
    let incident = match (&config.incident, sharing) {
        (Some(id), true) => {
            crate::share::names::check_incident(id).map_err(Error::Usage)?;
            Some(id.clone())
        }
        (None, true) => Some(ask_incident(&mut ports)?),
        (incident, false) => incident.clone(),
    };
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
    let file = IncidentLogFile::create(
        &config.log_dir,
        &name,
        Box::new(ports.clock),
        new_session_id(),
    )?;
    let settings = config.share.settings(&config.aws, &runbook);
    let share = match (&incident, sharing) {
        (Some(id), true) => Some((&settings, id.as_str())),
        _ => None,
    };
    let mut log = crate::wiring::shared_log(file, share, Vec::new(), &ports.header_note);
    let started = ports.clock.now();
    let cwd = std::env::current_dir().map_err(Error::Output)?;
    let info = SessionInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        hostname: hostname(),
        incident,
        // Recorded so `resume` reads this file and runs commands here, from wherever it is started.
        runbook_file: std::fs::canonicalize(&config.file)
            .ok()
            .map(|p| p.display().to_string()),
        start_dir: Some(cwd.display().to_string()),
    };
    let state = SessionState::new(&runbook, &config.operator);
    let how = How {
        mode: config.mode,
        yes: config.yes,
        allow_danger: config.allow_danger,
        aws: &config.aws,
        cwd,
        signing_key: config.signing_key.as_deref(),
        share_timeout: config.share.timeout,
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
    /// Where commands run when they have no `cwd`, and what relative ones resolve against.
    pub cwd: std::path::PathBuf,
    /// Sign the log's head at the end with this SSH key.
    pub signing_key: Option<&'a std::path::Path>,
    /// How long the walk's end waits for events not shared yet.
    pub share_timeout: std::time::Duration,
}

/// The incident id a shared walk started without `--incident` is shared under: asked at the
/// terminal until it can name a stream; without one, a usage error.
fn ask_incident(ports: &mut WalkPorts) -> Result<String, Error> {
    let unattended = || {
        Error::Usage(
            "--share needs an incident id to name the shared streams: pass --incident ID".into(),
        )
    };
    if !ports.attended {
        return Err(unattended());
    }
    let ui = ports.prompter.as_mut();
    loop {
        match ui.ask_text("incident id to share this walk under", None) {
            crate::walk::ports::Answer::Given(id) => {
                let id = id.trim().to_string();
                match crate::share::names::check_incident(&id) {
                    Ok(()) => return Ok(id),
                    Err(why) => ui.notice(Tone::Error, &why),
                }
            }
            _ => return Err(unattended()),
        }
    }
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
    log: &mut SharedLog,
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
        cwd: how.cwd,
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
    let ending = match walk.run(from) {
        Ok(ending) => ending,
        Err(e) => {
            drop(walk);
            share_report(log, how.share_timeout, ports.prompter.as_mut());
            return Err(e.into());
        }
    };
    let summary = walk.summary();
    drop(walk);
    let code = finish(
        ending,
        &summary,
        &log.location(),
        ports.prompter.as_mut(),
        out,
    )?;
    share_report(log, how.share_timeout, ports.prompter.as_mut());
    Ok(seal(
        log.file(),
        how.signing_key,
        ports.prompter.as_mut(),
        code,
    ))
}

/// At a shared walk's end: waits up to `timeout` for the backlog, then says where the events
/// went, or how many are not shared yet and how they will be.
pub(super) fn share_report(
    log: &mut SharedLog,
    timeout: std::time::Duration,
    ui: &mut dyn crate::walk::ports::Prompter,
) {
    let Some(snapshot) = log.finish(timeout) else {
        return;
    };
    let group = log.shipper().map_or("", |s| s.group()).to_string();
    let stream = log.stream().unwrap_or_default().to_string();
    let region = snapshot
        .region
        .as_deref()
        .map_or_else(String::new, |r| format!(" in {r}"));
    let events = |n: u64| if n == 1 { "event" } else { "events" };
    if snapshot.backlog == 0 {
        let already = match snapshot.found {
            0 => String::new(),
            n => format!(" ({n} more were there already)"),
        };
        ui.notice(
            Tone::Info,
            &format!(
                "shared {} {} to {group} {stream}{region}{already}",
                snapshot.shipped,
                events(snapshot.shipped)
            ),
        );
    } else {
        let why = match (snapshot.offline_since, &snapshot.last_error) {
            (Some(since), Some(error)) => format!(
                "offline since {}: {error}",
                crate::share::status::local_hh_mm(since)
            ),
            (Some(since), None) => {
                format!("offline since {}", crate::share::status::local_hh_mm(since))
            }
            (None, _) => "still sending".to_string(),
        };
        ui.notice(
            Tone::Warning,
            &format!(
                "{} {} not shared yet ({why}); they are in the local log and are sent by `runbook resume {} --share`",
                snapshot.backlog,
                events(snapshot.backlog),
                log.location()
            ),
        );
    }
    if snapshot.unshareable > 0 {
        ui.notice(
            Tone::Warning,
            &format!(
                "{} {} cannot be shared (over CloudWatch Logs' 256 KB event limit, or refused for their time); they are only in the local log",
                snapshot.unshareable,
                events(snapshot.unshareable)
            ),
        );
    }
}

/// At a session's end: prints the log's head (write it down, or sign it, to prove the log's end
/// later with `verify --head`) and signs it when asked. A signing failure leaves the log whole;
/// it is said, and the exit code is 2, since the operator asked for a signature.
pub(super) fn seal(
    log: &IncidentLogFile,
    signing_key: Option<&std::path::Path>,
    ui: &mut dyn crate::walk::ports::Prompter,
    code: u8,
) -> u8 {
    let head = log.head();
    ui.notice(Tone::Info, &format!("log head: {head}"));
    let Some(key) = signing_key else {
        return code;
    };
    let statement = crate::incident_log::HeadStatement {
        log: log
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        session: log.session().to_string(),
        head,
    };
    match crate::signing::sign(key, log.path(), &statement) {
        Ok(sig) => {
            ui.notice(Tone::Info, &format!("log head signed: {}", sig.display()));
            code
        }
        Err(e) => {
            ui.notice(
                Tone::Error,
                &format!("the log is complete, but its head is not signed: {e}"),
            );
            2
        }
    }
}

/// Prints the summary (stdout) and where the log is, and picks the exit code.
pub fn finish(
    ending: Ending,
    summary: &Summary,
    location: &str,
    ui: &mut dyn crate::walk::ports::Prompter,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    let written = out
        .write_all(crate::terminal::summary_table(summary).as_bytes())
        .and_then(|()| out.flush());
    // After SIGHUP the terminal is gone (EIO): the log already holds the ending, and the exit
    // status must still say which signal it was.
    if !matches!(ending, Ending::Signalled(_)) {
        written?;
    }
    let (tone, text, code) = match &ending {
        Ending::Finished { failed: 0 } => (Tone::Success, "walk finished".to_string(), 0),
        Ending::Finished { failed } => (
            Tone::Error,
            format!("walk finished with {failed} failed step(s)"),
            1,
        ),
        Ending::Stopped { reason } => (Tone::Error, format!("walk stopped: {reason}"), 1),
        Ending::Paused { reason } => (Tone::Warning, format!("walk paused: {reason}"), 3),
        // 128 + n, as a shell reports a process the signal killed.
        Ending::Signalled(ended) => (
            Tone::Warning,
            format!("walk paused: {} received", ended.signal),
            u8::try_from(128 + ended.number).unwrap_or(u8::MAX),
        ),
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
