//! The checks a manual order passes before it is stored: the market's filters (tick, step,
//! minimum and maximum quantity, minimum notional) and the free balance left after what the
//! context's running bots may still use. Nothing is rounded: a value the exchange would round or
//! refuse is refused here, naming the field and the nearest valid value.

use domain::bots::BotFilter;
use domain::contexts::TradingContext;
use domain::exchange::{OrderKind, OrderSide, OrderSize};
use domain::market::{Market, Ticker};
use domain::shared::ids::UserId;
use domain::PageRequest;
use rust_decimal::{Decimal, RoundingStrategy};

use super::OrderError;
use crate::FieldError;

/// What a manual order asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderShape {
    /// Buy or sell.
    pub side: OrderSide,
    /// Market or limit.
    pub kind: OrderKind,
    /// Quantity, or quote amount (market buys).
    pub size: OrderSize,
}

/// What is free for a manual order in a context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FreeBalance {
    /// Free base on the exchange.
    pub base: Decimal,
    /// Free quote on the exchange.
    pub quote: Decimal,
    /// Quote the context's running bots may still spend.
    pub bots_quote: Decimal,
    /// Base the context's running bots hold and may still sell.
    pub bots_base: Decimal,
}

impl OrderShape {
    /// The name of the size field the client sent.
    pub fn size_field(&self) -> &'static str {
        match self.size {
            OrderSize::Quantity(_) => "quantity",
            OrderSize::QuoteAmount(_) => "quote_amount",
        }
    }

    /// The price the order is valued at: its limit, else the side of the book it takes.
    pub fn reference_price(&self, ticker: &Ticker) -> Decimal {
        match (self.kind, self.side) {
            (OrderKind::Limit { price }, _) => price,
            (OrderKind::Market, OrderSide::Buy) => ticker.ask,
            (OrderKind::Market, OrderSide::Sell) => ticker.bid,
        }
    }
}

fn floor_to(value: Decimal, step: Decimal) -> Decimal {
    ((value / step).floor() * step).normalize()
}

fn ceil_to(value: Decimal, step: Decimal) -> Decimal {
    if step <= Decimal::ZERO {
        return value.round_dp_with_strategy(8, RoundingStrategy::AwayFromZero).normalize();
    }
    ((value / step).ceil() * step).normalize()
}

/// "the nearest valid {what} are lo and hi" (only hi when lo is zero).
fn nearest(what: &str, value: Decimal, step: Decimal) -> String {
    let (lo, hi) = (floor_to(value, step), ceil_to(value, step));
    if lo.is_zero() {
        format!("the nearest valid {what} is {hi}")
    } else {
        format!("the nearest valid {what}s are {lo} and {hi}")
    }
}

/// Checks `shape` against `market`'s filters, valued at `ticker`'s prices (`quote`: the quote
/// asset, for messages). Errors: `MarketClosed`; `Invalid` naming each bad field with one of the
/// codes `off_tick`, `off_step`, `below_min_quantity`, `above_max_quantity`, `below_min_notional`.
pub fn check_filters(market: &Market, ticker: &Ticker, shape: &OrderShape, quote: &str) -> Result<(), OrderError> {
    if !market.trading {
        return Err(OrderError::MarketClosed { symbol: market.symbol.to_string() });
    }
    let f = &market.filters;
    let price = shape.reference_price(ticker);
    let mut errors = Vec::new();
    if let OrderKind::Limit { price } = shape.kind {
        if f.tick_size > Decimal::ZERO && !(price % f.tick_size).is_zero() {
            let message = format!(
                "price {price} is not a multiple of the tick size {}; {}",
                f.tick_size.normalize(),
                nearest("price", price, f.tick_size)
            );
            errors.push(FieldError::new("price", crate::FieldCode::OffTick, message));
        }
    }
    match shape.size {
        OrderSize::Quantity(q) => {
            let before = errors.len();
            if f.step_size > Decimal::ZERO && !(q % f.step_size).is_zero() {
                let message = format!(
                    "quantity {q} is not a multiple of the step size {}; {}",
                    f.step_size.normalize(),
                    nearest("quantity", q, f.step_size)
                );
                errors.push(FieldError::new("quantity", crate::FieldCode::OffStep, message));
            }
            if q < f.min_quantity {
                let min = f.min_quantity.normalize();
                let message =
                    format!("quantity {q} is below the market minimum {min}; the smallest valid quantity is {min}");
                errors.push(FieldError::new("quantity", crate::FieldCode::BelowMinQuantity, message));
            }
            if f.max_quantity > Decimal::ZERO && q > f.max_quantity {
                let max = f.max_quantity.normalize();
                let message =
                    format!("quantity {q} is above the market maximum {max}; the largest valid quantity is {max}");
                errors.push(FieldError::new("quantity", crate::FieldCode::AboveMaxQuantity, message));
            }
            let notional = q.checked_mul(price).unwrap_or(Decimal::MAX);
            if errors.len() == before && notional < f.min_notional {
                let smallest = ceil_to(f.min_notional / price, f.step_size).max(f.min_quantity.normalize());
                let message = format!(
                    "the order is worth {} {quote} at {price}, below the market minimum {} {quote}; the smallest valid quantity at that price is {smallest}",
                    notional.normalize(),
                    f.min_notional.normalize(),
                );
                errors.push(FieldError::new("quantity", crate::FieldCode::BelowMinNotional, message));
            }
        }
        OrderSize::QuoteAmount(amount) => {
            if amount < f.min_notional {
                let min = f.min_notional.normalize();
                let message = format!(
                    "quote_amount {amount} is below the market minimum {min} {quote}; the smallest valid quote_amount is {min}"
                );
                errors.push(FieldError::new("quote_amount", crate::FieldCode::BelowMinNotional, message));
            } else if price > Decimal::ZERO && amount / price < f.min_quantity {
                let smallest = ceil_to(f.min_quantity * price, f.tick_size);
                let message = format!(
                    "quote_amount {amount} buys about {} at the best ask {price}, below the market minimum quantity {}; the smallest valid quote_amount is {smallest}",
                    (amount / price).round_dp(8).normalize(),
                    f.min_quantity.normalize(),
                );
                errors.push(FieldError::new("quote_amount", crate::FieldCode::BelowMinQuantity, message));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(OrderError::Invalid(errors))
    }
}

/// Checks that `shape` fits in what is free: a buy's value (a limit at its price, a market order
/// at the best ask; fees aside) in the free quote after what the context's running bots may still
/// spend; a sale's quantity in the free base after what those bots hold. `assets` are (base,
/// quote), for messages. Errors: `Invalid`, `insufficient_balance` on the size field.
pub fn check_balance(
    shape: &OrderShape,
    ticker: &Ticker,
    free: &FreeBalance,
    assets: (&str, &str),
) -> Result<(), OrderError> {
    let (needed, on_exchange, bots, asset, use_) = match (shape.side, shape.size) {
        (OrderSide::Buy, OrderSize::QuoteAmount(amount)) => (amount, free.quote, free.bots_quote, assets.1, "spend"),
        (OrderSide::Buy, OrderSize::Quantity(q)) => {
            // Beyond a Decimal is beyond any balance.
            let value = q.checked_mul(shape.reference_price(ticker)).unwrap_or(Decimal::MAX);
            (value, free.quote, free.bots_quote, assets.1, "spend")
        }
        (OrderSide::Sell, OrderSize::Quantity(q) | OrderSize::QuoteAmount(q)) => {
            (q, free.base, free.bots_base, assets.0, "sell")
        }
    };
    let available = (on_exchange - bots).max(Decimal::ZERO);
    if needed <= available {
        return Ok(());
    }
    let after_bots = if bots > Decimal::ZERO {
        format!(" after the {} {asset} the context's running bots may still {use_}", bots.normalize())
    } else {
        String::new()
    };
    let message = format!(
        "the order needs {} {asset} but only {} {asset} is free{after_bots}",
        needed.normalize(),
        available.normalize()
    );
    Err(OrderError::Invalid(vec![FieldError::new(shape.size_field(), crate::FieldCode::InsufficientBalance, message)]))
}

impl super::OrderService {
    /// What is free for a manual order in `context`: the exchange's free balances, and what the
    /// context's running (evaluated) bots may still spend (their available quote; what they
    /// blocked already sits locked on the exchange) and sell (their holdings not yet locked in a
    /// sell order).
    pub(super) async fn free_balance(
        &self,
        owner: UserId,
        context: &TradingContext,
    ) -> Result<FreeBalance, OrderError> {
        let balance = self.ports.contexts.balance(owner, context.id).await?;
        let mut free = FreeBalance { base: balance.base.free, quote: balance.quote.free, ..FreeBalance::default() };
        let filter = BotFilter { context: Some(context.id), ..BotFilter::default() };
        let mut offset = 0;
        loop {
            let page = self.ports.bots.list(owner, &filter, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await?;
            for bot in page.items.iter().filter(|b| b.status.is_evaluated()) {
                free.bots_quote += bot.funds.available;
                free.bots_base += (bot.funds.holdings - bot.funds.holdings_locked).max(Decimal::ZERO);
            }
            offset += page.items.len() as u64;
            if page.items.is_empty() || offset >= page.total {
                return Ok(free);
            }
        }
    }
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
