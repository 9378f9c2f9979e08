//! Typed path ids through the running server on both stores: a malformed id is refused before
//! any use case runs, with 400 `invalid_path` naming the parameter (`id`, `position_id`,
//! `delivery_id`); a well-formed id of another user's resource, or of none, is a 404 (never 403:
//! the answer does not say whether the resource exists).

use botfleet_tests::app::{Store, TestApp};
use botfleet_tests::bots::{bot_app, create_bot, trader};
use domain::shared::ids::{EventId, PositionId};
use domain::subscriptions::Plan;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_malformed_path_id_is_a_400_naming_its_parameter,
    another_users_id_is_a_404_on_every_module,
);

/// A well-formed id no resource has.
fn unknown() -> String {
    EventId::new().to_string()
}

/// Answers `method path` with `token` (an empty JSON body for writes).
async fn call(app: &TestApp, method: &str, path: &str, token: &str) -> botfleet_tests::app::Answer {
    match method {
        "GET" => app.get(path, Some(token)).await,
        "POST" => app.post(path, Some(token), &json!({})).await,
        "PUT" => app.put(path, Some(token), &json!({})).await,
        "DELETE" => app.delete(path, Some(token), None).await,
        other => panic!("{other}"),
    }
}

fn field(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_else(|| panic!("a named field: {problem}"))
}

async fn a_malformed_path_id_is_a_400_naming_its_parameter(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let bot = create_bot(&app, &ana, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
    let (position, endpoint) = (PositionId::new(), unknown());
    // One representative route per module, with malformed ids of several shapes: too short, a
    // letter outside Crockford's base32, one character too many.
    let bad = ["not-an-id", "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01ARZ3NDEKTSV4RRFFQ69G5FAVX"];
    for raw in bad {
        let cases = [
            ("GET", format!("/api/bots/{raw}"), "id"),
            ("POST", format!("/api/bots/{raw}/start"), "id"),
            ("GET", format!("/api/contexts/{raw}"), "id"),
            ("GET", format!("/api/contexts/{raw}/signals"), "id"),
            ("GET", format!("/api/credentials/{raw}"), "id"),
            ("GET", format!("/api/orders/{raw}"), "id"),
            ("DELETE", format!("/api/orders/{raw}"), "id"),
            ("POST", format!("/api/notifications/{raw}/read"), "id"),
            ("GET", format!("/api/webhook-endpoints/{raw}"), "id"),
            ("GET", format!("/api/webhook-endpoints/{raw}/deliveries"), "id"),
            ("GET", format!("/api/assistant/conversations/{raw}"), "id"),
            ("DELETE", format!("/api/assistant/conversations/{raw}"), "id"),
            ("GET", format!("/api/assistant/proposals/{raw}"), "id"),
            ("POST", format!("/api/bots/{bot}/positions/{raw}/schedule-sell"), "position_id"),
            ("POST", format!("/api/bots/{raw}/positions/{position}/schedule-sell"), "id"),
            ("POST", format!("/api/webhook-endpoints/{endpoint}/deliveries/{raw}/redeliver"), "delivery_id"),
            ("POST", format!("/api/webhook-endpoints/{raw}/deliveries/{}:{endpoint}/redeliver", unknown()), "id"),
        ];
        for (method, path, parameter) in cases {
            let answer = call(&app, method, &path, &ana.access).await;
            let problem = answer.problem(400, "invalid_path");
            assert_eq!(field(problem), parameter, "{method} {path}: {problem}");
            let said = format!("{} {}", problem["detail"], problem["errors"]);
            assert!(!said.contains(raw), "the value is not repeated: {problem}");
        }
    }
    // The refusal comes after authentication: no token is still a 401.
    app.get("/api/bots/not-an-id", None).await.problem(401, "missing_token");
}

fn smart() -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1})
}

async fn another_users_id_is_a_404_on_every_module(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let (bia, _) = trader(&app, &repos, "bia@example.com", Plan::Free).await;
    let bot = create_bot(&app, &ana, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
    let conversation = botfleet_tests::assistant::conversation(&app, &ana).await;
    let (endpoint, delivery) = (unknown(), format!("{}:{}", unknown(), unknown()));
    let cases = [
        ("GET", format!("/api/bots/{bot}")),
        ("POST", format!("/api/bots/{bot}/pause")),
        ("POST", format!("/api/bots/{bot}/positions/{}/schedule-sell", PositionId::new())),
        ("GET", format!("/api/contexts/{ctx}")),
        ("GET", format!("/api/contexts/{ctx}/signals")),
        ("GET", format!("/api/assistant/conversations/{conversation}")),
        ("DELETE", format!("/api/assistant/conversations/{conversation}")),
        // Well-formed ids nobody of these has.
        ("GET", format!("/api/credentials/{}", unknown())),
        ("GET", format!("/api/orders/{}", unknown())),
        ("POST", format!("/api/notifications/{}/read", unknown())),
        ("GET", format!("/api/webhook-endpoints/{endpoint}")),
        ("POST", format!("/api/webhook-endpoints/{endpoint}/deliveries/{delivery}/redeliver")),
        ("GET", format!("/api/assistant/proposals/{}", unknown())),
    ];
    for (method, path) in &cases {
        call(&app, method, path, &bia.access).await.problem(404, "not_found");
    }
    // Ana still has them all: bia's calls changed nothing.
    app.get(&format!("/api/bots/{bot}"), Some(&ana.access)).await.ok(200);
    app.get(&format!("/api/assistant/conversations/{conversation}"), Some(&ana.access)).await.ok(200);
}
