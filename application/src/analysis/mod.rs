//! Context analysis: the `candle_analysis` workflow, which records a signal per active context
//! on each closed candle of its market (one analysis per market, read once per run), and the
//! read side, a context's signals for its owner. One use case per file.

mod errors;
mod read;
mod run;

use std::sync::Arc;

use domain::contexts::analysis::{default_indicators, DEFAULT_TIMEFRAME};
use domain::contexts::{ContextRepository, ContextSignalRepository};
use domain::market::Timeframe;
use domain::signals::IndicatorSpec;
use domain::Clock;

pub use errors::AnalysisError;
pub use run::AnalysisReport;

use crate::exchanges::ExchangeDirectory;

/// The ports context analysis needs.
#[derive(Clone)]
pub struct AnalysisPorts {
    /// Contexts (the active ones are analysed; ownership of reads).
    pub contexts: Arc<dyn ContextRepository>,
    /// Where signals are recorded.
    pub signals: Arc<dyn ContextSignalRepository>,
    /// Plans (the history window of signal reads).
    pub subscriptions: Arc<crate::subscriptions::SubscriptionService>,
    /// Exchanges (public candles; no credential needed).
    pub exchanges: Arc<ExchangeDirectory>,
    /// The markets' clock: which candles are closed, when a signal is recorded.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AnalysisPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalysisPorts").field("exchanges", &self.exchanges).finish_non_exhaustive()
    }
}

/// What is analysed: the timeframe and the indicators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisConfig {
    /// The candles analysed (`BOTFLEET_CONTEXT_ANALYSIS_TIMEFRAME`, `1h` by default).
    pub timeframe: Timeframe,
    /// The indicators that vote (valid specs).
    pub indicators: Vec<IndicatorSpec>,
}

impl AnalysisConfig {
    /// `timeframe` with the default indicator set for it
    /// ([`default_indicators`](domain::contexts::analysis::default_indicators)).
    pub fn for_timeframe(timeframe: Timeframe) -> Self {
        Self { timeframe, indicators: default_indicators(timeframe) }
    }
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        Self::for_timeframe(DEFAULT_TIMEFRAME)
    }
}

/// Signals per trading context.
#[derive(Debug)]
pub struct ContextAnalysis {
    ports: AnalysisPorts,
    config: AnalysisConfig,
}

impl ContextAnalysis {
    /// The use cases over `ports`, analysing as `config` says.
    pub fn new(ports: AnalysisPorts, config: AnalysisConfig) -> Self {
        Self { ports, config }
    }

    /// What is analysed.
    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests;
