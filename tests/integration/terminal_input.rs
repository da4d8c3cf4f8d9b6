//! The walk in a real pseudo-terminal as an operator's terminal has it (`TERM=xterm-256color`,
//! colours on): type-ahead, Ctrl-C and `q` at prompts, end of input, control characters in a
//! runbook, stdin under `--yes`.

use std::fs;
use std::path::Path;
use std::process::Command;

use expectrl::{Eof, Expect};

use crate::run::{events, log_file};
use crate::test::BIN;

/// A walk in a fresh pseudo-terminal of `cols` columns, keeping everything it wrote.
pub struct Term {
    pub session: expectrl::session::OsSession,
    /// Everything read so far, escape sequences included.
    pub seen: Vec<u8>,
}

impl Term {
    /// `runbook ARGS` in `dir`, as an operator's terminal runs it: colours on, 256 colours.
    pub fn spawn(dir: &Path, args: &[&str], cols: u16) -> Term {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .env_remove("RUNBOOK_LOG_DIR")
            .env("USER", "oncall")
            .env("TERM", "xterm-256color");
        let session = crate::pty::spawn(command, cols, 40);
        Term {
            session,
            seen: Vec::new(),
        }
    }

    /// Waits for `text`, keeping what came before it.
    pub fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => {
                self.seen.extend_from_slice(found.before());
                self.seen.extend_from_slice(text.as_bytes());
            }
            Err(e) => {
                // What came after the last match, unmatched, to show why.
                let mut buf = [0u8; 4096];
                while let Ok(n) = self.session.try_read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    self.seen.extend_from_slice(&buf[..n]);
                }
                panic!(
                    "waiting for {text:?}: {e}\n--- seen so far:\n{}",
                    String::from_utf8_lossy(&self.seen)
                )
            }
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
    }

    /// Reads to the end and returns the exit code.
    pub fn exit_code(&mut self) -> i32 {
        if let Ok(rest) = self.session.expect(Eof) {
            self.seen.extend_from_slice(rest.before());
            self.seen.extend_from_slice(rest.get(0).unwrap_or_default());
        }
        // `Exited(Pid(123), 3)`: the status type is not re-exported by expectrl.
        let status = format!(
            "{:?}",
            self.session.get_process().wait().expect("wait for runbook")
        );
        status
            .strip_prefix("Exited(")
            .and_then(|s| s.trim_end_matches(')').rsplit(", ").next())
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("runbook ended with {status}"))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// Twenty steps, each a `confirm` command that takes a moment.
fn slow_confirms(n: usize) -> String {
    let mut text = String::from("# Patience\n");
    for k in 1..=n {
        text.push_str(&format!(
            "\n## Wait {k}\n```bash {{confirm}}\nsleep 0.25; echo ran-$((40 + {k}))\n```\n"
        ));
    }
    text
}

#[test]
fn keys_typed_while_a_command_runs_never_answer_the_next_prompt_twenty_times_in_a_row() {
    const N: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), slow_confirms(N)).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 120);
    for k in 1..=N {
        t.expect(&format!("── Step {k}/{N}"));
        t.expect("(Enter: run)");
        // Had the keys typed during the last command been read, Enter would have run this step's
        // command and `y` confirmed it: `?` would then not show the help at this menu.
        t.send("?");
        t.expect("show what each key does");
        t.expect("(Enter: run)");
        t.send("\r");
        t.expect("[y/N]");
        t.send("y");
        t.expect("running command 1");
        // While it sleeps: Enter, `y`, `a`, and what a terminal answers to an XTVERSION query.
        t.send("\r");
        t.send("y");
        t.send("a");
        t.send("\x1bP>|tmux 3.2a\x1b\\");
        t.expect(&format!("ran-{}", 40 + k));
        t.expect("command 1 exit 0");
    }
    t.expect("walk finished");
    assert_eq!(t.exit_code(), 0);
    let all = events(&log_file(dir.path()));
    let started: Vec<u64> = all
        .iter()
        .filter(|e| e["type"] == "command_started")
        .map(|e| e["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(started, vec![1; N], "each command ran once, when asked");
    assert!(!all.iter().any(|e| e["type"] == "command_skipped"));
}

#[test]
fn keys_and_ctrl_c_during_a_command_leave_no_echo_and_no_spinner_behind() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rb.md"),
        "# Spin\n\n## Wait\n```bash\nsleep 5; echo waited\n```\n",
    )
    .unwrap();
    // 40 columns: the spinner line fills it, so one echoed byte would wrap it into the scrollback.
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 40);
    t.expect("(Enter: run)");
    t.send("\r");
    t.expect("running 1s");
    let before = t.seen.len();
    t.send("sq");
    t.expect("running 2s");
    t.send("\x03");
    t.expect("interrupted after");
    t.expect("(Enter: retry)");
    let during = String::from_utf8_lossy(&t.seen[before..]).into_owned();
    assert!(
        !during.contains("sq") && !during.contains("^C"),
        "the operator's terminal echoed keys over the spinner: {during:?}"
    );
    // The spinner's line is cleared (`\r` + erase line) before the verdict is written on it.
    let verdict = during.find("interrupted after").unwrap();
    let last_spinner = during[..verdict].rfind("running ").unwrap();
    assert!(
        during[last_spinner..verdict].contains("\r\x1b[2K"),
        "the spinner was not cleared: {during:?}"
    );
    t.send("q");
    t.expect("Pause the walk");
    t.send("y");
    assert_eq!(t.exit_code(), 3);
}

const CONFIRM: &str =
    "# Careful\n\n## Touch\n```bash {confirm}\ntouch confirmed\n```\n\n## Then\nRead this.\n";

#[test]
fn ctrl_c_and_q_at_a_prompt_ask_to_pause_and_a_pause_is_resumable() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), CONFIRM).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 120);
    // Ctrl-C at the menu, then "no": the same menu again.
    t.expect("(Enter: run)");
    t.send("\x03");
    t.expect("Pause the walk?");
    t.expect("[y/N]");
    t.send("n");
    t.expect("(Enter: run)");
    // Ctrl-C at the confirmation, and Ctrl-C again: paused, nothing confirmed.
    t.send("\r");
    t.expect("Run command 1 as shown?");
    t.send("\x03");
    t.expect("Pause the walk?");
    t.send("\x03");
    t.expect("walk paused: paused by the operator (Ctrl-C)");
    t.expect("continue with: runbook resume");
    assert_eq!(t.exit_code(), 3);
    assert!(!dir.path().join("confirmed").exists());
    let log = log_file(dir.path());
    let last = events(&log).pop().unwrap();
    assert_eq!(last["type"], "session_paused");
    assert_eq!(last["reason"], "paused by the operator (Ctrl-C)");

    // `q` asks too; Ctrl-C at a text question asks, and "no" asks the question again.
    let mut t = Term::spawn(dir.path(), &["resume", log.to_str().unwrap()], 120);
    t.expect("(Enter: run)");
    t.send("q");
    t.expect("Pause the walk?");
    t.send("n");
    t.expect("(Enter: run)");
    t.send("s");
    t.expect("Why skip this step?");
    t.send("\x03");
    t.expect("Pause the walk?");
    t.send("n");
    t.expect("Why skip this step?");
    t.send("not today\r");
    t.expect("step 1 skipped");
    t.expect("── Step 2/2");
    t.expect("(Enter: done by hand)");
    t.send("q");
    t.expect("Pause the walk?");
    t.send("y");
    t.expect("walk paused: paused by the operator");
    assert_eq!(t.exit_code(), 3);

    // Ctrl-D at a menu: end of input pauses the walk, resumable, and says so.
    let mut t = Term::spawn(dir.path(), &["resume", log.to_str().unwrap()], 120);
    t.expect("(Enter: done by hand)");
    t.send("\x04");
    t.expect("walk paused: end of input (Ctrl-D, or the terminal closed)");
    t.expect("continue with: runbook resume");
    assert_eq!(t.exit_code(), 3);
    let reasons: Vec<String> = events(&log)
        .iter()
        .filter(|e| e["type"] == "session_paused")
        .map(|e| e["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "paused by the operator (Ctrl-C)",
            "paused by the operator",
            "end of input (Ctrl-D, or the terminal closed)"
        ]
    );
    for e in events(&log) {
        crate::test::assert_valid("incident-log.schema.json", &e);
    }
}

#[test]
fn escape_bytes_in_a_command_are_shown_in_the_step_and_at_every_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = "# Tidy\n\n## Clean up\n```bash {confirm}\necho tidy \x1b[2K\rrm -rf ./gone\n```\n\n## Then\n```bash {danger}\necho fine \x1b[8mhidden\x1b[0m\n```\n";
    fs::write(dir.path().join("rb.md"), hidden).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 120);
    t.expect("echo tidy ^[[2K^Mrm -rf ./gone");
    t.expect("(Enter: run)");
    t.send("\r");
    // The approval shows the whole command, control characters visible.
    t.expect("Approve · step 1 · command 1 · confirm");
    t.expect("echo tidy ^[[2K^Mrm -rf ./gone");
    t.expect("Run command 1 as shown?");
    t.send("n");
    t.expect("(Enter: run)");
    t.send("s");
    t.expect("Why skip this step?");
    t.send("later\r");
    t.expect("── Step 2/2");
    t.expect("(Enter: run)");
    t.send("\r");
    t.expect("echo fine ^[[8mhidden^[[0m");
    t.expect("DANGER: type `yes`");
    t.send("\x03");
    t.expect("Pause the walk?");
    t.send("y");
    assert_eq!(t.exit_code(), 3);
    let text = t.text();
    assert!(!text.contains("\x1b[2K\r"), "{text:?}");
    assert!(!text.contains("\x1b[8m"), "{text:?}");
    // The walk's own colours are on.
    assert!(text.contains("\x1b[1m── Step 1/2"), "{text:?}");
}

#[test]
fn under_yes_a_command_reading_stdin_twice_finishes_in_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("rb.md"),
        "# Reads\n\n## Twice\n```bash {timeout=10s interactive=false}\nread a; read b; echo \"done-$((6 * 7))\"\n```\n",
    )
    .unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md", "--yes"], 120);
    t.expect("done-42");
    t.expect("walk finished");
    assert_eq!(t.exit_code(), 0);
}

/// `text` without CSI escape sequences, split into the lines a terminal shows.
fn screen_lines(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for c in chars.by_ref().skip(1) {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        } else if c != '\r' {
            plain.push(c);
        }
    }
    plain.lines().map(str::to_string).collect()
}

fn columns(line: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    line.width()
}

const LONG: &str = "https://wiki.example.com/databases/aurora/failover-procedure-with-proxysql";

const PROSE: &str = "# Failover\n\n## Fail over the primary database cluster of the voice platform\nImpact: writes fail for 30-60 seconds while the writer moves; read the [failover guide](https://wiki.example.com/databases/aurora/failover-procedure-with-proxysql) and get approval from the incident commander before you start.\n\n1. Work from the bastion host, never from a laptop connected to the VPN\n2. 東京リージョンの書き込みが数秒間失敗します。アプリケーションの再試行を確認してください。\n\n```bash {readonly}\necho checked\n```\n";

#[test]
fn prose_and_the_menu_fit_60_and_120_columns_and_a_rehearsal_says_so_on_every_step() {
    for cols in [60u16, 120] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("rb.md"), PROSE).unwrap();
        let mut t = Term::spawn(dir.path(), &["run", "rb.md", "--rehearse"], cols);
        t.expect("(Enter: done by hand)");
        t.expect("› ");
        let width = usize::from(cols);
        let lines = screen_lines(&t.text());
        for line in &lines {
            if !line.trim().contains(' ') {
                continue; // a word longer than a line (a URL, an id) is kept whole, on its own line
            }
            assert!(
                columns(line) <= width,
                "{} columns > {width}: {line:?}\n{}",
                columns(line),
                lines.join("\n")
            );
        }
        let text = lines.join("\n");
        // Words are whole; a list item hangs under its text; the menu keeps its labels whole.
        for word in [
            "approval",
            "commander",
            "bastion",
            "connected",
            "(Enter: done by hand) ›",
            "d done by hand",
            "h hand over",
        ] {
            assert!(text.contains(word), "{word:?} at {cols} columns:\n{text}");
        }
        if cols == 60 {
            assert!(
                lines.iter().any(|l| l.trim() == format!("<{LONG}>")),
                "{text}"
            );
            assert!(
                text.contains("  1. Work from the bastion host, never from a laptop\n     connected to the VPN"),
                "{text}"
            );
        }
        // The rehearsal banner, coloured, above the step.
        assert!(
            t.text().contains("\x1b[1;30;43m REHEARSAL \x1b[0m"),
            "{:?}",
            t.text()
        );
        // Both checklist items by hand, then the `readonly` command runs, rehearsal or not.
        t.send("\r");
        t.expect("(Enter: done by hand)");
        t.send("\r");
        t.expect("(Enter: run)");
        t.send("\r");
        t.expect("command 1 exit 0");
        t.expect("walk finished");
        assert_eq!(t.exit_code(), 0);
    }

    // Without colour the banner is in words, and a live walk has none.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rb.md"), PROSE).unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["run", "rb.md", "--rehearse"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm-256color");
    let mut session = crate::pty::spawn(command, 80, 24);
    session
        .expect("[REHEARSAL: only `readonly` commands run]\r\n── Step 1/1")
        .unwrap();
    // Keys count once the menu shows (before, they are type-ahead, discarded).
    session.expect("(Enter: done by hand) › ").unwrap();
    session.send("q").unwrap();
    session.expect("Pause the walk?").unwrap();
    session.send("y").unwrap();
    session.expect(Eof).unwrap();
    let mut t = Term::spawn(dir.path(), &["run", "rb.md"], 120);
    t.expect("(Enter: done by hand)");
    assert!(!t.text().contains("REHEARSAL"));
    t.send("q");
    t.expect("Pause the walk?");
    t.send("y");
    assert_eq!(t.exit_code(), 3);
}
