//! A pseudo-terminal as an operator's terminal has it, for the tests that drive `runbook` through
//! one: echo on (ptyprocess turns it off in the child by default, which no real terminal does, and
//! which hid keys echoed over a spinner), a window of the given size, and a patient timeout.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Expect, Session};

pub type Pty = expectrl::session::OsSession;

/// Spawns `command` in a fresh pty of `cols` x `rows`, echo on.
///
/// Echo is turned on by the child itself (`stty echo`, then `exec` of the program, same pid)
/// after the pty crate turned it off: a change made from the test's side could land after the
/// program set its own modes (raw mode for an interactive command) and undo them.
pub fn spawn(command: Command, cols: u16, rows: u16) -> Pty {
    let mut echoing = Command::new("sh");
    echoing
        .arg("-c")
        .arg("stty echo || { echo \"error: stty echo failed: the pty tests need a terminal that echoes\" >&2; exit 97; }; exec \"$@\"")
        .arg("sh")
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => echoing.env(key, value),
            None => echoing.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        echoing.current_dir(dir);
    }
    let mut session = Session::spawn(echoing).expect("spawn runbook in a pty");
    session
        .get_process_mut()
        .set_window_size(cols, rows)
        .expect("set the window size");
    session.set_expect_timeout(Some(Duration::from_secs(15)));
    session
}

/// `runbook ARGS --aws-endpoint ENDPOINT` in `dir`, in a 160 x 50 terminal (wide, so the lines
/// tests look for are not wrapped), as an operator's terminal runs it: colours on, a 256-colour
/// TERM, and AWS as the tests set it: nothing from the caller's `AWS_*` or `RUNBOOK_*`, nor from
/// `~/.aws`; the region `eu-west-2`; credentials only when `credentials`.
pub fn spawn_aws(dir: &Path, endpoint: &str, args: &[&str], credentials: bool) -> Pty {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runbook"));
    command
        .args(args)
        .arg("--aws-endpoint")
        .arg(endpoint)
        .current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy();
        if name.starts_with("AWS_") || name.starts_with("RUNBOOK_") {
            command.env_remove(&key);
        }
    }
    command
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .env("USER", "oncall")
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "eu-west-2");
    if credentials {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    spawn(command, 160, 50)
}

/// Reads to the end (within the session's timeout) and returns the exit code, if it exited.
pub fn exit_code(p: &mut Pty) -> Option<i32> {
    p.expect(Eof).ok();
    // `Exited(Pid(n), code)`: the code, without naming the pty crate's types.
    let status = format!("{:?}", p.get_process().wait().expect("wait for runbook"));
    status
        .strip_prefix("Exited(")
        .and_then(|s| s.rsplit_once(", "))
        .and_then(|(_, code)| code.trim_end_matches(')').parse().ok())
}
