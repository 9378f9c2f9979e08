//! The channel bot decides the same whether or not the engine writes it back after an idle
//! evaluation: the engine keeps only evaluations that changed something, so a bot read again
//! next cycle must not act differently from one kept in memory.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use time::macros::datetime;
use time::Duration;

use super::sim_tests::filters;
use super::*;
use crate::contexts::{ContextMode, TradingContext};
use crate::market::Symbol;
use crate::shared::ids::UserId;

fn channel_bot() -> Bot {
    let config = json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000"});
    let config = BotConfig::parse(BotKind::Channel, &config).unwrap();
    let at = datetime!(2026-01-05 00:00 UTC);
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let context =
        TradingContext::new(UserId::new(), crate::exchange::ExchangeId::Binance, &symbol, ContextMode::Paper, at);
    let mut bot = Bot::new(&context, "channel".into(), config, at);
    bot.command(Command::Start, "test", at).unwrap();
    bot
}

fn view(price: Decimal, filters: &crate::market::MarketFilters) -> MarketView<'_> {
    super::sim_tests::Sim::view(price, filters, &[])
}

/// What an intent does (side, limit, quantity, quote amount), without its random position id.
type Shape = (crate::exchange::OrderSide, Option<Decimal>, Option<Decimal>, Option<Decimal>);

fn shape(out: &Evaluation) -> Vec<Shape> {
    out.place.iter().map(|i| (i.side, i.limit_price, i.quantity, i.quote_amount)).collect()
}

#[test]
fn an_idle_tick_on_the_same_side_of_the_trigger_is_not_written() {
    let (filters, at) = (filters(), datetime!(2026-01-05 00:01 UTC));
    let mut bot = channel_bot();
    assert!(bot.evaluate(Phase::Entry, &view(dec!(101000), &filters), at).changed, "the first price is kept");
    assert!(bot.evaluate(Phase::Entry, &view(dec!(101500), &filters), at).is_idle(), "still below 102000");
    let out = bot.evaluate(Phase::Entry, &view(dec!(102500), &filters), at);
    assert_eq!(out.place.len(), 1, "the breakout buys");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn decisions_do_not_depend_on_skipped_writes(moves in proptest::collection::vec(-400i64..400, 10..80)) {
        let filters = filters();
        let (mut kept, mut price) = (channel_bot(), dec!(101000));
        let mut stored = kept.clone();
        let mut at = datetime!(2026-01-05 00:00 UTC);
        for m in moves {
            price = (price + Decimal::from(m * 10)).clamp(dec!(95000), dec!(120000));
            at += Duration::minutes(1);
            let mut read = stored.clone();
            let a = kept.evaluate(Phase::Entry, &view(price, &filters), at);
            let b = read.evaluate(Phase::Entry, &view(price, &filters), at);
            prop_assert_eq!(shape(&a), shape(&b), "at {}", price);
            if !b.is_idle() {
                stored = read;
            }
            if !a.place.is_empty() {
                // An order ends the comparison: the engine would act and write both the same way.
                break;
            }
        }
    }
}

fn windowed(extra: serde_json::Value) -> Bot {
    let mut config = json!({"window": {"timeframe": "4h", "lookback": 3}, "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "5000"});
    config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let config = BotConfig::parse(BotKind::Channel, &config).unwrap();
    let mut bot = channel_bot();
    bot.state = KindState::for_config(&config);
    bot.funds = Funds::new(config.allocated_balance());
    bot.config = config;
    bot
}

/// 4-hour candles from 2026-01-05 00:00 with these (low, high).
fn h4(bars: &[(i64, i64)]) -> Vec<crate::market::Candle> {
    let start = datetime!(2026-01-05 00:00 UTC);
    let at = |i: usize| start + Duration::hours(4 * i as i64);
    bars.iter()
        .enumerate()
        .map(|(i, (low, high))| crate::market::Candle {
            open_time: at(i),
            open: Decimal::from(*low),
            high: Decimal::from(*high),
            low: Decimal::from(*low),
            close: Decimal::from(*high),
            volume: Decimal::ONE,
            quote_volume: None,
        })
        .collect()
}

#[test]
fn a_windowed_channel_spans_its_last_closed_candles_and_moves_with_each_close() {
    let (filters, mut bot) = (filters(), windowed(json!({})));
    let candles = h4(&[(90000, 95000), (100000, 108000), (99000, 104000), (101000, 110000), (50000, 150000)]);
    // At 16:30 four candles have closed; the fifth (16:00) is forming and stays out.
    let at = datetime!(2026-01-05 16:30 UTC);
    let mut view = view(dec!(100500), &filters);
    view.candles = Some(&candles);
    assert_eq!(bot.channel(), None, "no channel before the window has closed");
    assert!(bot.evaluate(Phase::Entry, &view, at).changed);
    // Computed by hand: lows 100000, 99000, 101000; highs 108000, 104000, 110000.
    assert_eq!(bot.channel(), Some((dec!(99000), dec!(110000))));
    // Breakout above 99000 x 1.02 = 100980 buys 20% of the allocation.
    view.price = dec!(101000);
    let out = bot.evaluate(Phase::Entry, &view, at);
    assert_eq!(out.place.len(), 1);
    assert_eq!(out.place[0].quote_amount, Some(dec!(1000)));
    // At 20:00 the fifth candle has closed: the window now spans candles 3 to 5.
    assert!(bot.evaluate(Phase::Entry, &view, datetime!(2026-01-05 20:00 UTC)).changed);
    assert_eq!(bot.channel(), Some((dec!(50000), dec!(150000))));
}

#[test]
fn capital_percent_of_the_account_sizes_from_its_balance_and_waits_without_one() {
    let (filters, mut bot) = (filters(), windowed(json!({"capital_base": "account"})));
    let candles = h4(&[(100000, 108000), (99000, 104000), (101000, 110000)]);
    let at = datetime!(2026-01-05 12:00 UTC);
    let mut view = view(dec!(100000), &filters);
    view.candles = Some(&candles);
    bot.evaluate(Phase::Entry, &view, at);
    view.price = dec!(101500);
    let mut unread = bot.clone();
    assert!(unread.evaluate(Phase::Entry, &view, at).place.is_empty(), "no balance read: no buy");
    view.account_quote = Some(dec!(12500));
    let out = bot.evaluate(Phase::Entry, &view, at);
    assert_eq!(out.place[0].quote_amount, Some(dec!(2500)), "20% of the account's 12500");
    let capital = bot.capital();
    assert_eq!((capital.principal, capital.profit, capital.available), (dec!(5000), dec!(0), dec!(5000)));
}

#[test]
fn a_channel_is_fixed_or_windowed_never_both_nor_neither() {
    let fields = |v: serde_json::Value| match BotConfig::parse(BotKind::Channel, &v) {
        Ok(_) => vec![],
        Err(issues) => issues.into_iter().map(|i| i.field).collect::<Vec<_>>(),
    };
    let rest = json!({"buy_threshold_percent": "2", "sell_threshold_percent": "2", "min_profit_percent": "0.5",
        "capital_percent": "20", "allocated_balance": "2000"});
    let with = |extra: serde_json::Value| {
        let mut v = rest.clone();
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    assert_eq!(fields(with(json!({}))), vec!["config.base_price", "config.top_price"]);
    let both = json!({"base_price": "1", "window": {"timeframe": "4h", "lookback": 1}});
    assert_eq!(fields(with(both)), vec!["config.base_price", "config.window.lookback"]);
    assert!(fields(with(json!({"window": {"timeframe": "4h", "lookback": 200}}))).is_empty());
}
