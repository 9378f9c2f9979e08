//! Trading contexts, credential validation and market data through the running server, on both
//! stores: paper contexts on the default server, live contexts against a fake Binance, each of
//! the creation checks with its own code, the plan limit at its edge, ownership, pausing after a
//! downgrade, and the public market endpoints with the paper price control.

use botfleet_tests::app::{settings, spawn_app, spawn_with, Session, Store, TestApp};
use botfleet_tests::fakes::binance::{self, FakeBinance};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    paper_contexts_work_on_the_default_server,
    the_free_limit_duplicates_and_unknown_pairs_have_their_codes,
    another_users_context_is_not_found,
    live_contexts_need_a_usable_credential,
    keys_that_can_withdraw_are_refused,
    paid_limits_an_inactive_subscription_and_pausing_after_a_downgrade,
    market_data_and_the_paper_price_control,
);

fn paper(exchange: &str, symbol: &str) -> Value {
    json!({"exchange": exchange, "symbol": symbol, "mode": "paper"})
}

async fn create(app: &TestApp, user: &Session, body: &Value) -> botfleet_tests::app::Answer {
    app.post("/api/contexts", Some(&user.access), body).await
}

async fn paper_contexts_work_on_the_default_server(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("ctx-a@example.com").await;
    let created = create(&app, &user, &paper("mercado_bitcoin", "btc-brl")).await.ok(201).clone();
    assert_eq!((created["symbol"].as_str(), created["mode"].as_str()), (Some("BTC-BRL"), Some("paper")));
    let id = created["id"].as_str().unwrap();

    let balance = app.get(&format!("/api/contexts/{id}/balance"), Some(&user.access)).await.ok(200).clone();
    assert_eq!(balance["quote"], json!({"asset": "BRL", "free": "100000", "locked": "0"}));
    assert_eq!(balance["base"]["asset"], "BTC");
    assert_eq!(balance["base"]["free"], "0");

    let list = app.get("/api/contexts", Some(&user.access)).await.ok(200).clone();
    assert_eq!((list["total"].as_u64(), list["items"][0]["id"].as_str()), (Some(1), Some(id)));
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["usage"]["contexts"], json!({"used": 1, "limit": 1}));

    app.delete(&format!("/api/contexts/{id}"), Some(&user.access), None).await.ok(204);
    app.get(&format!("/api/contexts/{id}"), Some(&user.access)).await.problem(404, "not_found");
}

async fn the_free_limit_duplicates_and_unknown_pairs_have_their_codes(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("ctx-b@example.com").await;
    let unknown = create(&app, &user, &paper("mercado_bitcoin", "DOGE-BRL")).await;
    assert_eq!(unknown.problem(422, "validation_failed")["errors"][0]["code"], "unknown_pair");
    let bad = create(&app, &user, &json!({"exchange": "kraken", "symbol": "BTC", "mode": "demo"})).await;
    let fields: Vec<&str> = bad.problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["exchange", "symbol", "mode"]);

    create(&app, &user, &paper("mercado_bitcoin", "BTC-BRL")).await.ok(201);
    let second = create(&app, &user, &paper("binance", "BTC-USDT")).await;
    assert_eq!(second.problem(402, "plan_limit_contexts")["upgrade_to"], "PRO");
    let again = create(&app, &user, &paper("mercado_bitcoin", "BTC-BRL")).await;
    assert_eq!(again.status, 402, "the limit is checked before the duplicate: {}", again.text);
}

async fn another_users_context_is_not_found(store: Store) {
    let app = spawn_app(store).await;
    let owner = app.user("ctx-owner@example.com").await;
    let other = app.user("ctx-other@example.com").await;
    let id = create(&app, &owner, &paper("binance", "ETH-USDT")).await.ok(201)["id"].as_str().unwrap().to_owned();
    for path in [format!("/api/contexts/{id}"), format!("/api/contexts/{id}/balance")] {
        app.get(&path, Some(&other.access)).await.problem(404, "not_found");
    }
    app.delete(&format!("/api/contexts/{id}"), Some(&other.access), None).await.problem(404, "not_found");
    app.get(&format!("/api/contexts/{id}"), Some(&owner.access)).await.ok(200);
    // The same market is free for the other user.
    create(&app, &other, &paper("binance", "ETH-USDT")).await.ok(201);
}

async fn spawn_with_binance(store: Store) -> (TestApp, FakeBinance) {
    let fake = FakeBinance::start().await;
    let uri = fake.uri();
    let app =
        spawn_with(settings(store, &[("BOTFLEET_BINANCE_BASE_URL", &uri), ("BOTFLEET_BINANCE_TESTNET_URL", &uri)]))
            .await;
    (app, fake)
}

async fn live_contexts_need_a_usable_credential(store: Store) {
    let (app, _fake) = spawn_with_binance(store).await;
    let user = app.user("ctx-c@example.com").await;
    let live = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "live"});
    create(&app, &user, &live).await.problem(409, "credential_required");

    let wrong =
        json!({"exchange": "binance", "api_key": "not-the-right-key-123", "api_secret": "not-the-right-secret-123"});
    let stored = app.post("/api/credentials", Some(&user.access), &wrong).await.ok(201).clone();
    assert_eq!(
        (stored["status"].as_str(), stored["status_reason"].as_str()),
        (Some("invalid"), Some("the exchange refused the key"))
    );
    assert!(stored["validated_at"].is_string());
    create(&app, &user, &live).await.problem(409, "credential_required");
    let id = stored["id"].as_str().unwrap();
    app.delete(&format!("/api/credentials/{id}"), Some(&user.access), None).await.ok(204);

    let right = json!({"exchange": "binance", "api_key": binance::API_KEY, "api_secret": binance::API_SECRET});
    let stored = app.post("/api/credentials", Some(&user.access), &right).await.ok(201).clone();
    assert_eq!(stored["status"], "valid");
    let id = stored["id"].as_str().unwrap();
    let again = app.post(&format!("/api/credentials/{id}/validate"), Some(&user.access), &json!({})).await;
    assert_eq!(again.ok(200)["status"], "valid");

    let context = create(&app, &user, &live).await.ok(201).clone();
    let balance =
        app.get(&format!("/api/contexts/{}/balance", context["id"].as_str().unwrap()), Some(&user.access)).await;
    let balance = balance.ok(200);
    assert_eq!(balance["quote"]["asset"], "USDT");
    assert_ne!(balance["quote"]["free"], "0", "the fake account is funded: {balance}");

    // Mercado Bitcoin is unreachable here: the key is kept unverified and validation says so.
    let mb = json!({"exchange": "mercado_bitcoin", "api_key": "mb-login-1234", "api_secret": "mb-password-5678"});
    let stored = app.post("/api/credentials", Some(&user.access), &mb).await.ok(201).clone();
    assert_eq!(stored["status"], "unverified");
    let path = format!("/api/credentials/{}/validate", stored["id"].as_str().unwrap());
    app.post(&path, Some(&user.access), &json!({})).await.problem(503, "exchange_unavailable");
}

async fn keys_that_can_withdraw_are_refused(store: Store) {
    let (app, fake) = spawn_with_binance(store).await;
    fake.allow_withdrawals();
    let user = app.user("ctx-d@example.com").await;
    let right = json!({"exchange": "binance", "api_key": binance::API_KEY, "api_secret": binance::API_SECRET});
    let answer = app.post("/api/credentials", Some(&user.access), &right).await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["code"], "withdrawal_enabled");
    assert!(!answer.text.contains(binance::API_SECRET));
    assert_eq!(app.get("/api/credentials", Some(&user.access)).await.ok(200)["total"], 0, "nothing stored");
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Sends a Stripe event created `later` seconds from now (the provider's clock moves on).
async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, later: i64) {
    let (body, signature) = signed_event(id, kind, object, now() + later, stripe::WEBHOOK_SECRET, now());
    app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await.ok(200);
}

async fn paid_limits_an_inactive_subscription_and_pausing_after_a_downgrade(store: Store) {
    let fake = FakeStripe::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_with(settings(store, &pairs)).await;
    let user = app.user("ctx-e@example.com").await;
    fake.subscribe("sub_ctx", &user.user_id, "PRO", now() + 30 * 86_400);
    let checkout = json!({"id": "cs_1", "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": "sub_ctx", "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    stripe_event(&app, "evt_ctx_1", "checkout.session.completed", checkout, 0).await;

    let markets = [
        ("mercado_bitcoin", "BTC-BRL"),
        ("mercado_bitcoin", "ETH-BRL"),
        ("binance", "BTC-USDT"),
        ("binance", "ETH-USDT"),
    ];
    create(&app, &user, &paper(markets[0].0, markets[0].1)).await.ok(201);
    let twin = create(&app, &user, &paper(markets[0].0, markets[0].1)).await;
    twin.problem(409, "context_exists");
    for (exchange, symbol) in &markets[1..3] {
        create(&app, &user, &paper(exchange, symbol)).await.ok(201);
    }

    let fourth = create(&app, &user, &paper(markets[3].0, markets[3].1)).await;
    assert_eq!(fourth.problem(402, "plan_limit_contexts")["upgrade_to"], "MAX");

    let failed = json!({"id": "in_1", "object": "invoice", "parent": {"type": "subscription_details",
        "subscription_details": {"subscription": "sub_ctx", "metadata": {}}}});
    stripe_event(&app, "evt_ctx_2", "invoice.payment_failed", failed, 1).await;
    create(&app, &user, &paper(markets[3].0, markets[3].1)).await.problem(403, "subscription_inactive");

    fake.set_status("sub_ctx", "canceled");
    stripe_event(&app, "evt_ctx_3", "customer.subscription.deleted", fake.subscription("sub_ctx"), 2).await;
    let list = app.get("/api/contexts", Some(&user.access)).await.ok(200).clone();
    let statuses: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["active", "paused", "paused"], "the newest beyond FREE's one context are paused");
    assert!(list["items"][2]["status_reason"].as_str().unwrap().contains("limit"));
}

async fn market_data_and_the_paper_price_control(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("ctx-f@example.com").await;
    let exchanges = app.get("/api/exchanges", None).await.ok(200).clone();
    let names: Vec<&str> =
        exchanges["items"].as_array().unwrap().iter().map(|e| e["exchange"].as_str().unwrap()).collect();
    assert_eq!(names, ["binance", "mercado_bitcoin"]);
    assert_eq!(exchanges["items"][0]["advanced_indicators"], true);
    assert_eq!(exchanges["items"][1]["advanced_indicators"], false);

    let pairs = app.get("/api/exchanges/mercado_bitcoin/pairs?mode=paper", None).await.ok(200).clone();
    let symbols: Vec<&str> = pairs["items"].as_array().unwrap().iter().map(|p| p["symbol"].as_str().unwrap()).collect();
    assert!(symbols.contains(&"BTC-BRL") && symbols.contains(&"ETH-BRL"), "{symbols:?}");
    let all = app.get("/api/exchanges/symbols?mode=paper", None).await.ok(200).clone();
    let btc_brl = all["items"].as_array().unwrap().iter().find(|s| s["symbol"] == "BTC-BRL").unwrap().clone();
    assert_eq!(btc_brl["exchanges"], json!(["binance", "mercado_bitcoin"]));

    let set = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "price": "350000.00"});
    app.post("/api/paper/prices", None, &set).await.problem(401, "missing_token");
    let done = app.post("/api/paper/prices", Some(&user.access), &set).await.ok(200).clone();
    let ticker = app.get("/api/market/mercado_bitcoin/BTC-BRL/ticker?mode=paper", None).await.ok(200).clone();
    // The paper price follows its path from the override on (docs/exchanges/paper.md), so a read
    // a moment later may have moved with the replay (up to a hundredth of a percent a second in a
    // fast minute): half a percent is room for that, and far from the unset replay (under 100,000).
    let (last, set): (rust_decimal::Decimal, rust_decimal::Decimal) =
        (ticker["last"].as_str().unwrap().parse().unwrap(), done["price"].as_str().unwrap().parse().unwrap());
    assert!((last - set).abs() <= set / rust_decimal::Decimal::from(200), "{last} vs {set}");

    let candles =
        app.get("/api/market/binance/BTC-USDT/candles?timeframe=1h&limit=5&mode=paper", None).await.ok(200).clone();
    assert_eq!(candles["items"].as_array().unwrap().len(), 5);
    for built in ["5m", "30m"] {
        let path = format!("/api/market/mercado_bitcoin/BTC-BRL/candles?timeframe={built}&limit=3&mode=paper");
        let candles = app.get(&path, None).await.ok(200).clone();
        assert_eq!(candles["items"].as_array().unwrap().len(), 3, "Mercado Bitcoin offers {built}: {candles}");
    }
    let unsupported = app.get("/api/market/mercado_bitcoin/BTC-BRL/candles?timeframe=4h&mode=paper", None).await;
    assert_eq!(unsupported.problem(422, "validation_failed")["errors"][0]["code"], "unsupported_timeframe");
    let book = app.get("/api/market/binance/BTC-USDT/orderbook?depth=3&mode=paper", None).await.ok(200).clone();
    assert_eq!(book["bids"].as_array().unwrap().len(), 3);
    app.get("/api/market/kraken/BTC-USD/ticker", None).await.problem(404, "not_found");
    app.get("/api/market/binance/BTC-USDT/ticker", None).await.problem(503, "exchange_unavailable");
}
