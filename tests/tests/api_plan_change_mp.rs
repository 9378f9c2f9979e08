//! PRO -> MAX on a Mercado Pago card subscription (preapproval), through the running server on
//! both stores against the strict Mercado Pago fake: the difference for the rest of the period,
//! worked out here on its own, charged by PIX (body, payer, reference and idempotency key checked,
//! the key reused on a retry), the same PIX handed out again while pending, MAX at once when paid
//! with the preapproval's amount updated, nothing when the PIX expires, a lost notification
//! repaired by reconciliation, a failed amount update sent again, a difference too small to
//! charge applied at once, a cancellation that cancels the pending PIX, and a PIX paid just
//! before the cancellation refunded.

use botfleet_tests::app::{settings, spawn_with, Session, Store, TestApp};
use botfleet_tests::billing::{dec, me, mp_notification, unix};
use botfleet_tests::fakes::mercadopago::FakeMercadoPago;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    pro_to_max_charges_the_difference_by_pix_and_applies_it_when_paid,
    an_expired_upgrade_pix_changes_nothing,
    reconciliation_applies_an_upgrade_whose_notification_was_lost,
    a_failed_amount_update_keeps_max_and_is_sent_again,
    a_difference_too_small_to_charge_changes_the_plan_at_once,
    cancelling_cancels_a_pending_upgrade_pix,
    deleting_the_account_cancels_a_pending_upgrade_pix,
    a_pix_paid_just_before_the_cancellation_is_refunded,
    upgrades_asked_at_once_make_one_pix,
);

const DAY: i64 = 86_400;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn server(store: Store, reconcile_secs: &str) -> (TestApp, FakeMercadoPago) {
    let fake = FakeMercadoPago::start().await;
    let mut extra = fake.settings();
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", reconcile_secs.to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (spawn_with(settings(store, &pairs)).await, fake)
}

async fn notify(app: &TestApp, kind: &str, id: &str, notification: u64) -> String {
    mp_notification(app, kind, id, notification).await
}

/// `user` on a monthly PRO preapproval whose next charge is at `end`; answers its id.
async fn on_pro(app: &TestApp, fake: &FakeMercadoPago, user: &Session, end: i64) -> String {
    let body = json!({"plan": "PRO", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201);
    let id = fake
        .preapprovals()
        .into_iter()
        .find(|(_, p)| p["payer_email"] == user.email.as_str())
        .map(|(id, _)| id)
        .unwrap();
    let next = OffsetDateTime::from_unix_timestamp(end).unwrap().format(&Rfc3339).unwrap();
    fake.set_preapproval(&id, "authorized", &next, "2026-11-02T10:00:00.000-03:00");
    assert_eq!(notify(app, "subscription_preapproval", &id, 1).await, "applied");
    let current = me(app, user).await;
    assert_eq!((current["plan"].as_str(), unix(&current["current_period_end"])), (Some("PRO"), end));
    id
}

/// A PRO user of a monthly preapproval ending in `days` who asked for MAX: the PIX of the
/// difference is pending.
struct PendingUpgrade {
    app: TestApp,
    fake: FakeMercadoPago,
    user: Session,
    /// The preapproval.
    id: String,
    /// Its next charge (unix seconds).
    end: i64,
    /// The 202 answer.
    pending: Value,
    /// The PIX's payment id.
    payment: String,
    /// The difference worked out here.
    expected: Decimal,
}

async fn pending_upgrade(store: Store, email: &str, days: i64) -> PendingUpgrade {
    let (app, fake) = server(store, "0").await;
    let user = app.user(email).await;
    let end = now() + days * DAY;
    let id = on_pro(&app, &fake, &user, end).await;
    let (pending, expected) = upgrade(&app, &user, end).await;
    let payment = pending["reference"].as_str().unwrap().to_owned();
    PendingUpgrade { app, fake, user, id, end, pending, payment, expected }
}

/// The difference worked out here: (97.00 - 19.90) for the seconds left of 30 days, half-up.
fn expected_difference(at: i64, end: i64) -> Decimal {
    let left = Decimal::from((end - at).clamp(0, 30 * DAY));
    (Decimal::new(7710, 2) * left / Decimal::from(30 * DAY))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Asks for MAX with the previewed proration date: the 202 and the expected difference.
async fn upgrade(app: &TestApp, user: &Session, end: i64) -> (Value, Decimal) {
    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &json!({"plan": "MAX"})).await;
    let preview = preview.ok(200).clone();
    let at = preview["proration_date"].as_i64().unwrap();
    let expected = expected_difference(at, end);
    assert_eq!((dec(&preview["amount_due"]), preview["method"].as_str()), (expected, Some("pix")), "{preview}");
    let body = json!({"plan": "MAX", "method": "pix", "proration_date": at});
    let answer = app.post("/api/subscriptions/change", Some(&user.access), &body).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    (answer.body.clone(), expected)
}

async fn pro_to_max_charges_the_difference_by_pix_and_applies_it_when_paid(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("mpup-a@example.com").await;
    let end = now() + 20 * DAY + 3_600;
    let id = on_pro(&app, &fake, &user, end).await;

    let card = json!({"plan": "MAX", "method": "card"});
    let refused = app.post("/api/subscriptions/change", Some(&user.access), &card).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "method");

    fake.fail_payments(1);
    let (pending, expected) = upgrade(&app, &user, end).await;
    // Twenty days and an hour of thirty: 77.10 * 481 / 720 = 51.507.. -> about 51.51.
    assert!((Decimal::new(5148, 2)..=Decimal::new(5152, 2)).contains(&expected), "{expected}");
    assert_eq!(
        (pending["status"].as_str(), pending["from"].as_str(), pending["to"].as_str()),
        (Some("awaiting_payment"), Some("PRO"), Some("MAX"))
    );
    assert_eq!((dec(&pending["amount"]), pending["currency"].as_str()), (expected, Some("BRL")));
    assert!(pending["pix"]["qr_code"].as_str().is_some_and(|c| c.starts_with("000201")), "{pending}");
    assert!(pending["pix"]["qr_code_base64"].as_str().is_some_and(|c| !c.is_empty()));
    assert!((unix(&pending["expires_at"]) - now() - DAY).abs() < 60, "PIX codes last 24 h");

    let sent = fake.payment_requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["payment_method_id"], "pix");
    assert_eq!(sent[0]["payer"]["email"], user.email.as_str());
    assert_eq!(sent[0]["transaction_amount"].to_string(), expected.normalize().to_string(), "exact decimal text");
    let reference = sent[0]["external_reference"].as_str().unwrap();
    assert!(reference.starts_with(&format!("botfleet:{}:MAX:monthly:", user.user_id)), "{reference}");
    assert!(reference.ends_with(pending["charge_id"].as_str().unwrap()), "{reference}");
    let keys = fake.payment_keys();
    assert_eq!(keys.len(), 2, "the 500 was retried");
    assert!(!keys[0].is_empty() && keys[0] == keys[1], "the retry reuses its idempotency key: {keys:?}");

    let again = app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "MAX"})).await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!((&again.body["charge_id"], &again.body["reference"]), (&pending["charge_id"], &pending["reference"]));
    assert_eq!(fake.payment_requests().len(), 1, "no second PIX while the first can be paid");
    assert_eq!(me(&app, &user).await["plan"], "PRO", "nothing changes before the payment");
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(19.9));

    fake.approve_payment(pending["reference"].as_str().unwrap(), OffsetDateTime::now_utc());
    assert_eq!(notify(&app, "payment", pending["reference"].as_str().unwrap(), 2).await, "applied");
    let after = me(&app, &user).await;
    assert_eq!((after["plan"].as_str(), after["effective_plan"].as_str()), (Some("MAX"), Some("MAX")));
    assert_eq!(unix(&after["current_period_end"]), end, "the billing date stays");
    assert_eq!(after["entitlements"]["advanced_indicators"], true);
    let preapproval = &fake.preapprovals()[&id];
    assert_eq!(preapproval["auto_recurring"]["transaction_amount"], json!(97), "{preapproval}");
    assert_eq!(preapproval["external_reference"], format!("botfleet:{}:MAX", user.user_id));
    // The preapproval's own notification of the update keeps MAX.
    assert_eq!(notify(&app, "subscription_preapproval", &id, 3).await, "unchanged");
    assert_eq!(me(&app, &user).await["plan"], "MAX");

    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let entry = invoices["items"].as_array().unwrap().iter().find(|e| e["kind"] == "upgrade_difference").unwrap();
    assert_eq!(
        (entry["status"].as_str(), entry["plan"].as_str(), entry["upgraded_from"].as_str()),
        (Some("approved"), Some("MAX"), Some("PRO")),
        "{entry}"
    );
    assert_eq!((dec(&entry["amount"]), entry["method"].as_str()), (expected, Some("pix")));
    assert_eq!(unix(&entry["period_end"]), end);
    app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "MAX"}))
        .await
        .problem(409, "plan_change_refused");

    // The fake refuses a wrong access token as Mercado Pago does.
    let refused = reqwest::Client::new()
        .post(format!("{}/v1/payments", fake.uri()))
        .bearer_auth("APP_USR-not-the-token")
        .header("x-idempotency-key", "k-1")
        .json(&sent[0])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
}

async fn an_expired_upgrade_pix_changes_nothing(store: Store) {
    let PendingUpgrade { app, fake, user, id, end, pending, payment, .. } =
        pending_upgrade(store, "mpup-b@example.com", 10).await;
    let payment = payment.as_str();
    fake.expire_payment(payment);
    assert_eq!(notify(&app, "payment", payment, 2).await, "unchanged");
    let after = me(&app, &user).await;
    assert_eq!((after["plan"].as_str(), unix(&after["current_period_end"])), (Some("PRO"), end));
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(19.9));
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let entry = invoices["items"].as_array().unwrap().iter().find(|e| e["kind"] == "upgrade_difference").unwrap();
    assert_eq!(entry["status"], "expired", "{entry}");
    // A new request makes a new PIX.
    let (fresh, _) = upgrade(&app, &user, end).await;
    assert_ne!(fresh["charge_id"], pending["charge_id"]);
}

async fn reconciliation_applies_an_upgrade_whose_notification_was_lost(store: Store) {
    let (app, fake) = server(store, "1").await;
    let user = app.user("mpup-c@example.com").await;
    let end = now() + 15 * DAY;
    let id = on_pro(&app, &fake, &user, end).await;
    let (pending, _) = upgrade(&app, &user, end).await;
    fake.approve_payment(pending["reference"].as_str().unwrap(), OffsetDateTime::now_utc());
    for _ in 0..100 {
        let current = me(&app, &user).await;
        if current["plan"] == "MAX" {
            assert_eq!(unix(&current["current_period_end"]), end);
            assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(97));
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("reconciliation never found the approved PIX of the difference");
}

async fn a_failed_amount_update_keeps_max_and_is_sent_again(store: Store) {
    let PendingUpgrade { app, fake, user, id, payment, .. } = pending_upgrade(store, "mpup-d@example.com", 12).await;
    let payment = payment.as_str();
    fake.approve_payment(payment, OffsetDateTime::now_utc());
    // The first PUT and both of its retries fail.
    fake.fail_preapproval_updates(3);
    assert_eq!(notify(&app, "payment", payment, 2).await, "applied");
    assert_eq!(me(&app, &user).await["plan"], "MAX", "the user paid: MAX for the paid period");
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(19.9));
    // The next read of the preapproval (here its notification; reconciliation does the same)
    // sends the update again instead of taking MAX back.
    assert_eq!(notify(&app, "subscription_preapproval", &id, 3).await, "unchanged");
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(97));
    assert_eq!(me(&app, &user).await["plan"], "MAX");
}

async fn a_difference_too_small_to_charge_changes_the_plan_at_once(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("mpup-e@example.com").await;
    // Ten minutes left: 77.10 * 600 / 2,592,000 = 0.02, below R$ 1,00.
    let end = now() + 600;
    let id = on_pro(&app, &fake, &user, end).await;
    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &json!({"plan": "MAX"})).await;
    let preview = preview.ok(200).clone();
    assert_eq!((dec(&preview["amount_due"]), preview["method"].is_null()), (Decimal::ZERO, true), "{preview}");
    let changed = app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "MAX"})).await;
    let changed = changed.ok(200).clone();
    assert_eq!((changed["plan"].as_str(), unix(&changed["current_period_end"])), (Some("MAX"), end));
    assert!(fake.payment_requests().is_empty(), "nothing charged");
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(97));
}

/// The entries of `user`'s invoice list of kind `upgrade_difference`.
async fn upgrade_entries(app: &TestApp, user: &Session) -> Vec<Value> {
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let items = invoices["items"].as_array().unwrap().iter();
    items.filter(|e| e["kind"] == "upgrade_difference").cloned().collect()
}

async fn cancelling_cancels_a_pending_upgrade_pix(store: Store) {
    let PendingUpgrade { app, fake, user, id, payment, .. } = pending_upgrade(store, "mpup-g@example.com", 25).await;
    let payment = payment.as_str();
    app.post("/api/subscriptions/cancel", Some(&user.access), &json!({})).await.ok(200);
    assert_eq!(me(&app, &user).await["plan"], "FREE", "Mercado Pago cancels at once");
    assert_eq!(fake.preapprovals()[&id]["status"], "cancelled");
    assert_eq!(fake.cancelled_payments(), [payment], "the PIX can no longer be paid");
    assert_eq!(fake.payment(payment)["status"], "cancelled");
    let entries = upgrade_entries(&app, &user).await;
    assert_eq!((entries.len(), entries[0]["status"].as_str()), (1, Some("expired")), "{entries:?}");
    assert_eq!(notify(&app, "payment", payment, 2).await, "unchanged", "its cancellation, notified");
    assert_eq!((me(&app, &user).await["plan"].as_str(), fake.refund_count()), (Some("FREE"), 0));
}

/// Deleting the account ends the subscription at once (`cancel_now`), which cancels the upgrade's
/// PIX too: nothing can be paid for an account that is gone.
async fn deleting_the_account_cancels_a_pending_upgrade_pix(store: Store) {
    let PendingUpgrade { app, fake, user, id, payment, .. } = pending_upgrade(store, "mpup-h@example.com", 25).await;
    let payment = payment.as_str();
    app.delete("/api/users/me", Some(&user.access), Some(&json!({"password": user.password}))).await.ok(200);
    assert_eq!(fake.preapprovals()[&id]["status"], "cancelled", "nothing more is billed");
    assert_eq!(fake.cancelled_payments(), [payment], "the PIX can no longer be paid");
    assert_eq!(fake.payment(payment)["status"], "cancelled");
    // Its cancellation, notified after the account is gone: nothing is applied, nothing refunded.
    let outcome = notify(&app, "payment", payment, 2).await;
    assert_ne!(outcome, "applied");
    assert_eq!(fake.refund_count(), 0);
}

/// The payer paid the PIX a moment before the cancellation, whose notification comes after it:
/// Mercado Pago refuses to cancel a paid PIX, so the payment is refunded when notified.
async fn a_pix_paid_just_before_the_cancellation_is_refunded(store: Store) {
    let PendingUpgrade { app, fake, user, id, payment, expected, .. } =
        pending_upgrade(store, "mpup-f@example.com", 25).await;
    let payment = payment.as_str();
    fake.approve_payment(payment, OffsetDateTime::now_utc());
    app.post("/api/subscriptions/cancel", Some(&user.access), &json!({})).await.ok(200);
    assert_eq!(me(&app, &user).await["plan"], "FREE", "Mercado Pago cancels at once");
    assert!(fake.cancelled_payments().is_empty(), "a paid PIX is not cancelled");
    assert_eq!(notify(&app, "payment", payment, 2).await, "applied");
    assert_eq!(me(&app, &user).await["plan"], "FREE");
    assert_eq!(fake.preapprovals()[&id]["status"], "cancelled");
    assert_eq!(fake.preapprovals()[&id]["auto_recurring"]["transaction_amount"], json!(19.9));
    assert_eq!((fake.refund_count(), fake.payment(payment)["status"].as_str()), (1, Some("refunded")));
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let entries: Vec<(Option<&str>, Option<&str>, Decimal)> = invoices["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["provider_reference"] == payment)
        .map(|e| (e["kind"].as_str(), e["status"].as_str(), dec(&e["amount"])))
        .collect();
    assert!(entries.contains(&(Some("upgrade_difference"), Some("approved"), expected)), "{entries:?}");
    assert!(entries.contains(&(Some("refund"), Some("refunded"), -expected)), "refunded in full: {entries:?}");
    // Its refund, notified: recorded already.
    assert_eq!(notify(&app, "payment", payment, 3).await, "unchanged");
    assert_eq!(fake.refund_count(), 1);
}

/// A double click on "upgrade": the requests sent at once, while Mercado Pago takes its time,
/// make one PIX of the difference (paying two would pay it twice); each answer names it.
async fn upgrades_asked_at_once_make_one_pix(store: Store) {
    let (app, fake) = server(store, "0").await;
    let user = app.user("mpup-race@example.com").await;
    let end = now() + 10 * DAY;
    on_pro(&app, &fake, &user, end).await;
    fake.slow_payments(std::time::Duration::from_millis(300));
    let body = json!({"plan": "MAX", "method": "pix"});
    let ask = || async { app.post("/api/subscriptions/change", Some(&user.access), &body).await };
    let answers = futures::future::join_all((0..4).map(|_| ask())).await;
    assert!(answers.iter().all(|a| a.status == 202), "{:?}", answers.iter().map(|a| &a.body).collect::<Vec<_>>());
    assert_eq!(fake.payment_requests().len(), 1, "one PIX at Mercado Pago");
    let first = &answers[0].body;
    assert!(answers.iter().all(|a| a.body["reference"] == first["reference"]), "{first}");
}
