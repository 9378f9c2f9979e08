//! The sync workflow: every open order is read back from its exchange by client order id (an
//! adopted one by the exchange's id) and what changed is applied to its bot and then stored on
//! the order (fills move blocked funds into positions or proceeds; the end of an order releases
//! what it still held). An order the exchange never received (not found after a grace period) is
//! marked rejected and its funds released; an acknowledged order the exchange no longer knows,
//! older than [`EnginePorts::forgotten_after`](super::EnginePorts) and answered "not found" on
//! every read for [`MISSING_CONFIRMATION`], is ended as cancelled and flagged `forgotten` (what
//! filled stays filled, the rest is released). The bot is written first so that an order is
//! never stored as ended while its bot still waits for it (an ended order is not read again);
//! applying to the bot is idempotent, so a crash or a failed write between the two writes is
//! harmless. A bot's orders are synced under its lease, and no order while it is being placed.

use std::collections::BTreeMap;
use std::time::Duration;

use domain::bots::BotError;
use domain::exchange::{ApiCredentials, ExchangeError, ExchangeGateway, OrderRef};
use domain::orders::{Order, OrderStatus};
use domain::shared::ids::{BotId, ContextId, UserId};
use domain::RepoError;
use serde::Serialize;

use super::isolate::contained;
use super::place::progress_of;
use super::Engine;
use crate::AppError;

/// How long a pending order may be unknown to its exchange before it is deemed never sent, by
/// default (`EnginePorts::pending_grace`): longer than an order placement may take.
pub const PENDING_GRACE: time::Duration = time::Duration::seconds(60);

/// How old an acknowledged order must be, by default, before sync ends it as forgotten when its
/// exchange answers "not found" (`EnginePorts::forgotten_after`): younger, a not-found is taken
/// for a transient error and the order stays open.
pub const FORGOTTEN_AFTER: time::Duration = time::Duration::days(3);

/// How long an acknowledged order must be answered "not found" without a break, at the least,
/// before it may be ended as forgotten: one transient "not found" never ends an order.
pub const MISSING_CONFIRMATION: time::Duration = time::Duration::hours(1);

/// Whether the exchange acknowledged `order` (it has the exchange's id and is open past pending).
fn acknowledged(order: &Order) -> bool {
    matches!(order.status, OrderStatus::New | OrderStatus::PartiallyFilled) && order.exchange_order_id.is_some()
}

/// What one sync run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Open orders read.
    pub checked: u64,
    /// Orders whose state changed.
    pub changed: u64,
    /// Pending orders the exchange never received (now rejected).
    pub never_sent: u64,
    /// Acknowledged orders the exchange no longer knows (now canceled and flagged `forgotten`).
    pub forgotten: u64,
    /// Acknowledged orders the exchange answered "not found" for, not ended (yet).
    pub missing: u64,
    /// Orders that could not be read this time.
    pub failed: u64,
    /// Orders whose sync failed (a panic or an internal error); their bots were paused.
    pub isolated: u64,
    /// Orders left for the next run: the engine was acting on their bot or placing them.
    pub busy: u64,
}

impl Engine {
    /// Runs one sync over every open order.
    pub async fn sync_orders(&self) -> Result<SyncReport, AppError> {
        let open = self.ports.orders.open(None, None).await?;
        let mut by_context: BTreeMap<(UserId, ContextId), Vec<Order>> = BTreeMap::new();
        for order in open {
            by_context.entry((order.user_id, order.context_id)).or_default().push(order);
        }
        let mut report = SyncReport::default();
        for ((user, context_id), orders) in by_context {
            let connection = match self.ports.contexts.get(user, context_id).await {
                Ok(context) => self.connection(&context).await,
                Err(err) => Err(err.into()),
            };
            let (gateway, creds) = match connection {
                Ok(c) => c,
                Err(err) => {
                    tracing::warn!(context = %context_id, error = %err, "cannot sync the orders of a context");
                    report.failed += orders.len() as u64;
                    continue;
                }
            };
            let mut by_bot: BTreeMap<Option<BotId>, Vec<Order>> = BTreeMap::new();
            for order in orders {
                by_bot.entry(order.bot_id).or_default().push(order);
            }
            for (bot, orders) in by_bot {
                self.sync_batch(bot, orders, (&*gateway, &creds), &mut report).await;
            }
        }
        Ok(report)
    }

    /// Syncs `orders` (all of `bot`, or of no bot) into `report`, under the bot's lease. Never
    /// while an order's placement is in flight: it would be rejected as never sent, or stored
    /// without the fills and fees of the placement's answer (a look-up may carry totals only).
    async fn sync_batch(
        &self,
        bot: Option<BotId>,
        orders: Vec<Order>,
        (gateway, creds): (&dyn ExchangeGateway, &ApiCredentials),
        report: &mut SyncReport,
    ) {
        let claim = match bot.map(|bot| self.lease(bot)) {
            None => None,
            Some(lease) => match lease.await {
                Ok(Some(claim)) => Some(claim),
                Ok(None) => {
                    report.busy += orders.len() as u64;
                    return;
                }
                Err(err) => {
                    tracing::warn!(bot = ?bot, error = %err, "cannot take a bot's lease to sync its orders");
                    report.failed += orders.len() as u64;
                    return;
                }
            },
        };
        for order in orders {
            // Nor is a manual order while it is being placed.
            let Some(_placing) = self.placing.try_claim(order.client_order_id.clone()) else {
                report.busy += 1;
                continue;
            };
            report.checked += 1;
            let id = order.id;
            match contained(self.sync_one(order, gateway, creds)).await {
                Ok(Ok(Outcome::Changed)) => report.changed += 1,
                Ok(Ok(Outcome::NeverSent)) => report.never_sent += 1,
                Ok(Ok(Outcome::Forgotten)) => report.forgotten += 1,
                Ok(Ok(Outcome::Missing)) => report.missing += 1,
                Ok(Ok(Outcome::Same)) => {}
                Ok(Err(err)) => {
                    tracing::warn!(order = %id, error = %err, "an order could not be synced; next run retries");
                    report.failed += 1;
                }
                Err(fault) => {
                    match bot {
                        Some(bot) => self.isolate(bot, "order sync", &fault).await,
                        None => tracing::error!(order = %id, error = %fault.0, "syncing an order failed"),
                    }
                    report.isolated += 1;
                }
            }
        }
        if let (Some(bot), Some(_claim)) = (bot, claim) {
            self.release(bot).await;
        }
    }

    /// Reads `order` back from the exchange, applies it, then applies the order to its bot.
    pub(super) async fn sync_one(
        &self,
        mut order: Order,
        gateway: &dyn ExchangeGateway,
        creds: &ApiCredentials,
    ) -> Result<Outcome, AppError> {
        // An adopted order may carry a client order id the exchange never heard of (`ad-…`,
        // given at adoption): it is looked up by the exchange's id, which it always has.
        let lookup = match (&order.exchange_order_id, order.adopted) {
            (Some(id), true) => OrderRef::Exchange(id.clone()),
            _ => OrderRef::Client(order.client_order_id.clone()),
        };
        let mut wait = Duration::from_millis(10);
        let mut outcome = Outcome::Same;
        for attempt in 1..=super::ATTEMPTS {
            let now = self.ports.clock.now();
            let changed = match gateway.order(creds, &order.symbol, &lookup).await {
                Ok(report) => {
                    let found_again = order.note_found();
                    order.apply(&report, now).map_err(AppError::internal)?.changed || found_again
                }
                Err(ExchangeError::OrderNotFound)
                    if order.status == OrderStatus::Pending && now - order.created_at > self.ports.pending_grace =>
                {
                    outcome = Outcome::NeverSent;
                    order.mark_rejected("never reached the exchange", now).map_err(AppError::internal)?.changed
                }
                Err(ExchangeError::OrderNotFound) if acknowledged(&order) && order.missing_since.is_none() => {
                    // The first "not found" of a streak is only noted: it may be transient.
                    outcome = Outcome::Missing;
                    order.note_missing(now)
                }
                Err(ExchangeError::OrderNotFound) if self.forgotten(&order, now) => {
                    outcome = Outcome::Forgotten;
                    let hours = (now - order.created_at).whole_hours();
                    tracing::warn!(
                        order = %order.id, client_order_id = %order.client_order_id,
                        exchange_order_id = order.exchange_order_id.as_deref().unwrap_or_default(),
                        bot = ?order.bot_id, filled_quantity = %order.filled_quantity, age_hours = hours,
                        "the exchange no longer knows an acknowledged order; ending it as canceled (forgotten)"
                    );
                    let reason = format!(
                        "the exchange no longer knows this order ({hours} h after it was placed): ended as canceled, \
                         what filled stays filled"
                    );
                    order.mark_forgotten(&reason, now).map_err(AppError::internal)?.changed
                }
                Err(ExchangeError::OrderNotFound) => {
                    if acknowledged(&order) {
                        outcome = Outcome::Missing;
                    }
                    false
                }
                Err(err) => return Err(crate::exchanges::exchange_error(err).into()),
            };
            if !changed {
                break;
            }
            // The bot first: should its write fail, the order stays stored as it was (open), so
            // the next run reads it again and applies it then. Applying is idempotent, so the
            // final apply below or a retry after a conflict on the order counts nothing twice.
            self.apply_to_bot(&order, gateway).await?;
            match self.ports.orders.update(&order).await {
                Ok(saved) => {
                    self.touched(saved.user_id);
                    order = saved;
                    if outcome == Outcome::Same {
                        outcome = Outcome::Changed;
                    }
                    break;
                }
                Err(RepoError::Conflict) if attempt < super::ATTEMPTS => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    order = self.ports.orders.get_by_client_id(&order.client_order_id).await?;
                }
                Err(err) => return Err(err.into()),
            }
        }
        self.apply_to_bot(&order, gateway).await?;
        Ok(outcome)
    }

    /// Whether `order`, just answered "not found" again, is forgotten by its exchange: it was
    /// acknowledged, is older than the forgotten age, and every read for at least
    /// [`MISSING_CONFIRMATION`] (or the forgotten age, when shorter) answered "not found".
    fn forgotten(&self, order: &Order, now: time::OffsetDateTime) -> bool {
        let confirmation = MISSING_CONFIRMATION.min(self.ports.forgotten_after);
        acknowledged(order)
            && now - order.created_at > self.ports.forgotten_after
            && order.missing_since.is_some_and(|since| now - since >= confirmation)
    }

    /// Brings `order`'s bot up to date with it (nothing when it has no bot or the bot already
    /// applied all of it).
    pub(super) async fn apply_to_bot(&self, order: &Order, gateway: &dyn ExchangeGateway) -> Result<(), AppError> {
        let Some(bot_id) = order.bot_id else { return Ok(()) };
        let bot = match self.ports.bots.find(bot_id).await {
            Ok(bot) => bot,
            Err(RepoError::NotFound) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        let Some(known) = bot.pending.iter().find(|p| p.client_order_id == order.client_order_id) else {
            return Ok(());
        };
        let progress = progress_of(order);
        if known.filled_quantity == progress.filled_quantity && !progress.done {
            return Ok(());
        }
        let market = gateway.market(&order.symbol).await.map_err(crate::exchanges::exchange_error)?;
        let price = match order.average_fill_price {
            Some(p) => p,
            None => gateway.ticker(&order.symbol).await.map_err(crate::exchanges::exchange_error)?.last,
        };
        let now = self.ports.clock.now();
        let id = order.client_order_id.clone();
        let (bot, events) = self
            .modify(bot_id, |b| match b.on_progress(&id, progress, &market.filters, price, now) {
                Ok(events) => Ok(events),
                Err(BotError::UnknownOrder(_)) => Ok(Vec::new()),
                Err(err) => Err(AppError::internal(err)),
            })
            .await?;
        self.record(&bot, events).await;
        self.touched(bot.user_id);
        Ok(())
    }
}

/// What syncing one order did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Nothing new.
    Same,
    /// The order changed.
    Changed,
    /// The exchange never received it; now rejected.
    NeverSent,
    /// The exchange acknowledged it once and no longer knows it; now canceled, flagged.
    Forgotten,
    /// The exchange acknowledged it once and answered "not found" this time; noted, not ended.
    Missing,
}
