//! Use cases: the dashboard's performance series (every plan, within its history window, with
//! BTC buy-and-hold as the market comparison for PRO and MAX) and the advanced metrics (MAX).
//! The figures themselves are `domain::analytics`'; this module reads what they need.

mod benchmark;
mod books;
mod errors;
mod metrics;
mod performance;
mod trade_cache;
mod window;

use std::sync::Arc;

use domain::analytics::MetricsConfig;
use domain::bots::{BotRecordRepository, BotRepository};
use domain::Clock;

pub use benchmark::{Benchmark, BenchmarkPoint};
pub use books::{BookKey, LoadedBook};
pub use errors::{AnalyticsError, ComparisonUnavailable};
pub use metrics::{BookMetrics, MetricsCache, MetricsReport};
pub use performance::{
    BookSeries, Comparison, Performance, PerformanceCache, PerformanceKey, PerformanceRequest, PERFORMANCE_TTL,
};
pub use window::{parse_interval, AppliedWindow, UnknownInterval, UnknownWindow, WindowChoice};

use crate::market::MarketService;
use crate::subscriptions::SubscriptionService;

/// What the analytics read.
#[derive(Clone)]
pub struct AnalyticsPorts {
    /// Bots (their books and marks).
    pub bots: Arc<dyn BotRepository>,
    /// Bot records (`position_closed`: the trades).
    pub records: Arc<dyn BotRecordRepository>,
    /// Plans and entitlements.
    pub subscriptions: Arc<SubscriptionService>,
    /// Candles for the market comparison (through the market-data cache).
    pub market: Arc<MarketService>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The per-user cache of performance answers, which the engine also tells of fills and marks.
    pub performance: Arc<PerformanceCache>,
    /// The per-user cache of metrics reports, told as the series' is.
    pub metrics: Arc<MetricsCache>,
}

impl std::fmt::Debug for AnalyticsPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyticsPorts").finish_non_exhaustive()
    }
}

/// The dashboard's analytics.
#[derive(Debug)]
pub struct AnalyticsService {
    ports: AnalyticsPorts,
    config: MetricsConfig,
    cache: trade_cache::TradeCache,
}

impl AnalyticsService {
    /// Analytics over `ports`, with the metrics' settings (the risk-free rate).
    pub fn new(ports: AnalyticsPorts, config: MetricsConfig) -> Self {
        Self { ports, config, cache: trade_cache::TradeCache::default() }
    }
}
