//! The `sync_withdrawals` workflow: quote withdrawn (or spent) outside botfleet. The contexts of
//! one user on one exchange and mode share one exchange account, so their bots are checked
//! together: the account's balances are read once, and per quote asset what the exchange holds
//! (free + locked) is compared with what the bots still need (each running bot's unspent
//! allocation, available + blocked, and what the open buys of its paused or tripped siblings still
//! block). When the exchange holds less, running bots are paused, the most recently started first,
//! until the rest fit: their buys would only be refused by the exchange, and a stream of
//! refusals risks a rate-limit ban. A paused bot keeps its protective exits. Once the balance
//! covers them again, the bots this workflow paused (and only those: a bot paused by its owner
//! or by another rule keeps waiting for a person) resume, the oldest started first, as long as
//! each fits and its owner's plan and context still allow entries.

use std::collections::{BTreeMap, BTreeSet};

use domain::bots::{Bot, BotKind, BotStatus, Command};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::shared::ids::{BotId, ContextId, UserId};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;

use super::Engine;
use crate::AppError;

/// What one `sync_withdrawals` run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WithdrawalReport {
    /// Contexts with running bots, or bots this workflow paused, whose exchange balance was read.
    pub contexts: u64,
    /// Quote balances (one per account and quote asset) below what the bots need.
    pub shortfalls: u64,
    /// Bots paused for a shortfall.
    pub paused: u64,
    /// Bots this workflow had paused that resumed because the balance covers them again.
    pub resumed: u64,
    /// Contexts whose balance could not be read this time.
    pub failed: u64,
    /// Each shortfall, in words.
    pub details: Vec<String>,
}

/// One exchange account: a user's credential (or paper account) on one exchange.
type Account = (UserId, ExchangeId, ContextMode);

/// How the status reason of a bot this workflow paused begins; a bot whose reason changed since
/// (its owner resumed or paused it, another rule paused it) is no longer this workflow's.
pub const SHORTFALL_REASON: &str = "funds withdrawn outside botfleet";

/// Whether `bot` is paused by this workflow, and by nothing since.
fn paused_for_shortfall(bot: &Bot) -> bool {
    bot.status == BotStatus::Paused && bot.status_reason.as_deref().is_some_and(|r| r.starts_with(SHORTFALL_REASON))
}

/// When `bot` was last started (from created or stopped), else when it was created.
fn started_at(bot: &Bot) -> OffsetDateTime {
    let start = |c: &&domain::bots::StatusChange| {
        c.to == BotStatus::Running && matches!(c.from, BotStatus::Created | BotStatus::Stopped)
    };
    bot.history.iter().rev().find(start).map_or(bot.created_at, |c| c.at)
}

/// The quote `bot` still counts on the exchange holding: a running bot's unspent allocation, the
/// open buys of any other evaluated bot.
fn need_of(bot: &Bot) -> Decimal {
    match bot.status {
        BotStatus::Running => bot.funds.available + bot.funds.blocked,
        _ => bot.funds.blocked,
    }
}

impl Engine {
    /// Checks every account with running bots, or bots it paused, and pauses what its quote cannot
    /// cover or resumes what it covers again.
    pub async fn sync_withdrawals(&self) -> Result<WithdrawalReport, AppError> {
        let mut accounts: BTreeMap<Account, Vec<Bot>> = BTreeMap::new();
        for bot in self.ports.bots.evaluated(&BotKind::ALL, None).await? {
            accounts.entry((bot.user_id, bot.exchange, bot.mode)).or_default().push(bot);
        }
        let mut report = WithdrawalReport::default();
        for ((user, _, _), bots) in accounts {
            let running: BTreeSet<ContextId> = bots
                .iter()
                .filter(|b| b.status == BotStatus::Running || paused_for_shortfall(b))
                .map(|b| b.context_id)
                .collect();
            let Some(first) = running.first() else { continue };
            let balances = match self.account_balances(user, *first).await {
                Ok(balances) => balances,
                Err(err) => {
                    tracing::warn!(context = %first, error = %err, "cannot read the balances of an exchange account");
                    report.failed += running.len() as u64;
                    continue;
                }
            };
            report.contexts += running.len() as u64;
            let mut by_quote: BTreeMap<String, Vec<Bot>> = BTreeMap::new();
            for bot in bots {
                by_quote.entry(bot.symbol.quote().as_str().to_owned()).or_default().push(bot);
            }
            for (quote, bots) in by_quote {
                let holds: Decimal = balances.iter().filter(|b| b.asset == quote).map(|b| b.free + b.locked).sum();
                self.cover(&quote, holds, bots, &mut report).await;
            }
        }
        Ok(report)
    }

    async fn account_balances(
        &self,
        user: UserId,
        context: ContextId,
    ) -> Result<Vec<domain::exchange::Balance>, AppError> {
        let context = self.ports.contexts.get(user, context).await?;
        let (gateway, creds) = self.connection(&context).await?;
        Ok(gateway.balances(&creds).await.map_err(crate::exchanges::exchange_error)?)
    }

    /// Pauses running `bots`, the most recently started first, until what they need in `quote`
    /// fits in what the exchange `holds`.
    async fn cover(&self, quote: &str, holds: Decimal, bots: Vec<Bot>, report: &mut WithdrawalReport) {
        let mut need: Decimal = bots.iter().map(need_of).sum();
        if need <= holds {
            return self.resume_covered(quote, holds, need, &bots, report).await;
        }
        // Without a running bot in this quote there is nothing to pause and nothing will be bought.
        if bots.iter().all(|b| b.status != BotStatus::Running) {
            return;
        }
        let line = format!(
            "{SHORTFALL_REASON}: the exchange holds {} {quote}, the bots need {} {quote}",
            holds.normalize(),
            need.normalize()
        );
        tracing::warn!(shortfall = %line, user = %bots[0].user_id, exchange = %bots[0].exchange, "pausing bots");
        report.shortfalls += 1;
        report.details.push(line.clone());
        let mut running: Vec<&Bot> = bots.iter().filter(|b| b.status == BotStatus::Running).collect();
        running.sort_by_key(|b| std::cmp::Reverse((started_at(b), b.id)));
        let counted = need;
        // Its owner hears why as well as that it paused, in the same write.
        let tell = |b: &mut Bot, at: OffsetDateTime| b.raise_funds_withdrawn(quote, counted, holds, at);
        for bot in running {
            if need <= holds {
                break;
            }
            match self.switch(bot.id, Command::Pause, &line, |b| b.status == BotStatus::Running, &tell).await {
                Ok(Some(paused)) => {
                    report.paused += 1;
                    need -= paused.funds.available;
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(bot = %bot.id, error = %err, "could not pause a bot; next run retries"),
            }
        }
    }

    /// Resumes the bots this workflow paused in `quote`, the oldest started first, while what
    /// each needs once running again (its unspent allocation beside its open buys, which `need`
    /// counts already) fits in what the exchange `holds`. It stops at the first that does not
    /// fit, so a younger bot never takes the funds an older one waits for; a bot its owner's
    /// plan or context no longer allows stays paused and is passed over.
    async fn resume_covered(
        &self,
        quote: &str,
        holds: Decimal,
        mut need: Decimal,
        bots: &[Bot],
        report: &mut WithdrawalReport,
    ) {
        let mut waiting: Vec<&Bot> = bots.iter().filter(|b| paused_for_shortfall(b)).collect();
        waiting.sort_by_key(|b| (started_at(b), b.id));
        let mut gate = super::gate::EntryGate::default();
        for bot in waiting {
            let after = need + bot.funds.available;
            if after > holds {
                break;
            }
            match self.entry_refusal(&mut gate, bot).await {
                Ok(None) => {}
                Ok(Some(why)) => {
                    tracing::info!(bot = %bot.id, reason = %why, "funds are back but the bot may not open positions; it stays paused");
                    continue;
                }
                Err(err) => {
                    tracing::warn!(bot = %bot.id, error = %err, "cannot check a bot's plan and context; next run retries");
                    continue;
                }
            }
            let line = format!(
                "funds back on the exchange: it holds {} {quote}, the bots need {} {quote}",
                holds.normalize(),
                after.normalize()
            );
            match self.switch(bot.id, Command::Resume, &line, paused_for_shortfall, &|_, _| {}).await {
                Ok(Some(_)) => {
                    tracing::info!(bot = %bot.id, reason = %line, "resuming a bot paused for a shortfall");
                    report.resumed += 1;
                    need = after;
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(bot = %bot.id, error = %err, "could not resume a bot; next run retries"),
            }
        }
    }

    /// Applies `command` to bot `id` under its lease with `reason`, then `also` in the same
    /// write, when `applies` to it as stored; `None` when another instance holds its lease or it
    /// does not apply any more.
    async fn switch(
        &self,
        id: BotId,
        command: Command,
        reason: &str,
        applies: fn(&Bot) -> bool,
        also: &(dyn Fn(&mut Bot, OffsetDateTime) + Sync),
    ) -> Result<Option<Bot>, AppError> {
        let Some(_claim) = self.lease(id).await? else {
            tracing::info!(bot = %id, "a bot to pause or resume is busy; it is left for the next run");
            return Ok(None);
        };
        let result = async {
            if !applies(&self.ports.bots.find(id).await?) {
                return Ok(None);
            }
            let now = self.ports.clock.now();
            let (bot, done) = self
                .modify(id, |b| {
                    if !applies(b) {
                        return Ok(false);
                    }
                    b.command(command, reason, now).map_err(AppError::internal)?;
                    also(b, now);
                    Ok(true)
                })
                .await?;
            Ok(done.then_some(bot))
        }
        .await;
        self.release(id).await;
        result
    }
}
