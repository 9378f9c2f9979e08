//! Architecture guards: the `domain` crate must stay free of IO crates, directly and transitively;
//! every scenario file of `tests/tests` runs in exactly one test binary.
//!
//! Reads the resolved dependency graph with `cargo metadata` (offline, from Cargo.lock) and walks
//! the normal (non-dev, non-build) dependencies of `botfleet-domain` with its default features.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const FORBIDDEN: &[&str] =
    &["tokio", "mongodb", "bson", "reqwest", "jsonwebtoken", "aes-gcm", "hyper", "actix-web", "actix-rt", "actix-http"];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform"])
        .arg(current_target())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

fn current_target() -> String {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc -vV runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc prints its host").to_owned()
}

/// The names of every package `botfleet-domain` needs to build as a normal dependency.
fn domain_closure(meta: &serde_json::Value) -> BTreeSet<String> {
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, &serde_json::Value> =
        meta["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let root = names.iter().find(|(_, name)| **name == "botfleet-domain").map(|(id, _)| *id).unwrap();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null());
            let dep_id = dep["pkg"].as_str().unwrap();
            if normal && seen.insert(names[dep_id].to_owned()) {
                stack.push(dep_id);
            }
        }
    }
    seen
}

#[test]
fn domain_depends_on_no_io_crate() {
    let closure = domain_closure(&metadata());
    assert!(closure.contains("rust_decimal"), "the walk found the domain's real dependencies: {closure:?}");
    let offending: Vec<_> = FORBIDDEN.iter().filter(|c| closure.contains(**c)).collect();
    assert!(offending.is_empty(), "botfleet-domain depends on IO crates {offending:?}; keep IO in infrastructure");
}

/// `tests/Cargo.toml` turns test discovery off (one binary per area): a scenario file of
/// `tests/tests/` that no suite includes would never run, and one included twice would run twice.
#[test]
fn every_scenario_file_runs_in_exactly_one_test_binary() {
    let meta = metadata();
    let package = meta["packages"].as_array().unwrap().iter().find(|p| p["name"] == "botfleet-tests").unwrap();
    let targets: Vec<PathBuf> = package["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "test"))
        .map(|t| PathBuf::from(t["src_path"].as_str().unwrap()))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut runs: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for target in &targets {
        *runs.entry(target.canonicalize().unwrap()).or_default() += 1;
        let text = std::fs::read_to_string(target).unwrap();
        for included in text.lines().filter_map(|l| l.trim().strip_prefix("#[path = \"")?.strip_suffix("\"]")) {
            let path = target.parent().unwrap().join(included);
            *runs.entry(path.canonicalize().unwrap_or(path)).or_default() += 1;
        }
    }
    assert!(targets.len() > 5, "the suites were found: {targets:?}");
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let path = path.canonicalize().unwrap();
            let count = runs.get(&path).copied().unwrap_or(0);
            assert_eq!(
                count,
                1,
                "{} runs {count} times; include it in exactly one suite of tests/suites",
                path.display()
            );
        }
    }
}
