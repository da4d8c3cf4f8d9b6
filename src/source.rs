//! Loading runbook files: size limits, text checks, and finding Markdown files under directories.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::human::io_reason;

/// Runbooks larger than this are refused; reading stops one byte past it, so memory stays bounded.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// A runbook file's text, as read.
#[derive(Debug)]
pub struct Source {
    /// The path as the user gave it (or as found under a directory they gave).
    pub path: String,
    pub text: String,
}

/// Why a file could not be read as a runbook.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {reason}")]
    Io { path: String, reason: String },
    /// The file does not exist: the closest name in its directory is suggested.
    #[error("cannot read `{path}`: no such file or directory{}", did_you_mean(suggestion.as_deref()))]
    Missing {
        path: String,
        suggestion: Option<String>,
    },
    #[error("`{path}` is larger than 32 MiB; a runbook this large is refused")]
    TooLarge { path: String },
    #[error("not a text file: it holds a NUL byte")]
    Binary {
        path: String,
        line: usize,
        column: usize,
    },
    #[error("invalid UTF-8: byte `0x{byte:02x}` does not start a character")]
    InvalidUtf8 {
        path: String,
        line: usize,
        column: usize,
        byte: u8,
    },
    #[error("file is empty")]
    Empty { path: String },
    #[error("no Markdown files (`*.md`) in `{path}`")]
    NoMarkdown { path: String },
    /// A FIFO, socket or device: refused before it is opened, since reading one can block forever.
    #[error("cannot read `{path}`: is {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
}

impl LoadError {
    /// `path:line:col` where the problem sits, for errors that have one.
    pub fn location(&self) -> Option<String> {
        match self {
            LoadError::Binary { path, line, column }
            | LoadError::InvalidUtf8 {
                path, line, column, ..
            } => Some(format!("{path}:{line}:{column}")),
            LoadError::Empty { path } => Some(format!("{path}:1:1")),
            _ => None,
        }
    }
}

impl Source {
    /// Reads a runbook, refusing what is not UTF-8 text of a sane size.
    pub fn load(path: &Path) -> Result<Source, LoadError> {
        let shown = path.display().to_string();
        let io = |e: std::io::Error| LoadError::Io {
            path: shown.clone(),
            reason: io_reason(&e),
        };
        // `stat` before `open`: opening a FIFO for reading blocks until a writer comes.
        let meta = std::fs::metadata(path).map_err(|e| missing_or(path, e, io))?;
        if meta.is_dir() {
            return Err(LoadError::Io {
                path: shown,
                reason: "is a directory; give a Markdown file".into(),
            });
        }
        if let Some(kind) = special_kind(&meta) {
            return Err(LoadError::NotRegular { path: shown, kind });
        }
        // The `stat` above serves `open_checked` too: two fewer system calls a file, which counts
        // over the thousands `check` reads.
        let (file, meta) = open_checked(path, &meta).map_err(|e| missing_or(path, e, io))?;
        // `take` hides the file's size from `read_to_end`, which would then grow the buffer step
        // by step: size it from the metadata (one byte over, so the end is seen without a grow).
        // Only a hint: a file that changes size meanwhile is still read whole, up to the limit.
        let hint = meta.len().min(MAX_BYTES) as usize + 1;
        let mut bytes = Vec::with_capacity(hint);
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(LoadError::TooLarge { path: shown });
        }
        Source::from_bytes(shown, bytes)
    }

    /// Checks bytes read from `path` and keeps them as text.
    pub fn from_bytes(path: String, bytes: Vec<u8>) -> Result<Source, LoadError> {
        if bytes.is_empty() {
            return Err(LoadError::Empty { path });
        }
        if let Some(nul) = memchr::memchr(0, &bytes) {
            let (line, column) = line_col(&bytes, nul);
            return Err(LoadError::Binary { path, line, column });
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { path, text }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let (line, column) = line_col(&bytes, at);
                Err(LoadError::InvalidUtf8 {
                    path,
                    line,
                    column,
                    byte: bytes[at],
                })
            }
        }
    }
}

/// What a FIFO, socket or device is, in words; `None` for regular files and directories.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        None
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else {
        Some("a special file")
    }
}

/// `path` opened for reading, refused unless it is a regular file or a directory (`InvalidInput`,
/// its message saying what it is). Checked with `stat` first, then opened non-blocking and
/// checked again, so a FIFO swapped in between still cannot block.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    open_checked(path, &std::fs::metadata(path)?).map(|(file, _)| file)
}

/// [`open_regular`] given `path`'s metadata from a `stat` just made; also returns the opened
/// file's metadata.
fn open_checked(
    path: &Path,
    before: &std::fs::Metadata,
) -> std::io::Result<(File, std::fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    let refuse = |kind: &str| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {kind}, not a regular file"),
        )
    };
    if let Some(kind) = special_kind(before) {
        return Err(refuse(kind));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if let Some(kind) = special_kind(&meta) {
        return Err(refuse(kind));
    }
    Ok((file, meta))
}

/// [`LoadError::Missing`] with a did-you-mean when `e` says `path` does not exist, else `other(e)`.
fn missing_or(
    path: &Path,
    e: std::io::Error,
    other: impl FnOnce(std::io::Error) -> LoadError,
) -> LoadError {
    if e.kind() != std::io::ErrorKind::NotFound {
        return other(e);
    }
    LoadError::Missing {
        path: path.display().to_string(),
        suggestion: closest_sibling(path).map(|p| p.display().to_string()),
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// The Markdown file or directory beside `path` whose name is closest to its name, spelled the
/// way the user spelled the directory: what a mistyped name most likely meant.
pub fn closest_sibling(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = parent.unwrap_or(Path::new("."));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let p = e.path();
            p.is_dir() || p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md"))
        })
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    // Compared without `.md`, so `redis` finds `redis-cache-degraded.md` by its prefix.
    let stem = |n: &str| -> String {
        let lower = n.to_ascii_lowercase();
        lower
            .strip_suffix(".md")
            .map_or(lower.clone(), str::to_string)
    };
    let stems: Vec<String> = names.iter().map(|n| stem(n)).collect();
    let best = crate::suggest::closest(&stem(name), stems.iter().map(String::as_str))?;
    let best = &names[stems.iter().position(|s| s == best)?];
    Some(parent.map_or_else(|| PathBuf::from(best), |p| p.join(best)))
}

/// 1-based line and character column of byte `at`, counting only the valid text before it.
fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The Markdown files named by `paths`: files as given, directories searched recursively in name order.
pub fn markdown_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            missing_or(path, e, |e| LoadError::Io {
                path: path.display().to_string(),
                reason: io_reason(&e),
            })
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, &mut out).map_err(|e| LoadError::Io {
                path: path.display().to_string(),
                reason: io_reason(&e),
            })?;
            // `.` lists `demo.md`, not `./demo.md`.
            if path == Path::new(".") {
                for found in &mut out[before..] {
                    if let Ok(rest) = found.strip_prefix(".") {
                        *found = rest.to_path_buf();
                    }
                }
            }
            if out.len() == before {
                return Err(LoadError::NoMarkdown {
                    path: path.display().to_string(),
                });
            }
        } else if let Some(kind) = special_kind(&meta) {
            return Err(LoadError::NotRegular {
                path: path.display().to_string(),
                kind,
            });
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            // A FIFO or socket named `*.md` is kept, so that `Source::load` refuses it on its
            // own line (without opening it) and the other files are still read.
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = Source::from_bytes("x.md".into(), b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!(err.location().unwrap(), "x.md:2:3");
        assert_eq!(
            err.to_string(),
            "invalid UTF-8: byte `0xff` does not start a character"
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = Source::from_bytes("x.md".into(), b"\x7fELF\x00".to_vec()).unwrap_err();
        assert!(matches!(
            err,
            LoadError::Binary {
                line: 1,
                column: 5,
                ..
            }
        ));
    }

    #[test]
    fn empty_is_refused() {
        assert!(matches!(
            Source::from_bytes("x.md".into(), vec![]),
            Err(LoadError::Empty { .. })
        ));
    }
}
