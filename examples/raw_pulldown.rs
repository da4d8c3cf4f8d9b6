//! Baseline for `benches/throughput.rs`: the least work a checker of Markdown runbooks must do.
//!
//! Walks each directory given recursively, reads every `*.md` file and iterates all of its
//! pulldown-cmark events (with the options `runbook` uses), on one thread. Prints the number of
//! files, bytes and events to standard error.
//!
//! `cargo run --release --example raw_pulldown -- DIR...`

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{Options, Parser};

fn main() -> ExitCode {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        eprintln!("usage: raw_pulldown DIR...");
        return ExitCode::from(2);
    }
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let (mut files, mut bytes, mut events) = (0usize, 0usize, 0usize);
    for dir in &dirs {
        let mut found = Vec::new();
        if let Err(e) = walk(dir, &mut found) {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
        for path in found {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::from(2);
                }
            };
            for item in Parser::new_ext(&text, options).into_offset_iter() {
                black_box(&item);
                events += 1;
            }
            files += 1;
            bytes += text.len();
        }
    }
    eprintln!("{files} files, {bytes} bytes, {events} events");
    ExitCode::SUCCESS
}

/// Markdown files under `dir`, recursively, in name order.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}
