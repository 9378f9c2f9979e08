//! Unit tests of plan changes: upgrade at once, downgrade scheduled, undone, applied at the end.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::shared::ids::UserId;
use crate::subscriptions::{Activation, PaymentProvider, ProviderSubscription};

const T0: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);
const END: OffsetDateTime = datetime!(2026-03-31 00:00 UTC);

fn on(plan: Plan) -> Subscription {
    let mut s = Subscription::free(UserId::new(), T0);
    let activation = Activation {
        provider: PaymentProvider::Stripe,
        subscription_id: "sub_1".into(),
        customer_id: Some("cus_1".into()),
        plan,
        period_end: Some(END),
        observed_at: T0,
    };
    s.activate(&activation, T0).unwrap();
    s
}

fn reported(plan: Plan, end: OffsetDateTime) -> ProviderSubscription {
    ProviderSubscription {
        provider: PaymentProvider::Stripe,
        id: "sub_1".into(),
        customer_id: None,
        user_id: None,
        plan: Some(plan),
        status: SubscriptionStatus::Active,
        current_period_end: Some(end),
        cancel_at_period_end: false,
        observed_at: None,
    }
}

#[test]
fn directions_and_refusals() {
    let pro = on(Plan::Pro);
    assert_eq!(pro.plan_change(Plan::Max), Ok(PlanChangeKind::Upgrade));
    assert_eq!(on(Plan::Max).plan_change(Plan::Pro), Ok(PlanChangeKind::Downgrade));
    assert_eq!(pro.plan_change(Plan::Pro), Err(PlanChangeError::SamePlan(Plan::Pro)));
    assert_eq!(pro.plan_change(Plan::Free), Err(PlanChangeError::NotAPaidPlan(Plan::Free)));
    assert_eq!(Subscription::free(UserId::new(), T0).plan_change(Plan::Max), Err(PlanChangeError::NotRecurring));
    let mut ending = on(Plan::Pro);
    ending.cancel_at_period_end = true;
    assert_eq!(ending.plan_change(Plan::Max), Err(PlanChangeError::EndsAtPeriodEnd));
    let mut unpaid = on(Plan::Pro);
    unpaid.status = SubscriptionStatus::Unpaid;
    assert_eq!(unpaid.plan_change(Plan::Max), Err(PlanChangeError::NotInGoodStanding(SubscriptionStatus::Unpaid)));
}

#[test]
fn an_upgrade_is_at_once() {
    let mut s = on(Plan::Pro);
    let t = s.upgrade_now(Plan::Max, T0 + Duration::days(10)).unwrap();
    assert_eq!(t, Transition::Changed { from: Plan::Pro, to: Plan::Max });
    assert_eq!((s.plan, s.current_period_end), (Plan::Max, Some(END)));
}

#[test]
fn a_downgrade_waits_for_the_period_end_and_can_be_undone() {
    let mut s = on(Plan::Max);
    let mid = T0 + Duration::days(10);
    assert!(s.schedule_change(Plan::Pro, mid).unwrap().changed());
    assert_eq!(s.scheduled_change, Some(ScheduledChange { plan: Plan::Pro, at: END, period: None }));
    assert_eq!(s.schedule_change(Plan::Pro, mid).unwrap(), Transition::Unchanged);
    // The provider already bills PRO for the next period: the paid MAX period is kept.
    s.apply_provider(&reported(Plan::Pro, END), mid, mid).unwrap();
    assert_eq!(s.effective_plan(), Plan::Max);
    assert_eq!(s.expire(mid), Transition::Unchanged);
    s.undo_scheduled_change(mid).unwrap();
    assert_eq!((s.plan, s.scheduled_change), (Plan::Max, None));
    assert_eq!(s.undo_scheduled_change(mid), Err(PlanChangeError::NothingScheduled));
}

#[test]
fn the_renewal_applies_the_scheduled_downgrade() {
    let mut s = on(Plan::Max);
    s.schedule_change(Plan::Pro, T0 + Duration::days(1)).unwrap();
    let renewed = END + Duration::days(30);
    let t = s.invoice_paid("sub_1", Some(renewed), END, END + Duration::seconds(5)).unwrap();
    assert_eq!(t, Transition::Changed { from: Plan::Max, to: Plan::Pro });
    assert!(t.is_downgrade());
    assert_eq!((s.plan, s.scheduled_change, s.current_period_end), (Plan::Pro, None, Some(renewed)));
}

#[test]
fn a_read_after_the_end_applies_it_without_the_renewal() {
    let mut s = on(Plan::Max);
    s.schedule_change(Plan::Pro, T0).unwrap();
    assert_eq!(s.expire(END - Duration::seconds(1)), Transition::Unchanged);
    assert_eq!(s.expire(END), Transition::Changed { from: Plan::Max, to: Plan::Pro });
    assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("end of the paid period")));
}

#[test]
fn another_subscription_or_a_cancellation_drops_the_schedule() {
    let mut s = on(Plan::Max);
    s.schedule_change(Plan::Pro, T0).unwrap();
    let mut canceled = reported(Plan::Max, END);
    canceled.status = SubscriptionStatus::Canceled;
    s.apply_provider(&canceled, T0 + Duration::days(2), T0 + Duration::days(2)).unwrap();
    assert_eq!((s.plan, s.scheduled_change), (Plan::Free, None));
}
