//! The invoice list end to end, through the running server on both stores, against the strict
//! Stripe and Mercado Pago fakes: PIX and boleto charges with their status and period, a Stripe
//! invoice listed once with its hosted-invoice URL however often it is reported, paging.

use botfleet_tests::app::{settings, spawn_with, Session, Store, TestApp};
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    pix_and_boleto_charges_are_listed_newest_first_and_paged,
    a_stripe_invoice_is_listed_once,
);

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

async fn server(store: Store) -> (TestApp, FakeMercadoPago, FakeStripe) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let mut extra = mp.settings();
    extra.extend(stripe.settings());
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0".to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (spawn_with(settings(store, &pairs)).await, mp, stripe)
}

async fn invoices(app: &TestApp, user: &Session, query: &str) -> Value {
    app.get(&format!("/api/subscriptions/invoices{query}"), Some(&user.access)).await.ok(200).clone()
}

async fn notify(app: &TestApp, payment: &str, notification: u64) {
    let (body, query, headers) = signed_notification("payment", payment, notification, mercadopago::WEBHOOK_SECRET, 1);
    app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await.ok(200);
}

async fn pix_and_boleto_charges_are_listed_newest_first_and_paged(store: Store) {
    let (app, mp, _stripe) = server(store).await;
    let user = app.user("inv-a@example.com").await;
    assert_eq!(invoices(&app, &user, "").await["total"], 0);
    let pix = json!({"plan": "PRO", "method": "pix"});
    let pix = app.post("/api/subscriptions/checkout", Some(&user.access), &pix).await.ok(201).clone();
    let paid_at = now() - Duration::hours(2);
    mp.approve_payment(pix["reference"].as_str().unwrap(), paid_at);
    notify(&app, pix["reference"].as_str().unwrap(), 1).await;
    let payer = json!({"first_name": "Ana", "last_name": "Silva", "identification": "529.982.247-25",
        "address": {"zip_code": "01310100", "street_name": "Av. Paulista", "street_number": "1",
            "neighborhood": "Bela Vista", "city": "São Paulo", "federal_unit": "SP"}});
    let boleto = json!({"plan": "PRO", "method": "boleto", "payer": payer});
    let boleto = app.post("/api/subscriptions/checkout", Some(&user.access), &boleto).await.ok(201).clone();
    mp.expire_payment(boleto["reference"].as_str().unwrap());
    notify(&app, boleto["reference"].as_str().unwrap(), 2).await;

    let list = invoices(&app, &user, "").await;
    assert_eq!(list["total"], 2, "{list}");
    let (newest, oldest) = (&list["items"][0], &list["items"][1]);
    assert_eq!((newest["method"].as_str(), newest["status"].as_str()), (Some("boleto"), Some("expired")));
    assert_eq!((newest["paid_at"].as_str(), newest["period_end"].as_str()), (None, None));
    assert!(newest["url"].as_str().is_some_and(|u| u.starts_with("https://")), "{newest}");
    assert_eq!((oldest["method"].as_str(), oldest["status"].as_str()), (Some("pix"), Some("approved")));
    assert_eq!((oldest["amount"].as_str(), oldest["currency"].as_str()), (Some("19.90"), Some("BRL")));
    assert_eq!((oldest["provider"].as_str(), oldest["plan"].as_str()), (Some("mercadopago"), Some("PRO")));
    assert_eq!(oldest["provider_reference"], pix["reference"]);
    let end =
        OffsetDateTime::parse(oldest["period_end"].as_str().unwrap(), &time::format_description::well_known::Rfc3339);
    assert_eq!(end.unwrap(), paid_at + Duration::days(30));

    let page = invoices(&app, &user, "?offset=1&limit=1").await;
    assert_eq!((page["total"].as_u64(), page["items"].as_array().map(Vec::len)), (Some(2), Some(1)));
    assert_eq!(page["items"][0]["id"], oldest["id"]);
    let other = app.user("inv-b@example.com").await;
    assert_eq!(invoices(&app, &other, "").await["total"], 0, "only the caller's charges");
    let bad = app.get("/api/subscriptions/invoices?limit=0", Some(&user.access)).await;
    assert!(bad.problem(400, "invalid_query").to_string().contains("limit"));
    app.get("/api/subscriptions/invoices", None).await.problem(401, "missing_token");
}

async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value) -> Value {
    let t = now().unix_timestamp();
    let (body, signature) = signed_event(id, kind, object, t, stripe::WEBHOOK_SECRET, t);
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    answer.ok(200).clone()
}

async fn a_stripe_invoice_is_listed_once(store: Store) {
    let (app, _mp, fake) = server(store).await;
    let user = app.user("inv-c@example.com").await;
    let end = now().unix_timestamp() + 30 * 86_400;
    fake.subscribe("sub_inv", &user.user_id, "MAX", end);
    let session = json!({"id": "cs_inv", "object": "checkout.session", "mode": "subscription", "status": "complete",
        "client_reference_id": user.user_id, "customer": "cus_fake_1", "subscription": "sub_inv",
        "metadata": {"user_id": user.user_id, "plan": "MAX"}});
    assert_eq!(stripe_event(&app, "evt_inv_1", "checkout.session.completed", session).await["outcome"], "applied");
    let url = "https://invoice.stripe.com/i/acct_1/test_inv";
    let invoice = json!({"id": "in_inv", "object": "invoice", "status": "paid", "amount_paid": 9700, "currency": "brl",
        "hosted_invoice_url": url, "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_inv"}},
        "lines": {"object": "list", "data": [{"id": "il_1", "period": {"start": end - 30 * 86_400, "end": end}}]}});
    stripe_event(&app, "evt_inv_2", "invoice.paid", invoice.clone()).await;
    stripe_event(&app, "evt_inv_3", "invoice.payment_succeeded", invoice).await;
    let list = invoices(&app, &user, "").await;
    assert_eq!(list["total"], 1, "one invoice reported twice is listed once: {list}");
    let item = &list["items"][0];
    assert_eq!(
        (item["provider"].as_str(), item["method"].as_str(), item["status"].as_str()),
        (Some("stripe"), Some("card"), Some("approved"))
    );
    assert_eq!(
        (item["amount"].as_str(), item["currency"].as_str(), item["plan"].as_str()),
        (Some("97.00"), Some("BRL"), Some("MAX"))
    );
    assert_eq!((item["url"].as_str(), item["provider_reference"].as_str()), (Some(url), Some("in_inv")));
    let period_end =
        OffsetDateTime::parse(item["period_end"].as_str().unwrap(), &time::format_description::well_known::Rfc3339);
    assert_eq!(period_end.unwrap().unix_timestamp(), end);
}
