//! `payment.refunded`: the user is told when money they paid goes back, whoever started it (an
//! operator, the provider's dashboard, a chargeback, botfleet ending a second subscription). A
//! refund is no subscription's write, so the notice is queued beside it (best effort, see
//! `crate::notify`), under an id derived from the payment and the amount refunded so far: the
//! operator's refund, the provider's notice of it and any redelivery queue the same event, which
//! the log keeps once, and a refund that grows (a second partial refund) is a new notice.

use domain::shared::ids::UserId;
use domain::subscriptions::{refund_notice, Activation, Charge, ProviderRefund};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::duplicates::PaidBy;
use super::SubscriptionService;
use crate::notify::keyed_event;

/// `amount` with two decimals, as the invoices show it (`5.00`), whatever scale it came with.
fn centavos(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}

impl SubscriptionService {
    /// Tells the owner of `charge` that `refunded` of it (at most its amount) went back so far.
    pub(super) async fn tell_refunded(&self, charge: &Charge, refunded: Decimal) {
        let refunded = refunded.min(charge.amount);
        let subject = format!("payment.refunded {} {}", charge.id, refunded.normalize());
        let payload = refund_notice(charge.provider, charge.plan, Some(centavos(refunded)), &charge.currency, None);
        let event = keyed_event(charge.user_id, &subject, charge.created_at, payload, self.ports.clock.now());
        self.events.enqueue(&[event]).await;
    }

    /// Tells `user` that the first payment of their second subscription `a` went back
    /// (`refund`, as the provider made it), and why. That payment was never listed (the
    /// subscription was refused), so its id keys the notice; no time belongs to it for certain,
    /// so the id's time is the epoch.
    pub(super) async fn tell_second_refunded(
        &self,
        user: UserId,
        a: &Activation,
        paid: &PaidBy<'_>,
        refund: &ProviderRefund,
    ) {
        let reason = "a second subscription, paid from another checkout, was cancelled at once";
        let payload = refund_notice(Some(a.provider), a.plan, refund.amount.map(centavos), paid.currency, Some(reason));
        let subject = format!("payment.refunded second {}", paid.payment_id);
        let event = keyed_event(user, &subject, OffsetDateTime::UNIX_EPOCH, payload, self.ports.clock.now());
        self.events.enqueue(&[event]).await;
    }
}
