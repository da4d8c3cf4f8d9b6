//! [`PtyRunner`]: `bash -c` in a new session whose controlling terminal is a fresh pty.

use std::ffi::{CString, OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions};
use rustix::pty::OpenptFlags;
use rustix::termios::{self, OptionalActions, Termios, Winsize};

use super::capture::Capture;
use super::redact::Redactor;
use super::spawn::{self, SpawnRequest};
use crate::walk::ports::{CommandOutcome, CommandRunner, CommandSpec};

/// How long a signalled command gets before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);
/// Silence after which the spinner appears.
const SPINNER_AFTER: Duration = Duration::from_secs(1);
const SPINNER_TICK: Duration = Duration::from_millis(100);
/// After the command exits, how long a silent pty is still read (a background process may
/// keep it open), and how long at most.
const DRAIN_SILENCE: Duration = Duration::from_millis(100);
const DRAIN_MAX: Duration = Duration::from_secs(2);
/// Poll interval when pidfds are unavailable (old kernels) and exit must be polled for.
const FALLBACK_POLL: Duration = Duration::from_millis(5);
const READ_BUF: usize = 64 * 1024;

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
        }
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

impl CommandRunner for PtyRunner {
    fn run(&mut self, spec: &CommandSpec) -> CommandOutcome {
        let started = Instant::now();
        let mut outcome = match self.run_inner(spec, started) {
            Ok(outcome) => outcome,
            Err(reason) => CommandOutcome {
                spawn_error: Some(reason),
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
fn window_size() -> Winsize {
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

/// Why and how we are stopping the command.
struct Stopping {
    /// When to send SIGKILL; `None` once sent.
    escalate_at: Option<Instant>,
    /// The last signal sent.
    sent: Signal,
}

/// Sends `sig` to the command's process group and, if another one holds the pty's foreground
/// (a job started inside), to that one too.
fn signal_group(pgid: Pid, master: &OwnedFd, sig: Signal) {
    let _ = rustix::process::kill_process_group(pgid, sig);
    if let Ok(fg) = termios::tcgetpgrp(master)
        && fg != pgid
    {
        let _ = rustix::process::kill_process_group(fg, sig);
    }
}

/// Adds `fd` to the poll set; returns its index.
fn slot<'a>(fds: &mut Vec<PollFd<'a>>, fd: BorrowedFd<'a>, flags: PollFlags) -> Option<usize> {
    fds.push(PollFd::from_borrowed_fd(fd, flags));
    Some(fds.len() - 1)
}

/// Whether the leader has exited, without reaping it (its pid, hence the group id, stays ours).
fn leader_exited(pid: Pid) -> bool {
    matches!(
        rustix::process::waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
        ),
        Ok(Some(_)) | Err(Errno::CHILD)
    )
}

/// The live-output side of a run: redaction, the sink, the capture, the spinner.
struct Output<'a> {
    sink: &'a mut (dyn Write + Send),
    redacted: &'a mut Vec<u8>,
    redactor: Redactor,
    capture: Capture,
    spinner: Option<ProgressBar>,
    last_output: Instant,
    /// The last byte shown ended a line (the spinner must not draw over a prompt).
    at_line_start: bool,
}

impl Output<'_> {
    fn clear_spinner(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }

    fn show(&mut self, data: &[u8]) {
        self.last_output = Instant::now();
        self.redacted.clear();
        self.redactor.push(data, self.redacted);
        self.emit();
    }

    fn finish(&mut self) {
        self.redacted.clear();
        self.redactor.finish(self.redacted);
        self.emit();
        self.clear_spinner();
    }

    fn emit(&mut self) {
        if self.redacted.is_empty() {
            return;
        }
        self.clear_spinner();
        self.at_line_start = self.redacted.last() == Some(&b'\n');
        self.capture.push(self.redacted);
        let _ = self.sink.write_all(self.redacted);
        let _ = self.sink.flush();
    }
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
        let args = [OsStr::new("bash"), OsStr::new("-c"), OsStr::new(script)];
        let spawned = spawn::spawn(&SpawnRequest {
            program: &bash,
            args: &args,
            env: &spec.env,
            cwd: cwd_given.then_some(spec.cwd.as_path()),
            tty: &tty,
            stdin_pipe: spec.runner.is_some(),
        })
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => not_found(),
            _ => format!("cannot run `bash`: {}", lowercase_first(&e.to_string())),
        })?;
        // The command has the pty open now: with our slave closed, the master sees EIO once
        // the command's side is closed.
        drop(slave);

        let mut runner_input = spawned.stdin.map(|pipe| {
            let _ = rustix::fs::fcntl_setfl(&pipe, OFlags::WRONLY | OFlags::NONBLOCK);
            (pipe, spec.code.as_bytes())
        });
        let raw_mode = if forward_stdin {
            RawMode::enter(stdin)
        } else {
            None
        };
        let outcome = self.supervise(
            spec,
            started,
            &master,
            spawned.pid,
            &mut runner_input,
            forward_stdin,
        );
        drop(raw_mode);
        Ok(outcome)
    }

    fn supervise(
        &mut self,
        spec: &CommandSpec,
        started: Instant,
        master: &OwnedFd,
        pid: Pid,
        runner_input: &mut Option<(OwnedFd, &[u8])>,
        mut forward_stdin: bool,
    ) -> CommandOutcome {
        let signals = super::signals();
        let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok();
        let stdin = rustix::stdio::stdin();
        let deadline = spec.timeout.map(|t| started + t);
        let spinner_enabled = self.sink_is_terminal && !spec.interactive;
        let resize = termios::isatty(rustix::stdio::stderr());

        let mut out = Output {
            sink: &mut *self.sink,
            redacted: &mut self.redacted,
            redactor: Redactor::new(&spec.secrets),
            capture: Capture::default(),
            spinner: None,
            last_output: started,
            at_line_start: true,
        };
        let buf = &mut self.buf;
        let mut to_master: Vec<u8> = Vec::new();
        let mut master_open = true;
        let mut stopping: Option<Stopping> = None;
        let mut timed_out = false;
        let mut interrupted = false;
        let mut status: Option<ExitStatus> = None;
        let mut status_unknown = false;
        let mut exited_at: Option<Instant> = None;
        let mut check_exit = pidfd.is_none();

        loop {
            let now = Instant::now();

            // The leader exited: make sure a group we are stopping is gone, then reap.
            if status.is_none() && check_exit && leader_exited(pid) {
                if stopping.is_some() {
                    signal_group(pid, master, Signal::KILL);
                }
                match rustix::process::waitpid(Some(pid), WaitOptions::NOHANG) {
                    Ok(Some((_, s))) => status = Some(ExitStatus::from_raw(s.as_raw())),
                    Ok(None) => {}
                    // Reaped elsewhere (SIGCHLD ignored?): it is gone, its status unknown.
                    Err(_) => {
                        status_unknown = true;
                        status = Some(ExitStatus::from_raw(0));
                    }
                }
                if status.is_some() {
                    exited_at = Some(now);
                    *runner_input = None;
                    forward_stdin = false;
                    out.clear_spinner();
                }
            }
            check_exit = pidfd.is_none();

            if status.is_some() {
                let done = !master_open
                    || exited_at.is_some_and(|t| now >= t + DRAIN_MAX)
                    || now >= out.last_output.max(exited_at.unwrap_or(now)) + DRAIN_SILENCE;
                if done {
                    break;
                }
            } else {
                // Ctrl-C on our terminal, the timeout, the end of the grace period.
                if signals.interrupt.swap(false, Ordering::SeqCst) {
                    interrupted = true;
                    if stopping.is_none() {
                        signal_group(pid, master, Signal::INT);
                        stopping = Some(Stopping {
                            escalate_at: Some(now + GRACE),
                            sent: Signal::INT,
                        });
                    }
                }
                if stopping.is_none() && deadline.is_some_and(|d| now >= d) {
                    timed_out = true;
                    signal_group(pid, master, Signal::TERM);
                    stopping = Some(Stopping {
                        escalate_at: Some(now + GRACE),
                        sent: Signal::TERM,
                    });
                }
                if let Some(stop) = &mut stopping
                    && stop.escalate_at.is_some_and(|t| now >= t)
                {
                    signal_group(pid, master, Signal::KILL);
                    stop.escalate_at = None;
                    stop.sent = Signal::KILL;
                }
                if resize && signals.resized.swap(false, Ordering::SeqCst) {
                    let _ = termios::tcsetwinsize(master, window_size());
                }
                if spinner_enabled
                    && out.spinner.is_none()
                    && out.at_line_start
                    && now >= out.last_output + SPINNER_AFTER
                {
                    out.spinner = Some(ProgressBar::new_spinner());
                }
                if let Some(spinner) = &out.spinner {
                    spinner.set_message(format!("running {}s", (now - started).as_secs()));
                    spinner.tick();
                }
            }

            // When to wake up at the latest.
            let mut wake: Option<Instant> = None;
            let mut at = |t: Instant| wake = Some(wake.map_or(t, |w: Instant| w.min(t)));
            if let Some(t) = exited_at {
                at(t + DRAIN_MAX);
                at(out.last_output.max(t) + DRAIN_SILENCE);
            } else {
                if let Some(d) = deadline
                    && stopping.is_none()
                {
                    at(d);
                }
                if let Some(t) = stopping.as_ref().and_then(|s| s.escalate_at) {
                    at(t);
                }
                if out.spinner.is_some() {
                    at(now + SPINNER_TICK);
                } else if spinner_enabled && out.at_line_start {
                    at(out.last_output + SPINNER_AFTER);
                }
                if pidfd.is_none() {
                    at(now + FALLBACK_POLL);
                }
            }

            let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(5);
            let master_slot = if master_open {
                let mut flags = PollFlags::IN;
                if !to_master.is_empty() {
                    flags |= PollFlags::OUT;
                }
                slot(&mut fds, master.as_fd(), flags)
            } else {
                None
            };
            let pidfd_slot = match (&pidfd, status) {
                (Some(fd), None) => slot(&mut fds, fd.as_fd(), PollFlags::IN),
                _ => None,
            };
            let stdin_slot = if forward_stdin && to_master.len() < READ_BUF {
                slot(&mut fds, stdin, PollFlags::IN)
            } else {
                None
            };
            let input_slot = match runner_input.as_ref() {
                Some((pipe, _)) => slot(&mut fds, pipe.as_fd(), PollFlags::OUT),
                None => None,
            };
            let wake_slot = match (&signals.wake, status) {
                (Some(r), None) => slot(&mut fds, r.as_fd(), PollFlags::IN),
                _ => None,
            };

            let timeout = wake.map(|w| {
                let d = w.saturating_duration_since(Instant::now());
                Timespec::try_from(d).unwrap_or(Timespec {
                    tv_sec: 1,
                    tv_nsec: 0,
                })
            });
            match rustix::event::poll(&mut fds, timeout.as_ref()) {
                Ok(_) | Err(Errno::INTR) => {}
                Err(_) => {
                    // Should not happen; avoid spinning.
                    std::thread::sleep(FALLBACK_POLL);
                }
            }
            let ready = |slot: Option<usize>| slot.is_some_and(|i| !fds[i].revents().is_empty());
            let master_ready = ready(master_slot);
            let pidfd_ready = ready(pidfd_slot);
            let stdin_ready = ready(stdin_slot);
            let input_ready = ready(input_slot);
            let wake_ready = ready(wake_slot);
            drop(fds);

            if wake_ready {
                super::drain_wake_pipe();
            }
            if pidfd_ready {
                check_exit = true;
            }
            if master_ready {
                // Flush keystrokes first, then read what the command printed.
                if !to_master.is_empty() {
                    match rustix::io::write(master, &to_master) {
                        Ok(n) => {
                            to_master.drain(..n);
                        }
                        Err(Errno::AGAIN | Errno::INTR) => {}
                        Err(_) => to_master.clear(),
                    }
                }
                match rustix::io::read(master, &mut buf[..]) {
                    Ok(0) => master_open = false,
                    Ok(n) => out.show(&buf[..n]),
                    Err(Errno::AGAIN | Errno::INTR) => {}
                    // EIO: every slave descriptor is closed.
                    Err(_) => master_open = false,
                }
            }
            if stdin_ready {
                let room = READ_BUF - to_master.len();
                match rustix::io::read(stdin, &mut buf[..room]) {
                    Ok(0) => forward_stdin = false,
                    Ok(n) => {
                        to_master.extend_from_slice(&buf[..n]);
                        if master_open {
                            match rustix::io::write(master, &to_master) {
                                Ok(n) => {
                                    to_master.drain(..n);
                                }
                                Err(Errno::AGAIN | Errno::INTR) => {}
                                Err(_) => to_master.clear(),
                            }
                        }
                    }
                    Err(Errno::AGAIN | Errno::INTR) => {}
                    Err(_) => forward_stdin = false,
                }
            }
            if input_ready && let Some((pipe, rest)) = runner_input {
                match rustix::io::write(&*pipe, rest) {
                    Ok(n) => *rest = &rest[n..],
                    Err(Errno::AGAIN | Errno::INTR) => {}
                    // EPIPE: the runner stopped reading; nothing more to give it.
                    Err(_) => *rest = &[],
                }
                if rest.is_empty() {
                    // Closing the pipe is the end of the block.
                    *runner_input = None;
                }
            }
        }
        out.finish();

        let status = status.unwrap_or_else(|| ExitStatus::from_raw(0));
        let captured = out.capture.finish();
        let signal = status
            .signal()
            .map(super::signal_name)
            .or_else(|| stopping.map(|s| super::signal_name(s.sent.as_raw())));
        CommandOutcome {
            exit_code: if status_unknown { None } else { status.code() },
            signal,
            duration_ms: 0,
            output: captured.output,
            truncated: captured.truncated,
            bytes: captured.bytes,
            redactions: out.redactor.redactions(),
            timed_out,
            interrupted,
            spawn_error: None,
        }
    }
}
