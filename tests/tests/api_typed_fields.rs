//! Typed ids, enums and instants in request bodies and query strings, through the running server
//! on both stores: a malformed one is refused before any use case runs, with 422
//! `validation_failed` naming each bad field (code `invalid`, the value not repeated); a value of
//! the wrong JSON type stays a 422 `invalid_type`; a blank list filter (orders, bots) is a 400
//! `invalid_query`.

use botfleet_tests::app::Store;
use botfleet_tests::bots::{bot_app, create_bot, price, trader};
use botfleet_tests::orders::{fields, list, pair, place};
use domain::subscriptions::Plan;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    bot_bodies_and_filters_are_typed,
    order_bodies_and_filters_are_typed,
    context_and_credential_bodies_are_typed,
);

fn dca() -> Value {
    json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"})
}

async fn bot_bodies_and_filters_are_typed(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let token = Some(ana.access.as_str());
    let bot = create_bot(&app, &ana, &ctx, "dca", dca()).await["id"].as_str().unwrap().to_owned();

    // A create body: a malformed context id and an unknown kind are each named.
    let body = json!({"context_id": "ctx-1", "kind": "grid", "name": "typed", "config": dca()});
    let refused = app.post("/api/bots", token, &body).await;
    assert_eq!(fields(&refused), [pair("context_id", "invalid"), pair("kind", "invalid")]);
    assert!(!refused.text.contains("ctx-1"), "the value is not repeated: {}", refused.text);
    let body = json!({"context_id": ctx, "kind": "dca", "name": "typed", "config": dca()});
    let body = |field: &str, value: Value| {
        let mut body = body.clone();
        body[field] = value;
        body
    };
    assert_eq!(
        fields(&app.post("/api/bots", token, &body("context_id", json!(""))).await),
        [pair("context_id", "invalid")]
    );
    assert_eq!(
        fields(&app.post("/api/bots", token, &body("context_id", json!(7))).await),
        [pair("context_id", "invalid_type")]
    );
    // A well-formed id of no context of hers is a 404, as before.
    let other = domain::shared::ids::ContextId::new().to_string();
    app.post("/api/bots", token, &body("context_id", json!(other))).await.problem(404, "not_found");

    // The list's filters.
    for (query, field) in [("context_id=ctx-1", "context_id"), ("kind=grid", "kind"), ("status=sleeping", "status")] {
        let refused = app.get(&format!("/api/bots?{query}"), token).await;
        assert_eq!(fields(&refused), [pair(field, "invalid")], "{query}");
    }
    let blank = app.get("/api/bots?status=", token).await;
    assert_eq!(blank.problem(400, "invalid_query")["errors"][0]["field"], "status", "as on the orders");
    let both = app.get("/api/bots?context_id=nope&status=Running", token).await;
    assert_eq!(fields(&both), [pair("context_id", "invalid"), pair("status", "invalid")]);
    let found = app.get(&format!("/api/bots?context_id={ctx}&kind=dca&status=created"), token).await;
    assert_eq!(found.ok(200)["items"][0]["id"], bot.as_str());

    // A command's position id.
    let sale = json!({"type": "market", "position_id": "pos-1"});
    let refused = app.post(&format!("/api/bots/{bot}/sell"), token, &sale).await;
    assert_eq!(fields(&refused), [pair("position_id", "invalid")]);
}

async fn order_bodies_and_filters_are_typed(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let token = Some(ana.access.as_str());
    price(&app, &ana.access, dec!(300000)).await;

    // A create body's context id: malformed is a 422 naming it (the order is not checked
    // further), well-formed but not hers is a 404.
    let order = json!({"side": "buy", "type": "market", "quantity": "0.001"});
    let refused = place(&app, &ana, "ctx-1", order.clone()).await;
    assert_eq!(fields(&refused), [pair("context_id", "invalid")]);
    let other = domain::shared::ids::ContextId::new().to_string();
    place(&app, &ana, &other, order.clone()).await.problem(404, "not_found");
    let placed = place(&app, &ana, &ctx, order).await.ok(201)["id"].as_str().unwrap().to_owned();

    // The list's filters, on both list routes and the CSV export.
    let cases = [
        ("context_id=ctx-1", "context_id"),
        ("bot_id=01ARZ3NDEKTSV4RRFFQ69G5FAVX", "bot_id"),
        ("status=new,open", "status"),
        ("status=NEW", "status"),
        ("side=long", "side"),
        ("source=grid", "source"),
        ("from=yesterday", "from"),
        ("from=2025-01-01", "from"),
        ("to=2025-01-01T00:00:00", "to"),
        ("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "to"),
    ];
    for path in ["/api/orders", "/api/dashboard/orders", "/api/exports/orders.csv"] {
        for (query, field) in cases {
            let refused = app.get(&format!("{path}?{query}"), token).await;
            assert_eq!(fields(&refused), [pair(field, "invalid")], "{path}?{query}");
        }
        let blank = app.get(&format!("{path}?side="), token).await;
        assert_eq!(blank.problem(400, "invalid_query")["errors"][0]["field"], "side", "{path}");
    }
    let all = "context_id=nope&bot_id=nope&status=x&side=x&source=x&from=x&to=x";
    let refused = app.get(&format!("/api/orders?{all}"), token).await;
    let named: Vec<String> = fields(&refused).into_iter().map(|(field, _)| field).collect();
    assert_eq!(named, ["context_id", "bot_id", "status", "side", "source", "from", "to"]);

    let query = format!("context_id={ctx}&status=filled,new&side=buy&source=manual&from=2025-01-01T00:00:00%2B01:00");
    assert_eq!(list(&app, &ana, &format!("?{query}")).await["items"][0]["id"], placed.as_str());
}

async fn context_and_credential_bodies_are_typed(store: Store) {
    let (app, _repos) = bot_app(store, &[]).await;
    let user = app.user("typed@example.com").await;
    let token = Some(user.access.as_str());
    let context = |exchange: &str, mode: &str| json!({"exchange": exchange, "symbol": "BTC-BRL", "mode": mode});
    let refused = app.post("/api/contexts", token, &context("kraken", "paper")).await;
    assert_eq!(fields(&refused), [pair("exchange", "unknown_exchange")]);
    let refused = app.post("/api/contexts", token, &context("mercado_bitcoin", "Paper")).await;
    assert_eq!(fields(&refused), [pair("mode", "invalid")]);
    let refused =
        app.post("/api/contexts", token, &json!({"exchange": "binance", "symbol": "BTC-BRL", "mode": 1})).await;
    assert_eq!(fields(&refused), [pair("mode", "invalid_type")]);
    // `mode` defaults to paper.
    let opened = app.post("/api/contexts", token, &json!({"exchange": "mercado_bitcoin", "symbol": "btc-brl"})).await;
    assert_eq!(opened.ok(201)["mode"], "paper");

    let credential = json!({"exchange": "kraken", "api_key": "key-1234-abcd", "api_secret": "secret-5678-efgh"});
    let refused = app.post("/api/credentials", token, &credential).await;
    assert_eq!(fields(&refused), [pair("exchange", "unknown_exchange")]);
}
