//! The embedded store's durability: an append-only JSON-lines journal, one line per write, replayed
//! and compacted at open, guarded by a lock file so that one process at a time owns the directory.
//!
//! Crash safety: every write is handed to the OS before the call returns (and `fsync`ed when asked),
//! so a process crash loses nothing; a torn last line (power loss mid-write) is ignored at replay.
//! Compaction writes the live state to a temporary file, syncs it and renames it over the journal,
//! so a crash during compaction leaves either the old or the new journal, never a mix.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use domain::RepoError;
use serde::{Deserialize, Serialize};

use crate::store::Doc;

/// The journal's file name inside the data directory.
pub const JOURNAL_FILE: &str = "botfleet.journal";
/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "botfleet.lock";

/// Documents by collection, then by id.
pub(super) type Collections = HashMap<String, BTreeMap<String, Doc>>;

/// One journal line, as written.
#[derive(Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum LineOut<'a> {
    Put { coll: &'a str, doc: &'a Doc },
    Del { coll: &'a str, id: &'a str },
}

/// One journal line, as read back.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum LineIn {
    Put { coll: String, doc: Doc },
    Del { coll: String, id: String },
}

/// The open journal of a data directory; holds the directory's lock while it lives.
#[derive(Debug)]
pub(super) struct Journal {
    path: PathBuf,
    file: File,
    fsync: bool,
    /// Set after a failed append: the file may end mid-line, so later writes are refused until a
    /// restart replays (and repairs) it.
    failed: bool,
    _lock: File,
}

impl Journal {
    /// Locks `dir`, replays its journal and compacts it; returns the journal and the live documents.
    pub(super) fn open(dir: &Path, fsync: bool) -> anyhow::Result<(Self, Collections)> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let lock = lock_dir(dir)?;
        let path = dir.join(JOURNAL_FILE);
        let collections = match fs::read(&path) {
            Ok(bytes) => replay(&bytes, &path)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Collections::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read the journal {}", path.display())),
        };
        compact(dir, &path, &collections).with_context(|| format!("cannot compact the journal {}", path.display()))?;
        let file =
            OpenOptions::new().append(true).open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        Ok((Self { path, file, fsync, failed: false, _lock: lock }, collections))
    }

    /// Refuses writes after a failed append.
    pub(super) fn check(&self) -> Result<(), RepoError> {
        if self.failed {
            return Err(RepoError::unavailable(anyhow::anyhow!(
                "an earlier write to {} failed; restart to recover",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Appends the lines of one operation and hands them to the OS (and the disk, with `fsync`).
    pub(super) fn append(&mut self, lines: &str) -> Result<(), RepoError> {
        if lines.is_empty() {
            return Ok(());
        }
        let written = self.file.write_all(lines.as_bytes()).and_then(|()| self.file.flush());
        let synced = written.and_then(|()| if self.fsync { self.file.sync_data() } else { Ok(()) });
        synced.map_err(|e| {
            self.failed = true;
            RepoError::unavailable(anyhow::Error::new(e).context(format!("cannot write {}", self.path.display())))
        })
    }
}

/// The journal line storing `doc`.
pub(super) fn put_line(coll: &str, doc: &Doc) -> String {
    line(&LineOut::Put { coll, doc })
}

/// The journal line deleting `id`.
pub(super) fn del_line(coll: &str, id: &str) -> String {
    line(&LineOut::Del { coll, id })
}

fn line(entry: &LineOut<'_>) -> String {
    // Serialising string keys and JSON values cannot fail.
    let mut line = serde_json::to_string(entry).unwrap_or_default();
    line.push('\n');
    line
}

fn lock_dir(dir: &Path) -> anyhow::Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            bail!(
                "the data directory {} is in use by another botfleet process (pid {}); stop it or choose \
                 another BOTFLEET_DATA_DIR (lock file {})",
                dir.display(),
                holder.trim(),
                path.display()
            );
        }
        Err(fs4::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())?;
    Ok(file)
}

fn replay(bytes: &[u8], path: &Path) -> anyhow::Result<Collections> {
    let mut collections = Collections::new();
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let last = lines.iter().rposition(|l| !l.iter().all(u8::is_ascii_whitespace));
    for (n, raw) in lines.iter().enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<LineIn>(raw) {
            Ok(LineIn::Put { coll, doc }) => {
                let id = crate::store::doc_id(&doc).map_err(|_| anyhow::anyhow!("line {} has no _id", n + 1))?;
                collections.entry(coll).or_default().insert(id.to_owned(), doc);
            }
            Ok(LineIn::Del { coll, id }) => {
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

fn compact(dir: &Path, path: &Path, collections: &Collections) -> io::Result<()> {
    let tmp = dir.join(format!("{JOURNAL_FILE}.tmp"));
    let mut out = io::BufWriter::new(File::create(&tmp)?);
    let mut names: Vec<&String> = collections.keys().collect();
    names.sort();
    for coll in names {
        for doc in collections[coll].values() {
            out.write_all(put_line(coll, doc).as_bytes())?;
        }
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
    fs::rename(&tmp, path)?;
    // Persist the rename itself; directories cannot be opened for syncing on every platform.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
