//! Whether the log file a walk writes is still the file at its path: deleted or replaced
//! (renamed over, another file put there) during a walk, the walk must stop rather than record
//! into a file nobody will find.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::human::io_reason;

/// The log the walk in this process writes: its path and the file's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Watched {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

/// Set once the log has its name (published, or opened to resume); read by the prompter while
/// it waits for a key, so a lost log is said at the prompt, not only at the next event.
static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);

/// Why the file open as `file` is no longer the log at `path`; `None` while it is.
pub fn check(path: &Path, file: &File) -> Option<String> {
    let ours = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Some(io_reason(&e)),
    };
    match compare(path, ours.dev(), ours.ino()) {
        None if ours.nlink() == 0 => Some(DELETED.into()),
        other => other,
    }
}

fn compare(path: &Path, dev: u64, ino: u64) -> Option<String> {
    match fs::metadata(path) {
        Ok(m) if (m.dev(), m.ino()) == (dev, ino) => None,
        Ok(_) => Some(REPLACED.into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some(DELETED.into()),
        Err(e) => Some(io_reason(&e)),
    }
}

const DELETED: &str =
    "it was deleted (or moved) during the walk; the walk stops here and runs nothing more";
const REPLACED: &str = "it was replaced during the walk (another file is at its path); the walk stops here and runs nothing more";

/// From now on the file open as `file` is the log at `path` (see [`lost`]).
pub fn watch(path: &Path, file: &File) {
    let Ok(m) = file.metadata() else { return };
    if let Ok(mut w) = WATCHED.lock() {
        *w = Some(Watched {
            path: path.to_path_buf(),
            dev: m.dev(),
            ino: m.ino(),
        });
    }
}

/// The log stopped being watched (closed).
pub fn unwatch(path: &Path) {
    if let Ok(mut w) = WATCHED.lock()
        && w.as_ref().is_some_and(|w| w.path == path)
    {
        *w = None;
    }
}

/// Whether this process's log is gone from its path: `Some((path, reason))` once it was deleted
/// or replaced. One `stat`; `None` when no log is watched.
pub fn lost() -> Option<(String, String)> {
    let watched = WATCHED.lock().ok()?.clone()?;
    compare(&watched.path, watched.dev, watched.ino)
        .map(|reason| (watched.path.display().to_string(), reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_or_replaced_file_is_told_apart_from_the_one_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        fs::write(&path, "x").unwrap();
        let file = File::open(&path).unwrap();
        assert_eq!(check(&path, &file), None);
        let other = dir.path().join("b.jsonl");
        fs::write(&other, "y").unwrap();
        fs::rename(&other, &path).unwrap();
        assert_eq!(check(&path, &file).as_deref(), Some(REPLACED));
        fs::remove_file(&path).unwrap();
        assert_eq!(check(&path, &file).as_deref(), Some(DELETED));
    }
}
