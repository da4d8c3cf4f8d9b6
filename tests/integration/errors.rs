//! Bad input: a clear message naming the file (and line and column where they apply), the right exit code, no panic.

use crate::test::Test;

#[test]
fn missing_file() {
    Test::new()
        .args(["show", "nope.md"])
        .status(2)
        .stderr("error: cannot read `nope.md`: no such file or directory\n")
        .run();
}

/// A mistyped name is met with the closest Markdown file (or directory) beside it, by every
/// command that reads runbooks; nothing close, no guess.
#[test]
fn a_mistyped_file_name_gets_a_did_you_mean() {
    let rb = "# Demo\n\n## Step\nDo it.\n";
    for args in [
        &["show", "runbooks/dmeo.md"][..],
        &["run", "runbooks/dmeo.md", "--yes"],
        &["run", "runbooks/dmeo.md"],
        &["check", "runbooks/dmeo.md"],
        &["list", "runbooks/dmeo.md"],
        &["lookup", "runbooks/dmeo.md"],
    ] {
        Test::new()
            .file("runbooks/demo.md", rb)
            .file("runbooks/redis-cache-degraded.md", rb)
            .args(args)
            .status(2)
            .stderr("error: cannot read `runbooks/dmeo.md`: no such file or directory; did you mean `runbooks/demo.md`?\n")
            .run();
    }
    Test::new()
        .file("runbooks/demo.md", rb)
        .file("runbooks/redis-cache-degraded.md", rb)
        .args(["show", "runbooks/redis.md"])
        .status(2)
        .stderr("error: cannot read `runbooks/redis.md`: no such file or directory; did you mean `runbooks/redis-cache-degraded.md`?\n")
        .run();
    Test::new()
        .file("runbooks/demo.md", rb)
        .args(["check", "runbook"])
        .status(2)
        .stderr(
            "error: cannot read `runbook`: no such file or directory; did you mean `runbooks`?\n",
        )
        .run();
}

#[test]
fn missing_path_for_check() {
    Test::new()
        .args(["check", "gone"])
        .status(2)
        .stderr("error: cannot read `gone`: no such file or directory\n")
        .run();
}

#[test]
fn directory_without_markdown() {
    Test::new()
        .dir("empty")
        .file("notes/readme.txt", "hi")
        .args(["check", "notes"])
        .status(2)
        .stderr("error: no Markdown files (`*.md`) in `notes`\n")
        .run();
}

#[test]
fn directory_given_to_show() {
    Test::new()
        .dir("rb")
        .args(["show", "rb"])
        .status(2)
        .stderr("error: cannot read `rb`: is a directory; give a Markdown file\n")
        .run();
}

#[test]
fn binary_file() {
    Test::new()
        .file("bin.md", b"\x7fELF\x02\x01\x00\x00")
        .args(["show", "bin.md"])
        .status(2)
        .stderr("bin.md:1:7: error: not a text file: it holds a NUL byte\n")
        .run();
}

#[test]
fn invalid_utf8_names_line_and_column() {
    Test::new()
        .file("latin1.md", b"# Caf\xc3\xa9\n\n## Step\nna\xefve\n")
        .args(["show", "latin1.md"])
        .status(2)
        .stderr("latin1.md:4:3: error: invalid UTF-8: byte `0xef` does not start a character\n")
        .run();
}

#[test]
fn empty_file() {
    Test::new()
        .file("empty.md", "")
        .args(["show", "empty.md"])
        .status(2)
        .stderr("empty.md:1:1: error: file is empty\n")
        .run();
}

#[test]
fn no_steps() {
    Test::new()
        .file("index.md", "---\ntitle: node\nweight: 10\n---\n\n# Just a title\n")
        .args(["show", "index.md"])
        .status(1)
        .stderr("index.md:1:1: error: no steps: no heading is followed by text, a list or a code block\n")
        .run();
}

#[test]
fn no_steps_is_only_a_warning_for_check() {
    Test::new()
        .file("index.md", "---\ntitle: node\n---\n")
        .args(["check", "index.md"])
        .stdout("index.md:1:1: warning: no steps: no heading is followed by text, a list or a code block\n")
        .stderr("checked 1 runbook: 0 errors, 1 warning\n")
        .run();
}

#[test]
fn bad_yaml_names_the_line_in_the_file() {
    Test::new()
        .file(
            "bad.md",
            "---\ntitle: Restart\nowners: [voice, sre\n---\n## Step\ntext\n",
        )
        .args(["show", "bad.md"])
        .status(1)
        .stderr("bad.md:3:9: error: invalid YAML in front matter: unclosed bracket '['\n")
        .run();
}

#[test]
fn duplicate_yaml_key() {
    Test::new()
        .file("dup.md", "---\ntitle: a\ntitle: b\n---\n## Step\ntext\n")
        .args(["show", "dup.md"])
        .status(1)
        .stderr("dup.md:3:1: error: invalid YAML in front matter: duplicate key `title`\n")
        .run();
}

#[test]
fn unclosed_front_matter() {
    Test::new()
        .file("open.md", "---\ntitle: a\n## Step\ntext\n")
        .args(["show", "open.md"])
        .status(1)
        .stderr("open.md:1:1: error: front matter opened with `---` is never closed\n")
        .run();
}

#[test]
fn wrong_types_in_front_matter() {
    Test::new()
        .file(
            "types.md",
            "---\ntags: {a: 1}\nvariables:\n  NODE:\n    secret: maybe\n    colour: red\n---\n## Step\ntext\n",
        )
        .args(["show", "types.md"])
        .status(1)
        .stderr(
            "types.md:2:1: error: `tags` must be text, not a mapping\n\
             types.md:5:5: error: `secret` must be `true` or `false`, not `maybe`\n\
             types.md:6:5: error: unknown key `colour` in variable `NODE`; known: description, default, secret, pattern, required\n",
        )
        .run();
}

#[test]
fn unknown_annotation_key() {
    Test::new()
        .file("ann.md", "## Restart\n\n```bash {name=restart confrim timeout=30}\nsystemctl restart x\n```\n")
        .args(["check", "ann.md"])
        .status(1)
        .stdout(
            "ann.md:3:1: warning: `systemctl restart` looks destructive: mark the block `danger` (typed confirmation) or `confirm`\n\
             ann.md:3:23: error: unknown annotation `confrim`; did you mean `confirm`?\n\
             ann.md:3:31: error: bad duration `30`: use a number with a unit, as in `500ms`, `30s`, `5m`, `1h30m`\n",
        )
        .stderr("checked 1 runbook: 2 errors, 1 warning\n")
        .run();
}

#[test]
fn duplicate_ids_and_names() {
    Test::new()
        .file(
            "dup.md",
            "## A\n<!-- runbook: step id=x -->\n```bash {name=n readonly}\ntrue\n```\n\n## B\n<!-- runbook: step id=x -->\n```bash {name=n readonly}\ntrue\n```\n",
        )
        .args(["check", "dup.md"])
        .status(1)
        .stdout(
            "dup.md:8:20: error: step id `x` is already used by the step at line 2\n\
             dup.md:9:9: error: command name `n` is already used by the command at line 3\n",
        )
        .stderr("checked 1 runbook: 2 errors, 0 warnings\n")
        .run();
}

#[test]
fn huge_file_is_refused_without_reading_it_all() {
    let test = Test::new();
    let file = std::fs::File::create(test.path().join("huge.md")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    test.args(["show", "huge.md"])
        .status(2)
        .stderr("error: `huge.md` is larger than 32 MiB; a runbook this large is refused\n")
        .run();
}

#[test]
fn unreadable_file_among_good_ones_exits_2_but_checks_the_rest() {
    Test::new()
        .file("rb/good.md", "## Step\ntext\n")
        .file("rb/bad.md", b"\xff\xfe")
        .args(["check", "rb"])
        .status(2)
        .stderr("rb/bad.md:1:1: error: invalid UTF-8: byte `0xff` does not start a character\nchecked 1 runbook: 0 errors, 0 warnings, 1 unreadable\n")
        .run();
}

#[test]
fn check_without_paths_is_a_usage_error() {
    let output = Test::new().args(["check"]).status(2).run();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: the following required arguments were not provided:"),
        "{stderr}"
    );
}

/// A file where the log directory should be is named as such, not "file exists".
#[test]
fn log_dir_that_is_a_file() {
    let rb = "# R\n\n## One\n```bash\ntrue\n```\n";
    Test::new()
        .file("rb.md", rb)
        .file("incidents", "")
        .args(["run", "rb.md", "--yes", "--log-dir", "incidents"])
        .status(2)
        .stderr("error: cannot write the incident log `incidents`: it is a file, not a directory\n")
        .run();
    Test::new()
        .file("rb.md", rb)
        .file("incidents", "")
        .args(["run", "rb.md", "--yes", "--log-dir", "incidents/2026"])
        .status(2)
        .stderr("error: cannot write the incident log `incidents/2026`: a part of that path is a file, not a directory\n")
        .run();
}
