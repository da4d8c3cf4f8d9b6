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
    for sub in ["runbook\\-show", "runbook\\-list", "runbook\\-check"] {
        assert!(page.contains(sub), "{sub} missing from the man page");
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    Test::new().args(["completions", "tcsh"]).status(2).run();
}
