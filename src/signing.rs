//! Signing a log's head with the operator's SSH key, and checking it, through `ssh-keygen -Y`:
//! the SSHSIG format `git` uses with `gpg.format=ssh`, so a reviewer needs nothing but OpenSSH.
//!
//! `ssh-keygen` does the cryptography: it reads every key type, asks for a passphrase on the
//! terminal and uses a key held by `ssh-agent` (given its `.pub`), as `git` relies on.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::human::io_reason;
use crate::incident_log::HeadStatement;

/// The signature namespace: a signature made for a log head is not valid for anything else.
pub const NAMESPACE: &str = "runbook-log";

/// Why a head could not be signed or its signature checked.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(
        "`ssh-keygen` is not installed (it comes with OpenSSH, package `openssh-client`): log heads cannot be signed or checked"
    )]
    NoSshKeygen,
    #[error("cannot read the signing key `{}`: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
    #[error(
        "no signing key: give --signing-key FILE or set RUNBOOK_SIGNING_KEY (looked for {looked})"
    )]
    NoKey { looked: String },
    #[error("ssh-keygen could not sign with `{}`: {message}", key.display())]
    Sign { key: PathBuf, message: String },
    #[error("cannot write `{}`: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
    #[error("cannot read `{}`: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("`{}` is missing: the log's head was not signed (walk with --sign)", path.display())]
    Unsigned { path: PathBuf },
    #[error("`{}` is not a head statement written by runbook", path.display())]
    NotStatement { path: PathBuf },
    #[error("the signature `{}` is not by a key in `{}`: signer not allowed", sig.display(), allowed.display())]
    NotAllowed { sig: PathBuf, allowed: PathBuf },
    #[error("the signature `{}` is bad: {message}", sig.display())]
    Bad { sig: PathBuf, message: String },
}

/// `LOG.head` and `LOG.head.sig`, beside the log.
pub fn head_files(log: &Path) -> (PathBuf, PathBuf) {
    let mut head = log.as_os_str().to_owned();
    head.push(".head");
    let mut sig = head.clone();
    sig.push(".sig");
    (PathBuf::from(head), PathBuf::from(sig))
}

/// The key `--sign` uses when none is named: the operator's usual SSH key, first found of
/// `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`.
pub fn default_key() -> Result<PathBuf, SignError> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let names = ["id_ed25519", "id_ecdsa", "id_rsa"];
    let candidates: Vec<PathBuf> = names
        .iter()
        .filter_map(|n| home.as_ref().map(|h| h.join(".ssh").join(n)))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| SignError::NoKey {
            looked: names
                .iter()
                .map(|n| format!("`~/.ssh/{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Checked before a walk that will sign, so a missing or unusable key, or no ssh-keygen, is said
/// before anything runs.
pub fn check_ready(key: &Path) -> Result<(), SignError> {
    fs::File::open(key).map_err(|e| SignError::Key {
        path: key.to_path_buf(),
        reason: io_reason(&e),
    })?;
    // Its fingerprint: a file that is no key at all is found now, without asking a passphrase.
    let output = Command::new("ssh-keygen")
        .arg("-l")
        .arg("-f")
        .arg(key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match output {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(SignError::NoSshKeygen),
        Err(e) => Err(SignError::Key {
            path: key.to_path_buf(),
            reason: io_reason(&e),
        }),
        Ok(o) if !o.status.success() => Err(SignError::Key {
            path: key.to_path_buf(),
            reason: format!("not an SSH key (ssh-keygen: {})", said(&o.stderr)),
        }),
        Ok(_) => Ok(()),
    }
}

/// Writes `LOG.head` and its signature `LOG.head.sig`, each replaced whole (written aside, then
/// renamed); returns the signature's path.
pub fn sign(key: &Path, log: &Path, statement: &HeadStatement) -> Result<PathBuf, SignError> {
    let (head, sig) = head_files(log);
    let mut tmp = head.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut tmp_sig = tmp.as_os_str().to_owned();
    tmp_sig.push(".sig");
    let tmp_sig = PathBuf::from(tmp_sig);
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |e: io::Error| SignError::Write {
            reason: io_reason(&e),
            path,
        }
    };
    // ssh-keygen asks before overwriting: a leftover of an interrupted signing goes first.
    let _ = fs::remove_file(&tmp_sig);
    let _ = fs::remove_file(&tmp);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(statement.render().as_bytes())?;
            f.sync_data()
        })
        .map_err(write_err(&tmp))?;
    let output = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .arg(&tmp)
        // The terminal stays the operator's, for a passphrase prompt.
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(if e.kind() == io::ErrorKind::NotFound {
                SignError::NoSshKeygen
            } else {
                SignError::Sign {
                    key: key.to_path_buf(),
                    message: io_reason(&e),
                }
            });
        }
    };
    if !output.status.success() || !tmp_sig.is_file() {
        let _ = fs::remove_file(&tmp);
        let _ = fs::remove_file(&tmp_sig);
        return Err(SignError::Sign {
            key: key.to_path_buf(),
            message: said(&output.stderr),
        });
    }
    fs::rename(&tmp_sig, &sig).map_err(write_err(&sig))?;
    fs::rename(&tmp, &head).map_err(write_err(&head))?;
    Ok(sig)
}

/// Checks `LOG.head.sig` over `LOG.head` against an `allowed_signers` file (ssh-keygen's
/// format, as git's `gpg.ssh.allowedSignersFile`); returns the signer and the statement.
pub fn verify(allowed: &Path, log: &Path) -> Result<(String, HeadStatement), SignError> {
    let (head, sig) = head_files(log);
    let read = |path: &Path| {
        fs::read(path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound && path != allowed {
                SignError::Unsigned {
                    path: path.to_path_buf(),
                }
            } else {
                SignError::Read {
                    path: path.to_path_buf(),
                    reason: io_reason(&e),
                }
            }
        })
    };
    read(allowed)?;
    let text = read(&head)?;
    read(&sig)?;
    let run = |command: &mut Command| match command.output() {
        Ok(o) => Ok(o),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(SignError::NoSshKeygen),
        Err(e) => Err(SignError::Bad {
            sig: sig.clone(),
            message: io_reason(&e),
        }),
    };
    let found = run(Command::new("ssh-keygen")
        .args(["-Y", "find-principals", "-s"])
        .arg(&sig)
        .arg("-f")
        .arg(allowed)
        .stdin(Stdio::null()))?;
    let principal = String::from_utf8_lossy(&found.stdout)
        .lines()
        .next()
        .map(str::to_string);
    let principal = match principal {
        Some(p) if found.status.success() && !p.is_empty() => p,
        _ => {
            let message = said(&found.stderr);
            return Err(if message.contains("no principal matched") {
                SignError::NotAllowed {
                    sig,
                    allowed: allowed.to_path_buf(),
                }
            } else {
                SignError::Bad { sig, message }
            });
        }
    };
    let checked = run(Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", NAMESPACE, "-f"])
        .arg(allowed)
        .arg("-I")
        .arg(&principal)
        .arg("-s")
        .arg(&sig)
        .stdin(fs::File::open(&head).map_err(|e| SignError::Read {
            path: head.clone(),
            reason: io_reason(&e),
        })?))?;
    if !checked.status.success() {
        return Err(SignError::Bad {
            sig,
            message: said(&checked.stderr),
        });
    }
    let statement = std::str::from_utf8(&text)
        .ok()
        .and_then(HeadStatement::parse)
        .ok_or(SignError::NotStatement { path: head })?;
    Ok((principal, statement))
}

/// What ssh-keygen said on stderr, on one line, lowercase first, without its banners.
fn said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('@')
                && !l.starts_with("Signing file")
                && !l.starts_with("Write signature")
        })
        .collect();
    let joined = lines.join("; ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "it failed without saying why".into(),
    }
}
