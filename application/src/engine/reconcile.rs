//! The `sync_strategy_balances` workflow reconciles each bot's books with its orders and with the
//! exchange account it trades in.
//!
//! 1. Corrections that need no guess: a pending order whose stored order has ended (filled,
//!    canceled, rejected, expired) is applied to the bot, releasing what it still blocked or
//!    locked; quote blocked or base locked beyond what the bot's pending orders hold (no order
//!    holds it any more) is released.
//! 2. Books that cannot be trusted: figures that do not balance, pending orders holding more than
//!    the books block or lock, positions (and dust) that do not add up to the holdings, or bots of
//!    one exchange account holding more of a base asset than the account does (a sale outside
//!    botfleet, a missed fill). Running bots among them are paused with a reason saying what does
//!    not add up and what to do; the owner resumes them once the cause is dealt with.
//!
//! Quote the account lacks is `sync_withdrawals`' concern and is not looked at here.

use std::collections::{BTreeMap, BTreeSet};

use domain::bots::{Bot, BotEvent, BotKind, BotStatus};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::shared::ids::{BotId, UserId};
use rust_decimal::Decimal;
use serde::Serialize;

use super::holds::UNTRUSTED_BOOKS;
use super::Engine;
use crate::AppError;

/// What `sync_strategy_balances` found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BalanceReport {
    /// Contexts checked against their exchange account (the unreadable ones included).
    pub contexts: u64,
    /// Exchange accounts holding less of a base asset than their bots account for, in words.
    pub shortfalls: Vec<String>,
    /// Contexts whose balances could not be read this time.
    pub unreadable: u64,
    /// Bots whose books were corrected.
    pub corrected: u64,
    /// Bots whose books cannot be trusted, each with why.
    pub untrusted: Vec<String>,
    /// Running bots paused for books that cannot be trusted.
    pub paused: u64,
}

/// Why `bot`'s books contradict themselves, if they do.
fn internal_faults(bot: &Bot) -> Vec<String> {
    let mut faults = Vec::new();
    let f = &bot.funds;
    if !f.is_consistent() {
        faults.push(format!(
            "its books do not balance (allocated {} + realized profit {} against available {} + blocked {} + \
             invested {})",
            f.allocated, f.realized_profit, f.available, f.blocked, f.invested
        ));
    }
    let blocked: Decimal = bot.pending.iter().map(|p| p.blocked).sum();
    if blocked > f.blocked {
        faults.push(format!("its open buys hold {blocked} {} but the books block {}", bot.symbol.quote(), f.blocked));
    }
    let locked: Decimal = bot.pending.iter().map(|p| p.locked).sum();
    if locked > f.holdings_locked {
        faults.push(format!(
            "its open sells hold {locked} {} but the books lock {}",
            bot.symbol.base(),
            f.holdings_locked
        ));
    }
    let positions: Decimal = bot.positions.iter().filter(|p| p.is_held()).map(|p| p.quantity).sum::<Decimal>();
    if positions + bot.dust.quantity != f.holdings {
        faults.push(format!(
            "its positions hold {} {} (and {} left over) but the books hold {}",
            positions.normalize(),
            bot.symbol.base(),
            bot.dust.quantity.normalize(),
            f.holdings.normalize()
        ));
    }
    faults
}

/// The corrections `bot`'s books need once ended orders are applied: blocked quote and locked
/// base beyond what its pending orders hold.
fn excess(bot: &Bot) -> (Decimal, Decimal) {
    let blocked: Decimal = bot.pending.iter().map(|p| p.blocked).sum();
    let locked: Decimal = bot.pending.iter().map(|p| p.locked).sum();
    ((bot.funds.blocked - blocked).max(Decimal::ZERO), (bot.funds.holdings_locked - locked).max(Decimal::ZERO))
}

/// One exchange account: a user's credential (or paper account) on one exchange.
type Account = (UserId, ExchangeId, ContextMode);

impl Engine {
    /// Applies ended orders to `bot` and releases what no order holds: the bot as it stands after,
    /// and whether anything changed.
    async fn correct_books(&self, bot: &Bot) -> Result<(Bot, bool), AppError> {
        let mut ended = 0;
        if !bot.pending.is_empty() {
            let gateway = self.ports.exchanges.gateway(bot.exchange, bot.mode)?;
            for pending in &bot.pending {
                let order = match self.ports.orders.get_by_client_id(&pending.client_order_id).await {
                    Ok(order) if !order.is_open() => order,
                    Ok(_) | Err(domain::RepoError::NotFound) => continue,
                    Err(err) => return Err(err.into()),
                };
                self.apply_to_bot(&order, &*gateway).await?;
                ended += 1;
            }
        }
        // Only an applied order changed the bot since it was read.
        let fresh = if ended > 0 { self.ports.bots.find(bot.id).await? } else { bot.clone() };
        let (bot, (blocked, locked)) = if excess(&fresh) == (Decimal::ZERO, Decimal::ZERO) {
            (fresh, (Decimal::ZERO, Decimal::ZERO))
        } else {
            self.modify(bot.id, |b| {
                let (blocked, locked) = excess(b);
                if blocked > Decimal::ZERO {
                    b.funds.release(blocked).map_err(AppError::internal)?;
                }
                if locked > Decimal::ZERO {
                    b.funds.unlock(locked).map_err(AppError::internal)?;
                }
                Ok((blocked, locked))
            })
            .await?
        };
        if ended == 0 && blocked.is_zero() && locked.is_zero() {
            return Ok((bot, false));
        }
        let reason = format!(
            "{ended} ended order(s) applied; released {} {} blocked and {} {} locked that no open order held",
            blocked.normalize(),
            bot.symbol.quote(),
            locked.normalize(),
            bot.symbol.base()
        );
        tracing::warn!(bot = %bot.id, correction = %reason, "books corrected");
        self.record(&bot, vec![BotEvent::BooksCorrected { reason }]).await;
        Ok((bot, true))
    }

    /// The base each account's bots hold beyond what the account does, per bot.
    async fn base_shortfalls(&self, bots: &[Bot], report: &mut BalanceReport) -> BTreeMap<BotId, String> {
        let mut accounts: BTreeMap<Account, Vec<&Bot>> = BTreeMap::new();
        for bot in bots {
            accounts.entry((bot.user_id, bot.exchange, bot.mode)).or_default().push(bot);
        }
        let mut faults = BTreeMap::new();
        for ((user, _, _), bots) in accounts {
            let contexts: BTreeSet<_> = bots.iter().map(|b| b.context_id).collect();
            report.contexts += contexts.len() as u64;
            let read = async {
                let context = self.ports.contexts.get(user, bots[0].context_id).await?;
                let (gateway, creds) = self.connection(&context).await?;
                Ok::<_, AppError>(gateway.balances(&creds).await.map_err(crate::exchanges::exchange_error)?)
            };
            let balances = match read.await {
                Ok(balances) => balances,
                Err(err) => {
                    tracing::warn!(user = %user, error = %err, "cannot compare an exchange account's balances");
                    report.unreadable += contexts.len() as u64;
                    continue;
                }
            };
            let mut held: BTreeMap<&str, Decimal> = BTreeMap::new();
            for bot in &bots {
                *held.entry(bot.symbol.base().as_str()).or_default() += bot.funds.holdings;
            }
            for (asset, books) in held {
                let on_exchange: Decimal =
                    balances.iter().filter(|b| b.asset == asset).map(|b| b.free + b.locked).sum();
                if on_exchange >= books {
                    continue;
                }
                let line = format!(
                    "the exchange account holds {} {asset}, its bots' books {} {asset}",
                    on_exchange.normalize(),
                    books.normalize()
                );
                tracing::warn!(shortfall = %line, user = %user, "the exchange holds less than the bots account for");
                report.shortfalls.push(line.clone());
                let holders =
                    bots.iter().filter(|b| b.symbol.base().as_str() == asset && b.funds.holdings > Decimal::ZERO);
                for bot in holders {
                    faults.insert(bot.id, line.clone());
                }
            }
        }
        faults
    }

    /// Reconciles every evaluated bot's books (see the module documentation).
    pub async fn sync_strategy_balances(&self) -> Result<BalanceReport, AppError> {
        let mut report = BalanceReport::default();
        // The bots as they stand after their corrections (one read of every bot, not two).
        let mut bots = Vec::new();
        for bot in self.ports.bots.evaluated(&BotKind::ALL, None).await? {
            match self.correct_books(&bot).await {
                Ok((after, corrected)) => {
                    report.corrected += u64::from(corrected);
                    bots.push(after);
                }
                Err(err) => {
                    tracing::warn!(bot = %bot.id, error = %err, "could not correct a bot's books");
                    bots.push(bot);
                }
            }
        }
        let mut shortfalls = self.base_shortfalls(&bots, &mut report).await;
        for bot in bots {
            let mut faults = internal_faults(&bot);
            faults.extend(shortfalls.remove(&bot.id));
            if faults.is_empty() {
                continue;
            }
            let reason = format!(
                "{UNTRUSTED_BOOKS}: {}. Compare its orders with the exchange account's history and correct the cause \
                 (an order placed or a sale made outside botfleet, a deposit or withdrawal of the asset), then resume \
                 it; or emergency-sell it and create a new bot",
                faults.join("; ")
            );
            report.untrusted.push(format!("bot {}: {}", bot.id, faults.join("; ")));
            if bot.status != BotStatus::Running {
                continue;
            }
            tracing::warn!(bot = %bot.id, reason = %reason, "pausing a bot whose books cannot be trusted");
            let event = BotEvent::BooksUntrusted { reason: reason.clone() };
            match self.pause_running(bot.id, &reason, event).await {
                Ok(paused) => report.paused += u64::from(paused),
                Err(err) => tracing::warn!(bot = %bot.id, error = %err, "could not pause a bot; next run retries"),
            }
        }
        Ok(report)
    }
}
