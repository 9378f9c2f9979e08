//! The [`AccountTeardown`] over the bot, context and subscription use cases.

use std::sync::Arc;

use async_trait::async_trait;
use domain::contexts::{ContextRepository, ContextStatus};
use domain::orders::{OrderFilter, OrderRepository, OrderStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::PaymentProvider;
use domain::{Clock, PageRequest};

use super::delete_account::{AccountTeardown, DELETION_REASON};
use super::DeleteAccountError;
use crate::bots::{BotService, BotsStopped};
use crate::orders::OrderExecutor;
use crate::subscriptions::SubscriptionService;

/// Ends an account's bots, contexts and paid plan through their use cases.
#[derive(Clone)]
pub struct ServiceTeardown {
    /// Bots (stopped through the engine, which cancels their orders).
    pub bots: Arc<BotService>,
    /// Contexts.
    pub contexts: Arc<dyn ContextRepository>,
    /// Orders (the open manual ones are cancelled too).
    pub orders: Arc<dyn OrderRepository>,
    /// Cancels manual orders on their exchange (the engine).
    pub order_executor: Arc<dyn OrderExecutor>,
    /// Subscriptions (cancelled at the provider).
    pub subscriptions: Arc<SubscriptionService>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Outbound webhooks (erased).
    pub webhooks: Arc<crate::webhooks::WebhookService>,
    /// The assistant's conversations (erased).
    pub conversations: Arc<dyn domain::assistant::ConversationRepository>,
    /// The users' data versions (the user's erased last).
    pub data_versions: Arc<dyn domain::shared::data_version::DataVersionRepository>,
}

impl std::fmt::Debug for ServiceTeardown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceTeardown").finish_non_exhaustive()
    }
}

impl ServiceTeardown {
    /// Cancels the user's acknowledged open manual orders (bots' orders went with their bots);
    /// returns how many the exchange confirmed cancelled.
    async fn cancel_manual_orders(&self, user: UserId) -> Result<u32, DeleteAccountError> {
        let filter = OrderFilter {
            status: [OrderStatus::New, OrderStatus::PartiallyFilled].into_iter().collect(),
            ..OrderFilter::default()
        };
        let mut open = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.orders.list(user, &filter, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await?;
            let count = page.items.len() as u64;
            open.extend(page.items.into_iter().filter(|o| o.bot_id.is_none()));
            offset += count;
            if count < PageRequest::MAX_LIMIT {
                break;
            }
        }
        let mut canceled = 0;
        for order in open {
            let order = self.order_executor.cancel(order).await.map_err(DeleteAccountError::Orders)?;
            if order.status == OrderStatus::Canceled {
                canceled += 1;
            }
        }
        Ok(canceled)
    }
}

#[async_trait]
impl AccountTeardown for ServiceTeardown {
    async fn stop_trading(&self, user: UserId) -> Result<BotsStopped, DeleteAccountError> {
        let mut stopped = self.bots.stop_all(user, DELETION_REASON).await?;
        stopped.orders_canceled += self.cancel_manual_orders(user).await?;
        Ok(stopped)
    }

    async fn pause_contexts(&self, user: UserId) -> Result<u32, DeleteAccountError> {
        let mut paused = 0;
        let mut offset = 0;
        loop {
            let page = self.contexts.list(user, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await?;
            let count = page.items.len() as u64;
            for mut context in page.items.into_iter().filter(|c| c.status == ContextStatus::Active) {
                if context.pause("paused: the account was deleted", self.clock.now()) {
                    self.contexts.update(&context).await?;
                    paused += 1;
                }
            }
            offset += count;
            if count < PageRequest::MAX_LIMIT {
                return Ok(paused);
            }
        }
    }

    async fn end_subscription(&self, user: UserId) -> Result<Option<PaymentProvider>, DeleteAccountError> {
        Ok(self.subscriptions.cancel_now(user).await?)
    }

    async fn erase_webhooks(&self, user: UserId) -> Result<(), DeleteAccountError> {
        self.webhooks.erase(user).await.map(drop).map_err(|err| match err {
            crate::webhooks::WebhookError::Unexpected(err) => err.into(),
            other => DeleteAccountError::Unexpected(crate::Unexpected::Internal(other.into())),
        })
    }

    async fn erase_conversations(&self, user: UserId) -> Result<(), DeleteAccountError> {
        self.conversations.delete_of(user).await.map(drop).map_err(Into::into)
    }

    async fn erase_data_version(&self, user: UserId) -> Result<(), DeleteAccountError> {
        self.data_versions.erase(user).await.map_err(Into::into)
    }
}
