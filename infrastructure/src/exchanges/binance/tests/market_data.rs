//! Market data: exchangeInfo filters and symbol mapping, tickers, books and klines.

use domain::exchange::{ExchangeError, ExchangeGateway};
use domain::market::{CandleRange, MarketFilters, Symbol, Timeframe};
use rust_decimal::Decimal;
use serde_json::json;
use time::macros::datetime;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::{api_error, btc_brl, creds, resting_order, ticker_24hr, Binance};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn exchange_info_filters_become_markets_and_are_cached() {
    let b = Binance::start().await;

    let markets = b.adapter.markets().await.unwrap();
    let btc = b.adapter.market(&btc_brl()).await.unwrap();
    let eth = b.adapter.market(&Symbol::parse("ETH-BTC").unwrap()).await.unwrap();
    let luna = b.adapter.market(&Symbol::parse("LUNA-BRL").unwrap()).await.unwrap();
    let nope = b.adapter.market(&Symbol::parse("BTC-USDT").unwrap()).await;

    assert_eq!(markets.len(), 3);
    assert!(btc.trading);
    let expected = MarketFilters {
        tick_size: dec("1"),
        step_size: dec("0.00001"),
        min_quantity: dec("0.00001"),
        max_quantity: dec("9000"),
        min_notional: dec("10"),
    };
    assert_eq!(btc.filters, expected);
    assert_eq!(eth.filters.min_notional, dec("0.0001"), "legacy MIN_NOTIONAL");
    assert_eq!(eth.filters.tick_size, dec("0.00001"));
    assert!(!luna.trading, "a symbol in BREAK does not trade");
    assert!(matches!(nope, Err(ExchangeError::UnknownSymbol(s)) if s.to_string() == "BTC-USDT"));
    assert_eq!(b.requests("GET", "/api/v3/exchangeInfo").await.len(), 1, "exchangeInfo is cached");
}

#[tokio::test]
async fn ticker_and_book_map_to_canonical_types() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .and(query_param("symbol", "BTCBRL"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticker_24hr()))
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/depth"))
        .and(query_param("symbol", "BTCBRL"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "lastUpdateId": 1027024,
            "bids": [["249990.00000000", "0.50000000"], ["249980.00000000", "1.25000000"]],
            "asks": [["250010.00000000", "0.10000000"], ["250020.00000000", "3.00000000"]]
        })))
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .and(query_param("symbol", "NOPEZZZ"))
        .respond_with(api_error(400, -1121, "Invalid symbol."))
        .mount(&b.server)
        .await;

    let t = b.adapter.ticker(&btc_brl()).await.unwrap();
    let book = b.adapter.order_book(&btc_brl(), 2).await.unwrap();
    let nope = b.adapter.ticker(&Symbol::parse("NOPE-ZZZ").unwrap()).await;

    assert_eq!((t.last, t.bid, t.ask, t.volume_24h), (dec("250000"), dec("249990"), dec("250010"), dec("8913.3")));
    assert_eq!(t.symbol, btc_brl());
    assert_eq!(t.at, datetime!(2017-07-12 14:31:39.040 UTC));
    assert_eq!(book.bids[1].price, dec("249980"));
    assert_eq!(book.bids[1].quantity, dec("1.25"));
    assert_eq!(book.asks[0].price, dec("250010"));
    assert!(matches!(nope, Err(ExchangeError::UnknownSymbol(_))), "{nope:?}");
}

fn kline(open_ms: i64) -> serde_json::Value {
    json!([
        open_ms,
        "250000.00",
        "251000.00",
        "249000.00",
        "250500.00",
        "12.5",
        open_ms + 3_599_999,
        "3125000.00",
        308,
        "1.756",
        "28.46694368",
        "0"
    ])
}

#[tokio::test]
async fn klines_map_fields_and_range() {
    let b = Binance::start().await;
    let start = datetime!(2024-01-01 00:00 UTC);
    let end = datetime!(2024-01-01 02:00 UTC);
    Mock::given(method("GET"))
        .and(path("/api/v3/klines"))
        .and(query_param("symbol", "BTCBRL"))
        .and(query_param("interval", "1h"))
        .and(query_param("startTime", "1704067200000"))
        .and(query_param("endTime", "1704074400000"))
        .and(query_param("limit", "1000"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([kline(1704067200000), kline(1704070800000)])))
        .expect(1)
        .mount(&b.server)
        .await;

    let range = CandleRange { limit: 5000, start: Some(start), end: Some(end) };
    let candles = b.adapter.candles(&btc_brl(), Timeframe::H1, range).await.unwrap();

    assert_eq!(candles.len(), 2);
    let c = &candles[1];
    assert_eq!(c.open_time, datetime!(2024-01-01 01:00 UTC));
    assert_eq!((c.open, c.high, c.low, c.close), (dec("250000"), dec("251000"), dec("249000"), dec("250500")));
    assert_eq!(c.volume, dec("12.5"));
    assert_eq!(c.quote_volume, Some(dec("3125000")));
}

#[tokio::test]
async fn every_timeframe_is_served_under_its_binance_interval() {
    let b = Binance::start().await;
    for tf in Timeframe::ALL {
        Mock::given(method("GET"))
            .and(path("/api/v3/klines"))
            .and(query_param("interval", tf.as_str()))
            .and(query_param("limit", "3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([kline(1704067200000)])))
            .expect(1)
            .mount(&b.server)
            .await;
    }

    assert_eq!(b.adapter.timeframes(), Timeframe::ALL.to_vec());
    for tf in Timeframe::ALL {
        let got = b.adapter.candles(&btc_brl(), tf, CandleRange::latest(3)).await.unwrap();
        assert_eq!(got.len(), 1, "{tf}");
    }
}

#[tokio::test]
async fn open_orders_of_every_market_are_named_canonically() {
    let b = Binance::start().await;
    let client = domain::exchange::ClientOrderId::generate();
    let mut delisted = resting_order(&client);
    delisted["symbol"] = json!("OLDCOINBRL");
    Mock::given(method("GET"))
        .and(path("/api/v3/openOrders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([resting_order(&client), delisted])))
        .expect(1)
        .mount(&b.server)
        .await;

    let open = b.adapter.open_orders(&creds(), None).await.unwrap();

    assert_eq!(open.len(), 1);
    assert_eq!(open[0].symbol, btc_brl());
    assert_eq!(open[0].quantity, Some(dec("0.001")));
    let sent = b.requests("GET", "/api/v3/openOrders").await;
    assert!(!sent[0].url.query().unwrap().contains("symbol="));
}
