//! Shell state a command leaves behind: its directory and the variables it set (exported or
//! not), read after it ends so that the next command starts where an operator's shell would be.
//!
//! The command's text is never rewritten: bash runs a fixed wrapper ([`WRAPPER`]) that takes the
//! text as an argument, `eval`s it, and on the way out (normal end, `exit`, `set -e`) writes
//! `pwd -P`, every exported variable and the new shell variables to a private, unlinked file the runner created and
//! handed it as a descriptor. Builtins only, so the capture forks nothing. Only a command whose
//! text may change that state runs under the wrapper (see `stateful`).

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::walk::ports::ShellAfter;

/// The descriptor on which the child finds its state file (open, already unlinked).
pub const STATE_FD: i32 = 63;

/// The script bash runs: `$1` is the command (or the `runner` line); fd [`STATE_FD`] is the
/// state file.
///
/// The save runs after the command (its status kept as the script's) and again from the EXIT
/// trap for a command that calls `exit` or stops under `set -e`; the first one wins. A command
/// that installs its own EXIT trap and then exits keeps its trap, and its state is not captured.
/// The calls are grouped with stderr to `/dev/null` so that `set -x` in the command does not
/// trace the save (it would print every exported value, secrets included).
///
/// The command runs with fd 63 closed (`63>&-`): the programs it starts, a daemon left in the
/// background included, never hold the state file. Bash keeps its own copy close-on-exec and
/// puts 63 back after the command, and before the EXIT trap of a command that exits.
///
/// Shell variables the command set without exporting them (`DIR=/srv/app`, a `for` loop's
/// name) are carried too, written after the exported ones as `+NAME=value`: an operator typing
/// the runbook into one shell would have them in the next command. Scalars only (not arrays or
/// namerefs), and not the variables bash keeps for itself (the list is those of `env -i bash -c
/// 'compgen -v'` in bash 5.2, and what bash sets later: `COLUMNS`, `LINES`, `REPLY`...): a fresh
/// `bash -c` has no other shell variable, so no list of the names before the command is needed.
///
/// Builtins only, and few system calls: `/dev/fd/63` reopens the unlinked file (from offset 0,
/// truncated), so the names go through it and the state is one `printf` of every pair.
pub const WRAPPER: &str = r#"__runbook_code=$1 __runbook_saved=
shift
__runbook_save() {
  builtin set +aeu
  if [ -z "$__runbook_saved" ]; then
    __runbook_saved=1
    local __runbook_names __runbook_n __runbook_a __runbook_pairs=() __runbook_plain=()
    if builtin compgen -v >|/dev/fd/63 && builtin mapfile -t __runbook_names </dev/fd/63; then
      for __runbook_n in "${__runbook_names[@]}"; do
        __runbook_a=${!__runbook_n@a}
        if [[ $__runbook_a == *x* ]]; then
          __runbook_pairs+=("$__runbook_n" "${!__runbook_n}")
          continue
        fi
        case $__runbook_n in
          __runbook_* | BASH* | COLUMNS | LINES | COMP_WORDBREAKS | DIRSTACK | EPOCHREALTIME | \
            EPOCHSECONDS | EUID | FUNCNAME | GROUPS | HISTCMD | HOSTNAME | HOSTTYPE | IFS | \
            LINENO | MACHTYPE | MAPFILE | OPTARG | OPTERR | OPTIND | OSTYPE | PATH | \
            PIPESTATUS | PPID | PS4 | PWD | RANDOM | REPLY | SECONDS | SHELL | SHELLOPTS | \
            SHLVL | SRANDOM | TERM | UID | _) continue ;;
        esac
        [[ $__runbook_a != *[aA]* && ! -R $__runbook_n ]] || continue
        __runbook_plain+=("$__runbook_n" "${!__runbook_n}")
      done
      {
        builtin pwd -P
        builtin printf '\0'
        builtin printf '%s=%s\0' "${__runbook_pairs[@]}"
        (( ${#__runbook_plain[@]} == 0 )) || builtin printf '+%s=%s\0' "${__runbook_plain[@]}"
      } >|/dev/fd/63
    fi
  fi
  return "${1:-0}"
}
builtin trap '{ __runbook_save; } 2>/dev/null' EXIT
builtin eval "$__runbook_code" 63>&-
{ __runbook_save "$?"; } 2>/dev/null
"#;

/// Variables bash sets for itself: a change in them is not the command's doing. The wrapper's own variables (`set -a` in the command exports them) are not either.
fn ignored(name: &str) -> bool {
    matches!(name, "_" | "SHLVL" | "PWD" | "OLDPWD") || name.starts_with("__runbook_")
}

/// A private file (mode 0600) for one command's state, unlinked as soon as it is created: only
/// the open descriptors (this one and the child's [`STATE_FD`]) reach it, so a walk killed by
/// any signal leaves nothing behind.
pub struct StateFile {
    file: File,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl StateFile {
    /// Creates an empty, already unlinked file in the temporary directory.
    pub fn create() -> io::Result<StateFile> {
        let dir = std::env::temp_dir();
        let pid = std::process::id();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!("runbook-shell-{pid}-{n}"));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(file) => {
                    std::fs::remove_file(&path)?;
                    return Ok(StateFile { file });
                }
                // Left by a process that had this pid: take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The descriptor to hand the child as [`STATE_FD`].
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }

    /// What the command left, compared with the environment it started with and the directory
    /// it started in; `None` when nothing was written (killed, `exec`, its own EXIT trap).
    pub fn read(
        &self,
        started_with: &[(Vec<u8>, Vec<u8>)],
        started_in: &Path,
    ) -> Option<ShellAfter> {
        let mut bytes = Vec::new();
        // The child wrote through its own opens of the file: this descriptor's offset is 0.
        (&self.file).seek(SeekFrom::Start(0)).ok()?;
        (&self.file).read_to_end(&mut bytes).ok()?;
        parse(&bytes, started_with, started_in)
    }
}

/// Reads `pwd -P` `\n\0` then `NAME=value\0`... (`+NAME=value\0` for a shell variable not
/// exported) and keeps what differs from the start.
fn parse(
    bytes: &[u8],
    started_with: &[(Vec<u8>, Vec<u8>)],
    started_in: &Path,
) -> Option<ShellAfter> {
    let mut fields = bytes.split(|b| *b == 0);
    let dir = fields.next()?.strip_suffix(b"\n")?;
    if dir.is_empty() || !bytes.ends_with(b"\0") {
        return None; // cut short: trust none of it.
    }
    let dir = PathBuf::from(OsStr::from_bytes(dir));
    let started_in = std::fs::canonicalize(started_in).unwrap_or_else(|_| started_in.into());
    let before: HashMap<&[u8], &[u8]> = started_with
        .iter()
        .map(|(n, v)| (n.as_slice(), v.as_slice()))
        .collect();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut changed = Vec::new();
    for entry in fields.filter(|f| !f.is_empty()) {
        // `+NAME=value`: a shell variable the command set without exporting it.
        let entry = entry.strip_prefix(b"+").unwrap_or(entry);
        let Some(eq) = entry.iter().position(|b| *b == b'=') else {
            continue;
        };
        let (name, value) = (&entry[..eq], &entry[eq + 1..]);
        if name.is_empty() {
            continue;
        }
        seen.insert(name);
        let name_text = String::from_utf8_lossy(name);
        if ignored(&name_text) || before.get(name) == Some(&value) {
            continue;
        }
        changed.push((
            name_text.into_owned(),
            Some(String::from_utf8_lossy(value).into_owned()),
        ));
    }
    for (name, _) in started_with {
        let name_text = String::from_utf8_lossy(name);
        if !seen.contains(name.as_slice()) && !ignored(&name_text) {
            changed.push((name_text.into_owned(), None));
        }
    }
    changed.sort();
    Some(ShellAfter {
        cwd: (dir != started_in).then_some(dir),
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn shell_variables_not_exported_are_read_as_set() {
        let before = env(&[("CARRIED", "1"), ("PATH", "/bin")]);
        // `export -n CARRIED` leaves it a shell variable: still set, same value, no change.
        let after = b"/\n\0PATH=/bin\0+DIR=/srv/app\0+CARRIED=1\0+=x\0";
        let got = parse(after, &before, Path::new("/")).unwrap();
        assert_eq!(
            got.changed,
            [("DIR".to_string(), Some("/srv/app".to_string()))]
        );
    }

    #[test]
    fn changes_new_and_unset_variables_and_a_new_directory() {
        let before = env(&[
            ("KEEP", "1"),
            ("CHANGE", "a"),
            ("GONE", "x"),
            ("SHLVL", "1"),
        ]);
        let after = b"/elsewhere\n\0KEEP=1\0CHANGE=b\0NEW=line1\nline2\0SHLVL=2\0_=/bin/x\0";
        let got = parse(after, &before, Path::new("/")).unwrap();
        assert_eq!(got.cwd, Some(PathBuf::from("/elsewhere")));
        assert_eq!(
            got.changed,
            [
                ("CHANGE".to_string(), Some("b".to_string())),
                ("GONE".to_string(), None),
                ("NEW".to_string(), Some("line1\nline2".to_string())),
            ]
        );
    }

    #[test]
    fn same_directory_is_no_change_and_a_cut_file_is_nothing() {
        let got = parse(b"/\n\0A=1\0", &env(&[("A", "1")]), Path::new("/")).unwrap();
        assert_eq!(got, ShellAfter::default());
        assert_eq!(parse(b"", &[], Path::new("/")), None);
        assert_eq!(parse(b"/x\n\0A=", &[], Path::new("/")), None);
    }
}
