//! The commands on top of everything else: one module per subcommand (`show`, `list`, `check`,
//! `run`, `resume`, `lookup`, `verify`, `export`, `timeline`, `compare`, completions and man page),
//! and [`main`], which validates the arguments, dispatches, and renders any error once.

pub mod check;
pub mod compare;
pub mod export;
pub mod generate;
pub mod list;
pub mod lookup;
pub mod resume;
pub mod run;
pub mod shared;
pub mod show;
pub mod timeline;
pub mod verify;
pub mod verify_head;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::Cli;
use crate::config::Config;
use crate::error::Error;
use crate::markdown::{self, Parsed};
use crate::runbook::{Diagnostic, DiagnosticCode, Runbook, Severity, Span};
use crate::source::{LoadError, Source};

/// Loads and parses one runbook.
pub fn parse_file(path: &Path) -> Result<Parsed, LoadError> {
    let source = Source::load(path)?;
    Ok(markdown::parse(&source.path, &source.text))
}

/// Reads a runbook for `list` and `check`, where an empty file is a runbook with no steps (a
/// warning), not an unreadable path: placeholder files are common in a tree of runbooks.
pub fn load_or_empty(path: &Path) -> Result<Source, LoadError> {
    match Source::load(path) {
        Err(LoadError::Empty { path }) => Ok(Source {
            path,
            text: String::new(),
        }),
        other => other,
    }
}

/// [`parse_file`] without the SHA-256 (`runbook.sha256` is empty), for commands that never use it.
pub fn parse_file_unhashed(path: &Path) -> Result<Parsed, LoadError> {
    let source = Source::load(path)?;
    Ok(markdown::parse_unhashed(&source.path, &source.text))
}

/// A runbook fit to show or walk: its warnings are printed to `err`; errors or no steps refuse it.
pub fn load_usable(path: &Path, err: &mut dyn Write) -> Result<Runbook, Error> {
    let parsed = parse_file(path)?;
    let runbook = parsed.runbook;
    let mut errors = 0;
    for d in &parsed.diagnostics {
        // Information is for `check`; a walk or a listing is not the place.
        if d.code == DiagnosticCode::NoSteps || d.severity == Severity::Info {
            continue;
        }
        errors += usize::from(d.severity == Severity::Error);
        writeln!(err, "{}", d.render(&runbook.path))?;
    }
    if errors > 0 {
        return Err(Error::Invalid {
            path: runbook.path,
            count: errors,
        });
    }
    if runbook.steps.is_empty() {
        let diagnostic = Diagnostic::error(
            DiagnosticCode::NoSteps,
            Span::FILE,
            "no steps: no heading is followed by text, a list or a code block",
        );
        return Err(Error::Unusable {
            path: runbook.path,
            message: diagnostic.message.clone(),
            diagnostic: Box::new(diagnostic),
        });
    }
    Ok(runbook)
}

/// `f` over `items` on every core, results in input order; parsing is CPU-bound and files are independent.
///
/// Each thread takes the next item as it finishes one, so a run of large files on one thread
/// does not leave the others idle; the calling thread works too, rather than wait.
pub fn parallel_map<T: Send>(items: &[PathBuf], f: impl Fn(&Path) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(|p| f(p)).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let parts: Vec<Vec<(usize, T)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        parts.extend(handles.into_iter().map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }));
        parts
    });
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, result) in parts.into_iter().flatten() {
        slots[i] = Some(result);
    }
    // Every index below `items.len()` was taken by exactly one thread.
    slots.into_iter().flatten().collect()
}

/// Validates the arguments, runs one command and turns its outcome into an exit code, rendering any error once.
pub fn main(cli: Cli) -> ExitCode {
    // Neither stream is locked for the whole command: indicatif's ticker threads and the prompter
    // write to stderr while a command runs, and a lock held here deadlocked them against the
    // spinners' own lock (the lookup hang of issue 10). `Stdout`/`Stderr` lock per write.
    let mut out = io::BufWriter::new(io::stdout());
    let mut err = io::stderr();
    let result = Config::from_cli(cli)
        .and_then(|config| dispatch(config, &mut out, &mut err))
        .and_then(|code| {
            match out.flush() {
                // A walk a signal ended (128 + n): after SIGHUP the terminal is gone, and the
                // exit status must still name the signal.
                Err(_) if code > 128 => {}
                flushed => flushed?,
            }
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
        Config::Show { file, json } => show::run(&file, json, out, err).map(|()| 0),
        Config::List { paths, json } => list::run(&paths, json, out, err),
        Config::Check {
            paths,
            format,
            strict,
        } => check::run(&paths, format, strict, out, err),
        Config::Run(config) => run::run(&config, out),
        Config::Resume(config) => resume::run(&config, out),
        Config::Lookup(config) => lookup::run(&config, out),
        Config::Verify {
            log,
            head: None,
            allowed_signers: None,
        } => verify::run(&log, out, err),
        Config::Verify {
            log,
            head,
            allowed_signers,
        } => verify_head::run(&log, head, allowed_signers.as_deref(), out, err),
        Config::Export(config) => export::run(&config, out, err),
        Config::Timeline { source, follow } => timeline::run(&source, follow, out, err),
        Config::Compare { log, with } => compare::run(&log, &with, out, err),
        Config::Completions { shell } => generate::completions(shell, out).map(|()| 0),
        Config::Man { dir } => generate::man(dir.as_deref(), out, err).map(|()| 0),
    }
}
