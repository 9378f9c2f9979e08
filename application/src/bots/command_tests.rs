//! Parsing of buy and sell commands: each bad field named, a whole position's sale unsized.

use rust_decimal_macros::dec;

use super::*;

fn fields(err: BotServiceError) -> Vec<(String, String)> {
    match err {
        BotServiceError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.code.as_str().to_owned())).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

fn input(order_type: &str) -> BotCommandInput {
    BotCommandInput {
        order_type: OrderType::parse(order_type).expect("a test names market or limit"),
        quantity: None,
        quote_amount: None,
        price: None,
        position_id: None,
        idempotency_key: None,
    }
}

#[test]
fn a_buy_by_quote_amount_and_a_whole_position_sale_parse() {
    let owner = UserId::new();
    let buy = BotCommandInput { quote_amount: Some(dec!(250)), ..input("market") };
    let command = buy.parse(owner, OrderSide::Buy).unwrap();
    assert_eq!(command.order.size, Some(OrderSize::QuoteAmount(dec!(250))));
    assert_eq!(command.client_order_id, None);

    let position = PositionId::new();
    let sale = BotCommandInput {
        price: Some(dec!(120000)),
        position_id: Some(position),
        idempotency_key: Some("sell-1".into()),
        ..input("limit")
    };
    let command = sale.parse(owner, OrderSide::Sell).unwrap();
    let expected =
        ManualOrder { side: OrderSide::Sell, limit_price: Some(dec!(120000)), size: None, position: Some(position) };
    assert_eq!(command.order, expected);
    assert_eq!(command.client_order_id, Some(client_order_id_for(owner, "sell-1")));
}

#[test]
fn every_bad_field_is_named() {
    let owner = UserId::new();
    let by_quote = BotCommandInput { quote_amount: Some(dec!(10)), ..input("market") };
    assert_eq!(
        fields(by_quote.parse(owner, OrderSide::Sell).unwrap_err()),
        [("quote_amount".into(), "not_allowed".into())]
    );
    let placed = BotCommandInput { quantity: Some(dec!(1)), position_id: Some(PositionId::new()), ..input("market") };
    assert_eq!(
        fields(placed.parse(owner, OrderSide::Buy).unwrap_err()),
        [("position_id".into(), "not_allowed".into())]
    );
    let unpriced = BotCommandInput { position_id: Some(PositionId::new()), ..input("limit") };
    assert_eq!(fields(unpriced.parse(owner, OrderSide::Sell).unwrap_err()), [("price".into(), "required".into())]);
    assert_eq!(
        fields(input("market").parse(owner, OrderSide::Sell).unwrap_err()),
        [("quantity".into(), "required".into())]
    );
    let key = BotCommandInput { quantity: Some(dec!(1)), idempotency_key: Some("has space".into()), ..input("market") };
    assert!(matches!(
        key.parse(owner, OrderSide::Buy),
        Err(BotServiceError::Order(crate::orders::OrderError::InvalidIdempotencyKey))
    ));
}
