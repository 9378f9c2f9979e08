//! The dashboard summary's figures: a [`Book`] marked at the prices just read. Unrealized P&L is
//! the catalogue's `Σ quantity × current_price − cost_basis` over what is held, per market; a
//! market whose price could not be read makes every figure that holds it `None`, with the market
//! named, rather than a wrong number or an error.

use std::collections::BTreeMap;

use domain::bots::BotKind;
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::ContextId;
use rust_decimal::{Decimal, RoundingStrategy};
use time::OffsetDateTime;

use super::summary_book::{Book, MarketKey, Tally};

/// Which ticker price marks a holding: the last traded price.
pub const PRICE_SOURCE: &str = "last";

/// The price one market was marked at, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketPrice {
    /// The market.
    pub market: MarketKey,
    /// The ticker's last price, or why none could be read (an exchange error, never a secret).
    pub price: Result<Decimal, String>,
    /// When the exchange says the price was current (`None` when none was read).
    pub exchange_at: Option<OffsetDateTime>,
    /// When botfleet read it.
    pub read_at: OffsetDateTime,
}

/// The figures of one set of bots in one quote currency and mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Capital allocated to the bots.
    pub total_invested: Decimal,
    /// Cost basis of what they hold.
    pub total_in_positions: Decimal,
    /// Realized P&L, net of fees.
    pub realized_pnl: Decimal,
    /// Unrealized P&L at the prices read; `None` when a market held could not be priced.
    pub unrealized_pnl: Option<Decimal>,
    /// The markets held whose price could not be read (why `unrealized_pnl` is `None`).
    pub unpriced_markets: Vec<MarketKey>,
    /// Fees paid in the quote currency.
    pub fees_paid: Decimal,
    /// Fees paid in base assets, by asset.
    pub fees_paid_base: BTreeMap<String, Decimal>,
    /// `winning_trades / trades × 100` to 2 places; `None` without trades.
    pub win_rate: Option<Decimal>,
    /// Closed trades.
    pub trades: u64,
    /// Closed trades with a profit.
    pub winning_trades: u64,
    /// Bots.
    pub bots: u64,
    /// Bots running.
    pub active_bots: u64,
    /// Open orders.
    pub pending_orders: u64,
}

/// `wins / trades × 100`, rounded half away from zero to 2 places; `None` without trades.
pub fn win_rate(wins: u64, trades: u64) -> Option<Decimal> {
    if trades == 0 {
        return None;
    }
    let rate = Decimal::from(wins) * Decimal::ONE_HUNDRED / Decimal::from(trades);
    let mut rate = rate.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rate.rescale(2);
    Some(rate)
}

/// `Σ quantity × price − cost` over `holdings`, or the markets that could not be priced.
fn unrealized(
    holdings: &BTreeMap<MarketKey, super::summary_book::Holding>,
    prices: &BTreeMap<&MarketKey, &MarketPrice>,
) -> Result<Decimal, Vec<MarketKey>> {
    let mut total = Decimal::ZERO;
    let mut unpriced = Vec::new();
    for (market, held) in holdings {
        if held.quantity.is_zero() {
            total = total.saturating_sub(held.cost);
            continue;
        }
        let price = prices.get(market).and_then(|p| p.price.as_ref().ok());
        match price.and_then(|p| held.quantity.checked_mul(*p)) {
            Some(value) => total = total.saturating_add(value).saturating_sub(held.cost),
            None => unpriced.push(market.clone()),
        }
    }
    if unpriced.is_empty() {
        Ok(total)
    } else {
        Err(unpriced)
    }
}

impl Figures {
    /// `tally` marked at `prices`.
    pub fn of(tally: &Tally, prices: &BTreeMap<&MarketKey, &MarketPrice>) -> Self {
        let (unrealized_pnl, unpriced_markets) = match unrealized(&tally.holdings, prices) {
            Ok(value) => (Some(value), Vec::new()),
            Err(markets) => (None, markets),
        };
        Self {
            total_invested: tally.allocated,
            total_in_positions: tally.in_positions,
            realized_pnl: tally.realized,
            unrealized_pnl,
            unpriced_markets,
            fees_paid: tally.fees_quote,
            fees_paid_base: tally.fees_base.clone(),
            win_rate: win_rate(tally.winning_trades, tally.trades),
            trades: tally.trades,
            winning_trades: tally.winning_trades,
            bots: tally.bots,
            active_bots: tally.active_bots,
            pending_orders: tally.pending_orders,
        }
    }
}

/// One mode and quote currency of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencySummary {
    /// Live or paper.
    pub mode: ContextMode,
    /// The quote currency every money figure is in.
    pub quote: String,
    /// All its bots and orders.
    pub figures: Figures,
    /// Per strategy, each of smart, candle, dca and channel.
    pub by_strategy: Vec<(BotKind, Figures)>,
}

/// One trading context of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextSummary {
    /// The context.
    pub context: ContextId,
    /// Its exchange.
    pub exchange: ExchangeId,
    /// Its market (the quote currency is its quote).
    pub symbol: Symbol,
    /// Live or paper.
    pub mode: ContextMode,
    /// Its bots and orders.
    pub figures: Figures,
}

/// The dashboard summary of one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// When the figures other than the prices and unrealized P&L were computed (they are cached
    /// up to 60 s, less when a fill lands).
    pub as_of: OffsetDateTime,
    /// By mode and quote currency, live first.
    pub currencies: Vec<CurrencySummary>,
    /// By context, oldest first.
    pub contexts: Vec<ContextSummary>,
    /// The price of every market held, as read for this answer.
    pub prices: Vec<MarketPrice>,
}

impl Summary {
    /// `book` marked at `prices`.
    pub fn of(book: &Book, prices: Vec<MarketPrice>) -> Self {
        let marks: BTreeMap<&MarketKey, &MarketPrice> = prices.iter().map(|p| (&p.market, p)).collect();
        let currencies = book
            .groups
            .iter()
            .map(|((mode, quote), group)| CurrencySummary {
                mode: *mode,
                quote: quote.clone(),
                figures: Figures::of(&group.total, &marks),
                by_strategy: group.by_strategy.iter().map(|(kind, t)| (*kind, Figures::of(t, &marks))).collect(),
            })
            .collect();
        let contexts = book
            .contexts
            .iter()
            .map(|c| ContextSummary {
                context: c.context,
                exchange: c.exchange,
                symbol: c.symbol.clone(),
                mode: c.mode,
                figures: Figures::of(&c.tally, &marks),
            })
            .collect();
        Self { as_of: book.computed_at, currencies, contexts, prices }
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
