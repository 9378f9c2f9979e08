//! Concurrent misses of one key make one inner call; errors reach the callers that waited for
//! them and are then forgotten; a cancelled fetch does not wedge its key.

use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeGateway};
use futures::future::join_all;
use rust_decimal::Decimal;

use super::{cached, unavailable};
use crate::exchanges::market_cache::ttl_cache::TtlCache;
use crate::exchanges::market_cache::MarketCacheConfig;
use crate::exchanges::resilient::fake::{btc_usdt, eth_usdt, Step};

#[tokio::test(start_paused = true)]
async fn a_hundred_concurrent_ticker_calls_make_one_inner_call() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    fake.script([Step::Answer(Duration::from_millis(50))]);
    let btc = btc_usdt();
    let tickers = join_all((0..100).map(|_| cache.ticker(&btc))).await;
    assert_eq!(fake.calls_to("ticker"), 1);
    assert!(tickers.iter().all(|t| t.as_ref().is_ok_and(|t| t.last == Decimal::ONE)), "{:?}", tickers[0]);
}

#[tokio::test(start_paused = true)]
async fn concurrent_calls_from_many_tasks_coalesce_per_key() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    fake.script([Step::Answer(Duration::from_millis(50)), Step::Answer(Duration::from_millis(50))]);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let cache = cache.clone();
            let symbol = if i % 2 == 0 { btc_usdt() } else { eth_usdt() };
            tokio::spawn(async move { cache.ticker(&symbol).await.map(|t| t.symbol) })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let symbol = task.await.unwrap().unwrap();
        assert_eq!(symbol, if i % 2 == 0 { btc_usdt() } else { eth_usdt() });
    }
    assert_eq!(fake.calls_to("ticker"), 2, "one fetch per symbol");
}

#[tokio::test(start_paused = true)]
async fn an_error_is_shared_by_its_waiters_and_not_cached() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    fake.script([Step::FailAfter(Duration::from_millis(50), unavailable())]);
    let btc = btc_usdt();
    let results = join_all((0..10).map(|_| cache.ticker(&btc))).await;
    assert!(results.iter().all(|r| matches!(r, Err(ExchangeError::Unavailable(_)))), "{results:?}");
    assert_eq!(fake.calls_to("ticker"), 1);

    let ticker = cache.ticker(&btc).await.unwrap();
    assert_eq!(ticker.last, Decimal::from(2), "the next call fetched again");
    assert_eq!(fake.calls_to("ticker"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_shared_error_keeps_its_kind_and_message() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    fake.script([Step::FailAfter(Duration::from_millis(5), ExchangeError::UnknownSymbol(btc_usdt()))]);
    let btc = btc_usdt();
    let results = join_all((0..3).map(|_| cache.market(&btc))).await;
    for r in results {
        assert!(matches!(&r, Err(ExchangeError::UnknownSymbol(s)) if *s == btc), "{r:?}");
    }
    let copied = super::super::ttl_cache::copy_error(&ExchangeError::unavailable(
        anyhow::anyhow!("socket closed").context("GET /api/v3/ticker"),
    ));
    let source = std::error::Error::source(&copied).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("GET /api/v3/ticker: socket closed"));
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_fetch_does_not_wedge_its_key() {
    let (fake, cache) = cached(MarketCacheConfig::default());
    fake.script([Step::Hang]);
    let stuck = {
        let cache = cache.clone();
        tokio::spawn(async move { cache.ticker(&btc_usdt()).await })
    };
    while fake.calls() == 0 {
        tokio::task::yield_now().await;
    }
    stuck.abort();
    assert!(stuck.await.unwrap_err().is_cancelled());
    assert_eq!(cache.ticker(&btc_usdt()).await.unwrap().last, Decimal::from(2));
}

#[tokio::test(start_paused = true)]
async fn a_full_cache_sweeps_expired_entries() {
    let cache: TtlCache<u32, u32> = TtlCache::new(2);
    let ttl = |_: &u32| Duration::from_secs(1);
    for key in [1, 2] {
        cache.get_or_fetch(key, ttl, || async move { Ok(key) }).await.unwrap();
    }
    cache.get_or_fetch(3, ttl, || async { Ok(3) }).await.unwrap();
    assert_eq!(cache.len(), 3, "fresh entries are kept");
    tokio::time::advance(Duration::from_secs(1)).await;
    cache.get_or_fetch(4, ttl, || async { Ok(4) }).await.unwrap();
    assert_eq!(cache.len(), 1, "expired entries were swept");
}
