//! The operators' platform metrics through the running server on both stores: known users on
//! each plan and status, paid subscriptions priced by their charges (monthly, annual, another
//! currency, one unpriced), a cancellation, a running bot of each kind, orders on two days and a
//! workflow run; every figure checked in `GET /backoffice/api/metrics` and in the
//! `botfleet_platform_*` gauges of `GET /metrics`, whose text is parsed.

use std::collections::BTreeMap;

use botfleet_tests::app::{Session, Store, TestApp, PASSWORD};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, DOMAIN};
use botfleet_tests::bots::{command, create_bot, price, run};
use domain::backoffice::OperatorRole;
use domain::identity::UserStatus;
use domain::notifications::{Event, EventPayload, SubscriptionData};
use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeStatus, NewCharge, PaidInvoice, PaymentMethod, PaymentProvider, Plan,
    SubscriptionStatus,
};
use infrastructure::repositories::Repositories;
use reqwest::Method;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(every_figure_is_served_as_json_and_as_gauges);

/// A registered, logged-in user whose requests come from `ip` (the backoffice servers trust the
/// loopback proxy, so each user has their own registration limit).
async fn user(app: &TestApp, email: &str, ip: &str) -> Session {
    let headers = [("x-forwarded-for", ip)];
    let body = json!({"email": email, "password": PASSWORD, "name": "Test User",
        "accept_terms": true, "accept_privacy": true});
    let profile = app.call(Method::POST, "/api/auth/register", None, Some(&body), &headers).await;
    let user_id = profile.ok(201)["id"].as_str().unwrap().to_owned();
    let body = json!({"email": email, "password": PASSWORD});
    let tokens = app.call(Method::POST, "/api/auth/login", None, Some(&body), &headers).await;
    let tokens = tokens.ok(200);
    Session {
        user_id,
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        access: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
    }
}

fn id(session: &Session) -> UserId {
    session.user_id.parse().unwrap()
}

/// Puts `who` on `plan` in `status`, billed by `provider`.
async fn subscribe(
    repos: &Repositories,
    who: &Session,
    plan: Plan,
    status: SubscriptionStatus,
    provider: Option<PaymentProvider>,
) {
    let mut sub = repos.subscriptions.get_for_user(id(who)).await.unwrap();
    (sub.plan, sub.status, sub.provider) = (plan, status, provider);
    repos.subscriptions.update(&sub).await.unwrap();
}

/// An approved PIX charge of `who` for `period`, created `ago` before now.
async fn pix(repos: &Repositories, who: &Session, plan: Plan, amount: Decimal, period: BillingPeriod, ago: Duration) {
    let created = OffsetDateTime::now_utc() - ago;
    let new = NewCharge { user_id: id(who), method: PaymentMethod::Pix, plan, period, amount, expires_at: created };
    let mut charge = Charge::pending(new, created);
    charge.status = ChargeStatus::Approved;
    repos.charges.create(&charge).await.unwrap();
}

/// Orders of `who` created `ago` before now, `n` of them.
async fn orders(repos: &Repositories, who: &Session, context: &str, ago: Duration, n: usize) {
    for _ in 0..n {
        let mut order = botfleet_tests::contract::fixtures::order(id(who), context.parse().unwrap(), 0);
        let at = OffsetDateTime::now_utc() - ago;
        (order.created_at, order.updated_at) = (at, at);
        repos.orders.create(&order).await.unwrap();
    }
}

/// The gauges of a Prometheus text: `name{labels}` (labels sorted, as the encoder writes them) to value.
fn gauges(text: &str) -> BTreeMap<String, f64> {
    let mut found = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("botfleet_platform_")) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        found.insert(series.to_owned(), value.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {line}")));
    }
    // Every family declared once, with its type.
    for name in found.keys().map(|s| s.split('{').next().unwrap().to_owned()) {
        assert!(text.contains(&format!("# TYPE {name} gauge")), "{name} has no TYPE line");
    }
    found
}

async fn every_figure_is_served_as_json_and_as_gauges(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    // ana PRO (PIX monthly 19.90 BRL), bia MAX (PIX annual 970 BRL, after a monthly 97), dan PRO
    // (Stripe, 19.90 USD), eve PRO canceled, fay MAX (Stripe, no charge yet), cid FREE, gus FREE blocked.
    let mut cast = Vec::new();
    for (i, name) in ["ana", "bia", "cid", "dan", "eve", "fay", "gus"].into_iter().enumerate() {
        cast.push(user(&app, &format!("{name}@example.com"), &format!("10.0.30.{i}")).await);
    }
    let [ana, bia, _cid, dan, eve, fay, gus] = &cast[..] else { unreachable!() };
    let (active, mp, stripe) =
        (SubscriptionStatus::Active, Some(PaymentProvider::Mercadopago), Some(PaymentProvider::Stripe));
    subscribe(&repos, ana, Plan::Pro, active, mp).await;
    pix(&repos, ana, Plan::Pro, dec!(19.90), BillingPeriod::Monthly, Duration::days(3)).await;
    subscribe(&repos, bia, Plan::Max, active, mp).await;
    pix(&repos, bia, Plan::Max, dec!(97), BillingPeriod::Monthly, Duration::days(40)).await;
    pix(&repos, bia, Plan::Max, dec!(970), BillingPeriod::Annual, Duration::days(5)).await;
    subscribe(&repos, dan, Plan::Pro, active, stripe).await;
    let invoice = PaidInvoice {
        id: "in_metrics_1".into(),
        amount: dec!(19.90),
        currency: "usd".into(),
        url: None,
        period_start: None,
        period_end: None,
    };
    let paid_at = OffsetDateTime::now_utc() - Duration::days(1);
    let card = Charge::card_paid(id(dan), PaymentProvider::Stripe, Plan::Pro, &invoice, paid_at);
    repos.charges.create(&card).await.unwrap();
    subscribe(&repos, eve, Plan::Pro, SubscriptionStatus::Canceled, stripe).await;
    let data = SubscriptionData {
        plan: "PRO".into(),
        status: "canceled".into(),
        provider: Some("stripe".into()),
        period_end: None,
    };
    let cancellation = Event::new(id(eve), EventPayload::SubscriptionCanceled(data), OffsetDateTime::now_utc());
    repos.events.record(&[cancellation], OffsetDateTime::now_utc()).await.unwrap();
    subscribe(&repos, fay, Plan::Max, active, stripe).await;
    let mut blocked = repos.users.get(id(gus)).await.unwrap();
    blocked.status = UserStatus::Blocked;
    repos.users.update(&blocked).await.unwrap();

    // bia runs one bot of each kind in a paper context, and keeps a fifth one stopped.
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let context = app.post("/api/contexts", Some(&bia.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    price(&app, &bia.access, dec!(301000)).await;
    let configs = [
        (
            "smart",
            json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "10", "allocated_balance": "100"}),
        ),
        (
            "candle",
            json!({"timeframe": "1h", "indicators": [{"indicator": "rsi"}, {"indicator": "sma_cross"}],
            "order_amount": "10", "allocated_balance": "100"}),
        ),
        (
            "dca",
            json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"}),
        ),
        (
            "channel",
            json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
            "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "100"}),
        ),
    ];
    for (kind, config) in &configs {
        let bot = create_bot(&app, bia, &context, kind, config.clone()).await;
        command(&app, bia, bot["id"].as_str().unwrap(), "start").await;
    }
    create_bot(&app, bia, &context, "smart", configs[0].1.clone()).await;
    // Orders: two today, three yesterday (a manual order's fixture, dated).
    orders(&repos, ana, &context, Duration::ZERO, 2).await;
    orders(&repos, ana, &context, Duration::days(1), 3).await;
    // A workflow run on this instance, under its lease.
    run(&app, "paper_matching").await;
    let instance = app.get("/api/system/workflows", Some(botfleet_tests::bots::OPS_TOKEN)).await;
    let instance = instance.ok(200)["instance_id"].as_str().unwrap().to_owned();

    let email = format!("sue@{DOMAIN}");
    create_operator(&repos, &email, OperatorRole::Support).await;
    let support = enrol_and_login(&app, &email, "10.0.31.1").await;
    let answer = support.get(&app, "/backoffice/api/metrics").await;
    let m = answer.ok(200).clone();

    let count = |list: &Value, keys: &[(&str, &str)]| -> u64 {
        let items = list.as_array().unwrap();
        let found = items.iter().find(|item| keys.iter().all(|(k, v)| item[*k] == *v));
        found.unwrap_or_else(|| panic!("no {keys:?} in {list}"))["count"].as_u64().unwrap()
    };
    let subs = &m["subscriptions"];
    assert_eq!(subs.as_array().unwrap().len(), 21, "every plan and status pair");
    for (plan, status, expected) in [
        ("FREE", "active", 2),
        ("PRO", "active", 2),
        ("PRO", "canceled", 1),
        ("MAX", "active", 2),
        ("MAX", "past_due", 0),
    ] {
        assert_eq!(count(subs, &[("plan", plan), ("status", status)]), expected, "{plan} {status}");
    }
    let total: u64 = subs.as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 7);
    assert_eq!(count(&m["accounts"], &[("status", "active")]), 6);
    assert_eq!(count(&m["accounts"], &[("status", "blocked")]), 1);
    assert_eq!(count(&m["accounts"], &[("status", "deleted")]), 0);
    // 19.90 + 970 / 12 (80.8333...) in BRL; the USD subscription apart, never converted.
    let mrr = m["mrr"].as_array().unwrap();
    assert_eq!(mrr.len(), 2, "{mrr:?}");
    let brl = mrr.iter().find(|r| r["currency"] == "BRL").unwrap();
    assert_eq!(
        (&brl["provider"], &brl["amount"], &brl["subscriptions"]),
        (&json!("mercadopago"), &json!("100.73"), &json!(2))
    );
    let usd = mrr.iter().find(|r| r["currency"] == "USD").unwrap();
    assert_eq!(
        (&usd["provider"], &usd["amount"], &usd["subscriptions"]),
        (&json!("stripe"), &json!("19.90"), &json!(1))
    );
    assert_eq!(m["unpriced_subscriptions"], json!([{"provider": "stripe", "count": 1}]));
    let days = m["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = OffsetDateTime::now_utc().date();
    let (yesterday, last) = (&days[28], &days[29]);
    assert_eq!(last["day"], today.to_string());
    assert_eq!(yesterday["day"], (today - Duration::days(1)).to_string());
    assert_eq!((&last["signups"], &last["cancellations"], &last["orders"]), (&json!(7), &json!(1), &json!(2)));
    assert_eq!(
        (&yesterday["signups"], &yesterday["cancellations"], &yesterday["orders"]),
        (&json!(0), &json!(0), &json!(3))
    );
    let earlier: u64 = days[..28].iter().map(|d| d["signups"].as_u64().unwrap() + d["orders"].as_u64().unwrap()).sum();
    assert_eq!(earlier, 0);
    for kind in ["smart", "candle", "dca", "channel"] {
        assert_eq!(count(&m["running_bots"], &[("kind", kind)]), 1, "{kind}");
    }
    let workflows = m["workflows"].as_array().unwrap();
    let matching = workflows.iter().find(|w| w["name"] == "paper_matching").unwrap();
    assert_eq!(matching["last_outcome"], "ok");
    assert!(matching["last_run_at"].is_string() && matching["last_success_at"].is_string(), "{matching}");
    assert_eq!((&matching["last_error_at"], &matching["lease_holder"]), (&Value::Null, &json!(instance)));
    assert!(matching["lease_expires_at"].is_string());
    let never = workflows.iter().find(|w| w["name"] == "subscription_reconciliation").unwrap();
    assert_eq!((&never["last_run_at"], &never["lease_holder"]), (&Value::Null, &Value::Null));

    // The same figures as gauges, for the ops token.
    let scrape = app.client.get(app.url("/metrics")).bearer_auth(botfleet_tests::bots::OPS_TOKEN).send().await.unwrap();
    assert!(scrape.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let g = gauges(&scrape.text().await.unwrap());
    let at = |series: &str| *g.get(series).unwrap_or_else(|| panic!("no {series} in {g:#?}"));
    assert_eq!(at("botfleet_platform_up"), 1.0);
    assert_eq!(at(r#"botfleet_platform_users{plan="PRO",status="active"}"#), 2.0);
    assert_eq!(at(r#"botfleet_platform_users{plan="PRO",status="canceled"}"#), 1.0);
    assert_eq!(at(r#"botfleet_platform_users{plan="MAX",status="active"}"#), 2.0);
    assert_eq!(at(r#"botfleet_platform_users{plan="FREE",status="active"}"#), 2.0);
    assert_eq!(at(r#"botfleet_platform_users{plan="FREE",status="paused"}"#), 0.0);
    assert_eq!(at(r#"botfleet_platform_accounts{status="blocked"}"#), 1.0);
    assert_eq!(at(r#"botfleet_platform_mrr{currency="BRL",provider="mercadopago"}"#), 100.73);
    assert_eq!(at(r#"botfleet_platform_mrr{currency="USD",provider="stripe"}"#), 19.9);
    assert_eq!(at(r#"botfleet_platform_mrr_subscriptions{currency="BRL",provider="mercadopago"}"#), 2.0);
    assert_eq!(at(r#"botfleet_platform_unpriced_subscriptions{provider="stripe"}"#), 1.0);
    assert_eq!(at(&format!(r#"botfleet_platform_signups{{day="{today}"}}"#)), 7.0);
    assert_eq!(at(&format!(r#"botfleet_platform_cancellations{{day="{today}"}}"#)), 1.0);
    assert_eq!(at(&format!(r#"botfleet_platform_orders{{day="{today}"}}"#)), 2.0);
    assert_eq!(at(&format!(r#"botfleet_platform_orders{{day="{}"}}"#, today - Duration::days(1))), 3.0);
    for kind in ["smart", "candle", "dca", "channel"] {
        assert_eq!(at(&format!(r#"botfleet_platform_running_bots{{kind="{kind}"}}"#)), 1.0);
    }
    let lease = format!(
        r#"botfleet_platform_workflow_lease_expiry_timestamp_seconds{{holder="{instance}",workflow="paper_matching"}}"#
    );
    assert!(at(&lease) > OffsetDateTime::now_utc().unix_timestamp() as f64 - 60.0);
    let last_run = at(r#"botfleet_platform_workflow_last_run_timestamp_seconds{workflow="paper_matching"}"#);
    assert!(last_run <= at(r#"botfleet_platform_workflow_last_success_timestamp_seconds{workflow="paper_matching"}"#));
    assert!(!g.keys().any(|k| k.starts_with("botfleet_platform_workflow_last_error")), "no run failed");
    // Served from the snapshot: the JSON's computed_at is the gauge's.
    let computed =
        OffsetDateTime::parse(m["computed_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(
        (at("botfleet_platform_computed_timestamp_seconds") - computed.unix_timestamp_nanos() as f64 / 1e9).abs()
            < 0.001
    );
}
