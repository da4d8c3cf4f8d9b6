//! `runbook compare LOG --with LOG...`: step durations and outcomes of one run next to earlier
//! runs or rehearsals of the same runbook.

use std::io::Write;
use std::path::PathBuf;

use crate::config::LogSource;
use crate::error::Error;
use crate::export::compare::{self, Run};

/// Exit 0 with the comparison on `out` (flags are information, not failure); errors as for `export`.
/// With `--incident`, the run is every shared session of the incident, merged.
pub fn run(
    log: &LogSource,
    with: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    let label = match log {
        LogSource::Files(paths) => paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        LogSource::Shared(s) => format!("incident {}", s.incident),
    };
    let now = super::export::load_source(log, err)?;
    let mut before = Vec::with_capacity(with.len());
    for path in with {
        before.push((
            path.display().to_string(),
            super::export::load_one(path, err)?,
        ));
    }
    let now_title = now.header.runbook.as_ref().map(|r| r.title.clone());
    for (label, t) in &before {
        let title = t.header.runbook.as_ref().map(|r| r.title.clone());
        if title != now_title {
            writeln!(
                err,
                "warning: `{label}` walks `{}`, not `{}`",
                title.unwrap_or_default(),
                now_title.clone().unwrap_or_default()
            )?;
        }
    }
    let runs: Vec<Run<'_>> = before
        .iter()
        .map(|(label, timeline)| Run { label, timeline })
        .collect();
    out.write_all(compare::render(&label, &now, &runs).as_bytes())?;
    Ok(0)
}
