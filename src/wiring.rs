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
}

/// The environment of this process, for `$NAME`s the session does not set.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl crate::walk::ports::Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// Chooses the prompter (terminal, or none under `--yes` without one) and the runner.
/// Without a terminal and without `yes`, refuses at once rather than hang on a question.
pub fn walk_ports(yes: bool) -> Result<WalkPorts, Error> {
    let paint = crate::terminal::paint();
    let attended = crate::terminal::interactive();
    let prompter: Box<dyn crate::walk::ports::Prompter> = if attended {
        Box::new(crate::terminal::TerminalPrompter::new(paint))
    } else if yes {
        Box::new(crate::terminal::UnattendedPrompter::new(paint))
    } else {
        return Err(Error::Usage(
            "a walk asks before it runs anything, so it needs a terminal on stdin and stderr; pass --yes to walk unattended".into(),
        ));
    };
    crate::runner::install_interrupt_handler();
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
        runner: Box::new(crate::runner::PtyRunner::new()),
        clock: crate::incident_log::SystemClock,
        env: ProcessEnvironment,
        attended,
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
