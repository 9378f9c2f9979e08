//! Runs the store contract suite against the embedded store (SQLite), in memory and on disk (where
//! every test also checks that reopening the directory restores exactly what was there), and once
//! more with every statement's query plan checked: a full table scan fails the test unless its
//! collection is on the allow-list below, with its reason. Plus restart, import of a journal
//! written by the former engine, backup while writing, and lock-file tests.

use std::sync::Arc;

use async_trait::async_trait;
use botfleet_tests::contract::fixtures::{at, credential, session, user};
use botfleet_tests::contract::store::doc;
use botfleet_tests::contract::{Harness, COLLECTIONS};
use domain::credentials::ExchangeId;
use domain::identity::{Email, RefreshSession};
use domain::shared::ids::{SessionFamilyId, UserId};
use domain::RepoError;
use infrastructure::repositories::{open_embedded, open_embedded_store, Repositories};
use infrastructure::store::sqlite::{SqliteOptions, SqliteStore, IMPORTED_SUFFIX, JOURNAL_FILE};
use infrastructure::store::{Cond, Doc, DocumentStore, IndexSpec, Query, ID};
use serde_json::json;

async fn in_memory_store() -> Harness {
    Harness::new(open_embedded(None).await.unwrap())
}

/// Without the document cache, so that every read goes to SQLite.
async fn uncached_store() -> Harness {
    let options = SqliteOptions { cache_bytes: 0, ..SqliteOptions::default() };
    Harness::new(open_embedded_store(None, options).await.unwrap().1)
}

/// Every collection's documents, by id.
async fn snapshot(store: &dyn DocumentStore) -> Vec<Vec<Doc>> {
    let mut all = Vec::new();
    for coll in COLLECTIONS {
        all.push(store.find(coll, &Query::all().asc("_id")).await.unwrap());
    }
    all
}

async fn on_disk_store() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let repos = open_embedded(Some(dir.path())).await.unwrap();
    Harness::with_teardown(
        repos,
        Box::new(move |repos| {
            Box::pin(async move {
                let before = snapshot(&*repos.store).await;
                drop(repos);
                let reopened = open_embedded(Some(dir.path())).await.unwrap();
                assert_eq!(snapshot(&*reopened.store).await, before, "reopening shows a different state");
            })
        }),
    )
}

/// Collections whose full scans are expected, and why.
const SCAN_ALLOWED: &[(&str, &str)] = &[
    ("contract_items", "the store's own contract filters on arbitrary fields to test every operator"),
    ("contract_keyed", "the store's own contract, as above"),
    ("contract_pairs", "the store's own contract, as above"),
];

/// Collections whose pages may be sorted apart from the index, and why.
const SORT_ALLOWED: &[(&str, &str)] = &[
    ("credentials", "a user holds at most one credential per exchange: a handful to sort"),
    ("subscriptions", "the operators' list of paid subscriptions merges two plans; operators only"),
];

/// The SQLite store, asking SQLite for the plan of every query before running it.
#[derive(Debug)]
struct PlanChecked(SqliteStore);

impl PlanChecked {
    async fn check(&self, coll: &str, query: &Query, counting: bool) {
        if SCAN_ALLOWED.iter().any(|(allowed, _)| *allowed == coll) {
            return;
        }
        // The total of a list over a whole collection (operators' lists, workflows paging through
        // every record) counts every row by definition: SQLite keeps no row count to read.
        // So does a count whose only conditions exclude ids (the backoffice's "no running bot").
        if counting && query.filters.iter().all(|f| matches!(f.cond, Cond::Nin(_))) {
            return;
        }
        let plan = self.0.plan(coll, query).await.unwrap();
        // `SCAN <table>` alone reads every row; `SEARCH` and `SCAN ... USING INDEX` (an ordered
        // read that stops at the page's end) are served by an index.
        let full_scan = plan.iter().any(|step| step.starts_with("SCAN") && !step.contains("USING"));
        assert!(!full_scan, "a full scan of `{coll}` for {query:?}:\n{}", plan.join("\n"));
        // A page (a limit) sorted by a temporary b-tree sorts every match to keep a few: the
        // index must deliver the order.
        let sorts_all = query.limit.is_some() && plan.iter().any(|step| step.contains("TEMP B-TREE"));
        // A list of ids bounds what is sorted (the backoffice reads a page of users by id: at most 200).
        let by_ids = query.filters.iter().any(|f| f.field == ID && matches!(f.cond, Cond::In(_)));
        let allowed = by_ids || SORT_ALLOWED.iter().any(|(allowed, _)| *allowed == coll);
        assert!(!sorts_all || allowed, "a page of `{coll}` sorts every match for {query:?}:\n{}", plan.join("\n"));
        // Without statistics SQLite may choose an index that narrows by fewer of the query's
        // equalities than another declared index: `user_id = ? AND status = ?` on bots was read
        // through the (status, kind) index, every running bot of every user, half a second a
        // count at 100,000 bots. The chosen index must use as many equalities as the best one;
        // unless the query names one id (at most one row), or orders its page (then the index
        // that delivers the order is the right choice, checked above).
        let by_id = query.filters.iter().any(|f| f.field == ID && matches!(f.cond, Cond::Eq(_)));
        if by_id || !query.sort.is_empty() {
            return;
        }
        let used = plan
            .iter()
            .filter(|step| step.starts_with("SEARCH"))
            // An equality reads `<expr>=?` or `id=?`; a range such as `id>=?` is not one.
            .map(|step| {
                step.matches("<expr>=?").count() + step.matches("(id=?").count() + step.matches(" id=?").count()
            })
            .max()
            .unwrap_or(0);
        let equal: Vec<&str> =
            query.filters.iter().filter(|f| matches!(f.cond, Cond::Eq(_))).map(|f| f.field.as_str()).collect();
        let best = self
            .0
            .index_keys(coll)
            .await
            .unwrap()
            .iter()
            .map(|fields| fields.iter().take_while(|field| equal.contains(&field.as_str())).count())
            .max()
            .unwrap_or(0);
        assert!(
            used >= best,
            "`{coll}` read through an index using {used} of the equalities of {query:?} where a declared \
             index serves {best}:\n{}",
            plan.join("\n")
        );
    }
}

#[async_trait]
impl DocumentStore for PlanChecked {
    async fn ensure_collection(&self, coll: &str, indexes: &[IndexSpec]) -> Result<(), RepoError> {
        self.0.ensure_collection(coll, indexes).await
    }
    async fn insert(&self, coll: &str, doc: Doc) -> Result<(), RepoError> {
        self.0.insert(coll, doc).await
    }
    async fn insert_many(&self, coll: &str, docs: Vec<Doc>) -> (u64, Result<(), RepoError>) {
        self.0.insert_many(coll, docs).await
    }
    async fn get(&self, coll: &str, id: &str) -> Result<Option<Doc>, RepoError> {
        self.0.get(coll, id).await
    }
    async fn find(&self, coll: &str, query: &Query) -> Result<Vec<Doc>, RepoError> {
        self.check(coll, query, false).await;
        self.0.find(coll, query).await
    }
    async fn count(&self, coll: &str, query: &Query) -> Result<u64, RepoError> {
        self.check(coll, &query.filters_only(), true).await;
        self.0.count(coll, query).await
    }
    async fn replace(&self, coll: &str, doc: Doc, expected_version: u64) -> Result<u64, RepoError> {
        self.0.replace(coll, doc, expected_version).await
    }
    async fn replace_same_version(&self, coll: &str, doc: Doc, version: u64) -> Result<bool, RepoError> {
        self.0.replace_same_version(coll, doc, version).await
    }
    async fn delete_ids(&self, coll: &str, ids: &[String]) -> Result<u64, RepoError> {
        self.0.delete_ids(coll, ids).await
    }
    async fn delete(&self, coll: &str, id: &str) -> Result<bool, RepoError> {
        self.0.delete(coll, id).await
    }
    async fn update_many_set(&self, coll: &str, query: &Query, set: Doc) -> Result<u64, RepoError> {
        self.check(coll, &query.filters_only(), false).await;
        self.0.update_many_set(coll, query, set).await
    }
    async fn ping(&self) -> Result<(), RepoError> {
        self.0.ping().await
    }
    async fn index_keys(&self, coll: &str) -> Result<Vec<Vec<String>>, RepoError> {
        self.0.index_keys(coll).await
    }
}

async fn plan_checked_store() -> Harness {
    Harness::new(Repositories::on(Arc::new(PlanChecked(SqliteStore::in_memory()))).await.unwrap())
}

mod in_memory {
    botfleet_tests::contract_suite!(super::in_memory_store);
}

mod uncached {
    botfleet_tests::contract_suite!(super::uncached_store);
}

mod on_disk {
    botfleet_tests::contract_suite!(super::on_disk_store);
}

mod every_query_uses_an_index {
    botfleet_tests::contract_suite!(super::plan_checked_store);
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, family) = (UserId::new(), SessionFamilyId::new());
    let (u, s, kept) = {
        let repos = open_embedded(Some(dir.path())).await.unwrap();
        let mut u = repos.users.create(&user("ana@example.com", 0)).await.unwrap();
        u.updated_at = at(5);
        let u = repos.users.update(&u).await.unwrap();
        let s = repos.sessions.create(&session(ana, family, 1)).await.unwrap();
        repos.sessions.revoke_family(family, at(9)).await.unwrap();
        let gone = repos.credentials.create(&credential(ana, ExchangeId::Binance, 2)).await.unwrap();
        let kept = repos.credentials.create(&credential(ana, ExchangeId::MercadoBitcoin, 3)).await.unwrap();
        repos.credentials.delete(ana, gone.id).await.unwrap();
        (u, s, kept)
    };

    let repos = open_embedded(Some(dir.path())).await.unwrap();

    assert_eq!(repos.users.get(u.id).await.unwrap(), u);
    let revoked = RefreshSession { revoked_at: Some(at(9)), version: 2, ..s.clone() };
    assert_eq!(repos.sessions.find_by_token_hash(&s.token_hash).await.unwrap(), Some(revoked));
    assert_eq!(repos.credentials.list(ana, None, domain::PageRequest::first()).await.unwrap().items, vec![kept]);
    let clash = repos.users.create(&user("ana@example.com", 7)).await;
    assert!(matches!(clash, Err(RepoError::Duplicate { ref index }) if index == "users_email"), "{clash:?}");
}

/// The journal in `tests/fixtures/journal-v1` was written by the former embedded engine (the
/// release before SQLite) serving a real session: a user registered and logged in, a paper
/// context, a SmartBot started and paused, a manual market buy filled on the paper exchange.
const FIXTURE_JOURNAL: &str = include_str!("../fixtures/journal-v1/botfleet.journal");

#[tokio::test]
async fn a_journal_of_the_former_engine_is_imported_once_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(JOURNAL_FILE), FIXTURE_JOURNAL).unwrap();

    let repos = open_embedded(Some(dir.path())).await.unwrap();

    let ana = repos.users.find_by_email(&Email::parse("ana@example.com").unwrap()).await.unwrap().unwrap();
    assert!(ana.password_hash.starts_with("$argon2id$"));
    let every = |coll: &'static str| {
        let store = repos.store.clone();
        async move { store.count(coll, &Query::all()).await.unwrap() }
    };
    // The fixture's live documents per collection, counted from its lines by hand.
    for (coll, expected) in
        [("users", 1), ("sessions", 1), ("contexts", 1), ("bots", 1), ("orders", 1), ("subscriptions", 1)]
    {
        assert_eq!(every(coll).await, expected, "{coll}");
    }
    let bots = repos.bots.list(ana.id, &Default::default(), domain::PageRequest::first()).await.unwrap();
    assert_eq!(bots.items[0].name, "first");
    assert_eq!(bots.items[0].status, domain::bots::BotStatus::Paused);
    assert!(!dir.path().join(JOURNAL_FILE).exists(), "the journal is renamed aside");
    assert!(dir.path().join(format!("{JOURNAL_FILE}{IMPORTED_SUFFIX}")).exists());
    // Unique indexes hold over imported documents, and the store takes writes.
    let clash = repos.users.create(&user("ana@example.com", 7)).await;
    assert!(matches!(clash, Err(RepoError::Duplicate { ref index }) if index == "users_email"), "{clash:?}");
    let bia = repos.users.create(&user("bia@example.com", 8)).await.unwrap();
    drop(repos);

    // Reopening imports nothing again: what was written since stays.
    let repos = open_embedded(Some(dir.path())).await.unwrap();
    assert_eq!(repos.users.get(bia.id).await.unwrap(), bia);
    assert_eq!(repos.store.count("users", &Query::all()).await.unwrap(), 2);
}

#[tokio::test]
async fn a_torn_last_journal_line_is_ignored_and_a_corrupt_one_refuses_to_open() {
    let torn = tempfile::tempdir().unwrap();
    let journal = format!("{FIXTURE_JOURNAL}{}", r#"{"op":"put","coll":"users","doc":{"_id":"01J"#);
    std::fs::write(torn.path().join(JOURNAL_FILE), journal).unwrap();
    let repos = open_embedded(Some(torn.path())).await.unwrap();
    assert_eq!(repos.store.count("users", &Query::all()).await.unwrap(), 1);

    let corrupt = tempfile::tempdir().unwrap();
    std::fs::write(corrupt.path().join(JOURNAL_FILE), format!("not json\n{FIXTURE_JOURNAL}")).unwrap();
    let err = open_embedded(Some(corrupt.path())).await.unwrap_err();
    assert!(format!("{err:#}").contains("corrupt at line 1"), "{err:#}");
    assert!(corrupt.path().join(JOURNAL_FILE).exists(), "a journal that failed to import stays where it is");
}

#[tokio::test]
async fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = open_embedded(Some(dir.path())).await.unwrap();

    let err = open_embedded(Some(dir.path())).await.unwrap_err();

    let message = format!("{err:#}");
    assert!(message.contains("in use by another botfleet process"), "{message}");
    assert!(message.contains(&std::process::id().to_string()), "names the holder's pid: {message}");
    drop(first);
    open_embedded(Some(dir.path())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(Some(dir.path()), SqliteOptions { fsync: true, ..SqliteOptions::default() }).unwrap(),
    );
    for i in 0..200 {
        store.insert("things", doc(json!({"_id": format!("t{i:04}"), "version": 1, "n": i}))).await.unwrap();
    }
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 200..1200 {
                store.insert("things", doc(json!({"_id": format!("t{i:04}"), "version": 1, "n": i}))).await.unwrap();
            }
        })
    };
    let target = dir.path().join("backup.db");

    store.backup(&target).await.unwrap();
    writer.await.unwrap();

    let copy_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&target, copy_dir.path().join(infrastructure::store::sqlite::DATABASE_FILE)).unwrap();
    let copy = SqliteStore::open(Some(copy_dir.path()), SqliteOptions::default()).unwrap();
    let docs = copy.find("things", &Query::all().asc("_id")).await.unwrap();
    // A prefix of the writes, each whole: ids t0000.. without a gap.
    assert!(docs.len() >= 200, "{}", docs.len());
    for (i, d) in docs.iter().enumerate() {
        assert_eq!(d["n"], json!(i), "{d:?}");
    }
}

/// An in-memory store lives on SQLite's `memdb` VFS: each store is its own database, and its
/// backup is a file on disk that opens as a data directory's database.
#[tokio::test]
async fn in_memory_stores_are_private_and_back_up_to_disk() {
    let (one, two) = (SqliteStore::in_memory(), SqliteStore::in_memory());
    for i in 0..300 {
        one.insert("things", doc(json!({"_id": format!("t{i:04}"), "version": 1, "n": i}))).await.unwrap();
    }
    two.insert("things", doc(json!({"_id": "other", "version": 1, "n": -1}))).await.unwrap();
    assert_eq!(one.count("things", &Query::all()).await.unwrap(), 300);
    assert_eq!(two.find("things", &Query::all()).await.unwrap().len(), 1, "the second store sees only its own");

    let dir = tempfile::tempdir().unwrap();
    // A name with characters a `file:` URI gives a meaning to.
    let target = dir.path().join("back up #1 ?100%.db");
    one.backup(&target).await.unwrap();
    let copy_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&target, copy_dir.path().join(infrastructure::store::sqlite::DATABASE_FILE)).unwrap();
    let copy = SqliteStore::open(Some(copy_dir.path()), SqliteOptions::default()).unwrap();
    let docs = copy.find("things", &Query::all().asc("_id")).await.unwrap();
    assert_eq!(docs.len(), 300);
    assert_eq!(docs[299]["n"], json!(299));
}

#[tokio::test]
async fn an_index_declared_anew_under_the_same_name_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(Some(dir.path()), SqliteOptions::default()).unwrap();
    store.ensure_collection("rebuilt", &[IndexSpec::plain("rebuilt_x", &["a"])]).await.unwrap();
    store.insert("rebuilt", doc(json!({"_id": "r1", "version": 1, "a": 1, "b": 2}))).await.unwrap();
    assert_eq!(store.index_keys("rebuilt").await.unwrap(), [["a"]]);
    store.ensure_collection("rebuilt", &[IndexSpec::plain("rebuilt_x", &["b", "a"])]).await.unwrap();
    assert_eq!(store.index_keys("rebuilt").await.unwrap(), [["b", "a"]], "the old definition was replaced");
    drop(store);
    let store = SqliteStore::open(Some(dir.path()), SqliteOptions::default()).unwrap();
    store.ensure_collection("rebuilt", &[IndexSpec::plain("rebuilt_x", &["b", "a"])]).await.unwrap();
    assert_eq!(store.index_keys("rebuilt").await.unwrap(), [["b", "a"]]);
    let plan =
        store.plan("rebuilt", &Query::all().eq("b", 2).eq("a", 1).gt("_id", "r0").asc("_id").limit(5)).await.unwrap();
    assert!(plan.iter().all(|step| !step.contains("TEMP B-TREE")), "the id ends the index: {plan:?}");
}

/// One bot's records of a window are read from that bot's index, with or without a kind: never
/// from the owner's (which matches as well by its shape, and reads every bot's records of the
/// window: 650 to 940 ms were seen with 50 bots), whatever the data.
#[tokio::test]
async fn one_bots_records_are_read_from_its_own_index() {
    use domain::bots::RecordFilter;
    use domain::shared::ids::BotId;
    use infrastructure::repositories::StoreBotRecordRepository as Records;

    // The collections and their indexes are made by the opening.
    let sqlite = open_embedded_store(None, SqliteOptions::default()).await.unwrap().0;
    let (owner, bot, start) = (UserId::new(), BotId::new(), at(0));
    for kind in [Some("position_closed"), None] {
        // Every window: none (MAX's unlimited history, where SQLite took the owner's index), a
        // start, an end (a keyset page), both.
        for (from, to) in [(None, None), (Some(start), None), (None, Some(at(60))), (Some(start), Some(at(60)))] {
            let filter = RecordFilter { kind, from, to };
            let plan = sqlite.plan(Records::COLLECTION, &Records::of_bots_query(owner, &[bot], &filter)).await.unwrap();
            let index = if kind.is_some() { "bot_records_bot_kind_at" } else { "bot_records_bot_at" };
            assert!(
                plan.iter().any(|step| step.contains(&format!("INDEX bot_records__{index} "))),
                "{kind:?} {from:?} {to:?}: {plan:?}"
            );
            assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{plan:?}");
        }
    }
}
