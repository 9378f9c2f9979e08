//! Payload mappings from the documented examples.

use rust_decimal_macros::dec;

use super::*;
use crate::exchanges::mercado_bitcoin::dto::{OrderDto, OrderItemsDto};

fn btc() -> Symbol {
    Symbol::parse("BTC-BRL").unwrap()
}

#[test]
fn documented_order_maps_with_fills_and_fees() {
    let dto: OrderDto = serde_json::from_str(include_str!("fixtures/order.json")).unwrap();
    let o = order(&dto, &btc()).unwrap();
    assert_eq!(o.exchange_order_id, "01HCDAA7YJ68ZJ0FTEPR7DYDS1");
    assert_eq!(o.client_order_id.as_ref().map(ClientOrderId::as_str), Some("1372183"));
    assert_eq!((o.side, o.kind), (OrderSide::Buy, OrderKind::Limit { price: dec!(9997) }));
    assert_eq!(o.status, ExchangeOrderStatus::Filled);
    assert_eq!((o.quantity, o.quote_amount), (Some(dec!(0.001)), None));
    assert_eq!((o.filled_quantity, o.filled_quote), (dec!(0.001), dec!(0.5)));
    assert_eq!(o.average_price(), Some(dec!(500)));
    let fill = &o.fills[0];
    assert_eq!((fill.trade_id.as_str(), fill.price, fill.quantity), ("16", dec!(500), dec!(0.001)));
    assert_eq!((fill.fee, fill.fee_asset.as_str()), (dec!(0.000007), "BTC"));
    assert_eq!(fill.at.unwrap().unix_timestamp(), 1_634_731_027);
    assert_eq!(o.created_at.unwrap().unix_timestamp(), 1_636_047_578);
}

#[test]
fn list_items_use_snake_case_external_id_and_working_with_fills_is_partial() {
    let dto: OrderItemsDto = serde_json::from_str(include_str!("fixtures/orders_items.json")).unwrap();
    let o = order(&dto.items[0], &btc()).unwrap();
    assert_eq!(o.client_order_id.unwrap().as_str(), "bf-01HCDAA7YJ68ZJ0FTEPR7DYDS1");
    assert_eq!(o.status, ExchangeOrderStatus::PartiallyFilled);
    assert_eq!(o.filled_quote, dec!(0), "no executions nor average price: quote unknown");
}

#[test]
fn statuses_and_market_orders_by_cost() {
    let raw = r#"{"id":"1","instrument":"BTC-BRL","side":"sell","type":"market","status":"cancelled","cost":100,"avgPrice":"250000","filledQty":"0.0002"}"#;
    let o = order(&serde_json::from_str(raw).unwrap(), &btc()).unwrap();
    assert_eq!((o.kind, o.status), (OrderKind::Market, ExchangeOrderStatus::Canceled));
    assert_eq!((o.quantity, o.quote_amount, o.filled_quote), (None, Some(dec!(100)), dec!(50)));
    let created = raw.replace("cancelled", "created");
    assert_eq!(order(&serde_json::from_str(&created).unwrap(), &btc()).unwrap().status, ExchangeOrderStatus::New);
    let odd = raw.replace("cancelled", "exploded");
    assert!(order(&serde_json::from_str(&odd).unwrap(), &btc()).is_err());
}

#[test]
fn sell_fees_are_in_the_quote_asset() {
    let raw = r#"{"id":"2","side":"sell","type":"limit","limitPrice":"100","status":"filled","qty":"2","filledQty":"2",
        "executions":[{"id":7,"price":"100","qty":"2","fee_rate":"0.3","executed_at":1634731027}]}"#;
    let o = order(&serde_json::from_str(raw).unwrap(), &btc()).unwrap();
    assert_eq!(o.symbol, btc(), "no instrument: the symbol of the call");
    assert_eq!((o.fills[0].fee, o.fills[0].fee_asset.as_str(), o.fills[0].trade_id.as_str()), (dec!(0.6), "BRL", "7"));
}

#[test]
fn instants_are_read_in_any_unit() {
    let at = |n: i128| instant(Num(rust_decimal::Decimal::from_i128_with_scale(n, 0))).unwrap().unix_timestamp();
    assert_eq!(at(1_636_107_279), 1_636_107_279);
    assert_eq!(at(1_636_107_279_123), 1_636_107_279);
    assert_eq!(at(1_636_107_279_123_456), 1_636_107_279);
    assert_eq!(at(1_636_107_279_123_456_789), 1_636_107_279);
}

#[test]
fn decimals_are_read_from_strings_and_numbers_exactly() {
    let nums: Vec<Num> = serde_json::from_str(r#"["0.10000000", 0.1, 250000.01, 42, "1e-8"]"#).unwrap();
    let values: Vec<_> = nums.iter().map(|n| n.0.normalize()).collect();
    assert_eq!(values, vec![dec!(0.1), dec!(0.1), dec!(250000.01), dec!(42), dec!(0.00000001)]);
    assert!(serde_json::from_str::<Num>("true").is_err());
}
