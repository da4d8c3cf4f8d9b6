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

use std::hint::black_box;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

const DEEP_LEVELS: usize = 80_000;
const BOMB_BYTES: usize = 2 * 1024 * 1024;
const VARIABLES: usize = 40_000;

/// Name, input generator, its size parameter, and the goal in seconds.
type Case = (&'static str, fn(usize) -> String, usize, f64);

fn main() {
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
