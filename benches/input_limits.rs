//! Input-limit benchmark: `cargo bench --bench input_limits`.
//!
//! A plain program (no harness). It times `runbook::markdown::parse` (what `show` and `run` do)
//! on hostile but valid inputs and prints each time against its goal (issue 11, item 5), with
//! pulldown-cmark alone on the same text beside it, since the parser should stay linear like it:
//!
//! 1. An 80,000-level nested list (160 KB): goal ≤ 1 s.
//! 2. Nesting bombs of 2 MB (bullet, ordered, task, quote and mixed nesting): goal ≤ 2 s each.
//! 3. 40,000 front-matter variables: goal ≤ 1 s.
//!
//! The ratio column is the time at n divided by the time at n/4: about 4 means linear, 16
//! quadratic. A missed goal is reported as FAIL; it does not fail the process.
//!
//! Then peak memory: `show`, `check` and `run --rehearse --yes` of the bench build of the binary
//! on a 2 MB nesting bomb, a 32 MiB runbook of ordinary steps, a 32 MiB single code block and
//! 40,000 variables, each in a child of a child of this process, whose `getrusage(RUSAGE_CHILDREN)`
//! `ru_maxrss` is that one process's peak RSS; goal ≤ 8 × the input size + 32 MiB.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

const DEEP_LEVELS: usize = 80_000;
const BOMB_BYTES: usize = 2 * 1024 * 1024;
const VARIABLES: usize = 40_000;

/// Name, input generator, its size parameter, and the goal in seconds.
type Case = (&'static str, fn(usize) -> String, usize, f64);

fn main() {
    if std::env::var_os(MEASURE).is_some() {
        measure_child();
        return;
    }
    timing();
    memory();
}

fn timing() {
    println!("runbook input-limit benchmark (best of 3)");
    println!(
        "  {:<34} {:>9} {:>10} {:>11} {:>8}  goal",
        "input", "size", "parse", "pulldown", "n/(n/4)"
    );
    let cases: Vec<Case> = vec![
        ("nested list, 80,000 levels", deep_list, DEEP_LEVELS, 1.0),
        (
            "bomb: `- ` nesting, 2 MB",
            |n| repeat("- ", n),
            BOMB_BYTES / 2,
            2.0,
        ),
        (
            "bomb: `1. ` nesting, 2 MB",
            |n| repeat("1. ", n),
            BOMB_BYTES / 3,
            2.0,
        ),
        (
            "bomb: `- [ ] ` nesting, 2 MB",
            |n| repeat("- [ ] ", n),
            BOMB_BYTES / 6,
            2.0,
        ),
        (
            "bomb: `> ` nesting, 2 MB",
            |n| repeat("> ", n),
            BOMB_BYTES / 2,
            2.0,
        ),
        (
            "bomb: `> 1. - ` mixed, 2 MB",
            |n| repeat("> 1. - ", n),
            BOMB_BYTES / 7,
            2.0,
        ),
        ("front matter, 40,000 variables", variables, VARIABLES, 1.0),
    ];
    let mut failed = 0;
    for (name, make, n, goal) in cases {
        let text = make(n);
        let quarter = make(n / 4);
        let full = best_of_3(|| parse(&text));
        let small = best_of_3(|| parse(&quarter));
        let raw = best_of_3(|| raw_pulldown(&text));
        let pass = full.as_secs_f64() <= goal;
        failed += usize::from(!pass);
        println!(
            "  {:<34} {:>7} KB {:>8.1} ms {:>8.1} ms {:>8.1}  ≤ {goal} s {}",
            name,
            text.len() / 1024,
            ms(full),
            ms(raw),
            full.as_secs_f64() / small.as_secs_f64().max(1e-9),
            if pass { "ok" } else { "FAIL" }
        );
    }
    println!(
        "{}",
        if failed == 0 {
            "all goals met"
        } else {
            "some goals missed"
        }
    );
}

fn parse(text: &str) {
    black_box(runbook::markdown::parse("bench.md", text));
}

fn raw_pulldown(text: &str) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    black_box(Parser::new_ext(text, options).count());
}

fn best_of_3(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("three runs")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn repeat(unit: &str, n: usize) -> String {
    format!("# Bomb\n\n## Step\n\n{}x\n", unit.repeat(n))
}

/// `levels` nested bullet items on one line (two bytes a level), then a command.
fn deep_list(levels: usize) -> String {
    format!(
        "# Deep\n\n## Step\n\n{}x\n\n```bash\necho done\n```\n",
        "- ".repeat(levels)
    )
}

/// A runbook declaring `n` variables in its front matter, one command using the last.
fn variables(n: usize) -> String {
    let mut s = String::from("---\nvariables:\n");
    for i in 0..n {
        s.push_str(&format!("  VAR_{i}:\n    description: variable {i}\n"));
    }
    s.push_str(&format!(
        "---\n# Many\n\n## Step\n\n```bash\necho $VAR_{}\n```\n",
        n.saturating_sub(1)
    ));
    s
}

/// Set in the measuring child: it runs the binary with its arguments and prints the peak RSS.
const MEASURE: &str = "INPUT_LIMITS_MEASURE_RSS";

const MIB: usize = 1024 * 1024;

/// The measuring child: runs `runbook ARGS` (stdin, stdout and stderr null), waits, and prints
/// `ru_maxrss` (KiB) of its only child and the exit code.
// `getrusage` has no safe wrapper in the crates used here (rustix has none).
#[allow(unsafe_code)]
fn measure_child() {
    let args: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run runbook");
    // SAFETY: `getrusage` writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    println!("{} {}", usage.ru_maxrss, status.code().unwrap_or(-1));
}

/// Peak RSS (KiB) and exit code of `runbook ARGS`, measured in a fresh child.
fn peak_rss(args: &[&str]) -> (u64, i32) {
    let out = std::process::Command::new(std::env::current_exe().expect("this bench"))
        .env(MEASURE, "1")
        .arg("--")
        .args(args)
        .output()
        .expect("measure");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let rss = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let code = parts.next().and_then(|v| v.parse().ok()).unwrap_or(-1);
    (rss, code)
}

fn memory() {
    println!();
    println!("peak RSS of the binary (goal ≤ 8 × input + 32 MiB)");
    println!(
        "  {:<38} {:>9} {:>6} {:>10} {:>10} {:>6}  exit",
        "input", "size", "cmd", "peak", "goal", "ratio"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    // The log on tmpfs where there is one: the walk's fdatasyncs are not what is measured.
    let logs = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("log directory");
    let inputs: [(&str, &str, String); 4] = [
        ("nesting bomb `- `, 2 MB", "bomb.md", repeat("- ", 1 << 20)),
        (
            "ordinary steps, 32 MiB",
            "steps.md",
            ordinary_steps(32 * MIB - 1),
        ),
        (
            "one code block, 32 MiB",
            "block.md",
            one_code_block(32 * MIB - 1),
        ),
        (
            "front matter, 40,000 variables",
            "vars.md",
            variables(VARIABLES),
        ),
    ];
    let mut failed = 0;
    for (name, file, text) in inputs {
        let path = dir.path().join(file);
        std::fs::write(&path, &text).expect("write input");
        let path = path.display().to_string();
        let log_dir = logs.path().display().to_string();
        let goal = 8 * text.len() as u64 + 32 * MIB as u64;
        for (cmd, args) in [
            ("show", vec!["show", path.as_str()]),
            ("check", vec!["check", path.as_str()]),
            (
                "run",
                vec![
                    "run",
                    "--rehearse",
                    "--yes",
                    path.as_str(),
                    "--log-dir",
                    log_dir.as_str(),
                ],
            ),
        ] {
            let (kib, code) = peak_rss(&args);
            let peak = kib * 1024;
            let pass = peak > 0 && peak <= goal;
            failed += usize::from(!pass);
            println!(
                "  {:<38} {:>6} KB {:>6} {:>6.1} MiB {:>6.1} MiB {:>6.2}  {code} {}",
                name,
                text.len() / 1024,
                cmd,
                peak as f64 / MIB as f64,
                goal as f64 / MIB as f64,
                peak as f64 / goal as f64,
                if pass { "ok" } else { "FAIL" }
            );
        }
    }
    println!(
        "{}",
        if failed == 0 {
            "all memory goals met"
        } else {
            "some memory goals missed"
        }
    );
}

/// Steps as a runbook has them (a paragraph, a short list, a command), up to `limit` bytes.
fn ordinary_steps(limit: usize) -> String {
    let para = "The service answers slowly when the queue grows; check the depth first, then the consumers. ".repeat(10);
    let mut s = String::from("# Ordinary\n\nA long runbook of ordinary steps.\n\n");
    for i in 1.. {
        let step = format!(
            "## Step {i}: check the queue\n\n{}\n\n- look at the dashboard\n- note the depth\n\n```bash\necho step {i}\n```\n\n",
            para.trim_end()
        );
        if s.len() + step.len() > limit {
            break;
        }
        s.push_str(&step);
    }
    s
}

/// One step whose one code block fills the file up to `limit` bytes.
fn one_code_block(limit: usize) -> String {
    let (head, tail) = ("# Huge\n\n## Dump\n\n```bash\n", "```\n");
    let line = "echo 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n";
    let n = (limit - head.len() - tail.len()) / line.len();
    format!("{head}{}{tail}", line.repeat(n))
}
