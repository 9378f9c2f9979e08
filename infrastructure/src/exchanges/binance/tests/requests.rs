//! What goes over the wire: signed query or body, the API-key header, recvWindow and timestamp,
//! order parameters, and the answers' translation.

use domain::exchange::{ClientOrderId, ExchangeError, ExchangeGateway, ExchangeOrderStatus, OrderKind, OrderSize};
use domain::shared::secret::Secret;
use rust_decimal::Decimal;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::{
    api_error, btc_brl, creds, limit_buy, resting_order, split_signature, Binance, API_KEY, API_SECRET,
};
use crate::exchanges::binance::signing::sign;

fn account_body() -> serde_json::Value {
    json!({
        "makerCommission": 15, "takerCommission": 15, "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": "0.00150000", "taker": "0.00150000", "buyer": "0.00000000", "seller": "0.00000000"},
        "canTrade": true, "canWithdraw": false, "canDeposit": true, "brokered": false,
        "requireSelfTradePrevention": false, "preventSor": false, "updateTime": 123456789,
        "accountType": "SPOT",
        "balances": [
            {"asset": "BTC", "free": "4723846.89208129", "locked": "0.00000000"},
            {"asset": "BRL", "free": "4763368.68006011", "locked": "120.50000000"}
        ],
        "permissions": ["SPOT"], "uid": 354937868
    })
}

#[tokio::test]
async fn signed_get_carries_key_header_recv_window_timestamp_and_a_valid_signature() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .and(header("X-MBX-APIKEY", API_KEY))
        .and(query_param("recvWindow", "1000"))
        .and(query_param("omitZeroBalances", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(account_body()))
        .expect(1)
        .mount(&b.server)
        .await;

    let balances = b.adapter.balances(&creds()).await.unwrap();

    assert_eq!(balances.len(), 2);
    assert_eq!(balances[1].asset, "BRL");
    assert_eq!(balances[1].free, Decimal::new(476336868006011, 8));
    assert_eq!(balances[1].locked, Decimal::new(1205, 1));
    let sent = b.requests("GET", "/api/v3/account").await;
    let query = sent[0].url.query().unwrap();
    let (payload, signature) = split_signature(query);
    assert!(payload.contains("timestamp="), "{payload}");
    assert_eq!(signature, sign(&Secret::new(API_SECRET), &payload, ""));
    assert!(!query.contains(API_SECRET));
}

#[tokio::test]
async fn order_parameters_travel_signed_in_the_form_body() {
    let b = Binance::start().await;
    let request = limit_buy();
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .and(header("X-MBX-APIKEY", API_KEY))
        .and(header("Content-Type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(resting_order(&request.client_order_id)))
        .expect(1)
        .mount(&b.server)
        .await;

    let placed = b.adapter.place_order(&creds(), &request).await.unwrap();

    assert_eq!(placed.status, ExchangeOrderStatus::New);
    assert_eq!(placed.exchange_order_id, "28");
    assert_eq!(placed.client_order_id.as_ref(), Some(&request.client_order_id));
    assert_eq!(placed.kind, OrderKind::Limit { price: Decimal::from(250_000) });
    let sent = b.requests("POST", "/api/v3/order").await;
    assert_eq!(sent[0].url.query(), None);
    let body = String::from_utf8(sent[0].body.clone()).unwrap();
    let (payload, signature) = split_signature(&body);
    let expected_start = format!(
        "symbol=BTCBRL&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=250000&newClientOrderId={}&newOrderRespType=FULL&recvWindow=1000&timestamp=",
        request.client_order_id
    );
    assert!(payload.starts_with(&expected_start), "{payload}");
    assert_eq!(signature, sign(&Secret::new(API_SECRET), "", &payload));
}

#[tokio::test]
async fn market_buy_by_amount_sends_quote_order_qty() {
    let b = Binance::start().await;
    let mut request = limit_buy();
    request.kind = OrderKind::Market;
    request.size = OrderSize::QuoteAmount(Decimal::from(50));
    let filled = json!({
        "symbol": "BTCBRL", "orderId": 29, "orderListId": -1, "clientOrderId": request.client_order_id.as_str(),
        "transactTime": 1507725176595_i64, "price": "0.00000000", "origQty": "0.00019000",
        "executedQty": "0.00019000", "origQuoteOrderQty": "50.00000000", "cummulativeQuoteQty": "49.97000000",
        "status": "FILLED", "timeInForce": "GTC", "type": "MARKET", "side": "BUY",
        "fills": [
            {"price": "263000.00000000", "qty": "0.00010000", "commission": "0.00000010", "commissionAsset": "BTC", "tradeId": 56},
            {"price": "263000.00000000", "qty": "0.00009000", "commission": "0.00000009", "commissionAsset": "BTC", "tradeId": 57}
        ]
    });
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(filled))
        .expect(1)
        .mount(&b.server)
        .await;

    let order = b.adapter.place_order(&creds(), &request).await.unwrap();

    let body = String::from_utf8(b.requests("POST", "/api/v3/order").await[0].body.clone()).unwrap();
    assert!(body.starts_with("symbol=BTCBRL&side=BUY&type=MARKET&quoteOrderQty=50&newClientOrderId="), "{body}");
    assert!(!body.contains("quantity=") && !body.contains("timeInForce"));
    assert_eq!(order.status, ExchangeOrderStatus::Filled);
    assert_eq!(order.kind, OrderKind::Market);
    assert_eq!((order.quantity, order.quote_amount), (None, Some(Decimal::from(50))));
    assert_eq!(order.filled_quantity, Decimal::new(19, 5));
    assert_eq!(order.filled_quote, Decimal::new(4997, 2));
    assert_eq!(order.fills.len(), 2);
    assert_eq!(order.fills[1].trade_id, "57");
    assert_eq!(order.fills[1].fee, Decimal::new(9, 8));
    assert_eq!(order.fills[1].fee_asset, "BTC");
}

#[tokio::test]
async fn account_info_reports_trade_and_withdraw_rights() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(account_body()))
        .mount(&b.server)
        .await;

    let info = b.adapter.account_info(&creds()).await.unwrap();

    assert!(info.can_trade);
    assert_eq!(info.can_withdraw, Some(false));
}

#[tokio::test]
async fn error_codes_become_port_errors() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(api_error(401, -2015, "Invalid API-key, IP, or permissions for action."))
        .mount(&b.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/order"))
        .respond_with(api_error(400, -2010, "Account has insufficient balance for requested action."))
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v3/order"))
        .respond_with(api_error(400, -2011, "Unknown order sent."))
        .mount(&b.server)
        .await;

    let unauthorized = b.adapter.account_info(&creds()).await;
    let broke = b.adapter.place_order(&creds(), &limit_buy()).await;
    let gone = b
        .adapter
        .cancel_order(&creds(), &btc_brl(), &domain::exchange::OrderRef::Client(ClientOrderId::generate()))
        .await;

    assert!(matches!(&unauthorized, Err(ExchangeError::Unauthorized(m)) if m.contains("-2015")), "{unauthorized:?}");
    assert!(!format!("{unauthorized:?}").contains(API_SECRET));
    assert!(matches!(broke, Err(ExchangeError::InsufficientBalance)), "{broke:?}");
    assert!(b.requests("GET", "/api/v3/order").await.is_empty(), "a definitive refusal needs no look-up");
    assert!(matches!(gone, Err(ExchangeError::OrderNotFound)), "{gone:?}");
}

#[tokio::test]
async fn testnet_keys_go_to_the_testnet() {
    let live = wiremock::MockServer::start().await;
    let b = Binance::start().await;
    let config = crate::exchanges::binance::BinanceConfig {
        base_url: live.uri(),
        ..crate::exchanges::binance::BinanceConfig::local(&b.server.uri())
    };
    let adapter = crate::exchanges::binance::BinanceExchange::new(config).unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v3/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(account_body()))
        .expect(1)
        .mount(&b.server)
        .await;

    let testnet = domain::exchange::ApiCredentials { testnet: true, ..creds() };
    adapter.balances(&testnet).await.unwrap();

    assert!(live.received_requests().await.unwrap().is_empty());
}
