//! Body, query and path errors, through the real app with a test-only route (in process).

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::{test, web, HttpResponse};
use api::query::Query;
use api::{startup, ApiError, Problem};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::helpers::{state, test_settings};

#[derive(Debug, Deserialize, Serialize, Validate)]
struct Order {
    name: String,
    #[validate(range(max = 10))]
    qty: u32,
}

#[derive(Debug, Deserialize)]
struct Paging {
    #[serde(default)]
    #[allow(dead_code)]
    limit: Option<u32>,
}

async fn create_order(
    _id: web::Path<u32>,
    _paging: Query<Paging>,
    order: web::Json<Order>,
) -> Result<HttpResponse, ApiError> {
    order.validate()?;
    Ok(HttpResponse::Created().json(order.into_inner()))
}

fn routes(cfg: &mut ServiceConfig<'_>) {
    api::routes::configure(cfg);
    cfg.route("/test/orders/{id}", web::post().to(create_order));
}

async fn app(
) -> impl Service<actix_http::Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error> {
    let state = state(test_settings(&[("BOTFLEET_JSON_LIMIT_BYTES", "64")])).await;
    test::init_service(startup::app(web::Data::new(state), routes)).await
}

async fn post(uri: &str, content_type: Option<&str>, body: &str) -> (u16, Problem) {
    let mut req = test::TestRequest::post().uri(uri).set_payload(body.to_owned());
    if let Some(content_type) = content_type {
        req = req.insert_header(("content-type", content_type));
    }
    let response = test::call_service(&app().await, req.to_request()).await;
    let status = response.status().as_u16();
    assert_eq!(response.headers().get("content-type").unwrap(), "application/problem+json", "status {status}");
    (status, test::read_body_json(response).await)
}

const JSON: Option<&str> = Some("application/json");

#[actix_web::test]
async fn a_valid_body_passes() {
    let req = test::TestRequest::post().uri("/test/orders/1").set_json(serde_json::json!({"name": "a", "qty": 1}));

    let response = test::call_service(&app().await, req.to_request()).await;

    assert_eq!(response.status(), 201);
    assert!(response.headers().contains_key("x-request-id"));
}

#[actix_web::test]
async fn malformed_json_is_400_naming_line_and_column() {
    let (status, problem) = post("/test/orders/1", JSON, "{\n  \"name\": \"a\",,\n}").await;

    assert_eq!((status, problem.code.as_str()), (400, "malformed_json"));
    assert!(problem.detail.contains("line 2, column"), "{}", problem.detail);
    assert!(problem.request_id.is_some());
}

#[actix_web::test]
async fn a_missing_field_is_422_naming_it() {
    let (status, problem) = post("/test/orders/1", JSON, r#"{"qty": 1}"#).await;

    assert_eq!((status, problem.code.as_str()), (422, "validation_failed"));
    assert_eq!((problem.errors[0].field.as_str(), problem.errors[0].code.as_str()), ("name", "required"));
}

#[actix_web::test]
async fn a_wrong_type_is_422_without_echoing_the_value() {
    let (status, problem) = post("/test/orders/1", JSON, r#"{"name": "a", "qty": "s3cret"}"#).await;

    assert_eq!((status, problem.code.as_str()), (422, "validation_failed"));
    assert_eq!(problem.errors[0].code, "invalid_type");
    assert!(!serde_json::to_string(&problem).unwrap().contains("s3cret"));
}

#[actix_web::test]
async fn validator_errors_are_422_with_fields() {
    let (status, problem) = post("/test/orders/1", JSON, r#"{"name": "a", "qty": 99}"#).await;

    assert_eq!((status, problem.errors[0].field.as_str()), (422, "qty"));
    assert_eq!(problem.errors[0].message, "must be at most 10");
}

#[actix_web::test]
async fn an_oversized_body_is_413() {
    let big = format!(r#"{{"name": "{}", "qty": 1}}"#, "x".repeat(100));

    let (status, problem) = post("/test/orders/1", JSON, &big).await;

    assert_eq!((status, problem.code.as_str()), (413, "payload_too_large"));
}

#[actix_web::test]
async fn a_wrong_or_missing_content_type_is_415() {
    for content_type in [Some("text/plain"), None] {
        let (status, problem) = post("/test/orders/1", content_type, r#"{"name": "a", "qty": 1}"#).await;

        assert_eq!((status, problem.code.as_str()), (415, "unsupported_media_type"), "{content_type:?}");
    }
}

#[actix_web::test]
async fn a_bad_path_segment_is_400_naming_it() {
    let (status, problem) = post("/test/orders/abc", JSON, r#"{"name": "a", "qty": 1}"#).await;

    assert_eq!((status, problem.code.as_str()), (400, "invalid_path"));
    assert_eq!(problem.errors[0].field, "id");
}

#[actix_web::test]
async fn a_bad_query_parameter_is_400_naming_it() {
    let (status, problem) = post("/test/orders/1?limit=lots", JSON, r#"{"name": "a", "qty": 1}"#).await;

    assert_eq!((status, problem.code.as_str()), (400, "invalid_query"));
    assert_eq!(problem.errors[0].field, "limit");
    assert!(!problem.detail.contains("lots"), "{}", problem.detail);
}
