//! Moving a deployment that outgrew one machine from the embedded store to MongoDB
//! (`botfleet migrate --to <MongoDB URI>`): every collection is copied document by document, in
//! `_id` order and in pages, each written as an upsert by `_id`. Running it again copies again
//! over what is there, so it is idempotent and an interrupted run is resumed by running it once
//! more. At the end every collection's count is compared on both sides.

use anyhow::Context as _;

use super::mongo::MongoStore;
use super::sqlite::SqliteStore;
use super::{DocumentStore, Query, ID};

/// Documents read and written per round trip.
const PAGE: u64 = 1_000;

/// What a migration copied, per collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionCopy {
    /// The collection.
    pub name: String,
    /// Documents in the embedded store.
    pub source: u64,
    /// Documents in MongoDB after the copy.
    pub target: u64,
}

impl CollectionCopy {
    /// Whether MongoDB holds as many documents as the embedded store.
    pub fn matches(&self) -> bool {
        self.source == self.target
    }
}

/// Copies every collection of `source` into `target` (whose indexes the caller created first, so
/// that uniqueness holds there too). Errors on the first document MongoDB refuses.
pub async fn embedded_to_mongo(source: &SqliteStore, target: &MongoStore) -> anyhow::Result<Vec<CollectionCopy>> {
    let mut report = Vec::new();
    for name in source.collections() {
        let mut last: Option<String> = None;
        loop {
            let mut query = Query::all().asc(ID).limit(PAGE);
            if let Some(last) = &last {
                query = query.gt(ID, last.clone());
            }
            let page = source.find(&name, &query).await.with_context(|| format!("reading `{name}`"))?;
            let Some(tail) = page.last() else { break };
            last = tail.get(ID).and_then(|v| v.as_str()).map(str::to_owned);
            for doc in page {
                target.put(&name, doc).await.with_context(|| format!("writing to `{name}`"))?;
            }
        }
        let source_count = source.count(&name, &Query::all()).await?;
        let target_count = target.count(&name, &Query::all()).await?;
        report.push(CollectionCopy { name, source: source_count, target: target_count });
    }
    Ok(report)
}
