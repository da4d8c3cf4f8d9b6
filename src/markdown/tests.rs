use super::*;
use crate::runbook::{CommandKind, Severity};

fn p(text: &str) -> Parsed {
    parse("dir/sample.md", text)
}

fn titles(parsed: &Parsed) -> Vec<String> {
    parsed.runbook.steps.iter().map(Step::full_title).collect()
}

#[test]
fn title_from_front_matter_then_h1_then_file_name() {
    assert_eq!(
        p("---\ntitle: FM\n---\n# H1\n\n## A\ntext\n").runbook.title,
        "FM"
    );
    assert_eq!(p("# H1\n\n## A\ntext\n").runbook.title, "H1");
    assert_eq!(p("## A\ntext\n").runbook.title, "A");
}

#[test]
fn headings_without_content_are_groups() {
    let parsed = p(
        "# T\nintro\n## SDC Failure Procedures\n### S01 Failure\ndo it\n### S02 Failure\n- x\n## Verify\nok\n",
    );
    assert_eq!(
        titles(&parsed),
        [
            "SDC Failure Procedures › S01 Failure",
            "SDC Failure Procedures › S02 Failure",
            "Verify"
        ]
    );
    assert_eq!(parsed.runbook.introduction_text(), Some("intro"));
    let indexes: Vec<usize> = parsed.runbook.steps.iter().map(|s| s.index).collect();
    assert_eq!(indexes, [1, 2, 3]);
}

#[test]
fn a_runbook_without_step_headings_is_one_step() {
    let parsed = p("# Moved\n\nSee the other runbook.\n");
    assert_eq!(titles(&parsed), ["Moved"]);
    assert_eq!(parsed.runbook.introduction, None);
    assert_eq!(parsed.runbook.steps[0].body, "See the other runbook.");
}

#[test]
fn no_steps_is_a_warning() {
    let parsed = p("---\ntitle: x\n---\n");
    assert!(parsed.runbook.steps.is_empty());
    assert_eq!(parsed.diagnostics[0].code, DiagnosticCode::NoSteps);
}

#[test]
fn shell_blocks_are_scripts_run_whole() {
    let parsed = p("## A\n```bash {whole}\nexport X=1\necho \"$X\" {{range .items}}\n```\n");
    let c = &parsed.runbook.steps[0].commands[0];
    assert_eq!(c.kind, CommandKind::Script);
    assert!(c.runnable);
    assert_eq!(c.code, "export X=1\necho \"$X\" {{range .items}}\n");
    assert_eq!((c.span.line, c.span.column), (2, 1));
}

#[test]
fn a_script_is_one_command_per_statement_labelled_by_the_comment_above() {
    let text = "## A\n- item\n\n  ```bash {confirm name=fo}\n  # Fail over to A\n  failover a \\\n    --now\n\n  # Watch DNS\n  watch dig x\n  ```\n";
    let parsed = p(text);
    let cs = &parsed.runbook.steps[0].commands;
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].code, "failover a \\\n  --now");
    assert_eq!(cs[0].label.as_deref(), Some("Fail over to A"));
    assert_eq!((cs[0].span.line, cs[0].span.column), (6, 3));
    assert_eq!(&text[cs[0].span.start..cs[0].span.start + 8], "failover");
    assert_eq!(cs[1].code, "watch dig x");
    assert_eq!(cs[1].label.as_deref(), Some("Watch DNS"));
    assert_eq!((cs[1].span.line, cs[1].span.column), (10, 3));
    // Each is confirmed on its own, under its own name; both come from block 1, and the
    // second needs the keyboard (`watch`).
    assert!(cs.iter().all(|c| c.annotations.confirm && c.block == 0));
    assert_eq!(cs[0].annotations.name.as_deref(), Some("fo"));
    assert_eq!(cs[1].annotations.name.as_deref(), Some("fo-2"));
    assert!(!cs[0].interactive && cs[1].interactive);
    let json = serde_json::to_value(&cs[1]).unwrap();
    assert_eq!(json["block"], 1);
    assert_eq!(json["interactive"], true);
    assert_eq!(json["label"], "Watch DNS");
}

#[test]
fn scripts_that_need_one_shell_stay_whole() {
    for code in [
        "for i in 1 2; do\n  check && exit 0\ndone\nexit 1\n",
        "scratch=$(mktemp)\ncat \"$scratch\"\n",
        "set -euo pipefail\nls\n",
        "f() { echo; }\nf\n",
        "trap 'rm x' EXIT\nls\n",
    ] {
        let parsed = p(&format!("## A\n```bash\n{code}```\n"));
        let cs = &parsed.runbook.steps[0].commands;
        assert_eq!(cs.len(), 1, "{code}");
        assert_eq!(cs[0].code, code);
    }
    // An exported variable carries from one command to the next: no need for one shell.
    let parsed = p("## A\n```bash\nexport X=1\necho $X\n```\n");
    assert_eq!(parsed.runbook.steps[0].commands.len(), 2);
    // A function nothing later calls is one statement among others.
    let parsed = p("## A\n```bash\nf() { echo; }\nls\nfunction g { :; }\nfg_job=1 env\n```\n");
    assert_eq!(parsed.runbook.steps[0].commands.len(), 4);
}

#[test]
fn interactive_false_overrides_detection() {
    let parsed = p("## A\n```bash {interactive=false}\nssh host\n```\n```bash\nssh host\n```\n");
    let cs = &parsed.runbook.steps[0].commands;
    assert!(!cs[0].interactive);
    assert!(cs[1].interactive);
}

#[test]
fn placeholders_are_variables_reported_by_check() {
    let text = "## A\n```bash\nrmht verify <HO-ID>\ncp -r <pool location>/objects /tmp\n```\n";
    let parsed = p(text);
    let cs = &parsed.runbook.steps[0].commands;
    assert_eq!(cs[0].placeholders[0].variable, "HO_ID");
    assert_eq!(cs[0].uses, ["HO_ID"]);
    assert_eq!(cs[1].uses, ["POOL_LOCATION"]);
    let names: Vec<&str> = parsed
        .runbook
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, ["HO_ID", "POOL_LOCATION"]);
    let infos: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::Placeholder)
        .collect();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[0].severity, Severity::Info);
    assert_eq!((infos[0].span.line, infos[0].span.column), (3, 13));
    assert!(
        infos[1].message.contains("`POOL_LOCATION`"),
        "{}",
        infos[1].message
    );
    assert_eq!((infos[1].span.line, infos[1].span.column), (4, 7));
}

#[test]
fn prompt_blocks_split_commands_from_output_whatever_their_language() {
    for lang in ["console", "bash", "", "shell"] {
        let parsed = p(&format!(
            "## A\n```{lang}\n$ oc get nodes\nNAME\n$ oc adm upgrade\n```\n"
        ));
        let cmds = &parsed.runbook.steps[0].commands;
        assert_eq!(cmds.len(), 2, "{lang}");
        assert_eq!(cmds[0].kind, CommandKind::Console);
        assert_eq!(cmds[0].code, "oc get nodes");
        assert_eq!(cmds[0].expected_output.as_deref(), Some("NAME"));
        assert_eq!(cmds[1].span.line, 5);
    }
}

#[test]
fn other_languages_are_manual_unless_given_a_runner() {
    let parsed =
        p("## A\n```sql\nSELECT 1;\n```\n```sql {runner=\"mysql -h $DB_HOST\"}\nSELECT 2;\n```\n");
    let cmds = &parsed.runbook.steps[0].commands;
    assert_eq!(
        (cmds[0].kind, cmds[0].runnable),
        (CommandKind::Manual, false)
    );
    assert_eq!(
        (cmds[1].kind, cmds[1].runnable),
        (CommandKind::Script, true)
    );
    assert_eq!(parsed.runbook.variables[0].name, "DB_HOST");
}

#[test]
fn ordered_and_task_lists_are_checklists_with_their_nested_blocks() {
    let text = "## A\n1. drain `node`\n   ```bash\n   echo drain\n   ```\n2. check\n   - detail\n\n## B\n- [ ] one\n- [x] two\n- plain\n";
    let parsed = p(text);
    let a = &parsed.runbook.steps[0];
    assert_eq!(a.checklist.len(), 2);
    assert_eq!(a.checklist[0].text, "drain node");
    assert_eq!(a.checklist[0].commands, [1]);
    assert_eq!(a.commands[0].checklist_item, Some(1));
    assert_eq!(a.commands[0].code, "echo drain\n");
    assert_eq!(a.checklist[1].text, "check");
    let b = &parsed.runbook.steps[1];
    let items: Vec<(&str, bool)> = b
        .checklist
        .iter()
        .map(|i| (i.text.as_str(), i.checked))
        .collect();
    assert_eq!(items, [("one", false), ("two", true)]);
}

#[test]
fn checklist_item_paragraphs_are_separated() {
    let parsed = p("## A\n1. first\n\n   second\n2. next\n");
    assert_eq!(parsed.runbook.steps[0].checklist[0].text, "first second");
}

#[test]
fn an_explicit_id_wins_over_a_title_slug() {
    let parsed = p("## Check\ntext\n## Other\n<!-- runbook: step id=check -->\ntext\n");
    let ids: Vec<&str> = parsed.runbook.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["check-2", "check"]);
}

#[test]
fn unordered_lists_are_not_checklists() {
    assert!(p("## A\n- a\n- b\n").runbook.steps[0].checklist.is_empty());
}

#[test]
fn comment_annotations_apply_to_the_next_block() {
    let parsed =
        p("## A\n<!-- runbook: danger timeout=5m -->\n```bash {name=x}\nrm -rf /tmp/x\n```\n");
    let a = &parsed.runbook.steps[0].commands[0].annotations;
    assert!(a.danger);
    assert_eq!(a.timeout_ms, Some(300_000));
    assert_eq!(a.name.as_deref(), Some("x"));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
}

#[test]
fn a_comment_before_anything_else_is_reported() {
    let parsed = p("## A\n<!-- runbook: danger -->\n\ntext\n");
    assert_eq!(parsed.diagnostics[0].code, DiagnosticCode::OrphanAnnotation);
    assert_eq!(parsed.diagnostics[0].span.line, 2);
}

#[test]
fn step_ids_from_comments_and_titles() {
    let parsed =
        p("## Drain the node\n<!-- runbook: step id=drain -->\ntext\n## Check\nx\n## Check\ny\n");
    let ids: Vec<&str> = parsed.runbook.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["drain", "check", "check-2"]);
}

#[test]
fn duplicates_are_errors() {
    let text = "## A\n<!-- runbook: step id=x -->\n```bash {name=n}\ntrue\n```\n## B\n<!-- runbook: step id=x -->\n```bash {name=n}\ntrue\n```\n";
    let parsed = p(text);
    let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["duplicate-step-id", "duplicate-command-name"]);
    let ids: Vec<&str> = parsed.runbook.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["x", "x-2"]);
}

#[test]
fn unterminated_fence_is_reported() {
    let parsed = p("## A\ntext\n\n```bash\necho hi\n\n## B\nx\n");
    let d = &parsed.diagnostics[0];
    assert_eq!(d.code, DiagnosticCode::UnterminatedFence);
    assert_eq!((d.span.line, d.span.column), (4, 1));
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "code block is never closed, so lines up to 8 are code: add a line ``` where it ends"
    );
    assert_eq!(parsed.runbook.steps.len(), 1);
}

#[test]
fn bad_yaml_names_the_line_in_the_file() {
    let parsed = p("---\ntitle: ok\nowners: [a, b\n---\n## A\nx\n");
    let d = &parsed.diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    assert!(
        d.message.starts_with("invalid YAML in front matter"),
        "{}",
        d.message
    );
    assert!(d.span.line >= 3, "{d:?}");
}

#[test]
fn credential_names_are_secret_declared_or_used_unless_declared_not_secret() {
    let text = "---\nvariables:\n  DB_PASSWORD: the password\n  AUTHOR_NAME: {secret: false}\n  NODE: {secret: true}\n---\n## A\n```bash\ncurl -H \"X: $ADMIN_API_TOKEN\" $DB_PASSWORD $AUTHOR_NAME $NODE $REGION\n```\n";
    let parsed = p(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let vars: Vec<(&str, bool)> = parsed
        .runbook
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.secret))
        .collect();
    assert_eq!(
        vars,
        [
            ("DB_PASSWORD", true),
            ("AUTHOR_NAME", false),
            ("NODE", true),
            ("ADMIN_API_TOKEN", true),
            ("REGION", false)
        ]
    );
}

#[test]
fn front_matter_keeps_unknown_keys_and_reads_variables() {
    let text = "---\ntitle: T\nweight: 20\nregions: [eu-west-2]\nvariables:\n  NODE:\n    description: the node\n    pattern: '^fs-[a-z0-9-]+$'\n    default: fs-euw2-a-01\n  TOKEN: {secret: true}\n---\n## A\n```bash\ncurl -H \"X: $TOKEN\" $NODE $OTHER\n```\n";
    let parsed = p(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let rb = &parsed.runbook;
    assert_eq!(rb.front_matter.extra["weight"], 20);
    assert_eq!(rb.front_matter.regions, ["eu-west-2"]);
    let vars: Vec<(&str, bool, bool)> = rb
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.declared, v.secret))
        .collect();
    assert_eq!(
        vars,
        [
            ("NODE", true, false),
            ("TOKEN", true, true),
            ("OTHER", false, false)
        ]
    );
    assert_eq!(rb.variables[0].span.line, 6);
    assert_eq!(
        (rb.variables[2].span.line, rb.variables[2].span.column),
        (14, 27)
    );
}

#[test]
fn front_matter_type_errors_name_the_key() {
    let parsed = p("---\ntitle: T\nvariables:\n  NODE:\n    secret: maybe\n---\n## A\nx\n");
    let d = &parsed.diagnostics[0];
    assert_eq!(d.message, "`secret` must be `true` or `false`, not `maybe`");
    assert_eq!((d.span.line, d.span.column), (5, 5));
}

#[test]
fn sha256_is_of_the_bytes() {
    assert_eq!(
        p("").runbook.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

const LOOKUPS: &str = "## Check errors
```cloudwatch
namespace: AWS/ApplicationELB
metric: HTTPCode_Target_5XX_Count
dimensions:
  LoadBalancer: app/voice-api/$LB_ID
stat: Sum          # Average, Sum, Minimum, Maximum, SampleCount, p99
period: 1m
window: 30m
regions: [euw2, eu-central-1]
expect: \"< 10\"
label: 5xx on the voice API
```

```cloudwatch
alarms: freeswitch-
state: ALARM
```

```cloudwatch
expression: errors / requests * 100
queries:
  errors: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count, stat: Sum}
  requests: {namespace: AWS/ApplicationELB, metric: RequestCount, stat: Sum}
expect: <= 1
```
";

#[test]
fn cloudwatch_blocks_are_lookups_not_commands() {
    let parsed = p(LOOKUPS);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let step = &parsed.runbook.steps[0];
    assert!(step.commands.is_empty());
    assert_eq!(step.lookups.len(), 3);
    let json = serde_json::to_value(&step.lookups).unwrap();
    assert_eq!(
        json[0],
        serde_json::json!({
            "index": 1, "line": 2, "column": 1, "label": "5xx on the voice API",
            "regions": ["eu-west-2", "eu-central-1"], "kind": "metric",
            "namespace": "AWS/ApplicationELB", "metric": "HTTPCode_Target_5XX_Count",
            "dimensions": [{"name": "LoadBalancer", "value": "app/voice-api/$LB_ID"}],
            "stat": "Sum", "period_s": 60, "window_s": 1800, "expect": "< 10"
        })
    );
    assert_eq!(
        json[1],
        serde_json::json!({"index": 2, "line": 15, "column": 1, "kind": "alarms", "prefix": "freeswitch-", "state": "ALARM"})
    );
    assert_eq!(json[2]["queries"][1]["id"], "requests");
    assert_eq!(json[2]["expect"], "<= 1");
    // `$LB_ID` in a dimension is a variable the walk asks for.
    assert_eq!(parsed.runbook.variables[0].name, "LB_ID");
}

#[test]
fn bad_cloudwatch_blocks_are_reported_at_their_lines() {
    let text = "## A\n```cloudwatch\nnamespace: AWS/RDS\nmetric: CPUUtilization\nstat: Median\nperiod: 45s\nregions: [euw9]\nexpect: about 3\ncolour: red\n```\n```cloudwatch\nalarms: x\nmetric: y\n```\n```cloudwatch\nnamespace: [unclosed\n```\n";
    let messages: Vec<String> = p(text)
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.span.line, d.span.column, d.message))
        .collect();
    assert_eq!(
        messages,
        [
            "5:1 unknown statistic `Median`: use Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p99",
            "6:1 CloudWatch periods are 1s, 5s, 10s, 30s or a multiple of 1m",
            "7:1 unknown region `euw9`: use a name like `eu-west-2` or its short form `euw2`",
            "8:1 bad `expect` `about 3`: write a comparison such as `< 10`, `>= 0.99` or `== 0`",
            "9:1 unknown key `colour` in `cloudwatch` block; known: namespace, metric, dimensions, stat, period, window, regions, expect, label",
            "13:1 `metric` does not go in an alarms lookup; its keys are: alarms, state, regions, label",
            "16:12 invalid YAML in `cloudwatch` block: unclosed bracket '['",
        ]
    );
}

#[test]
fn declared_variables_keep_the_order_written() {
    // Front matter is a mapping, and mappings sort keys unless told otherwise: this would read
    // ALPHA, MIKE, ZETA and the walk would ask in that order.
    let parsed = p(
        "---\nvariables:\n  ZETA: {description: last letter}\n  ALPHA:\n    default: a\n  MIKE: {secret: true}\n---\n## A\n```bash\necho $ALPHA $MIKE $ZETA $UNDECLARED\n```\n",
    );
    let names: Vec<&str> = parsed
        .runbook
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, ["ZETA", "ALPHA", "MIKE", "UNDECLARED"]);
    // The slow reader (flow mappings, comments) keeps the order too.
    let parsed = p(
        "---\n# comment\nvariables: {ZETA: {}, ALPHA: {}, MIKE: {}}\n---\n## A\n```bash\necho $ALPHA\n```\n",
    );
    let names: Vec<&str> = parsed
        .runbook
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, ["ZETA", "ALPHA", "MIKE"]);
}

#[test]
fn deep_nesting_keeps_the_structure_around_it() {
    // Deep enough to show a quadratic scan (seconds in a debug build), small enough for a test;
    // the speed goal itself lives in `benches/input_limits.rs`.
    let n = 20_000;
    let text = format!(
        "## A\n1. {}x\n2. second\n\n```bash\necho done\n```\n\n## B\n{}y\n\n## C\n{}z\n",
        "- ".repeat(n),
        "- [ ] ".repeat(n),
        "> ".repeat(n),
    );
    let parsed = p(&text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(titles(&parsed), ["A", "B", "C"]);
    let a = &parsed.runbook.steps[0];
    let items: Vec<&str> = a.checklist.iter().map(|i| i.text.as_str()).collect();
    // With no text of its own, the first item takes its first nested line.
    assert_eq!(items, ["… x", "second"]);
    assert_eq!(a.commands.len(), 1);
    assert_eq!(a.commands[0].code, "echo done\n");
    assert_eq!(a.commands[0].checklist_item, None);
    // Twenty thousand tasks nested on one line: only the outermost is an item.
    assert_eq!(parsed.runbook.steps[1].checklist.len(), 1);
    assert!(parsed.runbook.steps[2].checklist.is_empty());
}

#[test]
fn many_variables_keep_their_order_spans_and_uses() {
    let n = 5_000;
    let mut text = String::from("---\nvariables:\n");
    for i in 0..n {
        text.push_str(&format!("  VAR_{i}:\n    description: variable {i}\n"));
    }
    text.push_str("---\n## A\n\n```bash\necho $VAR_4999 $VAR_0 $EXTRA\n```\n");
    let parsed = p(&text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let vars = &parsed.runbook.variables;
    assert_eq!(vars.len(), n + 1);
    assert_eq!(vars[0].name, "VAR_0");
    assert_eq!(vars[n - 1].name, "VAR_4999");
    assert_eq!(vars[n - 1].description.as_deref(), Some("variable 4999"));
    // Line 3 holds `VAR_0:` at column 3; each variable takes two lines.
    assert_eq!(vars[0].span.line, 3);
    assert_eq!(vars[n - 1].span.line as usize, 3 + 2 * (n - 1));
    assert_eq!(vars[n - 1].span.column, 3);
    assert!(vars[n].name == "EXTRA" && !vars[n].declared);
    assert_eq!(
        parsed.runbook.steps[0].commands[0].uses,
        ["VAR_4999", "VAR_0", "EXTRA"]
    );
}

#[test]
fn title_is_the_only_h1_and_it_is_not_a_step() {
    let parsed = p("# Restart Redis\n\nintro\n\n## Stop\nx\n");
    assert_eq!(parsed.runbook.title, "Restart Redis");
    assert_eq!(titles(&parsed), ["Stop"]);
    assert_eq!(parsed.runbook.introduction_text(), Some("intro"));
}

#[test]
fn several_h1s_take_the_first_and_keep_its_commands_as_a_step() {
    let parsed = p("# Failover\n```bash\nfail over\n```\n# Failback\n```bash\nfail back\n```\n");
    assert_eq!(parsed.runbook.title, "Failover");
    assert_eq!(titles(&parsed), ["Failover", "Failback"]);
}

#[test]
fn several_h1s_the_first_without_content_is_only_the_title() {
    let parsed = p("# Redis runbook\n# Stop\nx\n# Start\ny\n");
    assert_eq!(parsed.runbook.title, "Redis runbook");
    assert_eq!(titles(&parsed), ["Stop", "Start"]);
}

#[test]
fn a_file_that_starts_at_h2_takes_its_first_heading() {
    let parsed = p("## Restart Redis\n\n### Stop\nx\n### Start\ny\n");
    assert_eq!(parsed.runbook.title, "Restart Redis");
    // The heading is the title, not a group in every breadcrumb.
    assert_eq!(titles(&parsed), ["Stop", "Start"]);
    // With content of its own, it stays a step too: its commands must not vanish.
    let parsed = p("## Drain\n```bash\ndrain\n```\n## Undrain\nx\n");
    assert_eq!(parsed.runbook.title, "Drain");
    assert_eq!(titles(&parsed), ["Drain", "Undrain"]);
}

#[test]
fn comments_badges_and_blank_lines_may_come_before_the_first_heading() {
    let text = "<!--\nowner: sre\n-->\n\n[![build](https://ci/b.svg)](https://ci) ![cov](c.svg)\n\n## Rotate keys\nx\n";
    assert_eq!(p(text).runbook.title, "Rotate keys");
    assert_eq!(p("\n\n### Deep\nx\n").runbook.title, "Deep");
}

#[test]
fn prose_before_the_first_heading_keeps_the_file_name() {
    assert_eq!(
        p("Read this first.\n\n## A\ntext\n").runbook.title,
        "sample"
    );
    assert_eq!(
        p("[docs](https://x)\n\n## A\ntext\n").runbook.title,
        "sample"
    );
}

#[test]
fn an_h1_after_other_headings_is_still_the_title() {
    let parsed = p("## Notes\nn\n# Real title\n## A\nx\n");
    assert_eq!(parsed.runbook.title, "Real title");
}

#[test]
fn cr_only_files_are_read_with_cr_as_line_ends_at_the_original_places() {
    let text = "# Restart\r\r## Stop\r```bash\rsystemctl stop x\recho $NODE\r```\r";
    let parsed = p(text);
    assert_eq!(parsed.runbook.title, "Restart");
    assert_eq!(titles(&parsed), ["Stop"]);
    let c = &parsed.runbook.steps[0].commands[1];
    assert_eq!(c.code, "echo $NODE");
    assert!(c.runnable);
    // Offsets are those of the original bytes; lines count the CRs.
    assert_eq!((c.span.line, c.span.column), (6, 1));
    assert_eq!(&text[c.span.start..c.span.start + 4], "echo");
    assert_eq!(parsed.runbook.variables[0].name, "NODE");
    let d = &parsed.diagnostics[0];
    assert_eq!(d.code, DiagnosticCode::CrLineEndings);
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!((d.span.line, d.span.column), (1, 1));
    // The digest is of the bytes as written.
    assert_eq!(parsed.runbook.sha256, sha256_hex(text.as_bytes()));
}

#[test]
fn crlf_and_lf_files_are_not_cr_only() {
    assert!(!cr_line_endings("# T\r\n## A\r\nx\r\n"));
    assert!(!cr_line_endings("# T\n## A\nx\n"));
    assert!(!cr_line_endings(""));
    assert!(cr_line_endings("# T\r## A\rx\r"));
    let parsed = p("# T\r\n## A\r\nx\r\n");
    assert!(
        parsed
            .diagnostics
            .iter()
            .all(|d| d.code != DiagnosticCode::CrLineEndings)
    );
}

#[test]
fn an_unclosed_annotation_comment_is_an_error_and_the_rest_is_parsed() {
    let text = "# T\n\n## Wipe\n\n<!-- runbook: danger\n\n```bash\nrm -rf /data\n```\n\n## Check\n<!-- runbook: readonly -->\n```bash\nls\n```\n";
    let parsed = p(text);
    assert_eq!(titles(&parsed), ["Wipe", "Check"]);
    let wipe = &parsed.runbook.steps[0].commands[0];
    assert_eq!(wipe.code, "rm -rf /data\n");
    assert!(!wipe.annotations.danger);
    assert!(parsed.runbook.steps[1].commands[0].annotations.readonly);
    let d: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code, d.severity, d.span.line, d.span.column))
        .collect();
    assert_eq!(
        d,
        [(
            DiagnosticCode::UnclosedAnnotationComment,
            Severity::Error,
            5,
            1
        )]
    );
}

#[test]
fn items_that_are_only_a_link_are_not_checklist_items() {
    let parsed = p(
        "## A\n1. [Dashboard](https://example.com/d)\n2. <https://example.com/w>\n3. open [the wiki](https://w) and check\n4. - [ ] [Ticket](https://t)\n\n## B\n- [ ] [Ticket](https://t)\n",
    );
    let a = &parsed.runbook.steps[0];
    let texts: Vec<&str> = a.checklist.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts[0], "open the wiki and check");
    assert_eq!(a.checklist[0].index, 1);
    // A task item asks to be ticked even when it is only a link.
    assert_eq!(parsed.runbook.steps[1].checklist.len(), 1);
}

#[test]
fn bullets_under_a_procedure_heading_are_checklist_items() {
    let parsed = p(
        "## Checklist\n- stop the writer\n  - detail\n- swap\n## PROCEDURE:\n* one\n## Instructions\n- a\n## Steps\n- b\n## Notes\n- not an item\n",
    );
    let counts: Vec<usize> = parsed
        .runbook
        .steps
        .iter()
        .map(|s| s.checklist.len())
        .collect();
    assert_eq!(counts, [2, 1, 1, 1, 0]);
    let texts: Vec<&str> = parsed.runbook.steps[0]
        .checklist
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    assert_eq!(texts, ["stop the writer", "swap"]);
}

#[test]
fn nested_task_items_are_items_of_their_own() {
    let parsed = p(
        "## A\n1. [Docs](https://d)\n2. prepare\n   - [ ] stop writer\n     ```bash\n     echo stop\n     ```\n   - [x] snapshot\n     - [ ] verify\n   - plain detail\n3. go\n",
    );
    let a = &parsed.runbook.steps[0];
    let items: Vec<(usize, &str, &str, bool)> = a
        .checklist
        .iter()
        .map(|i| (i.index, i.number.as_str(), i.text.as_str(), i.checked))
        .collect();
    assert_eq!(
        items,
        [
            (1, "1", "prepare", false),
            (2, "1.1", "stop writer", false),
            (3, "1.2", "snapshot", true),
            (4, "1.2.1", "verify", false),
            (5, "2", "go", false),
        ]
    );
    // A block belongs to the innermost item holding it.
    assert_eq!(a.commands[0].checklist_item, Some(2));
    assert_eq!(a.checklist[1].commands, [1]);
}

#[test]
fn an_item_without_text_takes_its_first_nested_line() {
    let parsed =
        p("## A\n1.\n   - drain the node\n     and wait\n   - check\n2. done\n   - detail\n");
    let texts: Vec<&str> = parsed.runbook.steps[0]
        .checklist
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    assert_eq!(texts, ["drain the node", "done"]);
}

#[test]
fn an_introduction_of_text_is_kept_with_where_it_starts() {
    let parsed = p(
        "# Fail over SIP\n\nCalls drop while this runs.\nAsk #voice-oncall first.\n\n## Drain\nx\n",
    );
    let intro = parsed
        .runbook
        .introduction
        .as_ref()
        .expect("an introduction");
    assert_eq!(
        intro.text,
        "Calls drop while this runs.\nAsk #voice-oncall first."
    );
    assert_eq!((intro.span.line, intro.span.column), (3, 1));
    assert_eq!(titles(&parsed), ["Drain"]);
}

#[test]
fn an_introduction_with_commands_is_the_first_step() {
    let parsed = p(
        "# Rotate keys\n\nLog in first:\n\n```bash\naws sso login --profile prod-euw2\n```\n\n## Rotate\n```bash\nrotate\n```\n",
    );
    assert_eq!(titles(&parsed), ["Introduction", "Rotate"]);
    let intro = &parsed.runbook.steps[0];
    assert_eq!((intro.index, intro.level, intro.span.line), (1, 0, 3));
    assert_eq!(intro.id, "introduction");
    assert!(intro.body.starts_with("Log in first:"), "{}", intro.body);
    assert_eq!(intro.commands.len(), 1);
    assert_eq!(
        intro.commands[0].code,
        "aws sso login --profile prod-euw2\n"
    );
    assert_eq!(parsed.runbook.introduction, None);
    assert_eq!(parsed.runbook.steps[1].index, 2);
}

#[test]
fn an_introduction_with_a_checklist_is_the_first_step() {
    let parsed = p("# Upgrade\n\n1. Tell #ops\n2. Open the bridge\n\n## Upgrade\nx\n");
    assert_eq!(titles(&parsed), ["Introduction", "Upgrade"]);
    let numbers: Vec<&str> = parsed.runbook.steps[0]
        .checklist
        .iter()
        .map(|c| c.number.as_str())
        .collect();
    assert_eq!(numbers, ["1", "2"]);
}

#[test]
fn introduction_parts_above_and_below_the_title_are_one_step_numbered_in_order() {
    let parsed = p(
        "```bash\nexport AWS_PROFILE=prod\n```\n\n# Title\n\n1. first\n   ```bash\n   one\n   ```\n\n## Next\nx\n",
    );
    let intro = &parsed.runbook.steps[0];
    assert_eq!(intro.title, "Introduction");
    let codes: Vec<(usize, &str)> = intro
        .commands
        .iter()
        .map(|c| (c.index, c.code.as_str()))
        .collect();
    assert_eq!(codes, [(1, "export AWS_PROFILE=prod\n"), (2, "one\n")]);
    assert_eq!(intro.checklist[0].commands, [2]);
    assert_eq!(intro.commands[1].checklist_item, Some(1));
    assert_ne!(intro.commands[0].block, intro.commands[1].block);
}

#[test]
fn an_introduction_of_only_output_or_diagrams_stays_text() {
    let parsed = p("# T\n\nLooks like:\n\n```text\nok\n```\n\n## Go\nx\n");
    assert_eq!(titles(&parsed), ["Go"]);
    assert!(
        parsed
            .runbook
            .introduction_text()
            .is_some_and(|t| t.contains("```text"))
    );
}

#[test]
fn a_bullet_item_holding_a_code_block_is_a_checklist_item() {
    let parsed = p(
        "## Restart\n- Read the [dashboard](https://grafana)\n- Restart **FreeSWITCH** on `fs-1`:\n  ```bash\n  systemctl restart freeswitch\n  ```\n  then wait.\n- Tell #voice\n- On the proxy\n  - reload it:\n    ```bash\n    opensips-cli -x mi reload\n    ```\n",
    );
    let step = &parsed.runbook.steps[0];
    let items: Vec<(&str, &str, &[usize])> = step
        .checklist
        .iter()
        .map(|c| (c.number.as_str(), c.text.as_str(), c.commands.as_slice()))
        .collect();
    assert_eq!(
        items,
        [
            ("1", "Restart FreeSWITCH on fs-1: then wait.", &[1][..]),
            ("2", "reload it:", &[2][..]),
        ]
    );
    assert_eq!(step.commands[0].checklist_item, Some(1));
    assert_eq!(step.commands[1].checklist_item, Some(2));
}

#[test]
fn a_bullet_with_code_inside_a_numbered_item_stays_part_of_it() {
    let parsed = p("## A\n1. Restart\n   - on fs-1:\n     ```bash\n     restart\n     ```\n");
    let step = &parsed.runbook.steps[0];
    assert_eq!(step.checklist.len(), 1);
    assert_eq!(step.checklist[0].commands, [1]);
}

#[test]
fn an_item_with_only_a_tight_nested_list_takes_its_first_line() {
    let parsed = p("## A\n1.\n   - Raise the ASG to 12\n   - Wait for the nodes\n");
    assert_eq!(
        parsed.runbook.steps[0].checklist[0].text,
        "Raise the ASG to 12"
    );
}

#[test]
fn badges_above_the_title_are_no_introduction() {
    let parsed = p("[![ci](https://ci/badge.svg)](https://ci)\n\n# T\n\n## Go\nx\n");
    assert_eq!(parsed.runbook.introduction, None);
    assert_eq!(titles(&parsed), ["Go"]);
}

#[test]
fn a_bullet_holding_only_sample_output_is_no_checklist_item() {
    let parsed = p("## A\n- The output should look like:\n  ```text\n  OK\n  ```\n");
    assert!(parsed.runbook.steps[0].checklist.is_empty());
    assert_eq!(parsed.runbook.steps[0].commands[0].checklist_item, None);
}

/// Every bundled runbook and fidelity fixture reads the same with pulldown-cmark on its own
/// thread as on this one: same plan, same diagnostics in the same order.
#[test]
fn the_pipelined_walk_reads_what_the_sequential_one_reads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["runbooks", "tests/fixtures/fidelity"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("read fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 40, "only {} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let name = path.display().to_string();
        let one = parse_with(&name, &text, usize::MAX);
        let two = parse_with(&name, &text, 0);
        assert_eq!(
            serde_json::to_string(&one.runbook).expect("json"),
            serde_json::to_string(&two.runbook).expect("json"),
            "{name}"
        );
        assert_eq!(
            format!("{:?}", one.diagnostics),
            format!("{:?}", two.diagnostics),
            "{name}"
        );
    }
}
