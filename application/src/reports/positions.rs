//! Use case: a summary of the caller's positions (open: current state, always all; closed:
//! inside the last `days` and the plan's window): counts, invested, realized, per mode and quote
//! currency, and the positions themselves, open first then closed newest first, paged.

use std::collections::BTreeMap;

use domain::bots::{BotKind, Position};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::market::{Asset, Symbol};
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::HistoryWindow;
use domain::{Page, PageRequest};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::{ReportError, ReportService, Trade};

/// The most `days` a positions report may ask for (a century).
pub const MAX_DAYS: u32 = 36_500;

/// Which positions a report lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionStatusFilter {
    /// Open and scheduled ones.
    Open,
    /// Closed ones.
    Closed,
    /// Both.
    #[default]
    All,
}

/// The positions report's parameters as the client sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PositionsQuery {
    /// Closed in the last this many days (1 to 36,500; cut to the plan's window).
    pub days: Option<String>,
    /// `open`, `closed` or `all` (default).
    pub status: Option<String>,
}

/// One mode and quote currency's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionSummary {
    /// Live or paper.
    pub mode: ContextMode,
    /// The quote currency of every amount.
    pub quote: Asset,
    /// Open and scheduled positions.
    pub open_positions: u64,
    /// What they cost, quote fees included (cost basis).
    pub open_cost: Decimal,
    /// Closed positions.
    pub closed_positions: u64,
    /// What they cost.
    pub closed_cost: Decimal,
    /// Their realized profit, net of fees.
    pub realized_profit: Decimal,
}

/// A position with its bot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPosition {
    /// Its bot.
    pub bot_id: BotId,
    /// The bot's strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: ContextMode,
    /// The exchange.
    pub exchange: ExchangeId,
    /// The market.
    pub symbol: Symbol,
    /// What it cost (open: its cost basis; closed: proceeds less realized profit).
    pub cost: Decimal,
    /// The position.
    pub position: Position,
}

/// The positions report.
#[derive(Clone, Debug, PartialEq)]
pub struct PositionsReport {
    /// The plan's window.
    pub window: HistoryWindow,
    /// The earliest close the report reached (`days` cut to the window; `None`: all).
    pub from: Option<OffsetDateTime>,
    /// What it lists.
    pub status: PositionStatusFilter,
    /// Per mode and quote currency.
    pub summary: Vec<PositionSummary>,
    /// The positions, open first (newest opened first), then closed (newest first).
    pub positions: Page<ReportPosition>,
}

impl PositionsQuery {
    fn parse(&self) -> Result<(Option<u32>, PositionStatusFilter), ReportError> {
        let days =
            match self.days.as_deref().map(str::trim) {
                None => None,
                Some(raw) => Some(raw.parse::<u32>().ok().filter(|d| (1..=MAX_DAYS).contains(d)).ok_or_else(|| {
                    ReportError::invalid("days", format!("must be a whole number from 1 to {MAX_DAYS}"))
                })?),
            };
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("all") => PositionStatusFilter::All,
            Some("open") => PositionStatusFilter::Open,
            Some("closed") => PositionStatusFilter::Closed,
            Some(_) => return Err(ReportError::invalid("status", "must be open, closed or all")),
        };
        Ok((days, status))
    }
}

impl ReportService {
    /// The owner's positions report. Errors: `InvalidQuery` naming `days` or `status`.
    pub async fn positions(
        &self,
        owner: UserId,
        query: &PositionsQuery,
        page: PageRequest,
    ) -> Result<PositionsReport, ReportError> {
        let (days, status) = query.parse()?;
        let scope = self.scope(owner).await?;
        let now = self.ports.clock.now();
        let from = scope.window.clamp(days.map(|d| now - Duration::days(i64::from(d))));
        let mut listed: Vec<ReportPosition> = Vec::new();
        if status != PositionStatusFilter::Closed {
            let mut open: Vec<ReportPosition> = scope
                .bots()
                .flat_map(|b| {
                    b.open.iter().map(move |p| ReportPosition {
                        bot_id: b.id,
                        strategy: b.kind,
                        mode: b.mode,
                        exchange: b.exchange,
                        symbol: b.symbol.clone(),
                        cost: p.cost,
                        position: p.clone(),
                    })
                })
                .collect();
            open.sort_by(|a, b| b.position.opened_at.cmp(&a.position.opened_at).then(b.bot_id.cmp(&a.bot_id)));
            listed.extend(open);
        }
        if status != PositionStatusFilter::Open {
            let trades = self.all_trades(&scope, &scope.ids(|_| true), from).await?;
            listed.extend(trades.into_iter().map(closed));
        }
        let summary = summarize(&listed);
        let total = listed.len() as u64;
        let items = listed.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
        let positions = Page { items, total, offset: page.offset(), limit: page.limit() };
        Ok(PositionsReport { window: scope.window, from, status, summary, positions })
    }
}

fn closed(t: Trade) -> ReportPosition {
    ReportPosition {
        cost: t.cost(),
        bot_id: t.bot_id,
        strategy: t.strategy,
        mode: t.mode,
        exchange: t.exchange,
        symbol: t.symbol,
        position: t.position,
    }
}

fn summarize(positions: &[ReportPosition]) -> Vec<PositionSummary> {
    let mut groups: BTreeMap<(ContextMode, Asset), PositionSummary> = BTreeMap::new();
    for p in positions {
        let quote = p.symbol.quote().clone();
        let s = groups.entry((p.mode, quote.clone())).or_insert_with(|| PositionSummary {
            mode: p.mode,
            quote,
            open_positions: 0,
            open_cost: Decimal::ZERO,
            closed_positions: 0,
            closed_cost: Decimal::ZERO,
            realized_profit: Decimal::ZERO,
        });
        if p.position.status == domain::bots::PositionStatus::Closed {
            s.closed_positions += 1;
            s.closed_cost += p.cost;
            s.realized_profit += p.position.realized_profit;
        } else {
            s.open_positions += 1;
            s.open_cost += p.cost;
        }
    }
    groups.into_values().collect()
}
