//! Contract of `DocumentStore` itself: ids, unique indexes, versions, query operators, sorting,
//! paging, counting and `update_many_set`, with MongoDB's semantics.

use domain::RepoError;
use infrastructure::repositories::Repositories;
use infrastructure::store::{Doc, DocumentStore, IndexSpec, Query};
use serde_json::{json, Value};

use super::{assert_conflict, assert_duplicate, assert_not_found};

/// The suite's scratch collection, without unique indexes.
pub const ITEMS: &str = "contract_items";
/// A collection with two unique indexes; a missing field counts as `null` in them (as in
/// MongoDB), so its documents always carry `code`, `a` and `b`.
pub const KEYED: &str = "contract_keyed";
/// A collection that starts without indexes.
pub const PAIRS: &str = "contract_pairs";
const ITEM_INDEXES: &[IndexSpec] = &[IndexSpec::plain("items_n", &["n"])];
const KEYED_INDEXES: &[IndexSpec] =
    &[IndexSpec::unique("items_code", &["code"]), IndexSpec::unique("items_pair", &["a", "b"])];

/// A document from a JSON object literal.
pub fn doc(value: Value) -> Doc {
    value.as_object().cloned().expect("a JSON object")
}

/// The store with `docs` in `ITEMS`.
async fn items(repos: &Repositories, docs: Vec<Value>) -> &dyn DocumentStore {
    fill(repos, ITEMS, docs).await
}

/// The store with `docs` in `KEYED`.
async fn keyed(repos: &Repositories, docs: Vec<Value>) -> &dyn DocumentStore {
    fill(repos, KEYED, docs).await
}

async fn fill<'a>(repos: &'a Repositories, coll: &str, docs: Vec<Value>) -> &'a dyn DocumentStore {
    let store = &*repos.store;
    store.ensure_collection(ITEMS, ITEM_INDEXES).await.unwrap();
    store.ensure_collection(KEYED, KEYED_INDEXES).await.unwrap();
    for d in docs {
        store.insert(coll, doc(d)).await.unwrap();
    }
    store
}

/// The ids of the documents `query` finds in `coll` (sorted by id unless the query sorts).
async fn ids_in(store: &dyn DocumentStore, coll: &str, query: Query) -> Vec<String> {
    let query = if query.sort.is_empty() { query.asc("_id") } else { query };
    let docs = store.find(coll, &query).await.unwrap();
    docs.iter().map(|d| d["_id"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The ids of the documents `query` finds in `ITEMS`.
async fn ids(store: &dyn DocumentStore, query: Query) -> Vec<String> {
    ids_in(store, ITEMS, query).await
}

/// Insert, get and delete by id; unknown ids and collections are empty, not errors.
pub async fn insert_get_delete(repos: &Repositories) {
    let a = json!({"_id": "a", "version": 1, "code": "A", "nested": {"k": [1, 2]}});
    let store = items(repos, vec![a.clone()]).await;

    assert_eq!(store.get(ITEMS, "a").await.unwrap(), Some(doc(a)));
    assert_eq!(store.get(ITEMS, "zz").await.unwrap(), None);
    assert!(store.delete(ITEMS, "a").await.unwrap());
    assert!(!store.delete(ITEMS, "a").await.unwrap());
    assert_eq!(store.get(ITEMS, "a").await.unwrap(), None);
    assert_eq!(store.find("contract_nothing", &Query::all()).await.unwrap(), Vec::<Doc>::new());
    assert_eq!(store.count("contract_nothing", &Query::all()).await.unwrap(), 0);
    store.insert(ITEMS, doc(json!({"_id": "a", "version": 1, "code": "A"}))).await.unwrap();
}

/// A taken id is `Duplicate { _id }`; each unique index reports its own name; re-ensuring is a no-op.
pub async fn duplicate_id_and_unique_index(repos: &Repositories) {
    let store = keyed(repos, vec![json!({"_id": "a", "version": 1, "code": "A", "a": 1, "b": "x"})]).await;
    let item = |id: &str, code: &str, b: &str| doc(json!({"_id": id, "version": 1, "code": code, "a": 1, "b": b}));

    assert_duplicate(store.insert(KEYED, item("a", "Z", "z")).await, "_id");
    assert_duplicate(store.insert(KEYED, item("b", "A", "z")).await, "items_code");
    assert_duplicate(store.insert(KEYED, item("c", "C", "x")).await, "items_pair");
    store.insert(KEYED, item("d", "D", "y")).await.unwrap();
    store.ensure_collection(KEYED, KEYED_INDEXES).await.unwrap();

    assert_eq!(ids_in(store, KEYED, Query::all()).await, ["a", "d"]);
    assert_duplicate(store.insert(KEYED, item("e", "D", "e")).await, "items_code");
}

/// A unique index cannot be created over existing duplicates.
pub async fn ensure_collection_refuses_existing_duplicates(repos: &Repositories) {
    let store = &*repos.store;
    for id in ["p1", "p2"] {
        store.insert(PAIRS, doc(json!({"_id": id, "version": 1, "code": "same"}))).await.unwrap();
    }
    let unique = [IndexSpec::unique("pairs_code", &["code"])];

    assert_duplicate(store.ensure_collection(PAIRS, &unique).await, "pairs_code");

    assert!(store.delete(PAIRS, "p2").await.unwrap());
    store.ensure_collection(PAIRS, &unique).await.unwrap();
    let again = doc(json!({"_id": "p3", "version": 1, "code": "same"}));
    assert_duplicate(store.insert(PAIRS, again).await, "pairs_code");
}

/// `replace` swaps the whole document under a version check and stores `expected + 1`.
pub async fn replace_checks_version(repos: &Repositories) {
    let a1 = json!({"_id": "a", "version": 1, "code": "A", "a": 1, "b": 1, "gone": true});
    let store = keyed(repos, vec![a1, json!({"_id": "b", "version": 1, "code": "B", "a": 2, "b": 2})]).await;
    let a = |version: u64, code: &str| doc(json!({"_id": "a", "version": version, "code": code, "a": 1, "b": 1}));

    assert_eq!(store.replace(KEYED, a(99, "A2"), 1).await.unwrap(), 2);

    assert_eq!(store.get(KEYED, "a").await.unwrap(), Some(a(2, "A2")));
    assert_conflict(store.replace(KEYED, a(1, "A3"), 1).await);
    let unknown = doc(json!({"_id": "x", "version": 1, "code": "X", "a": 9, "b": 9}));
    assert_not_found(store.replace(KEYED, unknown, 1).await);
    assert_duplicate(store.replace(KEYED, a(2, "B"), 2).await, "items_code");
    assert_eq!(store.get(KEYED, "a").await.unwrap(), Some(a(2, "A2")));
    assert_eq!(store.replace(KEYED, a(2, "A2"), 2).await.unwrap(), 3);
}

/// Numbers compare numerically, strings byte-wise, and values of different kinds never compare.
pub async fn comparisons_follow_type(repos: &Repositories) {
    let store = items(
        repos,
        vec![
            json!({"_id": "d1", "version": 1, "n": 9, "s": "B"}),
            json!({"_id": "d2", "version": 1, "n": 10, "s": "a"}),
            json!({"_id": "d3", "version": 1, "n": -5, "s": "ab"}),
            json!({"_id": "d4", "version": 1, "n": 1_767_323_045_678_i64, "s": "é"}),
            json!({"_id": "d5", "version": 1, "n": 2.5, "s": "Z"}),
            json!({"_id": "d6", "version": 1, "n": "10", "s": 7}),
        ],
    )
    .await;

    assert_eq!(ids(store, Query::all().gt("n", 9)).await, ["d2", "d4"]);
    assert_eq!(ids(store, Query::all().gte("n", 9)).await, ["d1", "d2", "d4"]);
    assert_eq!(ids(store, Query::all().lt("n", 9)).await, ["d3", "d5"]);
    assert_eq!(ids(store, Query::all().lte("n", 2.5)).await, ["d3", "d5"]);
    assert_eq!(ids(store, Query::all().gte("n", -5).lt("n", 10)).await, ["d1", "d3", "d5"]);
    assert_eq!(ids(store, Query::all().eq("n", 10)).await, ["d2"]);
    assert_eq!(ids(store, Query::all().gt("n", "1")).await, ["d6"]);
    assert_eq!(ids(store, Query::all().gt("s", "a")).await, ["d3", "d4"]);
    assert_eq!(ids(store, Query::all().lt("s", "a")).await, ["d1", "d5"]);
    assert_eq!(ids(store, Query::all().gt("n", 1_767_323_045_677_i64)).await, ["d4"]);
    assert_eq!(ids(store, Query::all().asc("n").asc("_id")).await, ["d3", "d5", "d1", "d2", "d4", "d6"]);
}

/// A missing field equals `null`; `Ne` matches missing fields; `false` is not `0`; kinds sort apart.
pub async fn null_and_missing_fields(repos: &Repositories) {
    let store = items(
        repos,
        vec![
            json!({"_id": "e1", "version": 1, "x": null}),
            json!({"_id": "e2", "version": 1}),
            json!({"_id": "e3", "version": 1, "x": "v"}),
            json!({"_id": "e4", "version": 1, "x": 0}),
            json!({"_id": "e5", "version": 1, "x": false}),
        ],
    )
    .await;

    assert_eq!(ids(store, Query::all().eq("x", Value::Null)).await, ["e1", "e2"]);
    assert_eq!(ids(store, Query::all().ne("x", Value::Null)).await, ["e3", "e4", "e5"]);
    assert_eq!(ids(store, Query::all().ne("x", "v")).await, ["e1", "e2", "e4", "e5"]);
    assert_eq!(ids(store, Query::all().eq("x", false)).await, ["e5"]);
    assert_eq!(ids(store, Query::all().eq("x", 0)).await, ["e4"]);
    assert_eq!(ids(store, Query::all().ne("x", false)).await, ["e1", "e2", "e3", "e4"]);
    assert_eq!(ids(store, Query::all().is_in("x", [Value::Null, json!("v")])).await, ["e1", "e2", "e3"]);
    assert_eq!(ids(store, Query::all().is_in("x", [json!(0), json!("v")])).await, ["e3", "e4"]);
    // Null and missing sort first, then numbers, then strings. Where booleans sort among other
    // kinds is left unspecified: nx-27017 sorts them as the numbers 0 and 1.
    assert_eq!(ids(store, Query::all().ne("_id", "e5").asc("x").asc("_id")).await, ["e1", "e2", "e4", "e3"]);
}

/// `In` and dot paths into nested objects, for filters and sorting.
pub async fn in_and_dot_paths(repos: &Repositories) {
    let store = items(
        repos,
        vec![
            json!({"_id": "o1", "version": 1, "owner": {"id": "u1", "tier": 2}}),
            json!({"_id": "o2", "version": 1, "owner": {"id": "u2", "tier": 1}}),
            json!({"_id": "o3", "version": 1, "owner": {"id": "u1", "tier": 3}}),
            json!({"_id": "o4", "version": 1, "owner": "flat"}),
        ],
    )
    .await;

    assert_eq!(ids(store, Query::all().eq("owner.id", "u1")).await, ["o1", "o3"]);
    assert_eq!(ids(store, Query::all().is_in("owner.tier", [1, 3])).await, ["o2", "o3"]);
    assert_eq!(ids(store, Query::all().gt("owner.tier", 1).desc("owner.tier")).await, ["o3", "o1"]);
    assert_eq!(ids(store, Query::all().is_in("_id", ["o4", "o2", "zz"])).await, ["o2", "o4"]);
    assert!(ids(store, Query::all().is_in("_id", Vec::<Value>::new())).await.is_empty());
    assert_eq!(ids(store, Query::all().not_in("_id", ["o4", "o2", "zz"])).await, ["o1", "o3"]);
    assert_eq!(ids(store, Query::all().not_in("owner.tier", [1, 3])).await, ["o1", "o4"]);
    assert_eq!(ids(store, Query::all().not_in("_id", Vec::<Value>::new())).await.len(), 4);
}

/// Multi-key sort, then skip and limit; `count` ignores paging; `find_page` is both in one call.
pub async fn sort_skip_limit_and_count(repos: &Repositories) {
    let rows = [("s1", "x", 3), ("s2", "x", 1), ("s3", "y", 2), ("s4", "x", 3), ("s5", "x", 2), ("s6", "x", 3)];
    let docs = rows.iter().map(|(id, g, n)| json!({"_id": id, "version": 1, "g": g, "n": n})).collect();
    let store = items(repos, docs).await;
    let xs = || Query::all().eq("g", "x");

    assert_eq!(ids(store, xs().desc("n").asc("_id")).await, ["s1", "s4", "s6", "s5", "s2"]);
    assert_eq!(ids(store, xs().desc("n").desc("_id")).await, ["s6", "s4", "s1", "s5", "s2"]);
    assert_eq!(ids(store, xs().asc("n").asc("_id").skip(1).limit(3)).await, ["s5", "s1", "s4"]);
    assert_eq!(ids(store, xs().asc("n").asc("_id").skip(4).limit(3)).await, ["s6"]);
    assert!(ids(store, xs().asc("n").skip(9)).await.is_empty());
    assert_eq!(store.count(ITEMS, &xs().asc("n").skip(1).limit(2)).await.unwrap(), 5);
    assert_eq!(store.count(ITEMS, &Query::all().gte("n", 2)).await.unwrap(), 5);
    assert_eq!(store.count(ITEMS, &Query::all()).await.unwrap(), 6);

    // A page with its total in one call: the same items as `find`, the same total as `count`.
    let (page, total) = store.find_page(ITEMS, &xs().asc("n").asc("_id").skip(1).limit(3)).await.unwrap();
    let page: Vec<&str> = page.iter().map(|d| d["_id"].as_str().unwrap()).collect();
    assert_eq!((page, total), (vec!["s5", "s1", "s4"], 5));
    let (texts, total) = store.find_page_json(ITEMS, &xs().asc("n").asc("_id").skip(1).limit(3)).await.unwrap();
    let (docs, _) = store.find_page(ITEMS, &xs().asc("n").asc("_id").skip(1).limit(3)).await.unwrap();
    let parsed: Vec<Doc> = texts.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    assert_eq!((parsed, total), (docs, 5), "the JSON texts are the page's documents");
    let (beyond, total) = store.find_page(ITEMS, &xs().asc("n").skip(9)).await.unwrap();
    assert_eq!((beyond.len(), total), (0, 5));
    let (none, total) = store.find_page("contract_never_written", &Query::all().limit(2)).await.unwrap();
    assert_eq!((none.len(), total), (0, 0));
}

/// Paging by id (`_id >` the last id seen, sorted by id, limited), as the engine reads bots; with
/// skip, with `>=`, and with the other conditions applied.
pub async fn pages_by_id(repos: &Repositories) {
    let rows = [("p1", "x"), ("p2", "y"), ("p3", "x"), ("p4", "x"), ("p5", "y"), ("p6", "x"), ("p7", "x")];
    let docs = rows.iter().map(|(id, g)| json!({"_id": id, "version": 1, "g": g})).collect();
    let store = items(repos, docs).await;
    let xs = || Query::all().eq("g", "x").asc("_id");

    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(last) => xs().gt("_id", last.as_str()),
            None => xs(),
        };
        let page = ids(store, query.limit(2)).await;
        after = page.last().cloned();
        if page.is_empty() {
            break;
        }
        pages.push(page);
    }
    assert_eq!(pages, [vec!["p1", "p3"], vec!["p4", "p6"], vec!["p7"]]);
    assert_eq!(ids(store, xs().gte("_id", "p4").limit(2)).await, ["p4", "p6"]);
    assert_eq!(ids(store, xs().gt("_id", "p1").skip(1).limit(2)).await, ["p4", "p6"]);
    assert_eq!(ids(store, Query::all().gt("_id", "p5").asc("_id")).await, ["p6", "p7"]);
    assert_eq!(ids(store, Query::all().gt("_id", "p2").lt("_id", "p4").asc("_id")).await, ["p3"]);
}

/// `update_many_set` sets (dot-path) fields on every match and bumps each version.
pub async fn update_many_set_sets_and_bumps_versions(repos: &Repositories) {
    let store = keyed(
        repos,
        vec![
            json!({"_id": "f1", "version": 1, "code": "c1", "a": 1, "b": 1, "g": "a", "meta": {"k": 1, "keep": true}}),
            json!({"_id": "f2", "version": 4, "code": "c2", "a": 2, "b": 2, "g": "a", "meta": {"k": 2, "keep": true}}),
            json!({"_id": "f3", "version": 1, "code": "c3", "a": 3, "b": 3, "g": "b", "meta": {"k": 3, "keep": true}}),
        ],
    )
    .await;
    let version = |d: Option<Doc>| d.map(|d| d["version"].clone());

    let set = doc(json!({"state": "done", "meta.k": 5, "at": 1_767_323_045_678_i64}));
    assert_eq!(store.update_many_set(KEYED, &Query::all().eq("g", "a"), set).await.unwrap(), 2);

    let f1 = json!({"_id": "f1", "version": 2, "code": "c1", "a": 1, "b": 1, "g": "a",
        "meta": {"k": 5, "keep": true}, "state": "done", "at": 1_767_323_045_678_i64});
    assert_eq!(store.get(KEYED, "f1").await.unwrap(), Some(doc(f1)));
    assert_eq!(version(store.get(KEYED, "f2").await.unwrap()), Some(json!(5)));
    assert_eq!(version(store.get(KEYED, "f3").await.unwrap()), Some(json!(1)));
    let stale = doc(json!({"_id": "f1", "version": 1, "code": "c1", "a": 1, "b": 1}));
    assert_conflict(store.replace(KEYED, stale, 1).await);
    let none = store.update_many_set(KEYED, &Query::all().eq("g", "zz"), doc(json!({"state": "x"}))).await;
    assert_eq!(none.unwrap(), 0);
    let bad = store.update_many_set(KEYED, &Query::all(), doc(json!({"_id": "x"}))).await;
    assert!(matches!(bad, Err(RepoError::Unavailable(_))), "setting _id must be refused, got {bad:?}");

    let clash = store.update_many_set(KEYED, &Query::all().eq("g", "a"), doc(json!({"code": "same"}))).await;
    assert_duplicate(clash, "items_code");
    assert!(store.count(KEYED, &Query::all().eq("code", "same")).await.unwrap() <= 1);
}

/// Integers (to the i64 limits), floats, decimal strings, nested objects and arrays come back equal.
pub async fn values_round_trip(repos: &Repositories) {
    let value = json!({
        "_id": "v1", "version": 1,
        "max": i64::MAX, "min": i64::MIN + 1, "neg": -42, "zero": 0, "float": 0.1,
        "price": "123456789.000000001", "qty": "-0.5", "text": "açaí 🚀 \"quoted\"\n",
        "flags": [true, false], "mixed": [1, "a", null], "empty_list": [], "empty_doc": {},
        "nested": {"deeper": {"x": null, "when": 1_767_323_045_678_i64}},
    });
    let store = items(repos, vec![value.clone()]).await;

    assert_eq!(store.get(ITEMS, "v1").await.unwrap(), Some(doc(value.clone())));
    assert_eq!(store.find(ITEMS, &Query::all().eq("max", i64::MAX)).await.unwrap(), vec![doc(value)]);
}

/// Both engines create every index the repositories declare, on the declared fields.
pub async fn declared_indexes_exist(repos: &Repositories) {
    let store = &*repos.store;
    for (coll, declared) in infrastructure::repositories::COLLECTION_INDEXES {
        let mut expected: Vec<Vec<String>> =
            declared.iter().map(|spec| spec.fields.iter().map(|f| (*f).to_owned()).collect()).collect();
        expected.sort();
        assert_eq!(store.index_keys(coll).await.unwrap(), expected, "{coll}");
    }
    assert_eq!(store.index_keys("contract_nothing").await.unwrap(), Vec::<Vec<String>>::new());
}
