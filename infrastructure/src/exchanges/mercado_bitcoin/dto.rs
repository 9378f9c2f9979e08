//! Mercado Bitcoin's JSON payloads as documented (API v4). Decimals arrive as strings or as
//! numbers depending on the field, so every decimal is read through [`Num`].

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// A decimal that may be sent as a JSON string or number (read exactly, never through f64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Num(pub Decimal);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(serde::de::Error::custom(format!("expected a decimal, got {other}"))),
        };
        let raw = raw.trim();
        Decimal::from_str(raw)
            .or_else(|_| Decimal::from_scientific(raw))
            .map(Num)
            .map_err(|e| serde::de::Error::custom(format!("bad decimal `{raw}`: {e}")))
    }
}

/// `GET /accounts` item.
#[derive(Debug, Deserialize)]
pub(crate) struct AccountDto {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// `GET /tickers` item.
#[derive(Debug, Deserialize)]
pub(crate) struct TickerDto {
    pub pair: String,
    /// Best bid.
    pub buy: Num,
    /// Best ask.
    pub sell: Num,
    pub last: Num,
    #[serde(default)]
    pub vol: Num,
    #[serde(default)]
    pub date: Option<Num>,
}

/// `GET /{symbol}/orderbook`.
#[derive(Debug, Deserialize)]
pub(crate) struct OrderBookDto {
    #[serde(default)]
    pub asks: Vec<Vec<Num>>,
    #[serde(default)]
    pub bids: Vec<Vec<Num>>,
    #[serde(default)]
    pub timestamp: Option<Num>,
}

/// `GET /candles`: one array per field, index-aligned.
#[derive(Debug, Deserialize)]
pub(crate) struct CandlesDto {
    #[serde(default)]
    pub t: Vec<i64>,
    #[serde(default)]
    pub o: Vec<Num>,
    #[serde(default)]
    pub h: Vec<Num>,
    #[serde(default)]
    pub l: Vec<Num>,
    #[serde(default)]
    pub c: Vec<Num>,
    #[serde(default)]
    pub v: Vec<Num>,
}

/// `GET /symbols`: one array per field, index-aligned.
#[derive(Debug, Deserialize)]
pub(crate) struct SymbolsDto {
    #[serde(default)]
    pub symbol: Vec<String>,
    #[serde(default)]
    pub pricescale: Vec<Num>,
    #[serde(default)]
    pub minmovement: Vec<Num>,
    #[serde(rename = "min-volume", default)]
    pub min_volume: Vec<Num>,
    #[serde(rename = "max-volume", default)]
    pub max_volume: Vec<Num>,
    #[serde(rename = "min-cost", default)]
    pub min_cost: Vec<Num>,
    #[serde(rename = "exchange-traded", default)]
    pub exchange_traded: Vec<bool>,
}

/// `GET /accounts/{id}/balances` item.
#[derive(Debug, Deserialize)]
pub(crate) struct BalanceDto {
    pub symbol: String,
    pub available: Num,
    pub on_hold: Num,
}

/// `POST .../orders` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct PlacedDto {
    #[serde(rename = "orderId")]
    pub order_id: String,
}

/// An execution of an order.
#[derive(Debug, Deserialize)]
pub(crate) struct ExecutionDto {
    pub id: serde_json::Value,
    #[serde(default)]
    pub executed_at: Option<Num>,
    pub price: Num,
    pub qty: Num,
    /// Percent.
    #[serde(default)]
    pub fee_rate: Option<Num>,
}

/// An order: `GET .../orders/{id}`, `GET .../{symbol}/orders` items and `GET /accounts/{id}/orders`
/// items (which spell the client id `external_id` and carry fewer fields).
#[derive(Debug, Deserialize)]
pub(crate) struct OrderDto {
    pub id: String,
    #[serde(default)]
    pub instrument: Option<String>,
    pub side: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub qty: Option<Num>,
    #[serde(rename = "filledQty", default)]
    pub filled_qty: Option<Num>,
    #[serde(rename = "limitPrice", default)]
    pub limit_price: Option<Num>,
    #[serde(rename = "avgPrice", default)]
    pub avg_price: Option<Num>,
    #[serde(default)]
    pub cost: Option<Num>,
    #[serde(rename = "externalId", alias = "external_id", default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<Num>,
    #[serde(default)]
    pub updated_at: Option<Num>,
    #[serde(default)]
    pub executions: Vec<ExecutionDto>,
}

/// `GET /accounts/{id}/orders`.
#[derive(Debug, Deserialize)]
pub(crate) struct OrderItemsDto {
    #[serde(default)]
    pub items: Vec<OrderDto>,
}
