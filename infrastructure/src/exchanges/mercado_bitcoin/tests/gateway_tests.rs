//! Market data and order reads through the gateway: request shapes, documented payloads, errors.

use domain::exchange::{ClientOrderId, ExchangeError, ExchangeGateway, ExchangeOrderStatus, OrderRef};
use domain::market::{CandleRange, Timeframe};
use rust_decimal_macros::dec;
use wiremock::matchers::{method, path, query_param};
use wiremock::Mock;

use super::*;

#[tokio::test]
async fn ticker_maps_the_documented_payload() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/tickers"))
        .and(query_param("symbols", "BTC-BRL"))
        .respond_with(json(TICKERS))
        .expect(1)
        .mount(&s.server)
        .await;
    let t = s.mb.ticker(&btc()).await.unwrap();
    assert_eq!((t.last, t.bid, t.ask), (dec!(144.07000004), dec!(160.00000005), dec!(145.00000006)));
    assert_eq!(t.volume_24h, dec!(84.00100003));
    assert_eq!(t.at.unix_timestamp(), 1_636_107_279);
}

#[tokio::test]
async fn unknown_symbols_are_reported_for_both_answer_shapes() {
    let s = setup(AuthMode::Authorize).await;
    let nope = Symbol::parse("NOPE-ZZZ").unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v4/tickers"))
        .and(query_param("symbols", "NOPE-ZZZ"))
        .respond_with(error(400, "PUBLIC|LIST_TICKERS|INVALID_SYMBOL"))
        .mount(&s.server)
        .await;
    Mock::given(method("GET")).and(path("/api/v4/tickers")).respond_with(json("[]")).mount(&s.server).await;
    assert!(matches!(s.mb.ticker(&nope).await, Err(ExchangeError::UnknownSymbol(x)) if x == nope));
    let other = Symbol::parse("ABC-BRL").unwrap();
    assert!(matches!(s.mb.ticker(&other).await, Err(ExchangeError::UnknownSymbol(x)) if x == other));
}

#[tokio::test]
async fn markets_come_from_symbols_and_are_cached() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/symbols"))
        .respond_with(json(SYMBOLS))
        .expect(1)
        .mount(&s.server)
        .await;
    let btc_market = s.mb.market(&btc()).await.unwrap();
    assert!(btc_market.trading);
    let f = btc_market.filters;
    assert_eq!((f.tick_size, f.step_size), (dec!(0.00000001), dec!(0.00000001)));
    assert_eq!((f.min_quantity, f.max_quantity, f.min_notional), (dec!(0.0000015), dec!(8.46076128), dec!(0.9)));
    let eth = s.mb.markets().await.unwrap().into_iter().find(|m| m.symbol.to_string() == "ETH-BRL").unwrap();
    assert!(!eth.trading);
    assert_eq!(eth.filters.tick_size, dec!(0.01), "minmovement 1 at pricescale 100");
    let nope = Symbol::parse("NOPE-ZZZ").unwrap();
    assert!(matches!(s.mb.market(&nope).await, Err(ExchangeError::UnknownSymbol(_))));
}

#[tokio::test]
async fn order_book_is_sorted_and_cut_to_depth() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/BTC-BRL/orderbook"))
        .and(query_param("limit", "2"))
        .respond_with(json(ORDERBOOK))
        .expect(1)
        .mount(&s.server)
        .await;
    let book = s.mb.order_book(&btc(), 2).await.unwrap();
    let prices = |side: &[domain::market::BookLevel]| side.iter().map(|l| l.price).collect::<Vec<_>>();
    assert_eq!(prices(&book.bids), vec![dec!(649000), dec!(648000)]);
    assert_eq!(prices(&book.asks), vec![dec!(650000), dec!(651000)]);
    assert_eq!(book.asks[0].quantity, dec!(1.5));
}

#[tokio::test]
async fn candles_request_and_columns() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/candles"))
        .and(query_param("symbol", "BTC-BRL"))
        .and(query_param("resolution", "1h"))
        .and(query_param("to", T0.to_string()))
        .and(query_param("countback", "5"))
        .respond_with(json(CANDLES))
        .expect(1)
        .mount(&s.server)
        .await;
    let candles = s.mb.candles(&btc(), Timeframe::H1, CandleRange::latest(5)).await.unwrap();
    assert_eq!(candles.len(), 2);
    assert_eq!(candles[0].open_time.unix_timestamp(), 1_652_119_200);
    let c = &candles[0];
    assert_eq!((c.open, c.high, c.low, c.close, c.volume), (dec!(1000), dec!(1000), dec!(500), dec!(500), dec!(4)));
}

#[tokio::test]
async fn unsupported_timeframes_are_refused_before_any_call() {
    let s = setup(AuthMode::Authorize).await;
    assert_eq!(
        s.mb.timeframes(),
        [Timeframe::M1, Timeframe::M5, Timeframe::M15, Timeframe::M30, Timeframe::H1, Timeframe::D1, Timeframe::W1]
            .into_iter()
            .chain([Timeframe::Mo1])
            .collect::<Vec<_>>()
    );
    for tf in [Timeframe::S1, Timeframe::M3, Timeframe::H4, Timeframe::D3] {
        let got = s.mb.candles(&btc(), tf, CandleRange::latest(5)).await;
        assert!(matches!(got, Err(ExchangeError::UnsupportedTimeframe(t)) if t == tf), "{tf}: {got:?}");
    }
    assert!(s.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn rate_limit_answer_is_reported_and_blocks_further_calls() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/tickers"))
        .respond_with(error(429, "API|REQUEST_RATE_EXCEEDED").insert_header("Retry-After", "7"))
        .expect(1)
        .mount(&s.server)
        .await;
    let first = s.mb.ticker(&btc()).await;
    assert!(matches!(first, Err(ExchangeError::RateLimited { retry_after_secs: 7 })), "{first:?}");
    let second = s.mb.ticker(&btc()).await;
    assert!(matches!(second, Err(ExchangeError::RateLimited { .. })), "{second:?}");
}

#[tokio::test]
async fn server_errors_on_reads_are_unavailable() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/BTC-BRL/orderbook"))
        .respond_with(error(500, "API|INTERNAL_SERVER_ERROR"))
        .mount(&s.server)
        .await;
    assert!(matches!(s.mb.order_book(&btc(), 5).await, Err(ExchangeError::Unavailable(_))));
}

#[tokio::test]
async fn orders_are_read_by_either_id_and_cancelled_synchronously() {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 1).await;
    let by_id = format!("/api/v4/accounts/{ACCOUNT}/BTC-BRL/orders/01HCDAA7YJ68ZJ0FTEPR7DYDS1");
    Mock::given(method("GET")).and(path(by_id.as_str())).respond_with(json(ORDER)).mount(&s.server).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v4/accounts/{ACCOUNT}/BTC-BRL/orders/404")))
        .respond_with(error(400, "TRADING|GET_ORDER|ORDER_NOT_FOUND"))
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v4/accounts/{ACCOUNT}/BTC-BRL/orders")))
        .respond_with(json(&format!("[{ORDER}]")))
        .mount(&s.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(by_id.as_str()))
        .and(query_param("async", "false"))
        .respond_with(json(r#"{"status":"cancelled"}"#))
        .expect(1)
        .mount(&s.server)
        .await;
    let c = creds();
    let found = s.mb.order(&c, &btc(), &OrderRef::Exchange("01HCDAA7YJ68ZJ0FTEPR7DYDS1".into())).await.unwrap();
    assert_eq!(found.status, ExchangeOrderStatus::Filled);
    let by_client = OrderRef::Client(ClientOrderId::parse("1372183").unwrap());
    assert_eq!(s.mb.order(&c, &btc(), &by_client).await.unwrap().exchange_order_id, found.exchange_order_id);
    let missing = OrderRef::Client(ClientOrderId::generate());
    assert!(matches!(s.mb.order(&c, &btc(), &missing).await, Err(ExchangeError::OrderNotFound)));
    let gone = OrderRef::Exchange("404".into());
    assert!(matches!(s.mb.order(&c, &btc(), &gone).await, Err(ExchangeError::OrderNotFound)));
    s.mb.cancel_order(&c, &btc(), &by_client).await.unwrap();
}

#[tokio::test]
async fn open_orders_ask_for_created_and_working() {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v4/accounts/{ACCOUNT}/orders")))
        .and(query_param("status", "created,working"))
        .and(query_param("symbol", "BTC-BRL"))
        .respond_with(json(ORDERS_ITEMS))
        .expect(1)
        .mount(&s.server)
        .await;
    let open = s.mb.open_orders(&creds(), Some(btc())).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].status, ExchangeOrderStatus::PartiallyFilled);
    assert_eq!(open[0].client_order_id.as_ref().map(ClientOrderId::as_str), Some("bf-01HCDAA7YJ68ZJ0FTEPR7DYDS1"));
}
