//! Contract of `CouponRepository`.

use domain::shared::ids::UserId;
use domain::subscriptions::{Coupon, CouponDiscount, CouponId, CouponRedemption, Plan};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;

use super::fixtures::at;
use super::{assert_conflict, assert_duplicate, assert_not_found};

fn coupon(code: &str, created: i64) -> Coupon {
    Coupon {
        id: CouponId::new(),
        code: code.into(),
        discount: CouponDiscount::AmountOff { amount: Decimal::new(500, 2), currency: "BRL".into() },
        expires_at: Some(at(created + 1000)),
        max_redemptions: Some(3),
        redemptions: 0,
        plan: Some(Plan::Pro),
        active: true,
        created_by: "01JCZ8F3QW5N2V7K4M9T6R1XYB".into(),
        created_at: at(created),
        updated_at: at(created),
        version: 0,
    }
}

/// Every field round-trips (the amount as its exact value); a code is unique; found by code.
pub async fn round_trips_and_codes_are_unique(repos: &Repositories) {
    let created = repos.coupons.create(&coupon("BEMVINDO", 0)).await.unwrap();
    assert_eq!(created.version, 1);
    let read = repos.coupons.get(created.id).await.unwrap();
    let five = CouponDiscount::AmountOff { amount: Decimal::new(5, 0), currency: "BRL".into() };
    assert_eq!(read, Coupon { discount: five, ..created.clone() });
    assert_eq!(repos.coupons.find_by_code("BEMVINDO").await.unwrap().id, created.id);
    assert_not_found(repos.coupons.find_by_code("OUTRO").await);
    assert_not_found(repos.coupons.get(CouponId::new()).await);
    assert_duplicate(repos.coupons.create(&coupon("BEMVINDO", 1)).await, "coupons_code");
    let percent = Coupon {
        discount: CouponDiscount::PercentOff { percent: Decimal::new(125, 1) },
        expires_at: None,
        max_redemptions: None,
        plan: None,
        ..coupon("DOZE", 2)
    };
    let percent = repos.coupons.create(&percent).await.unwrap();
    assert_eq!(repos.coupons.get(percent.id).await.unwrap(), percent);
}

/// `update` bumps the version and refuses a stale one; the list is newest first, paged.
pub async fn update_checks_version_and_lists_newest_first(repos: &Repositories) {
    let first = repos.coupons.create(&coupon("UM", 1)).await.unwrap();
    let second = repos.coupons.create(&coupon("DOIS", 2)).await.unwrap();
    let taken = Coupon { redemptions: 1, ..first.clone() };
    assert_eq!(repos.coupons.update(&taken).await.unwrap().version, 2);
    assert_conflict(repos.coupons.update(&first).await);
    let page = repos.coupons.list(PageRequest::new(0, 1)).await.unwrap();
    assert_eq!((page.total, page.items[0].id), (2, second.id));
    let page = repos.coupons.list(PageRequest::new(1, 1)).await.unwrap();
    assert_eq!((page.items[0].id, page.items[0].redemptions), (first.id, 1));
}

/// One redemption per coupon and user; removing it lets the user redeem again.
pub async fn one_redemption_per_coupon_and_user(repos: &Repositories) {
    let (a, b) = (CouponId::new(), CouponId::new());
    let (ana, bia) = (UserId::new(), UserId::new());
    let redemption = |coupon_id, user_id| CouponRedemption { coupon_id, user_id, created_at: at(5) };
    repos.coupons.add_redemption(&redemption(a, ana)).await.unwrap();
    repos.coupons.add_redemption(&redemption(a, bia)).await.unwrap();
    repos.coupons.add_redemption(&redemption(b, ana)).await.unwrap();
    assert_duplicate(repos.coupons.add_redemption(&redemption(a, ana)).await, "coupon_redemptions_user");
    assert!(repos.coupons.remove_redemption(a, ana).await.unwrap());
    assert!(!repos.coupons.remove_redemption(a, ana).await.unwrap());
    repos.coupons.add_redemption(&redemption(a, ana)).await.unwrap();
}
