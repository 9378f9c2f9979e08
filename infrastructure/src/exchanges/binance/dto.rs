//! Binance's JSON answers as they come over the wire (prices and quantities are decimal strings,
//! ids and times numbers). They never leave the adapter: `mapping` turns them into domain types.

use rust_decimal::Decimal;
use serde::Deserialize;

/// `GET /api/v3/exchangeInfo`.
#[derive(Debug, Deserialize)]
pub(crate) struct ExchangeInfoDto {
    pub(crate) symbols: Vec<SymbolDto>,
}

/// One symbol of `exchangeInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SymbolDto {
    pub(crate) symbol: String,
    pub(crate) status: String,
    pub(crate) base_asset: String,
    pub(crate) quote_asset: String,
    #[serde(default)]
    pub(crate) is_spot_trading_allowed: Option<bool>,
    /// Kept as JSON: each filter type has its own fields, and unknown types are ignored.
    #[serde(default)]
    pub(crate) filters: Vec<serde_json::Value>,
}

/// `GET /api/v3/ticker/24hr?symbol=…` (only the fields we read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Ticker24hDto {
    pub(crate) last_price: Decimal,
    pub(crate) bid_price: Decimal,
    pub(crate) ask_price: Decimal,
    pub(crate) volume: Decimal,
    pub(crate) close_time: i64,
}

/// `GET /api/v3/ticker/price?symbol=…`.
#[derive(Debug, Deserialize)]
pub(crate) struct TickerPriceDto {
    pub(crate) price: Decimal,
}

/// `GET /api/v3/depth`.
#[derive(Debug, Deserialize)]
pub(crate) struct DepthDto {
    pub(crate) bids: Vec<(Decimal, Decimal)>,
    pub(crate) asks: Vec<(Decimal, Decimal)>,
}

/// One kline: `[openTime, open, high, low, close, volume, closeTime, quoteAssetVolume,
/// numberOfTrades, takerBuyBaseVolume, takerBuyQuoteVolume, ignore]`.
pub(crate) type KlineDto =
    (i64, Decimal, Decimal, Decimal, Decimal, Decimal, i64, Decimal, u64, Decimal, Decimal, serde_json::Value);

/// An order as `POST`/`GET`/`DELETE /api/v3/order` and `openOrders` report it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderDto {
    pub(crate) symbol: String,
    pub(crate) order_id: i64,
    #[serde(default)]
    pub(crate) client_order_id: Option<String>,
    /// Present on cancel answers, where `clientOrderId` is the cancel's own id.
    #[serde(default)]
    pub(crate) orig_client_order_id: Option<String>,
    #[serde(default)]
    pub(crate) price: Option<Decimal>,
    #[serde(default)]
    pub(crate) orig_qty: Option<Decimal>,
    #[serde(default)]
    pub(crate) executed_qty: Option<Decimal>,
    #[serde(default)]
    pub(crate) orig_quote_order_qty: Option<Decimal>,
    /// Binance's spelling. Negative on very old orders, where it is unknown.
    #[serde(default)]
    pub(crate) cummulative_quote_qty: Option<Decimal>,
    pub(crate) status: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) side: String,
    #[serde(default)]
    pub(crate) transact_time: Option<i64>,
    #[serde(default)]
    pub(crate) time: Option<i64>,
    #[serde(default)]
    pub(crate) update_time: Option<i64>,
    #[serde(default)]
    pub(crate) fills: Vec<FillDto>,
}

/// One fill of a `FULL` order answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FillDto {
    pub(crate) price: Decimal,
    pub(crate) qty: Decimal,
    pub(crate) commission: Decimal,
    pub(crate) commission_asset: String,
    pub(crate) trade_id: i64,
}

/// `GET /api/v3/account`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccountDto {
    pub(crate) can_trade: bool,
    #[serde(default)]
    pub(crate) can_withdraw: Option<bool>,
    #[serde(default)]
    pub(crate) balances: Vec<BalanceDto>,
}

/// One balance of `account`.
#[derive(Debug, Deserialize)]
pub(crate) struct BalanceDto {
    pub(crate) asset: String,
    pub(crate) free: Decimal,
    pub(crate) locked: Decimal,
}
