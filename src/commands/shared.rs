//! Reading an incident shared in CloudWatch Logs (`--incident`) for `export`, `timeline` and
//! `compare`: every stream read, streams of one log file joined, each chain verified, and the
//! incomplete sessions named on stderr; the logs then take the same path as local files.

use std::io::Write;

use crate::config::SharedIncident;
use crate::error::Error;
use crate::export::{self, LoadedLog, Timeline};
use crate::share::join::{self, Incomplete, Why};
use crate::share::reader::{Incident, ReadError, Stream};

/// A current-thread runtime for the SDK's requests.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Output)
}

/// Every stream of the incident, read whole, with the token each read stopped at.
pub fn read_all(
    runtime: &tokio::runtime::Runtime,
    client: &aws_sdk_cloudwatchlogs::Client,
    shared: &SharedIncident,
) -> Result<Vec<(Stream, Option<String>)>, ReadError> {
    let incident = Incident {
        client,
        group: &shared.settings.group,
        incident: &shared.incident,
        profile: shared.settings.profile.as_deref(),
    };
    runtime.block_on(incident.read_all())
}

/// The joined logs of `streams`, each problem not in `said` yet (then added to it), and notes
/// on lines a stream held twice; `live`: a session without its end is expected and left out.
pub fn logs(
    streams: &[Stream],
    live: bool,
    said: &mut Vec<Incomplete>,
) -> (Vec<LoadedLog>, Vec<String>, Vec<String>) {
    let joined = join::join(streams);
    let notes = joined
        .duplicates
        .iter()
        .map(|(stream, n)| {
            format!(
                "stream `{stream}` holds {} twice; kept once",
                crate::human::count(*n, "line", "lines")
            )
        })
        .collect();
    let mut problems = Vec::new();
    for problem in joined.incomplete {
        if (live && problem.why == Why::Unfinished) || said.contains(&problem) {
            continue;
        }
        problems.push(problem.to_string());
        said.push(problem);
    }
    let logs = joined
        .logs
        .into_iter()
        .map(|l| LoadedLog {
            path: l.label,
            log: l.log,
        })
        .collect();
    (logs, problems, notes)
}

/// Reads, joins and merges the shared incident, as [`super::export::load`] does local logs. The
/// incomplete sessions lead the timeline's warnings: on stderr, and in every format's banner.
pub fn load(shared: &SharedIncident, err: &mut dyn Write) -> Result<Timeline, Error> {
    let runtime = runtime()?;
    let client = runtime.block_on(crate::share::client::connect(&shared.settings));
    let streams: Vec<Stream> = read_all(&runtime, &client, shared)?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let (logs, problems, notes) = logs(&streams, false, &mut Vec::new());
    let mut timeline = export::build(logs).map_err(|e| Error::Refused(e.to_string()))?;
    timeline.warnings.splice(0..0, problems);
    timeline.merge_notes.extend(notes);
    for w in &timeline.warnings {
        writeln!(err, "warning: {w}")?;
    }
    for n in &timeline.merge_notes {
        writeln!(err, "note: {n}")?;
    }
    Ok(timeline)
}
