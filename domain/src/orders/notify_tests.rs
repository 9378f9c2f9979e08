//! The events an order raises: one per real change, never twice for a replayed report.

use rust_decimal_macros::dec;

use crate::exchange::ExchangeOrderStatus as X;
use crate::notifications::{EventPayload, OrderData};
use crate::orders::fixtures::{fill, limit_buy, report, with_fills, T0, T1};
use crate::orders::Order;

fn types(order: &Order) -> Vec<&'static str> {
    order.outbox.events().iter().map(|e| e.event_type().as_str()).collect()
}

fn data(order: &Order, index: usize) -> OrderData {
    match &order.outbox.events()[index].payload {
        EventPayload::OrderPlaced(d)
        | EventPayload::OrderPartiallyFilled(d)
        | EventPayload::OrderFilled(d)
        | EventPayload::OrderCanceled(d)
        | EventPayload::OrderRejected(d) => d.clone(),
        other => panic!("not an order event: {other:?}"),
    }
}

#[test]
fn acknowledged_then_filled_in_two_parts_raises_placed_two_partials_and_filled() {
    let mut o = limit_buy();
    assert!(o.outbox.is_empty(), "a pending order was not placed yet");
    o.acknowledge(&report(&o, X::New, dec!(0), dec!(0)), T0).unwrap();
    let first = vec![fill("t1", dec!(0.25), dec!(100), dec!(0), "BRL")];
    o.apply(&with_fills(&o, X::PartiallyFilled, first.clone()), T1).unwrap();
    let second =
        vec![fill("t1", dec!(0.25), dec!(100), dec!(0), "BRL"), fill("t2", dec!(0.25), dec!(104), dec!(0), "BRL")];
    o.apply(&with_fills(&o, X::PartiallyFilled, second.clone()), T1).unwrap();
    let all = [second, vec![fill("t3", dec!(0.5), dec!(98), dec!(0), "BRL")]].concat();
    o.apply(&with_fills(&o, X::Filled, all), T1).unwrap();

    assert_eq!(types(&o), ["order.placed", "order.partially_filled", "order.partially_filled", "order.filled"]);
    let placed = data(&o, 0);
    assert_eq!((placed.status.as_str(), placed.filled_quantity, placed.average_price), ("new", dec!(0), None));
    assert_eq!((placed.order_id, placed.bot_id, placed.side.as_str()), (o.id, o.bot_id, "buy"));
    let second_part = data(&o, 2);
    // 0.25 at 100 and 0.25 at 104: 51 BRL for 0.5 BTC, 102 on average.
    assert_eq!(
        (second_part.filled_quantity, second_part.filled_quote, second_part.average_price),
        (dec!(0.5), dec!(51), Some(dec!(102)))
    );
    let filled = data(&o, 3);
    // Plus 0.5 at 98: 100 BRL for 1 BTC.
    assert_eq!(
        (filled.status.as_str(), filled.filled_quote, filled.average_price),
        ("filled", dec!(100), Some(dec!(100)))
    );
    assert_eq!(o.outbox.events()[3].at, T1);
    assert!(o.outbox.events().iter().all(|e| e.user_id == o.user_id));
}

#[test]
fn replayed_and_stale_reports_raise_nothing_more() {
    let mut o = limit_buy();
    let partial = with_fills(&o, X::PartiallyFilled, vec![fill("t1", dec!(0.4), dec!(100), dec!(0), "BRL")]);
    o.apply(&partial, T0).unwrap();
    let before = types(&o);
    o.apply(&partial, T1).unwrap();
    o.apply(&report(&o, X::New, dec!(0), dec!(0)), T1).unwrap();
    o.apply(&report(&o, X::Filled, dec!(1), dec!(100)), T1).unwrap();
    o.apply(&report(&o, X::Filled, dec!(1), dec!(100)), T1).unwrap();

    assert_eq!(before, ["order.placed", "order.partially_filled"]);
    assert_eq!(types(&o), ["order.placed", "order.partially_filled", "order.filled"]);
}

#[test]
fn a_market_order_acknowledged_filled_raises_placed_then_filled() {
    let mut o = limit_buy();
    o.acknowledge(&report(&o, X::Filled, dec!(1), dec!(100)), T0).unwrap();
    assert_eq!(types(&o), ["order.placed", "order.filled"]);
}

#[test]
fn canceled_expired_and_forgotten_orders_raise_canceled_with_what_filled() {
    let mut canceled = limit_buy();
    canceled.apply(&report(&canceled, X::New, dec!(0), dec!(0)), T0).unwrap();
    canceled.apply(&report(&canceled, X::Canceled, dec!(0.3), dec!(30)), T1).unwrap();
    let mut expired = limit_buy();
    expired.apply(&report(&expired, X::Expired, dec!(0), dec!(0)), T0).unwrap();
    let mut forgotten = limit_buy();
    forgotten.apply(&report(&forgotten, X::New, dec!(0), dec!(0)), T0).unwrap();
    forgotten.mark_forgotten("the exchange no longer knows it", T1).unwrap();
    forgotten.mark_forgotten("again", T1).unwrap();

    assert_eq!(types(&canceled), ["order.placed", "order.canceled"]);
    let end = data(&canceled, 1);
    assert_eq!((end.status.as_str(), end.filled_quantity, end.filled_quote), ("canceled", dec!(0.3), dec!(30)));
    assert_eq!(types(&expired), ["order.placed", "order.canceled"]);
    assert_eq!(data(&expired, 1).status, "expired");
    assert_eq!(types(&forgotten), ["order.placed", "order.canceled"]);
    assert_eq!(data(&forgotten, 1).error.as_deref(), Some("the exchange no longer knows it"));
}

#[test]
fn a_rejection_raises_rejected_once_with_the_exchanges_message() {
    let mut o = limit_buy();
    o.mark_rejected("insufficient balance", T0).unwrap();
    o.mark_rejected("insufficient balance", T1).unwrap();

    assert_eq!(types(&o), ["order.rejected"]);
    let rejected = data(&o, 0);
    assert_eq!((rejected.status.as_str(), rejected.error.as_deref()), ("rejected", Some("insufficient balance")));
    let wire = serde_json::to_value(&o.outbox.events()[0]).unwrap();
    assert_eq!(wire["data"]["error"], "insufficient balance");
    assert_eq!(wire["data"]["filled_quantity"], "0");
}

#[test]
fn an_adopted_order_raises_nothing_for_what_it_was_when_found() {
    let template = limit_buy();
    let found = report(&template, X::PartiallyFilled, dec!(0.5), dec!(50));
    let mut adopted = Order::adopt(&found, template.user_id, template.context_id, template.exchange, T0);
    assert!(adopted.outbox.is_empty());

    adopted.apply(&report(&adopted, X::Filled, dec!(1), dec!(100)), T1).unwrap();
    assert_eq!(types(&adopted), ["order.filled"]);
}
