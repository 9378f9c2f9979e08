//! Unit tests of an order's sync with its exchange's reports.

use rust_decimal_macros::dec;
use time::macros::datetime;

use super::*;
use crate::exchange::{ExchangeOrderStatus, OrderSide};
use crate::market::Symbol;
use crate::orders::fixtures::{fill, limit_buy, report, with_fills, T0, T1};

#[test]
fn acknowledging_records_the_exchange_id_and_opens_the_order() {
    let mut o = limit_buy();

    let delta = o.acknowledge(&report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)), T1).unwrap();

    assert_eq!(delta, OrderDelta { changed: true, ..OrderDelta::default() });
    assert_eq!((o.status, o.exchange_order_id.as_deref()), (OrderStatus::New, Some("881")));
    assert_eq!(o.updated_at, datetime!(2026-01-02 03:05:00.123 UTC), "kept to whole milliseconds");
    let no_id =
        ExchangeOrder { exchange_order_id: " ".into(), ..report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)) };
    assert_eq!(o.clone().acknowledge(&no_id, T1), Err(SyncError::NoExchangeOrderId));
}

#[test]
fn a_market_order_answered_filled_reports_its_fills_fees_and_end() {
    let mut o = limit_buy();
    let fills =
        vec![fill("t1", dec!(0.4), dec!(100), dec!(0.1), "BRL"), fill("t2", dec!(0.6), dec!(101), dec!(0.0006), "BTC")];

    let delta = o.acknowledge(&with_fills(&o, ExchangeOrderStatus::Filled, fills), T1).unwrap();

    assert_eq!((delta.filled_quantity, delta.filled_quote), (dec!(1), dec!(100.6)));
    assert_eq!(delta.fees, BTreeMap::from([("BRL".into(), dec!(0.1)), ("BTC".into(), dec!(0.0006))]));
    assert_eq!((delta.fills.len(), delta.finished), (2, Some(FinalStatus::Filled)));
    assert_eq!((o.status, o.average_fill_price, o.fees.clone()), (OrderStatus::Filled, Some(dec!(100.6)), delta.fees));
    assert_eq!(o.remaining_quantity(), Some(dec!(0)));
}

#[test]
fn a_repeated_report_brings_nothing_new() {
    let mut o = limit_buy();
    let r =
        with_fills(&o, ExchangeOrderStatus::PartiallyFilled, vec![fill("t1", dec!(0.5), dec!(100), dec!(0.05), "BRL")]);
    o.apply(&r, T0).unwrap();
    let before = o.clone();

    let again = o.apply(&r, T1).unwrap();

    assert_eq!(again, OrderDelta::default());
    assert_eq!(o, before, "not even updated_at moves");
}

#[test]
fn cumulative_totals_give_the_difference_and_stale_totals_nothing() {
    let mut o = limit_buy();
    let partial = |o: &Order, q, v| report(o, ExchangeOrderStatus::PartiallyFilled, q, v);

    let first = o.apply(&partial(&o, dec!(0.3), dec!(30)), T0).unwrap();
    let second = o.apply(&partial(&o, dec!(0.5), dec!(50.4)), T0).unwrap();
    let stale = o.apply(&partial(&o, dec!(0.4), dec!(40)), T1).unwrap();

    assert_eq!((first.filled_quantity, first.filled_quote), (dec!(0.3), dec!(30)));
    assert_eq!((second.filled_quantity, second.filled_quote), (dec!(0.2), dec!(20.4)));
    assert_eq!(stale, OrderDelta::default());
    assert_eq!((o.filled_quantity, o.filled_quote, o.status), (dec!(0.5), dec!(50.4), OrderStatus::PartiallyFilled));
    assert_eq!(o.average_fill_price, Some(dec!(100.8)));
}

#[test]
fn fills_learnt_after_their_totals_only_add_their_fees() {
    let mut o = limit_buy();
    o.apply(&report(&o, ExchangeOrderStatus::PartiallyFilled, dec!(0.5), dec!(50)), T0).unwrap();

    let fills = vec![fill("t1", dec!(0.5), dec!(100), dec!(0.05), "BRL")];
    let delta = o.apply(&with_fills(&o, ExchangeOrderStatus::PartiallyFilled, fills), T1).unwrap();

    assert_eq!((delta.filled_quantity, delta.filled_quote), (dec!(0), dec!(0)));
    assert_eq!((delta.fees.get("BRL"), delta.fills.len(), delta.changed), (Some(&dec!(0.05)), 1, true));
    assert_eq!(o.filled_quantity, dec!(0.5));
}

#[test]
fn totals_beyond_the_known_fills_count_once() {
    let mut o = limit_buy();
    let fills = vec![fill("t1", dec!(0.5), dec!(100), dec!(0), "BRL")];
    o.apply(&with_fills(&o, ExchangeOrderStatus::PartiallyFilled, fills.clone()), T0).unwrap();

    let more = o.apply(&report(&o, ExchangeOrderStatus::PartiallyFilled, dec!(0.8), dec!(80.3)), T0).unwrap();
    let all = vec![fills[0].clone(), fill("t2", dec!(0.3), dec!(101), dec!(0.03), "BRL")];
    let late = o.apply(&with_fills(&o, ExchangeOrderStatus::PartiallyFilled, all), T1).unwrap();

    assert_eq!((more.filled_quantity, more.filled_quote), (dec!(0.3), dec!(30.3)));
    assert_eq!((late.filled_quantity, late.filled_quote, late.fees.get("BRL")), (dec!(0), dec!(0), Some(&dec!(0.03))));
    assert_eq!((o.filled_quantity, o.fills.len()), (dec!(0.8), 2));
    assert!(o.fees.get("BRL") == Some(&dec!(0.03)), "a zero fee adds no entry and no amount");
}

#[test]
fn a_cancel_after_a_partial_fill_reports_the_last_fill_and_the_end() {
    let mut o = limit_buy();
    o.apply(&report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)), T0).unwrap();

    let delta = o.apply(&report(&o, ExchangeOrderStatus::Canceled, dec!(0.25), dec!(25)), T1).unwrap();

    assert_eq!((delta.filled_quantity, delta.finished), (dec!(0.25), Some(FinalStatus::Canceled)));
    assert_eq!((o.status, o.remaining_quantity()), (OrderStatus::Canceled, Some(dec!(0.75))));
}

#[test]
fn a_final_order_never_changes_again() {
    for end in [ExchangeOrderStatus::Filled, ExchangeOrderStatus::Canceled, ExchangeOrderStatus::Expired] {
        let mut o = limit_buy();
        let ended = o.apply(&report(&o, end, dec!(0.5), dec!(50)), T0).unwrap();
        let before = o.clone();

        let reopened = o.apply(&report(&o, ExchangeOrderStatus::PartiallyFilled, dec!(0.9), dec!(90)), T1).unwrap();
        let other_end = o.apply(&report(&o, ExchangeOrderStatus::Rejected, dec!(0.5), dec!(50)), T1).unwrap();

        assert!(ended.finished.is_some());
        assert_eq!((reopened, other_end), (OrderDelta::default(), OrderDelta::default()), "{end:?}");
        assert_eq!(o, before);
    }
}

#[test]
fn an_older_open_status_does_not_move_the_order_back() {
    let mut o = limit_buy();
    o.apply(&report(&o, ExchangeOrderStatus::PartiallyFilled, dec!(0.5), dec!(50)), T0).unwrap();

    let stale = o.apply(&report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)), T1).unwrap();

    assert_eq!((stale, o.status), (OrderDelta::default(), OrderStatus::PartiallyFilled));
}

#[test]
fn reports_of_other_orders_are_refused_untouched() {
    let mut o = limit_buy();
    o.apply(&report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)), T0).unwrap();
    let before = o.clone();
    let filled = report(&o, ExchangeOrderStatus::Filled, dec!(1), dec!(100));
    let other_client = ExchangeOrder { client_order_id: Some(ClientOrderId::generate()), ..filled.clone() };
    let other_exchange_id = ExchangeOrder { exchange_order_id: "882".into(), ..filled.clone() };
    let other_symbol = ExchangeOrder { symbol: Symbol::parse("ETH-BRL").unwrap(), ..filled.clone() };
    let other_side = ExchangeOrder { side: OrderSide::Sell, ..filled.clone() };

    for (report, field) in [
        (other_client, "client_order_id"),
        (other_exchange_id, "exchange_order_id"),
        (other_symbol, "symbol"),
        (other_side, "side"),
    ] {
        assert_eq!(o.apply(&report, T1), Err(SyncError::NotThisOrder { field }));
    }
    assert_eq!(o, before);
    let anonymous = ExchangeOrder { client_order_id: None, ..filled };
    assert_eq!(o.apply(&anonymous, T1).unwrap().finished, Some(FinalStatus::Filled));
}

#[test]
fn only_a_pending_order_is_marked_rejected() {
    let mut o = limit_buy();

    let delta = o.mark_rejected(&"x".repeat(MAX_ERROR_LEN + 20), T1).unwrap();
    let again = o.mark_rejected("again", T1).unwrap();

    assert_eq!((delta.finished, delta.changed, again), (Some(FinalStatus::Rejected), true, OrderDelta::default()));
    assert_eq!((o.status, o.error.as_ref().map(String::len)), (OrderStatus::Rejected, Some(MAX_ERROR_LEN)));
    let mut open = limit_buy();
    open.apply(&report(&open, ExchangeOrderStatus::New, dec!(0), dec!(0)), T0).unwrap();
    assert_eq!(open.mark_rejected("late", T1), Err(SyncError::NotPending(OrderStatus::New)));
}

#[test]
fn an_unknown_order_is_adopted_flagged_with_its_fills() {
    let template = limit_buy();
    let r = ExchangeOrder {
        client_order_id: None,
        ..with_fills(
            &template,
            ExchangeOrderStatus::PartiallyFilled,
            vec![fill("t9", dec!(0.2), dec!(99), dec!(0), "")],
        )
    };

    let o = Order::adopt(&r, template.user_id, template.context_id, ExchangeId::MercadoBitcoin, T1);

    assert!(o.adopted && !o.client_order_id.is_ours() && o.client_order_id.as_str().starts_with("ad-"));
    assert_eq!((o.status, o.filled_quantity, o.filled_quote), (OrderStatus::PartiallyFilled, dec!(0.2), dec!(19.8)));
    assert_eq!(
        (o.source, o.bot_id, o.size, o.created_at),
        (StrategySource::Manual, None, OrderSize::Quantity(dec!(1)), T0)
    );
    assert_eq!((o.exchange_order_id.as_deref(), o.fees.len()), (Some("881"), 0));
}
