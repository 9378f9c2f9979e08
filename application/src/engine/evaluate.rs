//! Evaluation cycles, grouped by market: each (exchange, mode, symbol) is read once, every bot of
//! the market is evaluated in memory, and only bots that changed are written back. A bot whose
//! evaluation places or cancels orders is acted on under its lease, re-read and re-evaluated on
//! the fresh copy so no decision is taken on stale state.

use std::collections::BTreeMap;

use domain::bots::{Bot, BotKind, Phase};
use domain::RepoError;
use serde::Serialize;

use super::market::{key_of, MarketKey, MarketSnapshot};
use super::Engine;
use crate::AppError;

/// A workflow's share of bot evaluation: which kinds, in which phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// smart_bot_purchase: SmartBot buy cycles.
    SmartPurchase,
    /// smart_bot_sales: SmartBot exits, take profit included.
    SmartSales,
    /// smart_bot_check_situation: protective exits, soft stop, auto-cancel.
    SmartCheck,
    /// candle_bots_analysis: candle signals and the orders they trigger.
    CandleAnalysis,
    /// candle_bots_risk_management: candle bots' take profit, stop loss, trailing stop.
    CandleRisk,
    /// dca_execution: DCA purchases.
    DcaExecution,
    /// dca_risk_management: DCA take profit and stop loss on the average.
    DcaRisk,
    /// channel_bots: the channel strategy, entries and scheduled sales.
    Channel,
}

impl Workload {
    /// The kinds and phase it evaluates.
    pub fn scope(self) -> (BotKind, Phase) {
        match self {
            Workload::SmartPurchase => (BotKind::Smart, Phase::Entry),
            Workload::SmartSales => (BotKind::Smart, Phase::Exit),
            Workload::SmartCheck => (BotKind::Smart, Phase::Protect),
            Workload::CandleAnalysis => (BotKind::Candle, Phase::Entry),
            Workload::CandleRisk => (BotKind::Candle, Phase::Exit),
            Workload::DcaExecution => (BotKind::Dca, Phase::Entry),
            Workload::DcaRisk => (BotKind::Dca, Phase::Exit),
            Workload::Channel => (BotKind::Channel, Phase::Entry),
        }
    }
}

/// What one evaluation cycle did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CycleReport {
    /// Bots evaluated.
    pub bots: u64,
    /// Markets read.
    pub markets: u64,
    /// Bots written back.
    pub written: u64,
    /// Orders placed.
    pub orders: u64,
    /// Bots skipped (changed concurrently, leased elsewhere, market unreadable).
    pub skipped: u64,
}

impl Engine {
    /// Runs one cycle of `workload` over every bot it concerns.
    pub async fn run(&self, workload: Workload) -> Result<CycleReport, AppError> {
        let (kind, phase) = workload.scope();
        let bots = self.ports.bots.evaluated(&[kind], None).await?;
        let mut markets: BTreeMap<MarketKey, Vec<Bot>> = BTreeMap::new();
        for bot in bots {
            markets.entry(key_of(&bot)).or_default().push(bot);
        }
        let mut report = CycleReport::default();
        for (key, bots) in markets {
            report.markets += 1;
            report.bots += bots.len() as u64;
            let (gateway, snapshot) = match MarketSnapshot::read(&self.ports.exchanges, &key, &bots).await {
                Ok(read) => read,
                Err(err) => {
                    tracing::warn!(market = %key.2, exchange = %key.0, error = %err, "market unreadable; its bots wait for the next cycle");
                    report.skipped += bots.len() as u64;
                    continue;
                }
            };
            for bot in bots {
                match self.evaluate_one(bot, phase, &snapshot, &*gateway).await {
                    Ok((written, placed)) => {
                        report.written += u64::from(written);
                        report.orders += placed as u64;
                    }
                    Err(err) => {
                        tracing::info!(error = %err, "a bot was skipped this cycle");
                        report.skipped += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    async fn evaluate_one(
        &self,
        mut bot: Bot,
        phase: Phase,
        snapshot: &MarketSnapshot,
        gateway: &dyn domain::exchange::ExchangeGateway,
    ) -> Result<(bool, usize), AppError> {
        let now = self.ports.clock.now();
        let out = bot.evaluate(phase, &snapshot.view_for(&bot), now);
        if out.is_idle() {
            return Ok((false, 0));
        }
        if out.place.is_empty() && out.cancel.is_empty() {
            let saved = match self.ports.bots.update(&bot).await {
                Ok(saved) => saved,
                Err(RepoError::Conflict) => return Ok((false, 0)),
                Err(err) => return Err(err.into()),
            };
            self.record(&saved, out.events).await;
            return Ok((true, 0));
        }
        if !self.lease(bot.id).await? {
            return Ok((false, 0));
        }
        let result = async {
            // Decide again on the stored bot: another workflow may have changed it meanwhile.
            let mut fresh = self.ports.bots.find(bot.id).await?;
            let out = fresh.evaluate(phase, &snapshot.view_for(&fresh), self.ports.clock.now());
            let saved = self.ports.bots.update(&fresh).await?;
            self.record(&saved, out.events.clone()).await;
            self.carry_out(saved, &out, snapshot, gateway).await
        }
        .await;
        self.release(bot.id).await;
        let (_, placed) = result?;
        Ok((true, placed))
    }
}
