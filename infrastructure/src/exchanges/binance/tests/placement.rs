//! Placement is idempotent: an unknown outcome is resolved by the client order id before the
//! order is ever sent again, and an order breaking the filters is never sent.

use domain::exchange::{ExchangeError, ExchangeGateway, ExchangeOrderStatus, OrderSize};
use domain::market::{FilterViolation, Symbol};
use rust_decimal::Decimal;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::{api_error, creds, limit_buy, resting_order, Binance, EXCHANGE_INFO, PAST_TIMEOUT};

#[tokio::test]
async fn a_timed_out_order_found_by_its_client_id_is_not_sent_again() {
    let b = Binance::start().await;
    let request = limit_buy();
    let order = resting_order(&request.client_order_id);
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order.clone()).set_delay(PAST_TIMEOUT))
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/order"))
        .and(query_param("symbol", "BTCBRL"))
        .and(query_param("origClientOrderId", request.client_order_id.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(order))
        .expect(1)
        .mount(&b.server)
        .await;

    let placed = b.adapter.place_order(&creds(), &request).await.unwrap();

    assert_eq!(placed.exchange_order_id, "28");
    assert_eq!(placed.client_order_id.as_ref(), Some(&request.client_order_id));
    assert_eq!(b.requests("POST", "/api/v3/order").await.len(), 1);
}

#[tokio::test]
async fn a_timed_out_order_the_exchange_does_not_know_is_sent_exactly_once_more() {
    let b = Binance::start().await;
    let request = limit_buy();
    let order = resting_order(&request.client_order_id);
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order.clone()).set_delay(PAST_TIMEOUT))
        .with_priority(1)
        .up_to_n_times(1)
        .mount(&b.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order))
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/order"))
        .respond_with(api_error(400, -2013, "Order does not exist."))
        .mount(&b.server)
        .await;

    let placed = b.adapter.place_order(&creds(), &request).await.unwrap();

    assert_eq!(placed.status, ExchangeOrderStatus::New);
    let posts = b.requests("POST", "/api/v3/order").await;
    assert_eq!(posts.len(), 2, "one send and exactly one resend");
    let id = format!("newClientOrderId={}", request.client_order_id);
    assert!(posts.iter().all(|p| String::from_utf8_lossy(&p.body).contains(&id)), "the resend keeps the id");
}

#[tokio::test]
async fn a_5xx_whose_look_up_fails_too_is_an_unknown_outcome_and_not_resent() {
    let b = Binance::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&b.server)
        .await;

    let got = b.adapter.place_order(&creds(), &limit_buy()).await;

    assert!(matches!(got, Err(ExchangeError::OutcomeUnknown(_))), "{got:?}");
}

#[tokio::test]
async fn a_duplicate_client_id_resolves_to_the_existing_order() {
    let b = Binance::start().await;
    let request = limit_buy();
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(api_error(400, -2010, "Duplicate order sent."))
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resting_order(&request.client_order_id)))
        .expect(1)
        .mount(&b.server)
        .await;

    let placed = b.adapter.place_order(&creds(), &request).await.unwrap();

    assert_eq!(placed.exchange_order_id, "28");
}

#[tokio::test]
async fn orders_breaking_filters_or_in_unknown_markets_are_never_sent() {
    let b = Binance::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&b.server)
        .await;
    let mut off_step = limit_buy();
    off_step.size = OrderSize::Quantity(Decimal::new(1_000_005, 9));
    let mut too_small = limit_buy();
    too_small.size = OrderSize::Quantity(Decimal::new(2, 5));
    let mut halted = limit_buy();
    halted.symbol = Symbol::parse("LUNA-BRL").unwrap();
    let mut unlisted = limit_buy();
    unlisted.symbol = Symbol::parse("NOPE-BRL").unwrap();

    let off_step = b.adapter.place_order(&creds(), &off_step).await;
    let too_small = b.adapter.place_order(&creds(), &too_small).await;
    let halted = b.adapter.place_order(&creds(), &halted).await;
    let unlisted = b.adapter.place_order(&creds(), &unlisted).await;

    assert!(matches!(off_step, Err(ExchangeError::Filter(FilterViolation::OffStep { .. }))), "{off_step:?}");
    assert!(matches!(too_small, Err(ExchangeError::Filter(FilterViolation::BelowMinNotional { .. }))), "{too_small:?}");
    assert!(matches!(halted, Err(ExchangeError::Filter(FilterViolation::MarketClosed))), "{halted:?}");
    assert!(matches!(unlisted, Err(ExchangeError::UnknownSymbol(_))), "{unlisted:?}");
}

#[tokio::test]
async fn a_1013_refreshes_the_filters_and_reports_the_violation_they_find() {
    let b = Binance::start().await;
    let lenient = EXCHANGE_INFO.replace("\"minNotional\": \"10.00000000\"", "\"minNotional\": \"1.00000000\"");
    assert_ne!(lenient, EXCHANGE_INFO);
    Mock::given(method("GET"))
        .and(path("/api/v3/exchangeInfo"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(lenient, "application/json"))
        .with_priority(1)
        .up_to_n_times(1)
        .mount(&b.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(api_error(400, -1013, "Filter failure: NOTIONAL"))
        .expect(1)
        .mount(&b.server)
        .await;
    let mut five_brl = limit_buy();
    five_brl.size = OrderSize::Quantity(Decimal::new(2, 5));

    let got = b.adapter.place_order(&creds(), &five_brl).await;

    assert!(matches!(got, Err(ExchangeError::Filter(FilterViolation::BelowMinNotional { .. }))), "{got:?}");
    assert_eq!(b.requests("GET", "/api/v3/exchangeInfo").await.len(), 2);
}
