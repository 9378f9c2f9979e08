//! Time-outs, 5xx answers and clock drift (`-1021`).

use domain::exchange::{ClientOrderId, ExchangeError, ExchangeGateway, OrderRef};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::{api_error, btc_brl, creds, server_time, ticker_24hr, Binance, PAST_TIMEOUT};

#[tokio::test]
async fn a_read_that_times_out_is_unavailable() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticker_24hr()).set_delay(PAST_TIMEOUT))
        .expect(1)
        .mount(&b.server)
        .await;

    let got = b.adapter.ticker(&btc_brl()).await;

    assert!(matches!(got, Err(ExchangeError::Unavailable(_))), "{got:?}");
}

#[tokio::test]
async fn a_read_answered_with_a_5xx_is_unavailable_and_transient() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/depth"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .expect(1)
        .mount(&b.server)
        .await;

    let got = b.adapter.order_book(&btc_brl(), 10).await;

    let err = got.expect_err("a 503 is no book");
    assert!(matches!(err, ExchangeError::Unavailable(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_cancel_whose_answer_is_lost_has_an_unknown_outcome() {
    let b = Binance::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&b.server)
        .await;

    let got = b.adapter.cancel_order(&creds(), &btc_brl(), &OrderRef::Client(ClientOrderId::generate())).await;

    assert!(matches!(got, Err(ExchangeError::OutcomeUnknown(_))), "{got:?}");
}

#[tokio::test]
async fn a_1021_resyncs_the_clock_and_retries_once() {
    let b = Binance::start().await;
    // Replaces the fixture's clock so its calls can be counted.
    Mock::given(method("GET"))
        .and(path("/api/v3/time"))
        .respond_with(server_time())
        .with_priority(1)
        .expect(2)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(api_error(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."))
        .with_priority(1)
        .up_to_n_times(1)
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "canTrade": true, "canWithdraw": true, "balances": [{"asset": "BRL", "free": "10.5", "locked": "0"}]
        })))
        .expect(1)
        .mount(&b.server)
        .await;

    let info = b.adapter.account_info(&creds()).await.unwrap();

    assert!(info.can_trade);
    assert_eq!(info.can_withdraw, Some(true));
    assert_eq!(b.requests("GET", "/api/v3/account").await.len(), 2);
}

#[tokio::test]
async fn a_second_1021_in_a_row_is_reported_not_retried_forever() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(api_error(400, -1021, "Timestamp for this request is outside of the recvWindow."))
        .expect(2)
        .mount(&b.server)
        .await;

    let got = b.adapter.balances(&creds()).await;

    assert!(matches!(&got, Err(ExchangeError::Rejected { code, .. }) if code == "-1021"), "{got:?}");
}
