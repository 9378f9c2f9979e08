//! Plans and subscriptions through the running server, on both stores: the public plan table,
//! the caller's subscription and usage, and what happens without payment providers configured.
//! The paid flows against mock providers are in `api_payments.rs`.

use botfleet_tests::app::{spawn_app, Store};
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    plans_are_public_with_prices_and_entitlements,
    a_new_user_is_on_free_with_usage,
    without_providers_checkout_is_unavailable_never_a_fake_success,
    checkout_names_bad_fields,
);

async fn plans_are_public_with_prices_and_entitlements(store: Store) {
    let app = spawn_app(store).await;
    let plans = app.get("/api/plans", None).await;
    let items = plans.ok(200)["items"].as_array().unwrap().clone();
    let names: Vec<&str> = items.iter().map(|p| p["plan"].as_str().unwrap()).collect();
    assert_eq!(names, ["FREE", "PRO", "MAX"]);
    let prices: Vec<&str> = items.iter().map(|p| p["monthly_price"].as_str().unwrap()).collect();
    assert_eq!(prices, ["0", "19.90", "97"]);
    assert_eq!(items[0]["entitlements"]["contexts"], 1);
    assert_eq!(items[0]["entitlements"]["bot_kinds"], json!(["smart"]));
    assert_eq!(items[1]["entitlements"]["contexts"], 3);
    assert_eq!(items[1]["entitlements"]["bots"], 10);
    assert_eq!(items[1]["entitlements"]["advanced_indicators"], false);
    assert_eq!(items[2]["entitlements"]["contexts"], json!(null), "MAX is unlimited");
    assert_eq!(items[2]["entitlements"]["advanced_indicators"], true);
    let history: Vec<&Value> = items.iter().map(|p| &p["entitlements"]["history_days"]).collect();
    assert_eq!(history, [&json!(30), &json!(90), &json!(null)]);
    // Only what the server enforces is sold: each of these keys has a refusal test (plan_limit_*,
    // plan_bot_kind, plan_advanced_*, plan_pdf_reports, the history window and the market
    // comparison in the dashboard's tests, chat_quota_exhausted in api_assistant).
    for item in &items {
        let mut keys: Vec<&str> = item["entitlements"].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let sold = [
            "advanced_indicators",
            "advanced_metrics",
            "bot_kinds",
            "bots",
            "chat_messages_per_day",
            "contexts",
            "history_days",
            "market_comparison",
            "pdf_reports",
        ];
        assert_eq!(keys, sold, "{item}");
    }
}

async fn a_new_user_is_on_free_with_usage(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("sub-a@example.com").await;
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await;
    let me = me.ok(200);
    assert_eq!((me["plan"].as_str(), me["effective_plan"].as_str()), (Some("FREE"), Some("FREE")));
    assert_eq!(me["status"], "active");
    assert_eq!(me["provider"], json!(null));
    assert_eq!(me["usage"]["contexts"], json!({"used": 0, "limit": 1}));
    assert_eq!(me["usage"]["bots"], json!({"used": 0, "limit": 2}));
    assert_eq!(me["usage"]["chat_messages_today"], json!({"used": 0, "limit": 10}));
    assert_eq!(me["usage"].as_object().unwrap().len(), 3, "only enforced limits are counted");
    app.get("/api/subscriptions/me", None).await.problem(401, "missing_token");
}

async fn without_providers_checkout_is_unavailable_never_a_fake_success(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("sub-b@example.com").await;
    for provider in ["stripe", "mercadopago"] {
        let body = json!({"plan": "PRO", "provider": provider,
            "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
        let answer = app.post("/api/subscriptions/checkout", Some(&user.access), &body).await;
        assert!(answer.problem(503, "payments_not_configured")["detail"].as_str().unwrap().contains(provider));
    }
    app.post("/api/subscriptions/cancel", Some(&user.access), &json!({})).await.problem(409, "nothing_to_cancel");
    for path in ["/api/webhooks/stripe", "/api/webhooks/mercadopago"] {
        app.post(path, None, &json!({"id": "evt_1"})).await.problem(503, "payments_not_configured");
    }
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await;
    assert_eq!(me.ok(200)["plan"], "FREE");
}

async fn checkout_names_bad_fields(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("sub-c@example.com").await;
    let bad = json!({"plan": "GOLD", "provider": "paypal", "success_url": "x", "cancel_url": "y"});
    let answer = app.post("/api/subscriptions/checkout", Some(&user.access), &bad).await;
    let fields: Vec<String> = answer.problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["plan", "provider"]);
}
