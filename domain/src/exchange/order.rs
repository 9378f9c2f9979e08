//! Orders as the exchange sees them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::market::Symbol;

/// Buy or sell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderSide {
    /// Buy the base asset.
    Buy,
    /// Sell the base asset.
    Sell,
}

/// Our id for an order, sent to the exchange (Binance `newClientOrderId`, Mercado Bitcoin
/// `externalId`) and generated and stored BEFORE the order is sent, so a lost answer can be
/// resolved by asking for it. A prefix plus a ULID, at most 36 characters of `[A-Za-z0-9_-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    /// The prefix of ids botfleet generates.
    pub const PREFIX: &'static str = "bf-";

    /// A fresh id: `bf-` plus a ULID.
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, ulid::Ulid::new()))
    }

    /// An id read back from an exchange or a store; `None` when it is not of a valid form.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 36
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        ok.then(|| Self(raw.to_owned()))
    }

    /// Whether botfleet generated it (orders without it were placed elsewhere).
    pub fn is_ours(&self) -> bool {
        self.0.starts_with(Self::PREFIX)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How much to trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum OrderSize {
    /// A base-asset quantity.
    Quantity(Decimal),
    /// A quote-asset amount to spend (market buys only).
    QuoteAmount(Decimal),
}

/// How an order is asked to be priced (`market` or `limit`), before its limit price is known to
/// be given: what a client names in an order's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderType {
    /// At the best available prices.
    Market,
    /// At a limit price or better.
    Limit,
}

impl OrderType {
    /// `market` or `limit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderType::Market => "market",
            OrderType::Limit => "limit",
        }
    }

    /// The type named `raw` (`market`, `limit`), if any.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "market" => Some(OrderType::Market),
            "limit" => Some(OrderType::Limit),
            _ => None,
        }
    }
}

impl OrderSide {
    /// `buy` or `sell`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderSide::Buy => "buy",
            OrderSide::Sell => "sell",
        }
    }
}

/// Market or limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderKind {
    /// Fill now at the best available prices.
    Market,
    /// Rest on the book at `price` or better (good till cancelled).
    Limit {
        /// Limit price.
        price: Decimal,
    },
}

/// An order to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// Market.
    pub symbol: Symbol,
    /// Side.
    pub side: OrderSide,
    /// Market or limit.
    pub kind: OrderKind,
    /// Size.
    pub size: OrderSize,
    /// Our id, already persisted.
    pub client_order_id: ClientOrderId,
}

/// How to name an existing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderRef {
    /// The exchange's id.
    Exchange(String),
    /// Our client order id.
    Client(ClientOrderId),
}

/// An order's state on the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeOrderStatus {
    /// Accepted, nothing filled.
    New,
    /// Partly filled, still open.
    PartiallyFilled,
    /// Completely filled.
    Filled,
    /// Cancelled (possibly after a partial fill).
    Canceled,
    /// Refused by the matching engine.
    Rejected,
    /// Expired (time in force, self-trade prevention).
    Expired,
}

impl ExchangeOrderStatus {
    /// Whether the order can still change.
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::PartiallyFilled)
    }
}

/// One execution of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// The exchange's trade id: fills are deduplicated by it.
    pub trade_id: String,
    /// Price.
    pub price: Decimal,
    /// Base quantity.
    pub quantity: Decimal,
    /// Fee charged.
    pub fee: Decimal,
    /// Asset the fee was charged in.
    pub fee_asset: String,
    /// When.
    #[serde(with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
}

/// An order as the exchange reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeOrder {
    /// The exchange's id.
    pub exchange_order_id: String,
    /// Our id, when the order has one.
    pub client_order_id: Option<ClientOrderId>,
    /// Market.
    pub symbol: Symbol,
    /// Side.
    pub side: OrderSide,
    /// Market or limit.
    pub kind: OrderKind,
    /// State.
    pub status: ExchangeOrderStatus,
    /// Requested base quantity, when sized by quantity.
    pub quantity: Option<Decimal>,
    /// Requested quote amount, when sized by amount.
    pub quote_amount: Option<Decimal>,
    /// Base quantity filled so far.
    pub filled_quantity: Decimal,
    /// Quote amount filled so far.
    pub filled_quote: Decimal,
    /// Executions known so far (may be empty when the exchange reports only totals).
    pub fills: Vec<Fill>,
    /// When the exchange accepted it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// Last change on the exchange.
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

impl ExchangeOrder {
    /// Average fill price (`filled_quote / filled_quantity`), when anything filled.
    pub fn average_price(&self) -> Option<Decimal> {
        (self.filled_quantity > Decimal::ZERO).then(|| self.filled_quote / self.filled_quantity)
    }
}
