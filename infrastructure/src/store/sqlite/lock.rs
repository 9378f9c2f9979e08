//! The data directory's lock file: one botfleet process at a time owns a directory, so two
//! servers never run the same workflows on the same data.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;

use anyhow::{bail, Context as _};

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "botfleet.lock";

/// Locks `dir` for this process (the lock lives as long as the returned file) and writes our pid
/// in the lock file. Errors, naming the holder's pid, when another process holds it.
pub(super) fn lock_dir(dir: &Path) -> anyhow::Result<File> {
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
