//! Shared arrangements: a mock Binance with its clock and exchangeInfo mounted, the documented
//! key pair, order answers and error bodies.

use std::sync::Arc;
use std::time::Duration;

use domain::exchange::{ApiCredentials, ClientOrderId, OrderKind, OrderRequest, OrderSide, OrderSize};
use domain::market::Symbol;
use rust_decimal::Decimal;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::exchanges::binance::{BinanceConfig, BinanceExchange, LimiterConfig, WeightLimiter};

/// The API key of Binance's "SIGNED Endpoint Examples".
pub(super) const API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
/// The secret of Binance's "SIGNED Endpoint Examples".
pub(super) const API_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
/// exchangeInfo as documented: BTCBRL (NOTIONAL), ETHBTC (legacy MIN_NOTIONAL), LUNABRL (BREAK).
pub(super) const EXCHANGE_INFO: &str = include_str!("fixtures/exchange_info.json");

/// A mock Binance and an adapter pointed at it.
pub(super) struct Binance {
    pub(super) server: MockServer,
    pub(super) adapter: BinanceExchange,
}

impl Binance {
    /// A server answering `/api/v3/time` and `/api/v3/exchangeInfo`, and an adapter of its own.
    pub(super) async fn start() -> Self {
        let server = Self::bare_server().await;
        let adapter = BinanceExchange::local(&server.uri());
        Self { server, adapter }
    }

    /// Like [`Binance::start`] with one limiter of the given config for both networks.
    pub(super) async fn with_limiter(limiter: LimiterConfig) -> Self {
        let server = Self::bare_server().await;
        let config = BinanceConfig { limiter, ..BinanceConfig::local(&server.uri()) };
        let shared = Arc::new(WeightLimiter::new(limiter));
        let adapter = BinanceExchange::with_limiters(config, shared.clone(), shared).expect("client builds");
        Self { server, adapter }
    }

    async fn bare_server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET")).and(path("/api/v3/time")).respond_with(server_time()).mount(&server).await;
        Mock::given(method("GET"))
            .and(path("/api/v3/exchangeInfo"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(EXCHANGE_INFO, "application/json"))
            .mount(&server)
            .await;
        server
    }

    /// Every request received on `path` with `verb`.
    pub(super) async fn requests(&self, verb: &str, on: &str) -> Vec<Request> {
        let all = self.server.received_requests().await.expect("request recording is on");
        all.into_iter().filter(|r| r.method.as_str() == verb && r.url.path() == on).collect()
    }
}

/// `{"serverTime": now}` as Binance answers it.
pub(super) fn server_time() -> ResponseTemplate {
    let ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    ResponseTemplate::new(200).set_body_json(json!({ "serverTime": ms as i64 }))
}

/// A Binance error answer `{"code":…,"msg":…}`.
pub(super) fn api_error(status: u16, code: i64, msg: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "code": code, "msg": msg }))
}

/// Live credentials with the documented key pair.
pub(super) fn creds() -> ApiCredentials {
    ApiCredentials { api_key: API_KEY.into(), api_secret: API_SECRET.into(), testnet: false }
}

/// `BTC-BRL`.
pub(super) fn btc_brl() -> Symbol {
    Symbol::parse("BTC-BRL").unwrap()
}

/// A limit buy of 0.001 BTC at 250000 BRL, inside every BTCBRL filter.
pub(super) fn limit_buy() -> OrderRequest {
    OrderRequest {
        symbol: btc_brl(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: Decimal::from(250_000) },
        size: OrderSize::Quantity(Decimal::new(1, 3)),
        client_order_id: ClientOrderId::generate(),
    }
}

/// A `FULL` answer of a resting limit buy of 0.001 BTC at 250000 BRL.
pub(super) fn resting_order(client: &ClientOrderId) -> serde_json::Value {
    json!({
        "symbol": "BTCBRL", "orderId": 28, "orderListId": -1, "clientOrderId": client.as_str(),
        "transactTime": 1507725176595_i64, "price": "250000.00000000", "origQty": "0.00100000",
        "executedQty": "0.00000000", "origQuoteOrderQty": "0.00000000", "cummulativeQuoteQty": "0.00000000",
        "status": "NEW", "timeInForce": "GTC", "type": "LIMIT", "side": "BUY",
        "workingTime": 1507725176595_i64, "selfTradePreventionMode": "NONE", "fills": []
    })
}

/// The query string of a request without its trailing `&signature=…`, and the signature.
pub(super) fn split_signature(signed: &str) -> (String, String) {
    let (payload, signature) = signed.rsplit_once("&signature=").expect("the request is signed");
    (payload.to_owned(), signature.to_owned())
}

/// Long enough to exceed [`BinanceConfig::local`]'s request time-out.
pub(super) const PAST_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /api/v3/ticker/24hr?symbol=BTCBRL` as documented (last 250000, bid 249990, ask 250010).
pub(super) fn ticker_24hr() -> serde_json::Value {
    json!({
        "symbol": "BTCBRL", "priceChange": "-94.99999800", "priceChangePercent": "-95.960",
        "weightedAvgPrice": "0.29628482", "prevClosePrice": "0.10002000", "lastPrice": "250000.00000000",
        "lastQty": "200.00000000", "bidPrice": "249990.00000000", "bidQty": "100.00000000",
        "askPrice": "250010.00000000", "askQty": "100.00000000", "openPrice": "99.00000000",
        "highPrice": "100.00000000", "lowPrice": "0.10000000", "volume": "8913.30000000",
        "quoteVolume": "15.30000000", "openTime": 1499783499040_i64, "closeTime": 1499869899040_i64,
        "firstId": 28385, "lastId": 28460, "count": 76
    })
}
