//! Typed path ids of the backoffice through the running server on both stores: a malformed user,
//! bot, invoice, operator or coupon id is refused before any use case runs, with 400
//! `invalid_path` naming the parameter (`id`, `bot_id`, `invoice_id`); a well-formed id of
//! nothing, or of another user's bot or invoice, is a 404 that changed nothing.

use botfleet_tests::app::{Store, TestApp};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, Operator};
use botfleet_tests::bots::{create_bot, trader};
use domain::backoffice::OperatorRole;
use domain::shared::ids::EventId;
use domain::subscriptions::Plan;
use reqwest::Method;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_malformed_backoffice_path_id_is_a_400_naming_its_parameter,
    an_unknown_or_foreign_backoffice_id_is_a_404,
);

/// A well-formed id no resource has.
fn unknown() -> String {
    EventId::new().to_string()
}

/// A logged-in SUPER_ADMIN (every route below is theirs to call).
async fn super_admin(app: &TestApp, repos: &infrastructure::repositories::Repositories) -> Operator {
    create_operator(repos, "root@staff.example", OperatorRole::SuperAdmin).await;
    enrol_and_login(app, "root@staff.example", "10.9.0.1").await
}

/// The body each write needs to get past its own checks (so only the id decides the answer).
fn body(path: &str) -> Value {
    if path.ends_with("/comp") {
        json!({"plan": "PRO", "days": 30, "reason": "goodwill"})
    } else if path.ends_with("/role") {
        json!({"role": "admin"})
    } else {
        json!({})
    }
}

async fn call(app: &TestApp, operator: &Operator, method: &str, path: &str) -> botfleet_tests::app::Answer {
    match method {
        "GET" => operator.get(app, path).await,
        "POST" => operator.call(app, Method::POST, path, Some(&body(path))).await,
        "DELETE" => operator.call(app, Method::DELETE, path, None).await,
        other => panic!("{other}"),
    }
}

/// Every backoffice route with an id in its path, for `user`, `bot`, `invoice` and `other`
/// (the operator or coupon id), each with the parameter `user` stands for.
fn routes(user: &str, bot: &str, invoice: &str, other: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GET", format!("/backoffice/api/users/{user}")),
        ("POST", format!("/backoffice/api/users/{user}/block")),
        ("POST", format!("/backoffice/api/users/{user}/unblock")),
        ("POST", format!("/backoffice/api/users/{user}/password-reset")),
        ("POST", format!("/backoffice/api/users/{user}/comp")),
        ("DELETE", format!("/backoffice/api/users/{user}/comp")),
        ("POST", format!("/backoffice/api/users/{user}/bots/{bot}/pause")),
        ("POST", format!("/backoffice/api/users/{user}/invoices/{invoice}/refund")),
        ("POST", format!("/backoffice/api/operators/{other}/role")),
        ("POST", format!("/backoffice/api/operators/{other}/disable")),
        ("POST", format!("/backoffice/api/operators/{other}/totp-reset")),
        ("GET", format!("/backoffice/api/coupons/{other}")),
        ("POST", format!("/backoffice/api/coupons/{other}/disable")),
    ]
}

async fn a_malformed_backoffice_path_id_is_a_400_naming_its_parameter(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let root = super_admin(&app, &repos).await;
    let user = app.user("ana@example.com").await.user_id;
    let (bot, invoice) = (unknown(), unknown());
    // Too short, a letter outside Crockford's base32, one character too many.
    for raw in ["not-an-id", "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01ARZ3NDEKTSV4RRFFQ69G5FAVX"] {
        let mut cases: Vec<(&str, String, &str)> =
            routes(raw, &bot, &invoice, raw).into_iter().map(|(m, p)| (m, p, "id")).collect();
        cases.push(("POST", format!("/backoffice/api/users/{user}/bots/{raw}/pause"), "bot_id"));
        cases.push(("POST", format!("/backoffice/api/users/{user}/invoices/{raw}/refund"), "invoice_id"));
        for (method, path, parameter) in cases {
            let answer = call(&app, &root, method, &path).await;
            let problem = answer.problem(400, "invalid_path");
            assert_eq!(problem["errors"][0]["field"], parameter, "{method} {path}: {problem}");
            let said = format!("{} {}", problem["detail"], problem["errors"]);
            assert!(!said.contains(raw), "the value is not repeated: {problem}");
        }
    }
    // The refusal comes after the session check: no cookie is still a 401.
    let anonymous = botfleet_tests::backoffice::send(
        &app,
        Method::GET,
        "/backoffice/api/users/not-an-id",
        "10.9.0.2",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    // Nothing refused touched the user.
    let detail = root.get(&app, &format!("/backoffice/api/users/{user}")).await.ok(200).clone();
    assert_eq!(detail["user"]["status"], "active", "{detail}");
}

async fn an_unknown_or_foreign_backoffice_id_is_a_404(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let root = super_admin(&app, &repos).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let bia = app.user("bia@example.com").await;
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    let bot = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    // Well-formed ids of nothing.
    for (method, path) in routes(&unknown(), &unknown(), &unknown(), &unknown()) {
        call(&app, &root, method, &path).await.problem(404, "not_found");
    }
    // Ana's bot under bia, and an invoice bia does not have.
    let foreign = [
        format!("/backoffice/api/users/{}/bots/{bot}/pause", bia.user_id),
        format!("/backoffice/api/users/{}/invoices/{}/refund", bia.user_id, unknown()),
    ];
    for path in &foreign {
        call(&app, &root, "POST", path).await.problem(404, "not_found");
    }
    // Ana's bot is as it was.
    let mine = app.get(&format!("/api/bots/{bot}"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(mine["status"], "created", "{mine}");
}
