//! The summary's figures on hand-made books: grouping by mode and quote currency, per strategy
//! and per context, marking at prices (and without one), the win rate's rounding.

use std::collections::BTreeMap;

use domain::bots::{Bot, BotConfig, BotKind, Command};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::{ExchangeId, OrderKind, OrderSide, OrderSize};
use domain::market::Symbol;
use domain::orders::{CreationContext, NewOrder, Order, StrategySource};
use domain::shared::ids::UserId;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use time::macros::datetime;
use time::OffsetDateTime;

use crate::dashboard::summary_book::{Book, MarketKey};
use crate::dashboard::summary_figures::{win_rate, Figures, MarketPrice, Summary};

const AT: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

fn context(user: UserId, exchange: ExchangeId, symbol: &str, mode: ContextMode) -> TradingContext {
    TradingContext::new(user, exchange, &Symbol::parse(symbol).unwrap(), mode, AT)
}

/// A bot of `kind` in `ctx` that allocated `allocated`, holds `holdings` for `invested`, realized
/// `realized` over `trades` trades of which `wins` won, paying `fees` quote.
#[allow(clippy::too_many_arguments)]
fn bot(
    ctx: &TradingContext,
    kind: BotKind,
    allocated: Decimal,
    holdings: Decimal,
    invested: Decimal,
    realized: Decimal,
    trades: u64,
    wins: u64,
) -> (Bot, u64) {
    let config = match kind {
        BotKind::Dca => {
            json!({"purchase_amount": "10", "frequency": "1h", "take_profit_percent": "5", "allocated_balance": allocated.to_string()})
        }
        _ => {
            json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "10", "allocated_balance": allocated.to_string()})
        }
    };
    let mut bot = Bot::new(ctx, "b".into(), BotConfig::parse(kind, &config).unwrap(), AT);
    bot.command(Command::Start, "test", AT).unwrap();
    bot.funds.holdings = holdings;
    bot.funds.invested = invested;
    bot.funds.realized_profit = realized;
    bot.funds.fees_quote = dec!(1.5);
    bot.trades = trades;
    (bot, wins)
}

fn open_order(ctx: &TradingContext, source: StrategySource) -> Order {
    let new = NewOrder {
        user_id: ctx.user_id,
        context_id: ctx.id,
        exchange: ctx.exchange,
        symbol: ctx.symbol(),
        bot_id: None,
        source,
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: dec!(100) },
        size: OrderSize::Quantity(dec!(1)),
        creation: CreationContext::default(),
        reason: None,
    };
    Order::new(new, AT).unwrap()
}

fn priced(ctx: &TradingContext, price: Result<Decimal, String>) -> MarketPrice {
    let market = MarketKey { exchange: ctx.exchange, mode: ctx.mode, symbol: ctx.symbol() };
    MarketPrice { exchange_at: price.is_ok().then_some(AT), market, price, read_at: AT }
}

#[test]
fn the_win_rate_has_two_places_rounded_half_away_from_zero() {
    assert_eq!(win_rate(0, 0), None);
    assert_eq!(win_rate(2, 3).unwrap().to_string(), "66.67");
    assert_eq!(win_rate(1, 8).unwrap().to_string(), "12.50");
    assert_eq!(win_rate(1, 16).unwrap().to_string(), "6.25");
    assert_eq!(win_rate(1, 32).unwrap().to_string(), "3.13", "3.125 rounds up, not to even");
    assert_eq!(win_rate(4, 4).unwrap().to_string(), "100.00");
}

#[test]
fn figures_add_up_per_currency_and_mode_per_strategy_and_per_context_never_across_currencies() {
    let user = UserId::new();
    let brl = context(user, ExchangeId::MercadoBitcoin, "BTC-BRL", ContextMode::Paper);
    let eth = context(user, ExchangeId::MercadoBitcoin, "ETH-BRL", ContextMode::Paper);
    let usdt = context(user, ExchangeId::Binance, "BTC-USDT", ContextMode::Live);
    let idle = context(user, ExchangeId::Binance, "ETH-USDT", ContextMode::Paper);
    let mut stopped = bot(&brl, BotKind::Dca, dec!(500), dec!(0), dec!(0), dec!(-4), 2, 0);
    stopped.0.command(Command::Stop, "test", AT).unwrap();
    let bots = [
        bot(&brl, BotKind::Smart, dec!(1000), dec!(0.01), dec!(400), dec!(25), 3, 2),
        bot(&eth, BotKind::Smart, dec!(300), dec!(0.5), dec!(100), dec!(5), 1, 1),
        stopped,
        bot(&usdt, BotKind::Dca, dec!(2000), dec!(0.02), dec!(1000), dec!(0), 0, 0),
    ];
    let orders = [open_order(&brl, StrategySource::Smart), open_order(&brl, StrategySource::Manual)];
    let book = Book::build(&[brl.clone(), eth.clone(), usdt.clone(), idle.clone()], &bots, &orders, AT);
    let prices = vec![
        priced(&brl, Ok(dec!(50000))),
        priced(&eth, Ok(dec!(220))),
        priced(&usdt, Err("binance is not reachable".into())),
    ];

    let summary = Summary::of(&book, prices);

    let keys: Vec<_> = summary.currencies.iter().map(|c| (c.mode, c.quote.as_str())).collect();
    let expected = [(ContextMode::Live, "USDT"), (ContextMode::Paper, "BRL"), (ContextMode::Paper, "USDT")];
    assert_eq!(keys, expected, "a context without bots shows its currency");
    assert_eq!(summary.currencies[2].figures, Figures { unrealized_pnl: Some(Decimal::ZERO), ..Figures::default() });
    let paper = &summary.currencies[1].figures;
    assert_eq!((paper.total_invested, paper.total_in_positions, paper.realized_pnl), (dec!(1800), dec!(500), dec!(26)));
    // 0.01 × 50000 − 400 + 0.5 × 220 − 100 + 0 − 0
    assert_eq!(paper.unrealized_pnl, Some(dec!(110)));
    assert_eq!((paper.fees_paid, paper.trades, paper.winning_trades), (dec!(4.5), 6, 3));
    assert_eq!(paper.win_rate, Some(dec!(50.00)));
    assert_eq!((paper.bots, paper.active_bots, paper.pending_orders), (3, 2, 2));
    let by: BTreeMap<_, _> = summary.currencies[1].by_strategy.iter().map(|(k, f)| (*k, f)).collect();
    assert_eq!(by.len(), 4, "every strategy, with zeros");
    assert_eq!((by[&BotKind::Smart].realized_pnl, by[&BotKind::Smart].pending_orders), (dec!(30), 1));
    assert_eq!((by[&BotKind::Dca].realized_pnl, by[&BotKind::Dca].win_rate), (dec!(-4), Some(dec!(0.00))));
    assert_eq!((by[&BotKind::Candle].bots, by[&BotKind::Candle].win_rate), (0, None));
    let live = &summary.currencies[0].figures;
    assert_eq!(live.unrealized_pnl, None, "its market could not be priced");
    assert_eq!(live.unpriced_markets.len(), 1);
    assert_eq!((live.total_invested, live.win_rate), (dec!(2000), None));
    let contexts: Vec<_> =
        summary.contexts.iter().map(|c| (c.context, c.figures.bots, c.figures.pending_orders)).collect();
    assert_eq!(contexts, [(brl.id, 2, 2), (eth.id, 1, 0), (usdt.id, 1, 0), (idle.id, 0, 0)]);
    assert_eq!(summary.contexts[1].figures.unrealized_pnl, Some(dec!(10)));
    assert_eq!(book.held_markets().len(), 3);
}
