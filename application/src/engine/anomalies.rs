//! The `anomaly_check` workflow: every market a bot runs in is inspected for a spread too wide, a
//! crossed or empty book, a last price far from the book, trading halted, and a volume far outside
//! its recent distribution (`domain::market::volume_reading`). An anomaly is logged, listed in the
//! run's report, and acted on: the entries of the market's bots are held (`Bot::entry_hold`, with
//! the anomaly in words and a bot record); their status stays and every exit keeps working. Once
//! a later run finds the market clear, the holds are released and entries resume by themselves.
//! A market that cannot be read changes nothing either way. The owners of the bots it held are
//! told (`market.anomaly`, at most once an hour per market).

use std::collections::{BTreeMap, BTreeSet};

use domain::bots::{Bot, BotKind};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::exchange::{ExchangeError, ExchangeGateway};
use domain::market::{volume_reading, CandleRange, Market, Symbol, Ticker, VolumeRule};
use domain::notifications::{AnomalyData, EventPayload};
use domain::shared::ids::UserId;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;

use super::holds::ANOMALY_HOLD;
use super::market::{key_of, MarketKey};
use super::Engine;
use crate::notify::hourly_event;
use crate::AppError;

/// A spread above this share of the mid price is an anomaly by default, %.
pub const MAX_SPREAD_PERCENT: Decimal = Decimal::ONE;

/// What `anomaly_check` counts as an anomaly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnomalyPolicy {
    /// The widest spread, % of the mid price ([`MAX_SPREAD_PERCENT`] by default).
    pub max_spread_percent: Decimal,
    /// The volume rule: timeframe, window and modified z-score threshold.
    pub volume: VolumeRule,
}

impl Default for AnomalyPolicy {
    fn default() -> Self {
        Self { max_spread_percent: MAX_SPREAD_PERCENT, volume: VolumeRule::default() }
    }
}

/// What `anomaly_check` found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AnomalyReport {
    /// Markets checked.
    pub markets: u64,
    /// Markets with an anomaly (or unreadable), each with what was seen.
    pub anomalies: Vec<String>,
    /// Bots whose entries were held for an anomaly of their market.
    pub held: u64,
    /// Bots whose entries were released because the anomaly cleared.
    pub released: u64,
}

/// The anomalies of one market's `ticker`, `market` status and recent `candles` under `policy`.
fn inspect(
    market: &Market,
    ticker: &Ticker,
    candles: &[domain::market::Candle],
    policy: &AnomalyPolicy,
    now: OffsetDateTime,
) -> Vec<String> {
    let mut seen = Vec::new();
    if !market.trading {
        seen.push("not trading".to_owned());
    }
    let mid = (ticker.bid + ticker.ask) / Decimal::TWO;
    let spread =
        if mid > Decimal::ZERO { (ticker.spread() / mid * Decimal::ONE_HUNDRED).round_dp(4) } else { Decimal::ZERO };
    if ticker.bid <= Decimal::ZERO || ticker.ask < ticker.bid {
        seen.push(format!("crossed or empty book (bid {}, ask {})", ticker.bid, ticker.ask));
    } else if spread > policy.max_spread_percent {
        seen.push(format!("spread {spread}% (above {}%)", policy.max_spread_percent));
    }
    let band = ticker.bid * Decimal::new(9, 1)..=ticker.ask * Decimal::new(11, 1);
    if !band.contains(&ticker.last) {
        seen.push(format!("last {} far from the book", ticker.last));
    }
    let rule = &policy.volume;
    if let Some(reading) = volume_reading(candles, rule, now).filter(|r| r.is_anomalous(rule.threshold)) {
        let score = reading.score.map_or_else(|| "unbounded".to_owned(), |s| s.to_string());
        seen.push(format!(
            "volume {} in the {} candle of {} against a median of {} over {} candles (modified z-score {score}, \
             threshold {})",
            reading.volume.normalize(),
            rule.timeframe,
            reading.open_time,
            reading.median.normalize(),
            rule.window,
            rule.threshold
        ));
    }
    seen
}

impl Engine {
    /// Tells each of `users` (whose bots' entries this run held) of the anomaly of their market:
    /// one `market.anomaly` per user and market per hour, however often it comes and goes.
    async fn tell_anomaly(
        &self,
        users: BTreeSet<UserId>,
        exchange: ExchangeId,
        mode: ContextMode,
        symbol: &Symbol,
        seen: &[String],
    ) {
        let now = self.ports.clock.now();
        let data = AnomalyData { exchange, symbol: symbol.clone(), description: seen.join(", ") };
        let subject = format!("market.anomaly {exchange} {mode:?} {symbol}");
        let events: Vec<_> = users
            .into_iter()
            .map(|user| hourly_event(user, &subject, EventPayload::MarketAnomaly(data.clone()), now))
            .collect();
        self.events.enqueue(&events).await;
    }

    /// The market's anomalies, or why it could not be read.
    async fn market_anomalies(&self, gateway: &dyn ExchangeGateway, symbol: &Symbol) -> Result<Vec<String>, String> {
        let (market, ticker) = match (gateway.market(symbol).await, gateway.ticker(symbol).await) {
            (Ok(m), Ok(t)) => (m, t),
            (Err(err), _) | (_, Err(err)) => return Err(format!("unreadable ({err})")),
        };
        let policy = &self.anomaly;
        let range = CandleRange::latest(u32::try_from(policy.volume.window + 2).unwrap_or(u32::MAX));
        // Volume is judged where the exchange serves the rule's candles; a failed read skips it.
        let candles = match gateway.candles(symbol, policy.volume.timeframe, range).await {
            Ok(candles) => candles,
            Err(ExchangeError::UnsupportedTimeframe(_)) => Vec::new(),
            Err(err) => {
                tracing::info!(market = %symbol, error = %err, "volume not checked this run");
                Vec::new()
            }
        };
        Ok(inspect(&market, &ticker, &candles, policy, self.ports.clock.now()))
    }

    /// Checks every market a bot runs in and holds or releases its bots' entries.
    pub async fn anomaly_check(&self) -> Result<AnomalyReport, AppError> {
        let mut markets: BTreeMap<MarketKey, Vec<Bot>> = BTreeMap::new();
        for bot in self.ports.bots.evaluated(&BotKind::ALL, None).await? {
            markets.entry(key_of(&bot)).or_default().push(bot);
        }
        let mut report = AnomalyReport::default();
        for ((exchange, mode, symbol), bots) in markets {
            report.markets += 1;
            let seen = match self.ports.exchanges.gateway(exchange, mode) {
                Ok(gateway) => self.market_anomalies(&*gateway, &symbol).await,
                Err(err) => Err(format!("no gateway ({err})")),
            };
            match seen {
                Err(why) => report.anomalies.push(format!("{exchange} {symbol}: {why}")),
                Ok(seen) if seen.is_empty() => {
                    let why = format!("the anomaly of {exchange} {symbol} cleared");
                    for bot in bots.iter().filter(|b| b.entry_hold.is_some()) {
                        match self.release_entries(bot.id, &why).await {
                            Ok(released) => report.released += u64::from(released),
                            Err(err) => {
                                tracing::warn!(bot = %bot.id, error = %err, "could not release a bot's entries")
                            }
                        }
                    }
                }
                Ok(seen) => {
                    let line = format!("{exchange} {symbol}: {}", seen.join(", "));
                    tracing::warn!(anomaly = %line, "market anomaly");
                    let reason =
                        format!("{ANOMALY_HOLD} ({}); they resume by themselves when it clears", seen.join(", "));
                    report.anomalies.push(line);
                    let mut told = BTreeSet::new();
                    for bot in bots.iter().filter(|b| b.entry_hold.is_none()) {
                        match self.hold_entries(bot.id, &reason).await {
                            Ok(held) => {
                                report.held += u64::from(held);
                                if held {
                                    told.insert(bot.user_id);
                                }
                            }
                            Err(err) => tracing::warn!(bot = %bot.id, error = %err, "could not hold a bot's entries"),
                        }
                    }
                    self.tell_anomaly(told, exchange, mode, &symbol, &seen).await;
                }
            }
        }
        Ok(report)
    }
}
