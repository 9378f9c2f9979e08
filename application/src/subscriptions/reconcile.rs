//! The reconciliation job: re-reads every paid subscription from its provider and applies what it
//! says, so a missed webhook is repaired; also ends subscriptions cancelled at a period end that
//! has passed.

use domain::PageRequest;

use super::webhook::WebhookOutcome;
use super::SubscriptionService;
use crate::AppError;

/// What one reconciliation run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Subscriptions looked at.
    pub checked: u64,
    /// Subscriptions changed.
    pub changed: u64,
    /// Subscriptions whose provider could not be read (left for the next run).
    pub failed: u64,
}

impl SubscriptionService {
    /// One run over every paid subscription.
    pub async fn reconcile(&self) -> Result<ReconcileReport, AppError> {
        let mut report = ReconcileReport::default();
        let mut offset = 0;
        loop {
            let page = self.ports.subscriptions.list_paid(PageRequest::new(offset, 100)).await?;
            let count = page.items.len() as u64;
            for s in page.items {
                report.checked += 1;
                match self.reconcile_one(&s).await {
                    Ok(true) => report.changed += 1,
                    Ok(false) => {}
                    Err(err) => {
                        report.failed += 1;
                        tracing::warn!(error = ?err, user = %s.user_id, "reconciling a subscription failed");
                    }
                }
            }
            offset += count;
            if count == 0 || offset >= page.total {
                return Ok(report);
            }
        }
    }

    async fn reconcile_one(&self, s: &domain::subscriptions::Subscription) -> Result<bool, super::SubscriptionError> {
        let before = s.clone();
        let after = self.current(s.user_id).await?;
        if after.plan != before.plan || after.status != before.status {
            return Ok(true);
        }
        let (Some(provider), Some(id)) = (after.provider, after.provider_subscription_id.clone()) else {
            return Ok(false);
        };
        let Ok(gateway) = self.ports.gateways.get(provider) else {
            return Ok(false);
        };
        let reported = gateway.subscription(&id).await?;
        let now = self.ports.clock.now();
        let (outcome, _, _) = self.sync(&reported, now).await?;
        Ok(outcome == WebhookOutcome::Applied)
    }
}
