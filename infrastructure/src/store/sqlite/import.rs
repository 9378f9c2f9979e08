//! Moving a data directory written by the former embedded engine (an append-only JSON-lines
//! journal) into SQLite on first start: the journal is replayed as that engine replayed it (puts
//! and deletes in order, a torn last line ignored), every live document is written in one
//! transaction, and the journal is then renamed aside (`botfleet.journal.imported`), kept for the
//! operator to delete once satisfied. A crash before the rename imports again on the next start,
//! overwriting the same documents: the import is idempotent.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::Path;

use anyhow::{bail, Context as _};
use serde::Deserialize;

use super::sql::check_name;
use super::{text_of, Inner};
use crate::store::{doc_id, doc_version, Doc};

/// The former engine's journal file name inside the data directory.
pub const JOURNAL_FILE: &str = "botfleet.journal";
/// Appended to the journal's name once it is imported.
pub const IMPORTED_SUFFIX: &str = ".imported";

/// Documents by collection, then by id.
type Collections = HashMap<String, BTreeMap<String, Doc>>;

/// One journal line.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Line {
    Put { coll: String, doc: Doc },
    Del { coll: String, id: String },
}

/// Imports `dir`'s journal when there is one; does nothing otherwise.
pub(super) fn import_journal(dir: &Path, inner: &Inner) -> anyhow::Result<()> {
    let path = dir.join(JOURNAL_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read the journal {}", path.display())),
    };
    let collections = replay(&bytes, &path)?;
    let mut count = 0usize;
    inner.pool.write(|conn| -> anyhow::Result<()> {
        let tx = conn.transaction()?;
        for (coll, docs) in &collections {
            let table = check_name(coll).map_err(|e| anyhow::anyhow!("journal collection `{coll}`: {e}"))?;
            inner.create_table(&tx, table).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut stmt =
                tx.prepare(&format!("INSERT OR REPLACE INTO \"{table}\" (id, version, doc) VALUES (?1, ?2, ?3)"))?;
            for (id, doc) in docs {
                let version = doc_version(doc).map_err(|e| anyhow::anyhow!("document {id} in {coll}: {e}"))?;
                stmt.execute(rusqlite::params![id, version as i64, text_of(doc)])?;
                count += 1;
            }
        }
        tx.commit()?;
        Ok(())
    })?;
    let aside = dir.join(format!("{JOURNAL_FILE}{IMPORTED_SUFFIX}"));
    fs::rename(&path, &aside).with_context(|| format!("cannot rename {} aside", path.display()))?;
    tracing::info!(documents = count, journal = %aside.display(), "imported the former embedded store's journal into SQLite");
    Ok(())
}

fn replay(bytes: &[u8], path: &Path) -> anyhow::Result<Collections> {
    let mut collections = Collections::new();
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let last = lines.iter().rposition(|l| !l.iter().all(u8::is_ascii_whitespace));
    for (n, raw) in lines.iter().enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Line>(raw) {
            Ok(Line::Put { coll, doc }) => {
                let id = doc_id(&doc).map_err(|_| anyhow::anyhow!("line {} has no _id", n + 1))?;
                collections.entry(coll).or_default().insert(id.to_owned(), doc);
            }
            Ok(Line::Del { coll, id }) => {
                collections.entry(coll).or_default().remove(&id);
            }
            Err(e) if Some(n) == last => {
                tracing::warn!(journal = %path.display(), line = n + 1, error = %e, "ignoring a torn last journal line");
            }
            Err(e) => bail!("the journal {} is corrupt at line {}: {e}", path.display(), n + 1),
        }
    }
    collections.retain(|_, docs| !docs.is_empty());
    Ok(collections)
}
