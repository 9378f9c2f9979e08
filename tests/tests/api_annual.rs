//! Annual plans by card, end to end through the running server on both stores: Mercado Pago's
//! yearly preapproval (`frequency: 12`) at the configured annual price, Stripe's annual prices
//! when configured (and a 422 naming `period` when not), and `GET /api/plans` showing where a
//! year can be bought.

use botfleet_tests::app::{settings, spawn_with, Store, TestApp};
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe, PRICE_MAX_ANNUAL, PRICE_PRO_ANNUAL};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    a_year_by_card_at_mercado_pago_is_a_yearly_preapproval_at_the_configured_price,
    stripe_sells_a_year_by_card_only_with_its_annual_prices,
    a_yearly_subscription_changes_plan_at_the_yearly_price,
);

async fn spawn(store: Store, extra: Vec<(&'static str, String)>) -> TestApp {
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with(settings(store, &pairs)).await
}

fn card(plan: &str, provider: &str) -> Value {
    json!({"plan": plan, "provider": provider, "period": "annual", "success_url": "https://app.example.com/ok",
        "cancel_url": "https://app.example.com/no"})
}

fn offered(plans: &Value, plan: usize) -> Vec<String> {
    let offers = plans["items"][plan]["annual_offered_by"].as_array().unwrap();
    offers.iter().map(|o| format!("{}:{}", o["provider"].as_str().unwrap(), o["method"].as_str().unwrap())).collect()
}

async fn a_year_by_card_at_mercado_pago_is_a_yearly_preapproval_at_the_configured_price(store: Store) {
    let fake = FakeMercadoPago::start().await;
    let mut extra = fake.settings();
    extra.push(("BOTFLEET_PLAN_PRO_ANNUAL_PRICE", "179.10".into()));
    let app = spawn(store, extra).await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    let pro = &plans["items"][1];
    // 179.10 / 12 = 14.925 -> 14.93 (half away from zero); 19.90 x 12 - 179.10 = 59.70.
    let prices =
        (pro["annual_price"].as_str(), pro["annual_monthly_equivalent"].as_str(), pro["annual_saving"].as_str());
    assert_eq!(prices, (Some("179.10"), Some("14.93"), Some("59.70")));
    assert_eq!(plans["items"][2]["annual_price"], "970.00", "MAX keeps ten months");
    assert_eq!(offered(&plans, 1), ["mercadopago:pix", "mercadopago:boleto", "mercadopago:card"]);
    assert!(offered(&plans, 0).is_empty(), "FREE is not sold");

    let user = app.user("annual-a@example.com").await;
    let started = app.post("/api/subscriptions/checkout", Some(&user.access), &card("PRO", "mercadopago")).await;
    let started = started.ok(201).clone();
    assert_eq!((started["period"].as_str(), started["method"].as_str()), (Some("annual"), Some("card")));
    let preapproval = &fake.preapprovals()[started["reference"].as_str().unwrap()];
    let recurring = &preapproval["auto_recurring"];
    assert_eq!(
        (
            recurring["frequency"].as_u64(),
            recurring["frequency_type"].as_str(),
            recurring["transaction_amount"].as_f64()
        ),
        (Some(12), Some("months"), Some(179.1))
    );
    // PIX charges the same annual price.
    let pix = json!({"plan": "PRO", "method": "pix", "period": "annual"});
    let other = app.user("annual-b@example.com").await;
    let charge = app.post("/api/subscriptions/checkout", Some(&other.access), &pix).await.ok(201).clone();
    assert_eq!(charge["amount"], "179.10");
}

async fn stripe_sells_a_year_by_card_only_with_its_annual_prices(store: Store) {
    let fake = FakeStripe::start().await;
    let monthly_only = spawn(store, fake.settings()).await;
    let plans = monthly_only.get("/api/plans", None).await.ok(200).clone();
    assert!(offered(&plans, 1).is_empty(), "no Mercado Pago, no Stripe annual prices: {plans}");
    let user = monthly_only.user("annual-c@example.com").await;
    let refused = monthly_only.post("/api/subscriptions/checkout", Some(&user.access), &card("MAX", "stripe")).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "period");
    assert!(fake.sessions().is_empty(), "nothing reached Stripe");

    let app = spawn(store, fake.settings_with_annual_prices()).await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    assert_eq!(offered(&plans, 2), ["stripe:card"]);
    let user = app.user("annual-d@example.com").await;
    let started = app.post("/api/subscriptions/checkout", Some(&user.access), &card("MAX", "stripe")).await;
    assert_eq!(started.ok(201)["period"], "annual");
    let sessions = fake.sessions();
    assert_eq!(sessions[0]["line_items[0][price]"], PRICE_MAX_ANNUAL);
    assert_eq!(sessions[0]["subscription_data[metadata][plan]"], "MAX");
}

async fn a_yearly_subscription_changes_plan_at_the_yearly_price(store: Store) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let extra: Vec<(&'static str, String)> =
        mp.settings().into_iter().chain(stripe.settings_with_annual_prices()).collect();
    let app = spawn(store, extra).await;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let change = |plan: &str| json!({"plan": plan});

    // Stripe: a yearly MAX lowered to PRO is billed PRO's yearly price from the next period.
    let ana = app.user("annual-e@example.com").await;
    stripe.subscribe_for("sub_year", &ana.user_id, "MAX", now - 86_400, now + 364 * 86_400);
    stripe.set_price("sub_year", PRICE_MAX_ANNUAL);
    let checkout = json!({"id": "cs_year", "object": "checkout.session", "client_reference_id": ana.user_id,
        "customer": "cus_fake_1", "subscription": "sub_year", "metadata": {"user_id": ana.user_id, "plan": "MAX"}});
    let (body, signature) =
        signed_event("evt_year", "checkout.session.completed", checkout, now, stripe::WEBHOOK_SECRET, now);
    let ack = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    let scheduled = app.post("/api/subscriptions/change", Some(&ana.access), &change("PRO")).await;
    assert_eq!(scheduled.ok(200)["scheduled_change"]["plan"], "PRO");
    let sent = stripe.plan_changes();
    assert_eq!(sent.last().unwrap()["items[0][price]"], PRICE_PRO_ANNUAL, "the period is kept");

    // Mercado Pago: a yearly preapproval's next charge becomes PRO's annual price.
    let bia = app.user("annual-f@example.com").await;
    app.post("/api/subscriptions/checkout", Some(&bia.access), &card("MAX", "mercadopago")).await.ok(201);
    let id = mp.preapprovals().keys().next().unwrap().clone();
    let next = OffsetDateTime::from_unix_timestamp(now + 300 * 86_400).unwrap().format(&Rfc3339).unwrap();
    mp.set_preapproval(&id, "authorized", &next, "2026-11-02T10:00:00.000-03:00");
    let (body, query, headers) =
        signed_notification("subscription_preapproval", &id, 1, mercadopago::WEBHOOK_SECRET, now);
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    app.post("/api/subscriptions/change", Some(&bia.access), &change("PRO")).await.ok(200);
    let recurring = mp.preapprovals()[&id]["auto_recurring"].clone();
    assert_eq!((recurring["frequency"].as_u64(), recurring["transaction_amount"].as_f64()), (Some(12), Some(199.0)));
}
