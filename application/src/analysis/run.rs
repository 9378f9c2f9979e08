//! Use case: one run of the `candle_analysis` workflow. Every active context of every user is
//! grouped by market (exchange, mode, symbol); each market's candles are read once, its last
//! closed candles analysed once, and the analysis recorded for each of its contexts, once per
//! closed candle. A market that cannot be read or analysed is counted and the run goes on.

use std::collections::BTreeMap;

use domain::contexts::analysis::{closed_window, WINDOW};
use domain::contexts::{ContextMode, ContextSignal, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::{CandleRange, Symbol};
use domain::signals::{analyze, Analysis};
use rust_decimal::Decimal;
use serde::Serialize;

use super::ContextAnalysis;
use crate::Unexpected;

/// Which market: exchange, live or paper, symbol.
type MarketKey = (ExchangeId, ContextMode, Symbol);

/// What one run did (the workflow's summary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AnalysisReport {
    /// Active contexts considered.
    pub contexts: usize,
    /// Markets whose candles were read (once each).
    pub markets: usize,
    /// Signals recorded (a context's candle already recorded is not counted again).
    pub recorded: usize,
    /// Markets whose candles could not be read or analysed, or whose signals could not be stored.
    pub failed: usize,
}

/// Why a market gave no analysis.
#[derive(Debug, thiserror::Error)]
enum MarketFailure {
    #[error("no gateway: {0}")]
    Gateway(#[source] crate::exchanges::ExchangeFailure),
    #[error("candles could not be read: {0}")]
    Candles(#[source] domain::exchange::ExchangeError),
    #[error("no analysis: {0}")]
    Analysis(#[source] domain::signals::SignalError),
}

impl ContextAnalysis {
    /// Analyses every active context's market and records the signals; see the module docs.
    /// Fails ([`Unexpected`]) only when the active contexts cannot be listed.
    pub async fn run(&self) -> Result<AnalysisReport, Unexpected> {
        let contexts = self.ports.contexts.active().await?;
        let mut report = AnalysisReport { contexts: contexts.len(), ..AnalysisReport::default() };
        let mut markets: BTreeMap<MarketKey, Vec<TradingContext>> = BTreeMap::new();
        for context in contexts {
            markets.entry((context.exchange, context.mode, context.symbol())).or_default().push(context);
        }
        for (key, contexts) in markets {
            let (exchange, mode, symbol) = &key;
            let (analysis, close) = match self.analyse(&key, &mut report).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(%exchange, ?mode, %symbol, error = %err, "candle_analysis: market skipped");
                    report.failed += 1;
                    continue;
                }
            };
            let mut stored_all = true;
            for context in &contexts {
                let now = self.ports.clock.now();
                let signal = ContextSignal::new(context, self.config.timeframe, analysis.clone(), close, now);
                match self.ports.signals.record(&signal).await {
                    Ok(true) => report.recorded += 1,
                    Ok(false) => {}
                    Err(err) => {
                        tracing::error!(context = %context.id, error = ?err, "candle_analysis: signal not stored");
                        stored_all = false;
                    }
                }
            }
            if !stored_all {
                report.failed += 1;
            }
        }
        Ok(report)
    }

    /// Reads `key`'s candles (counted in `report.markets`) and analyses its last closed ones;
    /// returns the analysis and the analysed candle's close.
    async fn analyse(
        &self,
        (exchange, mode, symbol): &MarketKey,
        report: &mut AnalysisReport,
    ) -> Result<(Analysis, Decimal), MarketFailure> {
        let gateway = self.ports.exchanges.gateway(*exchange, *mode).map_err(MarketFailure::Gateway)?;
        let tf = self.config.timeframe;
        // One more than the window: the last candle an exchange returns is usually still forming.
        let limit = u32::try_from(WINDOW + 1).unwrap_or(u32::MAX);
        let candles = gateway.candles(symbol, tf, CandleRange::latest(limit)).await.map_err(MarketFailure::Candles)?;
        report.markets += 1;
        let window = closed_window(&candles, tf, self.ports.clock.now());
        let analysis = analyze(&self.config.indicators, window).map_err(MarketFailure::Analysis)?;
        let close = window.last().map(|c| c.close).unwrap_or_default();
        Ok((analysis, close))
    }
}
