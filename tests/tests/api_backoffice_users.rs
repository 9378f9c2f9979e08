//! The operators' user list through the running server on both stores: the plan, subscription
//! status, running-bots and live/paper filters joined with the users' own, the sorting, refusals
//! naming the parameter, and the CSV export of the same list.

use botfleet_tests::app::{Session, Store, TestApp, PASSWORD, TEST_ENCRYPTION_KEY};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, Operator, DOMAIN};
use botfleet_tests::bots::{command, create_bot, price, set_plan};
use domain::backoffice::OperatorRole;
use domain::contexts::{ContextMode, TradingContext};
use domain::credentials::{ApiKeyLast4, SecretCipher};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::UserId;
use domain::shared::secret::Secret;
use domain::subscriptions::{Plan, SubscriptionStatus};
use infrastructure::crypto::AesGcmCipher;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use rust_decimal_macros::dec;
use serde_json::json;

botfleet_tests::on_both_stores!(
    the_list_joins_plan_subscription_bots_and_mode,
    the_export_is_the_same_list_as_csv,
    the_detail_shows_the_whole_picture_and_no_secret,
);

/// The users the scenarios list (the ones a test reads by id).
struct Cast {
    ana: Session,
    dan: Session,
}

/// A registered, logged-in user whose requests come from `ip` (the backoffice servers trust the
/// loopback proxy, so each user has their own registration limit).
async fn user(app: &TestApp, email: &str, ip: &str) -> Session {
    let headers = [("x-forwarded-for", ip)];
    let body = json!({"email": email, "password": PASSWORD, "name": "Test User",
        "accept_terms": true, "accept_privacy": true});
    let profile = app.call(Method::POST, "/api/auth/register", None, Some(&body), &headers).await;
    let user_id = profile.ok(201)["id"].as_str().unwrap().to_owned();
    let body = json!({"email": email, "password": PASSWORD});
    let login = app.call(Method::POST, "/api/auth/login", None, Some(&body), &headers).await;
    let tokens = login.ok(200);
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    Session {
        user_id,
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        access: access.to_owned(),
        refresh: refresh.to_owned(),
    }
}

/// A user from `ip` on `plan` with a paper BTC-BRL context; returns the context id.
async fn trader(app: &TestApp, repos: &Repositories, email: &str, ip: &str, plan: Plan) -> (Session, String) {
    let user = user(app, email, ip).await;
    set_plan(repos, &user, plan).await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let context = app.post("/api/contexts", Some(&user.access), &body).await;
    let id = context.ok(201)["id"].as_str().unwrap().to_owned();
    (user, id)
}

/// ana: PRO, a running paper bot. bia: MAX, a paper bot never started. cid: FREE, nothing.
/// dan: PRO but past due, a live context.
async fn cast(app: &TestApp, repos: &Repositories) -> Cast {
    let (ana, ana_ctx) = trader(app, repos, "ana@example.com", "10.0.21.1", Plan::Pro).await;
    let (bia, bia_ctx) = trader(app, repos, "bia@example.com", "10.0.21.2", Plan::Max).await;
    user(app, "cid@example.com", "10.0.21.3").await;
    let dan = user(app, "dan@example.com", "10.0.21.4").await;
    set_plan(repos, &dan, Plan::Pro).await;
    let mut sub = repos.subscriptions.get_for_user(dan.user_id.parse().unwrap()).await.unwrap();
    sub.status = SubscriptionStatus::PastDue;
    repos.subscriptions.update(&sub).await.unwrap();
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let live = TradingContext::new(dan.user_id.parse().unwrap(), ExchangeId::Binance, &symbol, ContextMode::Live, now);
    repos.contexts.create(&live).await.unwrap();
    price(app, &ana.access, dec!(301000)).await;
    let config = json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "2000"});
    let running = create_bot(app, &ana, &ana_ctx, "channel", config.clone()).await;
    command(app, &ana, running["id"].as_str().unwrap(), "start").await;
    create_bot(app, &bia, &bia_ctx, "channel", config).await;
    Cast { ana, dan }
}

async fn admin(app: &TestApp, repos: &Repositories) -> Operator {
    let email = format!("ada@{DOMAIN}");
    create_operator(repos, &email, OperatorRole::Admin).await;
    enrol_and_login(app, &email, "10.0.20.1").await
}

/// The e-mails of the list at `query` (sorted by e-mail unless the query sorts).
async fn emails(app: &TestApp, op: &Operator, query: &str) -> Vec<String> {
    let sort = if query.contains("sort=") { "" } else { "&sort=email_asc" };
    let answer = op.get(app, &format!("/backoffice/api/users?{query}{sort}")).await;
    let body = answer.ok(200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(body["total"].as_u64().unwrap(), items.len() as u64, "{query}: one page holds all");
    items.iter().map(|u| u["email"].as_str().unwrap().split('@').next().unwrap().to_owned()).collect()
}

async fn the_list_joins_plan_subscription_bots_and_mode(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    cast(&app, &repos).await;
    let op = admin(&app, &repos).await;

    assert_eq!(emails(&app, &op, "plan=PRO").await, ["ana", "dan"]);
    assert_eq!(emails(&app, &op, "plan=FREE").await, ["cid"]);
    assert_eq!(emails(&app, &op, "subscription_status=past_due").await, ["dan"]);
    assert_eq!(emails(&app, &op, "plan=PRO&subscription_status=active").await, ["ana"]);
    assert_eq!(emails(&app, &op, "has_running_bots=true").await, ["ana"]);
    assert_eq!(emails(&app, &op, "has_running_bots=false").await, ["bia", "cid", "dan"]);
    assert_eq!(emails(&app, &op, "mode=live").await, ["dan"]);
    assert_eq!(emails(&app, &op, "mode=paper").await, ["ana", "bia"]);
    assert_eq!(emails(&app, &op, "mode=paper&has_running_bots=false").await, ["bia"]);
    assert_eq!(emails(&app, &op, "plan=MAX&has_running_bots=true").await, Vec::<String>::new());
    // Joined with the users' own filters and orders.
    assert_eq!(emails(&app, &op, "has_running_bots=false&email_prefix=d").await, ["dan"]);
    assert_eq!(emails(&app, &op, "plan=PRO&sort=created_desc").await, ["dan", "ana"]);
    let paged = op.get(&app, "/backoffice/api/users?has_running_bots=false&sort=email_asc&offset=1&limit=1").await;
    let paged = paged.ok(200);
    assert_eq!((paged["total"].as_u64(), paged["items"][0]["email"].as_str()), (Some(3), Some("cid@example.com")));

    for (query, field) in [
        ("plan=GOLD", "plan"),
        ("plan=pro", "plan"),
        ("subscription_status=late", "subscription_status"),
        ("has_running_bots=yes", "has_running_bots"),
        ("mode=demo", "mode"),
    ] {
        let refused = op.get(&app, &format!("/backoffice/api/users?{query}")).await;
        assert_eq!(refused.problem(400, "invalid_query")["errors"][0]["field"], field, "{query}");
    }
}

async fn the_export_is_the_same_list_as_csv(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let Cast { ana, dan } = cast(&app, &repos).await;
    let op = admin(&app, &repos).await;

    let csv = op.get(&app, "/backoffice/api/users/export?plan=PRO&sort=created_desc").await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let content_type = csv.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let lines: Vec<&str> = csv.text.split("\r\n").collect();
    assert_eq!(lines[0], "id,email,name,status,email_verified,created_at");
    assert_eq!(lines.len(), 4, "header, two users, and the final CRLF: {}", csv.text);
    assert!(lines[1].starts_with(&format!("{},dan@example.com,", dan.user_id)), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{},ana@example.com,", ana.user_id)), "{}", lines[2]);
    assert_eq!(lines[3], "");
    let refused = op.get(&app, "/backoffice/api/users/export?mode=demo").await;
    assert_eq!(refused.problem(400, "invalid_query")["errors"][0]["field"], "mode");
    // Both exports are audited as such, the refused one as failed.
    let audit = op.get(&app, "/backoffice/api/audit?action=users.export").await;
    let outcomes: Vec<&str> =
        audit.ok(200)["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["failed", "ok"]);
}

/// The API key and secret stored for ana, encrypted as the server stores them.
const API_KEY: &str = "known-api-key-0123456789ABCDWXYZ";
const API_SECRET: &str = "known-api-secret-must-never-leak-42";

async fn the_detail_shows_the_whole_picture_and_no_secret(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let Cast { ana, .. } = cast(&app, &repos).await;
    let op = admin(&app, &repos).await;
    let owner: UserId = ana.user_id.parse().unwrap();
    let cipher = AesGcmCipher::from_env_value(&Secret::new(TEST_ENCRYPTION_KEY)).unwrap();
    let mut credential = botfleet_tests::contract::fixtures::credential(owner, ExchangeId::Binance, 7);
    credential.api_key = cipher.encrypt(&Secret::new(API_KEY)).unwrap();
    credential.api_secret = cipher.encrypt(&Secret::new(API_SECRET)).unwrap();
    credential.key_last4 = ApiKeyLast4::of(API_KEY);
    repos.credentials.create(&credential).await.unwrap();
    // A recent manual order in a context of hers (inside her plan's history window).
    let contexts = repos.contexts.list(owner, domain::PageRequest::first()).await.unwrap();
    let mut order = botfleet_tests::contract::fixtures::order(owner, contexts.items[0].id, 0);
    (order.created_at, order.updated_at) = (time::OffsetDateTime::now_utc(), time::OffsetDateTime::now_utc());
    let order = repos.orders.create(&order).await.unwrap();

    let answer = op.get(&app, &format!("/backoffice/api/users/{}", ana.user_id)).await;
    let detail = answer.ok(200);
    assert_eq!(detail["user"]["email"], "ana@example.com");
    assert_eq!(detail["subscription"]["plan"], "PRO", "{detail}");
    assert!(detail["consents"].as_array().unwrap().iter().any(|c| c["terms_accepted"] == true), "{detail}");
    assert!(detail["invoices"].is_array());
    let orders = detail["orders"].as_array().unwrap();
    assert_eq!((orders.len(), orders[0]["id"].as_str()), (1, Some(order.id.to_string().as_str())), "{detail}");
    let contexts = detail["contexts"].as_array().unwrap();
    assert_eq!((contexts.len(), contexts[0]["mode"].as_str()), (1, Some("paper")));
    let bots = detail["bots"].as_array().unwrap();
    assert_eq!(
        (bots.len(), bots[0]["status"].as_str(), bots[0]["kind"].as_str()),
        (1, Some("running"), Some("channel"))
    );
    assert_eq!(bots[0]["funds"]["allocated"], "2000", "{detail}");
    assert!(bots[0]["funds"]["realized_profit"].is_string(), "{detail}");
    let credentials = detail["credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 1);
    assert_eq!(
        (credentials[0]["key_last4"].as_str(), credentials[0]["status"].as_str()),
        (Some("WXYZ"), Some("unverified"))
    );

    // No backoffice answer holds the key, the secret (plain or as stored), or the user's tokens.
    let list = op.get(&app, "/backoffice/api/users?sort=email_asc").await;
    let export = op.get(&app, "/backoffice/api/users/export").await;
    let audit = op.get(&app, "/backoffice/api/audit?limit=200").await;
    let secrets = [
        API_KEY,
        &API_KEY[..20],
        API_SECRET,
        credential.api_key.ciphertext.as_str(),
        credential.api_secret.ciphertext.as_str(),
        ana.password.as_str(),
        ana.access.as_str(),
        ana.refresh.as_str(),
    ];
    for answer in [&answer, &list, &export, &audit] {
        assert_eq!(answer.status, 200, "{}", answer.text);
        for secret in secrets {
            assert!(!answer.text.contains(secret), "a backoffice answer holds a secret: {}", answer.text);
        }
    }
}
