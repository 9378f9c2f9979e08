//! One payment started at a time per user. Starting a PIX or boleto period, or the PIX of an
//! upgrade's difference, first looks for a pending charge to hand out again, then records a new
//! one and calls Mercado Pago. Two requests at once (a double click, two tabs, two instances)
//! would both find none and each create a payment the user could pay: for an upgrade's
//! difference, paying both would pay it twice. So these run under the user's `checkout:<user>`
//! lease, held by the request (not the instance, so two requests on one instance exclude each
//! other too): the second waits for the first and then hands out the charge it made.

use std::future::Future;
use std::time::Duration;

use domain::shared::ids::UserId;
use domain::RepoError;

use super::{SubscriptionError, SubscriptionService};

/// How long the lease lasts should its holder die mid-request (a provider call is bounded well
/// below it).
const CHECKOUT_LEASE: Duration = Duration::from_secs(60);
/// How long a request waits for the one before it; past it, 409 `version_conflict` (retry).
const CHECKOUT_WAIT: Duration = Duration::from_secs(15);
/// How often a waiting request tries again.
const RETRY_EVERY: Duration = Duration::from_millis(25);

impl SubscriptionService {
    /// Runs `work` holding `user`'s checkout lease, waiting up to [`CHECKOUT_WAIT`] for it.
    pub(super) async fn one_checkout_at_a_time<T>(
        &self,
        user: UserId,
        work: impl Future<Output = Result<T, SubscriptionError>>,
    ) -> Result<T, SubscriptionError> {
        let name = format!("checkout:{user}");
        let holder = format!("request:{}", ulid::Ulid::new());
        let leases = &self.ports.leases;
        let deadline = tokio::time::Instant::now() + CHECKOUT_WAIT;
        while !leases.try_acquire(&name, &holder, CHECKOUT_LEASE, self.ports.clock.now()).await? {
            if tokio::time::Instant::now() >= deadline {
                return Err(RepoError::Conflict.into());
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
        let result = work.await;
        if let Err(err) = leases.release(&name, &holder).await {
            tracing::warn!(user = %user, error = %err, "could not release a checkout lease; it expires by itself");
        }
        result
    }
}
