//! The shape of `src/`: the top-level modules import each other without cycles, and the walk
//! engine reaches the world only through its ports.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The code of a file without `//` comments (doc links name modules they do not import).
fn code(path: &Path) -> String {
    fs::read_to_string(path)
        .expect("read source")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level module name → the top-level modules its files name as `crate::x`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let modules: BTreeSet<String> = fs::read_dir(&root)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|n| n != "lib" && n != "main")
        .collect();
    let mut out = BTreeMap::new();
    for module in &modules {
        let dir = root.join(module);
        let files = if dir.is_dir() {
            rust_files(&dir)
        } else {
            vec![root.join(format!("{module}.rs"))]
        };
        let mut used = BTreeSet::new();
        for file in files {
            let text = code(&file);
            // `crate::x` and the names inside `use crate::{x, y::z}`.
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").trim())
                        .collect()
                } else {
                    vec![
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or(""),
                    ]
                };
                used.extend(
                    names
                        .into_iter()
                        .filter(|n| modules.contains(*n) && n != module)
                        .map(str::to_string),
                );
            }
        }
        out.insert(module.clone(), used);
    }
    out
}

fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(m) = stack.pop() {
        if m == to {
            return true;
        }
        if seen.insert(m.clone()) {
            stack.extend(graph.get(&m).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let graph = imports();
    let cycles: Vec<String> = graph
        .iter()
        .flat_map(|(a, deps)| deps.iter().map(move |b| (a, b)))
        .filter(|(a, b)| reaches(&graph, b, a))
        .map(|(a, b)| format!("{a} -> {b}"))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:?}\n{graph:#?}");
}

#[test]
fn the_walk_engine_imports_no_adapter_and_no_process_state() {
    let graph = imports();
    let walk = &graph["walk"];
    for adapter in [
        "terminal",
        "runner",
        "cloudwatch",
        "wiring",
        "commands",
        "incident_log",
        "export",
    ] {
        assert!(!walk.contains(adapter), "walk imports `{adapter}`");
    }
    for file in rust_files(&src().join("walk")) {
        let text = code(&file);
        for banned in [
            "std::env",
            "std::process",
            "tokio",
            "console::",
            "dialoguer",
            "indicatif",
            "aws_",
        ] {
            assert!(!text.contains(banned), "{} uses `{banned}`", file.display());
        }
    }
}
