//! Contract of `ChargeRepository`.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeStatus, EntryKind, NewCharge, PaidInvoice, PaymentInstructions, PaymentMethod,
    PaymentProvider, Plan, UpgradeOf,
};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;

use super::fixtures::at;
use super::{assert_conflict, assert_duplicate, assert_not_found};

fn charge(user: UserId, created: i64) -> Charge {
    let new = NewCharge {
        user_id: user,
        method: PaymentMethod::Pix,
        plan: Plan::Pro,
        period: BillingPeriod::Monthly,
        amount: Decimal::new(19900, 3),
        expires_at: at(created + 100),
    };
    Charge::pending(new, at(created))
}

/// `create` stores version 1 and every field round-trips (the amount as its exact value).
pub async fn create_then_get_round_trips(repos: &Repositories) {
    let created = repos.charges.create(&charge(UserId::new(), 0)).await.unwrap();
    assert_eq!(created.version, 1);
    let read = repos.charges.get(created.id).await.unwrap();
    assert_eq!(read, Charge { amount: Decimal::new(199, 1), ..created.clone() });
    assert_not_found(repos.charges.get(charge(UserId::new(), 0).id).await);
}

/// The difference of an upgrade round-trips with its plan before, preapproval and amount flag.
pub async fn an_upgrade_difference_round_trips(repos: &Repositories) {
    let upgrade = UpgradeOf { from: Plan::Pro, subscription_id: "2c9380849c".into(), amount_updated: false };
    let pending = Charge { plan: Plan::Max, upgrade: Some(upgrade), ..charge(UserId::new(), 5) };
    let created = repos.charges.create(&pending).await.unwrap();
    let read = repos.charges.get(created.id).await.unwrap();
    assert_eq!(read, Charge { amount: Decimal::new(199, 1), ..created.clone() });
    assert_eq!(read.kind(), EntryKind::UpgradeDifference);
    let mut updated = read.clone();
    if let Some(u) = updated.upgrade.as_mut() {
        u.amount_updated = true;
    }
    repos.charges.update(&updated).await.unwrap();
    let read = repos.charges.get(created.id).await.unwrap();
    assert_eq!(read.upgrade.map(|u| (u.from, u.amount_updated)), Some((Plan::Pro, true)));
}

/// `update` bumps the version, refuses a stale one, and a settled charge leaves the pending list.
pub async fn update_checks_version_and_pending_lists_oldest_first(repos: &Repositories) {
    let user = UserId::new();
    let first = repos.charges.create(&charge(user, 1)).await.unwrap();
    let second = repos.charges.create(&charge(user, 2)).await.unwrap();
    let pending = repos.charges.list_pending(PageRequest::new(0, 10)).await.unwrap();
    assert_eq!(pending.items.iter().map(|c| c.id).collect::<Vec<_>>(), [first.id, second.id]);
    let approved = Charge {
        status: ChargeStatus::Approved,
        provider_payment_id: Some("91000000000".into()),
        instructions: PaymentInstructions { qr_code: Some("000201".into()), ..Default::default() },
        paid_at: Some(at(3)),
        period_start: Some(at(3)),
        period_end: Some(at(30)),
        updated_at: at(3),
        ..first.clone()
    };
    let saved = repos.charges.update(&approved).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(repos.charges.get(first.id).await.unwrap().instructions.qr_code.as_deref(), Some("000201"));
    assert_conflict(repos.charges.update(&first).await);
    let pending = repos.charges.list_pending(PageRequest::new(0, 10)).await.unwrap();
    assert_eq!((pending.total, pending.items[0].id), (1, second.id));
}

/// A user's charges, newest first, only theirs, paged with the total.
pub async fn list_for_user_newest_first(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    for created in [1, 3, 2] {
        repos.charges.create(&charge(ana, created)).await.unwrap();
    }
    repos.charges.create(&charge(bia, 4)).await.unwrap();
    let page = repos.charges.list_for_user(ana, PageRequest::new(0, 2)).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|c| c.created_at).collect::<Vec<_>>(), [at(3), at(2)]);
}

/// A provider payment is listed once: a second charge with the same `dedup_key` is refused.
pub async fn a_payment_is_recorded_once(repos: &Repositories) {
    let user = UserId::new();
    let invoice = PaidInvoice {
        id: "in_1Dedup".into(),
        amount: Decimal::new(9700, 2),
        currency: "BRL".into(),
        url: Some("https://invoice.stripe.com/i/1".into()),
        period_start: Some(at(1)),
        period_end: Some(at(30)),
    };
    let first = Charge::card_paid(user, PaymentProvider::Stripe, Plan::Max, &invoice, at(1));
    let saved = repos.charges.create(&first).await.unwrap();
    assert_eq!(repos.charges.get(saved.id).await.unwrap(), saved);
    let again = Charge::card_paid(user, PaymentProvider::Stripe, Plan::Max, &invoice, at(2));
    assert_duplicate(repos.charges.create(&again).await, "charges_dedup");
    let other = Charge::card_paid(user, PaymentProvider::Mercadopago, Plan::Max, &invoice, at(2));
    repos.charges.create(&other).await.unwrap();
    assert_eq!(repos.charges.list_for_user(user, PageRequest::new(0, 10)).await.unwrap().total, 2);
    // Found again by its key (a refund looks for `refund:<key>` before refunding).
    assert_eq!(repos.charges.find_by_dedup_key("stripe:in_1Dedup").await.unwrap(), saved);
    assert_not_found(repos.charges.find_by_dedup_key("refund:stripe:in_1Dedup").await);
    let refund = saved.refund_entry(at(5));
    repos.charges.create(&refund).await.unwrap();
    assert_eq!(
        repos.charges.find_by_dedup_key("refund:stripe:in_1Dedup").await.unwrap().amount,
        Decimal::new(-9700, 2)
    );
    // A comp has no provider, and round-trips so.
    let comp = repos.charges.create(&Charge::comp(user, Plan::Pro, at(40), at(6))).await.unwrap();
    let read = repos.charges.get(comp.id).await.unwrap();
    assert_eq!((read.provider, read.method, read.status), (None, PaymentMethod::Comp, ChargeStatus::Granted));
    assert_eq!(read, comp);
}
