//! The events a subscription raises: one per real change, payments as the provider reports them.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::notifications::EventPayload;
use crate::shared::ids::UserId;
use crate::subscriptions::{
    Activation, PaymentProvider, Plan, ProviderSubscription, Subscription, SubscriptionStatus, Transition,
    TransitionError,
};

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

fn at(minutes: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes)
}

fn activation(id: &str, plan: Plan, observed: i64) -> Activation {
    Activation {
        provider: PaymentProvider::Stripe,
        subscription_id: id.into(),
        customer_id: Some("cus_1".into()),
        plan,
        period_end: Some(at(60 * 24 * 30)),
        observed_at: at(observed),
    }
}

fn reported(status: SubscriptionStatus, cancel_at_period_end: bool) -> ProviderSubscription {
    ProviderSubscription {
        provider: PaymentProvider::Stripe,
        id: "sub_1".into(),
        customer_id: Some("cus_1".into()),
        user_id: None,
        plan: Some(Plan::Pro),
        status,
        current_period_end: Some(at(60 * 24 * 30)),
        cancel_at_period_end,
        observed_at: None,
    }
}

fn types(s: &Subscription) -> Vec<&'static str> {
    s.outbox.events().iter().map(|e| e.event_type().as_str()).collect()
}

fn paid() -> Subscription {
    let mut s = Subscription::free(UserId::new(), T0);
    s.activate(&activation("sub_1", Plan::Pro, 1), at(1)).unwrap();
    s
}

#[test]
fn an_activation_raises_activated_once_with_plan_provider_and_period() {
    let mut s = paid();
    assert_eq!(s.activate(&activation("sub_1", Plan::Pro, 1), at(2)).unwrap(), Transition::Unchanged);

    assert_eq!(types(&s), ["subscription.activated"]);
    let EventPayload::SubscriptionActivated(data) = &s.outbox.events()[0].payload else { unreachable!() };
    assert_eq!((data.plan.as_str(), data.status.as_str(), data.provider.as_deref()), ("pro", "active", Some("stripe")));
    assert_eq!(data.period_end, Some(at(60 * 24 * 30)));
    assert_eq!((s.outbox.events()[0].user_id, s.outbox.events()[0].at), (s.user_id, at(1)));
}

#[test]
fn a_failed_payment_is_past_due_and_the_next_paid_invoice_renews() {
    let mut s = paid();
    s.payment_failed("sub_1", at(10), at(10)).unwrap();
    s.payment_failed("sub_1", at(5), at(11)).unwrap(); // older than what was applied: nothing
    s.invoice_paid("sub_1", Some(at(60 * 24 * 60)), at(20), at(20)).unwrap();
    s.invoice_paid("sub_1", Some(at(60 * 24 * 90)), at(30), at(30)).unwrap();

    assert_eq!(
        types(&s),
        [
            "subscription.activated",
            "payment.failed",
            "subscription.past_due",
            "payment.succeeded",
            "subscription.renewed",
            "payment.succeeded",
            "subscription.renewed"
        ]
    );
    let EventPayload::PaymentFailed(failed) = &s.outbox.events()[1].payload else { unreachable!() };
    assert_eq!((failed.provider.as_str(), failed.plan.as_str()), ("stripe", "pro"));
    assert!(failed.reason.is_some());
    let EventPayload::SubscriptionRenewed(renewed) = &s.outbox.events()[6].payload else { unreachable!() };
    assert_eq!(renewed.period_end, Some(at(60 * 24 * 90)));
}

#[test]
fn a_cancellation_at_the_period_end_raises_canceled_once_not_again_when_it_ends() {
    let mut s = paid();
    s.apply_provider(&reported(SubscriptionStatus::Active, true), at(5), at(5)).unwrap();
    s.apply_provider(&reported(SubscriptionStatus::Active, true), at(6), at(6)).unwrap();
    s.expire(at(60 * 24 * 31));

    assert_eq!(s.plan, Plan::Free);
    assert_eq!(types(&s), ["subscription.activated", "subscription.canceled"]);
}

#[test]
fn a_cancellation_at_the_provider_raises_canceled_naming_the_plan_that_ended() {
    let mut s = paid();
    s.apply_provider(&reported(SubscriptionStatus::Canceled, false), at(5), at(5)).unwrap();

    assert_eq!(types(&s), ["subscription.activated", "subscription.canceled"]);
    let EventPayload::SubscriptionCanceled(data) = &s.outbox.events()[1].payload else { unreachable!() };
    assert_eq!((data.plan.as_str(), data.provider.as_deref()), ("pro", Some("stripe")));
}

#[test]
fn another_subscription_once_the_first_grants_nothing_is_an_activation() {
    let mut s = paid();
    // Retries exhausted: the first one no longer grants its plan, so a new checkout may replace it.
    s.status = SubscriptionStatus::Unpaid;
    s.activate(&activation("sub_2", Plan::Max, 3), at(3)).unwrap();

    assert_eq!(types(&s), ["subscription.activated", "subscription.activated"]);
    let EventPayload::SubscriptionActivated(data) = &s.outbox.events()[1].payload else { unreachable!() };
    assert_eq!(data.plan, "max");
}

#[test]
fn a_payment_with_its_amount_says_it_on_the_wire() {
    let mut s = paid();
    s.raise_payment(true, Some((rust_decimal_macros::dec!(49.90), "BRL")), None, at(2));

    let wire = serde_json::to_value(&s.outbox.events()[1]).unwrap();
    assert_eq!(wire["type"], "payment.succeeded");
    assert_eq!(wire["data"]["amount"], "49.90");
    assert_eq!(wire["data"]["currency"], "BRL");
}

#[test]
fn a_second_subscription_while_the_first_grants_its_plan_is_refused_and_changes_nothing() {
    let mut s = paid();
    let before = s.clone();
    assert!(s.is_second("sub_2") && !s.is_second("sub_1"));
    let refused = s.activate(&activation("sub_2", Plan::Max, 3), at(3));
    assert_eq!(refused, Err(TransitionError::SecondSubscription("sub_2".into())));
    assert_eq!(s, before, "neither the plan nor the billing moved, and nothing was raised");
}
