//! FIFOs, sockets and devices given as inputs are refused at once, never opened: a FIFO would block.

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::test::BIN;

/// Runs the binary in `dir`, killed after 10 s so that a regression fails instead of hanging.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RUNBOOK_LOG_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run runbook");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("runbook {args:?} still running after 10 s: it blocked on a special file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .expect("mkfifo");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_fifo_argument_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.md"));
    let runbook_message = "error: cannot read `pipe.md`: is a FIFO, not a regular file\n";
    for args in [
        &["show", "pipe.md"][..],
        &["check", "pipe.md"],
        &["list", "pipe.md"],
        &["run", "--yes", "pipe.md"],
        &["lookup", "pipe.md"],
        &["verify", "pipe.md"],
        &["export", "pipe.md"],
        &["timeline", "pipe.md"],
    ] {
        let out = run_bounded(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "runbook {args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out), runbook_message, "runbook {args:?}");
        assert!(out.stdout.is_empty(), "runbook {args:?}");
    }
}

#[test]
fn sockets_and_devices_are_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let _listener = UnixListener::bind(dir.path().join("sock.md")).expect("bind socket");
    let out = run_bounded(dir.path(), &["show", "sock.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot read `sock.md`: is a socket, not a regular file\n"
    );
    let out = run_bounded(dir.path(), &["verify", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot read `/dev/zero`: is a character device, not a regular file\n"
    );
}

#[test]
fn a_fifo_inside_a_directory_is_reported_and_the_rest_checked() {
    let dir = tempfile::tempdir().unwrap();
    let books = dir.path().join("books");
    std::fs::create_dir(&books).unwrap();
    std::fs::write(
        books.join("a.md"),
        "# A\n\n## One\n\n```bash\necho a\n```\n",
    )
    .unwrap();
    mkfifo(&books.join("b.md"));
    std::fs::write(
        books.join("c.md"),
        "# C\n\n## One\n\n```bash\necho c\n```\n",
    )
    .unwrap();

    let out = run_bounded(dir.path(), &["check", "books"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot read `books/b.md`: is a FIFO, not a regular file\n\
         checked 2 runbooks: 0 errors, 0 warnings, 1 unreadable\n"
    );

    let out = run_bounded(dir.path(), &["list", "books"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot read `books/b.md`: is a FIFO, not a regular file\n"
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("books/a.md") && listed.contains("books/c.md"),
        "{listed}"
    );
}
