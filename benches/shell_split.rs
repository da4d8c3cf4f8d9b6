//! Cost of splitting script blocks into statements: `cargo bench --bench shell_split`.
//!
//! A plain program (no harness). Over the shell blocks the throughput benchmark's synthetic
//! runbooks hold (a continued `kubectl get`, a `kubectl drain`, a `systemctl restart`, a `for`
//! loop and an `echo`), plus the one-command-a-line blocks real runbooks are full of, it measures
//! MB/s of `statements` (the one-line fast path, tree-sitter when it does not apply) against
//! tree-sitter alone. Not a goal of its own: `check` over a tree must stay near raw pulldown-cmark
//! (~200 MB/s), which tree-sitter-bash (a few MB/s) alone would not allow.

use std::hint::black_box;
use std::time::Instant;

use runbook::markdown::shell::{fast_statements, mask_placeholders, statements, tree_statements};

/// The blocks, as `section` in benches/throughput.rs writes them.
const BENCH_BLOCKS: &[&str] = &[
    "kubectl -n \"$NAMESPACE\" get pods -l app=voice \\\n  -o go-template='{{range .items}}{{.metadata.name}} {{.status.phase}}{{\"\\n\"}}{{end}}'\n",
    "kubectl drain \"$NODE\" --ignore-daemonsets --delete-emptydir-data\n",
    "sudo systemctl restart voice\n",
    "for i in 1 2 3; do\n  curl -fsS \"https://$NODE.voice.example.internal/health\" && break\n  sleep 5\ndone\necho \"checked $NODE in $CLUSTER\"\n",
];

/// One command a line, with comments: the common case the fast path is for.
const PLAIN_BLOCKS: &[&str] = &[
    "# Drain the node\nkubectl drain \"$NODE\" --ignore-daemonsets\n\n# Restart\nssh \"$NODE\" 'sudo systemctl restart freeswitch'\nkubectl uncordon \"$NODE\"\n",
    "aws ecs update-service --cluster c --service s --desired-count \"$N\"\naws ecs wait services-stable --cluster c --services s\n",
    "rmht verify <HO-ID>\ncp -r <pool location>/objects /srv/restore\n",
];

fn mbps(blocks: &[&str], rounds: usize, f: &dyn Fn(&str) -> usize) -> f64 {
    let bytes: usize = blocks.iter().map(|b| b.len()).sum::<usize>() * rounds;
    // Warm-up: the thread's parser is created on first use.
    for b in blocks {
        black_box(f(b));
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..rounds {
            for b in blocks {
                black_box(f(black_box(b)));
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / 1e6 / best
}

fn main() {
    let rounds = 2000;
    println!("shell statement split, MB/s (best of 5, {rounds} rounds of each set)");
    for (name, blocks) in [
        ("throughput bench blocks", BENCH_BLOCKS),
        ("one-command-a-line blocks", PLAIN_BLOCKS),
    ] {
        let with = mbps(blocks, rounds, &|b| statements(b).len());
        let without = mbps(blocks, rounds, &|b| tree_statements(b).len());
        let fast = blocks
            .iter()
            .filter(|b| fast_statements(&mask_placeholders(b)).is_some())
            .count();
        println!(
            "  {name:<28} with fast path {with:>8.1}   tree-sitter only {without:>6.1}   ({fast}/{} blocks take the fast path)",
            blocks.len()
        );
    }
}
