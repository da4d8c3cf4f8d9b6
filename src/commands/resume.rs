//! `runbook resume`: continues a walk in its own incident log, after a pause, a crash or on another machine.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::load_usable;
use super::run::{How, Start, asking, drive, hostname, seal, share_report};
use crate::config::ResumeConfig;
use crate::error::Error;
use crate::event::EventLog;
use crate::event::{Event, LoggedVariable, Record, RunbookRef, StepStatus, VariableSource};
use crate::incident_log::{IncidentLogFile, SystemClock, new_session_id};
use crate::walk::ports::Tone;
use crate::walk::screen::{Resuming, Screen};
use crate::walk::state::SessionState;
use crate::walk::{Walk, outline, variables};
use crate::wiring::walk_ports;

/// Exit codes as for `run`; 0 with a message when nothing is left to do.
pub fn run(config: &ResumeConfig, out: &mut dyn Write) -> Result<u8, Error> {
    if let Some(key) = &config.signing_key {
        crate::signing::check_ready(key)?;
    }
    let mut ports = walk_ports(config.yes)?;
    let (file, existing) =
        IncidentLogFile::open_for_resume(&config.log, Box::new(SystemClock), new_session_id())?;
    let location = file.location();
    let Some(first) = existing.records.first() else {
        return Err(Error::Refused(format!(
            "`{location}` holds no event to resume from"
        )));
    };
    let Event::SessionStarted {
        runbook: started_ref,
        mode,
        incident,
        variables: logged,
        ..
    } = &first.event
    else {
        return Err(Error::Refused(format!(
            "`{location}` does not begin with `session_started`"
        )));
    };
    let started: DateTime<Utc> = DateTime::parse_from_rfc3339(&first.ts)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::Refused(format!("`{location}`: line 1 has a bad timestamp")))?;
    let place = locate(config, &existing.records, started_ref)?;
    for note in &place.notes {
        ports.prompter.notice(Tone::Warning, note);
    }
    let runbook = load_usable(&place.file, &mut std::io::stderr())?;

    let now: Vec<_> = runbook.steps.iter().map(outline).collect();
    let same_steps = started_ref.outline.len() == now.len()
        && started_ref
            .outline
            .iter()
            .zip(&now)
            .all(|(a, b)| a.id == b.id && a.title == b.title);
    let changed = runbook.sha256 != started_ref.sha256;
    if changed && !same_steps && !config.force {
        let was: Vec<&str> = started_ref.outline.iter().map(|s| s.id.as_str()).collect();
        let is: Vec<&str> = now.iter().map(|s| s.id.as_str()).collect();
        let what = if place.moved {
            format!(
                "the steps of `{}` differ from those of `{}` when this log began",
                runbook.path, place.recorded
            )
        } else {
            format!(
                "the steps of `{}` changed since this log began",
                place.recorded
            )
        };
        // Exit 2, as for a missing file: the log is fine, the runbook given for it is not.
        return Err(Error::Usage(format!(
            "{what} (were: {}; now: {}); resume with --force to continue anyway",
            was.join(", "),
            is.join(", ")
        )));
    }
    let changed_steps: Vec<usize> = now
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            started_ref
                .outline
                .get(*i)
                .is_none_or(|old| old.sha256 != s.sha256)
        })
        .map(|(i, _)| i + 1)
        .collect();

    // Sharing starts before the first event this session writes: the earlier sessions' lines
    // each stream lacks go first, then this session's.
    let settings = config.share.settings(&config.aws, &runbook);
    let share = if config.share.wanted(&runbook) {
        let id = incident.as_deref().ok_or_else(|| {
            Error::Usage(format!(
                "`{location}` names no incident, and shared streams are named after one: share walks started with `runbook run --incident ID`"
            ))
        })?;
        crate::share::names::check_incident(id).map_err(Error::Usage)?;
        Some((&settings, id))
    } else {
        None
    };
    let earlier = match share {
        Some(_) => earlier_lines(&config.log, &existing)?,
        None => Vec::new(),
    };
    let mut log = crate::wiring::shared_log(file, share, earlier, &ports.header_note);
    let mut state = SessionState::new(&runbook, &first.operator);
    for record in &existing.records {
        state.apply(record);
    }
    let ui = ports.prompter.as_mut();
    if let Some(repair) = existing.repair_event() {
        let torn = existing.torn_tail.as_ref().map_or(0, Vec::len);
        ui.notice(
            Tone::Warning,
            &format!("the log's last line was torn ({torn} bytes written by a crash mid-write); it is cut off and kept in a `log_repaired` event"),
        );
        let record = log.append(&state.operator, repair)?;
        state.apply(&record);
    }
    let Some(next) = state.next_unfinished(0) else {
        // Every step has a status. A walk killed right after its last step never wrote its end:
        // record it now, so the log says the walk finished.
        if !matches!(
            existing.records.last().map(|r| &r.event),
            Some(Event::SessionFinished { .. })
        ) {
            let count = |s| state.steps.iter().filter(|p| p.status == Some(s)).count();
            let failed = count(StepStatus::Failed);
            log.append(
                &state.operator,
                Event::SessionFinished {
                    done: count(StepStatus::Done),
                    skipped: count(StepStatus::Skipped),
                    failed,
                    rehearsed: count(StepStatus::Rehearsed),
                },
            )?;
            ui.notice(
                Tone::Warning,
                &format!("every step in `{location}` has a status but the walk's end was not recorded; recorded it now"),
            );
            let code = if failed > 0 { 1 } else { 0 };
            share_report(&mut log, config.share.timeout, ui);
            return Ok(seal(log.file(), config.signing_key.as_deref(), ui, code));
        }
        ui.notice(
            Tone::Success,
            &format!("nothing to resume: every step in `{location}` has a status"),
        );
        share_report(&mut log, config.share.timeout, ui);
        return Ok(seal(log.file(), config.signing_key.as_deref(), ui, 0));
    };
    if changed {
        let list: Vec<String> = changed_steps.iter().map(usize::to_string).collect();
        ui.notice(
            Tone::Warning,
            &format!(
                "`{}` changed since the log began; steps changed: {}",
                runbook.path,
                list.join(", ")
            ),
        );
    }
    for (step, command) in &state.unknown_outcomes {
        ui.notice(
            Tone::Warning,
            &format!("step {step}, command {command}: started, outcome unknown (the walk ended while it ran)"),
        );
    }
    // The values the log holds: those the session began with, then each one set later.
    let mut known = logged.clone();
    for record in &existing.records {
        if let Event::VariableSet {
            name,
            source,
            value,
        } = &record.event
        {
            let logged = LoggedVariable {
                name: name.clone(),
                value: value.clone(),
                secret: value.is_none(),
                source: *source,
            };
            match known.iter_mut().find(|k| &k.name == name) {
                Some(k) => *k = logged,
                None => known.push(logged),
            }
        }
    }
    let asking = asking(&ports);
    let ui = ports.prompter.as_mut();
    let values = variables::resolve(&runbook, &config.vars, &ports.env, &known, ui, asking)
        .map_err(|e| Error::Usage(e.to_string()))?;
    // Applied like the old events: the resumption closes the step left open (one definition of
    // step time, shared with the exports).
    let resumed = log.append(
        &state.operator,
        Event::SessionResumed {
            runbook: RunbookRef {
                path: place.path.clone(),
                absolute_path: std::fs::canonicalize(&place.file)
                    .ok()
                    .map(|p| p.display().to_string()),
                start_dir: Some(place.start_dir.display().to_string()),
                ..Walk::runbook_ref(&runbook)
            },
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            hostname: hostname(),
            mode: *mode,
            runbook_changed: changed,
            changed_steps: if changed { changed_steps } else { Vec::new() },
            forced: changed && !same_steps,
            step: next + 1,
        },
    )?;
    state.apply(&resumed);
    // Values this session brings (`--var`, the environment, asked up front) are logged, so the
    // log says what every command ran with and a later resume restores them.
    for value in values.iter().filter(|v| v.source != VariableSource::Log) {
        log.append(
            &state.operator,
            Event::VariableSet {
                name: value.name.clone(),
                source: value.source,
                value: (!value.secret).then(|| value.value.clone()),
            },
        )?;
    }
    if let Some(to) = &config.operator
        && to != &state.operator
    {
        log.append(
            &state.operator,
            Event::Handoff {
                from: state.operator.clone(),
                to: to.clone(),
            },
        )?;
        state.operator = to.clone();
    }
    ports.prompter.show(Screen::Resuming(Resuming {
        title: &runbook.title,
        incident: incident.as_deref(),
        operator: &state.operator,
        step: next + 1,
        log: &location,
    }));
    let how = How {
        mode: *mode,
        yes: config.yes,
        allow_danger: config.allow_danger,
        aws: &config.aws,
        cwd: place.start_dir,
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
        Start::Resumed(next),
        out,
    )
}

/// Every line of the log as written, grouped by the session that wrote it (in the order the
/// sessions began), for shipping what each session's stream lacks.
fn earlier_lines(
    path: &Path,
    existing: &crate::incident_log::ExistingLog,
) -> Result<Vec<(String, Vec<crate::share::item::Item>)>, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Log(crate::event::LogError {
            path: path.display().to_string(),
            reason: crate::human::io_reason(&e),
        })
    })?;
    let valid = usize::try_from(existing.valid_len)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let mut sessions: Vec<(String, Vec<crate::share::item::Item>)> = Vec::new();
    for (record, line) in existing
        .records
        .iter()
        .zip(bytes[..valid].split_inclusive(|&b| b == b'\n'))
    {
        let item = crate::share::item::Item::from_line(record.seq, &record.ts, line.to_vec());
        match sessions.iter_mut().find(|(s, _)| *s == record.session) {
            Some((_, items)) => items.push(item),
            None => sessions.push((record.session.clone(), vec![item])),
        }
    }
    Ok(sessions)
}

/// Where a resumed walk reads its runbook and runs its commands.
struct Place {
    /// The runbook file to read.
    file: PathBuf,
    /// The path the log recorded (absolute in logs that record it).
    recorded: String,
    /// `--runbook` named another file than the recorded one.
    moved: bool,
    /// The runbook's path as the operator gave it (`--runbook`, else as the log has it), logged.
    path: String,
    /// Where commands without `cwd=` run and relative ones resolve: as in the first session.
    start_dir: PathBuf,
    /// What the operator should know about the choice.
    notes: Vec<String>,
}

/// The runbook and the directory the log recorded (the latest session's), so `resume` does the
/// same from any directory; `--runbook` points elsewhere. Older logs: the current directory.
fn locate(config: &ResumeConfig, records: &[Record], first: &RunbookRef) -> Result<Place, Error> {
    let refs: Vec<&RunbookRef> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::SessionStarted { runbook, .. } | Event::SessionResumed { runbook, .. } => {
                Some(runbook)
            }
            _ => None,
        })
        .collect();
    let latest = refs.iter().rev().find(|r| r.absolute_path.is_some());
    let absolute = latest.and_then(|r| r.absolute_path.clone());
    let path = match (&config.runbook, latest) {
        (Some(given), _) => given.display().to_string(),
        (None, Some(r)) => r.path.clone(),
        (None, None) => first.path.clone(),
    };
    let dir = refs.iter().rev().find_map(|r| r.start_dir.clone());
    let here = std::env::current_dir().map_err(Error::Output)?;
    let mut notes = Vec::new();
    let recorded = absolute.clone().unwrap_or_else(|| first.path.clone());
    let (file, moved) = match (&config.runbook, &absolute) {
        (Some(given), Some(abs)) => {
            let same = std::fs::canonicalize(given).is_ok_and(|g| g == Path::new(abs));
            (given.clone(), !same)
        }
        (Some(given), None) => (given.clone(), false),
        (None, Some(abs)) => {
            if std::fs::symlink_metadata(abs).is_err() {
                return Err(Error::Usage(format!(
                    "the runbook of this log, `{abs}`, is missing; give its new place with --runbook FILE"
                )));
            }
            (PathBuf::from(abs), false)
        }
        (None, None) => {
            notes.push(format!(
                "this log does not record where its runbook is (an older log): reading `{}` from the current directory",
                first.path
            ));
            (PathBuf::from(&first.path), false)
        }
    };
    let start_dir = match dir {
        Some(d) if Path::new(&d).is_dir() => PathBuf::from(d),
        Some(d) => {
            notes.push(format!(
                "the walk's directory `{d}` is not here; commands run in `{}`",
                here.display()
            ));
            here
        }
        None => here,
    };
    Ok(Place {
        file,
        recorded,
        moved,
        path,
        start_dir,
        notes,
    })
}
