//! A tiny deterministic market for the bots' scenario tests: every intent fills at once at the
//! price (limit orders when the price reaches them), with a fee on what is received, as the
//! exchanges charge it. After every step the books must balance and positions must add up.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::contexts::{ContextMode, TradingContext};
use crate::exchange::{ClientOrderId, ExchangeId, OrderSide};
use crate::market::{MarketFilters, Symbol};
use crate::shared::ids::UserId;

pub(super) struct Sim {
    pub bot: Bot,
    pub filters: MarketFilters,
    pub fee_rate: Decimal,
    pub now: OffsetDateTime,
    pub price: Decimal,
    pub events: Vec<BotEvent>,
    pub resting: Vec<(ClientOrderId, OrderIntent)>,
    pub sells: Vec<(Decimal, Purpose)>,
    pub candles: Vec<crate::market::Candle>,
    /// Whether the view carries the market's shared columns, built (as the engine builds them)
    /// over the closed candles and a forming one the bot must leave out.
    pub share_columns: bool,
    /// Whether a refused fill or intent fails the test (else it is kept in `errors`).
    pub strict: bool,
    pub errors: Vec<BotError>,
    /// Whether the books must balance to the last place (else to a Decimal's 28 digits).
    pub exact: bool,
    /// The largest magnitude any figure of the books or positions has reached: what is left of a
    /// position traded at that size is only known to a Decimal's 28 digits of it.
    pub peak: std::cell::Cell<Decimal>,
}

pub(super) fn filters() -> MarketFilters {
    MarketFilters {
        tick_size: dec!(0.01),
        step_size: dec!(0.00000001),
        min_quantity: dec!(0.00000001),
        max_quantity: dec!(0),
        min_notional: dec!(1),
    }
}

impl Sim {
    pub fn new(kind: BotKind, config: serde_json::Value, fee_rate: Decimal) -> Self {
        let config = BotConfig::parse(kind, &config).expect("valid config");
        let start = datetime!(2026-01-05 00:00 UTC);
        let symbol = Symbol::parse("BTC-BRL").unwrap();
        let ctx = TradingContext::new(UserId::new(), ExchangeId::Binance, &symbol, ContextMode::Paper, start);
        let mut bot = Bot::new(&ctx, "sim".into(), config, start);
        bot.command(Command::Start, "test", start).unwrap();
        Self {
            bot,
            filters: filters(),
            fee_rate,
            now: start,
            price: Decimal::ZERO,
            events: vec![],
            resting: vec![],
            sells: vec![],
            candles: vec![],
            share_columns: false,
            strict: true,
            errors: vec![],
            exact: true,
            peak: std::cell::Cell::new(Decimal::ZERO),
        }
    }

    /// `result`'s events, or (when not strict) none and the error kept.
    fn keep<T: Default>(&mut self, result: Result<T, BotError>) -> T {
        match result {
            Ok(value) => value,
            Err(err) if !self.strict => {
                self.errors.push(err);
                T::default()
            }
            Err(err) => panic!("the bot refused: {err}"),
        }
    }

    /// A view at `price` (bid and ask alike), trading, with `candles` when there are any.
    pub fn view<'a>(
        price: Decimal,
        filters: &'a MarketFilters,
        candles: &'a [crate::market::Candle],
    ) -> MarketView<'a> {
        let candles = (!candles.is_empty()).then_some(candles);
        MarketView {
            price,
            bid: price,
            ask: price,
            filters,
            trading: true,
            volatility_percent: None,
            candles,
            columns: None,
            account_quote: None,
        }
    }

    /// Appends an hourly candle closing at `close` (it closes one hour after it opens) and steps
    /// to its close at that price.
    pub fn candle(&mut self, close: Decimal) {
        let open_time = self.now;
        self.candles.push(crate::market::Candle {
            open_time,
            open: close,
            high: close,
            low: close,
            close,
            volume: Decimal::ONE,
            quote_volume: None,
        });
        self.step(60, close);
    }

    /// Moves the clock by `minutes`, sets the price, matches resting orders and runs every phase.
    pub fn step(&mut self, minutes: i64, price: Decimal) {
        self.now += Duration::minutes(minutes);
        self.price = price;
        self.match_resting();
        for phase in [Phase::Protect, Phase::Exit, Phase::Entry] {
            let filters = self.filters;
            let mut candles = std::mem::take(&mut self.candles);
            let closed = candles.len();
            let columns = std::sync::OnceLock::new();
            if self.share_columns {
                if let Some(last) = candles.last().cloned() {
                    candles.push(crate::market::Candle { open_time: self.now, ..last });
                }
            }
            let mut view = Self::view(price, &filters, &candles);
            view.columns = self.share_columns.then_some(&columns);
            let out = self.bot.evaluate(phase, &view, self.now);
            candles.truncate(closed);
            self.candles = candles;
            self.apply(out);
        }
    }

    /// Sells everything now (the emergency sell), at the current price.
    pub fn emergency(&mut self) {
        let filters = self.filters;
        let out = self.bot.emergency_sell(&Self::view(self.price, &filters, &[]), self.now);
        self.apply(out);
    }

    /// Cancels and places what an evaluation asks, then matches and checks the books.
    fn apply(&mut self, out: Evaluation) {
        let price = self.price;
        self.events.extend(out.events);
        for id in out.cancel {
            self.resting.retain(|(r, _)| r != &id);
            let ev = self.bot.on_progress(&id, OrderProgress::ended(), &self.filters, price, self.now);
            let ev = self.keep(ev);
            self.events.extend(ev);
        }
        for intent in out.place {
            let id = ClientOrderId::generate();
            let accepted = self.bot.accept(&intent, id.clone(), self.now).map(|_| true);
            if self.keep(accepted) {
                self.resting.push((id, intent));
            }
        }
        self.match_resting();
        self.check();
    }

    fn match_resting(&mut self) {
        let price = self.price;
        let ready: Vec<(ClientOrderId, OrderIntent)> = self
            .resting
            .iter()
            .filter(|(_, i)| match (i.side, i.limit_price) {
                (_, None) => true,
                (OrderSide::Buy, Some(l)) => price <= l,
                (OrderSide::Sell, Some(l)) => price >= l,
            })
            .cloned()
            .collect();
        for (id, intent) in ready {
            self.resting.retain(|(r, _)| r != &id);
            let fill_price = intent.limit_price.unwrap_or(price);
            let qty = match (intent.quantity, intent.quote_amount) {
                (Some(q), _) => q,
                (None, Some(a)) => self.filters.floor_quantity(a / fill_price),
                _ => unreachable!(),
            };
            // An exchange refuses an order worth more than a Decimal holds: it ends unfilled.
            // A quote-sized order never spends more than its amount (28-digit rounding aside).
            let quote = qty.checked_mul(fill_price).map(|q| intent.quote_amount.map_or(q, |a| q.min(a)));
            let Some(quote) = quote else {
                let ev = self.bot.on_progress(&id, OrderProgress::ended(), &self.filters, price, self.now);
                let ev = self.keep(ev);
                self.events.extend(ev);
                continue;
            };
            let (fee, asset) = match intent.side {
                OrderSide::Buy => (qty * self.fee_rate, FeeAsset::Base),
                OrderSide::Sell => (quote * self.fee_rate, FeeAsset::Quote),
            };
            if intent.side == OrderSide::Sell {
                self.sells.push((fill_price, intent.purpose));
            }
            let progress =
                OrderProgress { filled_quantity: qty, filled_quote: quote, fee, fee_asset: Some(asset), done: true };
            let ev = self.bot.on_progress(&id, progress, &self.filters, price, self.now);
            let ev = self.keep(ev);
            self.events.extend(ev);
            self.check();
        }
    }

    fn check(&self) {
        let f = &self.bot.funds;
        let held: Decimal = self.bot.positions.iter().map(|p| p.quantity).sum::<Decimal>() + self.bot.dust.quantity;
        let cost: Decimal = self.bot.positions.iter().map(|p| p.cost).sum::<Decimal>() + self.bot.dust.cost;
        if self.exact {
            assert!(f.is_consistent(), "books out of balance: {f:?}");
            assert_eq!(held, f.holdings, "positions hold what the books hold");
            assert_eq!(cost, f.invested, "positions cost what the books say");
            return;
        }
        // At the extremes a figure keeps only the places a 28-digit Decimal has left after its
        // integer part: the books then balance to that precision, relative to the largest figure
        // the bot has handled (a sale of a position bought at 1e27 units leaves a residue of that
        // order's last digits). Cost shares are rounded to 12 places, so a few units of 1e-12 may
        // part too.
        let now =
            [f.allocated, f.available, f.proceeds, f.invested, f.holdings, held, cost].iter().map(|v| v.abs()).max();
        self.peak.set(self.peak.get().max(now.unwrap_or_default()));
        let tolerance = self.peak.get() * dec!(1e-18) + dec!(1e-10);
        let near = |a: Decimal, b: Decimal| (a - b).abs() <= tolerance;
        let owned = f.allocated + f.realized_profit;
        assert!(near(owned, f.available + f.blocked + f.invested), "books out of balance: {f:?}");
        for v in [f.available, f.blocked, f.invested, f.holdings, f.holdings_locked, f.proceeds] {
            assert!(near(v.min(Decimal::ZERO), Decimal::ZERO) || v >= Decimal::ZERO, "negative figure: {f:?}");
        }
        assert!(near(held, f.holdings), "positions hold what the books hold: {held} vs {f:?}");
        assert!(near(cost, f.invested), "positions cost what the books say: {cost} vs {f:?}");
    }

    pub fn closed(&self) -> Vec<&Position> {
        self.events
            .iter()
            .filter_map(|e| match e {
                BotEvent::PositionClosed(p) => Some(p),
                _ => None,
            })
            .collect()
    }
}
