//! `/openapi.json` and the Swagger UI at `/docs`, served by the server itself.

use crate::helpers::spawn_app;

#[tokio::test]
async fn openapi_json_has_the_bearer_scheme_and_the_routes() {
    let app = spawn_app().await;

    let response = app.get("/openapi.json").await;

    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
    assert!(doc["paths"]["/health/live"]["get"].is_object());
}

#[tokio::test]
async fn docs_redirects_to_the_swagger_ui() {
    let app = spawn_app().await;

    let response = app.get("/docs").await;

    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/docs/");
}

#[tokio::test]
async fn swagger_ui_html_and_assets_are_served_offline() {
    let app = spawn_app().await;

    let html = app.get("/docs/").await;
    assert_eq!(html.status(), 200);
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = html.text().await.unwrap();
    assert!(html.contains("swagger-ui-bundle.js"), "{html}");

    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), 200);
    assert!(bundle.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(bundle.bytes().await.unwrap().len() > 100_000);

    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");
}
