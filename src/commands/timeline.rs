//! `runbook timeline LOG... | --incident ID [--follow]`: the merged timeline in the terminal,
//! coloured when standard output is a terminal and `NO_COLOR` is unset; with `--follow`, new
//! events as walks write them to their logs or responders ship them.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::config::{LogSource, SharedIncident};
use crate::error::Error;
use crate::export::report::event_rows;
use crate::share::join::Incomplete;
use crate::share::reader::{Incident, Stream};
use crate::terminal::Paint;

/// How often a followed incident is asked for new streams and events: an event shipped by any
/// responder is shown within this and one round of requests.
const FOLLOW_EVERY: Duration = Duration::from_millis(700);

/// How soon a signal is noticed while a request is out.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Exit 0 with the timeline on `out`; errors as for `export`. Following ends with 0 on SIGTERM
/// (or SIGHUP, SIGQUIT): a viewer stopped is a viewer done; 130 on Ctrl-C, as shells expect.
pub fn run(
    source: &LogSource,
    follow: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    let paint = Paint {
        enabled: std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    match (follow, source) {
        (true, LogSource::Shared(shared)) => return follow_shared(shared, paint, out, err),
        (true, LogSource::Files(paths)) => return follow_files(paths, paint, out, err),
        (false, _) => {}
    }
    let timeline = super::export::load_source(source, err)?;
    out.write_all(crate::export::terminal::render(&timeline, paint).as_bytes())?;
    Ok(0)
}

/// Why following stopped: the exit code, once a signal came.
fn stopped() -> Option<u8> {
    if crate::runner::take_interrupt() {
        return Some(130);
    }
    crate::runner::termination().map(|_| 0)
}

/// Runs `work` on `runtime`, giving up (`None`) as soon as a signal asks to stop.
fn until_stopped<T>(
    runtime: &tokio::runtime::Runtime,
    work: impl Future<Output = T>,
    stop: &mut Option<u8>,
) -> Option<T> {
    runtime.block_on(async {
        let mut work = std::pin::pin!(work);
        loop {
            if let Ok(done) = tokio::time::timeout(SIGNAL_CHECK, &mut work).await {
                return Some(done);
            }
            if let Some(code) = stopped() {
                *stop = Some(code);
                return None;
            }
        }
    })
}

/// Waits `d`, or less when a signal comes.
fn pause(d: Duration) -> Option<u8> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let until = Instant::now() + d;
    loop {
        if let Some(code) = stopped() {
            return Some(code);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let Some(wake) = crate::runner::wake_fd() else {
            std::thread::sleep(left.min(SIGNAL_CHECK));
            continue;
        };
        let timeout = Timespec::try_from(left).unwrap_or(Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        });
        let mut fds = [PollFd::from_borrowed_fd(wake, PollFlags::IN)];
        let _ = poll(&mut fds, Some(&timeout));
        if !fds[0].revents().is_empty() {
            crate::runner::drain_wake_pipe();
        }
    }
}

/// The streams read so far and what has been printed of them.
struct Followed {
    streams: Vec<(Stream, Option<String>)>,
    /// `(session, seq)` of every event printed.
    printed: HashSet<(String, u64)>,
    said: Vec<Incomplete>,
    /// The last request error said, so a network cut is said once, not every second.
    failing: Option<String>,
    /// Lines read when the timeline was last printed.
    shown: usize,
}

impl Followed {
    fn lines(&self) -> usize {
        self.streams.iter().map(|(s, _)| s.lines.len()).sum()
    }
}

fn follow_shared(
    shared: &SharedIncident,
    paint: Paint,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    // SIGINT, SIGTERM, SIGHUP and SIGQUIT become flags: the loop ends between two whole lines.
    crate::runner::install_interrupt_handler();
    let runtime = super::shared::runtime()?;
    let mut stop = None;
    let Some(client) = until_stopped(
        &runtime,
        crate::share::client::connect(&shared.settings),
        &mut stop,
    ) else {
        return Ok(stop.unwrap_or(0));
    };
    let incident = Incident {
        client: &client,
        group: &shared.settings.group,
        incident: &shared.incident,
        profile: shared.settings.profile.as_deref(),
    };
    // The first read fails as a plain `timeline --incident` would, but an incident nobody has
    // shipped to yet is waited for: the commander often opens the timeline first.
    let first = match until_stopped(&runtime, incident.read_all(), &mut stop) {
        None => return Ok(stop.unwrap_or(0)),
        Some(Err(crate::share::reader::ReadError::NoStreams { .. })) => {
            writeln!(
                err,
                "waiting for the first shared session of incident `{}`…",
                shared.incident
            )?;
            Vec::new()
        }
        Some(other) => other?,
    };
    let mut f = Followed {
        streams: first,
        printed: HashSet::new(),
        said: Vec::new(),
        failing: None,
        shown: 0,
    };
    f.shown = f.lines();
    if !f.streams.is_empty() {
        let streams: Vec<Stream> = f.streams.iter().map(|(s, _)| s.clone()).collect();
        let (logs, problems, _) = super::shared::logs(&streams, true, &mut f.said);
        for p in problems {
            writeln!(err, "warning: {p}")?;
        }
        if let Ok(timeline) = crate::export::build(logs) {
            out.write_all(crate::export::terminal::render(&timeline, paint).as_bytes())?;
            f.printed
                .extend(timeline.entries.iter().map(|e| (e.session.clone(), e.seq)));
        }
    }
    writeln!(
        err,
        "following incident `{}`: new events appear as they are shipped (Ctrl-C to stop)",
        shared.incident
    )?;
    out.flush()?;
    loop {
        if let Some(code) = pause(FOLLOW_EVERY) {
            out.flush()?;
            return Ok(code);
        }
        let polled = until_stopped(&runtime, poll(&incident, &mut f.streams), &mut stop);
        let Some(polled) = polled else {
            out.flush()?;
            return Ok(stop.unwrap_or(0));
        };
        match polled {
            Err(e) => {
                let message = e.to_string();
                if f.failing.as_ref() != Some(&message) {
                    writeln!(err, "warning: {message}; trying again")?;
                    f.failing = Some(message);
                }
            }
            Ok(()) => {
                if f.failing.take().is_some() {
                    writeln!(err, "note: CloudWatch Logs answers again")?;
                }
            }
        }
        // Also after a failed round: streams read before the failure have moved on.
        if f.lines() != f.shown {
            print_new(&mut f, paint, out, err)?;
        }
    }
}

/// How often followed log files are looked at (a `stat` each): a walk's event is shown within
/// this of being written.
const FILES_EVERY: Duration = Duration::from_millis(250);

/// Prints the logs' timeline, then every event written to them afterwards, in time order, until
/// a signal. A log is read again only when its size or time changed; a warning is said once.
fn follow_files(
    paths: &[std::path::PathBuf],
    paint: Paint,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    crate::runner::install_interrupt_handler();
    let mut said: Vec<u8> = Vec::new();
    let timeline = super::export::load(paths, &mut said)?;
    err.write_all(&said)?;
    out.write_all(crate::export::terminal::render(&timeline, paint).as_bytes())?;
    let mut printed: HashSet<(String, u64)> = timeline
        .entries
        .iter()
        .map(|e| (e.session.clone(), e.seq))
        .collect();
    let mut said: HashSet<String> = String::from_utf8_lossy(&said)
        .lines()
        .map(str::to_string)
        .collect();
    let stamp = |p: &std::path::PathBuf| {
        std::fs::metadata(p)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    };
    let mut seen: Vec<_> = paths.iter().map(stamp).collect();
    writeln!(
        err,
        "following {}: new events appear as they are written (Ctrl-C to stop)",
        crate::human::count(paths.len(), "log", "logs")
    )?;
    out.flush()?;
    loop {
        if let Some(code) = pause(FILES_EVERY) {
            out.flush()?;
            return Ok(code);
        }
        let now: Vec<_> = paths.iter().map(stamp).collect();
        if now == seen {
            continue;
        }
        let mut warnings: Vec<u8> = Vec::new();
        let timeline = match super::export::load(paths, &mut warnings) {
            Ok(t) => t,
            Err(e) => {
                // Gone or unreadable for a moment (a log being replaced): said once, and read
                // again at the next look, changed or not.
                let line = format!("warning: {e}; trying again");
                if said.insert(line.clone()) {
                    writeln!(err, "{line}")?;
                }
                continue;
            }
        };
        seen = now;
        for line in String::from_utf8_lossy(&warnings).lines() {
            if said.insert(line.to_string()) {
                writeln!(err, "{line}")?;
            }
        }
        print_unprinted(&timeline, &mut printed, paint, out)?;
    }
}

/// Prints the rows of `timeline`'s events not in `printed` (then adds them), in time order.
fn print_unprinted(
    timeline: &crate::export::Timeline,
    printed: &mut HashSet<(String, u64)>,
    paint: Paint,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (who_width, multi_session) = crate::export::terminal::columns(timeline);
    for (entry, row) in timeline.entries.iter().zip(event_rows(timeline)) {
        if printed.insert((entry.session.clone(), entry.seq)) {
            out.write_all(
                crate::export::terminal::row(&row, who_width, multi_session, paint).as_bytes(),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Asks for new streams and each stream's new events, appending them to `streams`.
async fn poll(
    incident: &Incident<'_>,
    streams: &mut Vec<(Stream, Option<String>)>,
) -> Result<(), crate::share::reader::ReadError> {
    for name in incident.stream_names().await? {
        if !streams.iter().any(|(s, _)| s.name == name) {
            let session = crate::share::names::session_of(&name, incident.incident)
                .unwrap_or_default()
                .to_string();
            streams.push((
                Stream {
                    name,
                    session,
                    lines: Vec::new(),
                },
                None,
            ));
        }
    }
    for (stream, token) in streams.iter_mut() {
        let (lines, next) = incident.read_on(&stream.name, token.clone()).await?;
        if continues(&stream.lines, &lines) {
            stream.lines.extend(lines);
            *token = next;
        } else {
            // A line that reached CloudWatch with an earlier timestamp than lines already read
            // sits before the token: read the stream again from its head.
            let (all, next) = incident.read_on(&stream.name, None).await?;
            stream.lines = all;
            *token = next;
        }
    }
    Ok(())
}

/// Whether `new` goes on where `old` stops (`seq` one more), as far as the lines say.
fn continues(old: &[String], new: &[String]) -> bool {
    fn seq(line: &str) -> Option<u64> {
        serde_json::from_str::<serde_json::Value>(line)
            .ok()?
            .get("seq")?
            .as_u64()
    }
    match (
        old.last().and_then(|l| seq(l)),
        new.first().and_then(|l| seq(l)),
    ) {
        (Some(last), Some(first)) => first == last + 1,
        _ => true,
    }
}

/// Merges everything read so far and prints the events not printed yet, in time order.
fn print_new(
    f: &mut Followed,
    paint: Paint,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    f.shown = f.lines();
    let streams: Vec<Stream> = f.streams.iter().map(|(s, _)| s.clone()).collect();
    let (logs, problems, _) = super::shared::logs(&streams, true, &mut f.said);
    for p in problems {
        writeln!(err, "warning: {p}")?;
    }
    let Ok(timeline) = crate::export::build(logs) else {
        return Ok(());
    };
    print_unprinted(&timeline, &mut f.printed, paint, out)
}
