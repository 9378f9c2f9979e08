//! Order placement: request shape, filters checked before sending, and no duplicate after a
//! time-out or a 5xx.

use domain::exchange::{
    ClientOrderId, ExchangeError, ExchangeGateway, ExchangeOrderStatus, OrderKind, OrderRequest, OrderSide, OrderSize,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::MockServer;

use super::*;

const PLACED_ID: &str = "01H50SZYF0WZQY8Q3NCJ2HGD8G";

fn orders_path() -> String {
    format!("/api/v4/accounts/{ACCOUNT}/BTC-BRL/orders")
}

fn limit_buy(client: &ClientOrderId, quantity: Decimal) -> OrderRequest {
    OrderRequest {
        symbol: btc(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: dec!(125000.5) },
        size: OrderSize::Quantity(quantity),
        client_order_id: client.clone(),
    }
}

/// An order as `GET .../orders/{id}` reports it: a resting limit buy of 0.001 at 125000.5.
fn resting(client: &ClientOrderId) -> String {
    format!(
        r#"{{"id":"{PLACED_ID}","instrument":"BTC-BRL","side":"buy","type":"limit","status":"working","qty":"0.001","filledQty":"0","limitPrice":125000.5,"avgPrice":0,"externalId":"{client}","created_at":{T0},"updated_at":{T0},"executions":[]}}"#
    )
}

/// A ready server: auth, symbols, and the placed order readable by id and (if `listed`) in the list.
async fn ready(client: &ClientOrderId, listed: bool) -> Setup {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 1).await;
    mount_symbols(&s.server).await;
    Mock::given(method("GET"))
        .and(path(format!("{}/{PLACED_ID}", orders_path())))
        .respond_with(json(&resting(client)))
        .mount(&s.server)
        .await;
    let list = if listed { format!("[{}]", resting(client)) } else { "[]".to_owned() };
    Mock::given(method("GET")).and(path(orders_path())).respond_with(json(&list)).mount(&s.server).await;
    s
}

async fn mount_post(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST")).and(path(orders_path())).respond_with(response).expect(times).mount(server).await;
}

fn placed() -> ResponseTemplate {
    json(&format!(r#"{{"orderId":"{PLACED_ID}"}}"#))
}

fn too_slow() -> ResponseTemplate {
    placed().set_delay(Duration::from_secs(3))
}

#[tokio::test]
async fn placement_sends_the_documented_body_on_the_account_path() {
    let client = ClientOrderId::generate();
    let s = ready(&client, false).await;
    Mock::given(method("POST"))
        .and(path(orders_path()))
        .and(header("authorization", "Bearer tok-1"))
        .and(body_json(serde_json::json!({
            "side": "buy", "type": "limit", "qty": "0.001", "limitPrice": 125000.5, "externalId": client.as_str()
        })))
        .respond_with(placed())
        .expect(1)
        .mount(&s.server)
        .await;
    let order = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await.unwrap();
    assert_eq!(order.exchange_order_id, PLACED_ID);
    assert_eq!(order.client_order_id.as_ref(), Some(&client));
    assert_eq!((order.status, order.quantity), (ExchangeOrderStatus::New, Some(dec!(0.001))));
}

#[tokio::test]
async fn market_buy_by_quote_amount_sends_cost() {
    let client = ClientOrderId::generate();
    let s = ready(&client, false).await;
    Mock::given(method("GET")).and(path("/api/v4/tickers")).respond_with(json(TICKERS)).mount(&s.server).await;
    Mock::given(method("POST"))
        .and(path(orders_path()))
        .and(body_json(serde_json::json!({"side": "buy", "type": "market", "cost": 50, "externalId": client.as_str()})))
        .respond_with(placed())
        .expect(1)
        .mount(&s.server)
        .await;
    let request =
        OrderRequest { kind: OrderKind::Market, size: OrderSize::QuoteAmount(dec!(50)), ..limit_buy(&client, dec!(0)) };
    s.mb.place_order(&creds(), &request).await.unwrap();
}

#[tokio::test]
async fn an_order_breaking_the_filters_is_never_sent() {
    let client = ClientOrderId::generate();
    let s = setup(AuthMode::Authorize).await;
    mount_symbols(&s.server).await;
    mount_post(&s.server, placed(), 0).await;
    let got = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.000001))).await;
    assert!(matches!(got, Err(ExchangeError::Filter(_))), "{got:?}");
    let off_step = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.0010000001))).await;
    assert!(matches!(off_step, Err(ExchangeError::Filter(_))), "{off_step:?}");
    assert_eq!(hits(&s.server, "POST", "/api/v4/authorize").await, 0, "refused before any private call");
}

#[tokio::test]
async fn after_a_time_out_the_order_found_by_external_id_is_returned_without_resending() {
    let client = ClientOrderId::generate();
    let s = ready(&client, true).await;
    mount_post(&s.server, too_slow(), 1).await;
    let order = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await.unwrap();
    assert_eq!(order.exchange_order_id, PLACED_ID);
    assert_eq!(hits(&s.server, "POST", &orders_path()).await, 1);
}

/// Times out on the first send, accepts the second.
struct SlowThenFast(AtomicUsize);

impl Respond for SlowThenFast {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            too_slow()
        } else {
            placed()
        }
    }
}

#[tokio::test]
async fn after_a_time_out_an_order_confirmed_absent_is_sent_once_more() {
    let client = ClientOrderId::generate();
    let s = ready(&client, false).await;
    Mock::given(method("POST"))
        .and(path(orders_path()))
        .respond_with(SlowThenFast(AtomicUsize::new(0)))
        .expect(2)
        .mount(&s.server)
        .await;
    let order = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await.unwrap();
    assert_eq!(order.exchange_order_id, PLACED_ID);
}

#[tokio::test]
async fn repeated_server_errors_end_in_outcome_unknown_after_two_sends() {
    let client = ClientOrderId::generate();
    let s = ready(&client, false).await;
    mount_post(&s.server, error(502, "API|INTERNAL_SERVER_ERROR"), 2).await;
    let got = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await;
    assert!(matches!(got, Err(ExchangeError::OutcomeUnknown(_))), "{got:?}");
}

#[tokio::test]
async fn a_failed_lookup_is_outcome_unknown_and_never_resends() {
    let client = ClientOrderId::generate();
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 1).await;
    mount_symbols(&s.server).await;
    Mock::given(method("GET")).and(path(orders_path())).respond_with(error(503, "API|X")).mount(&s.server).await;
    mount_post(&s.server, error(500, "API|INTERNAL_SERVER_ERROR"), 1).await;
    let got = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await;
    assert!(matches!(got, Err(ExchangeError::OutcomeUnknown(_))), "{got:?}");
}

#[tokio::test]
async fn a_duplicate_external_id_resolves_to_the_existing_order() {
    let client = ClientOrderId::generate();
    let s = ready(&client, true).await;
    mount_post(&s.server, error(400, "TRADING|PLACE_ORDER|ORDER_DUPLICATE"), 1).await;
    let order = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await.unwrap();
    assert_eq!(order.client_order_id.as_ref(), Some(&client));
}

#[tokio::test]
async fn refusals_are_mapped_and_not_retried() {
    let client = ClientOrderId::generate();
    for (response, check) in [
        (error(400, "TRADING|PLACE_ORDER|INSUFFICIENT_BALANCE"), "balance"),
        (error(429, "API|REQUEST_RATE_EXCEEDED").insert_header("Retry-After", "3"), "rate"),
        (error(403, "TRADING|PLACE_ORDER|INVALID_ACCESS"), "access"),
    ] {
        let s = ready(&client, true).await;
        mount_post(&s.server, response, 1).await;
        let got = s.mb.place_order(&creds(), &limit_buy(&client, dec!(0.001))).await;
        let ok = match check {
            "balance" => matches!(got, Err(ExchangeError::InsufficientBalance)),
            "rate" => matches!(got, Err(ExchangeError::RateLimited { retry_after_secs: 3 })),
            _ => matches!(got, Err(ExchangeError::Unauthorized(_))),
        };
        assert!(ok, "{check}: {got:?}");
        assert_eq!(hits(&s.server, "GET", &orders_path()).await, 0, "{check}: no lookup after a refusal");
    }
}
