//! The operator's terminal's modes, below the adapters that draw on it: keys typed while the
//! walk draws spinners and reads nothing (a command that does not read the keyboard, lookups)
//! are not echoed. A spinner fills its line, so one echoed key (or `^C`) wraps
//! it, and the spinner's clear then erases only the new line, leaving the old one in the
//! scrollback. The keys wait unread, and the next prompt discards them.

use rustix::termios::{self, LocalModes, OptionalActions, Termios};

/// Echo off on the operator's terminal (stdin) while it lives; Ctrl-C still signals and lines
/// are still lines. Does nothing when stdin is not a terminal.
pub struct QuietKeys {
    saved: Option<Termios>,
}

impl QuietKeys {
    pub fn new() -> QuietKeys {
        let stdin = rustix::stdio::stdin();
        let saved = termios::isatty(stdin)
            .then(|| termios::tcgetattr(stdin).ok())
            .flatten();
        if let Some(saved) = &saved {
            let mut quiet = saved.clone();
            quiet.local_modes &= !(LocalModes::ECHO | LocalModes::ECHONL | LocalModes::ECHOCTL);
            if termios::tcsetattr(stdin, OptionalActions::Now, &quiet).is_err() {
                return QuietKeys { saved: None };
            }
        }
        QuietKeys { saved }
    }
}

impl Default for QuietKeys {
    fn default() -> Self {
        QuietKeys::new()
    }
}

impl Drop for QuietKeys {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, saved);
        }
    }
}
