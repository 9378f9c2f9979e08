//! What a subscription tells its owner: `subscription.activated`, `.renewed`, `.past_due` and
//! `.canceled` from what a transition changed (so information that changes nothing raises
//! nothing), and `payment.succeeded` / `payment.failed` for each payment the provider reports
//! that is not older than what was applied. Raised into the subscription's outbox, stored in
//! the same write as the change; a redelivered webhook never gets here twice (the webhook use
//! case claims each provider event id once). `payment.refunded` is built here
//! ([`refund_notice`]) and queued by the refund use cases (a refund is no subscription's write).

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{PaymentProvider, Plan, Subscription, SubscriptionStatus};
use crate::notifications::{Event, EventPayload, PaymentData, SubscriptionData};

/// The wire name of a plan in events.
fn plan_name(plan: Plan) -> String {
    plan.as_str().to_lowercase()
}

fn provider_name(provider: PaymentProvider) -> &'static str {
    match provider {
        PaymentProvider::Stripe => "stripe",
        PaymentProvider::Mercadopago => "mercado_pago",
    }
}

fn status_name(status: SubscriptionStatus) -> &'static str {
    use SubscriptionStatus::*;
    match status {
        Active => "active",
        Trialing => "trialing",
        PastDue => "past_due",
        Unpaid => "unpaid",
        Canceled => "canceled",
        Incomplete => "incomplete",
        Paused => "paused",
    }
}

impl Subscription {
    /// What events say of the subscription now.
    pub fn event_data(&self) -> SubscriptionData {
        SubscriptionData {
            plan: plan_name(self.plan),
            status: status_name(self.status).to_owned(),
            provider: self.provider.map(|p| provider_name(p).to_owned()),
            period_end: self.current_period_end,
        }
    }

    fn raise(&mut self, payload: EventPayload, at: OffsetDateTime) {
        self.outbox.raise(Event::new(self.user_id, payload, at));
    }

    /// Raises the events of the change from `old` to what it is now.
    pub(super) fn raise_changes(&mut self, old: &Subscription, at: OffsetDateTime) {
        let paid = self.plan != Plan::Free;
        let same = paid && self.provider_subscription_id == old.provider_subscription_id;
        let troubled = |s: SubscriptionStatus| matches!(s, SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid);
        let data = self.event_data();
        if paid && self.is_active() && (!same || self.plan != old.plan) {
            self.raise(EventPayload::SubscriptionActivated(data.clone()), at);
        } else if same && self.is_active() {
            let extended = matches!((old.current_period_end, self.current_period_end), (Some(a), Some(b)) if b > a);
            if extended || troubled(old.status) {
                self.raise(EventPayload::SubscriptionRenewed(data.clone()), at);
            }
        }
        if same && troubled(self.status) && self.status != old.status {
            self.raise(EventPayload::SubscriptionPastDue(data.clone()), at);
        }
        // A prepaid period always ends at its end: that is said when it ends, not when it starts.
        let cancel_scheduled = same && self.cancel_at_period_end && !old.cancel_at_period_end && !self.is_prepaid();
        let ended = old.plan != Plan::Free && !paid && (!old.cancel_at_period_end || old.is_prepaid());
        if cancel_scheduled || ended {
            let mut data = data;
            if ended {
                // Say which plan ended, not the FREE it fell back to.
                data.plan = plan_name(old.plan);
                data.provider = old.provider.map(|p| provider_name(p).to_owned());
            }
            self.raise(EventPayload::SubscriptionCanceled(data), at);
        }
    }

    /// Raises `payment.succeeded` (or `payment.failed`, with the provider's `reason`) for a payment
    /// of the current subscription; `amount` and `currency` when the provider said.
    pub fn raise_payment(
        &mut self,
        succeeded: bool,
        amount: Option<(Decimal, &str)>,
        reason: Option<&str>,
        at: OffsetDateTime,
    ) {
        let data = PaymentData {
            provider: self.provider.map_or("unknown", provider_name).to_owned(),
            plan: plan_name(self.plan),
            amount: amount.map(|(a, _)| a),
            currency: amount.map(|(_, c)| c.to_owned()),
            reason: reason.map(str::to_owned),
        };
        let payload = if succeeded { EventPayload::PaymentSucceeded(data) } else { EventPayload::PaymentFailed(data) };
        self.raise(payload, at);
    }
}

/// `payment.refunded` for a payment of `plan` collected by `provider`: `refunded` of it went back
/// so far (in `currency`), and `reason` says why when botfleet refunded it.
pub fn refund_notice(
    provider: Option<PaymentProvider>,
    plan: Plan,
    refunded: Option<Decimal>,
    currency: &str,
    reason: Option<&str>,
) -> EventPayload {
    EventPayload::PaymentRefunded(PaymentData {
        provider: provider.map_or("unknown", provider_name).to_owned(),
        plan: plan_name(plan),
        amount: refunded,
        currency: Some(currency.to_owned()),
        reason: reason.map(str::to_owned),
    })
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
