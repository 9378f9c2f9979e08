//! Recovery at start-up, after a crash (even `kill -9` mid-cycle): (1) every open order is looked
//! up by client order id and applied (an order never sent is rejected and its funds released);
//! (2) each evaluated bot's pending orders are reconciled with their stored orders, so a fill
//! stored on the order but not yet on the bot reaches the bot, and a pending entry with no
//! stored order (never sent) is released; (3) open orders found on the exchange in a bot's market
//! that we never stored are adopted (flagged `adopted`, manual) so nothing runs unseen.

use std::collections::BTreeSet;

use domain::bots::{BotKind, OrderProgress};
use domain::orders::Order;
use domain::RepoError;
use serde::Serialize;

use super::Engine;
use crate::AppError;

/// What a recovery did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecoveryReport {
    /// The sync of open orders.
    pub sync: super::SyncReport,
    /// Bots whose pending orders were reconciled.
    pub bots_checked: u64,
    /// Pending entries released because their order was never stored.
    pub released: u64,
    /// Orders adopted from the exchanges.
    pub adopted: u64,
}

impl Engine {
    /// Runs the recovery; each step logs and continues past what it cannot reach.
    pub async fn recover(&self) -> Result<RecoveryReport, AppError> {
        let mut report = RecoveryReport { sync: self.sync_orders().await?, ..RecoveryReport::default() };
        let bots = self.ports.bots.evaluated(&BotKind::ALL, None).await?;
        let mut contexts = BTreeSet::new();
        for bot in &bots {
            contexts.insert((bot.user_id, bot.context_id));
            if bot.pending.is_empty() {
                continue;
            }
            report.bots_checked += 1;
            let context = match self.ports.contexts.get(bot.user_id, bot.context_id).await {
                Ok(c) => c,
                Err(err) => {
                    tracing::warn!(bot = %bot.id, error = %err, "cannot recover a bot whose context is gone");
                    continue;
                }
            };
            let (gateway, _) = match self.connection(&context).await {
                Ok(c) => c,
                Err(err) => {
                    tracing::warn!(bot = %bot.id, error = %err, "cannot reach the exchange of a bot");
                    continue;
                }
            };
            for pending in &bot.pending {
                match self.ports.orders.get_by_client_id(&pending.client_order_id).await {
                    Ok(order) => self.apply_to_bot(&order, &*gateway).await?,
                    Err(RepoError::NotFound) => {
                        let market = gateway.market(&bot.symbol).await.map_err(crate::exchanges::exchange_error)?;
                        let now = self.ports.clock.now();
                        let id = pending.client_order_id.clone();
                        let price = bot.last_price.unwrap_or_default();
                        self.modify(bot.id, |b| {
                            let _ = b.on_progress(&id, OrderProgress::ended(), &market.filters, price, now);
                            Ok(())
                        })
                        .await?;
                        report.released += 1;
                    }
                    Err(err) => return Err(err.into()),
                }
            }
        }
        for (user, context_id) in contexts {
            match self.adopt_unknown(user, context_id).await {
                Ok(n) => report.adopted += n,
                Err(err) => tracing::warn!(context = %context_id, error = %err, "could not look for unknown orders"),
            }
        }
        Ok(report)
    }

    async fn adopt_unknown(
        &self,
        user: domain::shared::ids::UserId,
        context_id: domain::shared::ids::ContextId,
    ) -> Result<u64, AppError> {
        let context = self.ports.contexts.get(user, context_id).await?;
        let (gateway, creds) = self.connection(&context).await?;
        let open =
            gateway.open_orders(&creds, Some(context.symbol())).await.map_err(crate::exchanges::exchange_error)?;
        let mut adopted = 0;
        for mut report in open {
            if report.client_order_id.is_none() {
                // A stable id, so the next recovery recognises the order it adopted.
                let id: String = format!("ad-{}", report.exchange_order_id).chars().take(36).collect();
                report.client_order_id = domain::exchange::ClientOrderId::parse(&id);
            }
            let known = match &report.client_order_id {
                Some(id) => match self.ports.orders.get_by_client_id(id).await {
                    Ok(_) => true,
                    Err(RepoError::NotFound) => false,
                    Err(err) => return Err(err.into()),
                },
                None => false,
            };
            if known {
                continue;
            }
            let order = Order::adopt(&report, user, context.id, context.exchange, self.ports.clock.now());
            match self.ports.orders.create(&order).await {
                Ok(_) => {
                    tracing::warn!(context = %context.id, exchange_order = %report.exchange_order_id, "adopted an order placed outside botfleet");
                    adopted += 1;
                }
                Err(RepoError::Duplicate { .. }) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(adopted)
    }
}
