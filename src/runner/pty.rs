//! [`PtyRunner`]: `bash -c` in a new session whose controlling terminal is a fresh pty.

use std::ffi::{CString, OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use rustix::fs::{Mode, OFlags};
use rustix::pty::OpenptFlags;
use rustix::termios::{self, OptionalActions, Termios, Winsize};

use super::carry::{STATE_FD, StateFile, WRAPPER};
use super::redact::Redactor;
use super::spawn::{self, SpawnRequest, Stdin};
use super::status::StatusLines;
use super::supervise::{self, Child, READ_BUF, Screen};
use crate::walk::ports::{CommandOutcome, CommandRunner, CommandSpec, ShellAfter};

/// Runs each command as `bash -c` in its own session on a fresh pseudo-terminal, so full-screen
/// and password-prompting programs behave as in a terminal.
///
/// Output is shown live on the sink (redacted) and kept for the log (bounded, see
/// [`super::Capture`]). The pty turns every `\n` the command prints into `\r\n`; the captured
/// output keeps what the terminal produced, `\r\n` included.
pub struct PtyRunner {
    sink: Box<dyn Write + Send>,
    /// The sink is the operator's terminal: the spinner may be drawn.
    sink_is_terminal: bool,
    buf: Vec<u8>,
    redacted: Vec<u8>,
    /// Where `bash` was found, for which `PATH`: see [`resolve_bash`].
    bash: Option<(OsString, Option<PathBuf>)>,
    /// Lines others ask to show while a command runs.
    status: StatusLines,
}

impl Default for PtyRunner {
    fn default() -> Self {
        Self::new()
    }
}

impl PtyRunner {
    /// Shows output on the process's stderr, with a spinner when stderr is a terminal.
    /// Installs the process-wide Ctrl-C handler (see [`super::take_interrupt`]).
    pub fn new() -> Self {
        let tty = termios::isatty(rustix::stdio::stderr());
        let mut runner = Self::with_output(Box::new(io::stderr()));
        runner.sink_is_terminal = tty;
        runner
    }

    /// Shows output on `sink` (never with a spinner). Installs the Ctrl-C handler too.
    pub fn with_output(sink: Box<dyn Write + Send>) -> Self {
        super::install_interrupt_handler();
        PtyRunner {
            sink,
            sink_is_terminal: false,
            buf: vec![0; READ_BUF],
            redacted: Vec::new(),
            bash: None,
            status: StatusLines::default(),
        }
    }

    /// The mailbox for lines to show while a command runs (guard news). A full-screen
    /// (`interactive`) command gets none: a line drawn over it would be lost or garble it.
    pub fn status_lines(&self) -> StatusLines {
        self.status.clone()
    }

    /// The program to run for `bash`, under the `PATH` the command will have.
    fn bash(&mut self, spec: &CommandSpec) -> Option<PathBuf> {
        let path = spec
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| OsString::from(v))
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        match &self.bash {
            Some((for_path, found)) if *for_path == path => found.clone(),
            _ => {
                let found = resolve_bash(&path);
                self.bash = Some((path, found.clone()));
                found
            }
        }
    }
}

/// `bash`'s full path: the first executable `bash` in the absolute directories of `path`.
///
/// Looked up once rather than by `execvp` in every child: with eight directories ahead of
/// `/usr/bin` (as on this machine) that is eight failed `execve` calls per command. Relative
/// directories (and empty entries, meaning `.`) are skipped: they would name a different
/// program from one working directory to the next.
fn resolve_bash(path: &OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    for dir in std::env::split_paths(path) {
        if !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join("bash");
        if let Ok(meta) = std::fs::metadata(&candidate)
            && meta.is_file()
            && meta.permissions().mode() & 0o111 != 0
        {
            return Some(candidate);
        }
    }
    None
}

/// `text` with every secret in it replaced by `[REDACTED]`.
fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut redactor = Redactor::new(secrets);
    let mut out = Vec::with_capacity(text.len());
    redactor.push(text.as_bytes(), &mut out);
    redactor.finish(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

impl CommandRunner for PtyRunner {
    fn run(&mut self, spec: &CommandSpec) -> CommandOutcome {
        let started = Instant::now();
        let mut outcome = match self.run_inner(spec, started) {
            Ok(outcome) => outcome,
            Err(reason) => CommandOutcome {
                // It may name a `cwd` whose value holds a secret; it is shown and logged.
                spawn_error: Some(redact_text(&reason, &spec.secrets)),
                ..CommandOutcome::default()
            },
        };
        outcome.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        outcome
    }
}

/// Puts the operator's terminal in raw mode; restores it when dropped (panics included).
struct RawMode {
    fd: BorrowedFd<'static>,
    saved: Termios,
}

impl RawMode {
    fn enter(fd: BorrowedFd<'static>) -> Option<RawMode> {
        let saved = termios::tcgetattr(fd).ok()?;
        let mut raw = saved.clone();
        raw.make_raw();
        termios::tcsetattr(fd, OptionalActions::Now, &raw).ok()?;
        Some(RawMode { fd, saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(self.fd, OptionalActions::Now, &self.saved);
    }
}

/// The operator's window size, or 80x24 when stderr is not a terminal.
pub(super) fn window_size() -> Winsize {
    let stderr = rustix::stdio::stderr();
    if termios::isatty(stderr)
        && let Ok(ws) = termios::tcgetwinsize(stderr)
        && ws.ws_col > 0
        && ws.ws_row > 0
    {
        return ws;
    }
    Winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_cwd(cwd: &Path) -> Result<(), String> {
    match std::fs::metadata(cwd) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "working directory `{}` is not a directory",
            cwd.display()
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
            "working directory `{}` does not exist",
            cwd.display()
        )),
        Err(e) => Err(format!(
            "working directory `{}` is not accessible: {}",
            cwd.display(),
            lowercase_first(&e.to_string())
        )),
    }
}

/// Whether to run `script` under the capturing wrapper: when its text may change the state, or
/// when bash may run code the text does not show (an exported function, `BASH_ENV`).
fn needs_capture(script: &str, env: &[(Vec<u8>, Vec<u8>)]) -> bool {
    super::stateful::may_change_state(script)
        || env
            .iter()
            .any(|(name, _)| name.starts_with(b"BASH_FUNC_") || name == b"BASH_ENV")
}

/// A fresh pty: (master, slave, the slave's path), both close-on-exec, the master non-blocking.
fn open_pty() -> io::Result<(OwnedFd, OwnedFd, CString)> {
    let master =
        rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    rustix::pty::grantpt(&master)?;
    rustix::pty::unlockpt(&master)?;
    let name = rustix::pty::ptsname(&master, Vec::new())?;
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    termios::tcsetwinsize(&slave, window_size())?;
    rustix::fs::fcntl_setfl(&master, OFlags::RDWR | OFlags::NONBLOCK)?;
    Ok((master, slave, name))
}

impl PtyRunner {
    fn run_inner(
        &mut self,
        spec: &CommandSpec,
        started: Instant,
    ) -> Result<CommandOutcome, String> {
        let signals = super::signals();
        // A Ctrl-C from before this command belongs to the walk, not to this command.
        signals.interrupt.store(false, Ordering::SeqCst);
        super::drain_wake_pipe();

        let cwd_given = !spec.cwd.as_os_str().is_empty();
        if cwd_given {
            check_cwd(&spec.cwd)?;
        }
        let (master, slave, tty) = open_pty().map_err(|e| {
            format!(
                "cannot open a pseudo-terminal: {}",
                lowercase_first(&e.to_string())
            )
        })?;

        let stdin = rustix::stdio::stdin();
        let forward_stdin = spec.interactive && termios::isatty(stdin);
        if !forward_stdin {
            // Nobody will type: a command reading the terminal gets end-of-input (VEOF at the
            // start of a line, canonical mode) instead of waiting forever.
            let _ = rustix::io::write(&master, b"\x04");
        }

        let not_found = || "cannot run `bash`: not found on the PATH".to_string();
        let bash = self.bash(spec).ok_or_else(not_found)?;
        let script = spec.runner.as_deref().unwrap_or(&spec.code);
        let env = spawn::environment(&spec.env, &spec.unset);
        // The text runs unchanged. Only when it may change the shell's directory or exported
        // variables does it run as an argument of the wrapper that captures them: the capture
        // costs bash's exec of the last command and a few system calls.
        let capture = needs_capture(script, &env);
        let state = if capture {
            Some(StateFile::create().map_err(|e| {
                format!(
                    "cannot create a temporary file: {}",
                    lowercase_first(&e.to_string())
                )
            })?)
        } else {
            None
        };
        let args: &[&OsStr] = if capture {
            &[
                OsStr::new("bash"),
                OsStr::new("-c"),
                OsStr::new(WRAPPER),
                OsStr::new("bash"),
                OsStr::new(script),
            ]
        } else {
            &[OsStr::new("bash"), OsStr::new("-c"), OsStr::new(script)]
        };
        let spawned = spawn::spawn(&SpawnRequest {
            program: &bash,
            args,
            env: &env,
            cwd: cwd_given.then_some(spec.cwd.as_path()),
            tty: &tty,
            stdin: if spec.runner.is_some() {
                Stdin::Pipe
            } else if spec.no_input && !forward_stdin {
                Stdin::Null
            } else {
                Stdin::Pty
            },
            extra_fd: state.as_ref().map(|s| (s.fd(), STATE_FD)),
        })
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => not_found(),
            _ => format!("cannot run `bash`: {}", lowercase_first(&e.to_string())),
        })?;
        // The command has the pty open now: with our slave closed, the master sees EIO once
        // the command's side is closed.
        drop(slave);

        let runner_input = spawned.stdin.map(|pipe| {
            let _ = rustix::fs::fcntl_setfl(&pipe, OFlags::WRONLY | OFlags::NONBLOCK);
            (pipe, spec.code.as_bytes())
        });
        let raw_mode = if forward_stdin {
            RawMode::enter(stdin)
        } else {
            None
        };
        // Keys typed at a command that does not read them are not echoed over its spinner.
        let _quiet = (!forward_stdin).then(crate::tty::QuietKeys::new);
        let child = Child {
            master: &master,
            pid: spawned.pid,
            runner_input,
            keyboard: forward_stdin,
        };
        let mut outcome = self.supervise(spec, started, child);
        drop(raw_mode);
        let started_in = if cwd_given {
            spec.cwd.clone()
        } else {
            std::env::current_dir().unwrap_or_default()
        };
        outcome.shell = match &state {
            Some(state) => state.read(&env, &started_in),
            // Nothing in the text can change the state: known unchanged.
            None => Some(ShellAfter::default()),
        };
        Ok(outcome)
    }

    /// Watches the started command to its end and turns what happened into its outcome.
    fn supervise(
        &mut self,
        spec: &CommandSpec,
        started: Instant,
        child: Child<'_>,
    ) -> CommandOutcome {
        let screen = Screen {
            sink: &mut *self.sink,
            spinner: self.sink_is_terminal && !spec.interactive,
            buf: &mut self.buf,
            redacted: &mut self.redacted,
            status: (!spec.interactive).then_some(&self.status),
        };
        if !spec.interactive {
            self.status.open();
        }
        let redactor = Redactor::new(&spec.secrets);
        let ended = supervise::supervise(child, screen, redactor, started, spec.timeout);
        let captured = ended.capture.finish();
        CommandOutcome {
            exit_code: ended.verdict.exit_code,
            signal: ended.verdict.signal.map(super::signal_name),
            duration_ms: 0,
            output: captured.output,
            truncated: captured.truncated,
            bytes: captured.bytes,
            redactions: ended.redactor.redactions(),
            timed_out: ended.verdict.timed_out,
            interrupted: ended.verdict.interrupted,
            spawn_error: None,
            shell: None,
        }
    }
}
