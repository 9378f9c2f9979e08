//! Manual commands: what a SmartBot turns its owner's buy or sell into, and what it refuses.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::bots::{BotStatus, Command, FeeAsset, OrderProgress};
use crate::contexts::{ContextMode, TradingContext};
use crate::exchange::{ClientOrderId, ExchangeId};
use crate::market::{MarketFilters, Symbol};
use crate::shared::ids::UserId;

const AT: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

fn filters() -> MarketFilters {
    MarketFilters {
        tick_size: dec!(1),
        step_size: dec!(0.00001),
        min_quantity: dec!(0.00001),
        max_quantity: dec!(9000),
        min_notional: dec!(10),
    }
}

fn view(filters: &MarketFilters) -> MarketView<'_> {
    MarketView {
        price: dec!(100000),
        bid: dec!(99990),
        ask: dec!(100010),
        filters,
        trading: true,
        volatility_percent: None,
        candles: None,
        columns: None,
        account_quote: None,
    }
}

/// A running manual SmartBot of 1000 BRL with `extra` settings.
fn smart(extra: serde_json::Value) -> Bot {
    let mut config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let config = BotConfig::parse(BotKind::Smart, &config).unwrap();
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let context = TradingContext::new(UserId::new(), ExchangeId::MercadoBitcoin, &symbol, ContextMode::Paper, AT);
    let mut bot = Bot::new(&context, "manual".into(), config, AT);
    bot.command(Command::Start, "test", AT).unwrap();
    bot
}

fn order(
    side: OrderSide,
    size: Option<OrderSize>,
    limit: Option<Decimal>,
    position: Option<PositionId>,
) -> ManualOrder {
    ManualOrder { side, limit_price: limit, size, position }
}

/// Buys `quantity` at `price` through the bot's books (fee in base, 0.1%); returns the position.
fn bought(bot: &mut Bot, quantity: Decimal, price: Decimal) -> PositionId {
    let f = filters();
    let intent = bot
        .manual_intent(&order(OrderSide::Buy, Some(OrderSize::Quantity(quantity)), Some(price), None), &view(&f))
        .unwrap();
    let Purpose::Open { position } = intent.purpose else { panic!("a buy opens") };
    let id = ClientOrderId::generate();
    bot.accept(&intent, id.clone(), AT).unwrap();
    let progress = OrderProgress {
        filled_quantity: quantity,
        filled_quote: quantity * price,
        fee: quantity / dec!(1000),
        fee_asset: Some(FeeAsset::Base),
        done: true,
    };
    bot.on_progress(&id, progress, &f, price, AT).unwrap();
    position
}

#[test]
fn a_buy_blocks_what_it_may_spend_and_becomes_a_position() {
    let f = filters();
    let mut bot = smart(json!({}));
    let by_amount =
        bot.manual_intent(&order(OrderSide::Buy, Some(OrderSize::QuoteAmount(dec!(250))), None, None), &view(&f));
    let by_amount = by_amount.unwrap();
    assert_eq!((by_amount.quote_amount, by_amount.quantity, by_amount.block), (Some(dec!(250)), None, dec!(250)));
    let market =
        bot.manual_intent(&order(OrderSide::Buy, Some(OrderSize::Quantity(dec!(0.001))), None, None), &view(&f));
    // 0.001 at the ask 100010 with a 1% margin.
    assert_eq!(market.unwrap().block, dec!(101.0101));

    let position = bought(&mut bot, dec!(0.002), dec!(100000));
    let held = bot.position(position).unwrap();
    assert_eq!((held.quantity, held.cost), (dec!(0.001998), dec!(200)));
    assert_eq!((bot.funds.available, bot.funds.invested), (dec!(800), dec!(200)));
}

#[test]
fn a_buy_goes_through_the_bots_entry_rules() {
    let f = filters();
    let buy = |amount| order(OrderSide::Buy, Some(OrderSize::QuoteAmount(amount)), None, None);
    let mut bot = smart(json!({"max_open_positions": 1, "max_entry_price": "100000"}));
    let refused = bot.manual_intent(&buy(dec!(100)), &view(&f)).unwrap_err();
    assert_eq!(refused, ManualRefused::AboveMaxEntryPrice { price: dec!(100010), max: dec!(100000) });
    bought(&mut bot, dec!(0.001), dec!(99000));
    let limit = order(OrderSide::Buy, Some(OrderSize::Quantity(dec!(0.001))), Some(dec!(99000)), None);
    assert_eq!(bot.manual_intent(&limit, &view(&f)), Err(ManualRefused::MaxOpenPositions(1)));

    let mut jumpy = smart(json!({"risk": {"sanity_max_move_percent": "5"}}));
    jumpy.last_price = Some(dec!(90000));
    let refused = jumpy.manual_intent(&buy(dec!(100)), &view(&f)).unwrap_err();
    assert_eq!(refused, ManualRefused::InsanePrice { price: dec!(100000), last: dec!(90000) });
    jumpy.last_price = Some(dec!(96000));
    assert!(jumpy.manual_intent(&buy(dec!(100)), &view(&f)).is_ok(), "4.2% is within 5%");

    let mut poor = smart(json!({}));
    let over = poor.manual_intent(&buy(dec!(1000.01)), &view(&f)).unwrap_err();
    assert_eq!(over, ManualRefused::InsufficientFunds { spendable: dec!(1000), wanted: dec!(1000.01) });
    poor.buying_halted = true;
    assert_eq!(poor.manual_intent(&buy(dec!(10)), &view(&f)), Err(ManualRefused::BuyingHalted));
    poor.buying_halted = false;
    assert!(poor.hold_entries("volume 42x its median on BTC-BRL", AT));
    let held = poor.manual_intent(&buy(dec!(10)), &view(&f));
    assert_eq!(held, Err(ManualRefused::EntriesHeld("volume 42x its median on BTC-BRL".into())));
    assert!(poor.release_entries(AT));
    poor.command(Command::Pause, "owner", AT).unwrap();
    assert_eq!(
        poor.manual_intent(&buy(dec!(10)), &view(&f)),
        Err(ManualRefused::Status { command: "buy", status: "paused" })
    );
    poor.halt(BotStatus::Tripped, "circuit breaker", AT);
    assert!(matches!(poor.manual_intent(&buy(dec!(10)), &view(&f)), Err(ManualRefused::Status { .. })));

    let dca = json!({"purchase_amount": "1", "frequency": "1h", "allocated_balance": "2", "take_profit_percent": "1"});
    let mut other = smart(json!({}));
    other.config = BotConfig::parse(BotKind::Dca, &dca).unwrap();
    assert_eq!(other.manual_intent(&buy(dec!(1)), &view(&f)), Err(ManualRefused::NotForKind(BotKind::Dca)));
}

#[test]
fn a_sale_sells_what_the_bot_holds_and_nothing_more() {
    let f = filters();
    let mut bot = smart(json!({}));
    let first = bought(&mut bot, dec!(0.002), dec!(100000));
    let second = bought(&mut bot, dec!(0.003), dec!(101000));
    // The whole first position, floored to the step: 0.001998 -> 0.00199.
    let whole = bot.manual_intent(&order(OrderSide::Sell, None, None, Some(first)), &view(&f)).unwrap();
    assert_eq!(
        (whole.quantity, whole.purpose),
        (Some(dec!(0.00199)), Purpose::Close { position: Some(first), reason: ExitReason::Manual })
    );
    let too_much = order(OrderSide::Sell, Some(OrderSize::Quantity(dec!(0.002))), None, Some(first));
    let refused = bot.manual_intent(&too_much, &view(&f)).unwrap_err();
    assert_eq!(refused, ManualRefused::InsufficientHoldings { free: dec!(0.001998), wanted: dec!(0.002) });
    let everything = order(OrderSide::Sell, Some(OrderSize::Quantity(dec!(0.00499))), None, None);
    assert_eq!(
        bot.manual_intent(&everything, &view(&f)).unwrap().purpose,
        Purpose::Close { position: None, reason: ExitReason::Manual }
    );
    let resting = order(OrderSide::Sell, Some(OrderSize::Quantity(dec!(0.001))), Some(dec!(120000)), None);
    assert_eq!(bot.manual_intent(&resting, &view(&f)), Err(ManualRefused::LimitSaleNeedsPosition));

    // A resting limit sale of the second position locks it: it cannot be sold twice.
    let limit = order(OrderSide::Sell, None, Some(dec!(120000)), Some(second));
    let intent = bot.manual_intent(&limit, &view(&f)).unwrap();
    bot.accept(&intent, ClientOrderId::generate(), AT).unwrap();
    assert_eq!(bot.manual_intent(&limit, &view(&f)), Err(ManualRefused::PositionSelling(second)));
    let free = bot.funds.free_holdings();
    let beyond = order(OrderSide::Sell, Some(OrderSize::Quantity(free + dec!(0.00001))), None, None);
    assert_eq!(
        bot.manual_intent(&beyond, &view(&f)),
        Err(ManualRefused::InsufficientHoldings { free, wanted: free + dec!(0.00001) })
    );

    // A paused or tripped bot still sells; a stopped one does not.
    bot.halt(BotStatus::Tripped, "circuit breaker", AT);
    assert!(bot.manual_intent(&order(OrderSide::Sell, None, None, Some(first)), &view(&f)).is_ok());
    bot.command(Command::Stop, "owner", AT).unwrap();
    let stopped = bot.manual_intent(&order(OrderSide::Sell, None, None, Some(first)), &view(&f));
    assert_eq!(stopped, Err(ManualRefused::Status { command: "sell", status: "stopped" }));
    assert_eq!(
        bot.manual_intent(&order(OrderSide::Sell, None, None, Some(PositionId::new())), &view(&f))
            .err()
            .map(|e| e.to_string()),
        Some("cannot sell through a bot that is stopped".to_owned())
    );
}
