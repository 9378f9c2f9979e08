//! Contract of `SubscriptionRepository`.

use domain::shared::ids::UserId;
use domain::subscriptions::{PaymentProvider, Plan, Subscription, SubscriptionStatus};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::{at, subscription};
use super::{assert_conflict, assert_duplicate, assert_not_found};

/// `create` stores version 1; `get_for_user` reads it back; another user has none.
pub async fn create_then_get_for_user(repos: &Repositories) {
    let ana = UserId::new();
    let mut s = subscription(ana, Plan::Pro, 0);
    s.provider = Some(PaymentProvider::Mercadopago);
    s.provider_subscription_id = Some("2c9380848f1e".into());
    s.current_period_end = Some(at(30 * 86_400));
    s.provider_customer_id = Some("cus_9".into());
    s.provider_observed_at = Some(at(7));
    s.status_reason = Some("a payment failed".into());

    let created = repos.subscriptions.create(&s).await.unwrap();

    assert_eq!(created, Subscription { version: 1, ..s });
    assert_eq!(repos.subscriptions.get_for_user(ana).await.unwrap(), created);
    assert_not_found(repos.subscriptions.get_for_user(UserId::new()).await);
}

/// A second subscription for one user is `Duplicate { subscriptions_user }`.
pub async fn one_subscription_per_user(repos: &Repositories) {
    let ana = UserId::new();
    let first = repos.subscriptions.create(&Subscription::free(ana, at(0))).await.unwrap();

    assert_duplicate(repos.subscriptions.create(&subscription(ana, Plan::Max, 1)).await, "subscriptions_user");

    assert_eq!(repos.subscriptions.get_for_user(ana).await.unwrap(), first);
    repos.subscriptions.create(&Subscription::free(UserId::new(), at(2))).await.unwrap();
}

/// `update` bumps the version; stale is `Conflict`; unknown is `NotFound`.
pub async fn update_checks_version(repos: &Repositories) {
    let ana = UserId::new();
    let created = repos.subscriptions.create(&Subscription::free(ana, at(0))).await.unwrap();
    let upgraded = Subscription {
        plan: Plan::Max,
        status: SubscriptionStatus::PastDue,
        provider: Some(PaymentProvider::Stripe),
        provider_subscription_id: Some("sub_1Nx".into()),
        cancel_at_period_end: true,
        paid_charges: vec![domain::subscriptions::ChargeId::new(), domain::subscriptions::ChargeId::new()],
        period_end_notified: Some(at(4)),
        trial_started_at: Some(at(7)),
        scheduled_change: Some(domain::subscriptions::ScheduledChange { plan: Plan::Pro, at: at(6), period: None }),
        updated_at: at(5),
        ..created.clone()
    };

    let updated = repos.subscriptions.update(&upgraded).await.unwrap();

    assert_eq!(updated, Subscription { version: 2, ..upgraded });
    assert_eq!(repos.subscriptions.get_for_user(ana).await.unwrap(), updated);
    assert_conflict(repos.subscriptions.update(&created).await);
    assert_not_found(repos.subscriptions.update(&Subscription::free(UserId::new(), at(0))).await);
}

/// `list` filters by plan, oldest first (ties by id), paged with the total.
pub async fn list_by_plan_oldest_first_with_paging(repos: &Repositories) {
    let mut pro = Vec::new();
    for (created, plan) in [(4, Plan::Pro), (1, Plan::Free), (2, Plan::Pro), (2, Plan::Pro), (3, Plan::Max)] {
        let s = repos.subscriptions.create(&subscription(UserId::new(), plan, created)).await.unwrap();
        if plan == Plan::Pro {
            pro.push(s);
        }
    }
    pro.sort_by_key(|s| (s.created_at, s.id.to_string()));

    let first = repos.subscriptions.list(Some(Plan::Pro), PageRequest::new(0, 2)).await.unwrap();
    let second = repos.subscriptions.list(Some(Plan::Pro), PageRequest::new(2, 2)).await.unwrap();
    let all = repos.subscriptions.list(None, PageRequest::first()).await.unwrap();

    assert_eq!((first.total, first.items.as_slice()), (3, &pro[..2]));
    assert_eq!((second.total, second.items.as_slice()), (3, &pro[2..]));
    assert_eq!(all.total, 5);
    assert_eq!(all.items.first().map(|s| s.plan), Some(Plan::Free));
    assert_eq!(repos.subscriptions.list(Some(Plan::Max), PageRequest::first()).await.unwrap().total, 1);
}

/// `find_by_provider_subscription` matches provider and id together.
pub async fn find_by_provider_subscription(repos: &Repositories) {
    let mut s = subscription(UserId::new(), Plan::Pro, 0);
    s.provider = Some(PaymentProvider::Stripe);
    s.provider_subscription_id = Some("sub_A".into());
    let created = repos.subscriptions.create(&s).await.unwrap();
    repos.subscriptions.create(&Subscription::free(UserId::new(), at(1))).await.unwrap();

    let found = repos.subscriptions.find_by_provider_subscription(PaymentProvider::Stripe, "sub_A").await;
    assert_eq!(found.unwrap(), created);
    assert_not_found(repos.subscriptions.find_by_provider_subscription(PaymentProvider::Mercadopago, "sub_A").await);
    assert_not_found(repos.subscriptions.find_by_provider_subscription(PaymentProvider::Stripe, "sub_B").await);
}

/// `list_paid` skips FREE, oldest first, paged.
pub async fn list_paid_skips_free(repos: &Repositories) {
    let mut paid = Vec::new();
    for (created, plan) in [(3, Plan::Max), (1, Plan::Free), (2, Plan::Pro)] {
        let s = repos.subscriptions.create(&subscription(UserId::new(), plan, created)).await.unwrap();
        if plan != Plan::Free {
            paid.push(s);
        }
    }
    paid.sort_by_key(|s| s.created_at);
    let page = repos.subscriptions.list_paid(PageRequest::new(0, 1)).await.unwrap();
    assert_eq!((page.total, page.items.as_slice()), (2, &paid[..1]));
    let rest = repos.subscriptions.list_paid(PageRequest::new(1, 5)).await.unwrap();
    assert_eq!(rest.items.as_slice(), &paid[1..]);
}
