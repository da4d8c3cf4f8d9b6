//! Command-line arguments as clap sees them; no logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Walk Markdown runbooks step by step, safely, and keep a faithful incident log.
#[derive(Debug, Parser)]
#[command(name = "runbook", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Show a runbook's plan: steps, commands, checklists and variables
    Show {
        /// The runbook (Markdown file)
        file: PathBuf,
        /// Print the plan as JSON (schemas/runbook-plan.schema.json)
        #[arg(long)]
        json: bool,
    },
    /// List runbooks with their step and command counts
    List {
        /// Files or directories, searched recursively for `*.md` [default: runbooks/]
        paths: Vec<PathBuf>,
        /// Print the list as JSON (schemas/runbook-list.schema.json)
        #[arg(long)]
        json: bool,
    },
    /// Check runbooks for errors and for destructive commands without a safety annotation
    Check {
        /// Files or directories, searched recursively for `*.md`
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Warnings fail too (exit 1), for CI gates
        #[arg(long)]
        strict: bool,
    },
    /// Walk a runbook step by step: asks before it runs anything and logs every event
    Run(RunArgs),
    /// Continue a paused or interrupted walk from its incident log
    Resume(ResumeArgs),
    /// Run a runbook's CloudWatch lookups without walking it
    Lookup(LookupArgs),
    /// Check an incident log: every line, its sequence, its hash chain, and (--head) its end
    Verify {
        /// The incident log (`.jsonl`)
        log: PathBuf,
        /// Also prove the log reaches this head, as a walk prints it at its end (`log head: SEQ:HASH`)
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<String>,
        /// Also check the head's signature (`LOG.head.sig`, made with `--sign`) against this
        /// allowed_signers file (ssh-keygen's format), then prove the log reaches the signed head
        #[arg(long, value_name = "FILE")]
        allowed_signers: Option<PathBuf>,
    },
    /// Export incident logs for a post-incident review: Markdown, HTML, JSON or AWS timeline events
    Export(ExportArgs),
    /// Print the merged timeline of incident logs in the terminal
    Timeline(TimelineArgs),
    /// Compare a run's step durations and outcomes with earlier runs or rehearsals
    #[command(
        override_usage = "runbook compare <LOG> --with <LOG>...\n       runbook compare --with <LOG>... <LOG>"
    )]
    Compare {
        /// The incident log of the run to look at (after `--with`: the last log named)
        #[arg(conflicts_with = "incident")]
        log: Option<PathBuf>,
        /// Incident logs of earlier runs or rehearsals of the same runbook
        #[arg(long = "with", value_name = "LOG", required = true, num_args = 1..)]
        with: Vec<PathBuf>,
        #[command(flatten)]
        shared: SharedIncidentArgs,
    },
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the manual (roff): every subcommand in full, the walk's keys, exit codes, environment
    Man {
        /// Write one page per subcommand into DIR (`runbook.1`, `runbook-run.1`, ...) instead
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Incident logs (`.jsonl`) of one incident; merged into one timeline by time
    #[arg(required_unless_present = "incident", conflicts_with = "incident")]
    pub logs: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub shared: SharedIncidentArgs,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Incident logs (`.jsonl`) of one incident; merged by time
    #[arg(required_unless_present = "incident", conflicts_with = "incident")]
    pub logs: Vec<PathBuf>,
    /// Keep printing new events, as walks write them to the logs (or, with --incident, as
    /// responders ship them), until Ctrl-C
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    pub shared: SharedIncidentArgs,
}

/// Reading an incident shared in CloudWatch Logs (`run --share`) instead of local logs.
#[derive(Debug, Clone, Args)]
pub struct SharedIncidentArgs {
    /// Read this incident's shared sessions from CloudWatch Logs instead of local logs
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// The log group the incident is shared in
    #[arg(
        long,
        env = "RUNBOOK_SHARE_GROUP",
        value_name = "GROUP",
        default_value = "/runbook/incidents"
    )]
    pub share_group: String,
    /// The log group's region (`eu-west-2` or `euw2`) [default: the AWS default region]
    #[arg(long, value_name = "REGION", requires = "incident")]
    pub share_region: Option<String>,
    /// AWS profile (SSO profiles work: run `aws sso login --profile NAME` first)
    #[arg(long, requires = "incident")]
    pub profile: Option<String>,
    /// CloudWatch Logs endpoint URL (also AWS_ENDPOINT_URL_CLOUDWATCH_LOGS / AWS_ENDPOINT_URL)
    #[arg(long, value_name = "URL", requires = "incident")]
    pub aws_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A report ready to paste into a postmortem document
    Markdown,
    /// One self-contained page: timeline, Gantt bars, metric charts, filters and search
    Html,
    /// One JSON document (schemas/incident-export.schema.json)
    Json,
    /// AWS Incident Manager `CreateTimelineEvent` inputs (schemas/aws-timeline.schema.json)
    AwsTimeline,
    /// A short summary for a Slack channel (mrkdwn text, under 4,000 characters)
    Slack,
    /// The Slack summary as a webhook payload: `{"text": …}`
    SlackJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: severity: message`, one line each
    Text,
    /// One JSON document (schemas/check-report.schema.json)
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`), shown as annotations
    Github,
    /// One SARIF 2.1.0 log, for code-scanning services
    Sarif,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The runbook (Markdown file)
    pub file: PathBuf,
    /// Rehearsal: run only `readonly` commands; show and log everything else as rehearsed
    #[arg(long)]
    pub rehearse: bool,
    /// Walk unattended: run commands and acknowledge manual items without asking
    /// (`confirm` commands still ask; `danger` commands are skipped)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// With --yes: run `danger` commands too
    #[arg(long, requires = "yes")]
    pub allow_danger: bool,
    /// A variable's value, given to commands as an environment variable (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Incident id recorded in the log (e.g. INC-4821)
    #[arg(long)]
    pub incident: Option<String>,
    /// Who is walking [default: $USER, else the account name]
    #[arg(long)]
    pub operator: Option<String>,
    /// Where incident logs are written
    #[arg(long, env = "RUNBOOK_LOG_DIR", default_value = "incidents")]
    pub log_dir: PathBuf,
    /// Start at this step (number or id)
    #[arg(long, value_name = "STEP")]
    pub from: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub sign: SignArgs,
    #[command(flatten)]
    pub share: WalkShareArgs,
}

/// Sharing a walk's incident log live through CloudWatch Logs.
#[derive(Debug, Clone, Args)]
pub struct WalkShareArgs {
    /// Share the incident log live through CloudWatch Logs, one stream per session
    /// (`<incident>/<session>`); also `share: true` in the runbook's front matter
    #[arg(
        long,
        env = "RUNBOOK_SHARE",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub share: bool,
    /// The log group incidents are shared in
    #[arg(
        long,
        env = "RUNBOOK_SHARE_GROUP",
        value_name = "GROUP",
        default_value = "/runbook/incidents"
    )]
    pub share_group: String,
    /// The region of the log group [default: the runbook's first region, else the AWS default
    /// region]
    #[arg(long, value_name = "REGION")]
    pub share_region: Option<String>,
    /// At the walk's end, how long to wait for events not shared yet (`0s`: do not wait; the
    /// rest is sent by `runbook resume LOG --share`)
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub share_timeout: String,
}

/// Signing the log's head with an SSH key at each session end.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Sign the log's head at each session end with your SSH key (`LOG.head` and `LOG.head.sig`,
    /// via `ssh-keygen -Y sign`) [default key: ~/.ssh/id_ed25519, id_ecdsa or id_rsa]
    #[arg(long)]
    pub sign: bool,
    /// Sign with this SSH key (a private key, or the `.pub` of a key in ssh-agent); implies --sign
    #[arg(long, env = "RUNBOOK_SIGNING_KEY", value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
}

/// How CloudWatch is reached, for lookups and guard alarms.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Region(s) for lookups that name none (repeatable or comma-separated; `eu-west-2` or `euw2`)
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// AWS profile (SSO profiles work: run `aws sso login --profile NAME` first)
    #[arg(long)]
    pub profile: Option<String>,
    /// CloudWatch endpoint URL (also AWS_ENDPOINT_URL_CLOUDWATCH / AWS_ENDPOINT_URL)
    #[arg(long, value_name = "URL")]
    pub aws_endpoint: Option<String>,
    /// How long each region may take to answer a lookup
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub aws_timeout: String,
    /// How often guard alarms are polled during a walk
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub guard_interval: String,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// The runbook (Markdown file)
    pub file: PathBuf,
    /// Only this step's lookups (number or id)
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,
    /// A variable's value for `$VARS` in dimensions (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Print the results as JSON lines (`lookup_result` events)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The incident log of the walk to continue
    pub log: PathBuf,
    /// Continue even if the runbook's list of steps changed since the log began
    #[arg(long)]
    pub force: bool,
    /// The runbook to continue with, when it moved [default: the path the log recorded]
    #[arg(long, value_name = "FILE")]
    pub runbook: Option<PathBuf>,
    /// Walk the rest unattended (see `run --yes`)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// With --yes: run `danger` commands too
    #[arg(long, requires = "yes")]
    pub allow_danger: bool,
    /// A secret variable's value, asked again otherwise (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Who is walking now [default: the log's last operator]
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub sign: SignArgs,
    #[command(flatten)]
    pub share: WalkShareArgs,
}
