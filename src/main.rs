//! The `runbook` binary: parses the arguments (the clap definitions plus the walk's keys in `run --help`) and hands them to `runbook::commands::main`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = runbook::commands::generate::parse_args();
    runbook::commands::main(cli)
}
