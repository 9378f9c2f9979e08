//! [`BotRepository`] and [`BotRecordRepository`] over a [`DocumentStore`]: collection `bots`
//! (the one [`super::BOTS`] usage counts; queried fields at the top level, the whole aggregate
//! under `bot` as one JSON string) and collection `bot_records`.
//!
//! The aggregate is kept as text, not as a tree of fields: nothing queries inside it, and a tree
//! of some forty small objects costs the embedded store about 18 KB of memory per bot and every
//! engine cycle a deep copy of it, where the text costs under 2 KB and parses straight into a
//! [`Bot`] (docs/performance.md). Documents written before, with the aggregate as an object, are
//! still read.

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRecord, BotRecordRepository, BotRepository, BotStatus};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Bot`].
#[derive(Serialize, Deserialize)]
struct BotDocument {
    #[serde(rename = "_id")]
    id: BotId,
    user_id: UserId,
    context_id: String,
    kind: BotKind,
    status: BotStatus,
    exchange: ExchangeId,
    symbol: Symbol,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    version: u64,
    #[serde(with = "as_text")]
    bot: Bot,
}

/// `#[serde(with = "as_text")]`: the aggregate as one JSON string; reads the older object form too.
mod as_text {
    use domain::bots::Bot;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bot: &Bot, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(bot).map_err(serde::ser::Error::custom)?)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bot, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Text(String),
            Tree(Box<Bot>),
        }
        match Stored::deserialize(d)? {
            Stored::Text(text) => serde_json::from_str(&text).map_err(D::Error::custom),
            Stored::Tree(bot) => Ok(*bot),
        }
    }
}

impl From<&Bot> for BotDocument {
    fn from(b: &Bot) -> Self {
        Self {
            id: b.id,
            user_id: b.user_id,
            context_id: b.context_id.to_string(),
            kind: b.kind(),
            status: b.status,
            exchange: b.exchange,
            symbol: b.symbol.clone(),
            created_at: b.created_at,
            version: b.version,
            bot: b.clone(),
        }
    }
}

impl From<BotDocument> for Bot {
    fn from(d: BotDocument) -> Self {
        Bot { version: d.version, ..d.bot }
    }
}

/// Bots in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreBotRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreBotRepository {
    /// The collection.
    pub const COLLECTION: &'static str = super::BOTS;
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("bots_user_created", &["user_id", "created_at"]),
        IndexSpec::plain("bots_status_kind", &["status", "kind"]),
        IndexSpec::plain("bots_context_status", &["context_id", "status"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn mine(owner: UserId) -> Query {
        Query::all().eq("user_id", owner.to_string())
    }
}

fn name<T: Serialize>(value: &T) -> serde_json::Value {
    codec::value_of(value)
}

#[async_trait]
impl BotRepository for StoreBotRepository {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &BotDocument::from(bot)).await?;
        Ok(Bot { version: FIRST_VERSION, ..bot.clone() })
    }

    async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, RepoError> {
        let bot = self.find(id).await?;
        if bot.user_id == owner {
            Ok(bot)
        } else {
            Err(RepoError::NotFound)
        }
    }

    async fn find(&self, id: BotId) -> Result<Bot, RepoError> {
        let found: Option<BotDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.map(Bot::from).ok_or(RepoError::NotFound)
    }

    async fn list(&self, owner: UserId, filter: &BotFilter, page: PageRequest) -> Result<Page<Bot>, RepoError> {
        let mut query = Self::mine(owner);
        if let Some(context) = filter.context {
            query = query.eq("context_id", context.to_string());
        }
        if let Some(kind) = filter.kind {
            query = query.eq("kind", name(&kind));
        }
        if let Some(status) = filter.status {
            query = query.eq("status", name(&status));
        }
        let query = query.asc("created_at").asc(ID);
        codec::page::<BotDocument, _>(&*self.store, Self::COLLECTION, query, page, Bot::from).await
    }

    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::mine(owner)).await
    }

    async fn evaluated(&self, kinds: &[BotKind], market: Option<(ExchangeId, Symbol)>) -> Result<Vec<Bot>, RepoError> {
        let statuses = [BotStatus::Running, BotStatus::Paused, BotStatus::Tripped];
        let mut query = Query::all().is_in("status", statuses.iter().map(name)).is_in("kind", kinds.iter().map(name));
        if let Some((exchange, symbol)) = market {
            query = query.eq("exchange", name(&exchange)).eq("symbol", symbol.to_string());
        }
        let docs = self.store.find(Self::COLLECTION, &query.asc(ID)).await?;
        docs.into_iter().map(|d| codec::from_doc::<BotDocument>(Self::COLLECTION, d).map(Bot::from)).collect()
    }

    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let version = codec::replace(&*self.store, Self::COLLECTION, &BotDocument::from(bot), bot.version).await?;
        Ok(Bot { version, ..bot.clone() })
    }

    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        self.get(owner, id).await?;
        match self.store.delete(Self::COLLECTION, &id.to_string()).await? {
            true => Ok(()),
            false => Err(RepoError::NotFound),
        }
    }
}

/// The stored form of a [`BotRecord`].
#[derive(Serialize, Deserialize)]
struct RecordDocument {
    #[serde(rename = "_id")]
    id: String,
    bot_id: BotId,
    kind: String,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    version: u64,
    record: BotRecord,
}

/// Bot records in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreBotRecordRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreBotRecordRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "bot_records";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("bot_records_bot_kind_at", &["bot_id", "kind", "at"])];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl BotRecordRepository for StoreBotRecordRepository {
    async fn append(&self, records: &[BotRecord]) -> Result<(), RepoError> {
        for r in records {
            let doc = RecordDocument {
                id: r.id.clone(),
                bot_id: r.bot_id,
                kind: r.kind().to_owned(),
                at: r.at,
                version: FIRST_VERSION,
                record: r.clone(),
            };
            codec::insert(&*self.store, Self::COLLECTION, &doc).await?;
        }
        Ok(())
    }

    async fn list(
        &self,
        bot: BotId,
        kind: Option<&'static str>,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError> {
        let mut query = Query::all().eq("bot_id", bot.to_string());
        if let Some(kind) = kind {
            query = query.eq("kind", kind);
        }
        let query = query.desc("at").desc(ID);
        codec::page::<RecordDocument, _>(&*self.store, Self::COLLECTION, query, page, |d| d.record).await
    }
}

#[cfg(test)]
mod tests {
    use domain::bots::{BotConfig, BotKind};
    use domain::contexts::{ContextMode, TradingContext};
    use serde_json::{json, Value};
    use time::macros::datetime;

    use super::*;
    use crate::store::embedded::EmbeddedStore;

    fn bot() -> Bot {
        let at = datetime!(2025-01-06 12:00 UTC);
        let symbol = Symbol::parse("BTC-BRL").unwrap();
        let context = TradingContext::new(UserId::new(), ExchangeId::Binance, &symbol, ContextMode::Paper, at);
        let config = json!({"purchase_amount": "20", "frequency": "24h", "allocated_balance": "1000",
            "take_profit_percent": "5"});
        Bot::new(&context, "dca".into(), BotConfig::parse(BotKind::Dca, &config).unwrap(), at)
    }

    #[tokio::test]
    async fn the_aggregate_is_stored_as_one_string_and_read_back_whole() {
        let store: Arc<dyn DocumentStore> = Arc::new(EmbeddedStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        let saved = repo.create(&bot()).await.unwrap();
        let doc = store.get(StoreBotRepository::COLLECTION, &saved.id.to_string()).await.unwrap().unwrap();
        assert!(doc["bot"].is_string(), "{:?}", doc["bot"]);
        assert_eq!(doc["status"], "created");
        assert_eq!(repo.find(saved.id).await.unwrap(), saved);
    }

    #[tokio::test]
    async fn documents_holding_the_aggregate_as_an_object_are_still_read() {
        let store: Arc<dyn DocumentStore> = Arc::new(EmbeddedStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        let bot = Bot { version: FIRST_VERSION, ..bot() };
        let mut doc = codec::to_doc(&BotDocument::from(&bot)).unwrap();
        doc.insert("bot".into(), serde_json::to_value(&bot).unwrap());
        assert!(matches!(doc["bot"], Value::Object(_)));
        store.insert(StoreBotRepository::COLLECTION, doc).await.unwrap();
        assert_eq!(repo.find(bot.id).await.unwrap(), bot);
        let updated = repo.update(&bot).await.unwrap();
        assert_eq!(updated.version, FIRST_VERSION + 1);
        assert_eq!(repo.find(bot.id).await.unwrap(), updated);
    }
}
