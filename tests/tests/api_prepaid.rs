//! Periods paid by PIX and boleto, end to end through the running server on both stores, against
//! the strict Mercado Pago fake: the QR code and boleto slip answered, an approved payment
//! granting 30 days, a second one extending from the end, an expired boleto changing nothing, a
//! lapsed period back to FREE with the bots beyond its limit paused, an annual PIX, and a lost
//! notification repaired by reconciliation.

use botfleet_tests::app::{settings, spawn_with, Session, Store, TestApp};
use botfleet_tests::billing::me;
use botfleet_tests::bots::{bot, bot_app, running_smart_bots};
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    pix_paid_grants_30_days_and_a_second_pix_extends_from_the_end,
    an_expired_boleto_changes_nothing_and_bad_payers_are_named,
    a_lapsed_period_is_back_to_free,
    reconciliation_repairs_a_lost_payment_notification,
    an_annual_pix_buys_365_days_at_the_listed_price,
    a_lapse_pauses_the_bots_beyond_free,
    checkouts_at_once_make_one_payment,
);

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

async fn server(store: Store, reconcile_secs: &str) -> (TestApp, FakeMercadoPago) {
    let fake = FakeMercadoPago::start().await;
    let mut extra = fake.settings();
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", reconcile_secs.to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (spawn_with(settings(store, &pairs)).await, fake)
}

fn period_end(subscription: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(subscription["current_period_end"].as_str().unwrap(), &Rfc3339).unwrap()
}

async fn checkout(app: &TestApp, user: &Session, body: Value) -> Value {
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201).clone()
}

async fn notify(app: &TestApp, payment: &str, notification: u64) -> String {
    let (body, query, headers) = signed_notification("payment", payment, notification, mercadopago::WEBHOOK_SECRET, 1);
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    ack.ok(200)["outcome"].as_str().unwrap().to_owned()
}

fn boleto_payer() -> Value {
    json!({"first_name": "Ana", "last_name": "Silva", "identification": "191.191.191-00",
        "address": {"zip_code": "01310-100", "street_name": "Av. Paulista", "street_number": "1000",
            "neighborhood": "Bela Vista", "city": "São Paulo", "federal_unit": "SP"}})
}

async fn pix_paid_grants_30_days_and_a_second_pix_extends_from_the_end(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("pix-a@example.com").await;
    let pix = json!({"plan": "PRO", "method": "pix", "period": "monthly"});
    let first = checkout(&app, &user, pix.clone()).await;
    assert_eq!((first["method"].as_str(), first["provider"].as_str()), (Some("pix"), Some("mercadopago")));
    assert_eq!((first["amount"].as_str(), first["currency"].as_str()), (Some("19.90"), Some("BRL")));
    assert!(first["pix"]["qr_code"].as_str().is_some_and(|c| c.starts_with("000201")), "{first}");
    assert!(first["pix"]["qr_code_base64"].as_str().is_some_and(|c| !c.is_empty()));
    let expires = OffsetDateTime::parse(first["expires_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((expires - now() - Duration::hours(24)).abs() < Duration::minutes(1), "PIX codes last 24 h");
    let again = checkout(&app, &user, pix.clone()).await;
    assert_eq!(again["reference"], first["reference"], "a retry hands out the same pending PIX");
    assert_eq!(again["amount"], first["amount"]);
    let sent = fake.payment_requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0]["payment_method_id"].as_str(), sent[0]["transaction_amount"].as_f64()),
        (Some("pix"), Some(19.9))
    );
    let reference = sent[0]["external_reference"].as_str().unwrap();
    assert!(reference.starts_with(&format!("botfleet:{}:PRO:monthly:", user.user_id)), "{reference}");
    assert_eq!(sent[0]["payer"]["email"], "pix-a@example.com");
    assert_eq!(me(&app, &user).await["plan"], "FREE", "nothing before the payment is approved");

    let paid_at = now() - Duration::hours(1);
    let id = first["reference"].as_str().unwrap();
    fake.approve_payment(id, paid_at);
    assert_eq!(notify(&app, id, 1).await, "applied");
    let pro = me(&app, &user).await;
    assert_eq!((pro["plan"].as_str(), pro["provider"].as_str()), (Some("PRO"), Some("mercadopago")));
    assert_eq!(period_end(&pro), paid_at + Duration::days(30));
    assert_eq!(pro["usage"]["contexts"]["limit"], 3);
    assert_eq!(notify(&app, id, 2).await, "unchanged", "another notification of the same payment");

    let second = checkout(&app, &user, pix).await;
    assert_ne!(second["reference"], first["reference"]);
    let id = second["reference"].as_str().unwrap();
    fake.approve_payment(id, now());
    assert_eq!(notify(&app, id, 3).await, "applied");
    assert_eq!(period_end(&me(&app, &user).await), paid_at + Duration::days(60), "extended from the end");
    let max = json!({"plan": "MAX", "method": "pix"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &max).await.problem(409, "already_subscribed");
}

async fn an_expired_boleto_changes_nothing_and_bad_payers_are_named(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("boleto-a@example.com").await;
    let bare = json!({"plan": "PRO", "method": "boleto"});
    let problem = app.post("/api/subscriptions/checkout", Some(&user.access), &bare).await;
    let fields: Vec<String> = problem.problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].to_string())
        .collect();
    assert!(fields.iter().any(|f| f.contains("payer.identification")), "{fields:?}");
    let mut wrong = boleto_payer();
    wrong["identification"] = json!("191.191.191-01");
    wrong["address"]["federal_unit"] = json!("XX");
    let body = json!({"plan": "PRO", "method": "boleto", "payer": wrong});
    let text = app
        .post("/api/subscriptions/checkout", Some(&user.access), &body)
        .await
        .problem(422, "validation_failed")
        .to_string();
    assert!(text.contains("payer.identification") && text.contains("payer.address.federal_unit"), "{text}");
    let stripe_pix = json!({"plan": "PRO", "method": "pix", "provider": "stripe"});
    let text = app
        .post("/api/subscriptions/checkout", Some(&user.access), &stripe_pix)
        .await
        .problem(422, "validation_failed")
        .to_string();
    assert!(text.contains("method"), "{text}");
    assert!(fake.payment_requests().is_empty(), "nothing refused reached Mercado Pago");

    let boleto = checkout(&app, &user, json!({"plan": "PRO", "method": "boleto", "payer": boleto_payer()})).await;
    assert!(boleto["boleto"]["url"].as_str().is_some_and(|u| u.starts_with("https://")), "{boleto}");
    assert!(boleto["boleto"]["barcode"].as_str().is_some() && boleto["boleto"]["digitable_line"].as_str().is_some());
    let due = OffsetDateTime::parse(boleto["expires_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((due - now() - Duration::days(3)).abs() < Duration::minutes(1), "boleto due in 3 days");
    let sent = &fake.payment_requests()[0];
    assert_eq!(sent["payment_method_id"], "bolbradesco");
    assert_eq!(sent["payer"]["identification"], json!({"type": "CPF", "number": "19119119100"}));
    assert_eq!(
        (sent["payer"]["address"]["zip_code"].as_str(), sent["payer"]["address"]["federal_unit"].as_str()),
        (Some("01310100"), Some("SP"))
    );

    let id = boleto["reference"].as_str().unwrap();
    fake.expire_payment(id);
    assert_eq!(notify(&app, id, 1).await, "unchanged");
    let free = me(&app, &user).await;
    assert_eq!((free["plan"].as_str(), free["current_period_end"].as_str()), (Some("FREE"), None));
}

async fn a_lapsed_period_is_back_to_free(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("pix-b@example.com").await;
    let pix = checkout(&app, &user, json!({"plan": "MAX", "method": "pix"})).await;
    let id = pix["reference"].as_str().unwrap();
    fake.approve_payment(id, now() - Duration::days(31));
    assert_eq!(notify(&app, id, 1).await, "applied");
    let lapsed = me(&app, &user).await;
    assert_eq!((lapsed["plan"].as_str(), lapsed["usage"]["contexts"]["limit"].as_u64()), (Some("FREE"), Some(1)));
    assert!(lapsed["status_reason"].as_str().is_some_and(|r| r.contains("period ended")), "{lapsed}");
}

async fn reconciliation_repairs_a_lost_payment_notification(store: Store) {
    let (app, fake) = server(store, "1").await;
    let user = app.user("pix-c@example.com").await;
    let pix = checkout(&app, &user, json!({"plan": "PRO", "method": "pix"})).await;
    let paid_at = now();
    fake.approve_payment(pix["reference"].as_str().unwrap(), paid_at);
    for _ in 0..100 {
        let current = me(&app, &user).await;
        if current["plan"] == "PRO" {
            assert_eq!(period_end(&current), paid_at + Duration::days(30));
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("reconciliation never found the approved PIX by its external reference");
}

async fn an_annual_pix_buys_365_days_at_the_listed_price(store: Store) {
    let (app, fake) = server(store, "0").await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    let prices: Vec<(Value, Value, Value, Value)> = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["monthly_price"].clone(),
                p["annual_price"].clone(),
                p["annual_monthly_equivalent"].clone(),
                p["annual_saving"].clone(),
            )
        })
        .collect();
    // By hand: 19.90 x 10 = 199.00, 199 / 12 = 16.583.. -> 16.58, 19.90 x 12 - 199 = 39.80; 97 x 10 = 970,
    // 970 / 12 = 80.833.. -> 80.83, 97 x 12 - 970 = 194.
    assert_eq!(prices[1], (json!("19.90"), json!("199.00"), json!("16.58"), json!("39.80")));
    let max = (prices[2].1.as_str(), prices[2].2.as_str(), prices[2].3.as_str());
    assert_eq!(max, (Some("970.00"), Some("80.83"), Some("194.00")));
    assert_eq!(prices[0].1, "0.00");

    let user = app.user("pix-d@example.com").await;
    let annual = checkout(&app, &user, json!({"plan": "PRO", "method": "pix", "period": "annual"})).await;
    assert_eq!((annual["amount"].as_str(), annual["period"].as_str()), (Some("199.00"), Some("annual")));
    assert_eq!(fake.payment_requests()[0]["transaction_amount"].as_f64(), Some(199.0));
    let paid_at = now();
    let id = annual["reference"].as_str().unwrap();
    fake.approve_payment(id, paid_at);
    assert_eq!(notify(&app, id, 1).await, "applied");
    assert_eq!(period_end(&me(&app, &user).await), paid_at + Duration::days(365));
    // A year by card is a yearly preapproval at the same annual price (see api_annual.rs).
    let card = json!({"plan": "PRO", "provider": "mercadopago", "period": "annual",
        "success_url": "https://app.example/ok", "cancel_url": "https://app.example/no"});
    let started = app.post("/api/subscriptions/checkout", Some(&user.access), &card).await.ok(201).clone();
    assert_eq!(started["period"], "annual");
    let preapproval = &fake.preapprovals()[started["reference"].as_str().unwrap()];
    let recurring = &preapproval["auto_recurring"];
    assert_eq!((recurring["frequency"].as_u64(), recurring["transaction_amount"].as_f64()), (Some(12), Some(199.0)));
}

async fn a_lapse_pauses_the_bots_beyond_free(store: Store) {
    let fake = FakeMercadoPago::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, _repos) = bot_app(store, &pairs).await;
    let user = app.user("pix-e@example.com").await;
    let pix = checkout(&app, &user, json!({"plan": "PRO", "method": "pix"})).await;
    let id = pix["reference"].as_str().unwrap();
    // Paid so that the 30 days end a few seconds from now.
    let end = now() + Duration::seconds(6);
    fake.approve_payment(id, end - Duration::days(30));
    assert_eq!(notify(&app, id, 1).await, "applied");
    let bots = running_smart_bots(&app, &user, 3).await;
    assert_eq!(me(&app, &user).await["plan"], "PRO", "the bots were made before the end");
    let wait = end - now() + Duration::seconds(1);
    tokio::time::sleep(std::time::Duration::from_millis(wait.whole_milliseconds().max(0) as u64)).await;
    assert_eq!(me(&app, &user).await["plan"], "FREE");
    let statuses: Vec<Value> = statuses_of(&app, &user, &bots).await;
    assert_eq!(statuses, [json!("running"), json!("running"), json!("paused")], "FREE keeps the two oldest bots");
}

async fn statuses_of(app: &TestApp, user: &Session, bots: &[String]) -> Vec<Value> {
    let mut statuses = Vec::new();
    for id in bots {
        statuses.push(bot(app, user, id).await["status"].clone());
    }
    statuses
}

/// A double click (or two tabs): the PIX checkouts sent at once, while Mercado Pago takes its
/// time, hand out one payment; each answer names it.
async fn checkouts_at_once_make_one_payment(store: Store) {
    let (app, fake) = server(store, "0").await;
    fake.slow_payments(std::time::Duration::from_millis(300));
    let user = app.user("pix-race@example.com").await;
    let pix = json!({"plan": "PRO", "method": "pix", "period": "monthly"});
    let answers = futures::future::join_all((0..4).map(|_| checkout(&app, &user, pix.clone()))).await;
    assert_eq!(fake.payment_requests().len(), 1, "one payment at Mercado Pago");
    assert!(answers.iter().all(|a| a["reference"] == answers[0]["reference"]), "{answers:?}");
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    assert_eq!(invoices["total"], 1, "one charge recorded: {invoices}");
}
