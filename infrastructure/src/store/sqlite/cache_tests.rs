//! The document cache's coherence rules, one at a time.

use super::*;

#[test]
fn a_filled_document_is_served_until_a_write_marks_it() {
    let cache = DocCache::new(1 << 20);
    let ticket = cache.ticket("users", "u1");
    cache.fill("users", "u1", "{\"v\":1}", ticket);
    assert_eq!(cache.get("users", "u1").as_deref(), Some("{\"v\":1}"));
    assert_eq!(cache.get("users", "u2"), None);
    assert_eq!(cache.get("bots", "u1"), None, "collections do not share entries");

    let writing = cache.writing("users", ["u1"]);
    assert_eq!(cache.get("users", "u1"), None, "a document being written is read from the database");
    drop(writing);
    assert_eq!(cache.get("users", "u1"), None, "the write dropped the old text");
}

#[test]
fn a_read_taken_before_a_write_is_never_cached() {
    let cache = DocCache::new(1 << 20);
    // Read started, then a write started: refused while the write runs and after it ended.
    let before = cache.ticket("users", "u1");
    let writing = cache.writing("users", ["u1"]);
    cache.fill("users", "u1", "old", before);
    assert_eq!(cache.get("users", "u1"), None);
    let during = cache.ticket("users", "u1");
    cache.fill("users", "u1", "maybe old", during);
    assert_eq!(cache.get("users", "u1"), None, "no fill while the document is being written");
    drop(writing);
    cache.fill("users", "u1", "old", before);
    cache.fill("users", "u1", "maybe old", during);
    assert_eq!(cache.get("users", "u1"), None, "tickets taken before the write ended are stale");

    let after = cache.ticket("users", "u1");
    cache.fill("users", "u1", "new", after);
    assert_eq!(cache.get("users", "u1").as_deref(), Some("new"));
}

#[test]
fn overlapping_writes_keep_the_document_marked_until_the_last_ends() {
    let cache = DocCache::new(1 << 20);
    let first = cache.writing("users", ["u1"]);
    let second = cache.writing("users", ["u1"]);
    drop(first);
    let ticket = cache.ticket("users", "u1");
    cache.fill("users", "u1", "during the second write", ticket);
    assert_eq!(cache.get("users", "u1"), None);
    drop(second);
    let ticket = cache.ticket("users", "u1");
    cache.fill("users", "u1", "after", ticket);
    assert_eq!(cache.get("users", "u1").as_deref(), Some("after"));
}

#[test]
fn the_budget_bounds_the_bytes_held() {
    let budget = 64 * 1024;
    let cache = DocCache::new(budget);
    let text = "x".repeat(500);
    for i in 0..2_000 {
        let id = format!("doc-{i}");
        let ticket = cache.ticket("orders", &id);
        cache.fill("orders", &id, &text, ticket);
    }
    assert!(cache.bytes() <= budget, "{} bytes held for a budget of {budget}", cache.bytes());
    assert!(cache.bytes() > budget / 2, "the cache is used: {} bytes", cache.bytes());
    assert!(cache.get("orders", "doc-1999").is_some(), "the newest entries stay");
    assert!(cache.get("orders", "doc-0").is_none(), "the oldest were evicted");
}

#[test]
fn a_disabled_cache_holds_nothing() {
    let cache = DocCache::new(0);
    assert!(!cache.enabled());
    let ticket = cache.ticket("users", "u1");
    cache.fill("users", "u1", "{}", ticket);
    assert_eq!(cache.get("users", "u1"), None);
    cache.remember_unique("users\0email\0a@b.c".into(), "u1");
    assert_eq!(cache.unique_id("users\0email\0a@b.c"), None);
    drop(cache.writing("users", ["u1"]));
    assert_eq!(cache.bytes(), 0);
}

#[test]
fn unique_keys_remember_the_last_id() {
    let cache = DocCache::new(1 << 20);
    assert_eq!(cache.unique_id("users\0email\0a@b.c"), None);
    cache.remember_unique("users\0email\0a@b.c".into(), "u1");
    assert_eq!(cache.unique_id("users\0email\0a@b.c").as_deref(), Some("u1"));
    cache.remember_unique("users\0email\0a@b.c".into(), "u2");
    assert_eq!(cache.unique_id("users\0email\0a@b.c").as_deref(), Some("u2"));
}
