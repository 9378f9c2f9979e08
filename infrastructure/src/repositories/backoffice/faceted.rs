//! The repositories whose writes move a user facet (users, subscriptions, bots, contexts), each
//! wrapped so that every stored write, whatever made it (a use case, a payment webhook, the
//! engine, an operator), updates the owner's facets right after: the subscription's plan and
//! status on activate, renew, cancel, lapse, downgrade, comp or refund; the running flag when a
//! bot starts, stops or is deleted; the live and paper flags when a context is created or
//! deleted; the e-mail and status of the user.
//!
//! A facet write that fails is logged and the write still succeeds (it is stored already); the
//! next write of that user, or [`StoreUserFacets::set`]'s rebuild, puts it right.

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRepository, BotStatus};
use domain::contexts::{ContextRepository, TradingContext};
use domain::exchange::ExchangeId;
use domain::identity::{Email, User, UserFilter, UserRepository};
use domain::market::Symbol;
use domain::shared::ids::{BotId, ContextId, UserId};
use domain::subscriptions::{Plan, Subscription, SubscriptionRepository};
use domain::{Page, PageRequest, RepoError};

use super::StoreUserFacets;

/// Wraps a repository of `T` so its writes move the owners' facets.
pub struct Faceted<T: ?Sized> {
    inner: Arc<T>,
    facets: StoreUserFacets,
}

impl<T: ?Sized> std::fmt::Debug for Faceted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faceted").finish_non_exhaustive()
    }
}

impl<T: ?Sized> Faceted<T> {
    /// `inner`, moving `facets` after each write.
    pub fn new(inner: Arc<T>, facets: StoreUserFacets) -> Self {
        Self { inner, facets }
    }
}

/// Logs a failed facet write (the write it follows is stored).
fn logged(user: UserId, result: Result<(), RepoError>) {
    if let Err(err) = result {
        tracing::warn!(user = %user, error = %err, "could not update a user's backoffice facets");
    }
}

#[async_trait]
impl UserRepository for Faceted<dyn UserRepository> {
    async fn create(&self, user: &User) -> Result<User, RepoError> {
        let created = self.inner.create(user).await?;
        logged(user.id, self.facets.user_created(&created).await);
        Ok(created)
    }
    async fn get(&self, id: UserId) -> Result<User, RepoError> {
        self.inner.get(id).await
    }
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        self.inner.find_by_email(email).await
    }
    async fn update(&self, user: &User) -> Result<User, RepoError> {
        let updated = self.inner.update(user).await?;
        logged(user.id, self.facets.user_written(&updated).await);
        Ok(updated)
    }
    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, RepoError> {
        self.inner.list(filter, page).await
    }
}

#[async_trait]
impl SubscriptionRepository for Faceted<dyn SubscriptionRepository> {
    async fn create(&self, subscription: &Subscription) -> Result<Subscription, RepoError> {
        let created = self.inner.create(subscription).await?;
        logged(created.user_id, self.facets.subscription_written(&created).await);
        Ok(created)
    }
    async fn get_for_user(&self, user: UserId) -> Result<Subscription, RepoError> {
        self.inner.get_for_user(user).await
    }
    async fn find_by_provider_subscription(
        &self,
        provider: domain::subscriptions::PaymentProvider,
        provider_subscription_id: &str,
    ) -> Result<Subscription, RepoError> {
        self.inner.find_by_provider_subscription(provider, provider_subscription_id).await
    }
    async fn list_paid(&self, page: PageRequest) -> Result<Page<Subscription>, RepoError> {
        self.inner.list_paid(page).await
    }
    async fn update(&self, subscription: &Subscription) -> Result<Subscription, RepoError> {
        let updated = self.inner.update(subscription).await?;
        logged(updated.user_id, self.facets.subscription_written(&updated).await);
        Ok(updated)
    }
    async fn list(&self, plan: Option<Plan>, page: PageRequest) -> Result<Page<Subscription>, RepoError> {
        self.inner.list(plan, page).await
    }
}

#[async_trait]
impl BotRepository for Faceted<dyn BotRepository> {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let created = self.inner.create(bot).await?;
        let running = created.status == BotStatus::Running;
        logged(created.user_id, self.facets.bot_written(created.user_id, Some(running)).await);
        Ok(created)
    }
    async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, RepoError> {
        self.inner.get(owner, id).await
    }
    async fn find(&self, id: BotId) -> Result<Bot, RepoError> {
        self.inner.find(id).await
    }
    async fn list(&self, owner: UserId, filter: &BotFilter, page: PageRequest) -> Result<Page<Bot>, RepoError> {
        self.inner.list(owner, filter, page).await
    }
    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.inner.count(owner).await
    }
    async fn evaluated(&self, kinds: &[BotKind], market: Option<(ExchangeId, Symbol)>) -> Result<Vec<Bot>, RepoError> {
        self.inner.evaluated(kinds, market).await
    }
    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let updated = self.inner.update(bot).await?;
        let running = updated.status == BotStatus::Running;
        logged(updated.user_id, self.facets.bot_written(updated.user_id, Some(running)).await);
        Ok(updated)
    }
    async fn update_mark(&self, bot: &Bot) -> Result<Bot, RepoError> {
        // A mark-only write never changes the status.
        self.inner.update_mark(bot).await
    }
    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        self.inner.delete(owner, id).await?;
        logged(owner, self.facets.bot_written(owner, None).await);
        Ok(())
    }
}

#[async_trait]
impl ContextRepository for Faceted<dyn ContextRepository> {
    async fn create(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        let created = self.inner.create(context).await?;
        logged(created.user_id, self.facets.contexts_written(created.user_id).await);
        Ok(created)
    }
    async fn get(&self, owner: UserId, id: ContextId) -> Result<TradingContext, RepoError> {
        self.inner.get(owner, id).await
    }
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<TradingContext>, RepoError> {
        self.inner.list(owner, page).await
    }
    async fn active(&self) -> Result<Vec<TradingContext>, RepoError> {
        self.inner.active().await
    }
    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.inner.count(owner).await
    }
    async fn update(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        // The mode of a context never changes: its live and paper flags stay.
        self.inner.update(context).await
    }
    async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), RepoError> {
        self.inner.delete(owner, id).await?;
        logged(owner, self.facets.contexts_written(owner).await);
        Ok(())
    }
}
