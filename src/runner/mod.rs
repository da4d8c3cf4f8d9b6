//! Runs commands with bash in a pseudo-terminal: live output, timeouts, Ctrl-C, bounded capture, redaction.
//!
//! [`PtyRunner`] is the real [`crate::walk::ports::CommandRunner`]. Ctrl-C handling is
//! process-wide: once [`install_interrupt_handler`] has run (the runner's constructors call it),
//! SIGINT no longer terminates the process; it sets a flag that a running command reacts to
//! (SIGINT to its process group, SIGKILL 2 s later) and that the walk reads with
//! [`take_interrupt`] between commands. SIGTERM, SIGHUP and SIGQUIT no longer kill it either:
//! they are recorded ([`termination`]), stop a running command the same way, and the walk then
//! logs its end and exits 128 + the signal's number.

mod capture;
mod carry;
mod machine;
mod pty;
pub mod redact;
mod spawn;
mod stateful;
mod status;
mod supervise;

pub use capture::{Capture, Captured, HEAD_LIMIT, TAIL_LIMIT};
pub use pty::PtyRunner;
pub use redact::Redactor;
pub use status::StatusLines;

use std::io::PipeReader;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The process-wide signal plumbing, set up once.
struct Signals {
    /// Set by SIGINT.
    interrupt: Arc<AtomicBool>,
    /// Set by SIGWINCH.
    resized: Arc<AtomicBool>,
    /// The number of the first SIGTERM, SIGHUP or SIGQUIT; 0 before any.
    terminate: Arc<AtomicUsize>,
    /// Readable after any of those signals (self-pipe), so a poll loop wakes at once.
    wake: Option<PipeReader>,
}

static SIGNALS: OnceLock<Signals> = OnceLock::new();

fn signals() -> &'static Signals {
    SIGNALS.get_or_init(|| {
        let interrupt = Arc::new(AtomicBool::new(false));
        let resized = Arc::new(AtomicBool::new(false));
        let terminate = Arc::new(AtomicUsize::new(0));
        // Flags first: signal-hook runs actions in registration order, so a woken poll
        // always sees the flag already set.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&interrupt));
        let _ = signal_hook::flag::register(signal_hook::consts::SIGWINCH, Arc::clone(&resized));
        for sig in ENDING_SIGNALS {
            let number = usize::try_from(sig).unwrap_or_default();
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&terminate), number);
        }
        let wake = std::io::pipe().ok().and_then(|(reader, writer)| {
            rustix::fs::fcntl_setfl(&reader, rustix::fs::OFlags::NONBLOCK).ok()?;
            for sig in [signal_hook::consts::SIGWINCH]
                .into_iter()
                .chain(ENDING_SIGNALS)
            {
                signal_hook::low_level::pipe::register(sig, writer.try_clone().ok()?).ok()?;
            }
            signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, writer).ok()?;
            Some(reader)
        });
        Signals {
            interrupt,
            resized,
            terminate,
            wake,
        }
    })
}

/// The signals that end a walk (recorded, resumable) instead of killing the process: `kill`'s
/// default, the terminal closing, Ctrl-\\.
const ENDING_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGQUIT,
];

/// The signal seen first by [`termination`]; later ones do not rename the ending.
static ENDED_BY: AtomicUsize = AtomicUsize::new(0);

/// The number of the SIGTERM, SIGHUP or SIGQUIT that asked the process to end, once one came;
/// the first one seen stays the answer. `None` before the handler is installed.
pub fn termination() -> Option<i32> {
    let latched = ENDED_BY.load(Ordering::SeqCst);
    if latched != 0 {
        return i32::try_from(latched).ok();
    }
    let seen = SIGNALS.get()?.terminate.load(Ordering::SeqCst);
    if seen == 0 {
        return None;
    }
    let first = match ENDED_BY.compare_exchange(0, seen, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => seen,
        Err(earlier) => earlier,
    };
    i32::try_from(first).ok()
}

/// Makes SIGINT (Ctrl-C in a cooked-mode terminal) set a flag instead of ending the process.
/// Idempotent; [`PtyRunner`]'s constructors call it.
pub fn install_interrupt_handler() {
    signals();
}

/// Whether a SIGINT arrived since the last call (or since the last command handled one), and
/// clears it. For the walk between commands; `false` before the handler is installed.
pub fn take_interrupt() -> bool {
    SIGNALS
        .get()
        .is_some_and(|s| s.interrupt.swap(false, Ordering::SeqCst))
}

/// The self-pipe, readable after any of the handled signals: a prompt waiting for a key polls
/// it so that a SIGTERM or SIGHUP wakes it.
pub fn wake_fd() -> Option<std::os::fd::BorrowedFd<'static>> {
    use std::os::fd::AsFd;
    SIGNALS.get()?.wake.as_ref().map(AsFd::as_fd)
}

/// Drains the self-pipe; returns nothing, the flags say what happened.
pub fn drain_wake_pipe() {
    if let Some(reader) = SIGNALS.get().and_then(|s| s.wake.as_ref()) {
        let mut buf = [0u8; 64];
        while matches!(rustix::io::read(reader, &mut buf), Ok(n) if n > 0) {}
    }
}

/// `SIGKILL`, `SIGTERM`, ... for a signal number; `SIG<n>` for the uncommon ones.
pub fn signal_name(number: i32) -> String {
    use rustix::process::Signal as S;
    let known = [
        (S::HUP, "SIGHUP"),
        (S::INT, "SIGINT"),
        (S::QUIT, "SIGQUIT"),
        (S::ILL, "SIGILL"),
        (S::TRAP, "SIGTRAP"),
        (S::ABORT, "SIGABRT"),
        (S::BUS, "SIGBUS"),
        (S::FPE, "SIGFPE"),
        (S::KILL, "SIGKILL"),
        (S::USR1, "SIGUSR1"),
        (S::SEGV, "SIGSEGV"),
        (S::USR2, "SIGUSR2"),
        (S::PIPE, "SIGPIPE"),
        (S::ALARM, "SIGALRM"),
        (S::TERM, "SIGTERM"),
        (S::XCPU, "SIGXCPU"),
        (S::XFSZ, "SIGXFSZ"),
        (S::SYS, "SIGSYS"),
    ];
    known
        .iter()
        .find(|(s, _)| s.as_raw() == number)
        .map_or_else(|| format!("SIG{number}"), |(_, name)| (*name).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(9), "SIGKILL");
        assert_eq!(signal_name(15), "SIGTERM");
        assert_eq!(signal_name(2), "SIGINT");
        assert_eq!(signal_name(63), "SIG63");
    }
}
