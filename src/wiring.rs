//! Wiring: turns validated settings into work, choosing the real implementation behind each interface:
//! the terminal or unattended prompter, the pseudo-terminal runner, the incident log file, the system clock.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::cli::Cli;
use crate::commands;
use crate::config::Config;
use crate::error::Error;

/// Validates the arguments, runs one command and turns its outcome into an exit code, rendering any error once.
pub fn run(cli: Cli) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let result = Config::from_cli(cli)
        .and_then(|config| dispatch(config, &mut out, &mut err))
        .and_then(|code| {
            out.flush()?;
            Ok(code)
        });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(message) = e.render() {
                let _ = writeln!(err, "{message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(config: Config, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Error> {
    match config {
        Config::Show { file, json } => commands::show::run(&file, json, out, err).map(|()| 0),
        Config::List { paths, json } => commands::list::run(&paths, json, out, err),
        Config::Check { paths, json } => commands::check::run(&paths, json, out, err),
        Config::Run(config) => commands::run::run(&config, out),
        Config::Resume(config) => commands::resume::run(&config, out),
        Config::Lookup(config) => commands::lookup::run(&config, out),
        Config::Verify { log } => commands::verify::run(&log, out, err),
        Config::Export(config) => commands::export::run(&config, out, err),
        Config::Timeline { logs } => commands::timeline::run(&logs, out, err),
        Config::Compare { log, with } => commands::compare::run(&log, &with, out, err),
        Config::Completions { shell } => commands::generate::completions(shell, out).map(|()| 0),
        Config::Man => commands::generate::man(out).map(|()| 0),
    }
}

/// The real ports of a walk: who is asked, what runs commands, where events go.
pub struct WalkPorts {
    pub prompter: Box<dyn crate::walk::ports::Prompter>,
    pub runner: Box<dyn crate::walk::ports::CommandRunner>,
    pub clock: crate::incident_log::SystemClock,
    pub paint: crate::walk::view::Paint,
}

/// Chooses the prompter (terminal, or none under `--yes` without one) and the runner.
/// Without a terminal and without `yes`, refuses at once rather than hang on a question.
pub fn walk_ports(yes: bool) -> Result<WalkPorts, Error> {
    let paint = crate::terminal::paint();
    let prompter: Box<dyn crate::walk::ports::Prompter> = if crate::terminal::interactive() {
        Box::new(crate::terminal::TerminalPrompter::new(paint))
    } else if yes {
        Box::new(crate::terminal::UnattendedPrompter::new(paint))
    } else {
        return Err(Error::Usage(
            "a walk asks before it runs anything, so it needs a terminal on stdin and stderr; pass --yes to walk unattended".into(),
        ));
    };
    crate::runner::install_interrupt_handler();
    Ok(WalkPorts {
        prompter,
        runner: Box::new(crate::runner::PtyRunner::new()),
        clock: crate::incident_log::SystemClock,
        paint,
    })
}

/// CloudWatch for a walk, set up only when the runbook has lookups or guard alarms, so other
/// walks and commands never pay for AWS start-up.
pub fn metrics(
    runbook: &crate::runbook::Runbook,
    aws: &crate::config::AwsConfig,
) -> Option<Box<dyn crate::walk::ports::Metrics>> {
    let has_lookups = runbook.steps.iter().any(|s| !s.lookups.is_empty());
    if !has_lookups && runbook.front_matter.guard_alarms.is_empty() {
        return None;
    }
    Some(connect_cloudwatch(runbook, aws))
}

/// Connects to CloudWatch with one shared SDK configuration; never fails (problems become
/// per-region errors). Guard alarms come from the runbook's front matter.
pub fn connect_cloudwatch(
    runbook: &crate::runbook::Runbook,
    aws: &crate::config::AwsConfig,
) -> Box<dyn crate::walk::ports::Metrics> {
    use std::io::IsTerminal;
    let guard_regions = aws.regions_for(runbook);
    Box::new(crate::cloudwatch::CloudWatch::connect(
        crate::cloudwatch::AwsSettings {
            profile: aws.profile.clone(),
            endpoint: aws.endpoint.clone(),
            timeout: aws.timeout,
            show_progress: std::io::stderr().is_terminal(),
            guard_prefixes: runbook.front_matter.guard_alarms.clone(),
            guard_regions,
            guard_interval: aws.guard_interval,
        },
    ))
}
