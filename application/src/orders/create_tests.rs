//! Tests of the manual-order request: parsing with every bad field named, the idempotency key's
//! rules and the client order id it derives.

use domain::shared::ids::UserId;
use rust_decimal_macros::dec;

use super::*;

fn input(side: &str, order_type: &str) -> OrderRequest {
    let side = if side == "buy" { OrderSide::Buy } else { OrderSide::Sell };
    let order_type = OrderType::parse(order_type).expect("a test names market or limit");
    OrderRequest { side, order_type, quantity: None, quote_amount: None, price: None, idempotency_key: None }
}

fn fields(err: OrderError) -> Vec<(String, String)> {
    match err {
        OrderError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.code.as_str().to_owned())).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[test]
fn limit_and_market_orders_parse() {
    let limit = OrderRequest { quantity: Some(dec!(0.5)), price: Some(dec!(100)), ..input("sell", "limit") };
    let shape = limit.shape().unwrap();
    assert_eq!(
        (shape.side, shape.kind, shape.size),
        (OrderSide::Sell, OrderKind::Limit { price: dec!(100) }, OrderSize::Quantity(dec!(0.5)))
    );

    let by_amount = OrderRequest { quote_amount: Some(dec!(50)), ..input("buy", "market") };
    let shape = by_amount.shape().unwrap();
    assert_eq!((shape.kind, shape.size), (OrderKind::Market, OrderSize::QuoteAmount(dec!(50))));
    assert_eq!(shape.size_field(), "quote_amount");
}

#[test]
fn quote_amount_is_for_market_buys_only() {
    let on_limit = OrderRequest { quote_amount: Some(dec!(50)), price: Some(dec!(1)), ..input("buy", "limit") };
    assert_eq!(fields(on_limit.shape().unwrap_err()), [pair("quote_amount", "not_allowed")]);
    let on_sell = OrderRequest { quote_amount: Some(dec!(50)), ..input("sell", "market") };
    assert_eq!(fields(on_sell.shape().unwrap_err()), [pair("quote_amount", "not_allowed")]);
    let both = OrderRequest { quantity: Some(dec!(1)), quote_amount: Some(dec!(50)), ..input("buy", "market") };
    assert_eq!(fields(both.shape().unwrap_err()), [pair("quote_amount", "not_allowed")]);
}

#[test]
fn prices_belong_to_limit_orders() {
    let priced_market = OrderRequest { quantity: Some(dec!(1)), price: Some(dec!(5)), ..input("buy", "market") };
    assert_eq!(fields(priced_market.shape().unwrap_err()), [pair("price", "not_allowed")]);
    let bare_limit = OrderRequest { quantity: Some(dec!(1)), ..input("buy", "limit") };
    assert_eq!(fields(bare_limit.shape().unwrap_err()), [pair("price", "required")]);
}

#[test]
fn every_bad_field_is_named_at_once() {
    // The side and type were refused at the edge: the amounts' refusals come besides them.
    let amounts = OrderAmounts { quantity: Some(dec!(-1)), quote_amount: None, price: Some(dec!(0)) };
    let named =
        |errors: Vec<FieldError>| errors.into_iter().map(|e| (e.field, e.code.as_str().to_owned())).collect::<Vec<_>>();
    assert_eq!(named(amount_refusals(None, None, amounts)), [pair("quantity", "invalid"), pair("price", "invalid")]);
    let none = OrderAmounts::default();
    assert_eq!(named(amount_refusals(Some(OrderSide::Buy), None, none)), [pair("quantity", "required")]);
    let quote = OrderAmounts { quote_amount: Some(dec!(5)), ..OrderAmounts::default() };
    assert_eq!(named(amount_refusals(None, Some(OrderType::Market), quote)), [pair("quote_amount", "not_allowed")]);
    assert_eq!(fields(input("buy", "market").shape().unwrap_err()), [pair("quantity", "required")]);
}

#[test]
fn sizes_and_prices_beyond_the_bounds_are_refused() {
    let huge = OrderRequest {
        quantity: Some(dec!(10000000000000.1)),
        price: Some(dec!(0.0000000000001)),
        ..input("buy", "limit")
    };
    assert_eq!(fields(huge.shape().unwrap_err()), [pair("quantity", "invalid"), pair("price", "invalid")]);
    let places = OrderRequest { quote_amount: Some(dec!(1.0000000000000000001)), ..input("buy", "market") };
    assert_eq!(fields(places.shape().unwrap_err()), [pair("quote_amount", "invalid")]);
    let largest = OrderRequest {
        quantity: Some(dec!(10000000000000)),
        price: Some(dec!(1000000000000000)),
        ..input("buy", "limit")
    };
    assert!(largest.shape().is_ok(), "the bounds themselves are allowed");
}

#[test]
fn idempotency_keys_are_short_printable_ascii() {
    let with = |key: &str| OrderRequest { idempotency_key: Some(key.into()), ..input("buy", "market") };
    assert_eq!(with("retry-1").key().unwrap(), Some("retry-1"));
    assert_eq!(input("buy", "market").key().unwrap(), None);
    for bad in ["", "has space", "é", &"k".repeat(MAX_IDEMPOTENCY_KEY_LEN + 1)] {
        let err = with(bad).key().unwrap_err();
        assert!(matches!(err, OrderError::InvalidIdempotencyKey), "{bad:?}");
    }
}

#[test]
fn the_client_order_id_depends_on_user_and_key_only() {
    let (ana, bia) = (UserId::new(), UserId::new());
    let id = client_order_id_for(ana, "k1");

    assert_eq!(id, client_order_id_for(ana, "k1"));
    assert_ne!(id, client_order_id_for(ana, "k2"));
    assert_ne!(id, client_order_id_for(bia, "k1"));
    assert!(id.is_ours());
    assert_eq!(id.as_str().len(), 35);
    assert!(id.as_str()[3..].chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn the_client_order_id_is_sha256_of_user_and_key() {
    let user = UserId::parse("01JD0000000000000000000000").unwrap();
    // sha256("01JD0000000000000000000000:abc"), computed independently with coreutils.
    assert_eq!(client_order_id_for(user, "abc").as_str(), "bf-d1fd5b467aa0e323458220caa89f8f63");
}
