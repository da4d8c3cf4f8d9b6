//! `runbook check` lints of issue 12: URLs cut by an unquoted `&`, commands lost in a fence's info
//! string, and destructive commands in blocks an operator types by hand.

use crate::test::Test;

#[test]
fn an_unquoted_ampersand_in_a_url_is_reported_at_the_ampersand() {
    Test::new()
        .file(
            "amp.md",
            "# Amp\n\n## Query\n\n```bash\ncurl -s http://metrics.internal/api?from=1h&step=60 | jq .\ncurl -s 'http://metrics.internal/api?from=1h&step=60'\n```\n",
        )
        .args(["check", "amp.md"])
        .stdout("amp.md:6:44: warning: the unquoted `&` in `http://metrics.internal/api?from=1h&step=60` ends the command there and runs it in the background, and the rest of the URL runs as a command of its own: quote the URL ('…')\n")
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
}

#[test]
fn a_command_in_the_info_string_is_an_error_at_the_command() {
    Test::new()
        .file(
            "info.md",
            "# Info\n\n## Pods\n\n```bash kubectl get pods -n prod\n```\n",
        )
        .args(["check", "info.md"])
        .status(1)
        .stdout("info.md:5:9: error: `kubectl get pods -n prod` is on the fence line, in the info string, so it is not part of the block: it is never shown as a command or run; move it into the block on a line of its own\n")
        .stderr("checked 1 runbook: 1 error, 0 warnings\n")
        .run();
}

#[test]
fn destructive_sql_blocks_are_reported_for_running_by_hand_and_unlabelled_shell_as_a_guessed_script()
 {
    Test::new()
        .file(
            "hand.md",
            "# Hand\n\n## Clean up\n\n```sql\nDELETE FROM sessions;\n```\n\n```\nknife ssh 'role:db' 'sudo rm -rf /var/lib/pg/data'\n```\n\n```text\nDROP TABLE x;\n```\n",
        )
        .args(["check", "hand.md"])
        .stdout(
            "hand.md:5:1: warning: if you run this by hand: `DELETE FROM` without `WHERE` looks destructive: mark the block `danger` (typed confirmation) or `confirm`
hand.md:9:1: warning: `rm -r` through `knife ssh` looks destructive: mark the block `danger` (typed confirmation) or `confirm`
hand.md:10:1: info: this unlabelled block reads as shell, so it is run only once confirmed: label the block ```bash
",
        )
        .stderr("checked 1 runbook: 0 errors, 2 warnings\n")
        .run();
}

#[test]
fn github_annotations_carry_the_new_codes() {
    Test::new()
        .file(
            "g.md",
            "# G\n\n## A\n\n```sh curl http://x/?a=1&b=2\n```\n\n```bash\ncurl http://x/?a=1&b=2\n```\n",
        )
        .args(["check", "g.md", "--format", "github"])
        .status(1)
        .stdout(
            "::error file=g.md,line=5,col=7,title=command-in-info-string::`curl http://x/?a=1&b=2` is on the fence line, in the info string, so it is not part of the block: it is never shown as a command or run; move it into the block on a line of its own
::warning file=g.md,line=9,col=19,title=unquoted-ampersand::the unquoted `&` in `http://x/?a=1&b=2` ends the command there and runs it in the background, and the rest of the URL runs as a command of its own: quote the URL ('…')
",
        )
        .stderr("checked 1 runbook: 1 error, 1 warning\n")
        .run();
}
