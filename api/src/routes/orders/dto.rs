//! The orders API's request and response bodies. An order is shown whole: its request, its
//! fills and fees, the context it was decided in, whether it was adopted, and why it failed.

use std::collections::{BTreeMap, BTreeSet};

use domain::exchange::{ClientOrderId, OrderKind, OrderSize};
use domain::market::Symbol;
use domain::orders::{CreationContext, MarketConditions, Order, OrderFill};
use domain::shared::ids::{BotId, ContextId, OrderId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::field_value::Parsed;
use crate::routes::decimal::DecimalInput;
use crate::routes::wire::{Exchange, Id, OrderSide, OrderSource, OrderStatus, OrderType};

/// A manual order in one of the caller's contexts. Give `quantity`, or `quote_amount` for a
/// market buy; a limit order needs `price`. Nothing is rounded: values off the market's tick or
/// step are refused with the nearest valid ones.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    /// The context (exchange, market, live or paper) to trade in.
    #[schema(value_type = Id)]
    pub context_id: Parsed<ContextId>,
    /// `buy` or `sell`.
    #[schema(value_type = OrderSide, example = "buy")]
    pub side: Parsed<domain::exchange::OrderSide>,
    /// `market` or `limit`.
    #[serde(rename = "type")]
    #[schema(value_type = OrderType, example = "limit")]
    pub order_type: Parsed<domain::exchange::OrderType>,
    /// Base quantity, a decimal string on the market's step, above 0 and at most 10000000000000
    /// with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "0.001", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.[0-9]*[1-9])(?:[0-9]{1,13}(?:\.[0-9]{1,18})?|10000000000000(?:\.0{1,18})?)$")]
    pub quantity: Option<DecimalInput>,
    /// Quote amount to spend, instead of `quantity` (market buys only), above 0 and at most
    /// 1000000000000000 with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "100", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.[0-9]*[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub quote_amount: Option<DecimalInput>,
    /// Limit price on the market's tick (limit orders only), from 0.000000000001 to
    /// 1000000000000000 with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "300000.00", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.0{0,11}[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub price: Option<DecimalInput>,
}

/// List filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    /// Only orders of this context.
    #[param(value_type = Option<Id>)]
    pub context_id: Option<Parsed<ContextId>>,
    /// Only orders of this bot.
    #[param(value_type = Option<Id>)]
    pub bot_id: Option<Parsed<BotId>>,
    /// Only orders in these statuses, comma-separated (`pending`, `new`, `partially_filled`,
    /// `filled`, `canceled`, `rejected`, `expired`).
    #[param(
        value_type = Option<String>,
        example = "new,partially_filled",
        pattern = r"^(pending|new|partially_filled|filled|canceled|rejected|expired)(,(pending|new|partially_filled|filled|canceled|rejected|expired))*$"
    )]
    pub status: Option<Parsed<BTreeSet<domain::orders::OrderStatus>>>,
    /// Only `buy` or `sell` orders.
    #[param(value_type = Option<OrderSide>)]
    pub side: Option<Parsed<domain::exchange::OrderSide>>,
    /// Only orders of this strategy source (`manual`, `smart`, `candle`, `dca`, `channel`).
    #[param(value_type = Option<OrderSource>)]
    pub source: Option<Parsed<domain::orders::StrategySource>>,
    /// Only orders created at or after this RFC 3339 instant.
    #[param(value_type = Option<String>, example = "2025-01-01T00:00:00Z", format = DateTime)]
    pub from: Option<Parsed<OffsetDateTime>>,
    /// Only orders created before this RFC 3339 instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Parsed<OffsetDateTime>>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// One execution of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct FillResponse {
    /// The exchange's trade id.
    pub trade_id: String,
    /// Price.
    #[schema(value_type = String)]
    pub price: Decimal,
    /// Base quantity.
    #[schema(value_type = String)]
    pub quantity: Decimal,
    /// Fee charged.
    #[schema(value_type = String)]
    pub fee: Decimal,
    /// The asset the fee was charged in.
    pub fee_asset: String,
    /// When, when the exchange said.
    #[serde(serialize_with = "super::instant::optional")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<OffsetDateTime>,
}

impl From<OrderFill> for FillResponse {
    fn from(f: OrderFill) -> Self {
        Self {
            trade_id: f.trade_id,
            price: f.price.normalize(),
            quantity: f.quantity.normalize(),
            fee: f.fee.normalize(),
            fee_asset: f.fee_asset,
            at: f.at,
        }
    }
}

/// The book when the order was decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarketConditionsResponse {
    /// Best bid.
    #[schema(value_type = String)]
    pub best_bid: Decimal,
    /// Best ask.
    #[schema(value_type = String)]
    pub best_ask: Decimal,
    /// `best_ask - best_bid`.
    #[schema(value_type = String)]
    pub spread: Decimal,
    /// The spread as a percentage of the mid price.
    #[schema(value_type = String)]
    pub spread_percent: Decimal,
}

impl From<MarketConditions> for MarketConditionsResponse {
    fn from(m: MarketConditions) -> Self {
        Self {
            best_bid: m.best_bid.normalize(),
            best_ask: m.best_ask.normalize(),
            spread: m.spread.normalize(),
            spread_percent: m.spread_percent.normalize(),
        }
    }
}

/// What was known when the order was decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreationResponse {
    /// The strategy's (or the request's) parameters that mattered, as strings.
    pub parameters: BTreeMap<String, String>,
    /// Indicator values behind the decision (decimal strings).
    #[schema(value_type = BTreeMap<String, String>)]
    pub indicators: BTreeMap<String, Decimal>,
    /// The book, when it was read.
    pub market: Option<MarketConditionsResponse>,
}

impl From<CreationContext> for CreationResponse {
    fn from(c: CreationContext) -> Self {
        let indicators = c.indicators.into_iter().map(|(k, v)| (k, v.normalize())).collect();
        Self { parameters: c.parameters, indicators, market: c.market.map(Into::into) }
    }
}

/// An order: manual, placed by a bot, or adopted from the exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderResponse {
    /// Id.
    #[schema(value_type = String)]
    pub id: OrderId,
    /// Its context.
    #[schema(value_type = String)]
    pub context_id: ContextId,
    /// Exchange.
    pub exchange: Exchange,
    /// The market, `BASE-QUOTE`.
    #[schema(value_type = String, example = "BTC-BRL")]
    pub symbol: Symbol,
    /// The bot that placed it (none for a manual or adopted order).
    #[schema(value_type = Option<String>)]
    pub bot_id: Option<BotId>,
    /// `manual`, `smart`, `candle`, `dca` or `channel`.
    pub source: OrderSource,
    /// `buy` or `sell`.
    pub side: OrderSide,
    /// `market` or `limit`.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Limit price (limit orders).
    #[schema(value_type = Option<String>)]
    pub price: Option<Decimal>,
    /// Requested base quantity (when sized by quantity).
    #[schema(value_type = Option<String>)]
    pub quantity: Option<Decimal>,
    /// Requested quote amount (market buys sized by amount).
    #[schema(value_type = Option<String>)]
    pub quote_amount: Option<Decimal>,
    /// `pending`, `new`, `partially_filled`, `filled`, `canceled`, `rejected` or `expired`.
    pub status: OrderStatus,
    /// Base filled so far.
    #[schema(value_type = String)]
    pub filled_quantity: Decimal,
    /// Quote filled so far.
    #[schema(value_type = String)]
    pub filled_quote: Decimal,
    /// `filled_quote / filled_quantity`, once anything filled.
    #[schema(value_type = Option<String>)]
    pub average_fill_price: Option<Decimal>,
    /// Fees paid so far, per asset (decimal strings).
    #[schema(value_type = BTreeMap<String, String>)]
    pub fees: BTreeMap<String, Decimal>,
    /// Executions, in the order they were learnt.
    pub fills: Vec<FillResponse>,
    /// The exchange's id, once it acknowledged the order.
    pub exchange_order_id: Option<String>,
    /// Our id, sent to the exchange.
    #[schema(value_type = String)]
    pub client_order_id: ClientOrderId,
    /// What was known when it was decided.
    pub creation: CreationResponse,
    /// Why it was placed.
    pub reason: Option<String>,
    /// Found on the exchange, not placed by botfleet.
    pub adopted: bool,
    /// Ended by botfleet as `canceled` because its exchange no longer knew it long after
    /// acknowledging it; what filled stays filled. Worth a look on the exchange.
    pub forgotten: bool,
    /// Since when its exchange has answered "not found" for it, when it does (botfleet ends it
    /// as forgotten once this lasted an hour and the order is older than the forgotten age).
    #[serde(serialize_with = "super::instant::optional")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub missing_since: Option<OffsetDateTime>,
    /// Why it was rejected, or why it was forgotten.
    pub error: Option<String>,
    /// Version (optimistic locking).
    pub version: u64,
    /// Created.
    #[serde(serialize_with = "super::instant::required")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(serialize_with = "super::instant::required")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Order> for OrderResponse {
    fn from(o: Order) -> Self {
        let (quantity, quote_amount) = match o.size {
            OrderSize::Quantity(q) => (Some(q), None),
            OrderSize::QuoteAmount(a) => (None, Some(a)),
        };
        let (order_type, price) = match o.kind {
            OrderKind::Market => (OrderType::Market, None),
            OrderKind::Limit { price } => (OrderType::Limit, Some(price)),
        };
        Self {
            // Ids serialise as their text, written without a `String` each.
            id: o.id,
            context_id: o.context_id,
            exchange: o.exchange.into(),
            symbol: o.symbol,
            bot_id: o.bot_id,
            source: o.source.into(),
            side: o.side.into(),
            order_type,
            // Decimals in their shortest form, as the stores give them back, so a body never
            // changes between the answer to a POST and a later read.
            price: price.map(|p| p.normalize()),
            quantity: quantity.map(|q| q.normalize()),
            quote_amount: quote_amount.map(|a| a.normalize()),
            status: o.status.into(),
            filled_quantity: o.filled_quantity.normalize(),
            filled_quote: o.filled_quote.normalize(),
            average_fill_price: o.average_fill_price.map(|p| p.normalize()),
            fees: o.fees.into_iter().map(|(k, v)| (k, v.normalize())).collect(),
            fills: o.fills.into_iter().map(Into::into).collect(),
            exchange_order_id: o.exchange_order_id,
            client_order_id: o.client_order_id,
            creation: o.creation.into(),
            reason: o.reason,
            adopted: o.adopted,
            forgotten: o.forgotten,
            missing_since: o.missing_since,
            error: o.error,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}
