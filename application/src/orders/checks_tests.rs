//! Tests of the manual-order checks: each filter named with its nearest valid value, and the
//! free balance after what running bots may still use.

use domain::market::{MarketFilters, Symbol};
use rust_decimal_macros::dec;
use time::macros::datetime;

use super::*;

/// Binance BTC-USDT's filters.
fn market() -> Market {
    Market {
        symbol: Symbol::parse("BTC-USDT").unwrap(),
        trading: true,
        filters: MarketFilters {
            tick_size: dec!(0.01),
            step_size: dec!(0.00001),
            min_quantity: dec!(0.00001),
            max_quantity: dec!(9000),
            min_notional: dec!(5),
        },
    }
}

fn ticker() -> Ticker {
    Ticker {
        symbol: Symbol::parse("BTC-USDT").unwrap(),
        last: dec!(60000),
        bid: dec!(59990),
        ask: dec!(60010),
        volume_24h: dec!(1),
        at: datetime!(2025-01-01 00:00 UTC),
    }
}

fn limit(side: OrderSide, price: Decimal, quantity: Decimal) -> OrderShape {
    OrderShape { side, kind: OrderKind::Limit { price }, size: OrderSize::Quantity(quantity) }
}

fn market_buy(amount: Decimal) -> OrderShape {
    OrderShape { side: OrderSide::Buy, kind: OrderKind::Market, size: OrderSize::QuoteAmount(amount) }
}

/// (field, code, message) of each error.
fn errors(result: Result<(), OrderError>) -> Vec<(String, String, String)> {
    match result {
        Err(OrderError::Invalid(errors)) => {
            errors.into_iter().map(|e| (e.field, e.code.as_str().to_owned(), e.message)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn check(shape: OrderShape) -> Result<(), OrderError> {
    check_filters(&market(), &ticker(), &shape, "USDT")
}

#[test]
fn valid_orders_pass() {
    assert!(check(limit(OrderSide::Sell, dec!(61000.5), dec!(0.001))).is_ok());
    assert!(check(OrderShape {
        side: OrderSide::Sell,
        kind: OrderKind::Market,
        size: OrderSize::Quantity(dec!(0.0001))
    })
    .is_ok());
    assert!(check(market_buy(dec!(5))).is_ok());
}

#[test]
fn an_off_tick_price_names_both_neighbours() {
    let e = errors(check(limit(OrderSide::Buy, dec!(60000.005), dec!(0.001))));
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("price", "off_tick"));
    assert!(e[0].2.contains("60000 and 60000.01"), "{}", e[0].2);
}

#[test]
fn an_off_step_quantity_names_both_neighbours_and_below_one_step_only_the_step() {
    let e = errors(check(limit(OrderSide::Buy, dec!(60000), dec!(0.001234))));
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("quantity", "off_step"));
    assert!(e[0].2.contains("0.00123 and 0.00124"), "{}", e[0].2);

    let tiny = errors(check(limit(OrderSide::Buy, dec!(600000000), dec!(0.000001))));
    assert!(tiny[0].2.contains("the nearest valid quantity is 0.00001"), "{}", tiny[0].2);
    assert_eq!(tiny[1].1, "below_min_quantity");
}

#[test]
fn below_min_notional_says_the_smallest_quantity_at_that_price() {
    // 0.00008 x 60000 = 4.8 < 5; 5 / 60000 = 0.0000833.. -> 0.00009.
    let e = errors(check(limit(OrderSide::Buy, dec!(60000), dec!(0.00008))));
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("quantity", "below_min_notional"));
    assert!(e[0].2.contains("worth 4.8 USDT") && e[0].2.ends_with("is 0.00009"), "{}", e[0].2);
}

#[test]
fn a_market_sell_is_valued_at_the_bid() {
    // 0.00009 x 59990 = 5.3991: enough; at 50000 it would not be.
    let shape = OrderShape { side: OrderSide::Sell, kind: OrderKind::Market, size: OrderSize::Quantity(dec!(0.00009)) };
    assert!(check(shape).is_ok());
    let cheap = Ticker { bid: dec!(50000), ..ticker() };
    assert_eq!(errors(check_filters(&market(), &cheap, &shape, "USDT"))[0].1, "below_min_notional");
}

#[test]
fn above_max_and_several_fields_at_once() {
    let e = errors(check(limit(OrderSide::Sell, dec!(0.015), dec!(9001))));
    let codes: Vec<_> = e.iter().map(|(f, c, _)| format!("{f}:{c}")).collect();
    assert_eq!(codes, ["price:off_tick", "quantity:above_max_quantity"]);
}

#[test]
fn quote_amounts_check_the_notional_and_the_quantity_they_buy() {
    let e = errors(check(market_buy(dec!(4.99))));
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("quote_amount", "below_min_notional"));
    assert!(e[0].2.ends_with("is 5"), "{}", e[0].2);

    let dear = Ticker { ask: dec!(1000000), ..ticker() };
    let e = errors(check_filters(&market(), &dear, &market_buy(dec!(9)), "USDT"));
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("quote_amount", "below_min_quantity"));
    assert!(e[0].2.ends_with("is 10"), "{}", e[0].2);
}

#[test]
fn a_closed_market_is_a_conflict() {
    let closed = Market { trading: false, ..market() };
    let result = check_filters(&closed, &ticker(), &market_buy(dec!(10)), "USDT");
    assert!(matches!(result, Err(OrderError::MarketClosed { .. })));
}

#[test]
fn buys_need_their_value_in_free_quote_after_the_bots() {
    let free = FreeBalance { base: dec!(0), quote: dec!(1000), bots_quote: dec!(400), bots_base: dec!(0) };
    let assets = ("BTC", "USDT");
    assert!(check_balance(&limit(OrderSide::Buy, dec!(60000), dec!(0.01)), &ticker(), &free, assets).is_ok());

    let too_much = check_balance(&limit(OrderSide::Buy, dec!(60000), dec!(0.011)), &ticker(), &free, assets);
    let e = errors(too_much);
    assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("quantity", "insufficient_balance"));
    assert_eq!(e[0].2, "the order needs 660 USDT but only 600 USDT is free after the 400 USDT the context's running bots may still spend");

    let by_amount = errors(check_balance(&market_buy(dec!(600.01)), &ticker(), &free, assets));
    assert_eq!(by_amount[0].0, "quote_amount");
    // A market buy by quantity is valued at the ask: 0.01 x 60010 = 600.1.
    let at_ask = OrderShape { side: OrderSide::Buy, kind: OrderKind::Market, size: OrderSize::Quantity(dec!(0.01)) };
    assert!(check_balance(&at_ask, &ticker(), &free, assets).is_err());
}

#[test]
fn sales_need_free_base_beyond_what_the_bots_hold() {
    let free = FreeBalance { base: dec!(0.5), quote: dec!(0), bots_quote: dec!(0), bots_base: dec!(0.2) };
    let sell = |q| limit(OrderSide::Sell, dec!(60000), q);
    assert!(check_balance(&sell(dec!(0.3)), &ticker(), &free, ("BTC", "USDT")).is_ok());
    let e = errors(check_balance(&sell(dec!(0.31)), &ticker(), &free, ("BTC", "USDT")));
    assert!(e[0].2.contains("only 0.3 BTC is free after the 0.2 BTC"), "{}", e[0].2);

    let nothing = FreeBalance { base: dec!(0.1), bots_base: dec!(0.2), ..free };
    let e = errors(check_balance(&sell(dec!(0.01)), &ticker(), &nothing, ("BTC", "USDT")));
    assert!(e[0].2.contains("only 0 BTC is free"), "{}", e[0].2);
}
