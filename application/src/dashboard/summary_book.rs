//! The heavy part of the dashboard summary, cached per user: what the user's bots and open orders
//! add up to, per mode and quote currency, per strategy and per context, with the base each
//! market holds and its cost, so that unrealized P&L can be marked at fresh prices on every read.
//! Pure: the stores' reads come in, the figures go out.

use std::collections::BTreeMap;

use domain::bots::{Bot, BotKind, BotStatus};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::orders::{Order, StrategySource};
use domain::shared::ids::ContextId;
use rust_decimal::Decimal;
use time::OffsetDateTime;

/// The strategies the summary breaks down, in the order it shows them.
pub const STRATEGIES: [BotKind; 4] = [BotKind::Smart, BotKind::Candle, BotKind::Dca, BotKind::Channel];

/// A market bots trade in: exchange, mode (live and paper prices are read apart) and symbol.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MarketKey {
    /// Exchange.
    pub exchange: ExchangeId,
    /// Live or paper.
    pub mode: ContextMode,
    /// Market.
    pub symbol: Symbol,
}

/// Base held in one market and what it cost (quote, fees included), over some bots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    /// Base held, net of base fees (the bots' `funds.holdings`).
    pub quantity: Decimal,
    /// Its cost basis (the bots' `funds.invested`).
    pub cost: Decimal,
}

/// What a set of bots and open orders add up to, all in one quote currency and one mode. Sums
/// saturate at a `Decimal`'s range (some 7.9e28), which no real book reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Capital allocated to the bots (`funds.allocated`).
    pub allocated: Decimal,
    /// Cost basis of what they hold (`funds.invested`).
    pub in_positions: Decimal,
    /// Realized profit, net of fees (`funds.realized_profit`).
    pub realized: Decimal,
    /// Fees paid in the quote currency (`funds.fees_quote`).
    pub fees_quote: Decimal,
    /// Fees paid in base assets (`funds.fees_base`), by asset.
    pub fees_base: BTreeMap<String, Decimal>,
    /// Closed trades.
    pub trades: u64,
    /// Of them, those with a realized profit above zero.
    pub winning_trades: u64,
    /// Bots.
    pub bots: u64,
    /// Bots running.
    pub active_bots: u64,
    /// Open orders (pending, new, partially filled), bots' and manual.
    pub pending_orders: u64,
    /// What is held, by market.
    pub holdings: BTreeMap<MarketKey, Holding>,
}

impl Tally {
    /// Adds `bot`, of which `wins` trades won.
    fn add_bot(&mut self, bot: &Bot, wins: u64) {
        let f = &bot.funds;
        self.allocated = self.allocated.saturating_add(f.allocated);
        self.in_positions = self.in_positions.saturating_add(f.invested);
        self.realized = self.realized.saturating_add(f.realized_profit);
        self.fees_quote = self.fees_quote.saturating_add(f.fees_quote);
        if !f.fees_base.is_zero() {
            let fees = self.fees_base.entry(bot.symbol.base().as_str().to_owned()).or_default();
            *fees = fees.saturating_add(f.fees_base);
        }
        self.trades += bot.trades;
        self.winning_trades += wins;
        self.bots += 1;
        self.active_bots += u64::from(bot.status == BotStatus::Running);
        if !f.holdings.is_zero() || !f.invested.is_zero() {
            let key = MarketKey { exchange: bot.exchange, mode: bot.mode, symbol: bot.symbol.clone() };
            let held = self.holdings.entry(key).or_default();
            held.quantity = held.quantity.saturating_add(f.holdings);
            held.cost = held.cost.saturating_add(f.invested);
        }
    }
}

/// The figures of one mode and quote currency: all of them, and per strategy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupBook {
    /// Every bot and open order of the group.
    pub total: Tally,
    /// Per strategy (each of [`STRATEGIES`], zeros when it has no bot).
    pub by_strategy: BTreeMap<BotKind, Tally>,
}

/// The figures of one trading context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextBook {
    /// The context.
    pub context: ContextId,
    /// Its exchange.
    pub exchange: ExchangeId,
    /// Its market.
    pub symbol: Symbol,
    /// Live or paper.
    pub mode: ContextMode,
    /// What its bots and open orders add up to.
    pub tally: Tally,
}

/// Everything the summary derives from the stores for one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    /// When it was computed.
    pub computed_at: OffsetDateTime,
    /// By mode and quote currency.
    pub groups: BTreeMap<(ContextMode, String), GroupBook>,
    /// By context, in the order the contexts were created.
    pub contexts: Vec<ContextBook>,
}

/// The strategy of an order's source (`None` for a manual order).
fn strategy_of(source: StrategySource) -> Option<BotKind> {
    match source {
        StrategySource::Manual => None,
        StrategySource::Smart => Some(BotKind::Smart),
        StrategySource::Candle => Some(BotKind::Candle),
        StrategySource::Dca => Some(BotKind::Dca),
        StrategySource::Channel => Some(BotKind::Channel),
    }
}

impl Book {
    /// The book of `contexts`, `bots` (each with its winning trades) and `open_orders` at `at`.
    /// An order of a context not in `contexts` (deleted since) is left out: its mode is unknown.
    pub fn build(contexts: &[TradingContext], bots: &[(Bot, u64)], open_orders: &[Order], at: OffsetDateTime) -> Self {
        let mut book = Self { computed_at: at, groups: BTreeMap::new(), contexts: Vec::new() };
        let mut index: BTreeMap<ContextId, usize> = BTreeMap::new();
        let mut context_of = |book: &mut Self, id: ContextId, exchange, symbol: &Symbol, mode| {
            *index.entry(id).or_insert_with(|| {
                let tally = Tally::default();
                book.contexts.push(ContextBook { context: id, exchange, symbol: symbol.clone(), mode, tally });
                book.contexts.len() - 1
            })
        };
        for c in contexts {
            context_of(&mut book, c.id, c.exchange, &c.symbol(), c.mode);
            // A context without bots still shows its currency, with zeros.
            book.group(c.mode, &c.symbol());
        }
        for (bot, wins) in bots {
            let i = context_of(&mut book, bot.context_id, bot.exchange, &bot.symbol, bot.mode);
            book.contexts[i].tally.add_bot(bot, *wins);
            let group = book.group(bot.mode, &bot.symbol);
            group.total.add_bot(bot, *wins);
            group.by_strategy.entry(bot.kind()).or_default().add_bot(bot, *wins);
        }
        for order in open_orders {
            let Some(&i) = index.get(&order.context_id) else { continue };
            book.contexts[i].tally.pending_orders += 1;
            let group = book.group(book.contexts[i].mode, &order.symbol);
            group.total.pending_orders += 1;
            if let Some(kind) = strategy_of(order.source) {
                group.by_strategy.entry(kind).or_default().pending_orders += 1;
            }
        }
        book
    }

    fn group(&mut self, mode: ContextMode, symbol: &Symbol) -> &mut GroupBook {
        self.groups.entry((mode, symbol.quote().as_str().to_owned())).or_insert_with(|| GroupBook {
            total: Tally::default(),
            by_strategy: STRATEGIES.iter().map(|k| (*k, Tally::default())).collect(),
        })
    }

    /// Every market something is held in, once.
    pub fn held_markets(&self) -> Vec<MarketKey> {
        let mut all: Vec<MarketKey> = self
            .groups
            .values()
            .flat_map(|g| g.total.holdings.iter())
            .filter(|(_, h)| h.quantity > Decimal::ZERO)
            .map(|(k, _)| k.clone())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}
