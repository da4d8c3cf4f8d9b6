//! The end of a log can be proven: the head printed at a session's end, `verify --head`, and the
//! head signed with an SSH key (`--sign`), checked with `ssh-keygen -Y verify` alone and with
//! `verify --allowed-signers`. Dropped last lines and forged, rehashed chains fail both.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::resume_place::rewrite_chain;
use crate::run::{events, log_file};
use crate::test::Test;

const TINY: &str = "# Tiny\n\n## One\n```bash\necho one\n```\n\n## Two\n```bash\necho two\n```\n";

/// The head as a walk prints it: `seq` and sha256 of the line `seq`.
fn head_at(log: &Path, seq: usize) -> String {
    let text = fs::read_to_string(log).unwrap();
    let line = text.lines().nth(seq - 1).unwrap();
    format!("{seq}:{}", runbook::digest::sha256_hex(line.as_bytes()))
}

fn lines(log: &Path) -> usize {
    fs::read_to_string(log).unwrap().lines().count()
}

/// Removes the last `n` lines, as someone hiding the end of a walk would.
fn drop_last(log: &Path, n: usize) {
    let text = fs::read_to_string(log).unwrap();
    let kept: Vec<&str> = text.lines().collect();
    let kept = &kept[..kept.len() - n];
    fs::write(log, kept.join("\n") + "\n").unwrap();
}

/// Changes what command 1 printed and recomputes every hash: the plain chain verifies again.
fn forge(log: &Path) {
    rewrite_chain(log, |all| {
        for e in all.iter_mut() {
            if e["type"] == "command_finished" {
                e["output"] = "nothing to see\n".into();
            }
        }
    });
}

/// A walk of `TINY` with `--yes` plus `extra`; its directory and log.
fn walk(
    extra: &[&str],
    prepare: impl FnOnce(Test) -> Test,
) -> (tempfile::TempDir, PathBuf, String) {
    let test = prepare(Test::new().file("rb.md", TINY))
        .args(["run", "rb.md", "--yes"])
        .args(extra);
    let (out, dir) = test.run_keep();
    let log = log_file(dir.path());
    (dir, log, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn verify(log: &Path, extra: &[&str]) -> Test {
    Test::new()
        .args(["verify", log.to_str().unwrap()])
        .args(extra)
}

#[test]
fn a_walk_prints_its_head_and_verify_head_proves_it() {
    let (_dir, log, stderr) = walk(&[], |t| t);
    let n = lines(&log);
    let head = head_at(&log, n);
    assert!(
        stderr.ends_with(&format!(
            "incident log: {}\n  · log head: {head}\n",
            "incidents/".to_string() + log.file_name().unwrap().to_str().unwrap()
        )),
        "{stderr}"
    );
    let out = verify(&log, &["--head", &head]).run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.ends_with(&format!("\nok: the log reaches head {head}\n")),
        "{stdout}"
    );
    // An earlier head is reached too, with what follows it counted.
    let early = head_at(&log, 3);
    let out = verify(&log, &["--head", &early]).run();
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(&format!(
        "\nok: the log reaches head {early}; {} events after the head\n",
        n - 3
    )));
}

#[test]
fn dropped_last_lines_verify_alone_but_not_against_the_head() {
    let (_dir, log, _) = walk(&[], |t| t);
    let n = lines(&log);
    let head = head_at(&log, n);
    drop_last(&log, 2);
    verify(&log, &[]).run();
    verify(&log, &["--head", &head])
        .status(2)
        .stderr(&format!(
            "error: `{}`: the log ends at event {}, before the head {head}: its last 2 event(s) were dropped or never written\n",
            log.display(),
            n - 2
        ))
        .run();
}

#[test]
fn a_forged_and_rehashed_chain_verifies_alone_but_not_against_the_head() {
    let (_dir, log, _) = walk(&[], |t| t);
    let n = lines(&log);
    let head = head_at(&log, n);
    forge(&log);
    verify(&log, &[]).run();
    let (_, hash) = head.split_once(':').unwrap();
    verify(&log, &["--head", &head])
        .status(2)
        .stderr(&format!(
            "error: `{}`: event {n} has hash `{}`, not the head's `{hash}`: the log was rewritten up to there (events changed and the chain recomputed), or the head is another log's\n",
            log.display(),
            head_at(&log, n).split_once(':').unwrap().1
        ))
        .run();
}

#[test]
fn a_chain_broken_before_the_head_and_a_malformed_head_are_refused() {
    let (_dir, log, _) = walk(&[], |t| t);
    let n = lines(&log);
    let head = head_at(&log, n);
    let text = fs::read_to_string(&log).unwrap();
    fs::write(&log, text.replacen("echo one", "echo 0ne", 1)).unwrap();
    let out = verify(&log, &["--head", &head]).status(2).run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "is invalid, before the head {head}: `hash` does not match the line"
        )),
        "{stderr}"
    );
    verify(&log, &["--head", "12:abc"])
        .status(2)
        .stderr("error: `12:abc` is not a log head: expected SEQ:HASH, an event number and 64 hex digits, as a walk prints it (`log head: 42:9f3c…`)\n")
        .run();
}

/// An ed25519 key without passphrase, and an allowed_signers file naming it for alice.
fn key_in(dir: &Path, name: &str, principal: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is installed (scripts/test installs openssh-client)");
    assert!(status.success());
    let public = fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap();
    let mut fields = public.split_whitespace();
    let allowed = dir.join(format!("{name}.allowed_signers"));
    fs::write(
        &allowed,
        format!(
            "{principal} {} {}\n",
            fields.next().unwrap(),
            fields.next().unwrap()
        ),
    )
    .unwrap();
    (key, allowed)
}

/// The reviewer's own check: `ssh-keygen -Y verify ... < LOG.head`; its success.
fn ssh_keygen_verifies(log: &Path, allowed: &Path) -> bool {
    let head = PathBuf::from(format!("{}.head", log.display()));
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", "alice@example.com", "-n", "runbook-log", "-s"])
        .arg(format!("{}.head.sig", log.display()))
        .stdin(fs::File::open(head).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn a_signed_head_verifies_with_ssh_keygen_alone_and_with_allowed_signers() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = key_in(keys.path(), "alice", "alice@example.com");
    let (_dir, log, stderr) = walk(&["--sign", "--signing-key", key.to_str().unwrap()], |t| t);
    let n = lines(&log);
    let head = head_at(&log, n);
    let sig = format!("{}.head.sig", log.display());
    assert!(
        stderr.ends_with(&format!(
            "log head: {head}\n  · log head signed: incidents/{}.head.sig\n",
            log.file_name().unwrap().to_str().unwrap()
        )),
        "{stderr}"
    );
    let statement = fs::read_to_string(format!("{}.head", log.display())).unwrap();
    let session = events(&log)[0]["session"].as_str().unwrap().to_string();
    let (seq, hash) = head.split_once(':').unwrap();
    assert_eq!(
        statement,
        format!(
            "runbook incident log head\nlog: {}\nsession: {session}\nseq: {seq}\nhash: {hash}\n",
            log.file_name().unwrap().to_str().unwrap()
        )
    );
    assert!(ssh_keygen_verifies(&log, &allowed));
    let out = verify(&log, &["--allowed-signers", allowed.to_str().unwrap()]).run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.ends_with(&format!(
            "\nok: head {head} signed by alice@example.com (`{sig}`, namespace `runbook-log`)\nok: the log reaches head {head}\n"
        )),
        "{stdout}"
    );

    // The last line dropped: the signature still holds, the log no longer reaches the head.
    let whole = fs::read(&log).unwrap();
    drop_last(&log, 1);
    assert!(ssh_keygen_verifies(&log, &allowed));
    let out = verify(&log, &["--allowed-signers", allowed.to_str().unwrap()])
        .status(2)
        .run();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("its last 1 event(s) were dropped"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Forged and rehashed: found, though `verify` alone passes.
    fs::write(&log, &whole).unwrap();
    forge(&log);
    verify(&log, &[]).run();
    let out = verify(&log, &["--allowed-signers", allowed.to_str().unwrap()])
        .status(2)
        .run();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the log was rewritten up to there"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A forger who also rewrites the statement breaks the signature.
    let head_file = format!("{}.head", log.display());
    fs::write(
        &head_file,
        statement.replace(hash, &head_at(&log, n)[seq.len() + 1..]),
    )
    .unwrap();
    assert!(!ssh_keygen_verifies(&log, &allowed));
    verify(&log, &["--allowed-signers", allowed.to_str().unwrap()])
        .status(2)
        .stderr(&format!(
            "error: the signature `{sig}` is bad: signature verification failed: incorrect signature\n"
        ))
        .run();
}

#[test]
fn a_signer_not_allowed_and_an_unsigned_log_are_refused() {
    let keys = tempfile::tempdir().unwrap();
    let (key, _) = key_in(keys.path(), "mallory", "mallory@example.com");
    let (_, allowed) = key_in(keys.path(), "alice", "alice@example.com");
    // RUNBOOK_SIGNING_KEY alone asks for signing.
    let (_dir, log, _) = walk(&[], |t| t.env("RUNBOOK_SIGNING_KEY", key.to_str().unwrap()));
    let sig = format!("{}.head.sig", log.display());
    verify(&log, &["--allowed-signers", allowed.to_str().unwrap()])
        .status(2)
        .stderr(&format!(
            "error: the signature `{sig}` is not by a key in `{}`: signer not allowed\n",
            allowed.display()
        ))
        .run();
    let (_dir, log, _) = walk(&[], |t| t);
    verify(&log, &["--allowed-signers", allowed.to_str().unwrap()])
        .status(2)
        .stderr(&format!(
            "error: `{}.head` is missing: the log's head was not signed (walk with --sign)\n",
            log.display()
        ))
        .run();
}

#[test]
fn signing_problems_are_said_before_the_walk_or_leave_the_log_whole() {
    // A key that cannot be read: refused before anything runs, no log.
    let (out, dir) = Test::new()
        .file("rb.md", TINY)
        .args(["run", "rb.md", "--yes", "--signing-key", "nokey"])
        .status(2)
        .stderr("error: cannot read the signing key `nokey`: no such file or directory\n")
        .run_keep();
    assert!(out.stdout.is_empty());
    assert!(!dir.path().join("incidents").exists());
    // No ssh-keygen: likewise.
    Test::new()
        .file("rb.md", TINY)
        .file("key", "x")
        .env("PATH", "/nonexistent")
        .args(["run", "rb.md", "--yes", "--signing-key", "key"])
        .status(2)
        .stderr("error: `ssh-keygen` is not installed (it comes with OpenSSH, package `openssh-client`): log heads cannot be signed or checked\n")
        .run();
    // A file that is no key: likewise.
    Test::new()
        .file("rb.md", TINY)
        .file("key", "not a key\n")
        .args(["run", "rb.md", "--yes", "--signing-key", "key"])
        .status(2)
        .stderr("error: cannot read the signing key `key`: not an SSH key (ssh-keygen: key is not a public key file.)\n")
        .run();
    // A public key whose private half is neither beside it nor in ssh-agent: signing fails at the
    // end; the walk ended, its log is whole, and the exit code says the signature is missing.
    let keys = tempfile::tempdir().unwrap();
    let (key, _) = key_in(keys.path(), "alice", "alice@example.com");
    let public = fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    let (_dir, log, stderr) = walk(&["--signing-key", "lone.pub"], |t| {
        t.file("lone.pub", &public)
            .env("SSH_AUTH_SOCK", "/nonexistent")
            .status(2)
    });
    assert_eq!(events(&log).last().unwrap()["type"], "session_finished");
    verify(&log, &[]).run();
    assert!(
        stderr.contains("  ✘ the log is complete, but its head is not signed: ssh-keygen could not sign with `lone.pub`: "),
        "{stderr}"
    );
    assert!(!PathBuf::from(format!("{}.head", log.display())).exists());
}

#[test]
fn resume_signs_the_new_head_of_the_same_log() {
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = key_in(keys.path(), "alice", "alice@example.com");
    let flaky =
        "# Flaky\n\n## One\n```bash\necho one\n```\n\n## Two\n```bash\ntest -f marker\n```\n";
    let (out, dir) = Test::new()
        .file("rb.md", flaky)
        .args([
            "run",
            "rb.md",
            "--yes",
            "--signing-key",
            key.to_str().unwrap(),
        ])
        .status(1)
        .run_keep();
    let log = log_file(dir.path());
    let first = head_at(&log, lines(&log));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("log head: {first}\n")));
    verify(&log, &["--allowed-signers", allowed.to_str().unwrap()]).run();
    fs::write(dir.path().join("marker"), "").unwrap();
    let out = Test::new()
        .in_dir(dir.path())
        .args(["resume", log.to_str().unwrap(), "--yes", "--sign"])
        .env("RUNBOOK_SIGNING_KEY", key.to_str().unwrap())
        .run();
    let last = head_at(&log, lines(&log));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("log head: {last}\n")));
    let out = verify(&log, &["--allowed-signers", allowed.to_str().unwrap()]).run();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with(&format!("ok: the log reaches head {last}\n"))
    );
    let resumed = events(&log)
        .into_iter()
        .find(|e| e["type"] == "session_resumed")
        .unwrap();
    let statement = fs::read_to_string(format!("{}.head", log.display())).unwrap();
    assert!(statement.contains(&format!(
        "session: {}\n",
        resumed["session"].as_str().unwrap()
    )));
    // The earlier head is still reached, with the resumed session's events after it.
    verify(&log, &["--head", &first]).run();
}

/// A pseudo-terminal as an operator's: colours on, a 256-colour `TERM`.
fn spawn_pty(dir: &Path, args: &[&str]) -> expectrl::session::OsSession {
    let mut command = Command::new(crate::test::BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("RUNBOOK_SIGNING_KEY")
        .env("USER", "oncall")
        .env("TERM", "xterm-256color");
    crate::pty::spawn(command, 80, 24)
}

#[test]
fn a_pause_at_the_terminal_prints_the_head_and_signs_with_a_passphrase_key() {
    use expectrl::{Eof, Expect, Regex};
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), TINY).unwrap();
    let key = dir.path().join("key");
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "correct horse",
            "-C",
            "alice",
            "-f",
        ])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let mut p = spawn_pty(dir.path(), &["run", "rb.md", "--signing-key", "key"]);
    p.expect("(Enter: run)").unwrap();
    p.send("\r").unwrap();
    p.expect("Step 2/2").unwrap();
    p.expect("(Enter: run)").unwrap();
    p.send("q").unwrap();
    p.expect("Pause the walk?").unwrap();
    p.send("y").unwrap();
    let shown = p.expect(Regex("log head: [0-9]+:[0-9a-f]{64}")).unwrap();
    let shown = String::from_utf8_lossy(shown.get(0).unwrap()).into_owned();
    // ssh-keygen asks for the key's passphrase on the operator's terminal.
    p.expect("passphrase").unwrap();
    p.send_line("correct horse").unwrap();
    p.expect("log head signed").unwrap();
    p.expect(Eof).ok();
    let code = p.get_process().wait().unwrap();
    assert!(format!("{code:?}").ends_with(", 3)"), "{code:?}");
    let log = log_file(dir.path());
    assert_eq!(shown, format!("log head: {}", head_at(&log, lines(&log))));
    let public = fs::read_to_string(dir.path().join("key.pub")).unwrap();
    let mut fields = public.split_whitespace();
    let allowed = dir.path().join("allowed");
    let (kind, blob) = (fields.next().unwrap(), fields.next().unwrap());
    fs::write(&allowed, format!("alice@example.com {kind} {blob}\n")).unwrap();
    assert!(ssh_keygen_verifies(&log, &allowed));
}
