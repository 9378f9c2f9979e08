//! Unit tests of the subscription state machine.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::shared::ids::UserId;

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

fn at(minutes: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes)
}

fn pro(subscription_id: &str, observed: i64) -> Activation {
    Activation {
        provider: PaymentProvider::Stripe,
        subscription_id: subscription_id.into(),
        customer_id: Some("cus_1".into()),
        plan: Plan::Pro,
        period_end: Some(at(60 * 24 * 30)),
        observed_at: at(observed),
    }
}

fn provider(id: &str, status: SubscriptionStatus) -> ProviderSubscription {
    ProviderSubscription {
        provider: PaymentProvider::Stripe,
        id: id.into(),
        customer_id: Some("cus_1".into()),
        user_id: None,
        plan: Some(Plan::Pro),
        status,
        current_period_end: Some(at(60 * 24 * 30)),
        cancel_at_period_end: false,
        observed_at: None,
    }
}

fn paid() -> Subscription {
    let mut s = Subscription::free(UserId::new(), T0);
    s.activate(&pro("sub_1", 1), at(1)).unwrap();
    s
}

#[test]
fn activation_upgrades_free_to_the_paid_plan() {
    let mut s = Subscription::free(UserId::new(), T0);
    let t = s.activate(&pro("sub_1", 1), at(1)).unwrap();
    assert_eq!(t, Transition::Changed { from: Plan::Free, to: Plan::Pro });
    assert_eq!((s.plan, s.status, s.provider), (Plan::Pro, SubscriptionStatus::Active, Some(PaymentProvider::Stripe)));
    assert_eq!(s.provider_subscription_id.as_deref(), Some("sub_1"));
    assert_eq!(s.updated_at, at(1));
}

#[test]
fn the_same_activation_twice_changes_nothing() {
    let mut s = paid();
    assert_eq!(s.activate(&pro("sub_1", 1), at(2)).unwrap(), Transition::Unchanged);
    assert_eq!(s.updated_at, at(1));
}

#[test]
fn free_cannot_be_activated() {
    let mut s = Subscription::free(UserId::new(), T0);
    let free = Activation { plan: Plan::Free, ..pro("sub_1", 1) };
    assert_eq!(s.activate(&free, at(1)), Err(TransitionError::NotAPaidPlan(Plan::Free)));
}

#[test]
fn a_stale_activation_does_not_undo_a_newer_state() {
    let mut s = paid();
    s.apply_provider(&provider("sub_1", SubscriptionStatus::PastDue), at(10), at(10)).unwrap();
    assert_eq!(s.activate(&pro("sub_1", 5), at(11)).unwrap(), Transition::Unchanged);
    assert_eq!(s.status, SubscriptionStatus::PastDue);
}

#[test]
fn out_of_order_provider_updates_never_move_backwards() {
    let mut s = paid();
    let canceling =
        ProviderSubscription { cancel_at_period_end: true, ..provider("sub_1", SubscriptionStatus::Active) };
    assert!(s.apply_provider(&canceling, at(20), at(20)).unwrap().changed());
    let older = provider("sub_1", SubscriptionStatus::Active);
    assert_eq!(s.apply_provider(&older, at(10), at(21)).unwrap(), Transition::Unchanged);
    assert!(s.cancel_at_period_end);
}

#[test]
fn updates_about_another_subscription_are_refused() {
    let mut s = paid();
    let other = provider("sub_old", SubscriptionStatus::Canceled);
    assert_eq!(s.apply_provider(&other, at(5), at(5)), Err(TransitionError::OtherSubscription("sub_old".into())));
    assert_eq!(s.plan, Plan::Pro);
    assert!(s.payment_failed("sub_old", at(5), at(5)).is_err());
    assert!(s.invoice_paid("sub_old", None, at(5), at(5)).is_err());
}

#[test]
fn canceled_or_paused_at_the_provider_downgrades_at_once() {
    for status in [SubscriptionStatus::Canceled, SubscriptionStatus::Paused] {
        let mut s = paid();
        let t = s.apply_provider(&provider("sub_1", status), at(5), at(5)).unwrap();
        assert!(t.is_downgrade(), "{status:?}");
        assert_eq!(
            (s.plan, s.status, s.provider_subscription_id.as_deref()),
            (Plan::Free, SubscriptionStatus::Active, None)
        );
        assert_eq!(s.provider_customer_id.as_deref(), Some("cus_1"), "the customer is kept for the next checkout");
        assert!(s.status_reason.is_some());
    }
}

#[test]
fn failed_payment_is_past_due_with_grace_then_paid_is_active_again() {
    let mut s = paid();
    let t = s.payment_failed("sub_1", at(5), at(5)).unwrap();
    assert_eq!(t, Transition::Changed { from: Plan::Pro, to: Plan::Pro }, "past due keeps the plan during retries");
    assert_eq!(s.status, SubscriptionStatus::PastDue);
    assert!(!s.is_active() && s.grants_plan());

    let next_end = at(60 * 24 * 60);
    s.invoice_paid("sub_1", Some(next_end), at(6), at(6)).unwrap();
    assert_eq!((s.status, s.current_period_end), (SubscriptionStatus::Active, Some(next_end)));
    assert_eq!(s.status_reason, None);
}

#[test]
fn unpaid_loses_the_paid_features_but_can_recover() {
    let mut s = paid();
    let t = s.apply_provider(&provider("sub_1", SubscriptionStatus::Unpaid), at(5), at(5)).unwrap();
    assert!(t.is_downgrade());
    assert_eq!(s.effective_plan(), Plan::Free);
    assert_eq!(s.plan, Plan::Pro, "the plan bought is remembered");
    s.invoice_paid("sub_1", None, at(6), at(6)).unwrap();
    assert_eq!(s.effective_plan(), Plan::Pro);
}

#[test]
fn a_period_is_never_shortened_by_an_older_invoice() {
    let mut s = paid();
    let end = s.current_period_end.unwrap();
    s.invoice_paid("sub_1", Some(end - Duration::days(30)), at(5), at(5)).unwrap();
    assert_eq!(s.current_period_end, Some(end));
}

#[test]
fn cancel_at_period_end_keeps_access_until_the_end() {
    let mut s = paid();
    let cancel = ProviderSubscription { cancel_at_period_end: true, ..provider("sub_1", SubscriptionStatus::Active) };
    s.apply_provider(&cancel, at(5), at(5)).unwrap();
    let end = s.current_period_end.unwrap();
    assert_eq!(s.expire(end - Duration::seconds(1)), Transition::Unchanged);
    assert_eq!(s.effective_plan(), Plan::Pro);
    assert!(s.expire(end).is_downgrade());
    assert_eq!(s.plan, Plan::Free);
    assert_eq!(s.expire(end + Duration::days(1)), Transition::Unchanged);
}

#[test]
fn a_new_subscription_after_a_downgrade_starts_clean() {
    let mut s = paid();
    s.apply_provider(&provider("sub_1", SubscriptionStatus::Canceled), at(5), at(5)).unwrap();
    let max = Activation { plan: Plan::Max, ..pro("sub_2", 3) };
    let t = s.activate(&max, at(7)).unwrap();
    assert_eq!(t, Transition::Changed { from: Plan::Free, to: Plan::Max });
    assert_eq!((s.plan, s.cancel_at_period_end, s.status_reason.clone()), (Plan::Max, false, None));
}
