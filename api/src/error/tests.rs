//! Unit tests for `ApiError` rendering and the code -> status table.

use actix_web::body::to_bytes;
use actix_web::http::{header, Method, StatusCode};
use actix_web::ResponseError;
use application::{AppError, FieldError};
use domain::subscriptions::Plan;
use domain::RepoError;

use super::redact_values as redact;
use super::{ApiError, ErrorCode, Problem, PROBLEM_JSON};

async fn render(err: ApiError) -> (StatusCode, header::HeaderMap, Problem) {
    let response = err.error_response();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = to_bytes(response.into_body()).await.unwrap();
    (status, headers, serde_json::from_slice(&body).unwrap())
}

#[actix_web::test]
async fn every_app_error_maps_to_its_status_and_code() {
    let cases: Vec<(AppError, u16, &str)> = vec![
        (AppError::field("email", application::FieldCode::Email, "bad"), 422, "validation_failed"),
        (AppError::NotFound { resource: "credential" }, 404, "not_found"),
        (AppError::BotBusy("d".into()), 409, "bot_busy"),
        (RepoError::Conflict.into(), 409, "version_conflict"),
        (RepoError::Duplicate { index: "users_email".into() }.into(), 409, "duplicate"),
        (RepoError::Unavailable(anyhow::anyhow!("down")).into(), 503, "store_unavailable"),
        (AppError::internal(anyhow::anyhow!("boom")), 500, "internal_error"),
    ];
    for (err, status, code) in cases {
        let (got_status, headers, problem) = render(err.into()).await;

        assert_eq!((got_status.as_u16(), problem.status, problem.code.as_str()), (status, status, code));
        assert_eq!(problem.type_uri, format!("https://botfleet.dev/problems/{code}"));
        assert_eq!(problem.title, ErrorCode::from_code(code).unwrap().title());
        assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), PROBLEM_JSON);
    }
}

#[actix_web::test]
async fn validation_lists_the_fields() {
    let err =
        AppError::Validation(vec![FieldError::new("config.x", application::FieldCode::Range, "must be at most 5")]);

    let (_, _, problem) = render(err.into()).await;

    assert_eq!(problem.errors.len(), 1);
    assert_eq!((problem.errors[0].field.as_str(), problem.errors[0].code.as_str()), ("config.x", "range"));
}

#[actix_web::test]
async fn plan_limit_names_the_plan_to_upgrade_to() {
    let err = ApiError::new(ErrorCode::PlanLimitBots, "3 bots max").with_upgrade_to(Some(Plan::Pro));

    let (_, _, problem) = render(err).await;

    assert_eq!((problem.upgrade_to.as_deref(), problem.detail.as_str()), (Some("PRO"), "3 bots max"));
}

#[actix_web::test]
async fn rate_limited_sets_retry_after() {
    let (_, headers, _) = render(ApiError::rate_limited(42)).await;

    assert_eq!(headers.get(header::RETRY_AFTER).unwrap(), "42");
}

#[actix_web::test]
async fn method_not_allowed_sets_allow() {
    let (status, headers, _) = render(ApiError::method_not_allowed(vec![Method::GET, Method::POST])).await;

    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers.get(header::ALLOW).unwrap(), "GET, POST");
}

#[actix_web::test]
async fn internal_errors_hide_their_cause() {
    let cause = anyhow::anyhow!("password=hunter2 rejected by db").context("saving user");

    let (_, _, problem) = render(AppError::internal(cause).into()).await;

    assert_eq!(problem.detail, "internal error");
    assert!(!serde_json::to_string(&problem).unwrap().contains("hunter2"));
}

#[test]
fn cause_chain_walks_every_source() {
    let err = ApiError::from(anyhow::anyhow!("connection refused").context("pinging store"));

    assert_eq!(super::cause_chain(&err), "internal error: pinging store: connection refused");
}

#[test]
fn redact_hides_quoted_values_including_escaped_quotes() {
    assert_eq!(
        redact(r#"invalid type: string "hun\"ter2", expected u32"#),
        r#"invalid type: string "…", expected u32"#
    );
    assert_eq!(redact("missing field `email`"), "missing field `email`");
}

#[actix_web::test]
async fn every_401_carries_a_bearer_challenge() {
    let (_, headers, _) = render(ApiError::new(ErrorCode::TokenExpired, "d")).await;

    assert!(headers.get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().contains("has expired"));
}
