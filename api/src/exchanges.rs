//! Start-up wiring of the exchanges: live adapters (Binance, Mercado Bitcoin) behind the
//! resilience decorator and the shared market-data cache, and one paper exchange per exchange
//! (kept by name for the paper control endpoint).

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use application::exchanges::ExchangeDirectory;
use domain::contexts::ContextMode;
use domain::exchange::{ExchangeGateway, ExchangeId};
use domain::Clock;
use infrastructure::exchanges::binance::{BinanceConfig, BinanceExchange};
use infrastructure::exchanges::market_cache::MarketDataCache;
use infrastructure::exchanges::mercado_bitcoin::{MercadoBitcoin, MercadoBitcoinConfig};
use infrastructure::exchanges::paper::PaperExchange;
use infrastructure::exchanges::resilient::{ExchangeMetrics, ResilientExchange};
use infrastructure::store::DocumentStore;

use crate::metrics::Metrics;
use crate::settings::Settings;

/// The paper exchanges, by the exchange they simulate.
pub type PaperExchanges = BTreeMap<ExchangeId, Arc<PaperExchange>>;

/// Builds every gateway the settings describe.
pub async fn build(
    settings: &Settings,
    store: Arc<dyn DocumentStore>,
    clock: Arc<dyn Clock>,
    metrics: &Metrics,
) -> anyhow::Result<(ExchangeDirectory, PaperExchanges)> {
    let s = &settings.exchanges;
    let exchange_metrics = ExchangeMetrics::new(metrics.registry()).context("registering exchange metrics")?;
    let live = |adapter: Arc<dyn ExchangeGateway>| {
        let resilient = ResilientExchange::wrap(adapter, s.resilience.clone(), exchange_metrics.clone());
        MarketDataCache::wrap(resilient, s.market_cache.clone())
    };
    let binance = BinanceExchange::new(BinanceConfig {
        base_url: s.binance_base_url.clone(),
        testnet_base_url: s.binance_testnet_url.clone(),
        request_timeout: s.request_timeout,
        ..BinanceConfig::default()
    })
    .map_err(|e| anyhow::anyhow!("building the Binance adapter: {e}"))?;
    let mercado_bitcoin = MercadoBitcoin::new(MercadoBitcoinConfig {
        base_url: s.mercado_bitcoin_base_url.clone(),
        request_timeout: s.request_timeout,
        ..MercadoBitcoinConfig::default()
    });
    let mut directory = ExchangeDirectory::default()
        .with(ExchangeId::Binance, ContextMode::Live, live(Arc::new(binance)))
        .with(ExchangeId::MercadoBitcoin, ContextMode::Live, live(Arc::new(mercado_bitcoin)));
    let mut paper = PaperExchanges::new();
    for exchange in ExchangeId::ALL {
        let simulated = PaperExchange::open(exchange, s.paper.clone(), store.clone(), clock.clone())
            .await
            .with_context(|| format!("opening the paper {exchange} exchange"))?;
        let simulated = Arc::new(simulated);
        directory = directory.with(exchange, ContextMode::Paper, simulated.clone());
        paper.insert(exchange, simulated);
    }
    Ok((directory, paper))
}
