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
