//! The engine's recovery on both stores, against a scripted exchange: open orders found on the
//! exchange that botfleet never placed are adopted (flagged, manual, without a bot) exactly once,
//! its own orders are not adopted, nothing is placed, and adopted orders are then kept in step
//! with the exchange by sync like any other order.

use application::engine::Workload;
use botfleet_tests::app::Store;
use botfleet_tests::engine::EngineRig;
use domain::exchange::{ClientOrderId, ExchangeOrder, ExchangeOrderStatus, OrderKind, OrderRef, OrderSide, OrderSize};
use domain::orders::{Order, OrderStatus, StrategySource};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(recovery_adopts_unknown_open_orders_once_and_sync_follows_them);

/// An open limit order placed on the exchange's web site, with or without a client order id.
fn foreign(
    rig: &EngineRig,
    id: &str,
    client: Option<&str>,
    side: OrderSide,
    price: Decimal,
    qty: Decimal,
) -> ExchangeOrder {
    ExchangeOrder {
        exchange_order_id: id.into(),
        client_order_id: client.map(|c| ClientOrderId::parse(c).expect("a valid client order id")),
        symbol: rig.context.symbol(),
        side,
        kind: OrderKind::Limit { price },
        status: ExchangeOrderStatus::New,
        quantity: Some(qty),
        quote_amount: None,
        filled_quantity: Decimal::ZERO,
        filled_quote: Decimal::ZERO,
        fills: Vec::new(),
        created_at: None,
        updated_at: None,
    }
}

fn by_exchange_id<'a>(orders: &'a [Order], id: &str) -> &'a Order {
    orders.iter().find(|o| o.exchange_order_id.as_deref() == Some(id)).unwrap_or_else(|| panic!("no order {id}"))
}

fn trade_ids(order: &Order) -> Vec<&str> {
    order.fills.iter().map(|f| f.trade_id.as_str()).collect()
}

async fn recovery_adopts_unknown_open_orders_once_and_sync_follows_them(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(dec!(100), dec!(1000)).await;
    rig.engine.run(Workload::DcaExecution).await.unwrap();
    let placed = rig.bot(bot.id).await;
    let ours = rig.orders().await[0].clone();
    let (web, app) = (OrderRef::Exchange("mb-77".into()), OrderRef::Exchange("mb-78".into()));
    rig.exchange.add_foreign(foreign(&rig, "mb-77", None, OrderSide::Sell, dec!(120000), dec!(0.002)));
    rig.exchange.add_foreign(foreign(&rig, "mb-78", Some("web-order-5"), OrderSide::Buy, dec!(90000), dec!(0.003)));
    rig.exchange.fill(&app, "w1", dec!(0.001), dec!(90000), dec!(0.09));

    let report = rig.engine.recover().await.unwrap();

    assert_eq!(report.adopted, 2, "{report:?}");
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 3);
    let own = orders.iter().find(|o| o.client_order_id == ours.client_order_id).unwrap();
    assert_eq!((own.adopted, own.bot_id), (false, Some(bot.id)), "its own order is not adopted");
    let (a, b) = (by_exchange_id(&orders, "mb-77"), by_exchange_id(&orders, "mb-78"));
    for adopted in [a, b] {
        assert!(adopted.adopted && !adopted.client_order_id.is_ours(), "{adopted:?}");
        assert_eq!((adopted.bot_id, adopted.source, adopted.user_id), (None, StrategySource::Manual, rig.user()));
    }
    assert_eq!(
        (a.status, a.side, a.kind),
        (OrderStatus::New, OrderSide::Sell, OrderKind::Limit { price: dec!(120000) })
    );
    assert_eq!(a.size, OrderSize::Quantity(dec!(0.002)));
    assert_eq!(b.client_order_id.as_str(), "web-order-5", "a client order id of its own is kept");
    assert_eq!((b.status, b.filled_quantity, trade_ids(b)), (OrderStatus::PartiallyFilled, dec!(0.001), vec!["w1"]));
    assert_eq!(rig.bot(bot.id).await, placed, "adopted orders stay out of the bot's books");

    let again = rig.engine.recover().await.unwrap();
    assert_eq!(again.adopted, 0, "{again:?}");
    assert_eq!(rig.orders().await.len(), 3);

    // Adopted orders then follow the exchange like any other.
    rig.exchange.end(&web, ExchangeOrderStatus::Canceled);
    rig.exchange.fill(&app, "w2", dec!(0.002), dec!(90000), dec!(0.18));
    let sync = rig.engine.sync_orders().await.unwrap();
    assert_eq!((sync.changed, sync.failed), (2, 0), "{sync:?}");
    let orders = rig.orders().await;
    let (a, b) = (by_exchange_id(&orders, "mb-77"), by_exchange_id(&orders, "mb-78"));
    assert_eq!(a.status, OrderStatus::Canceled);
    assert_eq!((b.status, b.filled_quantity, trade_ids(b)), (OrderStatus::Filled, dec!(0.003), vec!["w1", "w2"]));
    assert_eq!(rig.exchange.placements().len(), 1, "recovery places nothing");
    rig.assert_no_id_sent_twice();
    rig.finish().await;
}
