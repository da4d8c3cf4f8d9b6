//! Validated settings: what each command will do, decided from the raw arguments before any work starts.

use std::path::PathBuf;

use crate::cli::{CheckFormat, Cli, CliCommand, ResumeArgs, RunArgs};
use crate::error::Error;
use crate::incident_log::Mode;

/// Where `list` looks when given no path.
pub const DEFAULT_RUNBOOK_DIR: &str = "runbooks";

/// One command, with every choice made.
#[derive(Debug)]
pub enum Config {
    Show { file: PathBuf, json: bool },
    List { paths: Vec<PathBuf>, json: bool },
    Check { paths: Vec<PathBuf>, json: bool },
    Run(RunConfig),
    Resume(ResumeConfig),
    Verify { log: PathBuf },
    Completions { shell: clap_complete::Shell },
    Man,
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
}

/// `runbook resume`, validated.
#[derive(Debug)]
pub struct ResumeConfig {
    pub log: PathBuf,
    pub force: bool,
    pub yes: bool,
    pub allow_danger: bool,
    pub vars: Vec<(String, String)>,
    pub operator: Option<String>,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, Error> {
        Ok(match cli.command {
            CliCommand::Show { file, json } => Config::Show { file, json },
            CliCommand::List { paths, json } => Config::List {
                paths: if paths.is_empty() {
                    vec![PathBuf::from(DEFAULT_RUNBOOK_DIR)]
                } else {
                    paths
                },
                json,
            },
            CliCommand::Check { paths, format } => Config::Check {
                paths,
                json: format == CheckFormat::Json,
            },
            CliCommand::Run(args) => Config::Run(run_config(args)?),
            CliCommand::Resume(args) => Config::Resume(resume_config(args)?),
            CliCommand::Verify { log } => Config::Verify { log },
            CliCommand::Completions { shell } => Config::Completions { shell },
            CliCommand::Man => Config::Man,
        })
    }
}

fn run_config(args: RunArgs) -> Result<RunConfig, Error> {
    let operator = match args.operator {
        Some(op) => non_empty("--operator", op)?,
        None => std::env::var("USER")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "unknown".into()),
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
    })
}

fn resume_config(args: ResumeArgs) -> Result<ResumeConfig, Error> {
    Ok(ResumeConfig {
        log: args.log,
        force: args.force,
        yes: args.yes,
        allow_danger: args.allow_danger,
        vars: parse_vars(&args.vars)?,
        operator: args
            .operator
            .map(|o| non_empty("--operator", o))
            .transpose()?,
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
