//! The read-only commands: `show`, `list`, `check`, and the generated completions and man page.

pub mod check;
pub mod generate;
pub mod list;
pub mod show;

use std::path::{Path, PathBuf};

use crate::markdown::{self, Parsed};
use crate::source::{LoadError, Source};

/// Loads and parses one runbook.
pub fn parse_file(path: &Path) -> Result<Parsed, LoadError> {
    let source = Source::load(path)?;
    Ok(markdown::parse(&source.path, &source.text))
}

/// `f` over `items` on every core, results in input order; parsing is CPU-bound and files are independent.
pub fn parallel_map<T: Send>(items: &[PathBuf], f: impl Fn(&Path) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(|p| f(p)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(|p| f(p)).collect::<Vec<T>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
