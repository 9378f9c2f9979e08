//! The wire shapes of the reports: money as decimal strings, each figure tagged with its mode
//! (live or paper) and quote currency, never summed across them.

use application::reports::{
    BotProfit, PositionSummary, PositionsReport, ProfitFigures, ProfitReport, ReportPosition, StrategyProfit, Trade,
};
use domain::bots::Position;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::routes::common::HistoryWindowResponse;
use crate::routes::wire::{BotKind, Exchange, TradingMode};

/// What a set of closed positions adds up to.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresResponse {
    /// Closed positions.
    pub trades: u64,
    /// Of which won (realized profit, net of fees, above zero).
    pub wins: u64,
    /// Winning trades / trades × 100, 2 places; `null` without trades.
    #[schema(value_type = Option<String>, example = "66.67")]
    pub win_rate: Option<Decimal>,
    /// What they cost, quote fees included.
    #[schema(value_type = String)]
    pub invested: Decimal,
    /// What their sales brought, net of fees.
    #[schema(value_type = String)]
    pub proceeds: Decimal,
    /// Realized profit, net of every fee.
    #[schema(value_type = String)]
    pub realized_profit: Decimal,
}

impl From<ProfitFigures> for FiguresResponse {
    fn from(f: ProfitFigures) -> Self {
        Self {
            win_rate: f.win_rate(),
            trades: f.trades,
            wins: f.wins,
            invested: f.invested,
            proceeds: f.proceeds,
            realized_profit: f.realized_profit,
        }
    }
}

/// One strategy's realized profit in one mode and quote currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct StrategyProfitResponse {
    /// The strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: TradingMode,
    /// The quote currency of every amount.
    #[schema(example = "BRL")]
    pub quote: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: FiguresResponse,
}

/// One bot's realized profit.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotProfitResponse {
    /// The bot.
    pub bot_id: String,
    /// Its name.
    pub name: String,
    /// Its strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: TradingMode,
    /// Its market, `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// The quote currency of every amount.
    pub quote: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: FiguresResponse,
}

/// Realized profit per strategy and per bot inside the history window.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfitReportResponse {
    /// The window applied (the plan's).
    pub history_window: HistoryWindowResponse,
    /// Per mode and quote currency the bots trade in, smart, candle, dca and channel.
    pub by_strategy: Vec<StrategyProfitResponse>,
    /// Per bot.
    pub by_bot: Vec<BotProfitResponse>,
}

impl From<ProfitReport> for ProfitReportResponse {
    fn from(r: ProfitReport) -> Self {
        let strategy = |s: StrategyProfit| StrategyProfitResponse {
            strategy: s.strategy.into(),
            mode: s.mode.into(),
            quote: s.quote.to_string(),
            figures: s.figures.into(),
        };
        let bot = |b: BotProfit| BotProfitResponse {
            bot_id: b.bot_id.to_string(),
            name: b.name,
            strategy: b.strategy.into(),
            mode: b.mode.into(),
            quote: b.symbol.quote().to_string(),
            symbol: b.symbol.to_string(),
            figures: b.figures.into(),
        };
        Self {
            history_window: r.window.into(),
            by_strategy: r.by_strategy.into_iter().map(strategy).collect(),
            by_bot: r.by_bot.into_iter().map(bot).collect(),
        }
    }
}

/// One mode and quote currency's positions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionSummaryResponse {
    /// Live or paper.
    pub mode: TradingMode,
    /// The quote currency of every amount.
    pub quote: String,
    /// Open and scheduled positions.
    pub open_positions: u64,
    /// Their cost basis, quote fees included.
    #[schema(value_type = String)]
    pub open_cost: Decimal,
    /// Closed positions in the period.
    pub closed_positions: u64,
    /// What they cost.
    #[schema(value_type = String)]
    pub closed_cost: Decimal,
    /// `open_cost + closed_cost`.
    #[schema(value_type = String)]
    pub invested: Decimal,
    /// The closed positions' realized profit, net of fees.
    #[schema(value_type = String)]
    pub realized_profit: Decimal,
}

impl From<PositionSummary> for PositionSummaryResponse {
    fn from(s: PositionSummary) -> Self {
        Self {
            mode: s.mode.into(),
            quote: s.quote.to_string(),
            open_positions: s.open_positions,
            open_cost: s.open_cost,
            closed_positions: s.closed_positions,
            closed_cost: s.closed_cost,
            invested: s.open_cost + s.closed_cost,
            realized_profit: s.realized_profit,
        }
    }
}

/// A position with its bot.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPositionResponse {
    /// Its bot.
    pub bot_id: String,
    /// The bot's strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: TradingMode,
    /// The exchange.
    pub exchange: Exchange,
    /// The market, `BASE-QUOTE`.
    pub symbol: String,
    /// What it cost (open: its cost basis; closed: proceeds less realized profit).
    #[schema(value_type = String)]
    pub entry_cost: Decimal,
    /// The position.
    #[serde(flatten)]
    pub position: Position,
}

impl From<ReportPosition> for ReportPositionResponse {
    fn from(p: ReportPosition) -> Self {
        Self {
            bot_id: p.bot_id.to_string(),
            strategy: p.strategy.into(),
            mode: p.mode.into(),
            exchange: p.exchange.into(),
            symbol: p.symbol.to_string(),
            entry_cost: p.cost,
            position: p.position,
        }
    }
}

/// The positions report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionsReportResponse {
    /// The window applied (the plan's).
    pub history_window: HistoryWindowResponse,
    /// The earliest close counted (`days` cut to the window; `null`: all), RFC 3339.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub from: Option<OffsetDateTime>,
    /// Per mode and quote currency.
    pub summary: Vec<PositionSummaryResponse>,
    /// Open first (newest opened first), then closed newest first.
    pub items: Vec<ReportPositionResponse>,
    /// Positions listed in all.
    pub total: u64,
    /// Skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
}

impl From<PositionsReport> for PositionsReportResponse {
    fn from(r: PositionsReport) -> Self {
        Self {
            history_window: r.window.into(),
            from: r.from,
            summary: r.summary.into_iter().map(Into::into).collect(),
            items: r.positions.items.into_iter().map(Into::into).collect(),
            total: r.positions.total,
            offset: r.positions.offset,
            limit: r.positions.limit,
        }
    }
}

/// A closed position as a trade.
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeResponse {
    /// The position's id.
    pub id: String,
    /// Its bot.
    pub bot_id: String,
    /// The bot's name.
    pub bot_name: String,
    /// The bot's strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: TradingMode,
    /// The exchange.
    pub exchange: Exchange,
    /// The market, `BASE-QUOTE`; amounts are in its quote currency.
    pub symbol: String,
    /// Base sold.
    #[schema(value_type = String)]
    pub quantity: Decimal,
    /// What it cost, quote fees included.
    #[schema(value_type = String)]
    pub entry_cost: Decimal,
    /// What the sale brought, net of fees.
    #[schema(value_type = String)]
    pub proceeds: Decimal,
    /// `proceeds - entry_cost`.
    #[schema(value_type = String)]
    pub realized_profit: Decimal,
    /// Why it was sold (`take_profit`, `stop_loss`, …).
    pub exit_reason: Option<domain::bots::ExitReason>,
    /// Opened, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    /// Closed, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub closed_at: OffsetDateTime,
}

impl From<Trade> for TradeResponse {
    fn from(t: Trade) -> Self {
        Self {
            id: t.position.id.to_string(),
            bot_id: t.bot_id.to_string(),
            bot_name: t.bot_name.clone(),
            strategy: t.strategy.into(),
            mode: t.mode.into(),
            exchange: t.exchange.into(),
            symbol: t.symbol.to_string(),
            quantity: t.position.sold_quantity,
            entry_cost: t.cost(),
            proceeds: t.position.proceeds,
            realized_profit: t.position.realized_profit,
            exit_reason: t.position.exit_reason,
            opened_at: t.position.opened_at,
            closed_at: t.closed_at,
        }
    }
}
