//! Contract of `PlatformCounts` (the backoffice's platform metrics): counts by plan and status,
//! by account status, per time range (users, cancellation events, orders), running bots by
//! kind, the active paid subscriptions a page at a time, a user's newest approved charge, and a
//! lease's holder. Run under the SQLite plan check, so each query is served by an index.

use std::time::Duration;

use domain::bots::{BotKind, Command};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::identity::UserStatus;
use domain::market::Symbol;
use domain::notifications::{Event, EventPayload, SubscriptionData};
use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeStatus, NewCharge, PaymentMethod, PaymentProvider, Plan, SubscriptionStatus,
};
use infrastructure::repositories::Repositories;
use rust_decimal_macros::dec;

use super::bots::busy_bot;
use super::fixtures::{at, order, subscription, user};

const DAY: i64 = 86_400;

fn canceled(owner: UserId, seconds: i64) -> Event {
    let data = SubscriptionData { plan: "PRO".into(), status: "canceled".into(), provider: None, period_end: None };
    Event::new(owner, EventPayload::SubscriptionCanceled(data), at(seconds))
}

fn approved(owner: UserId, amount: rust_decimal::Decimal, period: BillingPeriod, created: i64) -> Charge {
    let new = NewCharge {
        user_id: owner,
        method: PaymentMethod::Pix,
        plan: Plan::Pro,
        period,
        amount,
        expires_at: at(created + DAY),
    };
    let mut charge = Charge::pending(new, at(created));
    charge.status = ChargeStatus::Approved;
    charge
}

/// Every count answers what was stored, in its range or status only.
pub async fn counts_by_status_kind_and_day(repos: &Repositories) {
    let counts = &repos.platform_counts;
    let mut blocked = user("blocked@example.com", DAY + 5);
    blocked.status = UserStatus::Blocked;
    for u in [user("a@example.com", 10), user("b@example.com", DAY - 1), blocked] {
        repos.users.create(&u).await.unwrap();
    }
    let (ana, bia) = (UserId::new(), UserId::new());
    repos.subscriptions.create(&subscription(ana, Plan::Pro, 0)).await.unwrap();
    let mut late = subscription(bia, Plan::Pro, 1);
    late.status = SubscriptionStatus::PastDue;
    repos.subscriptions.create(&late).await.unwrap();
    repos.events.record(&[canceled(ana, 20), canceled(bia, DAY + 20)], at(DAY + 30)).await.unwrap();
    let context =
        TradingContext::new(ana, ExchangeId::Binance, &Symbol::parse("BTC-BRL").unwrap(), ContextMode::Paper, at(0));
    for created in [5, DAY - 5, DAY] {
        repos.orders.create(&order(ana, context.id, created)).await.unwrap();
    }
    repos.bots.create(&busy_bot(ana)).await.unwrap();
    let mut paused = busy_bot(bia);
    paused.command(Command::Pause, "paused", at(9)).unwrap();
    repos.bots.create(&paused).await.unwrap();

    assert_eq!(counts.subscriptions(Plan::Pro, SubscriptionStatus::Active).await.unwrap(), 1);
    assert_eq!(counts.subscriptions(Plan::Pro, SubscriptionStatus::PastDue).await.unwrap(), 1);
    assert_eq!(counts.subscriptions(Plan::Max, SubscriptionStatus::Active).await.unwrap(), 0);
    assert_eq!(counts.users(UserStatus::Active).await.unwrap(), 2);
    assert_eq!(counts.users(UserStatus::Blocked).await.unwrap(), 1);
    assert_eq!(counts.signups(at(0), at(DAY)).await.unwrap(), 2);
    assert_eq!(counts.signups(at(DAY), at(2 * DAY)).await.unwrap(), 1);
    assert_eq!(counts.cancellations(at(0), at(DAY)).await.unwrap(), 1);
    assert_eq!(counts.cancellations(at(DAY), at(2 * DAY)).await.unwrap(), 1);
    assert_eq!(counts.orders(at(0), at(DAY)).await.unwrap(), 2, "the end is excluded");
    assert_eq!(counts.orders(at(DAY), at(2 * DAY)).await.unwrap(), 1);
    assert_eq!(counts.running_bots(BotKind::Smart).await.unwrap(), 1, "the paused one is not counted");
    assert_eq!(counts.running_bots(BotKind::Dca).await.unwrap(), 0);
}

/// Active paid subscriptions page by id; the newest approved charge prices them; leases read back.
pub async fn pages_paid_subscriptions_with_their_charges(repos: &Repositories) {
    let counts = &repos.platform_counts;
    let owners: Vec<UserId> = (0..3).map(|_| UserId::new()).collect();
    for (i, owner) in owners.iter().enumerate() {
        let mut paid = subscription(*owner, Plan::Pro, i as i64);
        paid.provider = Some(PaymentProvider::Mercadopago);
        repos.subscriptions.create(&paid).await.unwrap();
    }
    let mut late = subscription(UserId::new(), Plan::Pro, 9);
    late.status = SubscriptionStatus::PastDue;
    repos.subscriptions.create(&late).await.unwrap();
    repos.subscriptions.create(&subscription(UserId::new(), Plan::Free, 9)).await.unwrap();

    let first = counts.active_paid(Plan::Pro, None, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let rest = counts.active_paid(Plan::Pro, first.last().map(|s| s.id), 2).await.unwrap();
    let mut seen: Vec<UserId> = first.iter().chain(&rest).map(|s| s.user_id).collect();
    seen.sort();
    let mut expected = owners.clone();
    expected.sort();
    assert_eq!(seen, expected, "every active PRO once, the past due one left out");
    assert!(first.iter().chain(&rest).all(|s| s.provider == Some(PaymentProvider::Mercadopago)));
    assert!(counts.active_paid(Plan::Max, None, 2).await.unwrap().is_empty());

    let owner = owners[0];
    repos.charges.create(&approved(owner, dec!(19.9), BillingPeriod::Monthly, 10)).await.unwrap();
    repos.charges.create(&approved(owner, dec!(199), BillingPeriod::Annual, 20)).await.unwrap();
    let mut pending = approved(owner, dec!(5), BillingPeriod::Monthly, 30);
    pending.status = ChargeStatus::Pending;
    repos.charges.create(&pending).await.unwrap();
    let other = owners[1];
    repos.charges.create(&approved(other, dec!(97), BillingPeriod::Monthly, 5)).await.unwrap();
    let latest = counts.latest_charges(&[owner, other, owners[2]], at(0)).await.unwrap();
    let summary: Vec<_> = latest.iter().map(|(u, c)| (*u, c.amount, c.period, c.currency.as_str())).collect();
    let mut expected =
        vec![(owner, dec!(199), BillingPeriod::Annual, "BRL"), (other, dec!(97), BillingPeriod::Monthly, "BRL")];
    expected.sort_by_key(|e| e.0);
    assert_eq!(summary, expected, "the newest approved of each, in one read; none for the third");
    let recent = counts.latest_charges(&[owner, other], at(15)).await.unwrap();
    assert_eq!(recent.iter().map(|(u, c)| (*u, c.amount)).collect::<Vec<_>>(), [(owner, dec!(199))], "the window");
    assert!(counts.latest_charges(&[], at(0)).await.unwrap().is_empty());

    assert_eq!(counts.lease("workflow:nothing").await.unwrap(), None);
    repos.leases.try_acquire("workflow:relay", "instance-7", Duration::from_secs(60), at(0)).await.unwrap();
    let lease = counts.lease("workflow:relay").await.unwrap().unwrap();
    assert_eq!((lease.holder.as_str(), lease.expires_at), ("instance-7", at(60)));
}
