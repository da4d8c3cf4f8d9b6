//! `runbook timeline LOG...`: the merged timeline in the terminal, coloured when standard output
//! is a terminal and `NO_COLOR` is unset.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::error::Error;
use crate::terminal::Paint;

/// Exit 0 with the timeline on `out`; errors as for `export`.
pub fn run(logs: &[PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Error> {
    let timeline = super::export::load(logs, err)?;
    let paint = Paint {
        enabled: std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    out.write_all(crate::export::terminal::render(&timeline, paint).as_bytes())?;
    Ok(0)
}
