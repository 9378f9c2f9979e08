//! [`BotRepository`] and [`BotRecordRepository`] over a [`DocumentStore`]: collection `bots`
//! (the one [`super::BOTS`] usage counts; queried fields at the top level, the whole aggregate
//! under `bot` as one JSON string) and collection `bot_records`.
//!
//! The aggregate is kept as text, not as a tree of fields: nothing queries inside it, and a tree
//! of some forty small objects costs the embedded store about 18 KB of memory per bot and every
//! engine cycle a deep copy of it, where the text costs about 1 KB (null members left out) and
//! parses straight into a [`Bot`] (docs/performance.md). Documents written before, with the
//! aggregate as an object or with its null members, are still read. A document that cannot be
//! read is skipped by the engine's query (logged, counted in [`UNREADABLE_BOTS`]), never fatal.

use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRecord, BotRecordRepository, BotRepository, BotStatus, RecordFilter};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::notifications::EventRepository as _;
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest, RepoError};
use prometheus::IntCounter;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::closed_records::{ClosedRecordDocument, POSITION_CLOSED};
use super::codec::{self, millis, to_millis, FIRST_VERSION};
use super::outbox::RelayNudge;
use crate::notifications::StoreEventRepository;
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// Bot documents [`BotRepository::evaluated`] could not read and skipped, since the process
/// started (`/metrics`: `botfleet_unreadable_bot_documents_total`).
pub static UNREADABLE_BOTS: LazyLock<IntCounter> = LazyLock::new(|| {
    IntCounter::new(
        "botfleet_unreadable_bot_documents_total",
        "Bot documents the engine could not read and skipped (each read counts).",
    )
    .expect("a valid counter definition")
});

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
    /// When the oldest event in the bot's outbox (inside `bot`) happened; absent when none waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outbox_at: Option<i64>,
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
        let mut tree = serde_json::to_value(bot).map_err(serde::ser::Error::custom)?;
        drop_nulls(&mut tree);
        s.serialize_str(&tree.to_string())
    }

    /// Removes the null members of every object in `value` (not the nulls inside arrays): a
    /// member the aggregate leaves out reads back as `None` (`Bot`'s optional fields all accept a
    /// missing member; `stored_text_reads_back_equal` checks it), and most of an idle bot's
    /// optional fields are empty, about a third of its text.
    pub(super) fn drop_nulls(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(members) => {
                members.retain(|_, v| !v.is_null());
                members.values_mut().for_each(drop_nulls);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
            _ => {}
        }
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
            outbox_at: super::outbox::waiting_since(&b.outbox),
            version: b.version,
            bot: b.clone(),
        }
    }
}

impl From<BotDocument> for Bot {
    fn from(d: BotDocument) -> Self {
        let mut bot = Bot { version: d.version, ..d.bot };
        bot.shrink_to_fit();
        bot
    }
}

/// Bots in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreBotRepository {
    store: Arc<dyn DocumentStore>,
    read_page: u64,
    nudge: RelayNudge,
}

impl StoreBotRepository {
    /// The collection.
    pub const COLLECTION: &'static str = super::BOTS;
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("bots_user_created", &["user_id", "created_at"]),
        // The engine's query reads one status and kind at a time in id order: on SQLite every
        // plain index ends with the id, so each page is a range of this index.
        IndexSpec::plain("bots_status_kind", &["status", "kind"]),
        IndexSpec::plain("bots_context_status", &["context_id", "status"]),
        // Whether a user runs a bot (the backoffice's facet, moved after a bot write) and a
        // user's bots by status (the plan's usage). Without it SQLite served `user_id = ? AND
        // status = ?` through `bots_status_kind`: every running bot of every user, half a second
        // a count at 100,000 bots.
        IndexSpec::plain("bots_user_status", &["user_id", "status"]),
        // The relay's query: bots whose outbox holds events.
        IndexSpec::plain("bots_outbox", &["outbox_at"]),
    ];

    /// Bots read per query by [`BotRepository::evaluated`], by default.
    pub const READ_PAGE: u64 = 2_000;

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store, read_page: Self::READ_PAGE, nudge: RelayNudge::default() }
    }

    /// The same, waking `nudge` after each write that carries events.
    pub fn with_nudge(self, nudge: RelayNudge) -> Self {
        Self { nudge, ..self }
    }

    /// The same, reading `read_page` bots per query in [`BotRepository::evaluated`] (at least 1).
    pub fn with_read_page(self, read_page: u64) -> Self {
        Self { read_page: read_page.max(1), ..self }
    }

    fn mine(owner: UserId) -> Query {
        Query::all().eq("user_id", owner.to_string())
    }

    /// Appends the bots `query` matches to `bots`, read in pages by id: only one page of the
    /// store's documents is held next to the bots parsed so far, not a copy of every running
    /// bot's document (docs/performance.md).
    async fn read_pages(&self, query: &Query, bots: &mut Vec<Bot>) -> Result<(), RepoError> {
        let mut last: Option<String> = None;
        loop {
            let page = match &last {
                Some(last) => query.clone().gt(ID, last.clone()),
                None => query.clone(),
            };
            // As JSON texts decoded straight into `BotDocument`: building a `Doc` of each bot
            // first was a third of the engine's idle round (docs/performance.md).
            let texts = self.store.find_json(Self::COLLECTION, &page.asc(ID).limit(self.read_page)).await?;
            let full = texts.len() as u64 == self.read_page;
            for text in texts {
                // One document that cannot be read must not keep every other bot from running.
                match codec::from_json::<BotDocument>(Self::COLLECTION, &text) {
                    Ok(read) => {
                        let bot = Bot::from(read);
                        last = Some(bot.id.to_string());
                        bots.push(bot);
                    }
                    Err(err) => {
                        UNREADABLE_BOTS.inc();
                        tracing::error!(error = ?err, "a bot document cannot be read; the engine skips it");
                        // The next page starts after it all the same.
                        last = serde_json::from_str::<StoredId>(&text).ok().map(|stored| stored.id).or(last);
                    }
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// The id of a stored document that cannot be read whole.
#[derive(Deserialize)]
struct StoredId {
    #[serde(rename = "_id")]
    id: String,
}

fn name<T: Serialize>(value: &T) -> serde_json::Value {
    codec::value_of(value)
}

#[async_trait]
impl BotRepository for StoreBotRepository {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &BotDocument::from(bot)).await?;
        self.nudge.after_write(&bot.outbox);
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
        let mut bots: Vec<Bot> = Vec::new();
        let mut groups = 0;
        // One status and kind at a time: `status = ? AND kind = ? AND _id > ? ORDER BY _id` is a
        // range of `bots_status_kind` (ending with the id on SQLite), where lists of statuses and
        // kinds made every page sort every matching bot (docs/performance.md).
        for status in &statuses {
            for kind in kinds {
                let mut query = Query::all().eq("status", name(status)).eq("kind", name(kind));
                if let Some((exchange, symbol)) = &market {
                    query = query.eq("exchange", name(exchange)).eq("symbol", symbol.to_string());
                }
                let before = bots.len();
                self.read_pages(&query, &mut bots).await?;
                groups += usize::from(bots.len() > before);
            }
        }
        if groups > 1 {
            // A bot whose status changed between two of the queries (paused by its owner while
            // the running ones were read) was read twice: keep its newest version, once.
            bots.sort_unstable_by_key(|b| (b.id, std::cmp::Reverse(b.version)));
            bots.dedup_by_key(|b| b.id);
        }
        // The list grew by doubling: give back up to half of it (a bot is about 1 KB).
        bots.shrink_to_fit();
        Ok(bots)
    }

    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let version = codec::replace(&*self.store, Self::COLLECTION, &BotDocument::from(bot), bot.version).await?;
        self.nudge.after_write(&bot.outbox);
        Ok(Bot { version, ..bot.clone() })
    }

    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        let bot = self.get(owner, id).await?;
        // Events the bot raised but the relay has not moved yet outlive it, in the queue.
        StoreEventRepository::new(self.store.clone()).enqueue(bot.outbox.events()).await?;
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

/// The index of a bot's records of one kind, newest first.
const BOT_KIND_AT: &str = "bot_records_bot_kind_at";
/// The index of a bot's records, newest first.
const BOT_AT: &str = "bot_records_bot_at";

/// Bot records in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreBotRecordRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreBotRecordRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "bot_records";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain(BOT_KIND_AT, &["bot_id", "kind", "at"]),
        // A bot's whole history, newest first (a record per analysed candle adds up).
        IndexSpec::plain(BOT_AT, &["bot_id", "at"]),
        // History reads across a user's bots, cut to a window, newest first (reports, exports).
        IndexSpec::plain("bot_records_user_kind_at", &["record.user_id", "kind", "at"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// The query of [`BotRecordRepository::of_bots`] (public so that the embedded store's tests
    /// can check its plan). One bot's records come in order from its own index, named: SQLite,
    /// without statistics, may take the owner's, which matches as well by shape and reads every
    /// bot's records of the window. Several bots' come from the owner's.
    pub fn of_bots_query(owner: UserId, bots: &[BotId], filter: &RecordFilter) -> Query {
        let query = match bots {
            [one] => {
                let query = Query::all().eq("bot_id", one.to_string()).eq("record.user_id", owner.to_string());
                query.hint(if filter.kind.is_some() { BOT_KIND_AT } else { BOT_AT })
            }
            many => Query::all()
                .eq("record.user_id", owner.to_string())
                .is_in("bot_id", many.iter().map(ToString::to_string)),
        };
        filtered(query, filter)
    }

    /// One page of `query`'s records, all of `kind` when given: closed positions are decoded
    /// the fast way ([`ClosedRecordDocument`]).
    async fn page(
        store: &dyn DocumentStore,
        query: Query,
        kind: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError> {
        if kind != Some(POSITION_CLOSED) {
            return codec::page::<RecordDocument, _>(store, Self::COLLECTION, query, page, |d| d.record).await;
        }
        let read = codec::page(store, Self::COLLECTION, query, page, ClosedRecordDocument::into_record).await?;
        let items = read.items.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, total: read.total, offset: read.offset, limit: read.limit })
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
        Self::page(&*self.store, query.desc("at").desc(ID), kind, page).await
    }

    async fn of_bots(
        &self,
        owner: UserId,
        bots: &[BotId],
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError> {
        if bots.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, offset: page.offset(), limit: page.limit() });
        }
        Self::page(&*self.store, Self::of_bots_query(owner, bots, filter), filter.kind, page).await
    }

    async fn of_owner(
        &self,
        owner: UserId,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Vec<BotRecord>, RepoError> {
        let query = filtered(Query::all().eq("record.user_id", owner.to_string()), filter).page(page);
        let docs = self.store.find(Self::COLLECTION, &query).await?;
        if filter.kind == Some(POSITION_CLOSED) {
            let read = docs.into_iter().map(|d| codec::from_doc(Self::COLLECTION, d));
            return read.map(|d| d.and_then(ClosedRecordDocument::into_record)).collect();
        }
        docs.into_iter().map(|d| codec::from_doc::<RecordDocument>(Self::COLLECTION, d).map(|d| d.record)).collect()
    }
}

/// `query` cut to `filter`, newest first.
fn filtered(mut query: Query, filter: &RecordFilter) -> Query {
    if let Some(kind) = filter.kind {
        query = query.eq("kind", kind);
    }
    if let Some(from) = filter.from {
        query = query.gte("at", to_millis(from));
    }
    if let Some(to) = filter.to {
        query = query.lt("at", to_millis(to));
    }
    query.desc("at").desc(ID)
}

#[cfg(test)]
mod tests {
    use domain::bots::{BotConfig, BotKind};
    use domain::contexts::{ContextMode, TradingContext};
    use serde_json::{json, Value};
    use time::macros::datetime;

    use super::*;
    use crate::store::sqlite::SqliteStore;

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
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        let saved = repo.create(&bot()).await.unwrap();
        let doc = store.get(StoreBotRepository::COLLECTION, &saved.id.to_string()).await.unwrap().unwrap();
        assert!(doc["bot"].is_string(), "{:?}", doc["bot"]);
        assert_eq!(doc["status"], "created");
        assert_eq!(repo.find(saved.id).await.unwrap(), saved);
    }

    #[tokio::test]
    async fn the_engine_reads_on_past_a_page_holding_only_an_unreadable_bot() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        // Pages of one bot: a page holding only the unreadable bot must still move the next
        // page past it (else the read would start over at it forever).
        let repo = StoreBotRepository::new(store.clone()).with_read_page(1);
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(repo.create(&bot()).await.unwrap().id.to_string());
        }
        ids.sort();
        let running = [("status".to_owned(), json!("running"))].into_iter().collect();
        assert_eq!(store.update_many_set(StoreBotRepository::COLLECTION, &Query::all(), running).await.unwrap(), 5);
        // The second bot by id cannot be read.
        let broken = [("bot".to_owned(), json!("not a bot"))].into_iter().collect();
        let query = Query::all().eq(ID, ids[1].clone());
        assert_eq!(store.update_many_set(StoreBotRepository::COLLECTION, &query, broken).await.unwrap(), 1);

        let reading = repo.evaluated(&[BotKind::Dca], None);
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(10), reading).await.expect("the read ends").unwrap();
        let mut read: Vec<String> = read.iter().map(|b| b.id.to_string()).collect();
        read.sort();
        assert_eq!(read, [ids[0].clone(), ids[2].clone(), ids[3].clone(), ids[4].clone()]);
    }

    fn configs() -> Vec<(BotKind, Value)> {
        let risk = json!({"take_profit_percent": "5", "stop_loss_soft_percent": "3", "stop_loss_hard_percent": "10",
            "trailing_stop": {"activation_percent": "2", "distance_percent": "1"}, "sanity_max_move_percent": "20"});
        vec![
            (
                BotKind::Smart,
                json!({"mode": {"type": "continuous", "interval_seconds": 3600}, "purchase_amount": "50",
                "allocated_balance": "1000", "risk": risk}),
            ),
            (
                BotKind::Smart,
                json!({"mode": {"type": "scheduled", "cron": "0 9 * * 1-5", "time_zone": "America/Sao_Paulo"},
                "purchase_amount": "50", "allocated_balance": "1000"}),
            ),
            (
                BotKind::Dca,
                json!({"purchase_amount": "20", "frequency": "24h", "allocated_balance": "1000",
                "take_profit_percent": "5", "max_cycles": 3}),
            ),
            (
                BotKind::Channel,
                json!({"base_price": "95", "top_price": "120", "buy_threshold_percent": "2",
                "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20",
                "allocated_balance": "1000"}),
            ),
            (
                BotKind::Candle,
                json!({"timeframe": "1h", "indicators": [{"indicator": "rsi"}], "order_amount": "50",
                "allocated_balance": "1000", "risk": risk}),
            ),
        ]
    }

    /// Bots of every kind, with their optional fields empty and filled.
    fn varied_bots() -> Vec<Bot> {
        let at = datetime!(2025-01-06 12:00 UTC);
        let symbol = Symbol::parse("BTC-BRL").unwrap();
        let context = TradingContext::new(UserId::new(), ExchangeId::Binance, &symbol, ContextMode::Paper, at);
        let mut bots = Vec::new();
        for (kind, config) in configs() {
            let empty = Bot::new(&context, format!("{kind}"), BotConfig::parse(kind, &config).unwrap(), at);
            let mut full = Bot { id: BotId::new(), ..empty.clone() };
            full.status_reason = Some("started".into());
            full.last_price = Some("101.5".parse().unwrap());
            full.dust = domain::bots::Dust { quantity: "0.00001".parse().unwrap(), cost: "0.9".parse().unwrap() };
            let mut held = domain::bots::Position::new(domain::shared::ids::PositionId::new(), at);
            held.quantity = "0.5".parse().unwrap();
            held.cost = "50".parse().unwrap();
            let mut scheduled = held.clone();
            scheduled.trailing.peak = Some("110".parse().unwrap());
            scheduled.peak_price = Some("111".parse().unwrap());
            scheduled.min_exit_price = Some("102".parse().unwrap());
            scheduled.scheduled_at = Some(at);
            scheduled.exit_reason = Some(domain::bots::ExitReason::Channel);
            full.positions = vec![held, scheduled];
            for _ in 0..5 {
                full.breaker.record_trade("-10".parse().unwrap(), full.funds.allocated, at);
            }
            assert!(full.breaker.tripped.is_some());
            bots.extend([empty, full]);
        }
        bots
    }

    #[tokio::test]
    async fn stored_text_reads_back_equal() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        for bot in varied_bots() {
            let saved = repo.create(&bot).await.unwrap();
            let doc = store.get(StoreBotRepository::COLLECTION, &saved.id.to_string()).await.unwrap().unwrap();
            let text = doc["bot"].as_str().unwrap();
            assert!(!text.contains("null"), "{text}");
            assert_eq!(repo.find(saved.id).await.unwrap(), saved, "{text}");
        }
    }

    #[tokio::test]
    async fn bots_stored_with_nulls_and_dust_as_a_position_are_still_read() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        let bot = Bot { version: FIRST_VERSION, ..varied_bots().swap_remove(1) };
        let mut tree = serde_json::to_value(&bot).unwrap();
        tree["dust"] = json!({"id": "01M84HGSDAFANKWF9BRFEMVW2Q", "status": "open", "quantity": "0.00001",
            "cost": "0.9", "buys": 0, "opened_at": "2025-01-05T12:10:00Z", "trailing": {"peak": null},
            "peak_price": null, "min_exit_price": null, "scheduled_at": null, "sold_quantity": "0",
            "proceeds": "0", "realized_profit": "0", "exit_reason": null, "closed_at": null});
        let mut doc = codec::to_doc(&BotDocument::from(&bot)).unwrap();
        doc.insert("bot".into(), Value::String(tree.to_string()));
        store.insert(StoreBotRepository::COLLECTION, doc).await.unwrap();
        assert_eq!(repo.find(bot.id).await.unwrap(), bot);
    }

    #[tokio::test]
    async fn bots_stored_with_tuple_breaker_timestamps_are_still_read() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let repo = StoreBotRepository::new(store.clone());
        let bot = Bot { version: FIRST_VERSION, ..varied_bots().swap_remove(1) };
        let mut tree = serde_json::to_value(&bot).unwrap();
        // 2025-01-06 12:00 UTC as the time crate's tuple, the form stored before RFC 3339.
        let legacy = json!([2025, 6, 12, 0, 0, 0, 0, 0, 0]);
        tree["breaker"]["tripped"]["at"] = legacy.clone();
        tree["breaker"]["recent"].as_array_mut().unwrap().iter_mut().for_each(|t| t["at"] = legacy.clone());
        let mut doc = codec::to_doc(&BotDocument::from(&bot)).unwrap();
        doc.insert("bot".into(), Value::String(tree.to_string()));
        store.insert(StoreBotRepository::COLLECTION, doc).await.unwrap();
        assert_eq!(repo.find(bot.id).await.unwrap(), bot);
        repo.update(&bot).await.unwrap();
        let doc = store.get(StoreBotRepository::COLLECTION, &bot.id.to_string()).await.unwrap().unwrap();
        let rewritten: Value = serde_json::from_str(doc["bot"].as_str().unwrap()).unwrap();
        assert_eq!(rewritten["breaker"]["tripped"]["at"], "2025-01-06T12:00:00Z");
    }

    #[tokio::test]
    async fn documents_holding_the_aggregate_as_an_object_are_still_read() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
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

    #[tokio::test]
    async fn the_engine_query_skips_a_document_it_cannot_read_and_counts_it() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let repo = StoreBotRepository::new(store.clone()).with_read_page(1);
        let mut ids = Vec::new();
        for _ in 0..3 {
            let mut bot = bot();
            bot.command(domain::bots::Command::Start, "test", bot.created_at).unwrap();
            ids.push(repo.create(&bot).await.unwrap().id);
        }
        ids.sort();
        let mut doc = store.get(StoreBotRepository::COLLECTION, &ids[1].to_string()).await.unwrap().unwrap();
        doc.insert("bot".into(), Value::String("{\"config\": \"not a bot\"}".into()));
        let version = doc["version"].as_u64().unwrap();
        store.replace(StoreBotRepository::COLLECTION, doc, version).await.unwrap();
        let before = UNREADABLE_BOTS.get();

        let read = repo.evaluated(&[BotKind::Dca], None).await.unwrap();

        let read: Vec<BotId> = read.iter().map(|b| b.id).collect();
        assert_eq!(read, [ids[0], ids[2]], "the unreadable one is skipped, the one after it still read");
        assert!(UNREADABLE_BOTS.get() > before);
    }
}
