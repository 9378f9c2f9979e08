//! The MRR and who may read it, through the running server on both stores: the MRR checked against
//! a hand-computed figure (a monthly and an annual PIX subscription, a complimentary plan and a
//! trial, both 0, a Stripe subscription with no charge yet left unpriced), and the business
//! gauges (`botfleet_platform_*`) of `GET /metrics` served only for the ops token, while the
//! operational metrics stay open unless `BOTFLEET_METRICS_REQUIRE_TOKEN` is on.

use botfleet_tests::app::{settings, spawn_with, Store, TestApp};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, DOMAIN};
use botfleet_tests::bots::OPS_TOKEN;
use botfleet_tests::contract::fixtures::user as user_fixture;
use domain::backoffice::OperatorRole;
use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeStatus, NewCharge, PaymentMethod, PaymentProvider, Plan, Subscription,
    SubscriptionStatus,
};
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    the_mrr_is_the_hand_computed_figure,
    business_gauges_need_the_ops_token,
    the_require_token_setting_closes_everything,
);

/// A user (seeded through the repositories) on `plan` in `status`, billed by `provider`.
async fn subscriber(
    repos: &Repositories,
    email: &str,
    plan: Plan,
    status: SubscriptionStatus,
    provider: Option<PaymentProvider>,
) -> UserId {
    let now = OffsetDateTime::now_utc();
    let user = repos.users.create(&user_fixture(email, 0)).await.unwrap();
    let mut sub = Subscription::free(user.id, now);
    (sub.plan, sub.status, sub.provider) = (plan, status, provider);
    repos.subscriptions.create(&sub).await.unwrap();
    user.id
}

/// An approved PIX charge of `owner` for `period`, created `ago` before now.
async fn pix(repos: &Repositories, owner: UserId, plan: Plan, amount: Decimal, period: BillingPeriod, ago: Duration) {
    let created = OffsetDateTime::now_utc() - ago;
    let new = NewCharge { user_id: owner, method: PaymentMethod::Pix, plan, period, amount, expires_at: created };
    let mut charge = Charge::pending(new, created);
    charge.status = ChargeStatus::Approved;
    repos.charges.create(&charge).await.unwrap();
}

/// An approved monthly MAX card charge of `owner` through Stripe, created `ago` before now; a
/// plan change's proration invoice when `proration`.
async fn card(repos: &Repositories, owner: UserId, amount: Decimal, proration: bool, ago: Duration) {
    let created = OffsetDateTime::now_utc() - ago;
    let new = NewCharge {
        user_id: owner,
        method: PaymentMethod::Card,
        plan: Plan::Max,
        period: BillingPeriod::Monthly,
        amount,
        expires_at: created,
    };
    let mut charge = Charge::pending(new, created);
    (charge.status, charge.provider, charge.proration) =
        (ChargeStatus::Approved, Some(PaymentProvider::Stripe), proration);
    repos.charges.create(&charge).await.unwrap();
}

async fn the_mrr_is_the_hand_computed_figure(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let (active, mp) = (SubscriptionStatus::Active, Some(PaymentProvider::Mercadopago));
    // Monthly PRO: 19.90.
    let ana = subscriber(&repos, "ana@example.com", Plan::Pro, active, mp).await;
    pix(&repos, ana, Plan::Pro, dec!(19.90), BillingPeriod::Monthly, Duration::days(3)).await;
    // Annual MAX: 970 / 12 = 80.8333...; the monthly charge before it no longer prices it.
    let bia = subscriber(&repos, "bia@example.com", Plan::Max, active, mp).await;
    pix(&repos, bia, Plan::Max, dec!(97), BillingPeriod::Monthly, Duration::days(40)).await;
    pix(&repos, bia, Plan::Max, dec!(970), BillingPeriod::Annual, Duration::days(5)).await;
    // A complimentary MAX (no provider: nothing billed), though she once paid a month: 0.
    let cid = subscriber(&repos, "cid@example.com", Plan::Max, active, None).await;
    pix(&repos, cid, Plan::Max, dec!(97), BillingPeriod::Monthly, Duration::days(10)).await;
    // A PRO trial: not active, 0.
    subscriber(&repos, "dan@example.com", Plan::Pro, SubscriptionStatus::Trialing, None).await;
    // Stripe's MAX whose first invoice is not recorded yet: not guessed at, counted apart.
    subscriber(&repos, "eve@example.com", Plan::Max, active, Some(PaymentProvider::Stripe)).await;
    // A year-old annual charge no longer prices a subscription (outside the pricing window).
    let fay = subscriber(&repos, "fay@example.com", Plan::Pro, active, mp).await;
    pix(&repos, fay, Plan::Pro, dec!(199), BillingPeriod::Annual, Duration::days(401)).await;
    // Stripe MAX since a mid-period upgrade: its month (97) prices it, not the newer proration
    // invoice (51.51), which is no period's price.
    let gus = subscriber(&repos, "gus@example.com", Plan::Max, active, Some(PaymentProvider::Stripe)).await;
    card(&repos, gus, dec!(97), false, Duration::days(10)).await;
    card(&repos, gus, dec!(51.51), true, Duration::days(2)).await;

    let email = format!("sue@{DOMAIN}");
    create_operator(&repos, &email, OperatorRole::Support).await;
    let support = enrol_and_login(&app, &email, "10.0.32.1").await;
    let m = support.get(&app, "/backoffice/api/metrics").await.ok(200).clone();
    // 19.90 + 970 / 12 = 100.7333..., rounded to the cent at the end.
    let exact = dec!(19.90) + dec!(970) / Decimal::from(12);
    assert_eq!(exact.round_dp(2), dec!(100.73));
    let mut mrr = m["mrr"].as_array().unwrap().clone();
    mrr.sort_by_key(|m| m["provider"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        mrr,
        [
            json!({"provider": "mercadopago", "currency": "BRL", "amount": "100.73", "subscriptions": 2}),
            json!({"provider": "stripe", "currency": "BRL", "amount": "97.00", "subscriptions": 1}),
        ]
    );
    let mut unpriced = m["unpriced_subscriptions"].as_array().unwrap().clone();
    unpriced.sort_by_key(|u| u["provider"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        unpriced,
        [json!({"provider": "mercadopago", "count": 1}), json!({"provider": "stripe", "count": 1})],
        "fay's charge is too old, eve has none; the comp and the trial bill nothing"
    );
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn business_gauges_need_the_ops_token(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let ana = subscriber(
        &repos,
        "ana@example.com",
        Plan::Pro,
        SubscriptionStatus::Active,
        Some(PaymentProvider::Mercadopago),
    )
    .await;
    pix(&repos, ana, Plan::Pro, dec!(19.90), BillingPeriod::Monthly, Duration::days(1)).await;
    app.get("/health/live", None).await.ok(200);

    let (status, open) = scrape(&app, None).await;
    assert_eq!(status, 200);
    assert!(open.contains("http_requests_total"), "the operational metrics stay open: {open}");
    assert!(!open.lines().any(|l| l.starts_with("botfleet_platform_")), "no business figure without the token: {open}");
    assert!(!open.contains("19.9"), "{open}");
    assert!(open.contains("# botfleet_platform_* (business figures) left out"), "{open}");
    let user = app.user("someone@example.com").await;
    let (status, as_user) = scrape(&app, Some(&user.access)).await;
    assert_eq!(status, 200);
    assert!(!as_user.lines().any(|l| l.starts_with("botfleet_platform_")), "a user's token is not enough");
    let (_, wrong) = scrape(&app, Some("not-the-ops-token-0123456789")).await;
    assert!(!wrong.lines().any(|l| l.starts_with("botfleet_platform_")));

    let (status, ops) = scrape(&app, Some(OPS_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(ops.contains("http_requests_total"));
    assert!(ops.lines().any(|l| l == "botfleet_platform_up 1"), "{ops}");
    let mrr = r#"botfleet_platform_mrr{currency="BRL",provider="mercadopago"} 19.9"#;
    assert!(ops.lines().any(|l| l == mrr), "{ops}");
    assert!(!ops.contains("left out"), "{ops}");
}

async fn the_require_token_setting_closes_everything(store: Store) {
    let pairs = [("BOTFLEET_OPS_TOKEN", OPS_TOKEN), ("BOTFLEET_METRICS_REQUIRE_TOKEN", "true")];
    let app = spawn_with(settings(store, &pairs)).await;
    app.get("/metrics", None).await.problem(401, "missing_token");
    app.get("/metrics", Some("not-the-ops-token-0123456789")).await.problem(401, "invalid_token");
    let (status, ops) = scrape(&app, Some(OPS_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(ops.contains("http_requests_total") && ops.lines().any(|l| l == "botfleet_platform_up 1"), "{ops}");
}
