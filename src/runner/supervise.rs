//! The driver around [`Machine`]: polls the pty, the child's pidfd, the keyboard and the signal
//! self-pipe, turns what it sees into events, and carries out the machine's actions.

use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions};
use rustix::termios;

use super::capture::Capture;
use super::machine::{Action, Event, Exit, Machine, Verdict};
use super::redact::Redactor;
use super::status::StatusLines;

/// Silence after which the spinner appears.
const SPINNER_AFTER: Duration = Duration::from_secs(1);
const SPINNER_TICK: Duration = Duration::from_millis(100);
/// How soon a status line offered while a command runs is drawn, at the latest.
const STATUS_CHECK: Duration = Duration::from_millis(200);
/// Poll interval when pidfds are unavailable (old kernels) and exit must be polled for.
const FALLBACK_POLL: Duration = Duration::from_millis(5);
pub const READ_BUF: usize = 64 * 1024;

/// The started command, as the driver needs it.
pub struct Child<'a> {
    /// The pty's master side, non-blocking.
    pub master: &'a OwnedFd,
    /// The leader; also the process group's id.
    pub pid: Pid,
    /// The pipe to a `runner`'s stdin and the block still to write to it.
    pub runner_input: Option<(OwnedFd, &'a [u8])>,
    /// Forward the operator's keystrokes to the pty.
    pub keyboard: bool,
}

/// Where the output goes, lent by the runner for one command.
pub struct Screen<'a> {
    pub sink: &'a mut (dyn Write + Send),
    /// A spinner may be drawn on the sink during silences.
    pub spinner: bool,
    /// The read buffer, [`READ_BUF`] bytes.
    pub buf: &'a mut Vec<u8>,
    /// Scratch space for redacted output.
    pub redacted: &'a mut Vec<u8>,
    /// Lines to draw between the command's output while it runs (guard news), when open.
    pub status: Option<&'a StatusLines>,
}

/// What a command left behind: how it ended and its output.
pub struct Ended {
    pub verdict: Verdict,
    pub capture: Capture,
    pub redactor: Redactor,
}

/// Runs the poll loop until the machine has a verdict.
pub fn supervise(
    child: Child<'_>,
    screen: Screen<'_>,
    redactor: Redactor,
    started: Instant,
    timeout: Option<Duration>,
) -> Ended {
    let pidfd = rustix::process::pidfd_open(child.pid, rustix::process::PidfdFlags::empty()).ok();
    let mut driver = Driver {
        machine: Machine::new(started, timeout),
        check_exit: pidfd.is_none(),
        pidfd,
        master: child.master,
        pid: child.pid,
        input: Input {
            keyboard: child.keyboard,
            pending: Vec::new(),
            runner: child.runner_input,
        },
        out: Output {
            sink: screen.sink,
            redacted: screen.redacted,
            redactor,
            capture: Capture::default(),
            spinner: None,
            at_line_start: true,
        },
        buf: screen.buf,
        started,
        spinner_enabled: screen.spinner,
        resize: termios::isatty(rustix::stdio::stderr()),
        status: screen.status,
    };
    let verdict = driver.run();
    let status = driver.status;
    let mut out = driver.out;
    out.finish();
    if let Some(status) = status {
        out.status(&status.close());
    }
    Ended {
        verdict,
        capture: out.capture,
        redactor: out.redactor,
    }
}

/// The machine and the descriptors and buffers around it.
struct Driver<'a> {
    machine: Machine,
    pidfd: Option<OwnedFd>,
    /// The leader may have exited: ask (the pidfd was readable, or there is no pidfd).
    check_exit: bool,
    master: &'a OwnedFd,
    pid: Pid,
    input: Input<'a>,
    out: Output<'a>,
    buf: &'a mut Vec<u8>,
    started: Instant,
    spinner_enabled: bool,
    /// Follow the operator's window size (stderr is a terminal).
    resize: bool,
    status: Option<&'a StatusLines>,
}

/// Which descriptors one poll found ready.
struct Ready {
    pty: bool,
    pidfd: bool,
    keyboard: bool,
    runner: bool,
    wake: bool,
}

impl Driver<'_> {
    fn run(&mut self) -> Verdict {
        loop {
            let now = Instant::now();
            self.observe(now);
            if let Some(verdict) = self.machine.verdict() {
                return verdict;
            }
            if self.machine.awaits_exit() {
                self.chores(now);
            }
            let ready = self.poll(self.wake_at(now));
            self.handle(&ready);
        }
    }

    fn on(&mut self, event: Event, now: Instant) {
        match self.machine.on(event, now) {
            Some(Action::SignalGroup(signal)) => signal_group(self.pid, self.master, signal),
            Some(Action::StopInput) => {
                self.input.runner = None;
                self.input.keyboard = false;
                self.out.clear_spinner();
            }
            None => {}
        }
    }

    /// The leader's exit, Ctrl-C, and the clock, in that order.
    fn observe(&mut self, now: Instant) {
        if self.machine.awaits_exit() && self.check_exit && leader_exited(self.pid) {
            self.on(Event::LeaderExited, now);
            if let Some(exit) = reap(self.pid) {
                self.on(Event::Reaped(exit), now);
            }
        }
        self.check_exit = self.pidfd.is_none();
        if self.machine.awaits_exit() && super::signals().interrupt.swap(false, Ordering::SeqCst) {
            self.on(Event::CtrlC, now);
        }
        // The walk is ending (SIGTERM, SIGHUP, SIGQUIT): the command goes first. SIGHUP is passed
        // on as a closed terminal would; SIGQUIT becomes SIGTERM (no core dumps left behind).
        if self.machine.awaits_exit()
            && let Some(number) = super::termination()
        {
            let signal = match Signal::from_named_raw(number) {
                Some(Signal::HUP) => Signal::HUP,
                _ => Signal::TERM,
            };
            self.on(Event::Terminate(signal), now);
        }
        self.on(Event::Tick, now);
    }

    /// While the command runs: follow the window size, draw the spinner.
    fn chores(&mut self, now: Instant) {
        if self.resize && super::signals().resized.swap(false, Ordering::SeqCst) {
            let _ = termios::tcsetwinsize(self.master, super::pty::window_size());
        }
        if self.spinner_enabled
            && self.out.spinner.is_none()
            && self.out.at_line_start
            && now >= self.machine.last_output() + SPINNER_AFTER
        {
            self.out.spinner = Some(ProgressBar::new_spinner());
        }
        if let Some(status) = self.status {
            self.out.status(&status.take());
        }
        if let Some(spinner) = &self.out.spinner {
            spinner.set_message(format!("running {}s", (now - self.started).as_secs()));
            spinner.tick();
        }
    }

    /// When to wake up at the latest.
    fn wake_at(&self, now: Instant) -> Option<Instant> {
        let mut wake = self.machine.next_deadline();
        let mut at = |t: Instant| wake = Some(wake.map_or(t, |w: Instant| w.min(t)));
        if self.machine.awaits_exit() {
            if self.out.spinner.is_some() {
                at(now + SPINNER_TICK);
            } else if self.spinner_enabled && self.out.at_line_start {
                at(self.machine.last_output() + SPINNER_AFTER);
            }
            if self.pidfd.is_none() {
                at(now + FALLBACK_POLL);
            }
            if self.status.is_some() {
                at(now + STATUS_CHECK);
            }
        }
        wake
    }

    fn poll(&self, wake_at: Option<Instant>) -> Ready {
        let awaits_exit = self.machine.awaits_exit();
        let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(5);
        let pty = self.machine.pty_open().then(|| {
            let mut flags = PollFlags::IN;
            if !self.input.pending.is_empty() {
                flags |= PollFlags::OUT;
            }
            slot(&mut fds, self.master.as_fd(), flags)
        });
        let pidfd = match &self.pidfd {
            Some(fd) if awaits_exit => Some(slot(&mut fds, fd.as_fd(), PollFlags::IN)),
            _ => None,
        };
        let keyboard = (self.input.keyboard && self.input.pending.len() < READ_BUF)
            .then(|| slot(&mut fds, rustix::stdio::stdin(), PollFlags::IN));
        let runner = self
            .input
            .runner
            .as_ref()
            .map(|(pipe, _)| slot(&mut fds, pipe.as_fd(), PollFlags::OUT));
        let wake = match &super::signals().wake {
            Some(reader) if awaits_exit => Some(slot(&mut fds, reader.as_fd(), PollFlags::IN)),
            _ => None,
        };
        let timeout = wake_at.map(|w| {
            let d = w.saturating_duration_since(Instant::now());
            Timespec::try_from(d).unwrap_or(Timespec {
                tv_sec: 1,
                tv_nsec: 0,
            })
        });
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(_) | Err(Errno::INTR) => {}
            // Should not happen; avoid spinning.
            Err(_) => std::thread::sleep(FALLBACK_POLL),
        }
        let ready = |slot: Option<usize>| slot.is_some_and(|i| !fds[i].revents().is_empty());
        Ready {
            pty: ready(pty),
            pidfd: ready(pidfd),
            keyboard: ready(keyboard),
            runner: ready(runner),
            wake: ready(wake),
        }
    }

    fn handle(&mut self, ready: &Ready) {
        if ready.wake {
            super::drain_wake_pipe();
        }
        if ready.pidfd {
            self.check_exit = true;
        }
        if ready.pty {
            self.pty_ready();
        }
        if ready.keyboard {
            self.keyboard_ready();
        }
        if ready.runner {
            self.input.feed_runner();
        }
    }

    /// Flushes keystrokes first, then reads what the command printed.
    fn pty_ready(&mut self) {
        write_keys(self.master, &mut self.input.pending);
        match rustix::io::read(self.master, &mut self.buf[..]) {
            Ok(0) => self.on(Event::PtyClosed, Instant::now()),
            Ok(n) => {
                self.on(Event::Output, Instant::now());
                self.out.show(&self.buf[..n]);
            }
            Err(Errno::AGAIN | Errno::INTR) => {}
            // EIO: every slave descriptor is closed.
            Err(_) => self.on(Event::PtyClosed, Instant::now()),
        }
    }

    fn keyboard_ready(&mut self) {
        let room = READ_BUF - self.input.pending.len();
        match rustix::io::read(rustix::stdio::stdin(), &mut self.buf[..room]) {
            Ok(0) => self.input.keyboard = false,
            Ok(n) => {
                self.input.pending.extend_from_slice(&self.buf[..n]);
                if self.machine.pty_open() {
                    write_keys(self.master, &mut self.input.pending);
                }
            }
            Err(Errno::AGAIN | Errno::INTR) => {}
            Err(_) => self.input.keyboard = false,
        }
    }
}

/// What goes to the command besides the pty's own traffic.
struct Input<'a> {
    /// Forward the operator's keystrokes (an interactive command, stdin a terminal).
    keyboard: bool,
    /// Keystrokes read but not yet written to the pty.
    pending: Vec<u8>,
    /// The pipe to a `runner`'s stdin and what is left of the block.
    runner: Option<(OwnedFd, &'a [u8])>,
}

impl Input<'_> {
    fn feed_runner(&mut self) {
        let Some((pipe, rest)) = &mut self.runner else {
            return;
        };
        match rustix::io::write(&*pipe, rest) {
            Ok(n) => *rest = &rest[n..],
            Err(Errno::AGAIN | Errno::INTR) => {}
            // EPIPE: the runner stopped reading; nothing more to give it.
            Err(_) => *rest = &[],
        }
        if rest.is_empty() {
            // Closing the pipe is the end of the block.
            self.runner = None;
        }
    }
}

/// Writes what it can of `pending` to the pty; drops it if the pty refuses it for good.
fn write_keys(master: &OwnedFd, pending: &mut Vec<u8>) {
    if pending.is_empty() {
        return;
    }
    match rustix::io::write(master, pending) {
        Ok(n) => {
            pending.drain(..n);
        }
        Err(Errno::AGAIN | Errno::INTR) => {}
        Err(_) => pending.clear(),
    }
}

/// The live-output side of a run: redaction, the sink, the capture, the spinner.
struct Output<'a> {
    sink: &'a mut (dyn Write + Send),
    redacted: &'a mut Vec<u8>,
    redactor: Redactor,
    capture: Capture,
    spinner: Option<ProgressBar>,
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
        self.redacted.clear();
        self.redactor.push(data, self.redacted);
        self.emit();
    }

    /// Lines that are not the command's: on lines of their own, never captured.
    fn status(&mut self, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        self.clear_spinner();
        if !self.at_line_start {
            let _ = self.sink.write_all(b"\r\n");
        }
        for line in lines {
            let _ = self.sink.write_all(line.as_bytes());
            let _ = self.sink.write_all(b"\r\n");
        }
        let _ = self.sink.flush();
        self.at_line_start = true;
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

/// Adds `fd` to the poll set; returns its index.
fn slot<'a>(fds: &mut Vec<PollFd<'a>>, fd: BorrowedFd<'a>, flags: PollFlags) -> usize {
    fds.push(PollFd::from_borrowed_fd(fd, flags));
    fds.len() - 1
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

/// Reaps the exited leader; `None` if it is not ready after all.
fn reap(pid: Pid) -> Option<Exit> {
    match rustix::process::waitpid(Some(pid), WaitOptions::NOHANG) {
        Ok(Some((_, status))) => Some(Exit::Status(ExitStatus::from_raw(status.as_raw()))),
        Ok(None) => None,
        // Reaped elsewhere (SIGCHLD ignored?): it is gone, its status unknown.
        Err(_) => Some(Exit::Unknown),
    }
}
