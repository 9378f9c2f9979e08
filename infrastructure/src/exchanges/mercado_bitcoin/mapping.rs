//! Translation of Mercado Bitcoin payloads into domain types.

use domain::exchange::{
    Balance, ClientOrderId, ExchangeError, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderSide,
};
use domain::market::{BookLevel, Symbol, Ticker};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::dto::{BalanceDto, ExecutionDto, Num, OrderBookDto, OrderDto, TickerDto};

fn bad(what: String) -> ExchangeError {
    ExchangeError::unavailable(anyhow::anyhow!("unexpected Mercado Bitcoin payload: {what}"))
}

/// An instant sent as a Unix number. The unit is not reliably documented (the ticker's `date` is
/// described as nanoseconds but shown in seconds), so it is inferred from the magnitude.
pub(crate) fn instant(raw: Num) -> Option<OffsetDateTime> {
    let n = raw.0.trunc().to_i128()?;
    let nanos = match n.unsigned_abs() {
        0..=99_999_999_999 => n * 1_000_000_000,
        100_000_000_000..=99_999_999_999_999 => n * 1_000_000,
        100_000_000_000_000..=99_999_999_999_999_999 => n * 1_000,
        _ => n,
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// A ticker; `now` stands in when the exchange sends no date.
pub(crate) fn ticker(symbol: &Symbol, dto: &TickerDto, now: OffsetDateTime) -> Ticker {
    Ticker {
        symbol: symbol.clone(),
        last: dto.last.0,
        bid: dto.buy.0,
        ask: dto.sell.0,
        volume_24h: dto.vol.0,
        at: dto.date.and_then(instant).unwrap_or(now),
    }
}

/// One side of a book, sorted best first (`descending` for bids) and cut to `depth`.
pub(crate) fn book_side(levels: &[Vec<Num>], descending: bool, depth: usize) -> Result<Vec<BookLevel>, ExchangeError> {
    let mut side = levels
        .iter()
        .map(|level| match level.as_slice() {
            [price, quantity, ..] => Ok(BookLevel { price: price.0, quantity: quantity.0 }),
            _ => Err(bad(format!("order book level of {} values", level.len()))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    side.sort_by(|a, b| if descending { b.price.cmp(&a.price) } else { a.price.cmp(&b.price) });
    side.truncate(depth);
    Ok(side)
}

/// The book's timestamp, or `now`.
pub(crate) fn book_time(dto: &OrderBookDto, now: OffsetDateTime) -> OffsetDateTime {
    dto.timestamp.and_then(instant).unwrap_or(now)
}

/// A balance.
pub(crate) fn balance(dto: &BalanceDto) -> Balance {
    Balance { asset: dto.symbol.to_ascii_uppercase(), free: dto.available.0, locked: dto.on_hold.0 }
}

fn side(raw: &str) -> Result<OrderSide, ExchangeError> {
    match raw.to_ascii_lowercase().as_str() {
        "buy" | "bid" => Ok(OrderSide::Buy),
        "sell" | "ask" => Ok(OrderSide::Sell),
        other => Err(bad(format!("order side `{other}`"))),
    }
}

/// `created` and `working` are open (`working` may be partly filled); there is no "rejected".
fn status(raw: &str, filled: Decimal) -> Result<ExchangeOrderStatus, ExchangeError> {
    match raw {
        "created" => Ok(ExchangeOrderStatus::New),
        "working" if filled > Decimal::ZERO => Ok(ExchangeOrderStatus::PartiallyFilled),
        "working" => Ok(ExchangeOrderStatus::New),
        "cancelled" | "canceled" => Ok(ExchangeOrderStatus::Canceled),
        "filled" => Ok(ExchangeOrderStatus::Filled),
        other => Err(bad(format!("order status `{other}`"))),
    }
}

/// A fill. The fee rate is a percentage; Mercado Bitcoin takes it from what the order
/// receives: the base asset on a buy, the quote asset on a sell.
fn fill(dto: &ExecutionDto, side: OrderSide, symbol: &Symbol) -> Fill {
    let rate = dto.fee_rate.map_or(Decimal::ZERO, |r| r.0 / Decimal::ONE_HUNDRED);
    let (fee, fee_asset) = match side {
        OrderSide::Buy => (dto.qty.0 * rate, symbol.base()),
        OrderSide::Sell => (dto.qty.0 * dto.price.0 * rate, symbol.quote()),
    };
    let trade_id = match &dto.id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Fill {
        trade_id,
        price: dto.price.0,
        quantity: dto.qty.0,
        fee: fee.normalize(),
        fee_asset: fee_asset.to_string(),
        at: dto.executed_at.and_then(instant),
    }
}

/// An order. `fallback_symbol` is used when the payload names no instrument.
pub(crate) fn order(dto: &OrderDto, fallback_symbol: &Symbol) -> Result<ExchangeOrder, ExchangeError> {
    let symbol = match dto.instrument.as_deref() {
        Some(raw) => Symbol::parse(raw).map_err(|e| bad(e.to_string()))?,
        None => fallback_symbol.clone(),
    };
    let side = side(&dto.side)?;
    let kind = match dto.kind.as_str() {
        "market" => OrderKind::Market,
        _ => OrderKind::Limit {
            price: dto.limit_price.map(|p| p.0).ok_or_else(|| bad(format!("{} order without limitPrice", dto.kind)))?,
        },
    };
    let filled_quantity = dto.filled_qty.map_or(Decimal::ZERO, |n| n.0);
    let fills: Vec<Fill> = dto.executions.iter().map(|e| fill(e, side, &symbol)).collect();
    let filled_quote = if fills.is_empty() {
        dto.avg_price.map_or(Decimal::ZERO, |p| p.0 * filled_quantity)
    } else {
        fills.iter().map(|f| f.price * f.quantity).sum()
    };
    let quantity = dto.qty.map(|n| n.0).filter(|q| *q > Decimal::ZERO);
    let quote_amount = if quantity.is_none() { dto.cost.map(|n| n.0).filter(|c| *c > Decimal::ZERO) } else { None };
    Ok(ExchangeOrder {
        exchange_order_id: dto.id.clone(),
        client_order_id: dto.external_id.as_deref().and_then(ClientOrderId::parse),
        symbol,
        side,
        kind,
        status: status(&dto.status, filled_quantity)?,
        quantity,
        quote_amount,
        filled_quantity,
        filled_quote: filled_quote.normalize(),
        fills,
        created_at: dto.created_at.and_then(instant),
        updated_at: dto.updated_at.and_then(instant),
    })
}

#[cfg(test)]
#[path = "tests/mapping_tests.rs"]
mod tests;
