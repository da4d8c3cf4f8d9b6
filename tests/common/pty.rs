//! A pseudo-terminal as an operator's terminal has it, for the tests that drive `runbook` through
//! one: echo on (ptyprocess turns it off in the child by default, which no real terminal does, and
//! which hid keys echoed over the spinner), a window of the given size, and a patient timeout.

use std::process::Command;
use std::time::Duration;

use expectrl::Session;
use expectrl::process::Termios;

pub type Pty = expectrl::session::OsSession;

/// Spawns `command` in a fresh pty of `cols` x `rows`, echo on.
pub fn spawn(command: Command, cols: u16, rows: u16) -> Pty {
    let mut session = Session::spawn(command).expect("spawn runbook in a pty");
    let process = session.get_process_mut();
    process
        .set_window_size(cols, rows)
        .expect("set the window size");
    process.set_echo(true).expect("turn echo on");
    session.set_expect_timeout(Some(Duration::from_secs(15)));
    session
}
