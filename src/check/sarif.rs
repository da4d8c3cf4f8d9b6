//! `check --format sarif`: the diagnostics as one SARIF 2.1.0 log, which code-scanning services
//! (GitHub, GitLab, Azure DevOps) show on the lines they concern.

use serde_json::{Value, json};

use crate::runbook::{Diagnostic, DiagnosticCode};

/// One run of this tool: every rule it has, and one result per diagnostic of every file.
pub fn sarif_log(checked: &[(String, Vec<Diagnostic>)]) -> Value {
    let rules: Vec<Value> = DiagnosticCode::ALL
        .iter()
        .map(|code| json!({ "id": code.as_str() }))
        .collect();
    let results: Vec<Value> = checked
        .iter()
        .flat_map(|(path, ds)| ds.iter().map(move |d| result(path, d)))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "runbook",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
            // Columns count characters (`Span`), not SARIF's default UTF-16 code units.
            "columnKind": "unicodeCodePoints",
        }],
    })
}

fn result(path: &str, d: &Diagnostic) -> Value {
    let rule_index = DiagnosticCode::ALL.iter().position(|c| *c == d.code);
    // Severities beyond error and warning (informational ones) are SARIF's `note`.
    let level = match d.severity.to_string().as_str() {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    };
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(path) },
                "region": { "startLine": d.span.line, "startColumn": d.span.column },
            }
        }],
    })
}

/// A path as a relative URI reference: `/` kept, every byte outside RFC 3986's unreserved set
/// percent-encoded, so a space, `#` or `%` in a file name does not change which file is meant.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::Span;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("d/a b#1%.md"), "d/a%20b%231%25.md");
        assert_eq!(uri("é.md"), "%C3%A9.md");
    }

    #[test]
    fn a_result_names_its_rule_level_and_place() {
        let d = Diagnostic::warning(DiagnosticCode::NoSteps, Span::FILE, "no steps");
        let log = sarif_log(&[("a.md".into(), vec![d])]);
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "no-steps");
        assert_eq!(result["level"], "warning");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "no-steps"
        );
        let place = &result["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "a.md");
        assert_eq!(place["region"]["startLine"], 1);
        assert_eq!(place["region"]["startColumn"], 1);
        assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    }
}
