//! Named constructors shared by the orders' unit and property tests.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::OffsetDateTime;

use crate::exchange::{ExchangeId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderSide, OrderSize};
use crate::market::Symbol;
use crate::orders::{CreationContext, NewOrder, Order, StrategySource};
use crate::shared::ids::{BotId, ContextId, UserId};

/// When the fixtures' orders are created.
pub const T0: OffsetDateTime = datetime!(2026-01-02 03:04:05.678 UTC);
/// A later instant, with sub-millisecond digits.
pub const T1: OffsetDateTime = datetime!(2026-01-02 03:05:00.123456 UTC);

/// BTC-BRL.
pub fn btc_brl() -> Symbol {
    Symbol::parse("BTC-BRL").unwrap()
}

/// The request of a limit buy of 1 BTC at 100 BRL by a DCA bot.
pub fn limit_buy_request() -> NewOrder {
    NewOrder {
        user_id: UserId::new(),
        context_id: ContextId::new(),
        exchange: ExchangeId::Binance,
        symbol: btc_brl(),
        bot_id: Some(BotId::new()),
        source: StrategySource::Dca,
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: dec!(100) },
        size: OrderSize::Quantity(dec!(1)),
        creation: CreationContext::default(),
        reason: Some("dca step 1".into()),
    }
}

/// That limit buy, pending, created at [`T0`].
pub fn limit_buy() -> Order {
    Order::new(limit_buy_request(), T0).expect("the fixture order is valid")
}

/// A fill of `quantity` at `price` with `fee` in `fee_asset`, at [`T1`].
pub fn fill(trade_id: &str, quantity: Decimal, price: Decimal, fee: Decimal, fee_asset: &str) -> Fill {
    Fill { trade_id: trade_id.into(), price, quantity, fee, fee_asset: fee_asset.into(), at: Some(T1) }
}

/// The exchange's report of `order` with cumulative totals and no individual fills.
pub fn report(order: &Order, status: ExchangeOrderStatus, filled: Decimal, quote: Decimal) -> ExchangeOrder {
    ExchangeOrder {
        exchange_order_id: "881".into(),
        client_order_id: Some(order.client_order_id.clone()),
        symbol: order.symbol.clone(),
        side: order.side,
        kind: order.kind,
        status,
        quantity: Some(dec!(1)),
        quote_amount: None,
        filled_quantity: filled,
        filled_quote: quote,
        fills: Vec::new(),
        created_at: Some(T0),
        updated_at: Some(T1),
    }
}

/// A report carrying `fills` and totals that match them.
pub fn with_fills(order: &Order, status: ExchangeOrderStatus, fills: Vec<Fill>) -> ExchangeOrder {
    let filled = fills.iter().map(|f| f.quantity).sum();
    let quote = fills.iter().map(|f| f.quantity * f.price).sum();
    ExchangeOrder { fills, ..report(order, status, filled, quote) }
}
