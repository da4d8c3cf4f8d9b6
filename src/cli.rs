//! Command-line arguments as clap sees them; no logic lives here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    },
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: severity: message`, one line each
    Text,
    /// One JSON document (schemas/check-report.schema.json)
    Json,
}
