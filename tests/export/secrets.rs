//! No secret leaves in any form: generated secrets (newlines, multi-byte characters, escape-like
//! bytes), printed several times among other output with colour codes put between their bytes,
//! translated by the terminal (`\n` as `\r\n`) and read in chunks cut at random bytes, go
//! through the real redactor; some of the cases then through the real log writer and every
//! export. The secret must appear nowhere: not as given, not stripped of escapes (as the
//! exports show output), not JSON-escaped (as the log holds it), and not in part: only the
//! secret holds the character [`RARE`], so finding it anywhere is a leak.

use std::fs;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use runbook::event::{Event, Mode, NoteKind, StepStatus};
use runbook::export::text::clean_output;
use runbook::export::{self, Format, compare};
use runbook::runner::Redactor;
use runbook::walk::approval::redact;

use crate::logs::{Builder, runbook as runbook_ref, started};

/// Redactor-only cases: cheap, so many.
const REDACTOR_CASES: u32 = 512;
/// Cases through the log and every export (each event is an fdatasync).
const EXPORT_CASES: u32 = 48;

/// Only the secret holds it, so any `Ж` in a result is a leak.
const RARE: &str = "Ж";

/// What a terminal program prints between characters without showing text.
const CODES: &[&str] = &[
    "\x1b[01;31m\x1b[K",
    "\x1b[m\x1b[K",
    "\x1b[0m",
    "\x1b[38;5;196m",
    "\x1b]8;;http://x/\x1b\\",
    "\x1b]0;t\x07",
    "\x1b(B",
    "\u{9b}4m",
    "\r",
    "\x00",
];

/// 2 to 62 bytes: ASCII, newlines, returns, escape-like bytes, multi-byte characters.
fn secret() -> impl Strategy<Value = String> {
    (
        "[a-z0-9\\n\\r\\x1b\\[\\];m\\x07é😀\\u{9b}-]{0,10}",
        "[a-z0-9\\n\\x1bé😀-]{0,5}",
    )
        .prop_map(|(a, b)| format!("{a}{RARE}{b}"))
}

/// Output around the secret: text, markup, multi-byte characters, colour codes.
fn filler() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 \\n\\t\\[\\];é😀<>&-]{0,30}",
        select(CODES).prop_map(str::to_string),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    secret: String,
    /// The secret is printed between each two of these.
    filler: Vec<String>,
    /// (index into [`CODES`], byte of the secret it goes before).
    codes: Vec<(usize, usize)>,
    /// Sizes of the chunks the output is read in (the rest comes at once).
    chunks: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        secret(),
        prop::collection::vec(filler(), 2..5),
        prop::collection::vec((0usize..CODES.len(), 0usize..64), 0..6),
        prop::collection::vec(1usize..40, 0..12),
    )
        .prop_map(|(secret, filler, codes, chunks)| Case {
            secret,
            filler,
            codes,
            chunks,
        })
}

/// The case's output as the pseudo-terminal hands it to the runner.
fn printed(c: &Case) -> Vec<u8> {
    let s = c.secret.as_bytes();
    let mut coloured = Vec::new();
    for (k, &b) in s.iter().enumerate() {
        if k > 0 {
            for &(code, _) in c.codes.iter().filter(|(_, at)| at % s.len() == k) {
                coloured.extend_from_slice(CODES[code].as_bytes());
            }
        }
        coloured.push(b);
    }
    let mut raw = Vec::new();
    for (k, f) in c.filler.iter().enumerate() {
        if k > 0 {
            raw.extend_from_slice(&coloured);
        }
        raw.extend_from_slice(f.as_bytes());
    }
    let mut tty = Vec::with_capacity(raw.len() + 16);
    for b in raw {
        if b == b'\n' {
            tty.push(b'\r');
        }
        tty.push(b);
    }
    tty
}

/// `tty` through a fresh redactor, read in `chunks`: what is shown and logged, and the count.
fn redacted(secret: &str, tty: &[u8], chunks: &[usize]) -> (Vec<u8>, u64) {
    let mut r = Redactor::new([secret]);
    let mut out = Vec::new();
    let mut rest = tty;
    for &n in chunks {
        let (now, later) = rest.split_at(n.min(rest.len()));
        r.push(now, &mut out);
        rest = later;
    }
    r.push(rest, &mut out);
    r.finish(&mut out);
    (out, r.redactions())
}

/// How `secret` appears in `text`, if it does.
fn leak(secret: &str, text: &str) -> Option<&'static str> {
    let stripped = clean_output(secret);
    let json = serde_json::to_string(secret).expect("json");
    [
        (secret, "as given"),
        (stripped.as_str(), "stripped of escapes"),
        (&json[1..json.len() - 1], "JSON-escaped"),
        (RARE, "in part"),
    ]
    .into_iter()
    // A form that lost the rare character (`-` stripped of its escapes) may be anyone's
    // text; `RARE` alone covers it.
    .find(|(form, _)| form.contains(RARE) && text.contains(form))
    .map(|(_, how)| how)
}

fn no_leak(secret: &str, what: &str, text: &str) -> Result<(), TestCaseError> {
    match leak(secret, text) {
        None => Ok(()),
        Some(how) => Err(TestCaseError::fail(format!(
            "the secret {secret:?} is in the {what} {how}:\n{text}"
        ))),
    }
}

fn redactor_case(c: &Case) -> Result<(), TestCaseError> {
    let tty = printed(c);
    let (out, count) = redacted(&c.secret, &tty, &c.chunks);
    // Occurrences next to each other may merge into one marker.
    prop_assert!(count >= 1);
    let shown = String::from_utf8_lossy(&out);
    no_leak(&c.secret, "output", &shown)?;
    no_leak(&c.secret, "cleaned output", &clean_output(&shown))?;
    // Where the chunks were cut changes nothing.
    prop_assert_eq!(redacted(&c.secret, &tty, &[]), (out, count));
    Ok(())
}

const STEPS: [(&str, &str); 1] = [("rotate", "Rotate the key")];

/// The case's output logged as a command's, and the secret typed in a note and a hand-off,
/// through the real writer; the log and every export must hold no form of the secret.
fn export_case(c: &Case) -> Result<(), TestCaseError> {
    let (out, redactions) = redacted(&c.secret, &printed(c), &c.chunks);
    let output = String::from_utf8_lossy(&out).into_owned();
    let secrets = [c.secret.clone()];
    let typed = format!("{}{}{}", c.filler[0], c.secret, c.filler[1]);
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("dir");
    let rb = runbook_ref("Key rotation", &STEPS);
    let mut b = Builder::new(dir.path(), "5ec2e75ec2e75ec2", "alice");
    b.at(0.0)
        .ev(started(rb, Mode::Live, "ops-1", Some("INC-7")))
        .ev(Event::StepStarted {
            step: 1,
            step_id: "rotate".into(),
            title: "Rotate the key".into(),
        })
        .ev(Event::CommandStarted {
            step: 1,
            command: 1,
            name: None,
            code: "grep --color=always \"$TOKEN\" creds\n".into(),
            cwd: "/srv".into(),
            runner: None,
            attempt: 1,
            placeholders: Vec::new(),
        })
        .at(2.0)
        .ev(Event::CommandFinished {
            step: 1,
            command: 1,
            exit_code: Some(0),
            signal: None,
            success: true,
            duration_ms: 2000,
            bytes: output.len() as u64,
            output,
            truncated: false,
            redactions,
            timed_out: false,
            interrupted: false,
            cwd_after: None,
            env_changed: Vec::new(),
        })
        .ev(Event::Note {
            step: Some(1),
            kind: NoteKind::Observation,
            text: redact(&typed, &secrets),
            at: None,
        })
        .ev(Event::Handoff {
            from: "alice".into(),
            to: redact(&typed, &secrets),
        })
        .at(3.0)
        .ev(Event::StepFinished {
            step: 1,
            step_id: "rotate".into(),
            status: StepStatus::Done,
            reason: None,
        })
        .ev(Event::SessionFinished {
            done: 1,
            skipped: 0,
            failed: 0,
            rehearsed: 0,
        });
    let path = b.finish(dir.path(), "secret.jsonl");
    no_leak(
        &c.secret,
        "log",
        &fs::read_to_string(&path).expect("read log"),
    )?;
    let timeline =
        export::build(vec![export::load_log(&path).expect("load log")]).expect("an exportable log");
    for format in [
        Format::Markdown,
        Format::Html,
        Format::Json,
        Format::AwsTimeline,
        Format::Slack,
    ] {
        let text = export::render(&timeline, format);
        no_leak(&c.secret, &format!("{format:?} export"), &text)?;
    }
    for enabled in [false, true] {
        let text = export::terminal::render(&timeline, runbook::terminal::Paint { enabled });
        no_leak(&c.secret, "timeline", &text)?;
    }
    let before =
        export::build(vec![export::load_log(&path).expect("load log")]).expect("an exportable log");
    let text = compare::render(
        "now",
        &timeline,
        &[compare::Run {
            label: "before",
            timeline: &before,
        }],
    );
    no_leak(&c.secret, "comparison", &text)
}

fn run(cases: u32, check: fn(&Case) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&case(), |c| check(&c)) {
        panic!("{e}");
    }
}

pub fn no_secret_survives_the_redactor_in_any_form() {
    run(REDACTOR_CASES, redactor_case);
}

pub fn no_secret_reaches_the_log_or_any_export() {
    run(EXPORT_CASES, export_case);
}

/// What the exports strip between two characters, the redactor skips: for random stretches of
/// escape-like text `g`, whenever `<a{g}b>` shows as `<ab>` in an export, the secret `ab` is
/// redacted in it (both read `g` from the ground state, after a character of text).
pub fn whatever_the_exports_strip_between_two_bytes_the_redactor_skips() {
    let piece = select(vec![
        "\x1b", "[", "]", "P", "_", "(", "#", "1", ";", "m", "K", "\x07", "\\", "\r", "\n", "\t",
        "x", " ", "\u{9b}", "\u{9c}", "\u{85}", "\0", "\x7f", "é",
    ]);
    let mut runner = TestRunner::new(Config {
        cases: 4096,
        failure_persistence: None,
        ..Config::default()
    });
    let stripped = std::cell::Cell::new(0u32);
    let result = runner.run(&prop::collection::vec(piece, 0..10), |g| {
        let text = format!("<a{}b>", g.concat());
        if clean_output(&text) != "<ab>" {
            return Ok(());
        }
        stripped.set(stripped.get() + 1);
        let (out, count) = redacted("ab", text.as_bytes(), &[]);
        prop_assert_eq!(
            (String::from_utf8_lossy(&out).into_owned(), count),
            ("<[REDACTED]>".to_string(), 1),
            "{:?}",
            text
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Enough of the cases are stretches the exports strip to test something.
    assert!(stripped.get() > 200, "{}", stripped.get());
}

/// The case the issue names: `grep --color=always` splits the secret with colour codes, and the
/// exports, which strip colours, printed it clean.
pub fn a_secret_coloured_by_grep_is_in_no_export() {
    let c = Case {
        secret: "abcdefЖ".into(),
        filler: vec!["line: ".into(), "\n".into()],
        codes: vec![(0, 2), (1, 4)],
        chunks: vec![3, 7, 1],
    };
    assert_eq!(
        printed(&c),
        "line: ab\x1b[01;31m\x1b[Kcd\x1b[m\x1b[KefЖ\r\n".as_bytes()
    );
    assert_eq!(
        redacted(&c.secret, &printed(&c), &c.chunks),
        (b"line: [REDACTED]\r\n".to_vec(), 1)
    );
    if let Err(e) = export_case(&c) {
        panic!("{e}");
    }
}
