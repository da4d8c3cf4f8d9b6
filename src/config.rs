//! Validated settings: what each command will do, decided from the raw arguments before any work starts.

use std::path::PathBuf;

use crate::cli::{CheckFormat, Cli, CliCommand};

/// Where `list` looks when given no path.
pub const DEFAULT_RUNBOOK_DIR: &str = "runbooks";

/// One command, with every choice made.
#[derive(Debug)]
pub enum Config {
    Show { file: PathBuf, json: bool },
    List { paths: Vec<PathBuf>, json: bool },
    Check { paths: Vec<PathBuf>, json: bool },
    Completions { shell: clap_complete::Shell },
    Man,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Config {
        match cli.command {
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
            CliCommand::Completions { shell } => Config::Completions { shell },
            CliCommand::Man => Config::Man,
        }
    }
}
