//! README's table of walk keys agrees with the walk's own table of actions: same keys, same
//! menu labels, same help text, and the line on what follows a failed command likewise.

use runbook::walk::actions::{Action, Recovery};

fn readme() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path).expect("read README.md")
}

/// The rows of the table headed `| key | menu | action |`, as (key, label, help).
fn walk_key_table(readme: &str) -> Vec<(String, String, String)> {
    let mut lines = readme
        .lines()
        .skip_while(|l| l.trim() != "| key | menu | action |")
        .skip(2); // the header and its `| --- |` line
    let mut rows = Vec::new();
    for line in lines.by_ref() {
        let Some(inner) = line
            .trim()
            .strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
        else {
            break;
        };
        let cells: Vec<&str> = inner.split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 3, "a row of three cells: {line:?}");
        let key = cells[0].trim_matches('`').to_string();
        rows.push((key, cells[1].to_string(), cells[2].to_string()));
    }
    rows
}

#[test]
fn readme_walk_keys_match_the_actions() {
    let rows = walk_key_table(&readme());
    assert!(
        !rows.is_empty(),
        "README has the walk's `| key | menu | action |` table"
    );
    let actions: Vec<(String, String, String)> = Action::ALL
        .iter()
        .map(|a| {
            (
                a.key().to_string(),
                a.label().to_string(),
                a.help().to_string(),
            )
        })
        .collect();
    assert_eq!(rows, actions);
}

#[test]
fn readme_failed_command_keys_match_the_recovery_menu() {
    let text = readme();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("After a failed command: "))
        .expect("README says what follows a failed command");
    let entries: Vec<(String, String)> = line
        .trim_end_matches('.')
        .split(", ")
        .map(|entry| {
            let rest = entry
                .strip_prefix('`')
                .expect("an entry starts with its key");
            let (key, label) = rest.split_once("` ").expect("`key` label");
            // What follows the label in parentheses explains it.
            let label = label.split(" (").next().unwrap_or(label);
            (key.to_string(), label.to_string())
        })
        .collect();
    let recovery: Vec<(String, String)> = Recovery::ALL
        .iter()
        .map(|r| (r.key().to_string(), r.label().to_string()))
        .collect();
    assert_eq!(entries, recovery);
}
