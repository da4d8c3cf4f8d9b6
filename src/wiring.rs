//! Wiring: the one place that chooses the real implementation behind each interface of a walk:
//! the terminal or unattended prompter, the pseudo-terminal runner, CloudWatch, the system clock
//! and the process environment.

use crate::error::Error;

/// The real ports of a walk: who is asked, what runs commands, where events go.
pub struct WalkPorts {
    pub prompter: Box<dyn crate::walk::ports::Prompter>,
    pub runner: Box<dyn crate::walk::ports::CommandRunner>,
    pub editor: Box<dyn crate::walk::ports::Editor>,
    pub clock: crate::incident_log::SystemClock,
    pub env: ProcessEnvironment,
    /// Someone can be asked during the walk (a terminal), so variables wait until needed.
    pub attended: bool,
    /// Where news that cannot wait (a guard alarm) is drawn while a command runs.
    pub status: crate::runner::StatusLines,
    /// What every step header adds once set: how sharing stands.
    pub header_note: crate::terminal::HeaderNote,
}

/// The environment of this process, for `$NAME`s the session does not set.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl crate::walk::ports::Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn has_program(&self, program: &str) -> bool {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    }

    fn is_dir(&self, dir: &std::path::Path) -> bool {
        dir.is_dir()
    }
}

/// Chooses the prompter (terminal, or none under `--yes` without one) and the runner.
/// Without a terminal and without `yes`, refuses at once rather than hang on a question.
pub fn walk_ports(yes: bool) -> Result<WalkPorts, Error> {
    let paint = crate::terminal::paint();
    let attended = crate::terminal::interactive();
    let header_note = crate::terminal::HeaderNote::default();
    let prompter: Box<dyn crate::walk::ports::Prompter> = if attended {
        Box::new(
            crate::terminal::TerminalPrompter::new(paint).with_header_note(header_note.clone()),
        )
    } else if yes {
        Box::new(
            crate::terminal::UnattendedPrompter::new(paint).with_header_note(header_note.clone()),
        )
    } else {
        return Err(Error::Usage(
            "a walk asks before it runs anything, so it needs a terminal on stdin and stderr; pass --yes to walk unattended".into(),
        ));
    };
    crate::runner::install_interrupt_handler();
    let runner = crate::runner::PtyRunner::new();
    let status = runner.status_lines();
    let editor: Box<dyn crate::walk::ports::Editor> = if crate::terminal::interactive() {
        let chosen = ["VISUAL", "EDITOR"]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()));
        Box::new(crate::terminal::TerminalEditor::new(chosen))
    } else {
        Box::new(crate::walk::ports::NoEditor)
    };
    Ok(WalkPorts {
        prompter,
        editor,
        runner: Box::new(runner),
        clock: crate::incident_log::SystemClock,
        env: ProcessEnvironment,
        attended,
        status,
        header_note,
    })
}

/// The walk's log, shared through CloudWatch Logs when `share` is set: lines of this session go
/// to `<incident>/<session>`, and `earlier` sessions' lines (a resumed log) to their own streams,
/// each after reading back what its stream holds. The SDK is set up on the shipper's thread,
/// so nothing here waits for AWS. Every step header then says how sharing stands.
pub fn shared_log(
    log: crate::incident_log::IncidentLogFile,
    share: Option<(&crate::share::client::ShareSettings, &str)>,
    earlier: Vec<(String, Vec<crate::share::item::Item>)>,
    header_note: &crate::terminal::HeaderNote,
) -> crate::share::SharedLog {
    use crate::share::{SharedLog, Shipper, api, names};
    let Some((settings, incident)) = share else {
        return SharedLog::local(log);
    };
    let for_thread = settings.clone();
    let shipper = Shipper::start(
        settings.group.clone(),
        Box::new(move || {
            api::SdkLogs::new(for_thread)
                .map(|sdk| Box::new(sdk) as Box<dyn api::LogsApi>)
                .map_err(|e| format!("cannot start the sharing runtime: {e}"))
        }),
    );
    for (session, items) in earlier {
        let stream = std::sync::Arc::from(names::stream_name(incident, &session));
        shipper.ship_missing(&stream, items);
    }
    let status = shipper.status();
    let _ = header_note.set(Box::new(move || {
        status.snapshot().header(crate::share::shipper::now_ms())
    }));
    SharedLog::shared(log, shipper, incident)
}

/// CloudWatch for a walk, set up only when the runbook has lookups or guard alarms, so other
/// walks and commands never pay for AWS start-up. Guard news is drawn at once on `status`
/// while a command runs; otherwise the walk shows it at its next prompt.
pub fn metrics(
    runbook: &crate::runbook::Runbook,
    aws: &crate::config::AwsConfig,
    status: &crate::runner::StatusLines,
) -> Option<Box<dyn crate::walk::ports::Metrics>> {
    let has_lookups = runbook.steps.iter().any(|s| !s.lookups.is_empty());
    if !has_lookups && runbook.front_matter.guard_alarms.is_empty() {
        return None;
    }
    let status = status.clone();
    let paint = crate::terminal::paint();
    let announce: crate::cloudwatch::Announce = std::sync::Arc::new(move |news| {
        status.offer(&crate::terminal::guard_status_line(news, paint))
    });
    Some(connect(runbook, aws, Some(announce)))
}

/// Connects to CloudWatch with one shared SDK configuration; never fails (problems become
/// per-region errors). Guard alarms come from the runbook's front matter.
pub fn connect_cloudwatch(
    runbook: &crate::runbook::Runbook,
    aws: &crate::config::AwsConfig,
) -> Box<dyn crate::walk::ports::Metrics> {
    connect(runbook, aws, None)
}

fn connect(
    runbook: &crate::runbook::Runbook,
    aws: &crate::config::AwsConfig,
    announce: Option<crate::cloudwatch::Announce>,
) -> Box<dyn crate::walk::ports::Metrics> {
    use std::io::IsTerminal;
    let guard_regions = aws.regions_for(runbook);
    let mut cloudwatch = crate::cloudwatch::CloudWatch::connect(crate::cloudwatch::AwsSettings {
        profile: aws.profile_for(runbook),
        endpoint: aws.endpoint.clone(),
        timeout: aws.timeout,
        show_progress: std::io::stderr().is_terminal(),
        guard_prefixes: runbook.front_matter.guard_alarms.clone(),
        guard_regions,
        guard_interval: aws.guard_interval,
    });
    if let Some(announce) = announce {
        cloudwatch.announce_guard_news(announce);
        // A walk: Ctrl-C (a flag once the runner's handler is installed) cancels lookups, and so
        // does a signal that ends the walk (SIGTERM, SIGHUP, SIGQUIT).
        cloudwatch.cancel_on(std::sync::Arc::new(|| {
            if let Some(number) = crate::runner::termination() {
                return Some(format!("by {}", crate::runner::signal_name(number)));
            }
            crate::runner::take_interrupt().then(|| "by the operator (Ctrl-C)".to_string())
        }));
    }
    Box::new(cloudwatch)
}
