//! `health`: the user's own operational view. Each bot's status, last evaluation, last error and
//! circuit breaker; each credential's stored validation state; each exchange account's
//! reachability (the same reads as the balances); the plan's usage; and the alerts of
//! [`super::alerts`], most urgent first.

use std::collections::BTreeMap;

use domain::bots::{Bot, BotKind, BotStatus, Trip};
use domain::contexts::ContextMode;
use domain::credentials::{CredentialStatus, ExchangeCredential};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, ContextId, CredentialId, UserId};
use domain::subscriptions::{Limit, Plan};
use domain::PageRequest;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::accounts::{all, AccountError, AccountsView};
use super::alerts::{bot_alerts, credential_alert, exchange_alert, plan_alert, status_since, Alert};
use crate::Unexpected;

/// A bot's circuit breaker: its state, counts and thresholds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakerHealth {
    /// Whether it may trip.
    pub enabled: bool,
    /// The trip in force: when and why.
    pub tripped: Option<Trip>,
    /// Losing trades in a row.
    pub consecutive_losses: u32,
    /// The losing streak that trips it.
    pub max_consecutive_losses: u32,
    /// The realized loss of the last 24 hours (positive, quote).
    pub daily_loss: Decimal,
    /// The daily loss that trips it (quote), `max_daily_loss_percent` of the allocation.
    pub daily_loss_limit: Option<Decimal>,
    /// The daily loss limit, % of the allocation.
    pub max_daily_loss_percent: Decimal,
}

/// The last time something other than its owner took a bot out of running, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastError {
    /// The reason recorded with the change.
    pub message: String,
    /// When.
    pub at: OffsetDateTime,
}

/// One bot's health.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotHealth {
    /// Id.
    pub id: BotId,
    /// Its owner's name for it.
    pub name: String,
    /// Its context.
    pub context_id: ContextId,
    /// Strategy.
    pub kind: BotKind,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Live or paper.
    pub mode: ContextMode,
    /// Market.
    pub symbol: Symbol,
    /// Status.
    pub status: BotStatus,
    /// Why it is in that status.
    pub status_reason: Option<String>,
    /// Since when.
    pub status_since: OffsetDateTime,
    /// When the engine last wrote a change of it (the last price it evaluated is kept in memory
    /// and written with the next change).
    pub last_evaluated_at: OffsetDateTime,
    /// The last price its evaluation accepted.
    pub last_price: Option<Decimal>,
    /// The last stop or pause not ordered by its owner.
    pub last_error: Option<LastError>,
    /// Its breaker.
    pub breaker: BreakerHealth,
    /// Whether the soft stop halted buying.
    pub buying_halted: bool,
    /// Why the engine holds its entries, if it does.
    pub entry_hold: Option<String>,
}

/// A credential's stored validation state (never the key or the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialHealth {
    /// Id.
    pub id: CredentialId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Unverified, valid or invalid.
    pub status: CredentialStatus,
    /// Why it is invalid (or a warning).
    pub status_reason: Option<String>,
    /// When it was last validated.
    pub validated_at: Option<OffsetDateTime>,
}

/// Whether an exchange account answered now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeHealth {
    /// Exchange.
    pub exchange: ExchangeId,
    /// Live or paper.
    pub mode: ContextMode,
    /// Whether its balances were read.
    pub reachable: bool,
    /// When it was asked.
    pub checked_at: OffsetDateTime,
    /// Why not.
    pub error: Option<AccountError>,
}

/// The plan and what of it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanUsage {
    /// The plan whose limits apply.
    pub plan: Plan,
    /// Bots.
    pub bots: u64,
    /// The bot limit.
    pub bots_limit: Limit,
    /// Contexts.
    pub contexts: u64,
    /// The context limit.
    pub contexts_limit: Limit,
}

/// The user's operational view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// When it was put together.
    pub checked_at: OffsetDateTime,
    /// Each bot, oldest first.
    pub bots: Vec<BotHealth>,
    /// Each credential.
    pub credentials: Vec<CredentialHealth>,
    /// Each exchange account of the contexts.
    pub exchanges: Vec<ExchangeHealth>,
    /// The plan's usage.
    pub plan: PlanUsage,
    /// The alerts, most urgent first, then oldest first.
    pub alerts: Vec<Alert>,
}

/// The last change out of running that its owner did not order.
fn last_error(bot: &Bot) -> Option<LastError> {
    bot.history
        .iter()
        .rev()
        .find(|c| c.from == BotStatus::Running && c.to != BotStatus::Running && !c.reason.ends_with("by its owner"))
        .map(|c| LastError { message: c.reason.clone(), at: c.at })
}

fn bot_health(bot: &Bot, now: OffsetDateTime) -> BotHealth {
    let breaker = &bot.breaker;
    BotHealth {
        id: bot.id,
        name: bot.name.clone(),
        context_id: bot.context_id,
        kind: bot.kind(),
        exchange: bot.exchange,
        mode: bot.mode,
        symbol: bot.symbol.clone(),
        status: bot.status,
        status_reason: bot.status_reason.clone(),
        status_since: status_since(bot),
        last_evaluated_at: bot.updated_at,
        last_price: bot.last_price,
        last_error: last_error(bot),
        breaker: BreakerHealth {
            enabled: breaker.enabled,
            tripped: breaker.tripped.clone(),
            consecutive_losses: breaker.consecutive_losses,
            max_consecutive_losses: breaker.limits.max_consecutive_losses,
            daily_loss: breaker.daily_loss(now),
            daily_loss_limit: breaker.limits.daily_loss_limit(bot.funds.allocated),
            max_daily_loss_percent: breaker.limits.max_daily_loss_percent,
        },
        buying_halted: bot.buying_halted,
        entry_hold: bot.entry_hold.clone(),
    }
}

impl AccountsView {
    /// `owner`'s operational view, with its alerts.
    pub async fn health(&self, owner: UserId) -> Result<Health, Unexpected> {
        let now = self.ports.clock.now();
        let contexts = self.contexts(owner).await?;
        let bots = self.bots(owner).await?;
        let credentials: Vec<ExchangeCredential> = all(|page| self.ports.credentials.list(owner, None, page)).await?;
        let access = self.ports.subscriptions.access(owner).await?;
        let reads = self.read_accounts(&contexts).await;
        let prices = self.prices(&bots).await;

        let mut alerts = Vec::new();
        for bot in &bots {
            let soft_stop_at = if bot.buying_halted { self.recorded_at(bot, "soft_stop").await? } else { None };
            let held_at = if bot.entry_hold.is_some() { self.recorded_at(bot, "entries_held").await? } else { None };
            let price = prices
                .get(&(bot.exchange, bot.mode, bot.symbol.clone()))
                .copied()
                .or_else(|| bot.last_price.map(|p| (p, bot.updated_at)));
            alerts.extend(bot_alerts(bot, price, soft_stop_at, held_at));
        }
        let newest_bot = bots.iter().map(|b| b.created_at).max();
        let newest_context = contexts.iter().map(|c| c.created_at).max();
        let since = |used: u64, limit: Limit, newest: Option<OffsetDateTime>| {
            if limit.exceeded_by(used) > 0 {
                Some(access.subscription.updated_at)
            } else {
                newest
            }
        };
        let (bots_used, contexts_used) = (bots.len() as u64, contexts.len() as u64);
        alerts.extend(plan_alert(
            "bots",
            bots_used,
            access.entitlements.bots,
            since(bots_used, access.entitlements.bots, newest_bot),
        ));
        let contexts_limit = access.entitlements.contexts;
        alerts.extend(plan_alert(
            "contexts",
            contexts_used,
            contexts_limit,
            since(contexts_used, contexts_limit, newest_context),
        ));
        alerts.extend(credentials.iter().filter_map(credential_alert));
        let exchanges: Vec<ExchangeHealth> = reads
            .into_iter()
            .map(|read| ExchangeHealth {
                exchange: read.exchange,
                mode: read.mode,
                reachable: read.balances.is_ok(),
                checked_at: read.read_at,
                error: read.balances.err(),
            })
            .collect();
        for exchange in &exchanges {
            let context = contexts.iter().find(|c| c.exchange == exchange.exchange && c.mode == exchange.mode);
            alerts.extend(exchange_alert(exchange, context.map(|c| c.id)));
        }
        alerts.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.since.cmp(&b.since)));
        Ok(Health {
            checked_at: now,
            bots: bots.iter().map(|b| bot_health(b, now)).collect(),
            credentials: credentials
                .into_iter()
                .map(|c| CredentialHealth {
                    id: c.id,
                    exchange: c.exchange,
                    status: c.status,
                    status_reason: c.status_reason,
                    validated_at: c.validated_at,
                })
                .collect(),
            exchanges,
            plan: PlanUsage {
                plan: access.plan,
                bots: bots_used,
                bots_limit: access.entitlements.bots,
                contexts: contexts_used,
                contexts_limit,
            },
            alerts,
        })
    }

    /// When the latest `kind` record of `bot` was written.
    async fn recorded_at(&self, bot: &Bot, kind: &'static str) -> Result<Option<OffsetDateTime>, Unexpected> {
        let page = self.ports.records.list(bot.id, Some(kind), PageRequest::new(0, 1)).await?;
        Ok(page.items.first().map(|r| r.at))
    }

    /// The current price of each market where a bot holds a position with a take profit, read
    /// once per market through the shared market-data cache; a market that cannot be read is
    /// left out (the bot's last evaluated price stands in).
    async fn prices(&self, bots: &[Bot]) -> BTreeMap<(ExchangeId, ContextMode, Symbol), (Decimal, OffsetDateTime)> {
        let mut markets: Vec<(ExchangeId, ContextMode, Symbol)> = bots
            .iter()
            .filter(|b| b.config.risk().take_profit_percent.is_some() && b.positions.iter().any(|p| p.is_held()))
            .map(|b| (b.exchange, b.mode, b.symbol.clone()))
            .collect();
        markets.sort();
        markets.dedup();
        let reads = markets.into_iter().map(|market| async move {
            let gateway = self.ports.exchanges.gateway(market.0, market.1).ok()?;
            let ticker = gateway.ticker(&market.2).await.ok()?;
            Some((market, (ticker.last, self.ports.clock.now())))
        });
        futures::future::join_all(reads).await.into_iter().flatten().collect()
    }
}
