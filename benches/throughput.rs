//! Throughput and start-up benchmark: `cargo bench --bench throughput`.
//!
//! A plain program (no harness). It generates its inputs into a temporary directory, builds the
//! release `runbook` binary and the `raw_pulldown` example (the baseline), measures everything in
//! one run on the same inputs, and prints a table of ratios against the goals. A missed goal is
//! reported as FAIL; it does not fail the process.
//!
//! 1. Parse throughput of `runbook::markdown::parse` on a ~1 MB runbook, against iterating the
//!    raw pulldown-cmark events of the same text: goal ≥ 50% of raw MB/s.
//! 2. `runbook check DIR` over 5,000 runbooks (~20 MB), against `raw_pulldown DIR` (read and
//!    iterate events, one thread): whole processes, best of 5 after a warm-up; goal ≤ 1.0×.
//! 3. `runbook show --json` of the 1 MB runbook against `raw_pulldown` of the same file, as whole
//!    processes (best of 5): goal ≤ 2.0×.
//! 4. Start-up: `runbook --help` < 3 ms and `runbook show runbooks/demo.md` < 5 ms (median of 50).
//!
//! Set `RUNBOOK_BENCH_KEEP=1` to keep the generated inputs (for profiling) instead of removing them.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

/// Size of the single runbook for the parse-throughput goal.
const BIG_BYTES: usize = 1024 * 1024;
/// The tree for the `check` goal: this many runbooks of about `SMALL_BYTES` each.
const TREE_FILES: usize = 5_000;
const SMALL_BYTES: usize = 4 * 1024;
/// Subdirectories of the tree, two levels deep: `team-XX/service-YY/`.
const TEAMS: usize = 10;
const SERVICES_PER_TEAM: usize = 10;

const PARSE_GOAL: f64 = 0.50;
const CHECK_GOAL: f64 = 1.0;
const SHOW_JSON_GOAL: f64 = 2.0;
const HELP_GOAL_MS: f64 = 3.0;
const SHOW_GOAL_MS: f64 = 5.0;

fn main() {
    let started = Instant::now();
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("runbook throughput benchmark");
    println!(
        "  {} logical CPUs, pulldown-cmark options: tables, tasklists, strikethrough, footnotes",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );

    let bins = build_binaries(manifest_dir);
    let tmp = tempfile::Builder::new()
        .prefix("runbook-bench-")
        .tempdir()
        .expect("create a temporary directory");

    let mut rows = Vec::new();

    // 1. Parse throughput.
    let big = generate_runbook(&mut Rng::new(0x5eed), 0, BIG_BYTES);
    let big_path = tmp.path().join("big.md");
    std::fs::write(&big_path, &big).expect("write the 1 MB runbook");
    let big = std::fs::read_to_string(&big_path).expect("read the 1 MB runbook back");
    rows.extend(parse_throughput(&big));
    rows.extend(show_json(&bins, &big_path, tmp.path()));

    // 2. `runbook check` over a tree, against the single-threaded baseline.
    let tree = tmp.path().join("tree");
    let (files, bytes) = generate_tree(&tree);
    println!(
        "  generated {files} runbooks, {:.1} MB, in {} directories under {}",
        bytes as f64 / 1e6,
        TEAMS * SERVICES_PER_TEAM,
        tree.display()
    );
    rows.extend(check_tree(&bins, &tree, tmp.path()));

    // 3. Process start-up.
    rows.extend(startup(&bins, manifest_dir));

    print_table(&rows);
    println!(
        "\nbenchmark took {:.1} s; reproduce with: cargo bench --bench throughput",
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("RUNBOOK_BENCH_KEEP").is_some() {
        println!("inputs kept in {}", tmp.keep().display());
    }
    // Otherwise `tmp` is dropped here, removing the generated inputs.
}

// ---------------------------------------------------------------------------------------------
// Results

enum Verdict {
    Pass,
    Fail,
    Info,
}

struct Row {
    what: String,
    measured: String,
    goal: String,
    ratio: String,
    verdict: Verdict,
}

impl Row {
    fn judged(what: &str, measured: String, goal: String, ratio: String, pass: bool) -> Row {
        Row {
            what: what.to_string(),
            measured,
            goal,
            ratio,
            verdict: if pass { Verdict::Pass } else { Verdict::Fail },
        }
    }

    fn info(what: &str, measured: String) -> Row {
        Row {
            what: what.to_string(),
            measured,
            goal: "-".into(),
            ratio: "-".into(),
            verdict: Verdict::Info,
        }
    }
}

fn print_table(rows: &[Row]) {
    let headers = ["what", "measured", "goal", "ratio", "result"];
    let cells: Vec<[&str; 5]> = rows
        .iter()
        .map(|r| {
            let verdict = match r.verdict {
                Verdict::Pass => "PASS",
                Verdict::Fail => "FAIL",
                Verdict::Info => "info",
            };
            [
                r.what.as_str(),
                r.measured.as_str(),
                r.goal.as_str(),
                r.ratio.as_str(),
                verdict,
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cols: &[&str; 5]| {
        let mut s = String::new();
        for (i, (cell, w)) in cols.iter().zip(widths).enumerate() {
            let sep = if i == 0 { "" } else { "  " };
            let _ = write!(s, "{sep}{cell:<w$}");
        }
        s.trim_end().to_string()
    };
    println!();
    println!("{}", line(&headers));
    println!(
        "{}",
        "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
    );
    for row in &cells {
        println!("{}", line(row));
    }
    let failed = rows
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail))
        .count();
    let judged = rows
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Info))
        .count();
    println!("\n{} of {judged} goals met", judged - failed);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

// ---------------------------------------------------------------------------------------------
// Binaries

struct Binaries {
    runbook: PathBuf,
    baseline: PathBuf,
}

/// Builds (or confirms up to date) the release binary and the baseline example, and finds them.
fn build_binaries(manifest_dir: &Path) -> Binaries {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("  building: cargo build --release --bin runbook --example raw_pulldown");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            "runbook",
            "--example",
            "raw_pulldown",
        ])
        .current_dir(manifest_dir)
        .stdout(Stdio::null())
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release failed: {status}");
    let release = release_dir(manifest_dir);
    let bins = Binaries {
        runbook: release.join(format!("runbook{}", std::env::consts::EXE_SUFFIX)),
        baseline: release
            .join("examples")
            .join(format!("raw_pulldown{}", std::env::consts::EXE_SUFFIX)),
    };
    for bin in [&bins.runbook, &bins.baseline] {
        assert!(bin.is_file(), "{} not found after building", bin.display());
    }
    bins
}

/// `target/release`: where this bench runs from (`target/release/deps/throughput-*`), else
/// `$CARGO_TARGET_DIR/release`, else `target/release` under the manifest.
fn release_dir(manifest_dir: &Path) -> PathBuf {
    if let Ok(exe) = std::env::current_exe()
        && let Some(deps) = exe.parent()
        && deps.file_name().is_some_and(|n| n == "deps")
        && let Some(profile) = deps.parent()
        && profile.file_name().is_some_and(|n| n == "release")
    {
        return profile.to_path_buf();
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => manifest_dir.join(dir).join("release"),
        None => manifest_dir.join("target").join("release"),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Parse throughput

fn raw_events(text: &str) -> usize {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut n = 0;
    for item in Parser::new_ext(text, options).into_offset_iter() {
        black_box(&item);
        n += 1;
    }
    n
}

fn runbook_parse(text: &str) -> usize {
    let parsed = runbook::markdown::parse("big.md", black_box(text));
    black_box(&parsed);
    parsed.runbook.steps.len()
}

/// Seconds per call of `f` over `iters` calls.
fn time_batch(iters: usize, text: &str, f: fn(&str) -> usize) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        black_box(f(black_box(text)));
    }
    t.elapsed().as_secs_f64() / iters as f64
}

fn parse_throughput(text: &str) -> Vec<Row> {
    let mb = text.len() as f64 / 1e6;
    let parsed = runbook::markdown::parse("big.md", text);
    let rb = &parsed.runbook;
    let commands: usize = rb.steps.iter().map(|s| s.commands.len()).sum();
    let errors = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == runbook::runbook::Severity::Error)
        .count();
    println!(
        "  generated a {:.2} MB runbook: {} lines, {} raw events; parsed into {} steps, {} commands, {} variables, {} diagnostics ({} errors)",
        mb,
        text.lines().count(),
        raw_events(text),
        rb.steps.len(),
        commands,
        rb.variables.len(),
        parsed.diagnostics.len(),
        errors
    );
    drop(parsed);

    // Warm-up, then size each batch to about 100 ms of the slower of the two.
    let mut slowest: f64 = 0.0;
    for f in [raw_events as fn(&str) -> usize, runbook_parse] {
        time_batch(3, text, f);
        slowest = slowest.max(time_batch(2, text, f));
    }
    let iters = ((0.1 / slowest).ceil() as usize).clamp(3, 1000);
    const BATCHES: usize = 9;
    let (mut raw, mut parse) = (Vec::new(), Vec::new());
    // Interleaved, so drift (frequency, noisy neighbours) hits both alike.
    for _ in 0..BATCHES {
        raw.push(mb / time_batch(iters, text, raw_events));
        parse.push(mb / time_batch(iters, text, runbook_parse));
    }
    let (raw_mbps, parse_mbps) = (median(&mut raw), median(&mut parse));
    let ratio = parse_mbps / raw_mbps;
    println!(
        "  parse: {BATCHES} interleaved batches of {iters} iterations each, median MB/s (1 MB = 10^6 bytes)"
    );

    // Not a goal: the same runbook where every `### Verify ...` heading reads just `### Verify`,
    // as real runbooks often repeat a subheading; ids of repeated titles are deduplicated.
    let repeated: String = text
        .split_inclusive('\n')
        .map(|l| {
            if l.starts_with("### Verify ") {
                "### Verify\n"
            } else {
                l
            }
        })
        .collect();
    let count = repeated.lines().filter(|l| *l == "### Verify").count();
    let rmb = repeated.len() as f64 / 1e6;
    time_batch(1, &repeated, runbook_parse);
    let mut rep: Vec<f64> = (0..5)
        .map(|_| rmb / time_batch(1, &repeated, runbook_parse))
        .collect();
    let rep_mbps = median(&mut rep);

    vec![
        Row::info(
            "raw pulldown-cmark events, 1 MB runbook",
            format!("{raw_mbps:.1} MB/s"),
        ),
        Row::judged(
            "runbook::markdown::parse, 1 MB runbook",
            format!("{parse_mbps:.1} MB/s"),
            format!(">= {:.0}% of raw", PARSE_GOAL * 100.0),
            format!("{:.0}% of raw", ratio * 100.0),
            ratio >= PARSE_GOAL,
        ),
        Row::info(
            &format!("  same, {count} headings all `### Verify`"),
            format!(
                "{rep_mbps:.1} MB/s ({:.0}% of raw)",
                rep_mbps / raw_mbps * 100.0
            ),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// 2. `runbook check` over a tree

fn run_timed(cmd: &mut Command) -> (Duration, std::process::Output) {
    let t = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("spawn a benchmark process");
    (t.elapsed(), out)
}

/// `runbook show --json` of the 1 MB runbook against reading and iterating it with pulldown-cmark,
/// both as whole processes: what an editor integration or a script pays per call.
fn show_json(bins: &Binaries, big_path: &Path, tmp: &Path) -> Vec<Row> {
    // The baseline walks directories: the runbook alone in one.
    let dir = tmp.join("big-only");
    std::fs::create_dir_all(&dir).expect("create the directory of the 1 MB runbook");
    std::fs::copy(big_path, dir.join("big.md")).expect("copy the 1 MB runbook");
    let show = || {
        let mut c = Command::new(&bins.runbook);
        c.arg("show").arg("--json").arg(big_path);
        c
    };
    let baseline = || {
        let mut c = Command::new(&bins.baseline);
        c.arg(&dir);
        c
    };
    let (_, out) = run_timed(&mut show());
    assert!(
        out.status.success(),
        "`runbook show --json` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    run_timed(&mut baseline());
    const RUNS: usize = 5;
    let (mut best_show, mut best_base) = (Duration::MAX, Duration::MAX);
    for _ in 0..RUNS {
        best_show = best_show.min(run_timed(&mut show()).0);
        best_base = best_base.min(run_timed(&mut baseline()).0);
    }
    let ratio = best_show.as_secs_f64() / best_base.as_secs_f64();
    vec![
        Row::info(
            "raw_pulldown baseline, 1 MB runbook (process)",
            format!("{:.1} ms", ms(best_base)),
        ),
        Row::judged(
            "runbook show --json, 1 MB runbook (process)",
            format!("{:.1} ms", ms(best_show)),
            format!("<= {SHOW_JSON_GOAL}x baseline"),
            format!("{ratio:.2}x"),
            ratio <= SHOW_JSON_GOAL,
        ),
    ]
}

fn check_tree(bins: &Binaries, tree: &Path, tmp: &Path) -> Vec<Row> {
    let check = || {
        let mut c = Command::new(&bins.runbook);
        c.arg("check").arg(tree);
        c
    };
    let baseline = || {
        let mut c = Command::new(&bins.baseline);
        c.arg(tree);
        c
    };
    // Warm-up (page cache), and a look at what each says.
    let (_, out) = run_timed(&mut check());
    let code = out.status.code();
    let summary = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    println!("  runbook check: exit {code:?}, \"{summary}\"");
    assert!(
        matches!(code, Some(0 | 1)),
        "`runbook check` exited with {:?} (2 means a file could not be read): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    if code != Some(0) {
        println!("  note: the generated runbooks are meant to be clean; check reported errors");
    }
    let (_, out) = run_timed(&mut baseline());
    assert!(
        out.status.success(),
        "baseline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "  raw_pulldown baseline: \"{}\"",
        String::from_utf8_lossy(&out.stderr).trim()
    );

    const RUNS: usize = 5;
    let (mut best_check, mut best_base) = (Duration::MAX, Duration::MAX);
    for _ in 0..RUNS {
        best_check = best_check.min(run_timed(&mut check()).0);
        best_base = best_base.min(run_timed(&mut baseline()).0);
    }
    let ratio = best_check.as_secs_f64() / best_base.as_secs_f64();
    let mut rows = vec![
        Row::info(
            "raw_pulldown baseline, 5,000 files (1 thread)",
            format!("{:.1} ms", ms(best_base)),
        ),
        Row::judged(
            "runbook check, 5,000 files",
            format!("{:.1} ms", ms(best_check)),
            format!("<= {CHECK_GOAL}x baseline"),
            format!("{ratio:.2}x"),
            ratio <= CHECK_GOAL,
        ),
    ];

    // Memory high-water mark and CPU time (user + system, all threads), where GNU time is at
    // hand. CPU time does not depend on how many cores are free, so it is the steadier
    // comparison when the machine is busy.
    let time = Path::new("/usr/bin/time");
    let gnu_time = |program: Command, name: &str| -> Option<GnuTime> {
        let report = tmp.join(format!("time-{name}.txt"));
        let status = Command::new(time)
            .arg("-v")
            .arg("-o")
            .arg(&report)
            .arg(program.get_program())
            .args(program.get_args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !matches!(status.code(), Some(0 | 1)) {
            return None;
        }
        GnuTime::read(&std::fs::read_to_string(&report).ok()?)
    };
    if !time.is_file() {
        println!("  note: /usr/bin/time not found; memory and CPU lines skipped");
        return rows;
    }
    // Best of 3 for CPU time; the high-water mark barely varies.
    let best = |make: &dyn Fn() -> Command, name: &str| {
        (0..3)
            .filter_map(|_| gnu_time(make(), name))
            .min_by(|a, b| a.cpu_s.total_cmp(&b.cpu_s))
    };
    match (best(&check, "check"), best(&baseline, "baseline")) {
        (Some(c), Some(b)) => {
            rows.push(Row::info(
                "runbook check CPU time (user+sys)",
                format!(
                    "{:.0} ms ({:.1}x baseline's {:.0} ms)",
                    c.cpu_s * 1e3,
                    c.cpu_s / b.cpu_s.max(0.01),
                    b.cpu_s * 1e3
                ),
            ));
            rows.push(Row::info(
                "runbook check max RSS",
                format!(
                    "{:.1} MiB (baseline {:.1} MiB)",
                    c.max_rss_kb as f64 / 1024.0,
                    b.max_rss_kb as f64 / 1024.0
                ),
            ));
        }
        _ => println!("  note: /usr/bin/time -v gave no report; memory and CPU lines skipped"),
    }
    rows
}

/// What `/usr/bin/time -v` reports about one process.
struct GnuTime {
    cpu_s: f64,
    max_rss_kb: u64,
}

impl GnuTime {
    fn read(report: &str) -> Option<GnuTime> {
        let field = |name: &str| {
            report
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .map(str::trim)
        };
        let seconds = |name: &str| field(name)?.parse::<f64>().ok();
        Some(GnuTime {
            cpu_s: seconds("User time (seconds):")? + seconds("System time (seconds):")?,
            max_rss_kb: field("Maximum resident set size (kbytes):")?.parse().ok()?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Start-up

fn startup(bins: &Binaries, manifest_dir: &Path) -> Vec<Row> {
    const RUNS: usize = 50;
    let demo = manifest_dir.join("runbooks").join("demo.md");
    assert!(demo.is_file(), "{} is missing", demo.display());
    let measure = |args: &[&str]| -> (f64, f64) {
        let run = || {
            let status = Command::new(&bins.runbook)
                .args(args)
                .current_dir(manifest_dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("spawn runbook");
            assert!(
                status.success(),
                "`runbook {}` failed: {status}",
                args.join(" ")
            );
        };
        for _ in 0..3 {
            run();
        }
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                run();
                ms(t.elapsed())
            })
            .collect();
        let best = times.iter().copied().fold(f64::INFINITY, f64::min);
        (best, median(&mut times))
    };
    let mut rows = Vec::new();
    for (what, args, goal) in [
        ("runbook --help", &["--help"][..], HELP_GOAL_MS),
        (
            "runbook show runbooks/demo.md",
            &["show", "runbooks/demo.md"][..],
            SHOW_GOAL_MS,
        ),
    ] {
        let (best, med) = measure(args);
        rows.push(Row::judged(
            &format!("{what} (median of {RUNS})"),
            format!("{med:.2} ms (best {best:.2})"),
            format!("< {goal} ms"),
            format!("{:.2}x of limit", med / goal),
            med < goal,
        ));
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Input generation: deterministic, realistic runbooks.

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SERVICES: &[&str] = &[
    "freeswitch",
    "opensips",
    "proxysql",
    "redis",
    "kamailio",
    "rtpengine",
    "webphone-gateway",
    "omnichannel-router",
];
const VERBS: &[&str] = &[
    "Check",
    "Drain",
    "Inspect",
    "Fail over",
    "Restart",
    "Verify",
    "Scale",
    "Rotate",
    "Confirm",
    "Compare",
];
const WORDS: &[&str] = &[
    "the",
    "node",
    "traffic",
    "latency",
    "replica",
    "primary",
    "calls",
    "dashboard",
    "alarm",
    "queue",
    "backlog",
    "before",
    "after",
    "until",
    "customers",
    "errors",
    "region",
    "proxy",
    "registrations",
    "should",
    "drop",
    "below",
    "threshold",
    "minutes",
    "on-call",
    "escalate",
    "incident",
    "channel",
];

/// A sentence-ish paragraph of `words` words with some inline Markdown.
fn paragraph(rng: &mut Rng, out: &mut String, words: usize) {
    for i in 0..words {
        if i > 0 {
            out.push(if i % 13 == 0 { '\n' } else { ' ' });
        }
        match rng.below(40) {
            0 => out.push_str("`$NODE`"),
            1 => out.push_str("**do not**"),
            2 => out.push_str("[the dashboard](https://grafana.example.internal/d/voice)"),
            3 => out.push_str("`{{range .items}}{{.metadata.name}}{{end}}`"),
            4 => out.push_str("_carefully_"),
            5 => out.push_str("`kubectl get pods`"),
            _ => out.push_str(rng.pick(WORDS)),
        }
    }
    out.push_str(".\n\n");
}

/// One `##` step with content of a random mix; `n` numbers it within the file.
fn section(rng: &mut Rng, out: &mut String, n: usize) {
    let service = rng.pick(SERVICES);
    let verb = rng.pick(VERBS);
    let _ = writeln!(out, "## {n}. {verb} {service} on node {n}\n");
    if rng.below(3) == 0 {
        let _ = writeln!(out, "<!-- runbook: step id=step-{n}-{service} -->\n");
    }
    let words = 25 + rng.below(40);
    paragraph(rng, out, words);

    // An ordered checklist with nested shell blocks.
    let _ = write!(
        out,
        "1. Confirm the alarm for `{service}` is firing on the dashboard.\n\
         2. List the pods that serve it:\n\
         \n   <!-- runbook: readonly timeout=30s -->\n\
         \x20  ```bash\n\
         \x20  kubectl -n \"$NAMESPACE\" get pods -l app={service} \\\n\
         \x20    -o go-template='{{{{range .items}}}}{{{{.metadata.name}}}} {{{{.status.phase}}}}{{{{\"\\n\"}}}}{{{{end}}}}'\n\
         \x20  ```\n\
         \n3. Drain traffic away from the node:\n\
         \n   ```bash {{name=drain-{n} danger timeout=5m}}\n\
         \x20  kubectl drain \"$NODE\" --ignore-daemonsets --delete-emptydir-data\n\
         \x20  ```\n\
         \n4. [ ] Tell the incident channel that node {n} is drained.\n\n"
    );

    match rng.below(4) {
        0 => {
            let _ = write!(
                out,
                "Check what the service reports:\n\n\
                 ```console\n\
                 $ systemctl status {service} --no-pager\n\
                 ● {service}.service - {service}\n\
                 \x20    Loaded: loaded (/lib/systemd/system/{service}.service; enabled)\n\
                 \x20    Active: active (running) since Tue 2024-05-14 09:12:44 UTC\n\
                 $ journalctl -u {service} --since -10m --no-pager | tail -n 5\n\
                 -- No entries --\n\
                 ```\n\n"
            );
        }
        1 => {
            let _ = write!(
                out,
                "Look at the replication state:\n\n\
                 ```sql\n\
                 SELECT hostgroup_id, hostname, status, ConnUsed, Latency_us\n\
                 FROM stats_mysql_connection_pool\n\
                 WHERE hostname LIKE '%{service}%'\n\
                 ORDER BY hostgroup_id;\n\
                 ```\n\n"
            );
        }
        2 => {
            let _ = write!(
                out,
                "| Signal | Healthy | Page when |\n\
                 |---|---|---|\n\
                 | 5xx rate | < 0.5% | > 2% for 5m |\n\
                 | p99 latency | < 250 ms | > 1 s for 5m |\n\
                 | Registrations | > 9,000 | < 5,000 |\n\n"
            );
        }
        _ => {
            let _ = write!(
                out,
                "> **Note:** a restart drops the calls in progress on node {n}; \
                 wait for the backlog to drain first.\n\n\
                 ```bash {{name=restart-{n} danger timeout=2m}}\n\
                 sudo systemctl restart {service}\n\
                 ```\n\n"
            );
        }
    }

    let _ = writeln!(out, "### Verify {service} on node {n}\n");
    let words = 15 + rng.below(20);
    paragraph(rng, out, words);
    let _ = write!(
        out,
        "<!-- runbook: readonly timeout=30s -->\n\
         ```bash\n\
         for i in 1 2 3; do\n\
         \x20 curl -fsS \"https://$NODE.{service}.example.internal/health\" && break\n\
         \x20 sleep 5\n\
         done\n\
         echo \"checked $NODE in $CLUSTER\"\n\
         ```\n\n\
         - [ ] Error rate back under the threshold\n\
         - [ ] No new alarms for five minutes\n\n"
    );
}

/// A runbook of at least `target` bytes: front matter, a title, an introduction, steps.
fn generate_runbook(rng: &mut Rng, id: usize, target: usize) -> String {
    let mut out = String::with_capacity(target + 4096);
    let service = rng.pick(SERVICES);
    let _ = write!(
        out,
        "---\n\
         title: {service} degraded (generated runbook {id})\n\
         description: >\n\
         \x20 What to do when {service} answers slowly or not at all. Generated for the\n\
         \x20 throughput benchmark; every destructive command is marked `danger`.\n\
         service: {service}\n\
         severity: sev{}\n\
         owners:\n\
         \x20 - team-{}\n\
         tags: [generated, bench, {service}]\n\
         variables:\n\
         \x20 NODE:\n\
         \x20   description: Node to work on\n\
         \x20   default: fs-01\n\
         \x20   pattern: '^[a-z0-9-]+$'\n\
         \x20 NAMESPACE:\n\
         \x20   description: Kubernetes namespace\n\
         \x20   default: voice\n\
         \x20 CLUSTER: Cluster the node belongs to\n\
         \x20 DB_PASSWORD:\n\
         \x20   description: Read-only database password\n\
         \x20   secret: true\n\
         \x20   required: true\n\
         ---\n\n\
         # {service} degraded (generated runbook {id})\n\n",
        1 + rng.below(3),
        rng.below(20),
    );
    paragraph(rng, &mut out, 40);
    let mut n = 1;
    while out.len() < target {
        section(rng, &mut out, n);
        n += 1;
    }
    out
}

/// Writes `TREE_FILES` runbooks under `root/team-XX/service-YY/`; returns (files, bytes).
fn generate_tree(root: &Path) -> (usize, usize) {
    let mut rng = Rng::new(0x7ee5);
    let dirs = TEAMS * SERVICES_PER_TEAM;
    let mut bytes = 0;
    for i in 0..TREE_FILES {
        let d = i % dirs;
        let dir = root
            .join(format!("team-{:02}", d / SERVICES_PER_TEAM))
            .join(format!("service-{:02}", d % SERVICES_PER_TEAM));
        if i < dirs {
            std::fs::create_dir_all(&dir).expect("create a tree directory");
        }
        // ~4 KB on average: a little under or over, as real files are.
        let target = SMALL_BYTES / 2 + rng.below(SMALL_BYTES / 2);
        let text = generate_runbook(&mut rng, i, target);
        bytes += text.len();
        std::fs::write(dir.join(format!("runbook-{i:04}.md")), text).expect("write a runbook");
    }
    (TREE_FILES, bytes)
}
