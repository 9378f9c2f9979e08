//! Request ids, metrics by route template, and CORS.

use crate::helpers::{problem, spawn_app, spawn_with_settings};

#[tokio::test]
async fn a_sane_request_id_is_echoed() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/health/live")).header("x-request-id", "abc-123.x_y").send().await.unwrap();

    assert_eq!(response.headers()["x-request-id"], "abc-123.x_y");
}

#[tokio::test]
async fn a_missing_or_insane_request_id_is_replaced_by_a_ulid() {
    let app = spawn_app().await;
    let too_long = "x".repeat(129);

    for incoming in [None, Some("bad id!"), Some(too_long.as_str())] {
        let mut request = app.client.get(app.url("/health/live"));
        if let Some(id) = incoming {
            request = request.header("x-request-id", id);
        }
        let response = request.send().await.unwrap();

        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 26, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

#[tokio::test]
async fn problems_carry_the_request_id() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/nope")).header("x-request-id", "trace-me").send().await.unwrap();

    let problem = problem(response, 404, "route_not_found").await;
    assert_eq!(problem.request_id.as_deref(), Some("trace-me"));
}

#[tokio::test]
async fn metrics_are_labelled_by_route_template() {
    let app = spawn_app().await;
    app.get("/health/live").await;
    app.get("/no/such/route/12345").await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
    let text = response.text().await.unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/health/live",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"route="<unmatched>",status="404""#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(!text.contains("12345"));
}

const ORIGIN: &str = "https://app.example.com";

async fn preflight(app: &crate::helpers::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/health/live"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_preflight_is_allowed_for_a_configured_origin() {
    let app = spawn_with_settings(&[("BOTFLEET_CORS_ORIGINS", ORIGIN)]).await;

    let response = preflight(&app, ORIGIN).await;

    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    let allowed = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("x-request-id"), "{allowed}");
}

#[tokio::test]
async fn cors_preflight_is_refused_for_another_origin() {
    let app = spawn_with_settings(&[("BOTFLEET_CORS_ORIGINS", ORIGIN)]).await;

    let response = preflight(&app, "https://evil.example.com").await;

    assert!(response.headers().get("access-control-allow-origin").is_none());
    problem(response, 400, "bad_request").await;
}

#[tokio::test]
async fn cors_exposes_the_request_id_on_actual_requests() {
    let app = spawn_with_settings(&[("BOTFLEET_CORS_ORIGINS", ORIGIN)]).await;

    let response = app.client.get(app.url("/health/live")).header("origin", ORIGIN).send().await.unwrap();

    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"), "{exposed}");
}

#[tokio::test]
async fn no_cors_headers_without_configured_origins() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/health/live")).header("origin", ORIGIN).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn collectors_registered_later_are_scraped() {
    let app = spawn_app().await;
    let running = prometheus::IntGauge::new("workflows_running", "Running workflows.").unwrap();
    app.state.metrics.register(running.clone()).unwrap();
    running.set(2);

    let text = app.get("/metrics").await.text().await.unwrap();

    assert!(text.contains("workflows_running 2"), "{text}");
}
