//! Upkeep workflows over the markets and contexts bots run in: `anomaly_check` (a spread too wide,
//! a last price outside the book, a market that stopped trading) and `sync_strategy_balances`
//! (the exchange holds less base than the context's bots believe they hold: someone sold by hand,
//! or a fill was missed). Both report and log; they change nothing, a person decides.

use std::collections::{BTreeMap, BTreeSet};

use domain::bots::{Bot, BotKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::market::{key_of, MarketKey};
use super::Engine;
use crate::AppError;

/// A spread above this share of the mid price is an anomaly, %.
pub const MAX_SPREAD_PERCENT: Decimal = Decimal::ONE;

/// What `anomaly_check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AnomalyReport {
    /// Markets checked.
    pub markets: u64,
    /// Markets with an anomaly, each with what was seen.
    pub anomalies: Vec<String>,
}

/// What `sync_strategy_balances` found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BalanceReport {
    /// Contexts checked.
    pub contexts: u64,
    /// Contexts where the exchange holds less base than the bots account for.
    pub shortfalls: Vec<String>,
    /// Contexts whose balances could not be read this time.
    pub unreadable: u64,
}

impl Engine {
    async fn running_bots(&self) -> Result<Vec<Bot>, AppError> {
        Ok(self.ports.bots.evaluated(&BotKind::ALL, None).await?)
    }

    /// Checks every market a bot runs in.
    pub async fn anomaly_check(&self) -> Result<AnomalyReport, AppError> {
        let markets: BTreeSet<MarketKey> = self.running_bots().await?.iter().map(key_of).collect();
        let mut report = AnomalyReport::default();
        for (exchange, mode, symbol) in markets {
            report.markets += 1;
            let gateway = match self.ports.exchanges.gateway(exchange, mode) {
                Ok(gateway) => gateway,
                Err(err) => {
                    report.anomalies.push(format!("{exchange} {symbol}: no gateway ({err})"));
                    continue;
                }
            };
            let (market, ticker) = match (gateway.market(&symbol).await, gateway.ticker(&symbol).await) {
                (Ok(m), Ok(t)) => (m, t),
                (Err(err), _) | (_, Err(err)) => {
                    report.anomalies.push(format!("{exchange} {symbol}: unreadable ({err})"));
                    continue;
                }
            };
            let mid = (ticker.bid + ticker.ask) / Decimal::TWO;
            let spread = if mid > Decimal::ZERO {
                (ticker.spread() / mid * Decimal::ONE_HUNDRED).round_dp(4)
            } else {
                Decimal::ZERO
            };
            let mut seen = Vec::new();
            if !market.trading {
                seen.push("not trading".to_owned());
            }
            if ticker.bid <= Decimal::ZERO || ticker.ask < ticker.bid {
                seen.push(format!("crossed or empty book (bid {}, ask {})", ticker.bid, ticker.ask));
            } else if spread > MAX_SPREAD_PERCENT {
                seen.push(format!("spread {spread}%"));
            }
            let band = ticker.bid * Decimal::new(9, 1)..=ticker.ask * Decimal::new(11, 1);
            if !band.contains(&ticker.last) {
                seen.push(format!("last {} far from the book", ticker.last));
            }
            if !seen.is_empty() {
                let line = format!("{exchange} {symbol}: {}", seen.join(", "));
                tracing::warn!(anomaly = %line, "market anomaly");
                report.anomalies.push(line);
            }
        }
        Ok(report)
    }

    /// Compares, per context, the base the bots hold with what the exchange holds.
    pub async fn sync_strategy_balances(&self) -> Result<BalanceReport, AppError> {
        let mut held: BTreeMap<_, Decimal> = BTreeMap::new();
        for bot in self.running_bots().await? {
            *held.entry((bot.user_id, bot.context_id)).or_default() += bot.funds.holdings;
        }
        let mut report = BalanceReport::default();
        for ((user, context_id), bots_hold) in held {
            report.contexts += 1;
            // One context that cannot be read never ends the check for the others.
            let read = async {
                let context = self.ports.contexts.get(user, context_id).await?;
                let (gateway, creds) = self.connection(&context).await?;
                let balances = gateway.balances(&creds).await.map_err(crate::exchanges::exchange_error)?;
                Ok::<_, AppError>((context, balances))
            };
            let (context, balances) = match read.await {
                Ok(read) => read,
                Err(err) => {
                    tracing::warn!(context = %context_id, error = %err, "cannot compare a context's balances");
                    report.unreadable += 1;
                    continue;
                }
            };
            let on_exchange: Decimal =
                balances.iter().filter(|b| b.asset == context.base.as_str()).map(|b| b.free + b.locked).sum();
            if on_exchange < bots_hold {
                let line =
                    format!("context {context_id}: bots hold {bots_hold} {}, the exchange {on_exchange}", context.base);
                tracing::warn!(shortfall = %line, "the exchange holds less than the bots account for");
                report.shortfalls.push(line);
            }
        }
        Ok(report)
    }
}
