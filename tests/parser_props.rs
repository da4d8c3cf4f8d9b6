//! Properties of the parser on any text: it never panics, and what it returns points into the file.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::sample::select;

mod common;

use common::{span_problem, spans};
use runbook::markdown::{self, Parsed};

/// Parses `text` and checks every invariant of the result, failing with a readable message.
fn check(text: &str) -> Result<(), TestCaseError> {
    let parsed = markdown::parse("props/sample.md", text);
    let lint = runbook::check::lint(&parsed.runbook);
    let spans = spans(&parsed, &lint);
    let Parsed { runbook, .. } = parsed;
    for (what, span) in &spans {
        if let Some(problem) = span_problem(text, span) {
            return Err(TestCaseError::fail(format!("{what}: {problem}")));
        }
    }

    let step_indexes: Vec<usize> = runbook.steps.iter().map(|s| s.index).collect();
    prop_assert_eq!(
        step_indexes,
        (1..=runbook.steps.len()).collect::<Vec<_>>(),
        "step indexes"
    );
    // Ids are unique, even when an author wrote the same id twice (that is also an error).
    let mut ids = HashSet::new();
    for step in &runbook.steps {
        prop_assert!(!step.id.is_empty(), "step {} has an empty id", step.index);
        prop_assert!(
            ids.insert(step.id.as_str()),
            "step id `{}` is used twice",
            step.id
        );
        let command_indexes: Vec<usize> = step.commands.iter().map(|c| c.index).collect();
        prop_assert_eq!(
            command_indexes,
            (1..=step.commands.len()).collect::<Vec<_>>(),
            "command indexes of step {}",
            step.index
        );
        let item_indexes: Vec<usize> = step.checklist.iter().map(|i| i.index).collect();
        prop_assert_eq!(
            item_indexes,
            (1..=step.checklist.len()).collect::<Vec<_>>(),
            "checklist indexes of step {}",
            step.index
        );
        for item in &step.checklist {
            for &n in &item.commands {
                prop_assert!(
                    (1..=step.commands.len()).contains(&n),
                    "step {} item {} names command {n} of {}",
                    step.index,
                    item.index,
                    step.commands.len()
                );
                prop_assert_eq!(
                    step.commands[n - 1].checklist_item,
                    Some(item.index),
                    "step {} command {} does not point back to item {}",
                    step.index,
                    n,
                    item.index
                );
            }
        }
        for c in &step.commands {
            if let Some(i) = c.checklist_item {
                prop_assert!(
                    step.checklist
                        .get(i.wrapping_sub(1))
                        .is_some_and(|item| item.commands.contains(&c.index)),
                    "step {} command {} names item {i}, which does not list it",
                    step.index,
                    c.index
                );
            }
        }
    }
    Ok(())
}

/// Characters that matter to Markdown, shells and spans, many of them multi-byte.
const ALPHABET: &str = "[ -~\t\r\n\u{b}\u{c}\u{1b}\u{7f}\u{a0}\u{feff}\u{2028}éß日本語😀👩‍🚒→«»]";

fn markdown_alphabet() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{ALPHABET}{{0,400}}")).expect("a valid regex")
}

fn deco() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", "", "é", "日本", "😀", " ", "\t", "\u{feff}"])
}

fn front_matter() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("---\ntitle: Front é\nweight: 20\n---\n".to_string()),
        Just("---\ntitle: [unclosed\n---\n".to_string()),
        Just("---\ntitle: x\nno closing line\n".to_string()),
        Just("---\n---\n".to_string()),
        Just("---\n- a list\n---\n".to_string()),
        Just("---\ntitle: 日本\nvariables:\n  - name: TOKEN\n    secret: true\n  - name: REGION\n    default: eu\n    pattern: '[a-z]+'\n---\n".to_string()),
        Just("---\nvariables: 3\nowners: x\ntags: [a, b]\n...\n".to_string()),
        Just("---\ntitle: \"😀\n---\n".to_string()),
        Just("+++\ntitle = 'toml'\n+++\n".to_string()),
        Just("\u{feff}---\ntitle: bom\n---\n".to_string()),
        Just("---\r\ntitle: crlf\r\n---\r\n".to_string()),
        Just("---".to_string()),
    ]
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "Restart",
            "Drain node",
            "Verify",
            "é",
            "日本語",
            "😀 emoji",
            "x"
        ])
        .prop_map(str::to_string),
        "[a-zA-Zé日😀 ]{0,12}",
    ]
}

fn info_string() -> impl Strategy<Value = &'static str> {
    select(vec![
        "",
        "bash",
        "sh",
        "shell",
        "zsh",
        "console",
        "shell-session",
        "terminal",
        "yaml",
        "promql",
        "BASH",
        "bash {name=x confirm timeout=30s}",
        "bash {name=x}",
        "sh {\"name\":\"x\",\"confirm\":true}",
        "sh {\"name\":\"x\"",
        "bash {broken",
        "bash {name=é danger readonly interactive}",
        "bash {timeout=nope expect_exit=0,1}",
        "bash {unknown=1}",
        "console {name=dup}",
        "sql {runner=\"mysql -h $DB\" cwd=$HOME}",
        "{name=x}",
        "bash }{",
        "日本 {name=日本}",
    ])
}

fn code_line() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "$ oc get pods",
            "$ kubectl get pods \\",
            "    -n openshift-etcd",
            "$ cat <<EOF > /tmp/f",
            "$ cat <<-'END' | tee x",
            "a $B ${C:-d}",
            "EOF",
            "\tEND",
            "END",
            "NAME   READY",
            "$",
            "$ ",
            "# a comment",
            "echo \"$X\" {{range .items}}{{.metadata.name}}{{end}}",
            "rm -rf /var/lib/x",
            "kubectl delete pod $POD",
            "DROP TABLE users;",
            "  $ indented prompt",
            "sh-5.1# chroot /host",
            "```",
            "~~~",
            "é$ 日本",
            "$ echo 😀 \\\\",
            "",
        ])
        .prop_map(str::to_string),
        "[ -~éé日😀$\\\\]{0,30}",
    ]
}

fn fence() -> impl Strategy<Value = String> {
    (
        select(vec!["```", "~~~", "````", "``", "   ```", " ~~~~"]),
        info_string(),
        prop::collection::vec(code_line(), 0..6),
        select(vec!["```", "~~~", "````", "", "``", "```bash", "   ```"]),
    )
        .prop_map(|(open, info, body, close)| {
            let mut s = format!("{open}{info}\n");
            for l in body {
                s.push_str(&l);
                s.push('\n');
            }
            s.push_str(close);
            s
        })
}

fn comment() -> impl Strategy<Value = &'static str> {
    select(vec![
        "<!-- runbook: danger -->",
        "<!-- runbook: confirm timeout=5m name=c -->",
        "<!-- runbook: step id=x -->",
        "<!-- runbook: step id=é日本 -->",
        "<!-- runbook: step id= -->",
        "<!-- runbook: step -->",
        "<!-- runbook: step bogus=1 -->",
        "<!-- runbook: nonsense -->",
        "<!-- runbook: {\"name\":\"j\"} -->",
        "<!-- runbook:",
        "<!-- plain comment -->",
        "<!-- runbook: danger --> text after",
        "<div>\nraw <b>html</b>\n</div>",
        "text <!-- runbook: danger --> inline",
    ])
}

fn list() -> impl Strategy<Value = String> {
    let item = prop_oneof![
        word().prop_map(|w| format!("1. {w}")),
        word().prop_map(|w| format!("2) {w}")),
        word().prop_map(|w| format!("- [ ] {w}")),
        word().prop_map(|w| format!("- [x] {w}")),
        word().prop_map(|w| format!("* {w}")),
        word().prop_map(|w| format!("   - {w}")),
        word().prop_map(|w| format!("   1. [ ] {w}")),
        Just("   ```bash\n   echo nested\n   ```".to_string()),
        Just("    ```console\n    $ oc get nodes\n    NAME\n    ```".to_string()),
        Just("   ```sh\n   never closed".to_string()),
        Just("      $ indented code".to_string()),
        Just("1. ```bash\n   echo same line\n   ```".to_string()),
        Just("   <!-- runbook: danger -->\n   ```bash\n   rm -rf /x\n   ```".to_string()),
        Just(String::new()),
    ];
    prop::collection::vec(item, 1..6).prop_map(|items| items.join("\n"))
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (1usize..=7, word()).prop_map(|(n, w)| format!("{} {w}", "#".repeat(n))),
        1 => word().prop_map(|w| format!("{w}\n===")),
        1 => word().prop_map(|w| format!("{w}\n---")),
        1 => word().prop_map(|w| format!("## {w} ##")),
        4 => fence(),
        2 => comment().prop_map(str::to_string),
        3 => (select(vec!["x", "x", "x-2", "é"]), word())
            .prop_map(|(id, w)| format!("## {w}\n<!-- runbook: step id={id} -->\ntext")),
        3 => list(),
        1 => Just("> text\n> ```bash\n> $ ls\n> out\n> ```".to_string()),
        1 => Just("> ```sh\n> unclosed in a quote".to_string()),
        1 => Just(">> deeper\n> - [ ] task in quote".to_string()),
        2 => word(),
        1 => Just("text with `code` and **bold** and [link](http://x)".to_string()),
        1 => Just("| a | b |\n|---|---|\n| é | 😀 |".to_string()),
        1 => Just("[^1]: a footnote\n\n    ```bash\n    echo fn\n    ```".to_string()),
        1 => Just("    indented code block\n    $ with a prompt".to_string()),
        1 => Just("---".to_string()),
        1 => Just(String::new()),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        front_matter(),
        prop::collection::vec(
            (
                deco(),
                fragment(),
                deco(),
                select(vec![
                    "\n", "\n", "\n\n", "\n\n", "\r\n", "\r\n\r\n", "", "\r",
                ]),
            ),
            0..12,
        ),
    )
        .prop_map(|(fm, parts)| {
            let mut s = fm;
            for (before, frag, after, sep) in parts {
                s.push_str(before);
                s.push_str(&frag);
                s.push_str(after);
                s.push_str(sep);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_never_panic_and_spans_stay_inside(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn markdown_alphabet_never_panics_and_spans_stay_inside(text in markdown_alphabet()) {
        check(&text)?;
    }

    #[test]
    fn markdownish_documents_never_panic_and_spans_stay_inside(text in document()) {
        check(&text)?;
    }
}

#[test]
fn multi_byte_characters_around_every_kind_of_span() {
    let text = "---\ntitle: é\n---\n😀\n# 日本 é\n\né<!-- runbook: step id=s -->\n\n1. 😀 [ ] é\n\n   ```bash {name=é confirm}\n   echo é $日本 ${VAR}😀\n   ```\n\n```console\n$ echo 😀 $X\n日本\n```\né";
    check(text).unwrap();
}
