//! A paper order as stored (decimals as canonical strings, instants as unix milliseconds) and its
//! conversion to the domain's [`ExchangeOrder`].

use domain::exchange::{
    ClientOrderId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderRequest, OrderSide, OrderSize,
};
use domain::market::Symbol;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `#[serde(with = "canon")]`: a decimal stored as its normalised string (`"0.5"`, never `"0.50"`).
pub(crate) mod canon {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.normalize().to_string())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        Decimal::from_str(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "canon_opt")]`: an optional decimal as a normalised string or `null`.
pub(crate) mod canon_opt {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.normalize().to_string()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<String>::deserialize(d)?.map(|s| Decimal::from_str(&s).map_err(serde::de::Error::custom)).transpose()
    }
}

/// One execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PaperFill {
    /// Unique trade id (a ULID).
    pub trade_id: String,
    /// Price.
    #[serde(with = "canon")]
    pub price: Decimal,
    /// Base quantity.
    #[serde(with = "canon")]
    pub quantity: Decimal,
    /// Fee, in `fee_asset` (the asset received).
    #[serde(with = "canon")]
    pub fee: Decimal,
    /// The fee's asset.
    pub fee_asset: String,
    /// When, in unix milliseconds.
    pub at: i64,
}

/// An order of a paper account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PaperOrder {
    /// The exchange order id (a ULID).
    pub id: String,
    /// The client's id, unique per account.
    pub client_order_id: ClientOrderId,
    /// Market.
    pub symbol: Symbol,
    /// Side.
    pub side: OrderSide,
    /// The limit price; `None` for a market order.
    #[serde(with = "canon_opt")]
    pub limit_price: Option<Decimal>,
    /// Requested base quantity, when sized by quantity.
    #[serde(with = "canon_opt")]
    pub quantity: Option<Decimal>,
    /// Requested quote amount, when sized by amount.
    #[serde(with = "canon_opt")]
    pub quote_amount: Option<Decimal>,
    /// State.
    pub status: ExchangeOrderStatus,
    /// Base filled.
    #[serde(with = "canon")]
    pub filled_quantity: Decimal,
    /// Quote filled.
    #[serde(with = "canon")]
    pub filled_quote: Decimal,
    /// Executions.
    pub fills: Vec<PaperFill>,
    /// Funds still held for the order (quote for buys, base for sells).
    #[serde(with = "canon")]
    pub locked: Decimal,
    /// Accepted at, unix milliseconds.
    pub created_at: i64,
    /// Last change, unix milliseconds.
    pub updated_at: i64,
}

fn instant(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

impl PaperOrder {
    /// A new, unfilled order for `req` at `now_ms`.
    pub fn new(req: &OrderRequest, now_ms: i64) -> Self {
        let (quantity, quote_amount) = match req.size {
            OrderSize::Quantity(q) => (Some(q), None),
            OrderSize::QuoteAmount(a) => (None, Some(a)),
        };
        Self {
            id: ulid::Ulid::new().to_string(),
            client_order_id: req.client_order_id.clone(),
            symbol: req.symbol.clone(),
            side: req.side,
            limit_price: match req.kind {
                OrderKind::Market => None,
                OrderKind::Limit { price } => Some(price),
            },
            quantity,
            quote_amount,
            status: ExchangeOrderStatus::New,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            fills: Vec::new(),
            locked: Decimal::ZERO,
            created_at: now_ms,
            updated_at: now_ms,
        }
    }

    /// Whether it can still fill or be cancelled.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    /// The domain view.
    pub fn to_exchange(&self) -> ExchangeOrder {
        ExchangeOrder {
            exchange_order_id: self.id.clone(),
            client_order_id: Some(self.client_order_id.clone()),
            symbol: self.symbol.clone(),
            side: self.side,
            kind: self.limit_price.map_or(OrderKind::Market, |price| OrderKind::Limit { price }),
            status: self.status,
            quantity: self.quantity,
            quote_amount: self.quote_amount,
            filled_quantity: self.filled_quantity,
            filled_quote: self.filled_quote,
            fills: self
                .fills
                .iter()
                .map(|f| Fill {
                    trade_id: f.trade_id.clone(),
                    price: f.price,
                    quantity: f.quantity,
                    fee: f.fee,
                    fee_asset: f.fee_asset.clone(),
                    at: instant(f.at),
                })
                .collect(),
            created_at: instant(self.created_at),
            updated_at: instant(self.updated_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_has_canonical_decimals_and_round_trips() {
        let req = OrderRequest {
            symbol: Symbol::parse("BTC-BRL").unwrap(),
            side: OrderSide::Buy,
            kind: OrderKind::Limit { price: Decimal::new(1_000_000, 2) },
            size: OrderSize::Quantity(Decimal::new(5_000, 4)),
            client_order_id: ClientOrderId::generate(),
        };
        let order = PaperOrder::new(&req, 1_700_000_000_123);
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["limit_price"], "10000");
        assert_eq!(json["quantity"], "0.5");
        assert_eq!(json["quote_amount"], serde_json::Value::Null);
        assert_eq!(json["symbol"], "BTC-BRL");
        let back: PaperOrder = serde_json::from_value(json).unwrap();
        assert_eq!(back, order);
        let view = order.to_exchange();
        assert_eq!(view.kind, OrderKind::Limit { price: Decimal::from(10_000) });
        assert_eq!(view.created_at.map(|t| t.unix_timestamp()), Some(1_700_000_000));
    }
}
