//! Refunds made at the provider by an operator: the port's request and answer. The refund's
//! consequence on the plan comes from the provider's notification (Mercado Pago `payment`
//! refunded, Stripe `charge.refunded`), the same path as a refund made in the provider's own
//! dashboard, so both paths meet in one idempotent place.

use rust_decimal::Decimal;

/// A refund, in full or in part, of one paid charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// The provider's payment: a Mercado Pago payment id, or a Stripe invoice id (`in_…`) whose
    /// payment is refunded.
    pub payment_id: String,
    /// The part to refund, in `currency` (`None`: everything left).
    pub amount: Option<Decimal>,
    /// ISO 4217 of the charge, upper case (Stripe's minor units depend on it).
    pub currency: String,
    /// Sent as the provider's idempotency key; the same charge always sends the same key, so two
    /// clicks (or two operators) make one refund.
    pub idempotency_key: String,
}

/// A refund as the provider created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRefund {
    /// The provider's refund id (Mercado Pago refund id, Stripe `re_…`).
    pub id: String,
    /// Amount refunded, in the charge's currency, when the provider says.
    pub amount: Option<Decimal>,
    /// The provider's status of the refund (`approved`, `succeeded`, `pending`, …).
    pub status: String,
}

/// A card payment refunded or disputed at the provider (Stripe `charge.refunded`,
/// `charge.dispute.created`): who paid and how much went back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRefund {
    /// The payment intent (`pi_…`), by which the invoice is found.
    pub payment_intent: Option<String>,
    /// The charge (`ch_…`).
    pub charge_id: Option<String>,
    /// The invoice (`in_…`), where the payload names it (API versions before basil).
    pub invoice_id: Option<String>,
    /// The customer (`cus_…`): must be the user's.
    pub customer_id: Option<String>,
    /// Refunded (or disputed) so far, in `currency`.
    pub refunded: Decimal,
    /// The payment's amount, in `currency`.
    pub amount: Decimal,
    /// ISO 4217, upper case.
    pub currency: String,
    /// A dispute (chargeback) rather than a refund.
    pub dispute: bool,
}

impl CardRefund {
    /// Whether everything paid went back.
    pub fn is_full(&self) -> bool {
        self.refunded >= self.amount
    }
}

impl super::Charge {
    /// The refund entry of this charge for `refunded` so far (at most its amount), negated.
    pub fn refund_entry_for(&self, refunded: Decimal, at: time::OffsetDateTime) -> Self {
        let mut entry = self.refund_entry(at);
        entry.amount = -refunded.min(self.amount);
        entry
    }
}

impl super::Subscription {
    /// A card payment of the current provider subscription was refunded in full or charged
    /// back: when it paid for the period running now (its end is ahead), the plan ends at once
    /// (FREE; the caller cancels the provider subscription and enforces the limits). Anything else
    /// changes nothing here (it is only recorded).
    pub fn card_period_refunded(&mut self, charge: &super::Charge, now: time::OffsetDateTime) -> super::Transition {
        let current = self.provider_subscription_id.is_some()
            && self.provider == charge.provider
            && self.plan == charge.plan
            && charge.period_end.is_some_and(|end| end > now);
        if !current {
            return super::Transition::Unchanged;
        }
        let before = self.snapshot();
        self.downgrade("the payment for the current period was refunded");
        self.finish(before, now)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    use crate::shared::ids::UserId;
    use crate::subscriptions::{Activation, Charge, PaidInvoice, PaymentProvider, Plan, Subscription, Transition};

    const T0: OffsetDateTime = datetime!(2026-05-01 00:00 UTC);

    fn card(s: &mut Subscription) {
        let a = Activation {
            provider: PaymentProvider::Stripe,
            subscription_id: "sub_1".into(),
            customer_id: Some("cus_1".into()),
            plan: Plan::Pro,
            period_end: Some(T0 + Duration::days(30)),
            observed_at: T0,
        };
        s.activate(&a, T0).unwrap();
    }

    fn invoice(end: OffsetDateTime) -> Charge {
        let paid = PaidInvoice {
            id: "in_1".into(),
            amount: Decimal::new(1990, 2),
            currency: "BRL".into(),
            url: None,
            period_start: None,
            period_end: Some(end),
        };
        Charge::card_paid(UserId::new(), PaymentProvider::Stripe, Plan::Pro, &paid, T0)
    }

    #[test]
    fn a_refund_of_the_running_card_period_ends_the_plan_and_an_older_one_does_not() {
        let mut s = Subscription::free(UserId::new(), T0);
        card(&mut s);
        let old = invoice(T0 - Duration::days(1));
        assert_eq!(s.card_period_refunded(&old, T0 + Duration::days(2)), Transition::Unchanged);
        let running = invoice(T0 + Duration::days(30));
        let t = s.card_period_refunded(&running, T0 + Duration::days(2));
        assert_eq!(t, Transition::Changed { from: Plan::Pro, to: Plan::Free });
        assert_eq!((s.provider_subscription_id.as_deref(), s.provider_customer_id.as_deref()), (None, Some("cus_1")));
        assert_eq!(s.card_period_refunded(&running, T0 + Duration::days(2)), Transition::Unchanged);
        let partial = running.refund_entry_for(Decimal::new(500, 2), T0);
        assert_eq!((partial.amount, partial.dedup_key.as_str()), (Decimal::new(-500, 2), "refund:stripe:in_1"));
        assert_eq!(running.refund_entry_for(Decimal::new(9900, 2), T0).amount, Decimal::new(-1990, 2));
    }
}
