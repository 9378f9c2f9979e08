//! [`ContextSignalRepository`] over a [`DocumentStore`]: collection `context_signals`, unique
//! index `context_signals_candle` on (context, timeframe, candle open time), so a context has one
//! signal per closed candle whatever runs repeat or race. Decimals are canonical strings and
//! named values lists of pairs, as in orders.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::contexts::{ContextSignal, ContextSignalRepository};
use domain::exchange::ExchangeId;
use domain::market::{Symbol, Timeframe};
use domain::shared::ids::{ContextId, ContextSignalId, UserId};
use domain::signals::{Analysis, Confidence, Role, Signal, Vote};
use domain::{Page, PageRequest, RepoError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, decimal, millis, to_millis, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The unique index: one signal per context, timeframe and candle.
const CANDLE_INDEX: &str = "context_signals_candle";

/// The stored form of a [`ContextSignal`].
#[derive(Serialize, Deserialize)]
struct SignalDocument {
    #[serde(rename = "_id")]
    id: ContextSignalId,
    context_id: ContextId,
    user_id: UserId,
    exchange: ExchangeId,
    symbol: Symbol,
    timeframe: Timeframe,
    #[serde(with = "millis")]
    candle_time: OffsetDateTime,
    #[serde(with = "decimal")]
    close: Decimal,
    signal: Signal,
    confidence: Confidence,
    votes: Vec<VoteDocument>,
    values: Vec<ValueDocument>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    version: u64,
}

/// One indicator's vote.
#[derive(Serialize, Deserialize)]
struct VoteDocument {
    indicator: String,
    role: Role,
    signal: Signal,
    veto: bool,
    values: Vec<ValueDocument>,
}

/// A named indicator value.
#[derive(Serialize, Deserialize)]
struct ValueDocument {
    name: String,
    #[serde(with = "decimal")]
    value: Decimal,
}

fn values(map: &BTreeMap<String, Decimal>) -> Vec<ValueDocument> {
    map.iter().map(|(name, value)| ValueDocument { name: name.clone(), value: *value }).collect()
}

fn value_map(list: Vec<ValueDocument>) -> BTreeMap<String, Decimal> {
    list.into_iter().map(|v| (v.name, v.value)).collect()
}

impl From<&ContextSignal> for SignalDocument {
    fn from(s: &ContextSignal) -> Self {
        let votes = s
            .analysis
            .votes
            .iter()
            .map(|v| VoteDocument {
                indicator: v.indicator.clone(),
                role: v.role,
                signal: v.signal,
                veto: v.veto,
                values: values(&v.values),
            })
            .collect();
        Self {
            id: s.id,
            context_id: s.context_id,
            user_id: s.user_id,
            exchange: s.exchange,
            symbol: s.symbol.clone(),
            timeframe: s.timeframe,
            candle_time: s.candle_time,
            close: s.close,
            signal: s.analysis.signal,
            confidence: s.analysis.confidence,
            votes,
            values: values(&s.analysis.values),
            created_at: s.created_at,
            version: FIRST_VERSION,
        }
    }
}

impl From<SignalDocument> for ContextSignal {
    fn from(d: SignalDocument) -> Self {
        let votes = d
            .votes
            .into_iter()
            .map(|v| Vote {
                indicator: v.indicator,
                role: v.role,
                signal: v.signal,
                veto: v.veto,
                values: value_map(v.values),
            })
            .collect();
        let analysis = Analysis {
            signal: d.signal,
            confidence: d.confidence,
            votes,
            values: value_map(d.values),
            candle_time: d.candle_time,
        };
        ContextSignal {
            id: d.id,
            context_id: d.context_id,
            user_id: d.user_id,
            exchange: d.exchange,
            symbol: d.symbol,
            timeframe: d.timeframe,
            candle_time: d.candle_time,
            close: d.close,
            analysis,
            created_at: d.created_at,
        }
    }
}

/// Context signals in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreContextSignalRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreContextSignalRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "context_signals";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique(CANDLE_INDEX, &["context_id", "timeframe", "candle_time"]),
        IndexSpec::plain("context_signals_user_context", &["user_id", "context_id", "candle_time"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// The owner's signals of `context`, newest first.
    fn of(owner: UserId, context: ContextId) -> Query {
        Query::all().eq("user_id", owner.to_string()).eq("context_id", context.to_string()).desc("candle_time").desc(ID)
    }
}

#[async_trait]
impl ContextSignalRepository for StoreContextSignalRepository {
    async fn record(&self, signal: &ContextSignal) -> Result<bool, RepoError> {
        match codec::insert(&*self.store, Self::COLLECTION, &SignalDocument::from(signal)).await {
            Ok(()) => Ok(true),
            // The same signal again, or another one for its candle: already recorded.
            Err(RepoError::Duplicate { index }) if index == CANDLE_INDEX || index == ID => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn list(
        &self,
        owner: UserId,
        context: ContextId,
        from: Option<OffsetDateTime>,
        page: PageRequest,
    ) -> Result<Page<ContextSignal>, RepoError> {
        let mut query = Self::of(owner, context);
        if let Some(from) = from {
            query = query.gte("candle_time", to_millis(from));
        }
        codec::page::<SignalDocument, _>(&*self.store, Self::COLLECTION, query, page, ContextSignal::from).await
    }

    async fn latest(&self, owner: UserId, context: ContextId) -> Result<Option<ContextSignal>, RepoError> {
        let found: Option<SignalDocument> =
            codec::find_one(&*self.store, Self::COLLECTION, Self::of(owner, context)).await?;
        Ok(found.map(ContextSignal::from))
    }
}
