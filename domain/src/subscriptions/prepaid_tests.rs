//! Prepaid periods: granted, extended from the end, lapsed, applied once, reminded once.

use rust_decimal::Decimal;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::shared::ids::UserId;
use crate::subscriptions::{
    Activation, BillingPeriod, ChargeId, PaidPeriod, PaymentProvider, Plan, Subscription, Transition, TransitionError,
};

const T0: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

fn day(n: i64) -> OffsetDateTime {
    T0 + Duration::days(n)
}

fn paid(plan: Plan, period: BillingPeriod, at: OffsetDateTime) -> PaidPeriod {
    PaidPeriod {
        charge: ChargeId::new(),
        provider: PaymentProvider::Mercadopago,
        plan,
        period,
        paid_at: at,
        amount: (Decimal::new(1990, 2), "BRL".into()),
    }
}

fn types(s: &Subscription) -> Vec<&'static str> {
    s.outbox.events().iter().map(|e| e.event_type().as_str()).collect()
}

#[test]
fn a_second_payment_before_the_end_extends_from_the_end() {
    let mut s = Subscription::free(UserId::new(), T0);
    let first = paid(Plan::Pro, BillingPeriod::Monthly, day(0));
    assert_eq!(s.period_paid(&first, day(0)).unwrap(), Transition::Changed { from: Plan::Free, to: Plan::Pro });
    assert_eq!((s.current_period_end, s.is_prepaid(), s.cancel_at_period_end), (Some(day(30)), true, true));
    assert_eq!(types(&s), ["payment.succeeded", "subscription.activated"]);

    let second = paid(Plan::Pro, BillingPeriod::Monthly, day(20));
    s.period_paid(&second, day(20)).unwrap();
    assert_eq!(s.current_period_end, Some(day(60)), "60 days from the first payment, not 50");
    assert_eq!(s.period_paid(&second, day(21)).unwrap(), Transition::Unchanged, "a charge applies once");
    assert_eq!(s.current_period_end, Some(day(60)));
    assert_eq!(types(&s)[2..], ["payment.succeeded", "subscription.renewed"]);
}

#[test]
fn a_payment_after_the_end_or_for_another_plan_starts_when_paid() {
    let mut s = Subscription::free(UserId::new(), T0);
    s.period_paid(&paid(Plan::Pro, BillingPeriod::Monthly, day(0)), day(0)).unwrap();
    s.period_paid(&paid(Plan::Pro, BillingPeriod::Annual, day(40)), day(40)).unwrap();
    assert_eq!(s.current_period_end, Some(day(40 + 365)));
    s.period_paid(&paid(Plan::Max, BillingPeriod::Monthly, day(50)), day(50)).unwrap();
    assert_eq!((s.plan, s.current_period_end), (Plan::Max, Some(day(80))));
}

#[test]
fn the_period_lapses_to_free_and_says_so_once() {
    let mut s = Subscription::free(UserId::new(), T0);
    s.period_paid(&paid(Plan::Pro, BillingPeriod::Monthly, day(0)), day(0)).unwrap();
    assert_eq!(s.expire(day(29)), Transition::Unchanged);
    assert_eq!(s.remind_period_end(Duration::days(3), day(26)), Transition::Unchanged, "too early");
    assert!(s.remind_period_end(Duration::days(3), day(27)).changed());
    assert_eq!(s.remind_period_end(Duration::days(3), day(28)), Transition::Unchanged, "reminded once");
    assert_eq!(s.expire(day(30)), Transition::Changed { from: Plan::Pro, to: Plan::Free });
    assert_eq!((s.plan, s.provider, s.current_period_end), (Plan::Free, None, None));
    assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("without a new payment")));
    let events = types(&s);
    assert_eq!(events[2..], ["subscription.period_ending", "subscription.canceled"], "{events:?}");
}

#[test]
fn a_recurring_subscription_is_not_overwritten() {
    let mut s = Subscription::free(UserId::new(), T0);
    let card = Activation {
        provider: PaymentProvider::Stripe,
        subscription_id: "sub_1".into(),
        customer_id: None,
        plan: Plan::Max,
        period_end: Some(day(30)),
        observed_at: T0,
    };
    s.activate(&card, T0).unwrap();
    let err = s.period_paid(&paid(Plan::Pro, BillingPeriod::Monthly, day(1)), day(1)).unwrap_err();
    assert_eq!(err, TransitionError::RecurringActive);
    assert_eq!((s.plan, s.provider_subscription_id.as_deref()), (Plan::Max, Some("sub_1")));
}

fn refunded(plan: Plan, start: OffsetDateTime) -> crate::subscriptions::Charge {
    let new = crate::subscriptions::NewCharge {
        user_id: UserId::new(),
        method: crate::subscriptions::PaymentMethod::Pix,
        plan,
        period: BillingPeriod::Monthly,
        amount: Decimal::new(1990, 2),
        expires_at: start,
    };
    let mut charge = crate::subscriptions::Charge::pending(new, start);
    (charge.period_start, charge.period_end) = (Some(start), Some(start + Duration::days(30)));
    charge
}

#[test]
fn a_refund_of_the_running_period_ends_the_plan_and_of_the_last_one_shortens_it() {
    let mut s = Subscription::free(UserId::new(), T0);
    s.period_paid(&paid(Plan::Pro, BillingPeriod::Monthly, day(0)), day(0)).unwrap();
    s.period_paid(&paid(Plan::Pro, BillingPeriod::Monthly, day(10)), day(10)).unwrap();
    assert_eq!(s.current_period_end, Some(day(60)));
    assert_eq!(s.period_refunded(&refunded(Plan::Pro, day(-40)), day(11)), Transition::Unchanged, "an older period");
    assert_eq!(s.period_refunded(&refunded(Plan::Max, day(0)), day(11)), Transition::Unchanged, "another plan");
    assert!(s.period_refunded(&refunded(Plan::Pro, day(30)), day(11)).changed());
    assert_eq!((s.plan, s.current_period_end), (Plan::Pro, Some(day(30))), "the period paid ahead is taken back");
    let t = s.period_refunded(&refunded(Plan::Pro, day(0)), day(11));
    assert_eq!(t, Transition::Changed { from: Plan::Pro, to: Plan::Free });
    assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("refunded")));
}
