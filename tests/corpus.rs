//! The parser against a corpus of real runbooks written by other teams.
//!
//! The corpus lives beside the checkout (`../shared/corpus`) and is read in place, never copied
//! into the repository. Without it the tests are reported as ignored, with the reason; under
//! `CI=true` they fail.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

mod common;
#[path = "common/needs.rs"]
mod needs;

use common::{span_problem, spans};
use runbook::check;
use runbook::markdown::{self, Parsed};
use runbook::runbook::{CommandKind, Diagnostic, Severity, Step};
use runbook::source::{Source, markdown_files};

const CORPUS: &str = "../shared/corpus";

/// The corpus directory, found.
struct Corpus(PathBuf);

impl std::ops::Deref for Corpus {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// The corpus directory, or why it cannot be used.
fn corpus() -> Result<Corpus, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    if dir.is_dir() {
        Ok(Corpus(dir))
    } else {
        Err(format!(
            "{} not found (clone the shared folder beside the repository)",
            dir.display()
        ))
    }
}

fn main() -> std::process::ExitCode {
    needs::Suite::default()
        .needing(
            "the runbook corpus",
            corpus(),
            tests![
                every_corpus_file_parses_cleanly_with_spans_inside_the_file,
                command_code_is_byte_for_byte_from_the_file,
                etcd_members_down_keeps_go_templates,
                kube_api_down_is_a_single_step_under_its_title,
                guest_vcpu_queue_warns_about_the_unterminated_fence,
                guest_vcpu_queue_checklist_text_separates_paragraphs,
                kube_pod_crash_looping_reads_hugo_front_matter,
                alertmanager_members_inconsistent_splits_prompts_from_output,
                alertmanager_members_inconsistent_output_starts_at_its_first_line,
                kube_node_not_ready_reads_blocks_nested_in_list_items,
                target_down_groups_steps_under_empty_headings,
                etcd_backend_quota_low_space_nests_steps_and_flags_defrag,
                check_command_reports_no_errors_on_the_corpus_as_valid_json,
            ],
        )
        .run()
}

/// Every Markdown file of the corpus, with its path relative to the corpus.
fn corpus_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let files = markdown_files(&[dir.to_path_buf()]).expect("the corpus can be walked");
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(dir)
                .expect("files are under the corpus")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, path)
        })
        .collect()
}

struct Loaded {
    path: String,
    text: String,
    parsed: Parsed,
}

/// Loads and parses one corpus file, given relative to the corpus.
fn load(dir: &Path, rel: &str) -> Loaded {
    let source = Source::load(&dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let parsed = markdown::parse(rel, &source.text);
    Loaded {
        path: rel.to_string(),
        text: source.text,
        parsed,
    }
}

/// Parse diagnostics and lint diagnostics together, in file order.
fn all_diagnostics(parsed: &Parsed) -> Vec<Diagnostic> {
    let mut ds = parsed.diagnostics.clone();
    ds.extend(check::lint(&parsed.runbook));
    ds.sort_by_key(|d| (d.span.start, d.severity));
    ds
}

/// The file's lines without their line endings, 0-based.
fn file_lines(text: &str) -> Vec<&str> {
    text.split('\n').map(|l| l.trim_end_matches('\r')).collect()
}

fn every_corpus_file_parses_cleanly_with_spans_inside_the_file(dir: &Corpus) {
    let files = corpus_files(dir);
    assert!(
        files.len() >= 300,
        "only {} Markdown files found under {}: the walk is broken",
        files.len(),
        dir.display()
    );
    let mut failures = Vec::new();
    for (rel, path) in &files {
        let source = match Source::load(path) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{rel}: cannot load: {e}"));
                continue;
            }
        };
        let text = source.text;
        let result = std::panic::catch_unwind(|| {
            let parsed = markdown::parse(rel, &text);
            let lint = check::lint(&parsed.runbook);
            (parsed, lint)
        });
        let (parsed, lint) = match result {
            Ok(r) => r,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(ToString::to_string))
                    .unwrap_or_default();
                failures.push(format!("{rel}: parser panicked: {msg}"));
                continue;
            }
        };
        for d in parsed.diagnostics.iter().chain(&lint) {
            if d.severity == Severity::Error {
                failures.push(d.render(rel));
            }
        }
        for (what, span) in spans(&parsed, &lint) {
            if let Some(problem) = span_problem(&text, &span) {
                failures.push(format!("{rel}: {what}: {problem}"));
            }
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in the corpus, listed above",
        failures.len()
    );
}

/// Whether the code block whose span starts at byte `start` sits on a line of its own,
/// unindented and outside any container, so its code is a verbatim slice of the file.
fn fence_is_flush(text: &str, start: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    line.starts_with("```") || line.starts_with("~~~")
}

fn command_code_is_byte_for_byte_from_the_file(dir: &Corpus) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rel, _) in corpus_files(dir) {
        let loaded = load(dir, &rel);
        let text = &loaded.text;
        let lines = file_lines(text);
        for step in &loaded.parsed.runbook.steps {
            for c in &step.commands {
                checked += 1;
                let at = format!("{rel}:{}:{}", c.span.line, c.span.column);
                let first = c.span.line as usize - 1;
                // A manual command for another host or program was typed at a prompt: checked as one.
                let prompted = c.place.is_some() || c.program.is_some();
                match c.kind {
                    // One statement of a longer block: its span is its first byte, and its code
                    // the file's bytes from there (less a nested block's indentation on the
                    // lines after the first; blanks after its last byte are not part of it).
                    CommandKind::Script if !prompted && c.span.end == c.span.start + 1 => {
                        let code_lines: Vec<&str> = c.code.split('\n').collect();
                        for (k, code_line) in code_lines.iter().enumerate() {
                            let file_line = lines.get(first + k).copied().unwrap_or("");
                            let ok = if k == 0 {
                                text[c.span.start..].starts_with(code_line)
                            } else if k + 1 == code_lines.len() {
                                file_line.trim_end().ends_with(code_line)
                            } else {
                                file_line.ends_with(code_line)
                            };
                            if !ok {
                                failures.push(format!(
                                    "{at}: statement line {k} {code_line:?} is not from file line {} {file_line:?}",
                                    first + k + 1
                                ));
                            }
                        }
                    }
                    CommandKind::Script | CommandKind::Manual | CommandKind::Reference
                        if !prompted =>
                    {
                        if fence_is_flush(text, c.span.start) {
                            // The code starts on the line after the fence, exactly as written.
                            let content = text[c.span.start..]
                                .find('\n')
                                .map_or(text.len(), |i| c.span.start + i + 1);
                            if !text[content..].starts_with(&c.code) {
                                failures.push(format!(
                                    "{at}: code is not the bytes after the fence: {:?}",
                                    c.code
                                ));
                            }
                        } else {
                            // Nested or indented: the container's indentation is stripped, so
                            // each line must end the matching line of the file.
                            let fenced = {
                                let l = lines[first].trim_start_matches([' ', '\t', '>']);
                                let l = l.trim_start_matches(|ch: char| {
                                    ch.is_ascii_digit() || "-*+.) ".contains(ch)
                                });
                                l.starts_with("```") || l.starts_with("~~~")
                            };
                            let code_first = first + usize::from(fenced);
                            for (k, code_line) in c.code.lines().enumerate() {
                                let file_line = lines.get(code_first + k).copied().unwrap_or("");
                                if !text.contains(code_line) || !file_line.ends_with(code_line) {
                                    failures.push(format!(
                                        "{at}: code line {k} {code_line:?} is not line {} of the file {file_line:?}",
                                        code_first + k + 1
                                    ));
                                }
                            }
                        }
                    }
                    _ => {
                        if c.code.starts_with("$ ") {
                            failures.push(format!("{at}: console code keeps its prompt"));
                        }
                        let prompt_line = lines[first];
                        let prompt_col: usize = prompt_line
                            .chars()
                            .take(c.span.column as usize - 1)
                            .map(char::len_utf8)
                            .sum();
                        if prompt_line[prompt_col..].starts_with(char::is_whitespace) {
                            failures.push(format!("{at}: the span is not on the prompt"));
                        }
                        let code_lines: Vec<&str> = c.code.split('\n').collect();
                        for (k, code_line) in code_lines.iter().enumerate() {
                            let file_line = lines.get(first + k).copied().unwrap_or("");
                            if !text.contains(code_line) || !file_line.ends_with(code_line) {
                                failures.push(format!(
                                    "{at}: console line {k} {code_line:?} is not the end of file line {} {file_line:?}",
                                    first + k + 1
                                ));
                            }
                        }
                        if let Some(out) = &c.expected_output {
                            // Blank lines between a prompt and its output are not output.
                            let mut out_first = first + code_lines.len();
                            while lines.get(out_first).is_some_and(|l| l.trim().is_empty()) {
                                out_first += 1;
                            }
                            for (k, out_line) in out.split('\n').enumerate() {
                                let file_line = lines.get(out_first + k).copied().unwrap_or("");
                                if !file_line.ends_with(out_line) {
                                    failures.push(format!(
                                        "{at}: output line {k} {out_line:?} is not the end of file line {} {file_line:?}",
                                        out_first + k + 1
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(checked > 500, "only {checked} commands in the corpus");
    assert!(
        failures.is_empty(),
        "{} command(s) not byte for byte from their file, listed above",
        failures.len()
    );
}

fn titles(loaded: &Loaded) -> Vec<String> {
    loaded
        .parsed
        .runbook
        .steps
        .iter()
        .map(Step::full_title)
        .collect()
}

fn command_counts(loaded: &Loaded) -> Vec<usize> {
    loaded
        .parsed
        .runbook
        .steps
        .iter()
        .map(|s| s.commands.len())
        .collect()
}

fn step<'a>(loaded: &'a Loaded, full_title: &str) -> &'a Step {
    loaded
        .parsed
        .runbook
        .steps
        .iter()
        .find(|s| s.full_title() == full_title)
        .unwrap_or_else(|| panic!("{}: no step `{full_title}`", loaded.path))
}

fn codes(step: &Step) -> Vec<&str> {
    step.commands.iter().map(|c| c.code.as_str()).collect()
}

fn rendered(loaded: &Loaded) -> Vec<String> {
    all_diagnostics(&loaded.parsed)
        .iter()
        .map(|d| d.render(&loaded.path))
        .collect()
}

/// Console blocks in H2 and H3 sections; a Go template kept byte for byte.
fn etcd_members_down_keeps_go_templates(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/cluster-etcd-operator/etcdMembersDown.md",
    );
    assert_eq!(f.parsed.runbook.title, "etcdMembersDown");
    assert_eq!(f.parsed.runbook.introduction, None);
    assert_eq!(
        titles(&f),
        [
            "Meaning",
            "Impact",
            "Diagnosis",
            "Diagnosis › General etcd health",
            "Mitigation"
        ]
    );
    assert_eq!(command_counts(&f), [0, 0, 3, 3, 0]);

    let diagnosis = step(&f, "Diagnosis");
    assert_eq!(
        codes(diagnosis),
        [
            "oc get nodes -l node-role.kubernetes.io/master=",
            "oc adm upgrade",
            r#"oc get nodes -l node-role.kubernetes.io/master= -o template --template='{{range .items}}{{"===> node:> "}}{{.metadata.name}}{{"\n"}}{{range $k, $v := .metadata.annotations}}{{println $k ":" $v}}{{end}}{{"\n"}}{{end}}'"#,
        ]
    );
    let template = &diagnosis.commands[2];
    assert_eq!(template.kind, CommandKind::Console);
    assert_eq!(template.lang, "console");
    assert_eq!(template.expected_output, None);
    assert_eq!((template.span.line, template.span.column), (42, 1));

    let health = step(&f, "Diagnosis › General etcd health");
    assert_eq!(health.level, 3);
    assert_eq!(
        codes(health),
        [
            r#"oc rsh -c etcdctl -n openshift-etcd $(oc get pod -l app=etcd -oname -n openshift-etcd | awk -F"/" 'NR==1{ print $2 }')"#,
            "etcdctl version",
            "etcdctl endpoint health -w table",
        ]
    );
    assert!(
        health
            .commands
            .iter()
            .all(|c| c.kind == CommandKind::Console && c.expected_output.is_none())
    );
    assert_eq!(rendered(&f), Vec::<String>::new());
}

/// A moved alert: the only text is under the H1, so the whole file is one step.
fn kube_api_down_is_a_single_step_under_its_title(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/cluster-monitoring-operator/KubeAPIDown.md",
    );
    assert_eq!(f.parsed.runbook.title, "KubeAPIDown");
    assert_eq!(titles(&f), ["KubeAPIDown"]);
    let only = &f.parsed.runbook.steps[0];
    assert_eq!(only.index, 1);
    assert_eq!(only.id, "kubeapidown");
    assert_eq!(
        only.body,
        "This alert has been moved to [alerts/cluster-kube-apiserver-operator/KubeAPIDown.md](https://github.com/openshift/runbooks/blob/master/alerts/cluster-kube-apiserver-operator/KubeAPIDown.md)"
    );
    assert!(only.commands.is_empty());
    assert_eq!(f.parsed.runbook.introduction, None);
    assert_eq!(rendered(&f), Vec::<String>::new());
}

/// A fence closed with two backticks inside a list item: the block runs to the end of the item.
fn guest_vcpu_queue_warns_about_the_unterminated_fence(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/openshift-virtualization-operator/GuestVCPUQueueHighCritical.md",
    );
    assert_eq!(titles(&f), ["Meaning", "Impact", "Diagnosis", "Mitigation"]);
    assert_eq!(command_counts(&f), [0, 0, 3, 0]);

    let ds = all_diagnostics(&f.parsed);
    assert_eq!(ds.len(), 1, "{:?}", rendered(&f));
    let d = &ds[0];
    assert_eq!(d.code.as_str(), "unterminated-fence");
    assert_eq!(d.severity, Severity::Warning);
    // Line 22 is `   ```promql`, closed on line 24 by a mere "``".
    assert_eq!((d.span.line, d.span.column), (22, 4));
    assert!(d.message.contains("add a line ``` where it ends"), "{d:?}");

    let diagnosis = step(&f, "Diagnosis");
    let c = &diagnosis.commands;
    assert_eq!(c[0].kind, CommandKind::Manual);
    assert_eq!(c[0].lang, "promql");
    assert_eq!(
        c[0].code,
        "kubevirt_vmi_guest_vcpu_queue{namespace=\"$NS\",name=\"$VM\"}\n"
    );
    // The unclosed block swallows the "``" line and the item's last paragraph.
    assert!(c[1].code.starts_with(
        "rate(kubevirt_vmi_cpu_usage_seconds_total{namespace=\"$NS\",name=\"$VM\"}[2m])\n``\nIf the CPU usage is more than 90%, migrate other VMs or\nmark the node as unschedulable, so that no new pods/VMs are placed on it.\n"
    ));
    // A `bash` block holding a `$ ` prompt is a console command.
    assert_eq!(c[2].kind, CommandKind::Console);
    assert_eq!(c[2].code, "oc get vmi $VM -ojsonpath='{.spec.domain.cpu}'");
    assert_eq!((c[2].span.line, c[2].span.column), (33, 4));

    // The numbered list is a checklist, each code block tied to its item.
    let items: Vec<(usize, Vec<usize>)> = diagnosis
        .checklist
        .iter()
        .map(|i| (i.index, i.commands.clone()))
        .collect();
    assert_eq!(
        items,
        [(1, vec![1]), (2, vec![2]), (3, vec![]), (4, vec![3])]
    );
    let item_of: Vec<Option<usize>> = c.iter().map(|c| c.checklist_item).collect();
    assert_eq!(item_of, [Some(1), Some(2), Some(4)]);
    assert_eq!(diagnosis.checklist[1].text, "Check host CPU usage");
    assert_eq!(
        diagnosis.checklist[2].text,
        "Inspect guest processes virtctl console <vm> → top -H or pidstat -u 1"
    );
    assert_eq!(diagnosis.checklist[3].text, "Verify vCPU allocation");
}

/// Item text made of two paragraphs must keep them apart.
fn guest_vcpu_queue_checklist_text_separates_paragraphs(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/openshift-virtualization-operator/GuestVCPUQueueHighCritical.md",
    );
    assert_eq!(
        step(&f, "Diagnosis").checklist[0].text,
        "Confirm queue length The longer the queue is over 20, the more significant issues it might cause."
    );
}

/// Hugo front matter: the title comes from it, `weight` is kept as an extra key.
fn kube_pod_crash_looping_reads_hugo_front_matter(dir: &Corpus) {
    let f = load(
        dir,
        "prometheus-operator/content/runbooks/kubernetes/KubePodCrashLooping.md",
    );
    let rb = &f.parsed.runbook;
    assert_eq!(rb.title, "Kube Pod Crash Looping");
    assert_eq!(
        serde_json::Value::Object(rb.front_matter.extra.clone()),
        serde_json::json!({ "weight": 20 })
    );
    assert_eq!(rb.front_matter.description, None);
    assert_eq!(rb.introduction, None);
    assert_eq!(titles(&f), ["Meaning", "Impact", "Diagnosis", "Mitigation"]);
    assert_eq!(command_counts(&f), [0, 0, 0, 0]);
    // Bullet lists are not checklists.
    assert!(rb.steps.iter().all(|s| s.checklist.is_empty()));
    // The first heading after the front matter is on line 8.
    assert_eq!(rb.steps[0].span.line, 8);
    assert_eq!(rendered(&f), Vec::<String>::new());
}

/// An empty `## Impact` is no step; console prompts are split from their output.
fn alertmanager_members_inconsistent_splits_prompts_from_output(dir: &Corpus) {
    let f = load(
        dir,
        "prometheus-operator/content/runbooks/alertmanager/AlertmanagerMembersInconsistent.md",
    );
    let rb = &f.parsed.runbook;
    assert_eq!(rb.title, "Alertmanager Members Inconsistent");
    assert_eq!(
        rb.front_matter.extra.get("weight"),
        Some(&serde_json::json!(20))
    );
    assert_eq!(titles(&f), ["Meaning", "Diagnosis", "Mitigation"]);
    assert_eq!(command_counts(&f), [0, 2, 0]);
    let c = &step(&f, "Diagnosis").commands;
    assert_eq!(c[0].kind, CommandKind::Console);
    assert_eq!(c[0].lang, "shell");
    assert_eq!(c[0].code, "kubectl describe svc alertmanager-main");
    assert_eq!(c[0].span.line, 19);
    assert_eq!(
        c[1].code,
        "kubectl get pod -o wide | grep alertmanager-main"
    );
    assert_eq!(c[1].span.line, 26);
    // Output keeps its trailing spaces: it is what the command printed.
    let out = c[1]
        .expected_output
        .as_deref()
        .expect("output after the prompt");
    assert!(out.ends_with("10.128.2.3  "), "{out:?}");
    assert_eq!(rendered(&f), Vec::<String>::new());
}

fn alertmanager_members_inconsistent_output_starts_at_its_first_line(dir: &Corpus) {
    let f = load(
        dir,
        "prometheus-operator/content/runbooks/alertmanager/AlertmanagerMembersInconsistent.md",
    );
    let c = &step(&f, "Diagnosis").commands;
    assert_eq!(
        c[0].expected_output.as_deref(),
        Some(
            "Name:              alertmanager-main\nNamespace:         monitoring\n...\nEndpoints:         10.128.2.3:9095,10.129.2.5:9095,10.131.0.44:9095"
        )
    );
    assert_eq!(
        c[1].expected_output.as_deref(),
        Some(
            "alertmanager-main-0                            5/5     Running   0          11d     10.129.2.6\nalertmanager-main-1                            5/5     Running   0          2d16h   10.131.0.44     \nalertmanager-main-2                            5/5     Running   0          6d      10.128.2.3  "
        )
    );
}

/// Console blocks nested (indented four spaces) in bullet items.
fn kube_node_not_ready_reads_blocks_nested_in_list_items(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/cluster-monitoring-operator/KubeNodeNotReady.md",
    );
    assert_eq!(titles(&f), ["Meaning", "Impact", "Diagnosis", "Mitigation"]);
    assert_eq!(command_counts(&f), [0, 0, 4, 0]);
    let diagnosis = step(&f, "Diagnosis");
    let c = &diagnosis.commands;
    // Sample alert labels: shown for reference, not an item.
    assert_eq!(c[0].kind, CommandKind::Reference);
    assert_eq!(c[0].lang, "txt");
    assert_eq!(
        c[0].code,
        " - alertname = KubeNodeNotReady\n...\n - node = node1.example.com\n...\n"
    );
    assert!(!c[0].runnable);
    assert_eq!(
        codes(diagnosis)[1..],
        [
            "oc get node $NODE -o yaml",
            "oc get -n openshift-machine-api machine $NODE -o yaml",
            "oc get -n openshift-machine-api events",
        ]
    );
    let places: Vec<(u32, u32)> = c[1..]
        .iter()
        .map(|c| (c.span.line, c.span.column))
        .collect();
    assert_eq!(places, [(31, 5), (41, 5), (47, 5)]);
    assert!(
        c[1..]
            .iter()
            .all(|c| c.kind == CommandKind::Console && c.expected_output.is_none())
    );
    // Bullets that hold a command are things to do: each is a checklist item, its command in it.
    let owners: Vec<Option<usize>> = c[1..].iter().map(|c| c.checklist_item).collect();
    assert_eq!(owners, [Some(1), Some(2), Some(3)]);
    let items: Vec<(&str, &str)> = diagnosis
        .checklist
        .iter()
        .map(|i| (i.number.as_str(), i.text.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            (
                "1",
                "Log in to the cluster. Review the status of the node indicated in the alert message: The output of this command describes why the node is not ready. For example network issues could be causing timeouts when trying to reach the API or kubelet."
            ),
            ("2", "Check the machine for the node:"),
            (
                "3",
                "Check the events for the machine API: If the machine API is not able to replace the node, the machine status and events list will provide the details."
            ),
        ]
    );
    let vars: Vec<&str> = f
        .parsed
        .runbook
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(vars, ["NODE"]);
    assert_eq!(rendered(&f), Vec::<String>::new());
}

/// Headings without text of their own become breadcrumbs; a numbered list with nested blocks.
fn target_down_groups_steps_under_empty_headings(dir: &Corpus) {
    let f = load(
        dir,
        "openshift/alerts/cluster-monitoring-operator/TargetDown.md",
    );
    let rb = &f.parsed.runbook;
    assert_eq!(rb.title, "TargetDown");
    assert_eq!(
        rb.introduction_text(),
        Some(
            "This runbook provides guidance for diagnosing and resolving the `TargetDown` alert\nin OpenShift Container Platform."
        )
    );
    let group = "Diagnosis and mitigation › Potential Issues and Resolutions";
    assert_eq!(
        titles(&f),
        [
            "Meaning".to_string(),
            "Impact".to_string(),
            "Diagnosis and mitigation › Identifying targets that are down".to_string(),
            format!("{group} › Unknown Content Type"),
            format!("{group} › Network Issues"),
            format!("{group} › Target Resource Exhaustion"),
            format!("{group} › Target Application or Service Failure"),
            format!("{group} › Incorrect Target Configuration"),
            format!("{group} › Expired SSL/TLS Certificates"),
            format!("{group} › Prometheus Scraping Interval"),
            format!("{group} › Target metrics path"),
            format!("{group} › Target restart or update"),
            format!("{group} › Node failures"),
        ]
    );
    assert_eq!(command_counts(&f), [0, 0, 0, 1, 0, 2, 0, 1, 7, 0, 0, 0, 0]);
    let indexes: Vec<usize> = rb.steps.iter().map(|s| s.index).collect();
    assert_eq!(indexes, (1..=13).collect::<Vec<_>>());

    // An indented `shell` block: the comment line before the prompt is dropped, the
    // backslash continuations stay in the command, the rest is its output.
    let unknown = step(&f, &format!("{group} › Unknown Content Type"));
    let c = &unknown.commands[0];
    assert_eq!(c.kind, CommandKind::Console);
    assert_eq!(
        c.code,
        "oc -n $NAMESPACE logs -l 'app.kubernetes.io/name=prometheus' --tail=-1 | \\\n\
         grep 'Failed to determine correct type of scrape target.*' \\\n\
         | sort | uniq -c | sort -n"
    );
    assert_eq!(
        c.expected_output.as_deref(),
        Some(
            "msg=\"Failed to determine correct type of scrape target.\" \\\n\
             component=\"scrape manager\" \\\n\
             scrape_pool=<monitor>/<namespace>/<service-monitor-name>/<endpoint-id> \\\n\
             target=concerned-target content_type=\"concerned-content_type\" \\\n\
             fallback_media_type=\"fallback_media_type-if-any\" err=\"explicit_error\""
        )
    );
    assert_eq!((c.span.line, c.span.column), (75, 4));

    // Blocks without a prompt are scripts, run whole.
    let exhaustion = step(&f, &format!("{group} › Target Resource Exhaustion"));
    assert_eq!(
        codes(exhaustion),
        [
            "oc top pod $POD_NAME\n",
            "oc exec -n $NAMESPACE $POD_NAME -- df\n"
        ]
    );
    assert!(
        exhaustion
            .commands
            .iter()
            .all(|c| c.kind == Script && c.runnable)
    );

    let certs = step(&f, &format!("{group} › Expired SSL/TLS Certificates"));
    let kinds: Vec<CommandKind> = certs.commands.iter().map(|c| c.kind).collect();
    use CommandKind::{Reference, Script};
    // The sample `ServiceMonitor` (yaml) is shown for reference, not done by hand.
    assert_eq!(
        kinds,
        [Reference, Script, Script, Script, Script, Script, Script]
    );
    assert_eq!(
        codes(certs)[4..],
        [
            "oc logs statefulset/prometheus-k8s -n openshift-monitoring\n",
            "oc logs deployment/cluster-monitoring-operator -n openshift-monitoring\n",
            "oc logs deployment/prometheus-operator -n openshift-monitoring\n",
        ]
    );
    let items: Vec<(&str, Vec<usize>)> = certs
        .checklist
        .iter()
        .map(|i| (i.text.as_str(), i.commands.clone()))
        .collect();
    assert_eq!(
        items,
        [
            (
                "Ensure the prometheus-k8s stateful set logs do not display errors related to certificates.",
                vec![5]
            ),
            (
                "Verify that the scraped target pod(s) logs are free from certificate-related errors.",
                vec![]
            ),
            (
                "Check that the cluster-monitoring-operator pod is running and its logs contain no errors regarding certificate rotation.",
                vec![6]
            ),
            (
                "Confirm the prometheus-operator pod is operational and its logs have no errors concerning certificate rotation.",
                vec![7]
            ),
        ]
    );
    let item_lines: Vec<u32> = certs.checklist.iter().map(|i| i.span.line).collect();
    assert_eq!(item_lines, [279, 286, 288, 295]);
    let vars: Vec<&str> = rb.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        vars,
        [
            "NAMESPACE",
            "POD_NAME",
            "SERVICE_MONITOR_NAME",
            "SECRET_NAME"
        ]
    );
    assert_eq!(rendered(&f), Vec::<String>::new());
}

/// A section with text and subsections is a step itself; an empty H2 only groups.
fn etcd_backend_quota_low_space_nests_steps_and_flags_defrag(dir: &Corpus) {
    let f = load(
        dir,
        "prometheus-operator/content/runbooks/etcd/etcdBackendQuotaLowSpace.md",
    );
    assert_eq!(
        titles(&f),
        [
            "Meaning",
            "Impact",
            "Diagnosis",
            "Diagnosis › CLI Checks",
            "Diagnosis › PromQL queries",
            "Mitigation › Capacity planning",
            "Mitigation › Defrag",
        ]
    );
    assert_eq!(command_counts(&f), [0, 0, 0, 4, 2, 0, 1]);
    let cli = step(&f, "Diagnosis › CLI Checks");
    assert_eq!(
        codes(cli),
        [
            "NAMESPACE=\"kube-etcd\"",
            r#"kubectl rsh -c etcdctl -n $NAMESPACE $(kubectl get po -l app=etcd -oname -n $NAMESPACE | awk -F"/" 'NR==1{ print $2 }')"#,
            "etcdctl version",
            "etcdctl endpoint status -w table",
        ]
    );
    let lines: Vec<u32> = cli.commands.iter().map(|c| c.span.line).collect();
    assert_eq!(lines, [26, 27, 33, 39]);
    let promql = step(&f, "Diagnosis › PromQL queries");
    assert!(
        promql
            .commands
            .iter()
            .all(|c| c.kind == CommandKind::Manual && !c.runnable && c.lang == "promql")
    );
    let defrag = step(&f, "Mitigation › Defrag");
    assert_eq!(codes(defrag), ["etcdctl defrag"]);
    let ds = all_diagnostics(&f.parsed);
    let summary: Vec<(&str, Severity, u32)> = ds
        .iter()
        .map(|d| (d.code.as_str(), d.severity, d.span.line))
        .collect();
    assert_eq!(
        summary,
        [("destructive-command", Severity::Warning, 74)],
        "{:?}",
        rendered(&f)
    );
}

fn check_command_reports_no_errors_on_the_corpus_as_valid_json(dir: &Corpus) {
    let output = Process::new(env!("CARGO_BIN_EXE_runbook"))
        .arg("check")
        .arg(dir.as_os_str())
        .args(["--format", "json"])
        .output()
        .expect("the runbook binary runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "runbook check failed\nstderr:\n{stderr}\nstdout:\n{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}"));
    assert_eq!(report["errors"], 0, "{stdout}");
    let files = corpus_files(dir).len();
    assert_eq!(report["checked"], files, "{stderr}");

    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/check-report.schema.json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_path).expect("the schema is readable"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report does not match {}:\n{}",
        schema_path.display(),
        errors.join("\n")
    );
}
