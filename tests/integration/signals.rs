//! SIGTERM, SIGHUP and SIGQUIT end a walk as a recorded, resumable pause: the running command's
//! process group is stopped and its end logged, then `session_paused` with the signal, and the
//! exit status is 128 + the signal's number. In a real pseudo-terminal, colours on.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::run::{events, log_file};
use crate::terminal_input::Term;
use crate::test::{BIN, assert_valid};

const SLEEPER: &str = "# Sleeper

## Wait

```bash
echo $$ > group.pid; echo sleeping-now; sleep 30
```

## After

```bash
echo after >> after.txt
```
";

const SIGNALS: [(&str, i32); 3] = [("TERM", 15), ("HUP", 1), ("QUIT", 3)];

fn send_signal(t: &Term, name: &str) {
    let pid = t.session.get_process().pid().to_string();
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The log verifies, follows the schema, and ends with `session_paused` for `signal`.
fn assert_ended_by(dir: &Path, signal: &str) -> Vec<serde_json::Value> {
    let log = log_file(dir);
    let out = Command::new(BIN).arg("verify").arg(&log).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = events(&log);
    for event in &all {
        assert_valid("incident-log.schema.json", event);
    }
    let last = all.last().unwrap();
    assert_eq!(last["type"], "session_paused", "{all:#?}");
    assert_eq!(last["reason"], "signal");
    assert_eq!(last["signal"], format!("SIG{signal}"));
    all
}

/// No process of the command's group is left (no orphan `sleep`).
fn assert_group_gone(dir: &Path) {
    let pgid: i32 = fs::read_to_string(dir.join("group.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let pid = rustix::process::Pid::from_raw(pgid).unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while rustix::process::test_kill_process_group(pid).is_ok() {
        assert!(
            Instant::now() < deadline,
            "process group {pgid} still alive"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_signal_while_a_command_runs_stops_it_records_both_ends_and_exits_128_plus_n() {
    for (name, number) in SIGNALS {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("rb.md"), SLEEPER).unwrap();
        let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 100);
        t.expect("(Enter: run)");
        t.send("\r");
        t.expect("sleeping-now");
        let sent = Instant::now();
        send_signal(&t, name);
        assert_eq!(t.exit_code(), 128 + number, "SIG{name}: {}", t.text());
        // The terminal is left as it was found: echo back on after the quiet command.
        assert!(
            expectrl::process::Termios::is_echo(t.session.get_process()).unwrap(),
            "SIG{name} left the terminal without echo"
        );
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "SIG{name} took {:?}",
            sent.elapsed()
        );
        let all = assert_ended_by(dir.path(), name);
        let finished = &all[all.len() - 2];
        assert_eq!(finished["type"], "command_finished", "SIG{name}: {all:#?}");
        assert_eq!(finished["interrupted"], true);
        assert_eq!(finished["success"], false);
        assert!(finished["signal"].is_string(), "{finished}");
        assert_group_gone(dir.path());
        assert!(!dir.path().join("after.txt").exists(), "nothing runs after");
        if name != "HUP" {
            assert!(
                t.text()
                    .contains(&format!("walk paused: SIG{name} received")),
                "{}",
                t.text()
            );
        }
    }
}

#[test]
fn a_signal_at_the_menu_abandons_the_prompt_and_records_the_pause() {
    for (name, number) in SIGNALS {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("rb.md"), SLEEPER).unwrap();
        let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 100);
        t.expect("(Enter: run)");
        // The prompt is waiting for a key when the signal comes.
        std::thread::sleep(Duration::from_millis(200));
        send_signal(&t, name);
        assert_eq!(t.exit_code(), 128 + number, "SIG{name}: {}", t.text());
        // The terminal is left as it was found: echo back on after the quiet command.
        assert!(
            expectrl::process::Termios::is_echo(t.session.get_process()).unwrap(),
            "SIG{name} left the terminal without echo"
        );
        let all = assert_ended_by(dir.path(), name);
        let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["session_started", "step_started", "session_paused"],
            "SIG{name}"
        );
    }
}

/// After a SIGKILL during a command (no `command_finished`), `resume --yes` does not run it
/// again: its outcome is unknown, so it is skipped and the skip's reason says so.
#[test]
fn resume_yes_never_reruns_a_command_whose_outcome_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rb.md"),
        "# Once\n\n## Append\n\n```bash\necho $$ > group.pid; echo ran >> ran.txt; sleep 30\n```\n\n## After\n\n```bash\necho after >> after.txt\n```\n",
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["run", "rb.md", "--yes"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.path().join("ran.txt").exists() {
        assert!(Instant::now() < deadline, "the command never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to record anything
    child.wait().unwrap();
    // The killed walk could not stop its command; the test does.
    let pgid: i32 = fs::read_to_string(dir.path().join("group.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = rustix::process::kill_process_group(
        rustix::process::Pid::from_raw(pgid).unwrap(),
        rustix::process::Signal::KILL,
    );
    let log = log_file(dir.path());
    assert_eq!(events(&log).last().unwrap()["type"], "command_started");

    let out = Command::new(BIN)
        .args(["resume", log.to_str().unwrap(), "--yes"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("command 1 not run: outcome unknown (it was started at "),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("ran.txt")).unwrap(),
        "ran\n",
        "run once only"
    );
    assert!(dir.path().join("after.txt").exists());
    let skipped: Vec<serde_json::Value> = events(&log)
        .into_iter()
        .filter(|e| e["type"] == "command_skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0]["step"], 1);
    assert_eq!(skipped[0]["reason"], "outcome unknown");
    assert_eq!(skipped[0]["automatic"], true);
    let verify = Command::new(BIN).arg("verify").arg(&log).output().unwrap();
    assert!(verify.status.success());
}

/// At a line question (the reason for a skip, read by the line editor) the wait wakes too, and
/// nothing half-typed is recorded.
#[test]
fn a_signal_at_a_text_question_abandons_it_and_records_the_pause() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), SLEEPER).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 100);
    t.expect("(Enter: run)");
    t.send("s");
    t.expect("Why skip this step?");
    t.send("half a rea");
    std::thread::sleep(Duration::from_millis(200));
    send_signal(&t, "TERM");
    assert_eq!(t.exit_code(), 143, "{}", t.text());
    let all = assert_ended_by(dir.path(), "TERM");
    let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["session_started", "step_started", "session_paused"]);
}

/// The terminal really closes (the pty's master side goes away; the kernel sends SIGHUP and
/// every write to the terminal fails): the command is stopped, both ends are logged, and the
/// exit status is still 129, although the summary cannot be printed.
#[test]
fn the_terminal_closing_is_a_recorded_sighup_with_exit_129() {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::io::Read;
    use std::os::fd::OwnedFd;
    for during_command in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("rb.md"), SLEEPER).unwrap();
        let master =
            openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let slave: OwnedFd = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .unwrap()
            .into();
        // `setsid -c`: a session of its own whose controlling terminal is this pty, as a login
        // shell's walk has; closing the master hangs it up.
        let mut child = Command::new("setsid")
            .args(["-c", BIN, "run", "rb.md"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave)
            .spawn()
            .unwrap();
        let mut master = fs::File::from(master);
        let mut seen = Vec::new();
        let mut read_until = |master: &mut fs::File, text: &str| {
            let deadline = Instant::now() + Duration::from_secs(15);
            while !String::from_utf8_lossy(&seen).contains(text) {
                assert!(
                    Instant::now() < deadline,
                    "{}",
                    String::from_utf8_lossy(&seen)
                );
                let mut buf = [0u8; 4096];
                let n = master.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
        };
        read_until(&mut master, "(Enter: run)");
        if during_command {
            std::io::Write::write_all(&mut master, b"\r").unwrap();
            read_until(&mut master, "sleeping-now");
        }
        std::thread::sleep(Duration::from_millis(200));
        drop(master);
        let status = child.wait().unwrap();
        assert_eq!(
            status.code(),
            Some(129),
            "during a command: {during_command}"
        );
        let all = assert_ended_by(dir.path(), "HUP");
        if during_command {
            let finished = &all[all.len() - 2];
            assert_eq!(finished["type"], "command_finished");
            assert_eq!(finished["interrupted"], true);
            assert_group_gone(dir.path());
        }
    }
}

/// A reviewer reads which signal ended the walk in the exports.
#[test]
fn the_exports_name_the_signal_that_ended_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), SLEEPER).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 100);
    t.expect("(Enter: run)");
    t.send("\r");
    t.expect("sleeping-now");
    send_signal(&t, "HUP");
    assert_eq!(t.exit_code(), 129);
    let log = log_file(dir.path());
    for format in ["markdown", "html", "json", "aws-timeline"] {
        let out = Command::new(BIN)
            .args(["export", "--format", format])
            .arg(&log)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("signal (SIGHUP)"), "{format}: {text}");
    }
}
