//! The store's connections: one writer and a few readers (WAL lets readers work beside the
//! writer), each used by one thread at a time. Async callers hand their work to the store's own
//! threads (`lanes`: four readers and a writer), so a slow disk never stalls the async workers; see
//! docs/architecture.md.

use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags};

/// How many reader connections a file database opens.
pub(super) const READERS: usize = 4;
/// The page size of a new database (an existing one keeps its own). A stored bot is about
/// 2.3 KB of JSON: SQLite's default 4 KiB page holds one (the rest of the page unused), 8 KiB
/// holds three. Measured with the engine bench (100,000 bots): the database from 4,464 to 3,110
/// bytes a bot, the idle round on a database file from 8.2 to 7.4 s.
const PAGE_BYTES: i64 = 8192;
/// How long a statement waits for a lock held by another connection before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Page cache per connection, in KiB (SQLite's negative `cache_size`): bounded memory whatever
/// the size of the database.
const CACHE_KIB: i64 = 16 * 1024;

/// Connections to one database.
#[derive(Debug)]
pub(super) struct Pool {
    writer: Mutex<Connection>,
    /// Idle readers; empty for an in-memory database, whose only connection is the writer.
    readers: Mutex<Vec<Connection>>,
    returned: Condvar,
    has_readers: bool,
}

fn configure(conn: &Connection, fsync: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "memory")?;
    // The query planner's stability guarantee: a statement keeps the plan it was prepared with.
    // Without it, binding a new value to a range parameter (the history window's start, which
    // moves every millisecond) expires the cached statement and SQLite parses and plans it again
    // at its next step: 7.7 % of the CPU of `GET /api/orders`. Plans here never depend on the
    // values (no `ANALYZE` statistics), and the plan check in the tests stays true by design.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // WAL: a committed write is in the log before the call returns, so a process crash loses
    // nothing; FULL also syncs the log at every commit, against power loss.
    conn.pragma_update(None, "synchronous", if fsync { "FULL" } else { "NORMAL" })?;
    Ok(())
}

impl Pool {
    /// A pool on the database file `path` in WAL mode.
    pub(super) fn open_file(path: &Path, fsync: bool) -> anyhow::Result<Self> {
        let writer = Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        writer.pragma_update(None, "page_size", PAGE_BYTES)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "{} cannot use WAL mode (got {mode})", path.display());
        configure(&writer, fsync)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
            let reader = Connection::open_with_flags(path, flags)?;
            configure(&reader, fsync)?;
            readers.push(reader);
        }
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
            returned: Condvar::new(),
            has_readers: true,
        })
    }

    /// One connection to the existing database file `path` that another process may be serving:
    /// no lock file, no change of journal mode, nothing written through it (backups, migration).
    pub(super) fn open_existing(path: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(path.exists(), "no database at {}", path.display());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn =
            Connection::open_with_flags(path, flags).with_context(|| format!("cannot open {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        Ok(Self {
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            returned: Condvar::new(),
            has_readers: false,
        })
    }

    /// A pool on a private in-memory database (one connection, reads and writes alike).
    pub(super) fn open_memory() -> anyhow::Result<Self> {
        // Through the `memdb` VFS (a private in-memory file, as `sqlite3_deserialize` makes),
        // not SQLite's `:memory:`: a `:memory:` database's page cache is the database itself, and
        // SQLite walks that cache's whole hash table at the end of every write transaction that
        // split a b-tree page (`balance_nonroot` parks a page at the pending-byte page number, far
        // past the end of the database, and the commit truncates the cache back to the
        // database's size). That walk grows with the database: 8 ms per write at 100,000 bots.
        // On this VFS the pager works as on a file, with the bounded cache of `configure`.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let writer = Connection::open_with_flags("file:botfleet?vfs=memdb", flags)?;
        writer.pragma_update(None, "page_size", PAGE_BYTES)?;
        configure(&writer, false)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            returned: Condvar::new(),
            has_readers: false,
        })
    }

    /// Runs `f` on the writer connection.
    pub(super) fn write<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut self.writer.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs `f` on an idle reader (waiting for one), or on the writer for an in-memory database.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        if !self.has_readers {
            return self.write(|conn| f(conn));
        }
        let conn = {
            let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(conn) = idle.pop() {
                    break conn;
                }
                idle = self.returned.wait(idle).unwrap_or_else(PoisonError::into_inner);
            }
        };
        // Give the connection back even if `f` panics.
        struct Back<'a>(&'a Pool, Option<Connection>);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                if let Some(conn) = self.1.take() {
                    self.0.readers.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
                    self.0.returned.notify_one();
                }
            }
        }
        let back = Back(self, Some(conn));
        f(back.1.as_ref().expect("held until dropped"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_size(pool: &Pool) -> i64 {
        pool.read(|conn| conn.query_row("PRAGMA page_size", [], |row| row.get(0))).unwrap()
    }

    #[test]
    fn a_new_database_has_pages_of_8_kib_and_an_existing_one_keeps_its_own() {
        assert_eq!(page_size(&Pool::open_memory().unwrap()), PAGE_BYTES);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        assert_eq!(page_size(&Pool::open_file(&path, false).unwrap()), PAGE_BYTES);

        let older = dir.path().join("older.db");
        let conn = Connection::open(&older).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        drop(conn);
        let pool = Pool::open_file(&older, false).unwrap();
        assert_eq!(page_size(&pool), 4096);
        let n: i64 = pool.read(|conn| conn.query_row("SELECT count(*) FROM t", [], |row| row.get(0))).unwrap();
        assert_eq!(n, 1);
    }
}
