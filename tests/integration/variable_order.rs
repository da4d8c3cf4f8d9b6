//! Declared variables keep the order the author wrote them in, everywhere: the plan, the log and
//! the exports. YAML mappings read into sorted maps would give ALPHA, MIKE, ZETA.

use crate::run::{events, log_file};
use crate::test::{Test, json};

const ORDERED: &str = "---\ntitle: Order\nvariables:\n  ZETA: {default: z}\n  ALPHA: {default: a}\n  MIKE: {default: m}\n---\n## Echo\n```bash {readonly}\necho \"$MIKE $ALPHA $ZETA\"\n```\n";

const WRITTEN: [&str; 3] = ["ZETA", "ALPHA", "MIKE"];

fn names(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a list of variables")
        .iter()
        .map(|v| v["name"].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn variables_are_listed_logged_and_exported_in_the_order_written() {
    let plan = json(
        &Test::new()
            .file("rb.md", ORDERED)
            .args(["show", "rb.md", "--json"])
            .run(),
    );
    assert_eq!(names(&plan["variables"]), WRITTEN);

    let (_, dir) = Test::new()
        .file("rb.md", ORDERED)
        .args(["run", "rb.md", "--yes"])
        .run_keep();
    let log = log_file(dir.path());
    let started = events(&log)
        .into_iter()
        .find(|e| e["type"] == "session_started")
        .expect("a session_started event");
    assert_eq!(names(&started["variables"]), WRITTEN);

    let export = json(
        &Test::new()
            .args(["export", log.to_str().unwrap(), "--format", "json"])
            .run(),
    );
    assert_eq!(names(&export["header"]["variables"]), WRITTEN);
}
