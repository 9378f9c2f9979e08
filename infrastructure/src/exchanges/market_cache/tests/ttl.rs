//! How long each kind of data is kept, what is keyed apart, what passes through, and the cache
//! in front of the resilience decorator.

use std::time::Duration;

use domain::exchange::{ExchangeGateway, OrderRef};
use domain::market::{CandleRange, Timeframe};
use futures::future::join_all;
use prometheus::Registry;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::cached;
use crate::exchanges::market_cache::{MarketCacheConfig, MarketDataCache};
use crate::exchanges::resilient::fake::{btc_usdt, creds, eth_usdt, order_request, Step};
use crate::exchanges::resilient::{ExchangeMetrics, ResilienceConfig, ResilientExchange, CALLS_TOTAL};

#[tokio::test(start_paused = true)]
async fn a_ticker_is_fetched_again_after_its_ttl() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    assert_eq!(cache.ticker(&btc_usdt()).await.unwrap().last, Decimal::ONE);
    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(cache.ticker(&btc_usdt()).await.unwrap().last, Decimal::ONE);
    assert_eq!(fake.calls(), 1);
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(cache.ticker(&btc_usdt()).await.unwrap().last, Decimal::from(2));
    assert_eq!(cache.ticker(&eth_usdt()).await.unwrap().last, Decimal::from(3), "keyed by symbol");
    assert_eq!(fake.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn candles_are_keyed_by_timeframe_and_limit_and_expire() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    let btc = btc_usdt();
    let requests = [(Timeframe::M1, 2), (Timeframe::M1, 3), (Timeframe::M5, 2)];
    for _ in 0..2 {
        for (tf, limit) in requests {
            cache.candles(&btc, tf, CandleRange::latest(limit)).await.unwrap();
        }
    }
    assert_eq!(fake.calls_to("candles"), 3);
    tokio::time::advance(Duration::from_secs(10)).await;
    let again = cache.candles(&btc, Timeframe::M1, CandleRange::latest(2)).await.unwrap();
    assert_eq!(again[1].close, Decimal::from(4));
    assert_eq!(fake.calls_to("candles"), 4);
}

#[tokio::test(start_paused = true)]
async fn ranges_with_a_start_or_an_end_pass_through() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    let end = OffsetDateTime::now_utc() - time::Duration::days(3);
    let range = CandleRange { limit: 2, start: None, end: Some(end) };
    cache.candles(&btc_usdt(), Timeframe::H1, range).await.unwrap();
    cache.candles(&btc_usdt(), Timeframe::H1, range).await.unwrap();
    assert_eq!(fake.calls_to("candles"), 2);
}

#[tokio::test(start_paused = true)]
async fn the_candle_ttl_ends_with_the_newest_candles_period() {
    let config = MarketCacheConfig { candle_ttl: Duration::from_secs(120), ..MarketCacheConfig::default() };
    let (fake, cache) = cached(config);
    // The newest 1m candle opened 20 s ago: its period ends in 40 s, before the 120 s TTL.
    fake.set_newest_candle(OffsetDateTime::now_utc() - time::Duration::seconds(20));
    let latest = CandleRange::latest(2);
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    tokio::time::advance(Duration::from_secs(30)).await;
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    assert_eq!(fake.calls_to("candles"), 1);
    tokio::time::advance(Duration::from_secs(11)).await;
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    assert_eq!(fake.calls_to("candles"), 2, "fetched again once the period was over");

    // The exchange has not opened the next candle yet: keep the series only for the minimum TTL.
    fake.set_newest_candle(OffsetDateTime::now_utc() - time::Duration::minutes(5));
    tokio::time::advance(Duration::from_secs(120)).await;
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    tokio::time::advance(Duration::from_millis(499)).await;
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    assert_eq!(fake.calls_to("candles"), 3);
    tokio::time::advance(Duration::from_millis(1)).await;
    cache.candles(&btc_usdt(), Timeframe::M1, latest).await.unwrap();
    assert_eq!(fake.calls_to("candles"), 4);
}

#[tokio::test(start_paused = true)]
async fn markets_and_books_are_cached_for_their_ttls() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    for _ in 0..3 {
        cache.markets().await.unwrap();
        cache.market(&btc_usdt()).await.unwrap();
        cache.order_book(&btc_usdt(), 10).await.unwrap();
    }
    cache.order_book(&btc_usdt(), 20).await.unwrap();
    assert_eq!((fake.calls_to("markets"), fake.calls_to("market"), fake.calls_to("order_book")), (1, 1, 2));
    tokio::time::advance(Duration::from_secs(299)).await;
    cache.markets().await.unwrap();
    assert_eq!(fake.calls_to("markets"), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    cache.markets().await.unwrap();
    cache.market(&btc_usdt()).await.unwrap();
    assert_eq!((fake.calls_to("markets"), fake.calls_to("market")), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn account_calls_are_never_cached() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    let (creds, btc, order) = (creds(), btc_usdt(), OrderRef::Exchange("9".into()));
    for _ in 0..2 {
        cache.balances(&creds).await.unwrap();
        cache.open_orders(&creds, None).await.unwrap();
        cache.order(&creds, &btc, &order).await.unwrap();
        cache.account_info(&creds).await.unwrap();
        cache.place_order(&creds, &order_request()).await.unwrap();
        cache.cancel_order(&creds, &btc, &order).await.unwrap();
    }
    assert_eq!(fake.calls(), 12);
    assert_eq!(cache.balances(&creds).await.unwrap()[0].free, Decimal::from(13));
}

#[tokio::test(start_paused = true)]
async fn a_zero_ttl_turns_the_cache_off() {
    let config = MarketCacheConfig { ticker_ttl: Duration::ZERO, ..MarketCacheConfig::default() };
    let (fake, cache) = cached(config);
    cache.ticker(&btc_usdt()).await.unwrap();
    cache.ticker(&btc_usdt()).await.unwrap();
    assert_eq!(fake.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn in_front_of_the_decorator_only_misses_reach_the_exchange() {
    let registry = Registry::new();
    let metrics = ExchangeMetrics::new(&registry).unwrap();
    let fake = std::sync::Arc::new(crate::exchanges::resilient::fake::FakeExchange::new(
        domain::exchange::ExchangeId::Binance,
    ));
    let resilient = ResilientExchange::wrap(fake.clone(), ResilienceConfig::default(), metrics);
    let cache = MarketDataCache::new(resilient, MarketCacheConfig::default());
    fake.script([Step::Fail(super::unavailable()), Step::Answer(Duration::from_millis(20))]);
    let btc = btc_usdt();
    let tickers = join_all((0..50).map(|_| cache.ticker(&btc))).await;
    assert!(tickers.iter().all(Result::is_ok));
    assert_eq!(fake.calls(), 2, "one failed attempt, one retry, shared by all 50 callers");
    let text = prometheus::TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    let ok = format!("{CALLS_TOTAL}{{endpoint=\"ticker\",exchange=\"binance\",outcome=\"ok\"}} 1");
    assert!(text.contains(&ok), "{text}");
}
