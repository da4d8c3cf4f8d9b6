//! Shell completions and the man page, generated from the clap definitions so they never drift.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), Error> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "runbook", out);
    Ok(())
}

pub fn man(out: &mut dyn Write) -> Result<(), Error> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(())
}
