//! The command line as users read it: `--help` (with the walk's keys), shell completions and the
//! manual, generated from the clap definitions and the walk's action table so they never drift.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use clap::{Command, CommandFactory, FromArgMatches};
use roff::{Roff, bold, roman};

use crate::cli::Cli;
use crate::error::Error;
use crate::walk::actions::{Action, NOTE_KEYS, Recovery};

/// Subcommands that walk a runbook, whose help and pages list the keys.
const WALKS: [&str; 2] = ["run", "resume"];

/// The command line: clap's definitions, with the walk's keys after `run --help` and `resume --help`.
pub fn command() -> Command {
    let mut command = Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    // `mut_subcommand` moves a subcommand to the end: touching each in order keeps clap's order.
    for name in names {
        let walks = WALKS.contains(&name.as_str());
        command = command.mut_subcommand(name, |c| {
            if walks {
                c.after_help(keys_summary()).after_long_help(keys_text())
            } else {
                c
            }
        });
    }
    command
}

/// Parses the process's arguments (exits with clap's message and code 2 on a usage error).
pub fn parse_args() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// One line for `-h`: the keys, without their help.
fn keys_summary() -> String {
    let keys: Vec<String> = Action::ALL
        .iter()
        .map(|a| format!("{} {}", a.key(), a.label()))
        .collect();
    format!(
        "Keys at each step: {} (--help explains each)",
        keys.join(" · ")
    )
}

/// What each key does, for `--help`.
fn keys_text() -> String {
    let mut text = String::from("Keys at each step:\n");
    for a in Action::ALL {
        let _ = writeln!(text, "  {}  {:<13} {}", a.key(), a.label(), a.help());
    }
    let _ = writeln!(text, "\nAfter a failed command: {}", recovery_line());
    let _ = write!(text, "Kinds of note (after n): {}", note_line());
    text
}

fn recovery_line() -> String {
    Recovery::ALL
        .iter()
        .map(|r| format!("{} {}", r.key(), r.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn note_line() -> String {
    NOTE_KEYS
        .iter()
        .map(|(kind, key)| format!("{key} {}", kind.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), Error> {
    let mut command = command();
    clap_complete::generate(shell, &mut command, "runbook", out);
    Ok(())
}

/// The manual: to `out` as one page covering every subcommand in full, or with `dir` as one page
/// per subcommand (`runbook.1`, `runbook-run.1`, ...), each file named on `err`.
pub fn man(dir: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let mut root = command().disable_help_subcommand(true);
    root.build();
    let Some(dir) = dir else {
        return Ok(out.write_all(&whole_page(&root)?)?);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::WriteFile {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut pages = vec![("runbook.1".to_string(), root_page(&root)?)];
    for sub in subcommands(&root) {
        let name = format!("runbook-{}", sub.get_name());
        let page = sub_page(sub)?;
        pages.push((format!("{name}.1"), page));
    }
    for (file, page) in pages {
        let path = dir.join(file);
        std::fs::write(&path, page).map_err(|e| Error::WriteFile {
            path: path.clone(),
            source: e,
        })?;
        writeln!(err, "wrote {}", path.display())?;
    }
    Ok(())
}

fn subcommands(root: &Command) -> impl Iterator<Item = &Command> {
    root.get_subcommands().filter(|s| !s.is_hide_set())
}

/// `runbook man`: the root page, then each subcommand's synopsis, description and options.
fn whole_page(root: &Command) -> Result<Vec<u8>, Error> {
    let man = manual(root.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in subcommands(root) {
        let man = manual(sub.clone());
        let mut roff = Roff::new();
        roff.control("SS", [format!("runbook {}", sub.get_name()).as_str()]);
        roff.to_writer(&mut page)?;
        // Sections of the subcommand's own page, as paragraphs of this one.
        for part in [
            render(|w| man.render_synopsis_section(w))?,
            render(|w| man.render_description_section(w))?,
            render(|w| man.render_options_section(w))?,
        ] {
            page.extend(without_heading(&part));
        }
        if WALKS.contains(&sub.get_name()) {
            page.extend_from_slice(b".PP\nThe keys of the walk are listed under KEYS below.\n");
        }
    }
    common_sections(&mut page, true)?;
    man.render_version_section(&mut page)?;
    Ok(once_preamble(&page))
}

/// `runbook.1` of `--dir`.
fn root_page(root: &Command) -> Result<Vec<u8>, Error> {
    let man = manual(root.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    common_sections(&mut page, true)?;
    man.render_version_section(&mut page)?;
    Ok(once_preamble(&page))
}

/// `runbook-NAME.1` of `--dir`.
fn sub_page(sub: &Command) -> Result<Vec<u8>, Error> {
    let man = manual(sub.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    common_sections(&mut page, WALKS.contains(&sub.get_name()))?;
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"])
        .text([bold("runbook"), roman("(1)")]);
    roff.to_writer(&mut page)?;
    Ok(once_preamble(&page))
}

/// A page of section 1 whose footer names the program and version, not the subcommand.
fn manual(command: Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("runbook {}", env!("CARGO_PKG_VERSION")))
}

fn render(f: impl FnOnce(&mut dyn Write) -> Result<(), std::io::Error>) -> Result<Vec<u8>, Error> {
    let mut part = Vec::new();
    f(&mut part)?;
    Ok(part)
}

/// A section's body without its `.SH` line, to nest it under a `.SS`.
fn without_heading(part: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(part);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| if l.starts_with(".SH") { ".PP" } else { l })
        .collect();
    let mut body = lines.join("\n");
    body.push('\n');
    body.into_bytes()
}

/// Every rendered part opens with roff's apostrophe set-up; the page needs it once, at the top.
fn once_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut seen = [false; 2];
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let which = if line.starts_with(".ie \\n(.g ") {
            Some(0)
        } else if line.starts_with(".el .ds Aq ") {
            Some(1)
        } else {
            None
        };
        if let Some(i) = which {
            if seen[i] {
                continue;
            }
            seen[i] = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// KEYS (for pages that walk), EXIT STATUS and ENVIRONMENT.
fn common_sections(page: &mut Vec<u8>, keys: bool) -> Result<(), Error> {
    let mut roff = Roff::new();
    if keys {
        roff.control("SH", ["KEYS"]).text([roman(
            "At each step of a walk one key picks what happens next:",
        )]);
        for a in Action::ALL {
            roff.control("TP", ["16"])
                .text([bold(a.key().to_string()), roman(format!("  {}", a.label()))])
                .text([roman(a.help())]);
        }
        roff.control("PP", [] as [&str; 0]).text([roman(format!(
            "After a failed command: {}.",
            recovery_line()
        ))]);
        roff.control("PP", [] as [&str; 0])
            .text([roman(format!("Kinds of note (after n): {}.", note_line()))]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_CODES {
        roff.control("TP", [] as [&str; 0])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in ENVIRONMENT {
        roff.control("TP", [] as [&str; 0])
            .text([bold(name)])
            .text([roman(meaning)]);
    }
    roff.to_writer(page)?;
    Ok(())
}

const EXIT_CODES: [(&str, &str); 5] = [
    (
        "0",
        "success: every step finished and none failed (check: no errors)",
    ),
    (
        "1",
        "a runbook has errors, a step or a command failed, or a lookup breached its expectation",
    ),
    (
        "2",
        "usage error, no terminal for a walk, a file or log that cannot be read or written, a log that does not reach its head (verify --head), or a head signature that is bad or could not be made",
    ),
    (
        "3",
        "the walk was paused by the operator (q or Ctrl-C); runbook resume LOG continues it",
    ),
    (
        "128+n",
        "a walk ended by signal n: 143 SIGTERM, 129 SIGHUP (the terminal closed), 131 SIGQUIT (Ctrl-\\); the running command was stopped and both ends logged (session_paused, reason signal); runbook resume LOG continues it",
    ),
];

const ENVIRONMENT: [(&str, &str); 10] = [
    (
        "RUNBOOK_LOG_DIR",
        "where incident logs go (default ./incidents)",
    ),
    (
        "USER",
        "the operator's name when --operator is not given (unset: the account name)",
    ),
    ("NO_COLOR", "when set and not empty, no colours"),
    (
        "AWS_PROFILE, AWS_REGION",
        "the AWS profile and default region for lookups and guard alarms",
    ),
    (
        "AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH",
        "another CloudWatch endpoint (an emulator, a VPC endpoint)",
    ),
    (
        "VISUAL, EDITOR",
        "the editor the walk's e key opens to change a command before it runs",
    ),
    (
        "TERM",
        "the terminal type; dumb turns off spinners and colours",
    ),
    (
        "RUNBOOK_SIGNING_KEY",
        "an SSH key that signs the log's head at each session end of run and resume (as --signing-key)",
    ),
    (
        "RUNBOOK_SHARE, RUNBOOK_SHARE_GROUP",
        "share walks through CloudWatch Logs (1: as --share) and the log group (as --share-group)",
    ),
    (
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        "another CloudWatch Logs endpoint for sharing",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_help_lists_every_key_with_its_help() {
        let mut command = command();
        let help = command
            .find_subcommand_mut("run")
            .expect("run")
            .render_long_help()
            .to_string();
        for a in Action::ALL {
            assert!(
                // clap wraps long help lines at the terminal's width: the start is enough.
                help.contains(&format!(
                    "  {}  {:<13} {}",
                    a.key(),
                    a.label(),
                    first_words(a.help())
                )),
                "`run --help` lacks the key {}:\n{help}",
                a.key()
            );
        }
        assert!(help.contains(&recovery_line()), "{help}");
    }

    fn first_words(text: &str) -> String {
        text.split(' ').take(3).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_whole_page_has_every_subcommand_and_its_options() {
        let mut root = command().disable_help_subcommand(true);
        root.build();
        let page = String::from_utf8(whole_page(&root).unwrap()).unwrap();
        for sub in subcommands(&root) {
            assert!(
                page.contains(&format!(".SS \"runbook {}\"", sub.get_name()))
                    || page.contains(&format!(".SS runbook {}", sub.get_name())),
                "no section for {}",
                sub.get_name()
            );
        }
        assert_eq!(
            page.matches(".el .ds Aq").count(),
            1,
            "one apostrophe set-up"
        );
        for needle in [
            "\\-\\-rehearse",
            "\\-\\-allow\\-danger",
            "\\-\\-format",
            ".SH KEYS",
            ".SH \"EXIT STATUS\"",
            "SIGHUP",
            ".SH ENVIRONMENT",
        ] {
            assert!(page.contains(needle), "the page lacks {needle}");
        }
    }
}
