//! Completions and the man page come from the clap definitions.

use crate::test::Test;

#[test]
fn bash_completions_name_the_subcommands() {
    let output = Test::new().args(["completions", "bash"]).run();
    let script = String::from_utf8_lossy(&output.stdout);
    for sub in ["show", "list", "check", "completions"] {
        assert!(script.contains(sub), "{sub} missing from completions");
    }
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let output = Test::new().args(["man"]).run();
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH runbook 1"));
    // Every subcommand in full: its own section with its synopsis and options.
    for (sub, option) in [
        ("show", "\\-\\-json"),
        ("check", "\\-\\-format"),
        ("run", "\\-\\-rehearse"),
        ("resume", "\\-\\-yes"),
        ("export", "\\-\\-format"),
        ("compare", "\\-\\-with"),
    ] {
        let section = page
            .split(".SS ")
            .find(|s| s.starts_with(&format!("\"runbook {sub}\"")))
            .unwrap_or_else(|| panic!("no section for `{sub}`"));
        assert!(
            section.contains(option),
            "`{sub}` lacks {option}: {section}"
        );
    }
    for heading in [".SH KEYS", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT"] {
        assert!(page.contains(heading), "{heading} missing");
    }
}

#[test]
fn man_dir_writes_one_page_per_subcommand() {
    let (output, tmp) = Test::new().args(["man", "--dir", "man1"]).run_keep();
    let dir = tmp.path().join("man1");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "runbook-check.1",
            "runbook-compare.1",
            "runbook-completions.1",
            "runbook-export.1",
            "runbook-list.1",
            "runbook-lookup.1",
            "runbook-man.1",
            "runbook-resume.1",
            "runbook-run.1",
            "runbook-show.1",
            "runbook-timeline.1",
            "runbook-verify.1",
            "runbook.1",
        ]
    );
    let run = std::fs::read_to_string(dir.join("runbook-run.1")).unwrap();
    assert!(run.contains(".TH runbook-run 1  \"runbook "), "{run}");
    assert!(run.contains("\\-\\-allow\\-danger") && run.contains(".SH KEYS"));
    let check = std::fs::read_to_string(dir.join("runbook-check.1")).unwrap();
    assert!(!check.contains(".SH KEYS"), "only walks have keys");
    // The file names go to stderr, one per line; stdout stays empty.
    assert!(output.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 13);
}

#[test]
fn run_help_lists_the_keys_and_short_help_points_to_them() {
    let long = Test::new().args(["run", "--help"]).run();
    let long = String::from_utf8_lossy(&long.stdout);
    for line in [
        "Keys at each step:",
        "s  skip step",
        "q  quit",
        "After a failed command: r retry",
    ] {
        assert!(long.contains(line), "`run --help` lacks {line:?}:\n{long}");
    }
    let short = Test::new().args(["resume", "-h"]).run();
    assert!(String::from_utf8_lossy(&short.stdout).contains("Keys at each step: r run"));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    Test::new().args(["completions", "tcsh"]).status(2).run();
}
