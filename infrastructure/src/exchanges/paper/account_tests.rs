//! Tests of the paper account rules: fills, fees, locks, cancels, idempotency, and a property test
//! that balances are conserved and never negative over random order flows.

use std::collections::{BTreeMap, HashSet};

use domain::exchange::{
    ClientOrderId, ExchangeError, ExchangeOrderStatus, OrderKind, OrderRef, OrderRequest, OrderSide, OrderSize,
};
use domain::market::{Asset, Market, Symbol};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::account::{Account, Execution};
use super::markets::listings;
use super::quotes::Quote;
use domain::exchange::ExchangeId;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn btc_usdt() -> Market {
    listings(ExchangeId::Binance).remove(0).market
}

fn exec() -> Execution {
    Execution { slippage_bps: dec("5"), taker_fee_bps: dec("10"), maker_fee_bps: dec("10") }
}

fn quote(last: &str) -> Quote {
    Quote::around(dec(last), dec("0.01"), dec("2"))
}

fn account() -> Account {
    let initial: BTreeMap<Asset, Decimal> =
        [("USDT", "10000"), ("BTC", "0.5")].into_iter().map(|(a, v)| (Asset::new(a).unwrap(), dec(v))).collect();
    Account::new(&initial)
}

fn request(side: OrderSide, kind: OrderKind, size: OrderSize) -> OrderRequest {
    OrderRequest {
        symbol: Symbol::parse("BTC-USDT").unwrap(),
        side,
        kind,
        size,
        client_order_id: ClientOrderId::generate(),
    }
}

fn free(a: &Account, asset: &str) -> Decimal {
    a.balances.get(asset).map_or(Decimal::ZERO, |h| h.free)
}

fn locked(a: &Account, asset: &str) -> Decimal {
    a.balances.get(asset).map_or(Decimal::ZERO, |h| h.locked)
}

#[test]
fn a_market_buy_pays_ask_plus_slippage_and_the_fee_in_base() {
    let mut a = account();
    let q = quote("50000");
    let req = request(OrderSide::Buy, OrderKind::Market, OrderSize::Quantity(dec("0.01")));
    let order = a.place(&req, &btc_usdt(), q, &exec(), 1_000).unwrap();
    let price = order.fills[0].price;
    // ask 50005, plus 5 bps = 50030.0025 -> rounded up to the tick
    assert_eq!((q.ask, price), (dec("50005"), dec("50030.01")));
    assert_eq!(order.status, ExchangeOrderStatus::Filled);
    assert_eq!(free(&a, "USDT"), dec("10000") - dec("0.01") * price);
    assert_eq!(order.fills[0].fee, dec("0.00001"));
    assert_eq!(order.fills[0].fee_asset, "BTC");
    assert_eq!(free(&a, "BTC"), dec("0.5") + dec("0.01") - dec("0.00001"));
}

#[test]
fn a_market_buy_by_quote_amount_spends_at_most_the_amount_on_the_step() {
    let mut a = account();
    let req = request(OrderSide::Buy, OrderKind::Market, OrderSize::QuoteAmount(dec("1000")));
    let order = a.place(&req, &btc_usdt(), quote("50000"), &exec(), 1_000).unwrap();
    assert!(order.filled_quote <= dec("1000") && order.filled_quote > dec("999"), "{}", order.filled_quote);
    assert_eq!(order.filled_quantity, dec("0.01998"));
    assert_eq!(free(&a, "USDT"), dec("10000") - order.filled_quote);
}

#[test]
fn a_market_sell_charges_the_fee_in_quote_and_refuses_what_is_not_held() {
    let mut a = account();
    let req = request(OrderSide::Sell, OrderKind::Market, OrderSize::Quantity(dec("0.1")));
    let order = a.place(&req, &btc_usdt(), quote("50000"), &exec(), 1_000).unwrap();
    let fill = &order.fills[0];
    assert_eq!(fill.fee_asset, "USDT");
    assert_eq!(free(&a, "USDT"), dec("10000") + fill.price * dec("0.1") - fill.fee);
    assert_eq!(fill.fee, fill.price * dec("0.1") * dec("0.001"));
    let too_much = request(OrderSide::Sell, OrderKind::Market, OrderSize::Quantity(dec("1")));
    let before = a.clone();
    assert!(matches!(
        a.place(&too_much, &btc_usdt(), quote("50000"), &exec(), 2),
        Err(ExchangeError::InsufficientBalance)
    ));
    assert_eq!(a, before, "a refused order changes nothing");
}

#[test]
fn a_resting_limit_locks_funds_fills_at_its_price_and_cancel_releases() {
    let mut a = account();
    let req = request(OrderSide::Buy, OrderKind::Limit { price: dec("40000") }, OrderSize::Quantity(dec("0.1")));
    let order = a.place(&req, &btc_usdt(), quote("50000"), &exec(), 1_000).unwrap();
    assert_eq!(order.status, ExchangeOrderStatus::New);
    assert_eq!((free(&a, "USDT"), locked(&a, "USDT")), (dec("6000"), dec("4000")));
    // The price stays above: nothing happens.
    assert_eq!(a.match_resting(|_, _| Some((dec("41000"), dec("52000"))), &exec(), 2_000), 0);
    // It dips to the limit: filled at the limit, maker fee in BTC, the lock spent.
    assert_eq!(a.match_resting(|_, since| (since == 1_000).then(|| (dec("39999"), dec("50000"))), &exec(), 3_000), 1);
    let filled = a.find(&req.symbol, &OrderRef::Client(req.client_order_id.clone())).unwrap();
    assert_eq!((filled.status, filled.fills[0].price), (ExchangeOrderStatus::Filled, dec("40000")));
    assert_eq!((free(&a, "USDT"), locked(&a, "USDT")), (dec("6000"), Decimal::ZERO));
    assert_eq!(free(&a, "BTC"), dec("0.5") + dec("0.1") * dec("0.999"));

    let sell = request(OrderSide::Sell, OrderKind::Limit { price: dec("60000") }, OrderSize::Quantity(dec("0.2")));
    let placed = a.place(&sell, &btc_usdt(), quote("50000"), &exec(), 4_000).unwrap();
    assert_eq!(locked(&a, "BTC"), dec("0.2"));
    let cancelled = a.cancel(&sell.symbol, &OrderRef::Exchange(placed.id.clone()), 5_000).unwrap();
    assert_eq!(cancelled.status, ExchangeOrderStatus::Canceled);
    assert_eq!((locked(&a, "BTC"), free(&a, "BTC")), (Decimal::ZERO, dec("0.5") + dec("0.0999")));
    assert_eq!(a.take_closed().len(), 2);
    assert!(a.orders.is_empty());
}

#[test]
fn a_withdrawal_takes_free_funds_only_and_never_more_than_free() {
    let mut a = account();
    let req = request(OrderSide::Buy, OrderKind::Limit { price: dec("40000") }, OrderSize::Quantity(dec("0.1")));
    a.place(&req, &btc_usdt(), quote("50000"), &exec(), 1_000).unwrap();

    let left = a.withdraw("USDT", dec("2500")).unwrap();

    assert_eq!((left.free, left.locked), (dec("3500"), dec("4000")), "the order's lock stays");
    assert!(matches!(a.withdraw("USDT", dec("3500.01")), Err(ExchangeError::InsufficientBalance)));
    assert!(matches!(a.withdraw("USDT", Decimal::ZERO), Err(ExchangeError::Filter(_))));
    assert!(matches!(a.withdraw("ETH", dec("1")), Err(ExchangeError::InsufficientBalance)));
    assert_eq!((free(&a, "USDT"), locked(&a, "USDT")), (dec("3500"), dec("4000")));
}

#[test]
fn a_marketable_limit_fills_at_once_no_worse_than_its_price() {
    let mut a = account();
    let req = request(OrderSide::Buy, OrderKind::Limit { price: dec("50010") }, OrderSize::Quantity(dec("0.01")));
    let order = a.place(&req, &btc_usdt(), quote("50000"), &exec(), 1_000).unwrap();
    assert_eq!(order.status, ExchangeOrderStatus::Filled);
    assert_eq!(order.fills[0].price, dec("50010"));
    assert_eq!(locked(&a, "USDT"), Decimal::ZERO);
}

#[test]
fn filters_quote_sized_limits_and_duplicates_are_handled() {
    let mut a = account();
    let m = btc_usdt();
    let tiny = request(OrderSide::Buy, OrderKind::Limit { price: dec("40000") }, OrderSize::Quantity(dec("0.00001")));
    assert!(matches!(a.place(&tiny, &m, quote("50000"), &exec(), 1), Err(ExchangeError::Filter(_))));
    let off_tick =
        request(OrderSide::Buy, OrderKind::Limit { price: dec("40000.001") }, OrderSize::Quantity(dec("0.1")));
    assert!(matches!(a.place(&off_tick, &m, quote("50000"), &exec(), 1), Err(ExchangeError::Filter(_))));
    let by_amount = request(OrderSide::Sell, OrderKind::Market, OrderSize::QuoteAmount(dec("100")));
    assert!(matches!(a.place(&by_amount, &m, quote("50000"), &exec(), 1), Err(ExchangeError::Rejected { .. })));
    assert!(a.orders.is_empty());

    let req = request(OrderSide::Buy, OrderKind::Limit { price: dec("40000") }, OrderSize::Quantity(dec("0.1")));
    let first = a.place(&req, &m, quote("50000"), &exec(), 1).unwrap();
    let again = a.place(&req, &m, quote("30000"), &exec(), 2).unwrap();
    assert_eq!(first, again);
    assert_eq!((a.orders.len(), locked(&a, "USDT")), (1, dec("4000")));
}

#[derive(Clone, Debug)]
enum Op {
    MarketBuy(u32),
    MarketBuyQuote(u32),
    MarketSell(u32),
    LimitBuy(u32, u32),
    LimitSell(u32, u32),
    Cancel(usize),
    Move(i32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u32..5_000).prop_map(Op::MarketBuy),
        (1u32..3_000).prop_map(Op::MarketBuyQuote),
        (1u32..5_000).prop_map(Op::MarketSell),
        (1u32..2_000, 1u32..5_000).prop_map(|(bps, q)| Op::LimitBuy(bps, q)),
        (1u32..2_000, 1u32..5_000).prop_map(|(bps, q)| Op::LimitSell(bps, q)),
        (0usize..20).prop_map(Op::Cancel),
        (-800i32..800).prop_map(Op::Move),
    ]
}

/// What the fills say each asset's total should be.
fn expected_totals(a: &Account) -> BTreeMap<String, Decimal> {
    let mut totals: BTreeMap<String, Decimal> =
        [("USDT", "10000"), ("BTC", "0.5")].map(|(k, v)| (k.to_owned(), dec(v))).into();
    for order in &a.orders {
        for f in &order.fills {
            let (base, quote) = (totals["BTC"], totals["USDT"]);
            let (b, q) = match order.side {
                OrderSide::Buy => (base + f.quantity - f.fee, quote - f.quantity * f.price),
                OrderSide::Sell => (base - f.quantity, quote + f.quantity * f.price - f.fee),
            };
            totals.insert("BTC".into(), b);
            totals.insert("USDT".into(), q);
        }
    }
    totals
}

proptest! {
    #[test]
    fn balances_are_conserved_and_never_negative(ops in proptest::collection::vec(op(), 1..60)) {
        let (m, x) = (btc_usdt(), exec());
        let mut a = account();
        let mut price = dec("50000");
        let mut ids = Vec::new();
        for (i, op) in ops.into_iter().enumerate() {
            let now = i as i64 * 1_000;
            let q = Quote::around(price, m.filters.tick_size, dec("2"));
            let qty = |steps: u32| Decimal::from(steps) * m.filters.step_size;
            let limit = |bps: u32, up: bool| {
                let off = price * Decimal::from(bps) / Decimal::from(10_000);
                m.filters.round_buy_price(if up { price + off } else { price - off })
            };
            let req = match op {
                Op::MarketBuy(s) => Some(request(OrderSide::Buy, OrderKind::Market, OrderSize::Quantity(qty(s)))),
                Op::MarketBuyQuote(u) => Some(request(OrderSide::Buy, OrderKind::Market, OrderSize::QuoteAmount(Decimal::from(u)))),
                Op::MarketSell(s) => Some(request(OrderSide::Sell, OrderKind::Market, OrderSize::Quantity(qty(s)))),
                Op::LimitBuy(bps, s) => Some(request(OrderSide::Buy, OrderKind::Limit { price: limit(bps, false) }, OrderSize::Quantity(qty(s)))),
                Op::LimitSell(bps, s) => Some(request(OrderSide::Sell, OrderKind::Limit { price: limit(bps, true) }, OrderSize::Quantity(qty(s)))),
                Op::Cancel(k) => {
                    if let Some(id) = ids.get(k % ids.len().max(1)) {
                        a.cancel(&m.symbol, &OrderRef::Exchange(String::clone(id)), now);
                    }
                    None
                }
                Op::Move(bps) => {
                    let old = price;
                    price = m.filters.round_buy_price(price * (Decimal::ONE + Decimal::from(bps) / Decimal::from(10_000)));
                    let (lo, hi) = (old.min(price), old.max(price));
                    a.match_resting(|_, _| Some((lo, hi)), &x, now);
                    None
                }
            };
            if let Some(req) = req {
                let before = a.clone();
                match a.place(&req, &m, q, &x, now) {
                    Ok(order) => ids.push(order.id),
                    Err(_) => prop_assert_eq!(&a, &before),
                }
            }
            let expected = expected_totals(&a);
            for (asset, h) in &a.balances {
                prop_assert!(h.free >= Decimal::ZERO && h.locked >= Decimal::ZERO, "{} went negative: {:?}", asset, h);
                prop_assert_eq!(h.free + h.locked, expected.get(asset).copied().unwrap_or_default(), "{} not conserved", asset);
            }
            let locked_by_orders: Decimal = a.orders.iter().filter(|o| o.is_open() && o.side == OrderSide::Buy).map(|o| o.locked).sum();
            prop_assert_eq!(locked(&a, "USDT"), locked_by_orders);
            let trade_ids: Vec<_> = a.orders.iter().flat_map(|o| o.fills.iter().map(|f| f.trade_id.clone())).collect();
            prop_assert_eq!(trade_ids.iter().collect::<HashSet<_>>().len(), trade_ids.len());
        }
    }
}
