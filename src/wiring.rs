//! Wiring: turns validated settings into work, choosing the real implementation behind each interface.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::commands;
use crate::config::Config;
use crate::error::Error;

/// Runs one command and turns its outcome into an exit code, rendering any error once.
pub fn run(config: Config) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let result = dispatch(config, &mut out, &mut err).and_then(|code| {
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
        Config::Completions { shell } => commands::generate::completions(shell, out).map(|()| 0),
        Config::Man => commands::generate::man(out).map(|()| 0),
    }
}
