//! Validated settings: what each command will do, decided from the raw arguments before any work starts.

use std::path::PathBuf;

use std::time::Duration;

use crate::cli::{AwsArgs, CheckFormat, Cli, CliCommand, ResumeArgs, RunArgs};
use crate::error::Error;
use crate::event::Mode;

/// Where `list` looks when given no path and this directory exists; else the current directory.
pub const DEFAULT_RUNBOOK_DIR: &str = "runbooks";

/// One command, with every choice made.
#[derive(Debug)]
pub enum Config {
    Show {
        file: PathBuf,
        json: bool,
    },
    List {
        paths: Vec<PathBuf>,
        json: bool,
    },
    Check {
        paths: Vec<PathBuf>,
        format: CheckOutput,
        /// `--strict`: warnings fail as errors do.
        strict: bool,
    },
    Run(RunConfig),
    Resume(ResumeConfig),
    Lookup(LookupConfig),
    Verify {
        log: PathBuf,
        /// `--head`: a head the log must reach.
        head: Option<crate::incident_log::Head>,
        /// `--allowed-signers`: check `LOG.head.sig` against this file.
        allowed_signers: Option<PathBuf>,
    },
    Export(ExportConfig),
    Timeline {
        source: LogSource,
        /// `--follow`: keep printing new events (of the log files, or of the shared incident).
        follow: bool,
    },
    Compare {
        /// The run: one log file, or a shared incident.
        log: LogSource,
        with: Vec<PathBuf>,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man {
        dir: Option<PathBuf>,
    },
}

/// How `check` writes its diagnostics on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutput {
    /// `path:line:col: severity: message`.
    Text,
    /// One report (schemas/check-report.schema.json).
    Json,
    /// GitHub Actions workflow commands, one per diagnostic.
    Github,
    /// One SARIF 2.1.0 log.
    Sarif,
}

/// `runbook run`, validated.
#[derive(Debug)]
pub struct RunConfig {
    pub file: PathBuf,
    pub mode: Mode,
    pub yes: bool,
    pub allow_danger: bool,
    pub vars: Vec<(String, String)>,
    pub incident: Option<String>,
    pub operator: String,
    pub log_dir: PathBuf,
    pub from: Option<String>,
    pub aws: AwsConfig,
    /// The SSH key that signs the log's head at each session end.
    pub signing_key: Option<PathBuf>,
    pub share: ShareConfig,
}

/// Sharing a walk through CloudWatch Logs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareConfig {
    /// `--share` or `RUNBOOK_SHARE`; the runbook's `share: true` asks too.
    pub asked: bool,
    pub group: String,
    /// `--share-region`, full name; `None`: the runbook's first region, else the SDK default.
    pub region: Option<String>,
    /// How long the walk's end waits for the backlog.
    pub timeout: Duration,
}

impl ShareConfig {
    /// Whether this walk of `runbook` shares.
    pub fn wanted(&self, runbook: &crate::runbook::Runbook) -> bool {
        self.asked || runbook.front_matter.share
    }

    /// Where and how to reach CloudWatch Logs for `runbook`: `--share-region`, else its first
    /// region; the profile and endpoint of its lookups.
    pub fn settings(
        &self,
        aws: &AwsConfig,
        runbook: &crate::runbook::Runbook,
    ) -> crate::share::client::ShareSettings {
        crate::share::client::ShareSettings {
            group: self.group.clone(),
            region: self
                .region
                .clone()
                .or_else(|| aws.regions_for(runbook).into_iter().next()),
            profile: aws.profile_for(runbook),
            endpoint: aws.endpoint.clone(),
            timeout: aws.timeout,
        }
    }
}

/// CloudWatch settings, validated: regions normalised to full names, durations read.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    pub regions: Vec<String>,
    pub profile: Option<String>,
    pub endpoint: Option<String>,
    pub timeout: Duration,
    pub guard_interval: Duration,
}

impl AwsConfig {
    /// Regions for lookups that name none: `--region`, else the runbook's front matter (short
    /// names such as `euw2` made full, as in lookup blocks).
    pub fn regions_for(&self, runbook: &crate::runbook::Runbook) -> Vec<String> {
        if !self.regions.is_empty() {
            return self.regions.clone();
        }
        let mut regions: Vec<String> = Vec::new();
        for name in &runbook.front_matter.regions {
            let full = crate::runbook::region::normalize(name)
                .map_or_else(|| name.clone(), str::to_string);
            if !regions.contains(&full) {
                regions.push(full);
            }
        }
        regions
    }

    /// The AWS profile: `--profile`, else the runbook's front matter `profile`, else none (the
    /// SDK's usual chain: `AWS_PROFILE`, then `default`).
    pub fn profile_for(&self, runbook: &crate::runbook::Runbook) -> Option<String> {
        self.profile
            .clone()
            .or_else(|| runbook.front_matter.profile.clone())
    }
}

/// `runbook lookup`, validated.
#[derive(Debug)]
pub struct LookupConfig {
    pub file: PathBuf,
    pub step: Option<String>,
    pub vars: Vec<(String, String)>,
    pub json: bool,
    pub aws: AwsConfig,
}

/// Where the logs of `export`, `timeline` and `compare` come from.
#[derive(Debug, Clone)]
pub enum LogSource {
    Files(Vec<PathBuf>),
    /// `--incident ID`: every shared session of the incident, from CloudWatch Logs.
    Shared(SharedIncident),
}

/// An incident to read from CloudWatch Logs, and how to reach it.
#[derive(Debug, Clone)]
pub struct SharedIncident {
    pub incident: String,
    pub settings: crate::share::client::ShareSettings,
}

/// How long each request to CloudWatch Logs may take when reading a shared incident.
const SHARED_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// `runbook export`, validated.
#[derive(Debug)]
pub struct ExportConfig {
    pub source: LogSource,
    pub format: crate::export::Format,
    /// `None`: standard output.
    pub output: Option<PathBuf>,
}

/// `runbook resume`, validated.
#[derive(Debug)]
pub struct ResumeConfig {
    pub log: PathBuf,
    pub force: bool,
    /// `--runbook FILE`: read instead of the path the log recorded.
    pub runbook: Option<PathBuf>,
    pub yes: bool,
    pub allow_danger: bool,
    pub vars: Vec<(String, String)>,
    pub operator: Option<String>,
    pub aws: AwsConfig,
    /// As for `run`.
    pub signing_key: Option<PathBuf>,
    pub share: ShareConfig,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, Error> {
        Ok(match cli.command {
            CliCommand::Show { file, json } => Config::Show { file, json },
            CliCommand::List { paths, json } => Config::List {
                paths: if paths.is_empty() {
                    // A clone of a runbook repository lists its `runbooks/`; anywhere else, here.
                    let dir = PathBuf::from(DEFAULT_RUNBOOK_DIR);
                    vec![if dir.is_dir() {
                        dir
                    } else {
                        PathBuf::from(".")
                    }]
                } else {
                    paths
                },
                json,
            },
            CliCommand::Check {
                paths,
                format,
                strict,
            } => Config::Check {
                paths,
                format: match format {
                    CheckFormat::Text => CheckOutput::Text,
                    CheckFormat::Json => CheckOutput::Json,
                    CheckFormat::Github => CheckOutput::Github,
                    CheckFormat::Sarif => CheckOutput::Sarif,
                },
                strict,
            },
            CliCommand::Run(args) => Config::Run(run_config(args)?),
            CliCommand::Resume(args) => Config::Resume(resume_config(args)?),
            CliCommand::Lookup(args) => Config::Lookup(LookupConfig {
                file: args.file,
                step: args.step,
                vars: parse_vars(&args.vars)?,
                json: args.json,
                aws: aws_config(args.aws)?,
            }),
            CliCommand::Verify {
                log,
                head,
                allowed_signers,
            } => Config::Verify {
                log,
                head: head
                    .map(|h| h.parse())
                    .transpose()
                    .map_err(|e: crate::incident_log::HeadSyntax| Error::Usage(e.to_string()))?,
                allowed_signers,
            },
            CliCommand::Export(args) => Config::Export(ExportConfig {
                source: log_source(args.logs, args.shared)?,
                format: match args.format {
                    crate::cli::ExportFormat::Markdown => crate::export::Format::Markdown,
                    crate::cli::ExportFormat::Html => crate::export::Format::Html,
                    crate::cli::ExportFormat::Json => crate::export::Format::Json,
                    crate::cli::ExportFormat::AwsTimeline => crate::export::Format::AwsTimeline,
                    crate::cli::ExportFormat::Slack => crate::export::Format::Slack,
                    crate::cli::ExportFormat::SlackJson => crate::export::Format::SlackJson,
                },
                output: args.output,
            }),
            CliCommand::Timeline(args) => {
                let source = log_source(args.logs, args.shared)?;
                Config::Timeline {
                    source,
                    follow: args.follow,
                }
            }
            CliCommand::Compare { log, with, shared } => compare_config(log, with, shared)?,
            CliCommand::Completions { shell } => Config::Completions { shell },
            CliCommand::Man { dir } => Config::Man { dir },
        })
    }
}

/// The local logs, or (`--incident`) the shared incident; clap keeps the two apart.
fn log_source(
    logs: Vec<PathBuf>,
    shared: crate::cli::SharedIncidentArgs,
) -> Result<LogSource, Error> {
    let Some(incident) = shared.incident else {
        return Ok(LogSource::Files(logs));
    };
    let incident = non_empty("--incident", incident)?;
    crate::share::names::check_incident(&incident)
        .map_err(|e| Error::Usage(format!("--incident: {e}")))?;
    let region = match shared.share_region.map(|r| non_empty("--share-region", r)) {
        None => None,
        Some(r) => {
            let r = r?;
            Some(
                crate::runbook::region::normalize(&r)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "--share-region: {}",
                            crate::runbook::region::unknown_message(&r)
                        ))
                    })?
                    .to_string(),
            )
        }
    };
    Ok(LogSource::Shared(SharedIncident {
        incident,
        settings: crate::share::client::ShareSettings {
            group: non_empty("--share-group", shared.share_group)?,
            region,
            profile: shared
                .profile
                .map(|p| non_empty("--profile", p))
                .transpose()?,
            endpoint: shared
                .aws_endpoint
                .map(|e| non_empty("--aws-endpoint", e))
                .transpose()?,
            timeout: SHARED_READ_TIMEOUT,
        },
    }))
}

/// `--with` takes every log after it, so in `compare --with A B LOG` the run's log is the last;
/// with `--incident` the run is the shared incident and every `--with` log is an earlier run.
fn compare_config(
    log: Option<PathBuf>,
    mut with: Vec<PathBuf>,
    shared: crate::cli::SharedIncidentArgs,
) -> Result<Config, Error> {
    if shared.incident.is_some() {
        return Ok(Config::Compare {
            log: log_source(Vec::new(), shared)?,
            with,
        });
    }
    let log = match log {
        Some(log) => log,
        None if with.len() >= 2 => with.pop().unwrap_or_default(),
        None => {
            return Err(Error::Usage(
                "`compare` needs the run's log and at least one earlier log: runbook compare LOG --with LOG...".into(),
            ));
        }
    };
    Ok(Config::Compare {
        log: LogSource::Files(vec![log]),
        with,
    })
}

fn run_config(args: RunArgs) -> Result<RunConfig, Error> {
    let operator = match args.operator {
        Some(op) => non_empty("--operator", op)?,
        None => crate::operator::current(),
    };
    Ok(RunConfig {
        file: args.file,
        mode: if args.rehearse {
            Mode::Rehearsal
        } else {
            Mode::Live
        },
        yes: args.yes,
        allow_danger: args.allow_danger,
        vars: parse_vars(&args.vars)?,
        incident: args
            .incident
            .map(|i| non_empty("--incident", i))
            .transpose()?,
        operator,
        log_dir: args.log_dir,
        from: args.from,
        aws: aws_config(args.aws)?,
        signing_key: signing_key(args.sign)?,
        share: share_config(args.share)?,
    })
}

fn share_config(args: crate::cli::WalkShareArgs) -> Result<ShareConfig, Error> {
    let region = match args.share_region.as_deref().map(str::trim) {
        None => None,
        Some("") => return Err(Error::Usage("--share-region needs a value".into())),
        Some(name) => Some(
            crate::runbook::region::normalize(name)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--share-region: {}",
                        crate::runbook::region::unknown_message(name)
                    ))
                })?
                .to_string(),
        ),
    };
    Ok(ShareConfig {
        asked: args.share,
        group: non_empty("--share-group", args.share_group)?,
        region,
        timeout: crate::human::parse_wait(&args.share_timeout)
            .map(Duration::from_millis)
            .map_err(|e| Error::Usage(format!("--share-timeout: {e}")))?,
    })
}

/// `--signing-key` (or `RUNBOOK_SIGNING_KEY`) signs with that key; `--sign` alone with the usual one.
fn signing_key(args: crate::cli::SignArgs) -> Result<Option<PathBuf>, Error> {
    match args.signing_key.filter(|p| !p.as_os_str().is_empty()) {
        Some(key) => Ok(Some(key)),
        None if args.sign => Ok(Some(crate::signing::default_key()?)),
        None => Ok(None),
    }
}

fn aws_config(args: AwsArgs) -> Result<AwsConfig, Error> {
    let mut regions = Vec::new();
    for name in args
        .regions
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        let full = crate::runbook::region::normalize(name).ok_or_else(|| {
            Error::Usage(format!(
                "--region: {}",
                crate::runbook::region::unknown_message(name)
            ))
        })?;
        if !regions.iter().any(|r| r == full) {
            regions.push(full.to_string());
        }
    }
    let duration = |flag: &str, text: &str| {
        crate::human::parse_duration(text)
            .map(Duration::from_millis)
            .map_err(|e| Error::Usage(format!("{flag}: {e}")))
    };
    Ok(AwsConfig {
        regions,
        profile: args
            .profile
            .map(|p| non_empty("--profile", p))
            .transpose()?,
        endpoint: args
            .aws_endpoint
            .map(|e| non_empty("--aws-endpoint", e))
            .transpose()?,
        timeout: duration("--aws-timeout", &args.aws_timeout)?,
        guard_interval: duration("--guard-interval", &args.guard_interval)?,
    })
}

fn resume_config(args: ResumeArgs) -> Result<ResumeConfig, Error> {
    Ok(ResumeConfig {
        log: args.log,
        force: args.force,
        runbook: args.runbook,
        yes: args.yes,
        allow_danger: args.allow_danger,
        vars: parse_vars(&args.vars)?,
        operator: args
            .operator
            .map(|o| non_empty("--operator", o))
            .transpose()?,
        aws: aws_config(args.aws)?,
        signing_key: signing_key(args.sign)?,
        share: share_config(args.share)?,
    })
}

fn non_empty(flag: &str, value: String) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::Usage(format!("{flag} needs a value")));
    }
    Ok(trimmed.to_string())
}

/// `NAME=VALUE` pairs; the name must be a shell variable name.
pub fn parse_vars(raw: &[String]) -> Result<Vec<(String, String)>, Error> {
    raw.iter()
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("`--var {pair}` is not `NAME=VALUE`")))?;
            let valid = name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(Error::Usage(format!(
                    "`{name}` in `--var` is not a variable name: use letters, digits and `_`"
                )));
            }
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}
