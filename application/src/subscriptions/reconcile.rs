//! The reconciliation job: re-reads every paid subscription from its provider and applies what it
//! says, so a missed webhook is repaired; ends subscriptions cancelled at a period end that has
//! passed and prepaid periods that lapsed (limits enforced), reminds the owners of prepaid periods
//! ending soon, and settles pending PIX and boleto charges found at the provider.

use domain::PageRequest;

use super::webhook::WebhookOutcome;
use super::SubscriptionService;
use crate::Unexpected;

/// What one reconciliation run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Subscriptions looked at.
    pub checked: u64,
    /// Subscriptions changed.
    pub changed: u64,
    /// Subscriptions whose provider could not be read (left for the next run).
    pub failed: u64,
    /// The pending one-off charges.
    pub charges: super::ChargeReport,
}

impl SubscriptionService {
    /// One run over every paid subscription. A subscription that cannot be reconciled is counted
    /// and left for the next run; the run fails ([`Unexpected`]) only when the paid subscriptions
    /// cannot be listed.
    pub async fn reconcile(&self) -> Result<ReconcileReport, Unexpected> {
        let mut report = ReconcileReport::default();
        // Charges first: a payment found now extends a period before the pass below ends it.
        match self.reconcile_charges().await {
            Ok(charges) => report.charges = charges,
            Err(err) => tracing::warn!(error = ?err, "reconciling pending charges failed"),
        }
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
        if after.is_prepaid() {
            let window = super::settle::REMINDER_WINDOW;
            let (_, reminded) = self
                .change(s.user_id, |s, now| Ok::<_, super::SubscriptionError>(s.remind_period_end(window, now)))
                .await?;
            return Ok(reminded.changed());
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
