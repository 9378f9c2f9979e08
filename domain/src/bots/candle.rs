//! Candle bot: at each new closed candle of its timeframe, its indicators vote (see
//! `domain::signals`); a BUY at or above `min_confidence` opens a position with `order_amount`
//! quote, a SELL closes it (when `sell_on_signal`), and take profit, stop loss and trailing stop
//! guard the position in between. Every analysis is recorded with the values behind it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::bot::Bot;
use super::intent::{BotEvent, Evaluation, MarketView, OrderIntent, Purpose};
use super::position::ExitReason;
use super::{BreakerPreset, RiskConfig};
use crate::exchange::OrderSide;
use crate::indicators::Columns;
use crate::market::Timeframe;
use crate::shared::bounds::AMOUNT;
use crate::shared::field::{FieldIssue, Issues};
use crate::shared::ids::PositionId;
use crate::signals::{analyze, analyze_columns, validate_specs, Analysis, Confidence, IndicatorSpec, Signal};

fn yes() -> bool {
    true
}

fn medium() -> Confidence {
    Confidence::Medium
}

/// Candle bot settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandleConfig {
    /// The candles analysed (`1m`, `15m`, `1h`, `4h`, `1d`, … as the exchange offers).
    pub timeframe: Timeframe,
    /// The indicators that vote, with their parameters.
    pub indicators: Vec<IndicatorSpec>,
    /// Act on signals (otherwise only record them). Default true.
    #[serde(default = "yes")]
    pub auto_execute: bool,
    /// The lowest confidence acted on: `LOW`, `MEDIUM` (default) or `HIGH`.
    #[serde(default = "medium")]
    pub min_confidence: Confidence,
    /// Quote spent per BUY.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub order_amount: Decimal,
    /// Quote capital given to the bot.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub allocated_balance: Decimal,
    /// Sell the position on a SELL signal. Default true.
    #[serde(default = "yes")]
    pub sell_on_signal: bool,
    /// Risk rules (take profit, stop loss, trailing stop, …) on the position.
    #[serde(default)]
    pub risk: RiskConfig,
    /// Circuit breaker preset (default moderate).
    #[serde(default)]
    pub circuit_breaker: BreakerPreset,
}

/// What a candle bot remembers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandleState {
    /// The open time of the last candle analysed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_candle_at: Option<OffsetDateTime>,
    /// The last signal.
    pub last_signal: Option<Signal>,
    /// Its confidence.
    pub last_confidence: Option<Confidence>,
}

/// One analysis as recorded for `GET /api/bots/{id}/signals`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalRecord {
    /// The analysis: signal, confidence, each vote and the values behind it.
    pub analysis: Analysis,
    /// What the bot did about it (`buy`, `sell`) or why not.
    pub action: String,
}

impl CandleConfig {
    /// Rules of its own fields.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        issues.bounded("order_amount", self.order_amount, AMOUNT);
        issues.check(self.order_amount <= self.allocated_balance, "order_amount", "must not exceed allocated_balance");
        if let Err(found) = validate_specs(&self.indicators) {
            for issue in found {
                issues.push(issue);
            }
        }
        issues.finish()
    }

    /// Whether it uses an advanced indicator (MAX plan, Binance contexts).
    pub fn uses_advanced(&self) -> bool {
        self.indicators.iter().any(IndicatorSpec::is_advanced)
    }
}

/// The closed candles of `timeframe` among `candles` at `at`.
pub(super) fn closed(
    candles: &[crate::market::Candle],
    timeframe: Timeframe,
    at: OffsetDateTime,
) -> &[crate::market::Candle] {
    let length = Duration::seconds(timeframe.seconds());
    let end = candles.iter().rposition(|c| c.open_time + length <= at).map_or(0, |i| i + 1);
    &candles[..end]
}

/// The analysis rule: once per new closed candle.
pub(super) fn entries(
    bot: &mut Bot,
    config: &CandleConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let Some(candles) = view.candles else { return };
    let closed = closed(candles, config.timeframe, at);
    let Some(latest) = closed.last().map(|c| c.open_time) else { return };
    let held = bot.positions.iter().find(|p| p.is_held() && p.quantity > Decimal::ZERO).map(|p| (p.id, p.quantity));
    let busy = bot.buying() || held.is_some_and(|(id, _)| bot.selling(id));
    let (halted, spendable, sellable) = (bot.buying_halted, bot.spendable(), super::exits::Sellable::of(bot));
    let super::state::KindState::Candle(state) = &mut bot.state else { return };
    if state.last_candle_at == Some(latest) {
        return;
    }
    // The market's shared columns when they hold these candles (every bot of the market at this
    // instant closes the same prefix), else the bot converts its own.
    let shared = view
        .columns
        .map(|lazy| lazy.get_or_init(|| Columns::from_candles(candles)))
        .filter(|c| c.len() >= closed.len())
        .map(|c| c.prefix(closed.len()));
    let analyzed = match &shared {
        Some(columns) if columns.matches(closed) => analyze_columns(&config.indicators, closed, columns),
        _ => analyze(&config.indicators, closed),
    };
    let Ok(analysis) = analyzed else { return };
    state.last_candle_at = Some(latest);
    state.last_signal = Some(analysis.signal);
    state.last_confidence = Some(analysis.confidence);
    out.touch();
    let signal = if config.auto_execute { analysis.actionable(config.min_confidence) } else { None };
    let action = match (signal, held) {
        (None, _) => "none".to_owned(),
        (Some(_), _) if busy => "none: an order is pending".to_owned(),
        (Some(Signal::Buy), Some(_)) => "none: a position is open".to_owned(),
        (Some(Signal::Buy), None) if halted => "none: buying halted by the soft stop".to_owned(),
        (Some(Signal::Buy), None) if spendable < config.order_amount => "none: budget spent".to_owned(),
        (Some(Signal::Buy), None) => {
            let quantity = config.order_amount.checked_div(view.ask).map(|q| view.filters.floor_quantity(q));
            if quantity.is_none_or(|q| view.filters.check(q, view.ask, false).is_err()) {
                "none: below the market's minimum".to_owned()
            } else {
                out.place.push(OrderIntent {
                    side: OrderSide::Buy,
                    limit_price: None,
                    quantity: None,
                    quote_amount: Some(config.order_amount),
                    block: config.order_amount,
                    purpose: Purpose::Open { position: PositionId::new() },
                    reason: format!("BUY signal, {:?} confidence", analysis.confidence).to_lowercase(),
                    indicators: analysis.values.clone(),
                });
                "buy".to_owned()
            }
        }
        (Some(Signal::Sell), Some((id, quantity))) if config.sell_on_signal => {
            let quantity = sellable.size(quantity, true, view.filters);
            if view.filters.check(quantity, view.bid, false).is_err() {
                "none: the position is below the market's minimum".to_owned()
            } else {
                let mut intent = super::exits::sell_intent(quantity, None, Some(id), ExitReason::Signal, "SELL signal");
                intent.indicators = analysis.values.clone();
                out.place.push(intent);
                "sell".to_owned()
            }
        }
        (Some(_), _) => "none: nothing to sell".to_owned(),
    };
    out.events.push(BotEvent::Signal(SignalRecord { analysis, action }));
}
