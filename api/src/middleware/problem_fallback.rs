//! The safety net: an error response that is not already a problem (actix's own 405 for a resource
//! with method routes, a CORS 400, a handler's `HttpResponse::InternalServerError()`) is replaced
//! by a problem with the status-derived code, keeping its other headers (`Allow`, `Retry-After`).

use actix_web::body::{BoxBody, MessageBody as _};
use actix_web::dev::ServiceResponse;
use actix_web::http::header;

use super::request_id::RequestContext;
use crate::error::{ErrorCode, Problem};

/// Leaves successes and JSON/HTML error bodies alone; turns empty or plain-text error bodies into
/// problems. 5xx details are logged, never sent.
pub fn ensure_problem(response: ServiceResponse<BoxBody>, context: &RequestContext) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let bare = match content_type {
        None => true,
        Some(ct) => ct.starts_with("text/plain"),
    };
    // A HEAD answer or a 4xx with a plain body someone wrote on purpose is rare; an empty body or
    // actix's plain-text error rendering is the common case.
    if !bare || matches!(response.response().body().size(), actix_web::body::BodySize::Stream) {
        return response;
    }
    let cause = response.response().error().map(ToString::to_string);
    let detail = if status.is_server_error() {
        tracing::error!(
            request_id = %context.request_id,
            status = status.as_u16(),
            error = cause.as_deref().unwrap_or("-"),
            "internal error"
        );
        "internal error".to_owned()
    } else {
        cause.unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_lowercase())
    };
    let mut problem = Problem::with_status(status, ErrorCode::for_status(status), crate::error::redact_values(&detail));
    problem.request_id = Some(context.request_id.to_string());
    problem.instance = Some(context.path.clone());

    let (request, old) = response.into_parts();
    let mut new = problem.to_response();
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, new)
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::test::TestRequest;
    use actix_web::HttpResponse;

    use super::*;
    use crate::middleware::request_id::RequestId;

    fn context() -> RequestContext {
        RequestContext { request_id: RequestId::parse("req-1").unwrap(), path: "/x".into() }
    }

    fn respond(response: HttpResponse) -> ServiceResponse<BoxBody> {
        ensure_problem(TestRequest::default().to_srv_response(response), &context())
    }

    #[actix_web::test]
    async fn bare_405_becomes_a_problem_keeping_allow() {
        let response = respond(HttpResponse::MethodNotAllowed().insert_header((header::ALLOW, "GET")).finish());

        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers().get(header::ALLOW).unwrap(), "GET");
        let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!((problem.code.as_str(), problem.request_id.as_deref()), ("method_not_allowed", Some("req-1")));
    }

    #[actix_web::test]
    async fn plain_text_500_is_hidden() {
        let response = respond(HttpResponse::InternalServerError().content_type("text/plain").body("db password=x"));

        let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!((problem.code.as_str(), problem.detail.as_str()), ("internal_error", "internal error"));
    }

    #[actix_web::test]
    async fn json_errors_and_successes_are_left_alone() {
        let json = respond(HttpResponse::BadRequest().json(serde_json::json!({"custom": true})));
        let ok = respond(HttpResponse::Ok().finish());

        assert_eq!(json.headers().get(header::CONTENT_TYPE).unwrap(), "application/json");
        assert_eq!(ok.status(), StatusCode::OK);
    }
}
