//! The stored form of an [`Order`]: flat, queryable fields (kind and size split into a name and a
//! value), decimals as canonical strings, instants as unix milliseconds, and maps as lists of
//! pairs, so that no asset or parameter name ever becomes a field name.

use std::collections::BTreeMap;

use domain::exchange::{ClientOrderId, ExchangeId, OrderKind, OrderSide, OrderSize};
use domain::market::Symbol;
use domain::notifications::Outbox;
use domain::orders::{CreationContext, MarketConditions, Order, OrderFill, OrderStatus, StrategySource};
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{decimal, decimal_opt, millis, millis_opt};

/// The stored form of an [`Order`].
#[derive(Serialize, Deserialize)]
pub(super) struct OrderDocument {
    #[serde(rename = "_id")]
    id: OrderId,
    pub(super) user_id: UserId,
    context_id: ContextId,
    exchange: ExchangeId,
    symbol: Symbol,
    bot_id: Option<BotId>,
    source: StrategySource,
    side: OrderSide,
    kind: KindName,
    #[serde(with = "decimal_opt")]
    price: Option<Decimal>,
    size_by: SizeBy,
    #[serde(with = "decimal")]
    size: Decimal,
    status: OrderStatus,
    #[serde(with = "decimal")]
    filled_quantity: Decimal,
    #[serde(with = "decimal")]
    filled_quote: Decimal,
    #[serde(with = "decimal_opt")]
    average_fill_price: Option<Decimal>,
    fees: Vec<AmountDocument>,
    fills: Vec<FillDocument>,
    exchange_order_id: Option<String>,
    client_order_id: ClientOrderId,
    creation: CreationDocument,
    reason: Option<String>,
    adopted: bool,
    /// Absent from documents stored before the flag existed.
    #[serde(default)]
    forgotten: bool,
    /// Absent from documents stored before it existed.
    #[serde(default, with = "millis_opt")]
    missing_since: Option<OffsetDateTime>,
    error: Option<String>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    #[serde(default, with = "super::outbox::text", skip_serializing_if = "Outbox::is_empty")]
    outbox: Outbox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outbox_at: Option<i64>,
    version: u64,
}

/// An order's kind as stored (its limit price is a field of its own).
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    Market,
    Limit,
}

/// What an order's `size` counts.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SizeBy {
    Quantity,
    QuoteAmount,
}

/// A named amount: a fee per asset, an indicator value.
#[derive(Serialize, Deserialize)]
struct AmountDocument {
    name: String,
    #[serde(with = "decimal")]
    value: Decimal,
}

/// A named text: a strategy parameter.
#[derive(Serialize, Deserialize)]
struct TextDocument {
    name: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
struct FillDocument {
    trade_id: String,
    #[serde(with = "decimal")]
    price: Decimal,
    #[serde(with = "decimal")]
    quantity: Decimal,
    #[serde(with = "decimal")]
    fee: Decimal,
    fee_asset: String,
    #[serde(with = "millis_opt")]
    at: Option<OffsetDateTime>,
}

#[derive(Serialize, Deserialize)]
struct CreationDocument {
    parameters: Vec<TextDocument>,
    indicators: Vec<AmountDocument>,
    market: Option<MarketDocument>,
}

#[derive(Serialize, Deserialize)]
struct MarketDocument {
    #[serde(with = "decimal")]
    best_bid: Decimal,
    #[serde(with = "decimal")]
    best_ask: Decimal,
    #[serde(with = "decimal")]
    spread: Decimal,
    #[serde(with = "decimal")]
    spread_percent: Decimal,
}

fn amounts(map: &BTreeMap<String, Decimal>) -> Vec<AmountDocument> {
    map.iter().map(|(name, value)| AmountDocument { name: name.clone(), value: *value }).collect()
}

fn amount_map(list: Vec<AmountDocument>) -> BTreeMap<String, Decimal> {
    list.into_iter().map(|a| (a.name, a.value)).collect()
}

impl From<&Order> for OrderDocument {
    fn from(o: &Order) -> Self {
        let (kind, price) = match o.kind {
            OrderKind::Market => (KindName::Market, None),
            OrderKind::Limit { price } => (KindName::Limit, Some(price)),
        };
        let (size_by, size) = match o.size {
            OrderSize::Quantity(q) => (SizeBy::Quantity, q),
            OrderSize::QuoteAmount(a) => (SizeBy::QuoteAmount, a),
        };
        let fills = o.fills.iter().map(|f| FillDocument {
            trade_id: f.trade_id.clone(),
            price: f.price,
            quantity: f.quantity,
            fee: f.fee,
            fee_asset: f.fee_asset.clone(),
            at: f.at,
        });
        let market = o.creation.market.map(|m| MarketDocument {
            best_bid: m.best_bid,
            best_ask: m.best_ask,
            spread: m.spread,
            spread_percent: m.spread_percent,
        });
        let parameters = o.creation.parameters.iter();
        Self {
            id: o.id,
            user_id: o.user_id,
            context_id: o.context_id,
            exchange: o.exchange,
            symbol: o.symbol.clone(),
            bot_id: o.bot_id,
            source: o.source,
            side: o.side,
            kind,
            price,
            size_by,
            size,
            status: o.status,
            filled_quantity: o.filled_quantity,
            filled_quote: o.filled_quote,
            average_fill_price: o.average_fill_price,
            fees: amounts(&o.fees),
            fills: fills.collect(),
            exchange_order_id: o.exchange_order_id.clone(),
            client_order_id: o.client_order_id.clone(),
            creation: CreationDocument {
                parameters: parameters
                    .map(|(name, value)| TextDocument { name: name.clone(), value: value.clone() })
                    .collect(),
                indicators: amounts(&o.creation.indicators),
                market,
            },
            reason: o.reason.clone(),
            adopted: o.adopted,
            forgotten: o.forgotten,
            missing_since: o.missing_since,
            error: o.error.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            outbox: o.outbox.clone(),
            outbox_at: super::outbox::waiting_since(&o.outbox),
            version: o.version,
        }
    }
}

impl TryFrom<OrderDocument> for Order {
    type Error = String;

    fn try_from(d: OrderDocument) -> Result<Self, Self::Error> {
        let kind = match (d.kind, d.price) {
            (KindName::Market, _) => OrderKind::Market,
            (KindName::Limit, Some(price)) => OrderKind::Limit { price },
            (KindName::Limit, None) => return Err(format!("order {}: a limit order without a price", d.id)),
        };
        let size = match d.size_by {
            SizeBy::Quantity => OrderSize::Quantity(d.size),
            SizeBy::QuoteAmount => OrderSize::QuoteAmount(d.size),
        };
        let fills = d.fills.into_iter().map(|f| OrderFill {
            trade_id: f.trade_id,
            price: f.price,
            quantity: f.quantity,
            fee: f.fee,
            fee_asset: f.fee_asset,
            at: f.at,
        });
        let market = d.creation.market.map(|m| MarketConditions {
            best_bid: m.best_bid,
            best_ask: m.best_ask,
            spread: m.spread,
            spread_percent: m.spread_percent,
        });
        Ok(Order {
            id: d.id,
            user_id: d.user_id,
            context_id: d.context_id,
            exchange: d.exchange,
            symbol: d.symbol,
            bot_id: d.bot_id,
            source: d.source,
            side: d.side,
            kind,
            size,
            status: d.status,
            filled_quantity: d.filled_quantity,
            filled_quote: d.filled_quote,
            average_fill_price: d.average_fill_price,
            fees: amount_map(d.fees),
            fills: fills.collect(),
            exchange_order_id: d.exchange_order_id,
            client_order_id: d.client_order_id,
            creation: CreationContext {
                parameters: d.creation.parameters.into_iter().map(|p| (p.name, p.value)).collect(),
                indicators: amount_map(d.creation.indicators),
                market,
            },
            reason: d.reason,
            adopted: d.adopted,
            forgotten: d.forgotten,
            missing_since: d.missing_since,
            error: d.error,
            outbox: d.outbox,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        })
    }
}
