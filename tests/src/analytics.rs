//! Runs the independent analytics reference (`tests/reference/analytics.py`, plain Python 3) on a
//! fixture, for the tests that compare botfleet's figures with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The `tests/` directory.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The reference's figures for the fixture at `path` (see the script for the fixture's shape).
pub fn reference(path: &Path) -> Value {
    let out = Command::new("python3")
        .arg(tests_dir().join("reference/analytics.py"))
        .arg(path)
        .output()
        .expect("python3 runs (the reference needs only the standard library)");
    assert!(out.status.success(), "the reference failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the reference prints JSON")
}

/// The reference's figures for `fixture`, written to a temporary file first.
pub fn reference_of(fixture: &Value) -> Value {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("fixture.json");
    std::fs::write(&path, serde_json::to_vec_pretty(fixture).expect("JSON")).expect("the fixture is written");
    reference(&path)
}
