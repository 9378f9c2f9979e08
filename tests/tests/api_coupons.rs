//! Coupons end to end through the running server on both stores: operators define them in the
//! backoffice (audited, ADMIN and SUPER_ADMIN only); a Mercado Pago checkout takes the discount
//! off the amount sent to the strict fake, counts the redemption once per user and refuses it
//! after the use limit, even to concurrent checkouts, and gives it back when the provider refuses
//! the payment; Stripe checkouts use Stripe's promotion codes.

use botfleet_tests::app::{Session, Store, TestApp, PASSWORD};
use botfleet_tests::backoffice::{create_operator, enrol_and_login, extra, Operator, DOMAIN};
use botfleet_tests::bots::bot_app;
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::FakeStripe;
use domain::backoffice::OperatorRole;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    coupon_applied_once_and_refused_after_its_use_limit,
    concurrent_checkouts_never_pass_the_limit,
    card_checkouts_use_promotion_codes_on_stripe_and_coupons_on_mercado_pago,
);

struct Setup {
    app: TestApp,
    admin: Operator,
    mp: FakeMercadoPago,
    stripe: FakeStripe,
    repos: Repositories,
}

async fn setup(store: Store) -> Setup {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let settings: Vec<(&'static str, String)> = mp.settings().into_iter().chain(stripe.settings()).collect();
    let mut pairs = extra();
    pairs.extend(settings.iter().map(|(k, v)| (*k, v.as_str())));
    pairs.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0"));
    let (app, repos) = bot_app(store, &pairs).await;
    let email = format!("ada@{DOMAIN}");
    create_operator(&repos, &email, OperatorRole::Admin).await;
    let admin = enrol_and_login(&app, &email, "10.0.40.1").await;
    Setup { app, admin, mp, stripe, repos }
}

/// Registers and logs in `email` from its own address (the server trusts the loopback proxy, so
/// the per-IP limits count each user apart).
async fn user(app: &TestApp, email: &str) -> Session {
    let n = email.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let ip =
        vec![("x-forwarded-for".to_owned(), format!("10.{}.{}.{}", 100 + n % 100, (n >> 8) % 250, (n >> 16) % 250))];
    let body = json!({"email": email, "password": PASSWORD, "name": "Test User", "accept_terms": true,
        "accept_privacy": true});
    let registered = app.post_raw("/api/auth/register", serde_json::to_vec(&body).unwrap(), &ip).await;
    let user_id = registered.ok(201)["id"].as_str().unwrap().to_owned();
    let login = json!({"email": email, "password": PASSWORD});
    let answer = app.post_raw("/api/auth/login", serde_json::to_vec(&login).unwrap(), &ip).await;
    let tokens = answer.ok(200);
    Session {
        user_id,
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        access: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
    }
}

async fn create(s: &Setup, body: Value) -> Value {
    s.admin.call(&s.app, Method::POST, "/backoffice/api/coupons", Some(&body)).await.ok(201).clone()
}

async fn pix(app: &TestApp, user: &Session, plan: &str, coupon: &str) -> botfleet_tests::app::Answer {
    let body = json!({"plan": plan, "method": "pix", "coupon": coupon});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await
}

fn coupon_error(answer: &botfleet_tests::app::Answer, status: u16, code: &str) {
    assert_eq!(answer.problem(status, code)["errors"][0]["field"], "coupon", "{}", answer.text);
}

async fn coupon_applied_once_and_refused_after_its_use_limit(store: Store) {
    let s = setup(store).await;
    let (app, admin) = (&s.app, &s.admin);
    let created =
        create(&s, json!({"code": "bemvindo20", "percent_off": "20", "max_redemptions": 2, "plan": "PRO"})).await;
    assert_eq!((created["code"].as_str(), created["redemptions"].as_u64()), (Some("BEMVINDO20"), Some(0)));
    let id = created["id"].as_str().unwrap().to_owned();
    // The table's own rules: a code is unique ignoring case; one discount; BRL amounts only.
    let post = |body: Value| async move { admin.call(app, Method::POST, "/backoffice/api/coupons", Some(&body)).await };
    post(json!({"code": "BemVindo20", "percent_off": "10"})).await.problem(409, "coupon_exists");
    let both = post(json!({"code": "BOTH", "percent_off": "10", "amount_off": "5"})).await;
    assert_eq!(both.problem(422, "validation_failed")["errors"][0]["field"], "percent_off");
    let currency = post(json!({"code": "NOCUR", "amount_off": "5"})).await;
    assert_eq!(currency.problem(422, "validation_failed")["errors"][0]["field"], "currency");
    let whole = post(json!({"code": "WHOLE", "percent_off": "100"})).await;
    assert_eq!(whole.problem(422, "validation_failed")["errors"][0]["field"], "percent_off");
    // SUPPORT may not manage coupons.
    let sam_email = format!("sam@{DOMAIN}");
    create_operator(&s.repos, &sam_email, OperatorRole::Support).await;
    let sam = enrol_and_login(app, &sam_email, "10.0.40.2").await;
    sam.get(app, "/backoffice/api/coupons").await.problem(403, "permission_denied");

    // Ana pays PRO by PIX with it: 20% off R$ 19,90 is R$ 15,92, sent to Mercado Pago as such.
    let ana = user(app, "coupon-ana@example.com").await;
    let first = pix(app, &ana, "PRO", " bemvindo20 ").await;
    let first = first.ok(201).clone();
    assert_eq!(first["amount"], "15.92");
    assert_eq!(s.mp.payment_requests()[0]["transaction_amount"].as_f64(), Some(15.92));
    // Asking again hands out the same charge, without counting a second redemption.
    let again = pix(app, &ana, "PRO", "BEMVINDO20").await;
    assert_eq!(again.ok(201)["reference"], first["reference"]);
    coupon_error(&pix(app, &ana, "PRO", "BEMVINDO20-X").await, 422, "coupon_unknown");
    let annual = json!({"plan": "PRO", "method": "pix", "period": "annual", "coupon": "BEMVINDO20"});
    let twice = app.post("/api/subscriptions/checkout", Some(&ana.access), &annual).await;
    coupon_error(&twice, 409, "coupon_already_redeemed");
    // The invoices show the discounted amount; the payment approved grants PRO.
    let invoices = app.get("/api/subscriptions/invoices", Some(&ana.access)).await;
    assert_eq!(invoices.ok(200)["items"][0]["amount"], "15.92");
    let payment = first["reference"].as_str().unwrap();
    s.mp.approve_payment(payment, OffsetDateTime::now_utc());
    let (body, query, headers) = signed_notification("payment", payment, 7001, mercadopago::WEBHOOK_SECRET, 1);
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    assert_eq!(app.get("/api/subscriptions/me", Some(&ana.access)).await.ok(200)["plan"], "PRO");

    // Bia: not for MAX; for PRO the second and last redemption. Caio: exhausted.
    let bia = user(app, "coupon-bia@example.com").await;
    coupon_error(&pix(app, &bia, "MAX", "BEMVINDO20").await, 422, "coupon_not_applicable");
    pix(app, &bia, "PRO", "BEMVINDO20").await.ok(201);
    let caio = user(app, "coupon-caio@example.com").await;
    coupon_error(&pix(app, &caio, "PRO", "BEMVINDO20").await, 409, "coupon_exhausted");
    let listed = admin.get(app, "/backoffice/api/coupons").await;
    let listed = listed.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(listed.iter().find(|c| c["id"] == id.as_str()).unwrap()["redemptions"], 2);
    let one = admin.get(app, &format!("/backoffice/api/coupons/{id}")).await;
    assert_eq!((one.ok(200)["redemptions"].as_u64(), one.body["plan"].as_str()), (Some(2), Some("PRO")));

    // A refused payment gives the redemption back; a disabled coupon is refused.
    let once =
        create(&s, json!({"code": "UMAVEZ", "amount_off": "5.00", "currency": "BRL", "max_redemptions": 1})).await;
    assert_eq!(once["amount_off"], "5.00");
    s.mp.refuse_payments(1);
    pix(app, &caio, "PRO", "umavez").await.problem(503, "payment_provider_unavailable");
    let paid = pix(app, &caio, "PRO", "umavez").await;
    assert_eq!(paid.ok(201)["amount"], "14.90", "the refused attempt gave its redemption back");
    let disabled = admin.post(app, &format!("/backoffice/api/coupons/{}/disable", once["id"].as_str().unwrap())).await;
    assert_eq!(disabled.ok(200)["active"], false);
    let dani = user(app, "coupon-dani@example.com").await;
    coupon_error(&pix(app, &dani, "PRO", "UMAVEZ").await, 422, "coupon_expired");
    admin.post(app, "/backoffice/api/coupons/01JCZ8F3QW5N2V7K4M9T6R1XYB/disable").await.problem(404, "not_found");

    // Every coupon action is in the audit trail.
    let trail = admin.get(app, "/backoffice/api/audit?action=coupons.create&limit=200").await;
    assert_eq!(trail.ok(200)["total"], 6, "two created, four refused");
    let disable = admin.get(app, "/backoffice/api/audit?action=coupons.disable").await;
    assert_eq!(disable.ok(200)["total"], 2);
}

async fn concurrent_checkouts_never_pass_the_limit(store: Store) {
    let s = setup(store).await;
    create(&s, json!({"code": "TRES", "percent_off": "10", "max_redemptions": 3})).await;
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(user(&s.app, &format!("race-{i}@example.com")).await);
    }
    let answers = futures::future::join_all(users.iter().map(|u| pix(&s.app, u, "MAX", "TRES"))).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let exhausted = answers.iter().filter(|a| a.status == 409 && a.text.contains("coupon_exhausted")).count();
    assert_eq!((created, exhausted), (3, 7), "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    assert!(answers.iter().filter(|a| a.status == 201).all(|a| a.text.contains("\"87.30\"")), "10% off R$ 97");
    let listed = s.admin.get(&s.app, "/backoffice/api/coupons").await;
    assert_eq!(listed.ok(200)["items"][0]["redemptions"], 3);
    assert_eq!(s.mp.payment_requests().len(), 3);
}

async fn card_checkouts_use_promotion_codes_on_stripe_and_coupons_on_mercado_pago(store: Store) {
    let s = setup(store).await;
    let app = &s.app;
    s.stripe.add_promotion_code("STRIPE10", "promo_1Test", true);
    s.stripe.add_promotion_code("OLD", "promo_2Old", false);
    let card = |provider: &str, coupon: Option<&str>| {
        let mut body = json!({"plan": "PRO", "provider": provider, "success_url": "https://app.example.com/ok",
            "cancel_url": "https://app.example.com/cancel"});
        if let Some(coupon) = coupon {
            body["coupon"] = json!(coupon);
        }
        body
    };
    let ana = user(app, "card-ana@example.com").await;
    let checkout = |user: &Session, body: Value| {
        let token = user.access.clone();
        async move { app.post("/api/subscriptions/checkout", Some(&token), &body).await }
    };
    // Stripe: a known promotion code goes on the session; an inactive or unknown one is refused.
    coupon_error(&checkout(&ana, card("stripe", Some("OLD"))).await, 422, "coupon_unknown");
    coupon_error(&checkout(&ana, card("stripe", Some("NOPE"))).await, 422, "coupon_unknown");
    checkout(&ana, card("stripe", Some("stripe10"))).await.ok(201);
    let bia = user(app, "card-bia@example.com").await;
    checkout(&bia, card("stripe", None)).await.ok(201);
    let sessions = s.stripe.sessions();
    let with = sessions.iter().find(|f| f.contains_key("discounts[0][promotion_code]")).expect("a discounted session");
    assert_eq!(with["discounts[0][promotion_code]"], "promo_1Test");
    assert!(!with.contains_key("allow_promotion_codes"));
    let without = sessions.iter().find(|f| !f.contains_key("discounts[0][promotion_code]")).unwrap();
    assert_eq!(without["allow_promotion_codes"], "true", "without a code the payer may enter one at Stripe");

    // Mercado Pago: the preapproval's amount is discounted; the coupon counts as redeemed.
    create(&s, json!({"code": "CARTAO", "amount_off": "4.90", "currency": "BRL"})).await;
    let caio = user(app, "card-caio@example.com").await;
    checkout(&caio, card("mercadopago", Some("cartao"))).await.ok(201);
    let preapprovals = s.mp.preapprovals();
    let amounts: Vec<f64> =
        preapprovals.values().map(|p| p["auto_recurring"]["transaction_amount"].as_f64().unwrap()).collect();
    assert_eq!(amounts, [15.0]);
    let again = checkout(&caio, card("mercadopago", Some("CARTAO"))).await;
    coupon_error(&again, 409, "coupon_already_redeemed");
}
