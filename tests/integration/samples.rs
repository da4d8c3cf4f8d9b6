//! Every bundled runbook: checks clean, its plan follows the schema, and its plan is snapshotted.

use std::fs;

use crate::test::{Test, assert_valid, json, repo};

fn sample_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(repo().join("runbooks"))
        .expect("runbooks/ exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".md"))
        .collect();
    files.sort();
    files
}

#[test]
fn there_are_enough_samples_and_a_demo() {
    let files = sample_files();
    assert!(files.len() >= 9, "{files:?}");
    assert!(files.contains(&"demo.md".to_string()));
}

#[test]
fn samples_check_with_no_warnings() {
    Test::new()
        .in_repo()
        .args(["check", "runbooks"])
        .stdout("")
        .stderr(&format!(
            "checked {} runbooks: 0 errors, 0 warnings\n",
            sample_files().len()
        ))
        .run();
}

#[test]
fn every_sample_plan_follows_the_schema_and_matches_its_snapshot() {
    for name in sample_files() {
        let path = format!("runbooks/{name}");
        let output = Test::new()
            .in_repo()
            .args(["show", &path, "--json"])
            .stderr("")
            .run();
        let plan = json(&output);
        assert_valid("runbook-plan.schema.json", &plan);
        insta::with_settings!({ snapshot_suffix => name.trim_end_matches(".md"), prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!("plan", plan);
        });
    }
}

#[test]
fn every_sample_shows_as_text() {
    for name in sample_files() {
        let path = format!("runbooks/{name}");
        let output = Test::new().in_repo().args(["show", &path]).stderr("").run();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("\nSteps\n"), "{path}");
    }
}
