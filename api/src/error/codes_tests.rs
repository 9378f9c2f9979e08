//! The code table: unique snake_case codes with error statuses, the same table in `docs/api.md`,
//! and every code literal the application sends present in it.

use std::collections::HashSet;
use std::path::Path;

use super::ErrorCode;

#[test]
fn codes_are_unique_snake_case_and_round_trip() {
    let mut seen = HashSet::new();
    for &code in ErrorCode::ALL {
        let text = code.as_str();
        assert!(seen.insert(text), "`{text}` appears twice");
        assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "`{text}` is not snake_case");
        assert_eq!(ErrorCode::from_code(text), Some(code));
        assert!(code.status().is_client_error() || code.status().is_server_error(), "`{text}`");
        assert!(!code.title().is_empty() && !code.title().ends_with('.'), "`{text}`'s title");
    }
    assert_eq!(ErrorCode::from_code("no_such_code"), None);
}

#[test]
fn each_status_has_its_generic_code() {
    for &code in ErrorCode::ALL {
        let generic = ErrorCode::for_status(code.status());
        assert!(
            generic.status() == code.status() || generic == ErrorCode::HttpError,
            "{code} is a {} but the generic code of that status is {generic}",
            code.status()
        );
    }
}

const START: &str = "<!-- error-codes:start (generated from api/src/error/codes.rs) -->\n";
const END: &str = "<!-- error-codes:end -->";

/// `docs/api.md` lists every code of the table with its status and title; with
/// `BOTFLEET_UPDATE_DOCS=1` the test rewrites the list instead.
#[test]
fn docs_list_every_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md");
    let docs = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = docs.split_once(START).expect("docs/api.md has the error-codes start marker");
    let (listed, after) = rest.split_once(END).expect("docs/api.md has the error-codes end marker");
    let table = ErrorCode::markdown_table();
    if std::env::var_os("BOTFLEET_UPDATE_DOCS").is_some() {
        std::fs::write(&path, format!("{before}{START}{table}{END}{after}")).unwrap();
        return;
    }
    assert_eq!(listed, table, "docs/api.md's code list is stale: run with BOTFLEET_UPDATE_DOCS=1");
}

/// Every `code: "…"` literal in `application` and `api` sources names a row of the table (a code
/// missing from it would be answered as `internal_error`).
#[test]
fn every_code_literal_is_in_the_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut missing = Vec::new();
    for dir in ["application/src", "api/src"] {
        for_each_rs(&root.join(dir), &mut |path, text| {
            let live = text.split("#[cfg(test)]").next().unwrap_or_default();
            // Codes written as a field (`code: "…"`) or handed to a local helper (`conflict("…")`).
            for marker in ["code: \"", "conflict(\""] {
                for (_, rest) in live.match_indices(marker).map(|(i, m)| live.split_at(i + m.len())) {
                    let literal = rest.split('"').next().unwrap_or_default();
                    if ErrorCode::from_code(literal).is_none() {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        });
    }
    assert!(missing.is_empty(), "codes missing from the table: {missing:#?}");
}

fn for_each_rs(dir: &Path, visit: &mut dyn FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for_each_rs(&path, visit);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.to_string_lossy().contains("tests") {
            visit(&path, &std::fs::read_to_string(&path).unwrap());
        }
    }
}
