//! The `runbook` binary: parses the arguments and hands them to `runbook::commands::main`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = runbook::cli::Cli::parse();
    runbook::commands::main(cli)
}
