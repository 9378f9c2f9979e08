//! [`OrderRepository`] over a [`DocumentStore`]: collection `orders`, unique index
//! `orders_client_order_id`, so an order is stored once per client order id whatever races.

use std::sync::Arc;

use async_trait::async_trait;
use domain::exchange::{ClientOrderId, ExchangeId};
use domain::orders::{Order, OrderFilter, OrderRepository, OrderStatus};
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use domain::{Page, PageRequest, RepoError};

use super::codec::{self, to_millis, value_of, FIRST_VERSION};
use super::memo::TextMemo;
use super::order_document::OrderDocument;
use super::outbox::RelayNudge;
use crate::store::{malformed, DocumentStore, IndexSpec, Query, ID};

/// Orders in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreOrderRepository {
    store: Arc<dyn DocumentStore>,
    nudge: RelayNudge,
    /// The orders last listed, by their stored text: a history page read again is not parsed again.
    decoded: Arc<TextMemo<Order>>,
}

/// How many listed orders [`StoreOrderRepository`] keeps decoded: 200 pages of 50 (about 15 MB).
const DECODED_ORDERS: usize = 10_000;

/// A stored document as an order; an unreadable one is `Unavailable`.
fn entity(document: OrderDocument) -> Result<Order, RepoError> {
    Order::try_from(document).map_err(malformed)
}

/// Only open orders (what sync reads).
fn open_only(query: Query) -> Query {
    query.is_in("status", OrderStatus::OPEN.iter().map(value_of))
}

impl StoreOrderRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "orders";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("orders_client_order_id", &["client_order_id"]),
        IndexSpec::plain("orders_user_created", &["user_id", "created_at"]),
        IndexSpec::plain("orders_status_exchange", &["status", "exchange", "created_at"]),
        IndexSpec::plain("orders_bot_status", &["bot_id", "status"]),
        // A user's open orders (the dashboard summary), without reading their whole history.
        IndexSpec::plain("orders_user_status", &["user_id", "status", "created_at"]),
        // The relay's query: orders whose outbox holds events.
        IndexSpec::plain("orders_outbox", &["outbox_at"]),
        // The backoffice's orders per day (platform metrics).
        IndexSpec::plain("orders_created", &["created_at"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store, nudge: RelayNudge::default(), decoded: Arc::new(TextMemo::new(DECODED_ORDERS)) }
    }

    /// The same, waking `nudge` after each write that carries events.
    pub fn with_nudge(self, nudge: RelayNudge) -> Self {
        Self { nudge, ..self }
    }

    async fn all(&self, query: Query) -> Result<Vec<Order>, RepoError> {
        let documents: Vec<OrderDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        documents.into_iter().map(entity).collect()
    }

    /// The query of the owner's orders matching `filter`.
    fn filtered(owner: UserId, filter: &OrderFilter) -> Query {
        let mut query = Query::all().eq("user_id", owner.to_string());
        if let Some(context) = filter.context {
            query = query.eq("context_id", context.to_string());
        }
        if let Some(bot) = filter.bot {
            query = query.eq("bot_id", bot.to_string());
        }
        if !filter.status.is_empty() {
            query = query.is_in("status", filter.status.iter().map(value_of));
        }
        if let Some(side) = filter.side {
            query = query.eq("side", value_of(&side));
        }
        if let Some(source) = filter.source {
            query = query.eq("source", value_of(&source));
        }
        if let Some(from) = filter.from {
            query = query.gte("created_at", to_millis(from));
        }
        if let Some(to) = filter.to {
            query = query.lt("created_at", to_millis(to));
        }
        query
    }
}

#[async_trait]
impl OrderRepository for StoreOrderRepository {
    async fn create(&self, order: &Order) -> Result<Order, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &OrderDocument::from(order)).await?;
        self.nudge.after_write(&order.outbox);
        Ok(Order { version: FIRST_VERSION, ..order.clone() })
    }

    async fn get(&self, owner: UserId, id: OrderId) -> Result<Order, RepoError> {
        let found: Option<OrderDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.filter(|d| d.user_id == owner).map(entity).unwrap_or(Err(RepoError::NotFound))
    }

    async fn get_by_client_id(&self, client_order_id: &ClientOrderId) -> Result<Order, RepoError> {
        let query = Query::all().eq("client_order_id", client_order_id.as_str());
        let found: Option<OrderDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.map(entity).unwrap_or(Err(RepoError::NotFound))
    }

    async fn update(&self, order: &Order) -> Result<Order, RepoError> {
        let version =
            codec::replace(&*self.store, Self::COLLECTION, &OrderDocument::from(order), order.version).await?;
        self.nudge.after_write(&order.outbox);
        Ok(Order { version, ..order.clone() })
    }

    async fn list(&self, owner: UserId, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>, RepoError> {
        let query = Self::filtered(owner, filter).desc("created_at").desc(ID);
        codec::page_memo(&*self.store, Self::COLLECTION, query, page, &self.decoded, |text| {
            entity(codec::from_json(Self::COLLECTION, text)?)
        })
        .await
    }

    async fn open(&self, exchange: Option<ExchangeId>, context: Option<ContextId>) -> Result<Vec<Order>, RepoError> {
        let mut query = open_only(Query::all());
        if let Some(exchange) = exchange {
            query = query.eq("exchange", value_of(&exchange));
        }
        if let Some(context) = context {
            query = query.eq("context_id", context.to_string());
        }
        self.all(query.asc("created_at").asc(ID)).await
    }

    async fn open_of(&self, owner: UserId) -> Result<Vec<Order>, RepoError> {
        // No sort: ordered by creation, SQLite would walk the owner's whole history by
        // `orders_user_created` instead of seeking `orders_user_status`.
        self.all(open_only(Query::all().eq("user_id", owner.to_string()))).await
    }

    async fn by_bot(&self, bot: BotId) -> Result<Vec<Order>, RepoError> {
        self.all(open_only(Query::all().eq("bot_id", bot.to_string())).asc("created_at").asc(ID)).await
    }
}
