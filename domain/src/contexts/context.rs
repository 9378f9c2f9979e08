//! The trading context aggregate.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::exchange::ExchangeId;
use crate::market::{Asset, Symbol};
use crate::shared::ids::{ContextId, UserId};

/// Real money on the exchange, or the paper exchange's simulation of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextMode {
    /// Orders go to the exchange with the user's credential.
    Live,
    /// Orders go to the paper exchange, which simulates the named exchange; no credential needed.
    Paper,
}

/// The name is not a mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mode `{0}`; expected live or paper")]
pub struct UnknownContextMode(pub String);

impl std::str::FromStr for ContextMode {
    type Err = UnknownContextMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "live" => Ok(ContextMode::Live),
            "paper" => Ok(ContextMode::Paper),
            other => Err(UnknownContextMode(other.to_owned())),
        }
    }
}

/// Whether the context may trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextStatus {
    /// Usable.
    Active,
    /// Paused (e.g. over the plan's limit after a downgrade); `status_reason` says why.
    Paused,
}

/// A user's market on an exchange. Unique per user and (exchange, base, quote).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradingContext {
    /// Id.
    pub id: ContextId,
    /// Owner.
    pub user_id: UserId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Base asset (`BTC`).
    pub base: Asset,
    /// Quote asset (`BRL`).
    pub quote: Asset,
    /// Live or paper.
    pub mode: ContextMode,
    /// Active or paused.
    pub status: ContextStatus,
    /// Why it is paused.
    pub status_reason: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl TradingContext {
    /// A new active context on `symbol`.
    pub fn new(user_id: UserId, exchange: ExchangeId, symbol: &Symbol, mode: ContextMode, at: OffsetDateTime) -> Self {
        Self {
            id: ContextId::new(),
            user_id,
            exchange,
            base: symbol.base().clone(),
            quote: symbol.quote().clone(),
            mode,
            status: ContextStatus::Active,
            status_reason: None,
            created_at: at,
            updated_at: at,
            version: 0,
        }
    }

    /// The market, `BASE-QUOTE`.
    pub fn symbol(&self) -> Symbol {
        Symbol::new(self.base.clone(), self.quote.clone()).expect("a stored context has two different valid assets")
    }

    /// Pauses it with `reason` (idempotent: an already paused context keeps its first reason).
    pub fn pause(&mut self, reason: &str, at: OffsetDateTime) -> bool {
        if self.status == ContextStatus::Paused {
            return false;
        }
        self.status = ContextStatus::Paused;
        self.status_reason = Some(reason.to_owned());
        self.updated_at = at;
        true
    }
}
