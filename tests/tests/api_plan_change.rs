//! Plan changes through the running server on both stores, against the strict Stripe and Mercado
//! Pago fakes: PRO -> MAX on Stripe mid-period, charged at once with the proration the fake
//! computes on its own and the figure worked out here; MAX -> PRO scheduled, undone, scheduled
//! again and applied by the renewal with the bots over PRO's limits paused; MAX -> PRO on a
//! Mercado Pago preapproval (the next charge's amount updated); its upgrade, charged by PIX, is
//! tested in `api_plan_change_mp.rs`.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::billing::{dec, me, stripe_event, unix};
use botfleet_tests::bots::{bot, bot_app, command, create_bot};
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, FakeStripe};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    pro_to_max_on_stripe_is_prorated_at_once,
    max_to_pro_is_scheduled_undone_and_applied_at_the_period_end,
    mercadopago_lowers_the_next_charge_and_cannot_prorate,
);

const DAY: i64 = 86_400;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn server(store: Store, settings: Vec<(&'static str, String)>) -> TestApp {
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bot_app(store, &pairs).await.0
}

/// `user` holds Stripe subscription `sub` on `plan` for the period `start`..`end`.
async fn subscribed(app: &TestApp, fake: &FakeStripe, user: &Session, sub: &str, plan: &str, start: i64, end: i64) {
    fake.subscribe_for(sub, &user.user_id, plan, start, end);
    let checkout = json!({"id": format!("cs_{sub}"), "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": sub, "metadata": {"user_id": user.user_id, "plan": plan}});
    assert_eq!(
        stripe_event(app, &format!("evt_{sub}_checkout"), "checkout.session.completed", checkout).await,
        "applied"
    );
    assert_eq!(me(app, user).await["plan"], plan);
}

/// Stripe's proration, worked out here: the share of each monthly price for the time left,
/// rounded to the centavo, new less old.
fn expected_proration(at: i64, start: i64, end: i64) -> Decimal {
    let share = |centavos: i64| {
        (Decimal::from(centavos) * Decimal::from(end - at) / Decimal::from(end - start))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
    };
    (share(9700) - share(1990)) / Decimal::from(100)
}

async fn pro_to_max_on_stripe_is_prorated_at_once(store: Store) {
    let fake = FakeStripe::start().await;
    let app = server(store, fake.settings()).await;
    let user = app.user("change-a@example.com").await;
    let (start, end) = (now() - 10 * DAY, now() + 20 * DAY);
    subscribed(&app, &fake, &user, "sub_up_1", "PRO", start, end).await;

    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &json!({"plan": "MAX"})).await;
    let preview = preview.ok(200).clone();
    let at = preview["proration_date"].as_i64().unwrap();
    assert_eq!((preview["kind"].as_str(), preview["currency"].as_str()), (Some("upgrade"), Some("BRL")));
    let expected = expected_proration(at, start, end);
    // Ten days into thirty: about two thirds of R$ 97 less two thirds of R$ 19,90.
    assert!((Decimal::new(5130, 2)..=Decimal::new(5150, 2)).contains(&expected), "{expected}");
    assert_eq!((dec(&preview["amount_due"]), dec(&preview["proration"])), (expected, expected), "{preview}");
    assert_eq!(me(&app, &user).await["plan"], "PRO", "a preview changes nothing");

    let stale = json!({"plan": "MAX", "proration_date": now() - 7200});
    let refused = app.post("/api/subscriptions/change", Some(&user.access), &stale).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "proration_date");
    let free = app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "FREE"})).await;
    assert_eq!(free.problem(422, "validation_failed")["errors"][0]["field"], "plan");

    let body = json!({"plan": "MAX", "proration_date": at});
    let changed = app.post("/api/subscriptions/change", Some(&user.access), &body).await.ok(200).clone();
    assert_eq!((changed["plan"].as_str(), changed["effective_plan"].as_str()), (Some("MAX"), Some("MAX")));
    assert_eq!(unix(&changed["current_period_end"]), end, "the billing date stays");
    assert_eq!(changed["entitlements"]["advanced_indicators"], true);
    let sent = fake.plan_changes().pop().unwrap();
    assert_eq!(sent["items[0][id]"], "si_sub_up_1");
    assert_eq!(sent["items[0][price]"], stripe::PRICE_MAX);
    assert_eq!(
        (sent["proration_behavior"].as_str(), sent["proration_date"].clone()),
        ("always_invoice", at.to_string())
    );
    let invoice = fake.invoices().pop().unwrap();
    assert_eq!(Decimal::new(invoice["amount_due"].as_i64().unwrap(), 2), expected, "charged what was previewed");

    let again = app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "MAX"})).await;
    again.problem(409, "plan_change_refused");
}

fn candle(indicator: &str) -> Value {
    json!({"timeframe": "1h", "indicators": [{"indicator": indicator}], "order_amount": "100",
        "allocated_balance": "1000"})
}

async fn max_to_pro_is_scheduled_undone_and_applied_at_the_period_end(store: Store) {
    let fake = FakeStripe::start().await;
    let app = server(store, fake.settings()).await;
    let user = app.user("change-b@example.com").await;
    let (start, end) = (now() - 5 * DAY, now() + 25 * DAY);
    subscribed(&app, &fake, &user, "sub_down_1", "MAX", start, end).await;
    let body = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let advanced = create_bot(&app, &user, &ctx, "candle", candle("vwap")).await["id"].as_str().unwrap().to_owned();
    let plain = create_bot(&app, &user, &ctx, "candle", candle("rsi")).await["id"].as_str().unwrap().to_owned();
    for id in [&advanced, &plain] {
        command(&app, &user, id, "start").await;
    }
    let price = || fake.subscription("sub_down_1")["items"]["data"][0]["price"]["id"].as_str().unwrap().to_owned();

    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &json!({"plan": "PRO"})).await;
    let preview = preview.ok(200).clone();
    assert_eq!((preview["kind"].as_str(), unix(&preview["effective_at"])), (Some("downgrade"), end));
    assert!(preview["amount_due"].is_null(), "{preview}");

    let scheduled =
        app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "PRO"})).await.ok(200).clone();
    assert_eq!(
        (scheduled["plan"].as_str(), scheduled["scheduled_change"]["plan"].as_str()),
        (Some("MAX"), Some("PRO"))
    );
    assert_eq!(unix(&scheduled["scheduled_change"]["effective_at"]), end);
    assert_eq!(price(), stripe::PRICE_PRO, "Stripe bills PRO from the next period");
    assert_eq!(fake.plan_changes().last().unwrap()["proration_behavior"], "none");
    assert!(fake.invoices().is_empty(), "nothing is charged or credited now");
    // Stripe tells of the price change: the paid MAX period is kept.
    let update = fake.subscription("sub_down_1");
    assert_eq!(stripe_event(&app, "evt_down_upd_1", "customer.subscription.updated", update).await, "unchanged");
    assert_eq!(me(&app, &user).await["effective_plan"], "MAX");
    assert_eq!(bot(&app, &user, &advanced).await["status"], "running");

    let undone = app.delete("/api/subscriptions/change", Some(&user.access), None).await.ok(200).clone();
    assert!(undone["scheduled_change"].is_null(), "{undone}");
    assert_eq!((undone["plan"].as_str(), price()), (Some("MAX"), stripe::PRICE_MAX.to_owned()));
    app.delete("/api/subscriptions/change", Some(&user.access), None).await.problem(409, "nothing_scheduled");

    let again =
        app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "PRO"})).await.ok(200).clone();
    assert_eq!(again["scheduled_change"]["plan"], "PRO");
    assert_eq!(price(), stripe::PRICE_PRO, "scheduling again reaches Stripe again");
    assert_eq!(fake.plan_changes().len(), 3);

    let renewal = fake.renew("sub_down_1");
    assert_eq!(stripe_event(&app, "evt_down_renewal", "invoice.paid", renewal).await, "applied");
    let after = me(&app, &user).await;
    assert_eq!((after["plan"].as_str(), after["scheduled_change"].is_null()), (Some("PRO"), true), "{after}");
    assert_eq!(unix(&after["current_period_end"]), end + 30 * DAY);
    let paused = bot(&app, &user, &advanced).await;
    assert_eq!(paused["status"], "paused", "{paused}");
    assert!(paused["status_reason"].as_str().unwrap().contains("advanced indicators"), "{paused}");
    assert_eq!(bot(&app, &user, &plain).await["status"], "running");
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let renewed = &invoices["items"][0];
    assert_eq!((renewed["plan"].as_str(), renewed["amount"].as_str()), (Some("PRO"), Some("19.90")), "{invoices}");
}

async fn mercadopago_lowers_the_next_charge_and_cannot_prorate(store: Store) {
    let fake = FakeMercadoPago::start().await;
    let app = server(store, fake.settings()).await;
    let user = app.user("change-c@example.com").await;
    let body = json!({"plan": "MAX", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201);
    let id = fake.preapprovals().keys().next().unwrap().clone();
    let next = OffsetDateTime::from_unix_timestamp(now() + 20 * DAY).unwrap().format(&Rfc3339).unwrap();
    fake.set_preapproval(&id, "authorized", &next, "2026-11-02T10:00:00.000-03:00");
    let (body, query, headers) =
        signed_notification("subscription_preapproval", &id, 1, mercadopago::WEBHOOK_SECRET, now());
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");

    let scheduled =
        app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "PRO"})).await.ok(200).clone();
    assert_eq!(
        (scheduled["plan"].as_str(), scheduled["scheduled_change"]["plan"].as_str()),
        (Some("MAX"), Some("PRO"))
    );
    let preapproval = &fake.preapprovals()[&id];
    assert_eq!(preapproval["auto_recurring"]["transaction_amount"], json!(19.9), "{preapproval}");
    assert_eq!(preapproval["external_reference"], format!("botfleet:{}:PRO", user.user_id));

    let undone = app.delete("/api/subscriptions/change", Some(&user.access), None).await.ok(200).clone();
    assert_eq!((undone["plan"].as_str(), undone["scheduled_change"].is_null()), (Some("MAX"), true));
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(97));

    let pro = app.user("change-d@example.com").await;
    let refused = app.post("/api/subscriptions/change/preview", Some(&pro.access), &json!({"plan": "MAX"})).await;
    refused.problem(409, "plan_change_refused");
}
