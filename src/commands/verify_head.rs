//! `runbook verify --head SEQ:HASH` and `--allowed-signers FILE`: the log reaches a head written
//! down, or signed, at a session's end; so dropped last lines and recomputed chains are found.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::human::{count, io_reason};
use crate::incident_log::{self, Head};
use crate::signing;
use crate::source::LoadError;

/// Checks the chain as `verify` does (its exit code: 0 intact, 1 a bad line after the head), then
/// the signature and the head; a head not reached or a bad signature is an `Err` (exit 2).
pub fn run(
    path: &Path,
    head: Option<Head>,
    allowed_signers: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    let code = super::verify::run(path, out, err)?;
    let shown = path.display().to_string();
    let mut head = head;
    if let Some(allowed) = allowed_signers {
        let (principal, statement) = signing::verify(allowed, path)?;
        let (_, sig) = signing::head_files(path);
        writeln!(
            out,
            "ok: head {} signed by {principal} (`{}`, namespace `{}`)",
            statement.head,
            sig.display(),
            signing::NAMESPACE
        )?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if statement.log != name {
            return Err(Error::Usage(format!(
                "the signed head names the log `{}`, not `{name}`",
                statement.log
            )));
        }
        if let Some(given) = &head
            && given != &statement.head
        {
            return Err(Error::Usage(format!(
                "--head {given} is not the signed head {}",
                statement.head
            )));
        }
        head = Some(statement.head);
    }
    let Some(head) = head else {
        return Ok(code);
    };
    let log = incident_log::read_log(path).map_err(|e| {
        Error::Load(LoadError::Io {
            path: shown.clone(),
            reason: io_reason(&e),
        })
    })?;
    let after = incident_log::reaches(&log, &head).map_err(|source| Error::Head {
        path: shown.clone(),
        source,
    })?;
    writeln!(
        out,
        "ok: the log reaches head {head}{}",
        if after == 0 {
            String::new()
        } else {
            format!("; {} after the head", count(after, "event", "events"))
        }
    )?;
    Ok(code)
}
