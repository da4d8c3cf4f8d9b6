//! `timeline LOG --follow`: an incident commander watching walks on the machine (or a shared
//! disk) sees each event as the walk writes it, once, and stops cleanly on a signal.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::test::BIN;

/// Step 2 waits for `go`, so the test decides when the walk writes its next events.
const WAITING: &str = "# Waiting

## One
```bash
echo one
```

## Two
```bash
while [ ! -e go ]; do sleep 0.05; done; echo two
```
";

/// The lines `child`'s stdout prints, as they come.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (at most 10 s: a bound, not a speed goal) for a line holding `text`; every line read.
fn until(rx: &mpsc::Receiver<String>, text: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(text);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => panic!("`{text}` not printed; printed:\n{}", seen.join("\n")),
        }
    }
}

fn log_in(dir: &Path) -> std::path::PathBuf {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(log) = fs::read_dir(dir.join("incidents"))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        {
            return log;
        }
        assert!(Instant::now() < deadline, "no log appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn following_a_log_prints_each_new_event_once_as_the_walk_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), WAITING).unwrap();
    let mut walk = Command::new(BIN)
        .args(["run", "rb.md", "--yes"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("RUNBOOK_LOG_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the walk");
    let log = log_in(dir.path());
    let mut follow = Command::new(BIN)
        .arg("timeline")
        .arg(&log)
        .arg("--follow")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start timeline --follow");
    let rx = lines_of(&mut follow);
    let mut seen = Vec::new();
    until(&rx, "step 2 command 1 started", &mut seen);
    fs::write(dir.path().join("go"), "").unwrap();
    until(&rx, "session finished", &mut seen);
    assert!(walk.wait().unwrap().success());
    // SIGTERM: a viewer stopped is a viewer done (exit 0).
    let pid = rustix::process::Pid::from_raw(i32::try_from(follow.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = follow.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut follow.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("following 1 log: new events appear"), "{err}");
    // Each event once, in the order written: every line of the log is one printed row.
    let events = fs::read_to_string(&log).unwrap().lines().count();
    let rows: Vec<&String> = seen.iter().filter(|l| l.contains(" T+")).collect();
    assert_eq!(rows.len(), events, "{}", seen.join("\n"));
    let two = seen.iter().position(|l| l.contains("step 2 done")).unwrap();
    let started = seen
        .iter()
        .position(|l| l.contains("step 2 command 1 started"))
        .unwrap();
    assert!(started < two);
}
