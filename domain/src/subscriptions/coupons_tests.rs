use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::*;

fn coupon(discount: CouponDiscount) -> Coupon {
    Coupon {
        id: CouponId::new(),
        code: "BEMVINDO".into(),
        discount,
        expires_at: None,
        max_redemptions: Some(1),
        redemptions: 0,
        plan: None,
        active: true,
        created_by: "op".into(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
        version: 1,
    }
}

fn percent(p: i64) -> CouponDiscount {
    CouponDiscount::PercentOff { percent: Decimal::new(p, 0) }
}

#[test]
fn codes_are_normalised_and_checked() {
    assert_eq!(Coupon::normalize_code(" bemvindo-20 ").as_deref(), Some("BEMVINDO-20"));
    assert_eq!(Coupon::normalize_code("ab"), None);
    assert_eq!(Coupon::normalize_code("with space"), None);
    assert_eq!(Coupon::normalize_code(&"A".repeat(33)), None);
}

#[test]
fn discounts_round_to_the_centavo() {
    let c = coupon(percent(20));
    assert_eq!(c.apply(Decimal::new(1990, 2), "BRL"), Ok(Decimal::new(1592, 2)));
    let c = coupon(CouponDiscount::PercentOff { percent: Decimal::new(125, 1) });
    assert_eq!(c.apply(Decimal::new(1990, 2), "BRL"), Ok(Decimal::new(1741, 2))); // 17.4125
    let c = coupon(CouponDiscount::AmountOff { amount: Decimal::new(5, 0), currency: "BRL".into() });
    assert_eq!(c.apply(Decimal::new(1990, 2), "BRL"), Ok(Decimal::new(1490, 2)));
    assert_eq!(c.apply(Decimal::new(1990, 2), "USD"), Err(CouponRefusal::NotApplicable(None)));
    let c = coupon(CouponDiscount::AmountOff { amount: Decimal::new(19, 0), currency: "BRL".into() });
    assert!(matches!(c.apply(Decimal::new(1990, 2), "BRL"), Err(CouponRefusal::NotApplicable(_))));
}

#[test]
fn checks_expiry_plan_and_limit() {
    let now = OffsetDateTime::UNIX_EPOCH + Duration::days(10);
    let mut c = coupon(percent(10));
    assert_eq!(c.check(Plan::Pro, now), Ok(()));
    c.take(now).unwrap();
    assert_eq!(c.check(Plan::Pro, now), Err(CouponRefusal::Exhausted));
    assert_eq!(c.take(now), Err(CouponRefusal::Exhausted));
    c.give_back(now);
    assert_eq!(c.redemptions, 0);
    c.plan = Some(Plan::Max);
    assert_eq!(c.check(Plan::Pro, now), Err(CouponRefusal::NotApplicable(Some(Plan::Max))));
    c.expires_at = Some(now);
    assert_eq!(c.check(Plan::Max, now), Err(CouponRefusal::Expired));
    c.expires_at = None;
    c.active = false;
    assert_eq!(c.check(Plan::Max, now), Err(CouponRefusal::Expired));
}
