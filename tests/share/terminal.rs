//! A shared walk in a real pseudo-terminal, as an operator meets it: TERM=xterm-256color, colours
//! on, the incident id asked at the keyboard, and the step header saying how sharing stands while
//! the network swallows requests and then comes back.

use std::path::Path;

use expectrl::Expect;

use super::forwarder::Forwarder;
use super::{PATIENCE, assert_streams_match_log, the_log, unique, upstream, wait_for};
use crate::emulator::Shared;

type Pty = expectrl::session::OsSession;

/// `runbook ARGS` in a fresh pty in `dir`, as an operator's terminal runs it.
fn spawn(dir: &Path, endpoint: &str, args: &[&str]) -> Pty {
    let mut session = crate::pty::spawn_aws(dir, endpoint, args, true);
    session.set_expect_timeout(Some(PATIENCE));
    session
}

/// Everything the pty printed up to and including `text`, without colour and cursor escapes.
fn until(p: &mut Pty, text: &str) -> String {
    match p.expect(text) {
        Ok(found) => strip_ansi(&String::from_utf8_lossy(found.before())) + text,
        Err(e) => panic!("`{text}` not on screen within {PATIENCE:?}: {e}"),
    }
}

pub fn a_terminal_walk_asks_for_the_incident_and_its_header_follows_the_network(emu: &Shared) {
    let dir = tempfile::tempdir().unwrap();
    // Step 1 runs long enough for its lines to wait over 2 s in a stalled request.
    std::fs::write(
        dir.path().join("rb.md"),
        "# Shared by hand\n\n## Look\n```bash\nsleep 2.5; echo looked\n```\n\n## Fix\n```bash\necho fixing\n```\n\n## Check\n```bash\necho checked\n```\n",
    )
    .unwrap();
    let group = unique("/runbook/pty");
    let incident = unique("INC-PTY");
    let net = Forwarder::stalled_at_start(&upstream(emu));
    let mut p = spawn(
        dir.path(),
        &net.url(),
        &[
            "run",
            "rb.md",
            "--share",
            "--share-group",
            &group,
            "--aws-timeout",
            "60s",
            "--share-timeout",
            "20s",
        ],
    );
    // Asked again until the id can name a stream.
    until(&mut p, "incident id to share this walk under");
    p.send("INC/7\r").unwrap();
    until(&mut p, "holds `/`");
    until(&mut p, "incident id to share this walk under");
    p.send(format!("{incident}\r")).unwrap();
    let header = until(&mut p, "(Enter: run)");
    assert!(header.contains("Step 1/3"), "{header}");
    assert!(
        header.contains("shared") && !header.contains("behind"),
        "{header}"
    );
    p.send("\r").unwrap();
    until(&mut p, "looked");
    // The walk's lines have waited over 2 s in a request the network swallowed.
    let header = until(&mut p, "(Enter: run)");
    assert!(header.contains("Step 2/3"), "{header}");
    assert!(
        says_behind(&header),
        "the header says how far sharing is behind: {header}"
    );
    assert!(net.held() >= 1, "a request was held unanswered");
    // The network fails outright: the next header says since when it is offline.
    net.cut();
    wait_for("the walk to find the network cut", || net.refused() >= 1);
    p.send("\r").unwrap();
    until(&mut p, "fixing");
    let header = until(&mut p, "(Enter: run)");
    assert!(header.contains("Step 3/3"), "{header}");
    assert!(
        header.contains("offline since "),
        "the header says the walk is offline: {header}"
    );
    // The network returns; the walk's end waits for the backlog and says where it went.
    net.restore();
    p.send("\r").unwrap();
    until(&mut p, "checked");
    let end = until(&mut p, &format!("{incident}/"));
    assert!(end.contains("shared "), "{end}");
    assert_eq!(crate::pty::exit_code(&mut p), Some(0));
    assert_streams_match_log(emu, &group, &incident, &the_log(dir.path()));
}

/// `text` without its colour and cursor escapes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether `text` holds `shared · N behind` with N at least 1.
fn says_behind(text: &str) -> bool {
    text.match_indices("shared · ").any(|(at, found)| {
        let rest = &text[at + found.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(" behind") && !rest.starts_with('0')
    })
}
