//! The innermost middleware: a handler that panics answers 500 problem+json with the request id
//! (a bug must never become a dropped connection) and the worker keeps serving. The panic's text
//! is logged with the request id; the client only learns that an internal error happened.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::middleware::Next;
use actix_web::Error;
use futures::FutureExt as _;

use super::request_id;
use crate::error::{ErrorCode, Problem};

/// The text of a panic's payload.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// The middleware (mount with `actix_web::middleware::from_fn`, innermost).
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // The call itself inside the guarded future: routing and extractors may run in `call`. The
    // request is not kept aside (routing needs it unshared): the answer goes back as an error
    // response, which the outer middleware renders with the request id.
    let outcome = AssertUnwindSafe(async move { next.call(req).await }).catch_unwind().await;
    match outcome {
        Ok(answer) => answer.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let context = request_id::current();
            tracing::error!(
                request_id = context.as_ref().map(|c| c.request_id.to_string()).unwrap_or_default(),
                panic = panic_message(&*panic),
                "a request handler panicked; answering 500"
            );
            let mut problem = Problem::new(ErrorCode::InternalError, "internal error");
            if let Some(context) = context {
                problem.request_id = Some(context.request_id.to_string());
                problem.instance = Some(context.path);
            }
            Err(InternalError::from_response("a request handler panicked", problem.to_response()).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};

    use actix_web::http::StatusCode;

    use super::*;
    use crate::middleware::{request_context, X_REQUEST_ID};

    async fn boom() -> HttpResponse {
        panic!("a handler bug")
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_a_500_problem_and_the_service_keeps_serving() {
        let app = test::init_service(
            App::new()
                .route("/boom", web::get().to(boom))
                .route("/fine", web::get().to(|| async { HttpResponse::Ok().body("fine") }))
                .wrap(from_fn(catch_panic))
                .wrap(from_fn(request_context)),
        )
        .await;

        let request = test::TestRequest::get().uri("/boom").insert_header((X_REQUEST_ID, "req-panic-1"));
        // As the server does: an error leaving the service is sent as its own response.
        let response = match test::try_call_service(&app, request.to_request()).await {
            Ok(response) => response.into_parts().1,
            Err(err) => err.error_response(),
        };

        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers().get("content-type").unwrap(), "application/problem+json");
        assert_eq!(response.headers().get(X_REQUEST_ID).unwrap(), "req-panic-1");
        let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (problem.code.as_str(), problem.detail.as_str(), problem.request_id.as_deref()),
            ("internal_error", "internal error", Some("req-panic-1"))
        );
        let again = test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(again.status(), StatusCode::OK);
    }
}
