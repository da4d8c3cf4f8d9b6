//! Writing the incident log: one whole line per event, written at once, made durable in groups.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use super::damaged::{DamagedLog, ResumeError};
use super::reader::{ExistingLog, MAX_LINE_BYTES, read_log};
use super::{EMPTY_HASH, HASH_MEMBER};
use crate::digest::sha256_hex;
use crate::event::{Clock, Event, EventLog, FORMAT_VERSION, LogError, Record};
use crate::human::io_reason;

/// How many `-2`, `-3`, ... suffixes to try when a log of the same second and runbook exists.
const MAX_NAME_TRIES: u32 = 1000;

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn local_offset(&self, at: DateTime<Utc>) -> chrono::FixedOffset {
        super::local_zone::offset_at(at)
    }
}

/// `ts` as written: `2026-11-22T03:04:05.678Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A random id for the process writing a log: 16 hex digits.
pub fn new_session_id() -> String {
    let mut bytes = [0u8; 8];
    let random = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // No /dev/urandom (a bare chroot): unique enough from the time, pid and a stack address.
        let seed = format!(
            "{:?} {} {:p}",
            std::time::SystemTime::now(),
            std::process::id(),
            &bytes
        );
        return sha256_hex(seed.as_bytes())[..16].to_string();
    }
    crate::digest::hex(&bytes)
}

/// The incident log file: appends hash-chained lines, each written at once and durable after the
/// next [`EventLog::commit`] (the first line, which names the file, at once).
///
/// Holds an exclusive `flock` on the file while open, so two walks cannot write the same log.
/// After a failed write it is poisoned: every later `append` fails.
pub struct IncidentLogFile {
    file: File,
    path: PathBuf,
    clock: Box<dyn Clock + Send>,
    session: String,
    /// `seq` of the last line written (0 before the first).
    seq: u64,
    /// Hex sha256 of the last line written, without its newline.
    prev: String,
    /// Bytes in the file after the last complete line.
    len: u64,
    /// Why an earlier write failed.
    poisoned: Option<String>,
    /// Lines written since the last `fdatasync`.
    unsynced: usize,
    /// Until the first line is written: the hidden file, and how to name the log.
    partial: Option<Partial>,
}

struct Partial {
    path: PathBuf,
    dir: PathBuf,
    stamp: String,
    slug: String,
}

/// The first `<stamp>-<slug>[-N].jsonl` not taken in `dir` (a guess; linking decides).
fn free_name(dir: &Path, stamp: &str, slug: &str) -> PathBuf {
    (1..=MAX_NAME_TRIES)
        .map(|n| dir.join(log_name(stamp, slug, n)))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(log_name(stamp, slug, 1)))
}

fn log_name(stamp: &str, slug: &str, n: u32) -> String {
    match n {
        1 => format!("{stamp}-{slug}.jsonl"),
        _ => format!("{stamp}-{slug}-{n}.jsonl"),
    }
}

impl Partial {
    /// Gives the hidden file, now holding a complete first line, its log name (never replacing
    /// another log), and makes the new name durable.
    fn publish(&self) -> Result<PathBuf, LogError> {
        for n in 1..=MAX_NAME_TRIES {
            let path = self.dir.join(log_name(&self.stamp, &self.slug, n));
            match fs::hard_link(&self.path, &path) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.path);
                    File::open(&self.dir)
                        .and_then(|d| d.sync_all())
                        .map_err(|e| log_error(&self.dir, io_reason(&e)))?;
                    return Ok(path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(log_error(&path, io_reason(&e))),
            }
        }
        Err(log_error(
            &self.dir.join(log_name(&self.stamp, &self.slug, 1)),
            format!("{MAX_NAME_TRIES} logs with this name already exist"),
        ))
    }
}

impl Drop for IncidentLogFile {
    fn drop(&mut self) {
        // A last commit for a walk that ended on an error path: best effort, nothing to report to.
        if self.unsynced > 0 && self.poisoned.is_none() {
            let _ = self.file.sync_data();
        }
        super::watch::unwatch(&self.path);
        // Never written (the walk failed before its first event): nothing to keep.
        self.discard_partial();
    }
}

impl std::fmt::Debug for IncidentLogFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncidentLogFile")
            .field("path", &self.path)
            .field("session", &self.session)
            .field("seq", &self.seq)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

fn log_error(path: &Path, reason: impl Into<String>) -> LogError {
    LogError {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

impl IncidentLogFile {
    /// Creates a new log `<dir>/<yyyymmddThhmmssZ>-<slug>.jsonl` (then `-2`, `-3`, ... when taken),
    /// mode 0600, creating `dir` and its parents (mode 0700) when missing.
    pub fn create(
        dir: &Path,
        runbook_slug: &str,
        clock: Box<dyn Clock + Send>,
        session: String,
    ) -> Result<Self, LogError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| log_error(dir, dir_reason(dir, &e)))?;
        let stamp = clock.now().format("%Y%m%dT%H%M%SZ").to_string();
        let slug = sanitize_slug(runbook_slug);
        // The log is written to a hidden file first and linked under its name only once its first
        // line is on disk, so a crash can never leave an empty `.jsonl` behind.
        let partial = dir.join(format!(".{stamp}-{slug}.{session}.partial"));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .map_err(|e| log_error(&partial, io_reason(&e)))?;
        if let Err(e) = file
            .set_permissions(Permissions::from_mode(0o600))
            .map_err(|e| log_error(&partial, io_reason(&e)))
            .and_then(|()| lock(&file, &partial))
        {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
        Ok(IncidentLogFile {
            file,
            path: free_name(dir, &stamp, &slug),
            clock,
            session,
            seq: 0,
            prev: EMPTY_HASH.to_string(),
            len: 0,
            poisoned: None,
            unsynced: 0,
            partial: Some(Partial {
                path: partial,
                dir: dir.to_path_buf(),
                stamp,
                slug,
            }),
        })
    }

    /// Opens an existing log to continue it. A torn last line is cut off (and fsync'd) and
    /// returned in [`ExistingLog::torn_tail`]: append [`ExistingLog::repair_event`] next.
    /// Refuses a log that is invalid anywhere else ([`ResumeError::Damaged`]: never cut), or that
    /// another process has open.
    pub fn open_for_resume(
        path: &Path,
        clock: Box<dyn Clock + Send>,
        session: String,
    ) -> Result<(Self, ExistingLog), ResumeError> {
        let io = |e: io::Error| log_error(path, io_reason(&e));
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        lock(&file, path)?;
        let existing = read_log(path).map_err(io)?;
        if let Some(problem) = &existing.problem {
            return Err(DamagedLog {
                path: path.display().to_string(),
                line: problem.line,
                column: problem.column,
                reason: problem.reason.clone(),
            }
            .into());
        }
        let Some(last) = existing.records.last() else {
            return Err(log_error(path, "it holds no complete event to resume from").into());
        };
        if existing.torn_tail.is_some() {
            file.set_len(existing.valid_len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        super::watch::watch(path, &file);
        let log = IncidentLogFile {
            file,
            path: path.to_path_buf(),
            clock,
            session,
            seq: last.seq,
            prev: existing.last_line_hash.clone(),
            len: existing.valid_len,
            poisoned: None,
            unsynced: 0,
            partial: None,
        };
        Ok((log, existing))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `seq` of the last line written; 0 for a new, empty log.
    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// The head: `seq` and hash of the last line written (the `prev` the next line would carry).
    pub fn head(&self) -> super::Head {
        super::Head {
            seq: self.seq,
            hash: self.prev.clone(),
        }
    }

    /// The random id of this process's session, as every line it writes carries.
    pub fn session(&self) -> &str {
        &self.session
    }

    fn error(&self, reason: impl Into<String>) -> LogError {
        log_error(&self.path, reason)
    }

    /// Removes the hidden file of a log whose first line never made it (a failed write or
    /// publish): only a published log is ever left behind.
    fn discard_partial(&mut self) {
        if let Some(partial) = self.partial.take() {
            let _ = fs::remove_file(&partial.path);
        }
    }
}

impl IncidentLogFile {
    /// Appends one record in one `write` on the `O_APPEND` file, so a killed process leaves only
    /// whole lines. The first line is synced at once: it is what names the file.
    /// Refuses everything after a failed write or sync.
    fn usable(&self) -> Result<(), LogError> {
        match &self.poisoned {
            Some(reason) => Err(self.error(format!(
                "an earlier write failed ({reason}); nothing more is written to it"
            ))),
            None => Ok(()),
        }
    }

    /// As [`EventLog::append`], and hands back the line exactly as written (newline included),
    /// for those that ship it elsewhere byte for byte rather than encode it again.
    pub fn append_line(
        &mut self,
        operator: &str,
        event: Event,
    ) -> Result<(Record, Vec<u8>), LogError> {
        self.write(operator, event)
    }

    fn write(&mut self, operator: &str, event: Event) -> Result<(Record, Vec<u8>), LogError> {
        self.usable()?;
        // Deleted or replaced since the last line: nothing more is recorded, or run.
        if self.partial.is_none()
            && let Some(reason) = super::watch::check(&self.path, &self.file)
        {
            self.poisoned = Some(reason.clone());
            return Err(self.error(reason));
        }
        if self.seq == 0 && !matches!(event, Event::SessionStarted { .. }) {
            return Err(self.error("the first event must be `session_started`"));
        }
        let record = Record {
            v: FORMAT_VERSION,
            seq: self.seq + 1,
            ts: format_timestamp(self.clock.now()),
            operator: operator.to_string(),
            session: self.session.clone(),
            prev: self.prev.clone(),
            event,
        };
        let line = encode_line(&record).map_err(|e| self.error(e.to_string()))?;
        if line.len() > MAX_LINE_BYTES {
            return Err(self.error(format!(
                "event {} is larger than {} MiB",
                record.seq,
                MAX_LINE_BYTES / 1024 / 1024
            )));
        }
        let first = self.partial.is_some();
        if let Err(e) = self
            .file
            .write_all(&line)
            .and_then(|()| if first { self.file.sync_data() } else { Ok(()) })
        {
            let reason = io_reason(&e);
            // Best effort: take back a partial line so the file ends on a complete one.
            let _ = self.file.set_len(self.len);
            self.poisoned = Some(reason.clone());
            // A first line that failed leaves no hidden file behind.
            self.discard_partial();
            return Err(self.error(reason));
        }
        if let Some(partial) = &self.partial {
            match partial.publish() {
                Ok(path) => {
                    self.partial = None;
                    super::watch::watch(&path, &self.file);
                    self.path = path;
                }
                Err(e) => {
                    self.poisoned = Some(e.reason.clone());
                    self.discard_partial();
                    return Err(e);
                }
            }
        } else {
            self.unsynced += 1;
        }
        self.len += line.len() as u64;
        self.seq = record.seq;
        self.prev = sha256_hex(&line[..line.len() - 1]);
        Ok((record, line))
    }

    /// Lines written but not yet synced (for tests and benchmarks).
    pub fn unsynced(&self) -> usize {
        self.unsynced
    }
}

impl EventLog for IncidentLogFile {
    fn append(&mut self, operator: &str, event: Event) -> Result<Record, LogError> {
        self.write(operator, event).map(|(record, _)| record)
    }

    fn commit(&mut self) -> Result<(), LogError> {
        self.usable()?;
        if self.unsynced == 0 {
            return Ok(());
        }
        if let Err(e) = self.file.sync_data() {
            // After a failed fdatasync the kernel may have dropped the dirty pages: nothing
            // written since the last good sync can be trusted, so nothing more is written.
            let reason = io_reason(&e);
            self.poisoned = Some(reason.clone());
            return Err(self.error(reason));
        }
        self.unsynced = 0;
        Ok(())
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}

/// Why the log's directory cannot be made: a file in the way is said as such ("file exists"
/// would read as if the log itself were there already).
fn dir_reason(dir: &Path, e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::AlreadyExists && !dir.is_dir() {
        "it is a file, not a directory".into()
    } else if e.raw_os_error() == Some(libc::ENOTDIR) {
        "a part of that path is a file, not a directory".into()
    } else {
        io_reason(e)
    }
}

/// The record as one line, newline included: its JSON with `,"hash":"<sha256 of that JSON>"` before the final `}`.
fn encode_line(record: &Record) -> serde_json::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(record)?;
    let hash = sha256_hex(&line);
    line.pop(); // the closing `}`
    line.reserve(HASH_MEMBER.len() + hash.len() + 3);
    line.extend_from_slice(HASH_MEMBER);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    Ok(line)
}

/// Takes the log's exclusive lock, failing at once when another process holds it.
fn lock(file: &File, path: &Path) -> Result<(), LogError> {
    use rustix::fs::{FlockOperation, flock};
    // A walk killed a moment ago may still hold the lock through a command it was starting (the
    // child shares the descriptor until its exec): wait a little before calling the log busy.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::WOULDBLOCK) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(rustix::io::Errno::WOULDBLOCK) => {
                return Err(log_error(path, "another runbook process is writing it"));
            }
            // Filesystems without locks (some network mounts): go on unlocked.
            Err(_) => return Ok(()),
        }
    }
}

/// Keeps `[A-Za-z0-9._-]`, replacing anything else (`/` included) with `-`; never empty or hidden.
fn sanitize_slug(slug: &str) -> String {
    let cleaned: String = slug
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '-',
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    match cleaned {
        "" => "runbook".to_string(),
        s => s.to_string(),
    }
}
