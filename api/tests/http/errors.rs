//! Unknown routes, wrong methods and failing readiness come back as problems.

use std::sync::Arc;

use async_trait::async_trait;

use crate::helpers::{problem, spawn_app, spawn_with_readiness};

#[tokio::test]
async fn unknown_route_is_a_route_not_found_problem() {
    let app = spawn_app().await;

    let response = app.get("/api/nope?token=secret").await;

    let problem = problem(response, 404, "route_not_found").await;
    assert_eq!(problem.instance.as_deref(), Some("/api/nope"), "no query string: it may hold tokens");
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;

    let response = app.client.post(app.url("/health/live")).send().await.unwrap();

    assert_eq!(response.headers()["allow"], "GET");
    problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn wrong_method_on_docs_is_a_405_problem() {
    let app = spawn_app().await;

    for path in ["/openapi.json", "/docs", "/docs/index.html"] {
        let response = app.client.delete(app.url(path)).send().await.unwrap();

        assert_eq!(response.headers()["allow"], "GET", "{path}");
        problem(response, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn live_is_always_ok() {
    let app = spawn_app().await;

    let response = app.get("/health/live").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"status": "alive"}));
}

#[tokio::test]
async fn ready_is_ok_when_the_check_passes() {
    let app = spawn_app().await;

    let response = app.get("/health/ready").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"status": "ready"}));
}

struct StoreDown;

#[async_trait]
impl api::ReadinessCheck for StoreDown {
    async fn check(&self) -> anyhow::Result<()> {
        anyhow::bail!("mongodb://admin:hunter2@db unreachable")
    }
}

#[tokio::test]
async fn ready_is_a_503_problem_without_the_cause_when_the_check_fails() {
    let app = spawn_with_readiness(Arc::new(StoreDown)).await;

    let response = app.get("/health/ready").await;

    let problem = problem(response, 503, "not_ready").await;
    assert!(!problem.detail.contains("hunter2"));
}
