//! The embedded document store on SQLite, botfleet's default engine: one database file in the
//! data directory (or a private in-memory database for `:memory:`), documents as JSON text, every
//! declared index an expression index on the JSON members, so that queries are served by indexes
//! rather than scans (`tests/tests/store_sqlite.rs` checks every statement's plan).
//!
//! Table per collection: `id TEXT PRIMARY KEY, version INTEGER, doc TEXT` (the whole document,
//! `_id` and `version` included). Writes go through the one writer connection, reads through a
//! few reader connections in WAL mode; every call runs on the store's own threads (`lanes`).

mod cache;
mod import;
mod lanes;
mod lock;
mod pool;
mod sql;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use domain::RepoError;
use rusqlite::{params_from_iter, Connection, ErrorCode, OptionalExtension as _};

use self::cache::DocCache;
pub use self::import::{IMPORTED_SUFFIX, JOURNAL_FILE};
use self::lanes::{Lane, Lanes};
pub use self::lock::LOCK_FILE;
use self::pool::Pool;
use self::sql::{check_name, field_expr, Sql};
use super::{check_set, doc_id, doc_version, Cond, Doc, DocumentStore, IndexSpec, Query, VERSION};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "botfleet.db";

/// The document cache's default size: [`SqliteOptions::cache_bytes`].
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// How the store persists and caches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Sync the write-ahead log at every commit (`synchronous=FULL`): survives power loss, at the
    /// cost of write latency. Without it a write survives a process crash but may be lost with
    /// the machine.
    pub fsync: bool,
    /// Bytes of documents kept parsed-ready in memory by id, so that hot reads (the caller's
    /// user on every request) skip SQLite and the store's threads; 0 disables the cache. Default
    /// [`DEFAULT_CACHE_BYTES`].
    pub cache_bytes: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self { fsync: false, cache_bytes: DEFAULT_CACHE_BYTES }
    }
}

/// The SQLite [`DocumentStore`]. Dropping it releases the data directory's lock.
pub struct SqliteStore {
    dir: Option<PathBuf>,
    inner: Arc<Inner>,
    _lock: Option<File>,
}

#[derive(Debug)]
struct Inner {
    pool: Pool,
    /// Collections whose table exists: reads of any other collection are empty, not errors.
    tables: RwLock<HashSet<String>>,
    /// The fields of each collection's unique indexes, as declared by `ensure_collection`.
    uniques: RwLock<HashMap<String, Vec<Vec<String>>>>,
    cache: DocCache,
    /// The threads every call that reaches SQLite runs on.
    lanes: Lanes,
}

impl SqliteStore {
    /// Opens the store in `data_dir` (created if missing), importing a journal left by the former
    /// embedded engine on first start, or a private in-memory database for `None`. Blocking: call
    /// it off the async workers. Errors when the directory is locked by another process or the
    /// database cannot be opened.
    pub fn open(data_dir: Option<&Path>, options: SqliteOptions) -> anyhow::Result<Self> {
        let Some(dir) = data_dir else {
            let pool = Pool::open_memory()?;
            return Ok(Self { dir: None, inner: Arc::new(Inner::new(pool, options.cache_bytes)?), _lock: None });
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the data directory {}: {e}", dir.display()))?;
        let lock = lock::lock_dir(dir)?;
        let pool = Pool::open_file(&dir.join(DATABASE_FILE), options.fsync)?;
        let inner = Inner::new(pool, options.cache_bytes)?;
        import::import_journal(dir, &inner)?;
        Ok(Self { dir: Some(dir.to_path_buf()), inner: Arc::new(inner), _lock: Some(lock) })
    }

    /// The store in `data_dir` as another process (a running server) may be serving it: no lock
    /// is taken and no journal is imported. For reading only: backups and migration.
    pub fn open_existing(data_dir: &Path) -> anyhow::Result<Self> {
        let pool = Pool::open_existing(&data_dir.join(DATABASE_FILE))?;
        // Another process writes this database: a cache here could not see its writes.
        Ok(Self { dir: Some(data_dir.to_path_buf()), inner: Arc::new(Inner::new(pool, 0)?), _lock: None })
    }

    /// The collections that hold documents, by name.
    pub fn collections(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.inner.tables.read().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect();
        names.sort();
        names
    }

    /// A private in-memory store.
    pub fn in_memory() -> Self {
        Self::open(None, SqliteOptions::default()).expect("an in-memory SQLite database opens")
    }

    /// Bytes of documents the cache holds now (see [`SqliteOptions::cache_bytes`]).
    pub fn cached_bytes(&self) -> usize {
        self.inner.cache.bytes()
    }

    /// The data directory, when persistent.
    pub fn data_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Writes a consistent copy of the whole database to `target` (which must not exist) while
    /// the store keeps serving (`VACUUM INTO`): the backup a running server can take.
    pub async fn backup(&self, target: &Path) -> Result<(), RepoError> {
        let mut target = target.to_string_lossy().into_owned();
        if self.dir.is_none() {
            // An in-memory database is a file of the `memdb` VFS (`pool::Pool::open_memory`), and
            // `VACUUM INTO` writes with the database's own VFS: name the file system's instead.
            target = format!("file:{}?vfs=unix", uri_escaped(&target));
        }
        self.blocking(Lane::Read, move |inner| {
            inner.pool.read(|conn| conn.execute("VACUUM INTO ?1", [target]).map(drop).map_err(unavailable))
        })
        .await
    }

    /// The query plan SQLite chooses for `query` on `coll` (`EXPLAIN QUERY PLAN`, one line per
    /// step), so tests can prove queries are served by indexes.
    pub async fn plan(&self, coll: &str, query: &Query) -> Result<Vec<String>, RepoError> {
        let table = check_name(coll)?.to_owned();
        let query = query.clone();
        self.blocking(Lane::Read, move |inner| {
            if !inner.has_table(&table) {
                return Ok(Vec::new());
            }
            let sql = select(&table, "doc", &query)?;
            inner.pool.read(|conn| {
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", sql.text)).map_err(unavailable)?;
                let rows = stmt
                    .query_map(params_from_iter(sql.params.iter()), |row| row.get::<_, String>(3))
                    .map_err(unavailable)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
            })
        })
        .await
    }

    /// The document a unique-index query selects, through the cache: the id last found under
    /// that key, trusted only if the (coherent) document still holds the key. `None` when the
    /// query must go to the database.
    async fn by_unique(&self, table: &str, key: &str, query: &Query) -> Result<Option<Doc>, RepoError> {
        let Some(id) = self.inner.cache.unique_id(key) else { return Ok(None) };
        let doc = match self.inner.cache.get(table, &id) {
            Some(text) => Some(parse(&text)?),
            None => {
                let table = table.to_owned();
                self.blocking(Lane::Read, move |inner| inner.get(&table, &id)).await?
            }
        };
        Ok(doc.filter(|doc| holds(doc, query)))
    }

    /// Runs `f` on one of the store's threads of `lane` (never on the caller's).
    async fn blocking<T: Send + 'static>(
        &self,
        lane: Lane,
        f: impl FnOnce(&Inner) -> Result<T, RepoError> + Send + 'static,
    ) -> Result<T, RepoError> {
        let inner = Arc::clone(&self.inner);
        self.inner.lanes.run(lane, move || f(&inner)).await
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("data_dir", &self.dir).finish_non_exhaustive()
    }
}

/// `path` as the path of a `file:` URI: the characters a URI gives a meaning to, escaped.
fn uri_escaped(path: &str) -> String {
    path.replace('%', "%25").replace('?', "%3F").replace('#', "%23")
}

fn unavailable(err: rusqlite::Error) -> RepoError {
    RepoError::unavailable(anyhow::Error::new(err).context("SQLite"))
}

/// A write refused by a uniqueness rule becomes `Duplicate`, naming the index as declared.
fn write_error(table: &str, err: rusqlite::Error) -> RepoError {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &err {
        if failure.code == ErrorCode::ConstraintViolation {
            // "UNIQUE constraint failed: index '<table>__<name>'" or "...: <table>.id".
            let index = message
                .split("index '")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .map(|name| name.strip_prefix(&format!("{table}__")).unwrap_or(name).to_owned());
            return RepoError::Duplicate { index: index.unwrap_or_else(|| super::ID.to_owned()) };
        }
    }
    unavailable(err)
}

fn select(table: &str, columns: &str, query: &Query) -> Result<Sql, RepoError> {
    let mut sql = Sql { text: format!("SELECT {columns} FROM \"{table}\""), params: Vec::new() };
    if let Some(index) = query.hint {
        // The name the index was created under (`ensure`).
        sql.text.push_str(&format!(" INDEXED BY \"{table}__{}\"", check_name(index)?));
    }
    sql.push_where(&query.filters)?;
    sql.push_order_and_page(query)?;
    Ok(sql)
}

/// A read transaction through cached statements (`Connection::transaction` prepares its `BEGIN`
/// and `ROLLBACK` anew each time: 2 % of the CPU of a page). Ends when dropped; a read-only
/// transaction ends the same whether committed or rolled back.
struct ReadTransaction<'c>(&'c Connection);

impl<'c> ReadTransaction<'c> {
    fn begin(conn: &'c Connection) -> Result<Self, RepoError> {
        if !conn.is_autocommit() {
            // A transaction left open by a failed end (below): end it rather than read in it.
            conn.execute_batch("ROLLBACK").map_err(unavailable)?;
        }
        conn.prepare_cached("BEGIN").and_then(|mut stmt| stmt.execute([])).map_err(unavailable)?;
        Ok(Self(conn))
    }
}

impl std::ops::Deref for ReadTransaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.0
    }
}

impl Drop for ReadTransaction<'_> {
    fn drop(&mut self) {
        if self.0.prepare_cached("COMMIT").and_then(|mut stmt| stmt.execute([])).is_err() {
            // Tried again by the next `begin` if this fails too.
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

fn parse(text: &str) -> Result<Doc, RepoError> {
    serde_json::from_str(text).map_err(|e| RepoError::unavailable(anyhow::Error::new(e).context("a stored document")))
}

fn text_of(doc: &Doc) -> String {
    // A map of JSON values always serialises.
    serde_json::to_string(doc).unwrap_or_default()
}

/// Whether `doc` satisfies every (equality) filter of `query`.
fn holds(doc: &Doc, query: &Query) -> bool {
    query.filters.iter().all(|filter| match &filter.cond {
        Cond::Eq(expected) => {
            let mut path = filter.field.split('.');
            let first = path.next().and_then(|name| doc.get(name));
            path.fold(first, |value, name| value.and_then(|v| v.get(name))) == Some(expected)
        }
        _ => false,
    })
}

impl Inner {
    /// The cache key of `query` when it selects by string equality on exactly the fields of one
    /// of the table's unique indexes (so it matches at most one document), else `None`.
    fn unique_key(&self, table: &str, query: &Query) -> Option<String> {
        if !self.cache.enabled() || query.skip != 0 || query.limit == Some(0) || query.filters.is_empty() {
            return None;
        }
        let mut filters = Vec::with_capacity(query.filters.len());
        for filter in &query.filters {
            let Cond::Eq(serde_json::Value::String(value)) = &filter.cond else { return None };
            filters.push((filter.field.as_str(), value.as_str()));
        }
        filters.sort_unstable();
        let uniques = self.uniques.read().unwrap_or_else(PoisonError::into_inner);
        let is_unique = uniques.get(table)?.iter().any(|fields| {
            let mut fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            fields.sort_unstable();
            fields.len() == filters.len() && fields.iter().zip(&filters).all(|(f, (name, _))| f == name)
        });
        if !is_unique {
            return None;
        }
        let mut key = table.to_owned();
        for (field, value) in filters {
            key.push('\0');
            key.push_str(field);
            key.push('\0');
            key.push_str(value);
        }
        Some(key)
    }

    fn new(pool: Pool, cache_bytes: usize) -> anyhow::Result<Self> {
        let tables = pool.read(|conn| -> rusqlite::Result<HashSet<String>> {
            let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
            let names = stmt.query_map([], |row| row.get::<_, String>(0))?;
            names.collect()
        })?;
        let lanes = Lanes::start(pool::READERS)?;
        Ok(Self {
            pool,
            tables: RwLock::new(tables),
            uniques: RwLock::new(HashMap::new()),
            cache: DocCache::new(cache_bytes),
            lanes,
        })
    }

    fn has_table(&self, table: &str) -> bool {
        self.tables.read().unwrap_or_else(PoisonError::into_inner).contains(table)
    }

    /// Creates `table` if missing (writer connection).
    fn create_table(&self, conn: &Connection, table: &str) -> Result<(), RepoError> {
        if self.has_table(table) {
            return Ok(());
        }
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS \"{table}\" (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, \
             doc TEXT NOT NULL)"
        ))
        .map_err(unavailable)?;
        self.tables.write().unwrap_or_else(PoisonError::into_inner).insert(table.to_owned());
        Ok(())
    }

    fn ensure(&self, table: &str, indexes: &[IndexSpec]) -> Result<(), RepoError> {
        let uniques = indexes
            .iter()
            .filter(|spec| spec.unique)
            .map(|spec| spec.fields.iter().map(|f| (*f).to_owned()).collect())
            .collect();
        self.uniques.write().unwrap_or_else(PoisonError::into_inner).insert(table.to_owned(), uniques);
        self.pool.write(|conn| {
            self.create_table(conn, table)?;
            for spec in indexes {
                let name = check_name(spec.name)?;
                let mut exprs = spec.fields.iter().map(|f| field_expr(f)).collect::<Result<Vec<_>, _>>()?;
                // A plain index ends with the id (the tie-breaker, not a declared field): equality
                // on its fields then serves a page ordered by id as a range, without sorting every
                // match (the engine reads bots so). Unique indexes stay as declared.
                if !spec.unique && spec.fields.last() != Some(&super::ID) {
                    exprs.push(sql::ID_TIE_BREAKER.to_owned());
                }
                let unique = if spec.unique { "UNIQUE " } else { "" };
                let index = format!("{table}__{name}");
                let statement = format!("CREATE {unique}INDEX \"{index}\" ON \"{table}\" ({})", exprs.join(", "));
                // An index of the same name built differently (by an older version) is rebuilt.
                let existing: Option<String> = conn
                    .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [&index], |row| {
                        row.get(0)
                    })
                    .optional()
                    .map_err(unavailable)?;
                match existing {
                    Some(sql) if sql == statement => continue,
                    Some(_) => conn.execute_batch(&format!("DROP INDEX \"{index}\"")).map_err(unavailable)?,
                    None => {}
                }
                conn.execute_batch(&statement).map_err(|e| match write_error(table, e) {
                    RepoError::Duplicate { .. } => RepoError::Duplicate { index: name.to_owned() },
                    other => other,
                })?;
            }
            Ok(())
        })
    }

    fn insert(&self, table: &str, id: &str, version: u64, doc: &Doc) -> Result<(), RepoError> {
        let _writing = self.cache.writing(table, [id]);
        self.pool.write(|conn| {
            self.create_table(conn, table)?;
            conn.prepare_cached(&format!("INSERT INTO \"{table}\" (id, version, doc) VALUES (?1, ?2, ?3)"))
                .and_then(|mut stmt| stmt.execute(rusqlite::params![id, version as i64, text_of(doc)]))
                .map_err(|e| write_error(table, e))?;
            Ok(())
        })
    }

    fn insert_many(&self, table: &str, docs: &[(String, u64, Doc)]) -> (u64, Result<(), RepoError>) {
        let _writing = self.cache.writing(table, docs.iter().map(|(id, _, _)| id.as_str()));
        let mut inserted = 0;
        let written = self.pool.write(|conn| {
            self.create_table(conn, table)?;
            let tx = conn.transaction().map_err(unavailable)?;
            let mut outcome = Ok(());
            {
                let mut stmt = tx
                    .prepare_cached(&format!("INSERT INTO \"{table}\" (id, version, doc) VALUES (?1, ?2, ?3)"))
                    .map_err(unavailable)?;
                for (id, version, doc) in docs {
                    if let Err(e) = stmt.execute(rusqlite::params![id, *version as i64, text_of(doc)]) {
                        // As on MongoDB, the documents before a refusal stay inserted.
                        outcome = Err(write_error(table, e));
                        break;
                    }
                    inserted += 1;
                }
            }
            if let Err(e) = tx.commit() {
                inserted = 0;
                return Err(unavailable(e));
            }
            outcome
        });
        (inserted, written)
    }

    fn get(&self, table: &str, id: &str) -> Result<Option<Doc>, RepoError> {
        if !self.has_table(table) {
            return Ok(None);
        }
        let ticket = self.cache.ticket(table, id);
        let text = self.pool.read(|conn| {
            conn.prepare_cached(&format!("SELECT doc FROM \"{table}\" WHERE id = ?1"))
                .and_then(|mut stmt| stmt.query_row([id], |row| row.get::<_, String>(0)).optional())
                .map_err(unavailable)
        })?;
        if let Some(text) = &text {
            self.cache.fill(table, id, text, ticket);
        }
        text.as_deref().map(parse).transpose()
    }

    fn find(&self, table: &str, query: &Query) -> Result<Vec<Doc>, RepoError> {
        self.find_texts(table, query)?.iter().map(|t| parse(t)).collect()
    }

    /// The matching documents as stored: JSON texts.
    fn find_texts(&self, table: &str, query: &Query) -> Result<Vec<String>, RepoError> {
        if !self.has_table(table) {
            return Ok(Vec::new());
        }
        let sql = select(table, "doc", query)?;
        self.pool.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql.text).map_err(unavailable)?;
            let rows = stmt.query_map(params_from_iter(sql.params.iter()), |row| row.get::<_, String>(0));
            rows.and_then(Iterator::collect::<Result<Vec<_>, _>>).map_err(unavailable)
        })
    }

    /// The page (as JSON texts) and the total from one read transaction (one snapshot, one
    /// connection).
    fn find_page(&self, table: &str, query: &Query) -> Result<(Vec<String>, u64), RepoError> {
        if !self.has_table(table) {
            return Ok((Vec::new(), 0));
        }
        let filters_only = query.filters_only();
        let (count, select) = (select(table, "count(*)", &filters_only)?, select(table, "doc", query)?);
        let (texts, total) = self.pool.read(|conn| -> Result<_, RepoError> {
            let tx = ReadTransaction::begin(conn)?;
            let total = tx
                .prepare_cached(&count.text)
                .and_then(|mut stmt| stmt.query_row(params_from_iter(count.params.iter()), |row| row.get::<_, i64>(0)))
                .map_err(unavailable)?;
            let mut stmt = tx.prepare_cached(&select.text).map_err(unavailable)?;
            let rows = stmt.query_map(params_from_iter(select.params.iter()), |row| row.get::<_, String>(0));
            let texts: Vec<String> = rows.and_then(Iterator::collect).map_err(unavailable)?;
            Ok((texts, total))
        })?;
        Ok((texts, total.max(0) as u64))
    }

    fn count(&self, table: &str, query: &Query) -> Result<u64, RepoError> {
        if !self.has_table(table) {
            return Ok(0);
        }
        let filters_only = query.filters_only();
        let sql = select(table, "count(*)", &filters_only)?;
        let n = self.pool.read(|conn| {
            conn.prepare_cached(&sql.text)
                .and_then(|mut stmt| stmt.query_row(params_from_iter(sql.params.iter()), |row| row.get::<_, i64>(0)))
                .map_err(unavailable)
        })?;
        Ok(n.max(0) as u64)
    }

    fn replace(&self, table: &str, id: &str, doc: &Doc, expected: u64) -> Result<u64, RepoError> {
        if !self.has_table(table) {
            return Err(RepoError::NotFound);
        }
        let version = expected + 1;
        let _writing = self.cache.writing(table, [id]);
        self.pool.write(|conn| {
            let changed = conn
                .prepare_cached(&format!(
                    "UPDATE \"{table}\" SET version = ?1, doc = ?2 WHERE id = ?3 AND version = ?4"
                ))
                .and_then(|mut stmt| stmt.execute(rusqlite::params![version as i64, text_of(doc), id, expected as i64]))
                .map_err(|e| write_error(table, e))?;
            if changed == 1 {
                return Ok(version);
            }
            let exists = conn
                .prepare_cached(&format!("SELECT 1 FROM \"{table}\" WHERE id = ?1"))
                .and_then(|mut stmt| stmt.exists([id]))
                .map_err(unavailable)?;
            Err(if exists { RepoError::Conflict } else { RepoError::NotFound })
        })
    }

    fn replace_same_version(&self, table: &str, id: &str, doc: &Doc, version: u64) -> Result<bool, RepoError> {
        if !self.has_table(table) {
            return Ok(false);
        }
        let _writing = self.cache.writing(table, [id]);
        self.pool.write(|conn| {
            conn.prepare_cached(&format!("UPDATE \"{table}\" SET doc = ?1 WHERE id = ?2 AND version = ?3"))
                .and_then(|mut stmt| stmt.execute(rusqlite::params![text_of(doc), id, version as i64]))
                .map(|changed| changed == 1)
                .map_err(|e| write_error(table, e))
        })
    }

    fn delete(&self, table: &str, id: &str) -> Result<bool, RepoError> {
        if !self.has_table(table) {
            return Ok(false);
        }
        let _writing = self.cache.writing(table, [id]);
        self.pool.write(|conn| {
            conn.prepare_cached(&format!("DELETE FROM \"{table}\" WHERE id = ?1"))
                .and_then(|mut stmt| stmt.execute([id]))
                .map(|n| n > 0)
                .map_err(unavailable)
        })
    }

    fn delete_ids(&self, table: &str, ids: &[String]) -> Result<u64, RepoError> {
        if !self.has_table(table) || ids.is_empty() {
            return Ok(0);
        }
        let _writing = self.cache.writing(table, ids.iter().map(String::as_str));
        self.pool.write(|conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let mut deleted = 0;
            {
                let mut stmt =
                    tx.prepare_cached(&format!("DELETE FROM \"{table}\" WHERE id = ?1")).map_err(unavailable)?;
                for id in ids {
                    deleted += stmt.execute([id]).map_err(unavailable)? as u64;
                }
            }
            tx.commit().map_err(unavailable)?;
            Ok(deleted)
        })
    }

    fn update_many_set(&self, table: &str, query: &Query, set: &Doc) -> Result<u64, RepoError> {
        if !self.has_table(table) {
            return Ok(0);
        }
        let filters_only = query.filters_only();
        let sql = select(table, "doc", &filters_only)?;
        self.pool.write(|conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let texts: Vec<String> = {
                let mut stmt = tx.prepare_cached(&sql.text).map_err(unavailable)?;
                let rows = stmt.query_map(params_from_iter(sql.params.iter()), |row| row.get::<_, String>(0));
                rows.and_then(Iterator::collect).map_err(unavailable)?
            };
            let docs = texts.iter().map(|text| parse(text)).collect::<Result<Vec<_>, _>>()?;
            let ids = docs.iter().map(|doc| doc_id(doc).map(str::to_owned)).collect::<Result<Vec<_>, _>>()?;
            // Held until the transaction has committed (the end of this closure).
            let _writing = self.cache.writing(table, ids.iter().map(String::as_str));
            let mut changed = 0;
            let mut outcome = Ok(());
            for mut doc in docs {
                for (path, value) in set {
                    set_path(&mut doc, path, value.clone());
                }
                let version = doc_version(&doc).unwrap_or(0) + 1;
                doc.insert(VERSION.to_owned(), version.into());
                let id = doc_id(&doc)?.to_owned();
                let written = tx
                    .prepare_cached(&format!("UPDATE \"{table}\" SET version = ?1, doc = ?2 WHERE id = ?3"))
                    .and_then(|mut stmt| stmt.execute(rusqlite::params![version as i64, text_of(&doc), id]));
                if let Err(e) = written {
                    // As on MongoDB, the documents changed before a refusal stay changed.
                    outcome = Err(write_error(table, e));
                    break;
                }
                changed += 1;
            }
            tx.commit().map_err(unavailable)?;
            outcome.map(|()| changed)
        })
    }
}

/// Sets the value at a dot path, creating (or replacing non-object) intermediate objects.
fn set_path(doc: &mut Doc, path: &str, value: serde_json::Value) {
    let mut segments: Vec<&str> = path.split('.').collect();
    let last = segments.pop().unwrap_or(path);
    let mut current = doc;
    for segment in segments {
        let slot = current.entry(segment).or_insert_with(|| serde_json::Value::Object(Doc::new()));
        if !slot.is_object() {
            *slot = serde_json::Value::Object(Doc::new());
        }
        let serde_json::Value::Object(map) = slot else { unreachable!("made an object above") };
        current = map;
    }
    current.insert(last.to_owned(), value);
}

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn ensure_collection(&self, coll: &str, indexes: &[IndexSpec]) -> Result<(), RepoError> {
        let table = check_name(coll)?.to_owned();
        let indexes = indexes.to_vec();
        self.blocking(Lane::Write, move |inner| inner.ensure(&table, &indexes)).await
    }

    async fn insert(&self, coll: &str, doc: Doc) -> Result<(), RepoError> {
        let table = check_name(coll)?.to_owned();
        let id = doc_id(&doc)?.to_owned();
        let version = doc_version(&doc)?;
        self.blocking(Lane::Write, move |inner| inner.insert(&table, &id, version, &doc)).await
    }

    async fn insert_many(&self, coll: &str, docs: Vec<Doc>) -> (u64, Result<(), RepoError>) {
        let table = match check_name(coll) {
            Ok(table) => table.to_owned(),
            Err(err) => return (0, Err(err)),
        };
        let rows: Result<Vec<(String, u64, Doc)>, RepoError> =
            docs.into_iter().map(|doc| Ok((doc_id(&doc)?.to_owned(), doc_version(&doc)?, doc))).collect();
        let rows = match rows {
            Ok(rows) if rows.is_empty() => return (0, Ok(())),
            Ok(rows) => rows,
            Err(err) => return (0, Err(err)),
        };
        match self.blocking(Lane::Write, move |inner| Ok(inner.insert_many(&table, &rows))).await {
            Ok(done) => done,
            Err(err) => (0, Err(err)),
        }
    }

    async fn get(&self, coll: &str, id: &str) -> Result<Option<Doc>, RepoError> {
        let table = check_name(coll)?;
        if let Some(text) = self.inner.cache.get(table, id) {
            return parse(&text).map(Some);
        }
        let (table, id) = (table.to_owned(), id.to_owned());
        self.blocking(Lane::Read, move |inner| inner.get(&table, &id)).await
    }

    async fn find(&self, coll: &str, query: &Query) -> Result<Vec<Doc>, RepoError> {
        let table = check_name(coll)?.to_owned();
        let unique = self.inner.unique_key(&table, query);
        if let Some(key) = &unique {
            if let Some(doc) = self.by_unique(&table, key, query).await? {
                return Ok(vec![doc]);
            }
        }
        let query = query.clone();
        let docs = self.blocking(Lane::Read, move |inner| inner.find(&table, &query)).await?;
        if let (Some(key), [doc]) = (unique, docs.as_slice()) {
            self.inner.cache.remember_unique(key, doc_id(doc)?);
        }
        Ok(docs)
    }

    async fn count(&self, coll: &str, query: &Query) -> Result<u64, RepoError> {
        let (table, query) = (check_name(coll)?.to_owned(), query.clone());
        self.blocking(Lane::Read, move |inner| inner.count(&table, &query)).await
    }

    async fn find_page(&self, coll: &str, query: &Query) -> Result<(Vec<Doc>, u64), RepoError> {
        let (table, query) = (check_name(coll)?.to_owned(), query.clone());
        let (texts, total) = self.blocking(Lane::Read, move |inner| inner.find_page(&table, &query)).await?;
        Ok((texts.iter().map(|t| parse(t)).collect::<Result<_, _>>()?, total))
    }

    async fn find_json(&self, coll: &str, query: &Query) -> Result<Vec<String>, RepoError> {
        let (table, query) = (check_name(coll)?.to_owned(), query.clone());
        self.blocking(Lane::Read, move |inner| inner.find_texts(&table, &query)).await
    }

    async fn find_page_json(&self, coll: &str, query: &Query) -> Result<(Vec<String>, u64), RepoError> {
        let (table, query) = (check_name(coll)?.to_owned(), query.clone());
        self.blocking(Lane::Read, move |inner| inner.find_page(&table, &query)).await
    }

    async fn replace(&self, coll: &str, mut doc: Doc, expected_version: u64) -> Result<u64, RepoError> {
        let table = check_name(coll)?.to_owned();
        let id = doc_id(&doc)?.to_owned();
        doc.insert(VERSION.to_owned(), (expected_version + 1).into());
        self.blocking(Lane::Write, move |inner| inner.replace(&table, &id, &doc, expected_version)).await
    }

    async fn replace_same_version(&self, coll: &str, mut doc: Doc, version: u64) -> Result<bool, RepoError> {
        let table = check_name(coll)?.to_owned();
        let id = doc_id(&doc)?.to_owned();
        doc.insert(VERSION.to_owned(), version.into());
        self.blocking(Lane::Write, move |inner| inner.replace_same_version(&table, &id, &doc, version)).await
    }

    async fn delete(&self, coll: &str, id: &str) -> Result<bool, RepoError> {
        let (table, id) = (check_name(coll)?.to_owned(), id.to_owned());
        self.blocking(Lane::Write, move |inner| inner.delete(&table, &id)).await
    }

    async fn delete_ids(&self, coll: &str, ids: &[String]) -> Result<u64, RepoError> {
        let (table, ids) = (check_name(coll)?.to_owned(), ids.to_vec());
        self.blocking(Lane::Write, move |inner| inner.delete_ids(&table, &ids)).await
    }

    async fn update_many_set(&self, coll: &str, query: &Query, set: Doc) -> Result<u64, RepoError> {
        check_set(&set)?;
        let (table, query) = (check_name(coll)?.to_owned(), query.clone());
        self.blocking(Lane::Write, move |inner| inner.update_many_set(&table, &query, &set)).await
    }

    async fn ping(&self) -> Result<(), RepoError> {
        self.blocking(Lane::Read, |inner| {
            inner.pool.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(unavailable))
        })
        .await
    }

    async fn index_keys(&self, coll: &str) -> Result<Vec<Vec<String>>, RepoError> {
        let table = check_name(coll)?.to_owned();
        self.blocking(Lane::Read, move |inner| {
            // Our indexes are the ones with SQL text (the primary key's is SQLite's own).
            let statements: Vec<String> = inner.pool.read(|conn| {
                let mut stmt = conn
                    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")
                    .map_err(unavailable)?;
                let rows = stmt.query_map([&table], |row| row.get::<_, String>(0)).map_err(unavailable)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
            })?;
            let mut keys: Vec<Vec<String>> = statements.iter().map(|sql| sql::index_fields(sql)).collect();
            keys.sort();
            Ok(keys)
        })
        .await
    }
}
