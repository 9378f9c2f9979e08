//! Reading and changing a user's subscription: a missing one is created FREE, a period that ended
//! after a cancellation is applied on read, and every change is written under the version check,
//! re-read and retried at once on a conflict (at most 3 attempts: a conflict means another writer
//! just finished, so the fresh read sees its result), then enforced on a downgrade.

use domain::shared::ids::UserId;
use domain::subscriptions::{PaymentProvider, Subscription, Transition};
use domain::RepoError;

use super::{SubscriptionError, SubscriptionService};

const ATTEMPTS: u32 = 3;

impl SubscriptionService {
    /// The user's subscription now (expired cancellations applied and saved).
    pub(crate) async fn current(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        self.change(user, |s, now| Ok::<_, SubscriptionError>(s.expire(now))).await.map(|(s, _)| s)
    }

    async fn load_or_create(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        match self.ports.subscriptions.get_for_user(user).await {
            Ok(s) => Ok(s),
            Err(RepoError::NotFound) => {
                let free = Subscription::free(user, self.ports.clock.now());
                match self.ports.subscriptions.create(&free).await {
                    Ok(s) => Ok(s),
                    Err(RepoError::Duplicate { .. }) => Ok(self.ports.subscriptions.get_for_user(user).await?),
                    Err(err) => Err(err.into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Applies `transition` to the user's subscription and saves it when it changed.
    pub(crate) async fn change<E>(
        &self,
        user: UserId,
        transition: impl Fn(&mut Subscription, time::OffsetDateTime) -> Result<Transition, E>,
    ) -> Result<(Subscription, Transition), SubscriptionError>
    where
        SubscriptionError: From<E>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut s = self.load_or_create(user).await?;
            let now = self.ports.clock.now();
            let t = transition(&mut s, now)?;
            if !t.changed() {
                return Ok((s, t));
            }
            match self.ports.subscriptions.update(&s).await {
                Ok(saved) => {
                    if t.is_downgrade() {
                        self.enforce(&saved).await;
                    }
                    return Ok((saved, t));
                }
                Err(RepoError::Conflict) if attempt < ATTEMPTS => {}
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// The subscription billed by a provider subscription, if any user has it.
    pub(crate) async fn owner_of(
        &self,
        provider: PaymentProvider,
        id: &str,
    ) -> Result<Option<UserId>, SubscriptionError> {
        match self.ports.subscriptions.find_by_provider_subscription(provider, id).await {
            Ok(s) => Ok(Some(s.user_id)),
            Err(RepoError::NotFound) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn enforce(&self, s: &Subscription) {
        let entitlements = self.ports.table.for_plan(s.effective_plan());
        let reason = format!("plan changed to {}", s.effective_plan());
        for enforcer in &self.ports.enforcers {
            if let Err(err) = enforcer.enforce(s.user_id, &entitlements, &reason).await {
                tracing::error!(error = ?err, user = %s.user_id, "enforcing the new plan's limits failed");
            }
        }
    }
}
