//! Contract of `OrderRepository`: every field round-trips exactly, one order per client order id,
//! optimistic versions, the owner's filtered history newest first, and the open orders sync reads.

use std::collections::{BTreeMap, BTreeSet};

use domain::exchange::OrderSize;
use domain::exchange::{ClientOrderId, ExchangeId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderSide};
use domain::orders::{MarketConditions, Order, OrderFill, OrderFilter, OrderStatus, StrategySource};
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use serde_json::json;

use super::fixtures::{at, order};
use super::{assert_conflict, assert_duplicate, assert_not_found};

fn dec(s: &str) -> Decimal {
    s.parse().expect("test decimal")
}

/// A partially filled sell by a DCA bot with every optional field set and awkward decimals.
fn rich_order(user: UserId) -> Order {
    let mut o = order(user, ContextId::new(), 0);
    (o.bot_id, o.source, o.side, o.status) =
        (Some(BotId::new()), StrategySource::Dca, OrderSide::Sell, OrderStatus::PartiallyFilled);
    o.kind = OrderKind::Limit { price: dec("301234.56789012") };
    o.size = OrderSize::Quantity(dec("0.00012345"));
    (o.filled_quantity, o.filled_quote) = (dec("0.0001"), dec("30.123456789012"));
    o.average_fill_price = Some(dec("301234.56789012"));
    o.fees = BTreeMap::from([("BRL".into(), dec("0.03012346")), ("BNB".into(), dec("0.00000001"))]);
    o.fills = vec![
        OrderFill {
            trade_id: "t-1".into(),
            price: dec("301234.56789012"),
            quantity: dec("0.00006"),
            fee: dec("0.01807407"),
            fee_asset: "BRL".into(),
            at: Some(at(5)),
        },
        OrderFill {
            trade_id: "t-2".into(),
            price: dec("301234.56789012"),
            quantity: dec("0.00004"),
            fee: dec("0.00000001"),
            fee_asset: "BNB".into(),
            at: None,
        },
    ];
    o.exchange_order_id = Some("9007199254740993".into());
    o.creation.parameters =
        BTreeMap::from([("take_profit_percent".into(), "2.5".into()), ("step.n".into(), "3".into())]);
    o.creation.indicators = BTreeMap::from([("rsi_14".into(), dec("27.123456789")), ("ema.21".into(), dec("-0.5"))]);
    o.creation.market = MarketConditions::from_book(dec("301000.01"), dec("301250.99"));
    o.reason = Some("take profit reached".into());
    o.error = Some("partially cancelled: insufficient book".into());
    o.updated_at = at(6);
    o
}

/// `create` stores version 1 and every field reads back equal, for two very different orders.
pub async fn create_then_get_round_trips_every_field(repos: &Repositories) {
    let ana = UserId::new();
    let rich = rich_order(ana);
    let mut plain = order(ana, ContextId::new(), 1);
    (plain.kind, plain.size, plain.adopted) = (OrderKind::Market, OrderSize::QuoteAmount(dec("150.75")), true);
    (plain.exchange, plain.status) = (ExchangeId::MercadoBitcoin, OrderStatus::Rejected);

    for o in [rich, plain] {
        let created = repos.orders.create(&o).await.unwrap();

        assert_eq!(created, Order { version: 1, ..o.clone() });
        assert_eq!(repos.orders.get(ana, o.id).await.unwrap(), created);
    }
}

/// Decimals are stored as canonical strings: no trailing zeros, no exponent, never numbers.
pub async fn decimals_are_stored_as_canonical_strings(repos: &Repositories) {
    let mut o = order(UserId::new(), ContextId::new(), 0);
    (o.kind, o.size) = (OrderKind::Limit { price: dec("300000.100") }, OrderSize::Quantity(dec("0.00000010")));
    o.creation.indicators = BTreeMap::from([("rsi_14".into(), dec("30.0"))]);
    repos.orders.create(&o).await.unwrap();

    let stored = repos.store.get("orders", &o.id.to_string()).await.unwrap().expect("stored");

    assert_eq!((&stored["price"], &stored["size"]), (&json!("300000.1"), &json!("0.0000001")));
    assert_eq!((&stored["filled_quantity"], &stored["average_fill_price"]), (&json!("0"), &json!(null)));
    assert_eq!(stored["creation"]["indicators"], json!([{"name": "rsi_14", "value": "30"}]));
    assert_eq!(repos.orders.get(o.user_id, o.id).await.unwrap().kind, OrderKind::Limit { price: dec("300000.1") });
}

/// Another user's order is `NotFound` and never listed; so is an unknown id.
pub async fn get_is_scoped_to_the_owner(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let anas = repos.orders.create(&order(ana, ContextId::new(), 0)).await.unwrap();

    assert_not_found(repos.orders.get(bia, anas.id).await);
    assert_not_found(repos.orders.get(ana, OrderId::new()).await);
    assert_eq!(repos.orders.list(bia, &OrderFilter::default(), PageRequest::first()).await.unwrap().total, 0);
    assert_eq!(repos.orders.get(ana, anas.id).await.unwrap(), anas);
}

/// One order per client order id, whoever stores it: `Duplicate { orders_client_order_id }`.
pub async fn duplicate_client_order_id_is_refused(repos: &Repositories) {
    let first = repos.orders.create(&order(UserId::new(), ContextId::new(), 0)).await.unwrap();
    let again = Order { id: OrderId::new(), user_id: UserId::new(), ..order(first.user_id, first.context_id, 1) };
    let again = Order { client_order_id: first.client_order_id.clone(), ..again };

    assert_duplicate(repos.orders.create(&again).await, "orders_client_order_id");

    repos.orders.create(&order(first.user_id, first.context_id, 2)).await.unwrap();
    let all = repos.orders.list(first.user_id, &OrderFilter::default(), PageRequest::first()).await.unwrap();
    assert_eq!(all.total, 2);
}

/// `get_by_client_id` finds any owner's order by its client order id; unknown is `NotFound`.
pub async fn get_by_client_id(repos: &Repositories) {
    let o = repos.orders.create(&order(UserId::new(), ContextId::new(), 0)).await.unwrap();
    repos.orders.create(&order(UserId::new(), ContextId::new(), 1)).await.unwrap();

    assert_eq!(repos.orders.get_by_client_id(&o.client_order_id).await.unwrap(), o);
    assert_not_found(repos.orders.get_by_client_id(&ClientOrderId::generate()).await);
}

/// A synced order is saved with the next version; a stale copy is `Conflict`, unknown `NotFound`.
pub async fn update_bumps_version_and_refuses_stale(repos: &Repositories) {
    let created = repos.orders.create(&order(UserId::new(), ContextId::new(), 0)).await.unwrap();
    let mut synced = created.clone();
    let fill = Fill {
        trade_id: "77".into(),
        price: dec("300000.1"),
        quantity: dec("0.2"),
        fee: dec("0.0002"),
        fee_asset: "BTC".into(),
        at: Some(at(3)),
    };
    let report = ExchangeOrder {
        exchange_order_id: "881".into(),
        client_order_id: Some(created.client_order_id.clone()),
        symbol: created.symbol.clone(),
        side: created.side,
        kind: created.kind,
        status: ExchangeOrderStatus::PartiallyFilled,
        quantity: Some(dec("0.5")),
        quote_amount: None,
        filled_quantity: dec("0.2"),
        filled_quote: dec("60000.02"),
        fills: vec![fill],
        created_at: Some(at(0)),
        updated_at: Some(at(3)),
    };
    assert!(synced.apply(&report, at(4)).unwrap().changed);
    assert!(synced.note_missing(at(5)), "a streak of not-found is stored too");

    let updated = repos.orders.update(&synced).await.unwrap();

    assert_eq!(updated, Order { version: 2, ..synced });
    assert_eq!(repos.orders.get(created.user_id, created.id).await.unwrap(), updated);
    assert_conflict(repos.orders.update(&created).await);
    assert_not_found(repos.orders.update(&order(created.user_id, created.context_id, 9)).await);
}

/// Stores `o` with `status`, as an update would have left it.
async fn stored(repos: &Repositories, mut o: Order, status: OrderStatus) -> Order {
    o.status = status;
    repos.orders.create(&o).await.unwrap()
}

fn ids(orders: &[Order]) -> Vec<OrderId> {
    orders.iter().map(|o| o.id).collect()
}

/// `list` is the owner's, newest first, narrowed by every filter field at once, and paged.
pub async fn list_filters_newest_first_and_pages(repos: &Repositories) {
    let (ana, (a, b), (x, y)) = (UserId::new(), (ContextId::new(), ContextId::new()), (BotId::new(), BotId::new()));
    let by = |o: Order, bot, source, side| Order { bot_id: Some(bot), source, side, ..o };
    let o1 = stored(repos, order(ana, a, 10), OrderStatus::Pending).await;
    let o2 = stored(repos, by(order(ana, a, 20), x, StrategySource::Dca, OrderSide::Sell), OrderStatus::New).await;
    let o3 = stored(repos, by(order(ana, b, 30), x, StrategySource::Dca, OrderSide::Buy), OrderStatus::Filled).await;
    let o4 =
        stored(repos, by(order(ana, b, 40), y, StrategySource::Smart, OrderSide::Buy), OrderStatus::Canceled).await;
    stored(repos, order(UserId::new(), a, 25), OrderStatus::New).await;
    let list = |filter: OrderFilter, page| async move { repos.orders.list(ana, &filter, page).await.unwrap() };
    let any = OrderFilter::default();
    let statuses = |s: &[OrderStatus]| s.iter().copied().collect::<BTreeSet<_>>();

    let all = list(any.clone(), PageRequest::first()).await;
    assert_eq!((all.total, all.items), (4, vec![o4.clone(), o3.clone(), o2.clone(), o1.clone()]));
    let second = list(any.clone(), PageRequest::new(1, 2)).await;
    assert_eq!((second.total, ids(&second.items), second.offset), (4, ids(&[o3.clone(), o2.clone()]), 1));
    let cases = [
        (OrderFilter { context: Some(a), ..any.clone() }, vec![&o2, &o1]),
        (OrderFilter { bot: Some(x), ..any.clone() }, vec![&o3, &o2]),
        (
            OrderFilter { status: statuses(&[OrderStatus::Filled, OrderStatus::Canceled]), ..any.clone() },
            vec![&o4, &o3],
        ),
        (OrderFilter { side: Some(OrderSide::Sell), ..any.clone() }, vec![&o2]),
        (OrderFilter { source: Some(StrategySource::Dca), ..any.clone() }, vec![&o3, &o2]),
        (OrderFilter { context: Some(b), status: statuses(&[OrderStatus::Filled]), ..any.clone() }, vec![&o3]),
        (OrderFilter { bot: Some(y), side: Some(OrderSide::Sell), ..any.clone() }, vec![]),
    ];
    for (filter, expected) in cases {
        let page = list(filter.clone(), PageRequest::first()).await;
        let expected: Vec<Order> = expected.into_iter().cloned().collect();
        assert_eq!((page.total, ids(&page.items)), (expected.len() as u64, ids(&expected)), "{filter:?}");
    }
}

/// `from` is inclusive and `to` exclusive, on the creation time.
pub async fn list_filters_by_time_range(repos: &Repositories) {
    let (ana, ctx) = (UserId::new(), ContextId::new());
    let mut made = Vec::new();
    for created in [10, 20, 30] {
        made.push(repos.orders.create(&order(ana, ctx, created)).await.unwrap());
    }
    let range = |from: Option<i64>, to: Option<i64>| OrderFilter {
        from: from.map(at),
        to: to.map(at),
        ..OrderFilter::default()
    };

    for (filter, expected) in [
        (range(Some(20), None), vec![made[2].id, made[1].id]),
        (range(None, Some(20)), vec![made[0].id]),
        (range(Some(10), Some(30)), vec![made[1].id, made[0].id]),
        (range(Some(31), None), vec![]),
    ] {
        let page = repos.orders.list(ana, &filter, PageRequest::first()).await.unwrap();
        assert_eq!(ids(&page.items), expected, "{filter:?}");
    }
}

/// `open` returns every owner's pending, new and partially filled orders, oldest first, on one
/// exchange or all, in one context or all.
pub async fn open_lists_unfinished_orders_oldest_first(repos: &Repositories) {
    let (ana, (a, b)) = (UserId::new(), (ContextId::new(), ContextId::new()));
    let mb = |o: Order| Order { exchange: ExchangeId::MercadoBitcoin, ..o };
    let pending = stored(repos, order(ana, a, 1), OrderStatus::Pending).await;
    let new = stored(repos, mb(order(ana, b, 2)), OrderStatus::New).await;
    let partial = stored(repos, order(ana, b, 3), OrderStatus::PartiallyFilled).await;
    for (created, status) in
        [(4, OrderStatus::Filled), (5, OrderStatus::Canceled), (6, OrderStatus::Rejected), (7, OrderStatus::Expired)]
    {
        stored(repos, order(ana, b, created), status).await;
    }
    let bias = stored(repos, order(UserId::new(), ContextId::new(), 8), OrderStatus::Pending).await;

    let open = |exchange, context| async move { ids(&repos.orders.open(exchange, context).await.unwrap()) };

    assert_eq!(open(None, None).await, ids(&[pending.clone(), new.clone(), partial.clone(), bias.clone()]));
    assert_eq!(open(Some(ExchangeId::Binance), None).await, ids(&[pending, partial.clone(), bias]));
    assert_eq!(open(None, Some(b)).await, ids(&[new.clone(), partial]));
    assert_eq!(open(Some(ExchangeId::MercadoBitcoin), Some(b)).await, ids(&[new]));
    assert_eq!(open(Some(ExchangeId::MercadoBitcoin), Some(a)).await, vec![]);
}

/// `by_bot` returns the bot's open orders only, oldest first.
pub async fn by_bot_lists_the_bots_open_orders(repos: &Repositories) {
    let (ana, ctx, bot) = (UserId::new(), ContextId::new(), BotId::new());
    let of = |bot, created| Order { bot_id: Some(bot), source: StrategySource::Smart, ..order(ana, ctx, created) };
    let partial = stored(repos, of(bot, 2), OrderStatus::PartiallyFilled).await;
    let pending = stored(repos, of(bot, 1), OrderStatus::Pending).await;
    stored(repos, of(bot, 3), OrderStatus::Filled).await;
    stored(repos, of(BotId::new(), 4), OrderStatus::New).await;
    stored(repos, order(ana, ctx, 5), OrderStatus::New).await;

    let orders = repos.orders.by_bot(bot).await.unwrap();

    assert_eq!(orders, vec![pending, partial]);
    assert_eq!(repos.orders.by_bot(BotId::new()).await.unwrap(), vec![]);
}

/// `open_of` returns the owner's open orders only, in every context.
pub async fn open_of_lists_the_owners_open_orders(repos: &Repositories) {
    let (ana, (a, b)) = (UserId::new(), (ContextId::new(), ContextId::new()));
    let pending = stored(repos, order(ana, a, 1), OrderStatus::Pending).await;
    let new = stored(repos, order(ana, b, 2), OrderStatus::New).await;
    let partial = stored(repos, order(ana, b, 3), OrderStatus::PartiallyFilled).await;
    for (created, status) in [(4, OrderStatus::Filled), (5, OrderStatus::Canceled), (6, OrderStatus::Rejected)] {
        stored(repos, order(ana, a, created), status).await;
    }
    stored(repos, order(UserId::new(), ContextId::new(), 7), OrderStatus::Pending).await;

    let mut open = ids(&repos.orders.open_of(ana).await.unwrap());
    open.sort();

    let mut expected = ids(&[pending, new, partial]);
    expected.sort();
    assert_eq!(open, expected);
    assert_eq!(repos.orders.open_of(UserId::new()).await.unwrap(), vec![]);
}

/// A listed order that changes is listed as it is now, however often the page was read before
/// (a repository may keep decoded pages: it must never serve an order as it was).
pub async fn list_shows_each_order_as_stored_now(repos: &Repositories) {
    let owner = UserId::new();
    let created = stored(repos, order(owner, ContextId::new(), 10), OrderStatus::New).await;
    let list = || async { repos.orders.list(owner, &OrderFilter::default(), PageRequest::first()).await.unwrap() };
    for _ in 0..2 {
        assert_eq!(list().await.items, vec![created.clone()]);
    }
    let canceled = Order { status: OrderStatus::Canceled, reason: Some("by the owner".into()), ..created.clone() };
    let canceled = repos.orders.update(&canceled).await.unwrap();
    assert_eq!(list().await.items, vec![canceled.clone()]);
    let other = stored(repos, order(owner, ContextId::new(), 20), OrderStatus::New).await;
    assert_eq!(list().await.items, vec![other, canceled]);
}
