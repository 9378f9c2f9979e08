//! Evaluation cycles, grouped by market: each (exchange, mode, symbol) is read once, every bot of
//! the market is evaluated in memory, and only bots that changed are written back. A bot whose
//! evaluation places or cancels orders is acted on under its lease, re-read and re-evaluated on
//! the fresh copy so no decision is taken on stale state. A running bot the entry gate refuses is
//! paused there, before its decision; a bot that fails is isolated (`super::isolate`).

use std::collections::BTreeMap;

use domain::bots::{Bot, BotConfig, BotKind, BotStatus, CapitalBase, Funds, MarketView, Phase};
use domain::RepoError;
use serde::Serialize;

use super::gate::EntryGate;
use super::isolate::contained;
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
    /// Bots that failed (a panic or an internal error) and were paused with the reason.
    pub isolated: u64,
    /// Running bots paused because their owner's plan or their context no longer allows them.
    pub refused: u64,
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
        let mut gate = EntryGate::default();
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
                let id = bot.id;
                match contained(self.evaluate_one(bot, phase, &snapshot, &*gateway, &mut gate)).await {
                    Ok(Ok(done)) => {
                        report.written += u64::from(done.written);
                        report.orders += done.placed as u64;
                        report.refused += u64::from(done.refused);
                    }
                    Ok(Err(err)) => {
                        tracing::info!(bot = %id, error = %err, "a bot was skipped this cycle");
                        report.skipped += 1;
                    }
                    Err(fault) => {
                        self.isolate(id, "evaluation", &fault).await;
                        report.isolated += 1;
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
        gate: &mut EntryGate,
    ) -> Result<Done, AppError> {
        let now = self.ports.clock.now();
        let view = self.view_of(&bot, snapshot).await;
        let books = Books::of(&bot);
        let out = bot.evaluate(phase, &view, now);
        if out.is_idle() {
            return Ok(Done::default());
        }
        if out.place.is_empty() && out.cancel.is_empty() {
            // Only its mark moved: the dashboard's figures need not be computed again.
            let write =
                if Books::of(&bot) == books { self.ports.bots.update_mark(&bot) } else { self.ports.bots.update(&bot) };
            let saved = match write.await {
                Ok(saved) => saved,
                Err(RepoError::Conflict) => return Ok(Done::default()),
                Err(err) => return Err(err.into()),
            };
            self.marked(saved.user_id);
            self.record(&saved, out.events).await;
            return Ok(Done { written: true, ..Done::default() });
        }
        let Some(_claim) = self.lease(bot.id).await? else {
            return Ok(Done::default());
        };
        let result = async {
            // Decide again on the stored bot: another workflow may have changed it meanwhile.
            let mut fresh = self.ports.bots.find(bot.id).await?;
            let mut refused = false;
            if phase == Phase::Entry && fresh.status == BotStatus::Running {
                if let Some(why) = self.entry_refusal(gate, &fresh).await? {
                    tracing::warn!(bot = %fresh.id, reason = %why, "the engine pauses a bot that may not open positions");
                    fresh.halt(BotStatus::Paused, &format!("paused by the engine: {why}"), self.ports.clock.now());
                    refused = true;
                }
            }
            let view = self.view_of(&fresh, snapshot).await;
            let out = fresh.evaluate(phase, &view, self.ports.clock.now());
            let saved = self.ports.bots.update(&fresh).await?;
            self.marked(saved.user_id);
            self.record(&saved, out.events.clone()).await;
            let (_, placed) = self.carry_out(saved, &out, snapshot, gateway).await?;
            Ok(Done { written: true, placed, refused })
        }
        .await;
        self.release(bot.id).await;
        result
    }
}

impl Engine {
    /// `bot`'s view of the market, with its account's whole quote balance when it sizes its
    /// operations from it (unreadable: none, and the bot does not buy this cycle).
    async fn view_of<'a>(&self, bot: &Bot, snapshot: &'a MarketSnapshot) -> MarketView<'a> {
        let mut view = snapshot.view_for(bot);
        if matches!(&bot.config, BotConfig::Channel(c) if c.capital_base == CapitalBase::Account) {
            match self.account_quote(bot).await {
                Ok(balance) => view.account_quote = Some(balance),
                Err(err) => tracing::warn!(bot = %bot.id, error = %err, "cannot read the account's balance"),
            }
        }
        view
    }

    /// What `bot`'s account holds in its quote asset, free and locked.
    async fn account_quote(&self, bot: &Bot) -> Result<rust_decimal::Decimal, AppError> {
        let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
        let (gateway, creds) = self.connection(&context).await?;
        let balances = gateway.balances(&creds).await.map_err(crate::exchanges::exchange_error)?;
        Ok(balances.iter().filter(|b| b.asset == context.quote.as_str()).map(|b| b.free + b.locked).sum())
    }
}

/// What evaluating one bot did.
#[derive(Debug, Default)]
struct Done {
    /// The bot was written back.
    written: bool,
    /// Orders placed.
    placed: usize,
    /// The entry gate paused it.
    refused: bool,
}

/// What the dashboard's figures read of a bot, to tell a mark-only write from a change.
#[derive(PartialEq)]
struct Books {
    status: BotStatus,
    funds: Funds,
    trades: u64,
    winning_trades: Option<u64>,
    positions: usize,
}

impl Books {
    fn of(bot: &Bot) -> Self {
        Self {
            status: bot.status,
            funds: bot.funds.clone(),
            trades: bot.trades,
            winning_trades: bot.winning_trades,
            positions: bot.positions.len(),
        }
    }
}
