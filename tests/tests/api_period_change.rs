//! Monthly <-> annual through `POST /api/subscriptions/change`, through the running server on both
//! stores against the strict fakes: on Stripe, monthly -> annual at once (the unused month
//! credited, the year charged, a new yearly period from now, as previewed), annual -> monthly
//! through a subscription schedule at the end of the paid year (undone, scheduled again, applied
//! by the renewal); Mercado Pago's fixed preapproval frequency and Stripe without annual prices
//! refused naming `period`; PIX simply pays the next period with the other `period`.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::billing::{dec, me, stripe_event, unix};
use botfleet_tests::bots::bot_app;
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, FakeStripe};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    monthly_to_annual_on_stripe_is_charged_at_once_as_previewed,
    annual_to_monthly_on_stripe_waits_for_the_end_of_the_year,
    what_a_provider_cannot_do_is_refused_naming_the_period,
);

const DAY: i64 = 86_400;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn server(store: Store, settings: Vec<(&'static str, String)>) -> TestApp {
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bot_app(store, &pairs).await.0
}

/// `user` holds Stripe subscription `sub` on `plan` at `price` for the period `start`..`end`.
#[allow(clippy::too_many_arguments)]
async fn subscribed(
    app: &TestApp,
    fake: &FakeStripe,
    user: &Session,
    sub: &str,
    plan: &str,
    price: &str,
    span: (i64, i64),
) {
    fake.subscribe_for(sub, &user.user_id, plan, span.0, span.1);
    fake.set_price(sub, price);
    let checkout = json!({"id": format!("cs_{sub}"), "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": sub, "metadata": {"user_id": user.user_id, "plan": plan}});
    assert_eq!(
        stripe_event(app, &format!("evt_{sub}_checkout"), "checkout.session.completed", checkout).await,
        "applied"
    );
    assert_eq!(me(app, user).await["plan"], plan);
}

/// The unused share of R$ 19,90 for the time left, rounded to the centavo (what Stripe credits).
fn credit(at: i64, start: i64, end: i64) -> Decimal {
    let share = Decimal::from(1990) * Decimal::from(end - at) / Decimal::from(end - start);
    share.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) / Decimal::from(100)
}

async fn monthly_to_annual_on_stripe_is_charged_at_once_as_previewed(store: Store) {
    let fake = FakeStripe::start().await;
    let app = server(store, fake.settings_with_annual_prices()).await;
    let user = app.user("period-a@example.com").await;
    let (start, end) = (now() - 10 * DAY, now() + 20 * DAY);
    subscribed(&app, &fake, &user, "sub_year_1", "PRO", stripe::PRICE_PRO, (start, end)).await;

    let yearly = json!({"plan": "PRO", "period": "annual"});
    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &yearly).await.ok(200).clone();
    assert_eq!(preview["kind"], "upgrade", "{preview}");
    let at = preview["proration_date"].as_i64().unwrap();
    let credit = credit(at, start, end);
    // Twenty days of thirty left: about R$ 13,27 back, R$ 199,00 for the year.
    assert!((Decimal::new(1320, 2)..=Decimal::new(1330, 2)).contains(&credit), "{credit}");
    assert_eq!(dec(&preview["proration"]), -credit, "{preview}");
    assert_eq!(dec(&preview["amount_due"]), Decimal::new(19900, 2) - credit, "{preview}");
    assert_eq!(me(&app, &user).await["plan"], "PRO");

    let body = json!({"plan": "PRO", "period": "annual", "proration_date": at});
    let changed = app.post("/api/subscriptions/change", Some(&user.access), &body).await.ok(200).clone();
    assert_eq!((changed["plan"].as_str(), changed["scheduled_change"].is_null()), (Some("PRO"), true));
    let new_end = unix(&changed["current_period_end"]);
    assert!((new_end - (now() + 365 * DAY)).abs() < 120, "a new yearly period from now: {changed}");
    let sent = fake.plan_changes().pop().unwrap();
    assert_eq!(
        (sent["items[0][price]"].as_str(), sent["proration_behavior"].as_str()),
        (stripe::PRICE_PRO_ANNUAL, "always_invoice")
    );
    assert_eq!(sent["proration_date"], at.to_string());
    let invoice = fake.invoices().pop().unwrap();
    assert_eq!(Decimal::new(invoice["amount_due"].as_i64().unwrap(), 2), Decimal::new(19900, 2) - credit);

    // Annual again is the same period: nothing to change. Monthly MAX would go down in period and
    // up in plan: two changes, refused naming the period.
    let same = app.post("/api/subscriptions/change", Some(&user.access), &yearly).await;
    same.problem(409, "plan_change_refused");
    let mixed = json!({"plan": "MAX", "period": "monthly"});
    let refused = app.post("/api/subscriptions/change", Some(&user.access), &mixed).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "period");
    let bad = json!({"plan": "MAX", "period": "weekly"});
    let refused = app.post("/api/subscriptions/change/preview", Some(&user.access), &bad).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "period");
    // Up in both: MAX for a year, prorated at once against the yearly PRO.
    let max_year = json!({"plan": "MAX", "period": "annual"});
    let up = app.post("/api/subscriptions/change", Some(&user.access), &max_year).await.ok(200).clone();
    assert_eq!(up["plan"], "MAX");
    assert_eq!(fake.subscription("sub_year_1")["items"]["data"][0]["price"]["id"], stripe::PRICE_MAX_ANNUAL);
    // The next year's invoice is listed as a year's payment.
    let renewal = fake.renew("sub_year_1");
    assert_eq!(stripe_event(&app, "evt_year_1_renewal", "invoice.paid", renewal).await, "applied");
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    let first = &invoices["items"][0];
    assert_eq!((first["kind"].as_str(), first["period"].as_str()), (Some("payment"), Some("annual")), "{invoices}");
}

async fn annual_to_monthly_on_stripe_waits_for_the_end_of_the_year(store: Store) {
    let fake = FakeStripe::start().await;
    let app = server(store, fake.settings_with_annual_prices()).await;
    let user = app.user("period-b@example.com").await;
    let (start, end) = (now() - 100 * DAY, now() + 265 * DAY);
    subscribed(&app, &fake, &user, "sub_year_2", "MAX", stripe::PRICE_MAX_ANNUAL, (start, end)).await;
    let price = || fake.subscription("sub_year_2")["items"]["data"][0]["price"]["id"].as_str().unwrap().to_owned();
    let monthly = json!({"plan": "PRO", "period": "monthly"});

    let preview = app.post("/api/subscriptions/change/preview", Some(&user.access), &monthly).await.ok(200).clone();
    assert_eq!((preview["kind"].as_str(), unix(&preview["effective_at"])), (Some("downgrade"), end));
    let scheduled = app.post("/api/subscriptions/change", Some(&user.access), &monthly).await.ok(200).clone();
    let change = &scheduled["scheduled_change"];
    assert_eq!(
        (scheduled["plan"].as_str(), change["plan"].as_str(), change["period"].as_str()),
        (Some("MAX"), Some("PRO"), Some("monthly"))
    );
    assert_eq!(unix(&change["effective_at"]), end);
    assert_eq!(price(), stripe::PRICE_MAX_ANNUAL, "the paid year keeps its price");
    assert!(fake.invoices().is_empty() && fake.plan_changes().is_empty(), "nothing is charged, the item untouched");
    let schedule = fake.schedule("sub_sched_1");
    assert_eq!(schedule["phases"][0]["end_date"], end);
    assert_eq!(schedule["phases"][1]["price"], stripe::PRICE_PRO);
    assert_eq!(fake.subscription("sub_year_2")["schedule"], "sub_sched_1");

    let undone = app.delete("/api/subscriptions/change", Some(&user.access), None).await.ok(200).clone();
    assert!(undone["scheduled_change"].is_null(), "{undone}");
    assert_eq!(fake.schedule("sub_sched_1")["status"], "released");
    assert!(fake.subscription("sub_year_2")["schedule"].is_null());
    assert_eq!(price(), stripe::PRICE_MAX_ANNUAL);

    let again = app.post("/api/subscriptions/change", Some(&user.access), &monthly).await.ok(200).clone();
    assert_eq!(again["scheduled_change"]["period"], "monthly");
    assert_eq!(fake.subscription("sub_year_2")["schedule"], "sub_sched_2", "scheduling again reaches Stripe again");

    let renewal = fake.renew("sub_year_2");
    assert_eq!(price(), stripe::PRICE_PRO, "Stripe entered the monthly phase");
    assert_eq!(stripe_event(&app, "evt_year_renewal", "invoice.paid", renewal).await, "applied");
    let after = me(&app, &user).await;
    assert_eq!((after["plan"].as_str(), after["scheduled_change"].is_null()), (Some("PRO"), true), "{after}");
    assert_eq!(unix(&after["current_period_end"]), end + 30 * DAY);
    let invoices = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    assert_eq!(invoices["items"][0]["amount"], "19.90", "{invoices}");
    assert_eq!(invoices["items"][0]["period"], "monthly", "{invoices}");
}

async fn what_a_provider_cannot_do_is_refused_naming_the_period(store: Store) {
    // Mercado Pago: a preapproval's frequency is fixed once created.
    let mp = FakeMercadoPago::start().await;
    let app = server(store, mp.settings()).await;
    let user = app.user("period-c@example.com").await;
    let body = json!({"plan": "PRO", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201);
    let id = mp.preapprovals().keys().next().unwrap().clone();
    let next = OffsetDateTime::from_unix_timestamp(now() + 20 * DAY).unwrap().format(&Rfc3339).unwrap();
    mp.set_preapproval(&id, "authorized", &next, "2026-11-02T10:00:00.000-03:00");
    let (body, query, headers) =
        signed_notification("subscription_preapproval", &id, 1, mercadopago::WEBHOOK_SECRET, now());
    assert_eq!(
        app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await.ok(200)["outcome"],
        "applied"
    );
    let before = mp.preapprovals()[&id].clone();
    for path in ["/api/subscriptions/change/preview", "/api/subscriptions/change"] {
        let yearly = json!({"plan": "PRO", "period": "annual"});
        let refused = app.post(path, Some(&user.access), &yearly).await;
        let problem = refused.problem(409, "plan_change_unavailable");
        assert_eq!(problem["errors"][0]["field"], "period", "{problem}");
    }
    assert_eq!(mp.preapprovals()[&id], before, "the preapproval is untouched");
    // The period it has is no change of period: a plain downgrade keeps working.
    let pro_monthly = json!({"plan": "PRO", "period": "monthly"});
    app.post("/api/subscriptions/change", Some(&user.access), &pro_monthly).await.problem(409, "plan_change_refused");

    // PIX: no subscription to change; the next period is simply paid with the other `period`.
    let payer = app.user("period-d@example.com").await;
    let pix = json!({"plan": "PRO", "method": "pix", "period": "monthly"});
    let first = app.post("/api/subscriptions/checkout", Some(&payer.access), &pix).await.ok(201).clone();
    let paid_at = OffsetDateTime::from_unix_timestamp(now() - 3600).unwrap();
    let first_id = first["reference"].as_str().unwrap();
    mp.approve_payment(first_id, paid_at);
    let pay = |payment: String, n: u64| {
        let app = &app;
        async move {
            let (body, query, headers) = signed_notification("payment", &payment, n, mercadopago::WEBHOOK_SECRET, 1);
            app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await.ok(200)["outcome"].clone()
        }
    };
    assert_eq!(pay(first_id.to_owned(), 11).await, "applied");
    let yearly = json!({"plan": "PRO", "period": "annual"});
    let refused = app.post("/api/subscriptions/change", Some(&payer.access), &yearly).await;
    refused.problem(409, "plan_change_refused");
    let year = app
        .post(
            "/api/subscriptions/checkout",
            Some(&payer.access),
            &json!({"plan": "PRO", "method": "pix", "period": "annual"}),
        )
        .await
        .ok(201)
        .clone();
    assert_eq!(year["amount"], "199.00");
    let year_id = year["reference"].as_str().unwrap();
    mp.approve_payment(year_id, OffsetDateTime::now_utc());
    assert_eq!(pay(year_id.to_owned(), 12).await, "applied");
    let extended = me(&app, &payer).await;
    assert_eq!(
        unix(&extended["current_period_end"]),
        paid_at.unix_timestamp() + 395 * DAY,
        "a year from the paid month's end"
    );

    // Stripe without annual prices: a year is not offered.
    let fake = FakeStripe::start().await;
    let monthly_only = server(store, fake.settings()).await;
    let stripe_user = monthly_only.user("period-e@example.com").await;
    subscribed(
        &monthly_only,
        &fake,
        &stripe_user,
        "sub_month_3",
        "PRO",
        stripe::PRICE_PRO,
        (now() - DAY, now() + 29 * DAY),
    )
    .await;
    let refused = monthly_only.post("/api/subscriptions/change", Some(&stripe_user.access), &yearly).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "period");
    assert!(fake.plan_changes().is_empty() && fake.invoices().is_empty());
}
