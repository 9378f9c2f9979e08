//! Helpers of the orders scenarios: placing manual orders (with headers), listing them, reading
//! a context's balances, and the fields a 422 names.

use serde_json::{json, Value};

use crate::app::{Answer, Session, TestApp};

/// Places `order` (without `context_id`) in `context`.
pub async fn place(app: &TestApp, user: &Session, context: &str, order: Value) -> Answer {
    place_with(app, user, context, order, &[]).await
}

/// Places `order` in `context` with extra request `headers` (an `Idempotency-Key`).
pub async fn place_with(
    app: &TestApp,
    user: &Session,
    context: &str,
    order: Value,
    headers: &[(&str, &str)],
) -> Answer {
    let mut body = json!({"context_id": context});
    body.as_object_mut().unwrap().extend(order.as_object().unwrap().clone());
    app.call(reqwest::Method::POST, "/api/orders", Some(&user.access), Some(&body), headers).await
}

/// The context's balances, as its owner reads them.
pub async fn balance(app: &TestApp, user: &Session, context: &str) -> Value {
    app.get(&format!("/api/contexts/{context}/balance"), Some(&user.access)).await.ok(200).clone()
}

/// `GET /api/orders{query}` as `user`, asserting 200.
pub async fn list(app: &TestApp, user: &Session, query: &str) -> Value {
    app.get(&format!("/api/orders{query}"), Some(&user.access)).await.ok(200).clone()
}

/// The ids of a page's items, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

/// The (field, code) pairs of a 422.
pub fn fields(answer: &Answer) -> Vec<(String, String)> {
    let problem = answer.problem(422, "validation_failed");
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect()
}

/// A (field, code) pair.
pub fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}
