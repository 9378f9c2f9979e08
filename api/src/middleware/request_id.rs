//! The outermost middleware: gives every request an `X-Request-Id`, opens its tracing span, makes
//! the id available to problem bodies, and turns any bare error response into a problem.

use std::fmt;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest};
use tracing::Instrument as _;

use super::problem_fallback::ensure_problem;

/// The request id header, read from the client and always set on the response.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id: the client's `X-Request-Id` when sane (1-128 chars of `[A-Za-z0-9._-]`),
/// else a fresh ULID. Extract it in a handler to log or forward it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// The client's id if it is sane, else `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let sane = (1..=128).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        sane.then(|| Self(value.to_owned()))
    }

    /// A new ULID.
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromRequest for RequestId {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Outside the middleware (a bare test app) there is none yet: make one up.
        std::future::ready(Ok(req.extensions().get::<RequestId>().cloned().unwrap_or_else(RequestId::generate)))
    }
}

/// What error rendering needs to know about the request being served.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The request's id.
    pub request_id: RequestId,
    /// The request path (no query string: it may hold tokens).
    pub path: String,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// The request being served on this task, if any. `ApiError` uses it to fill `request_id` and
/// `instance`, since actix renders errors without access to the request.
pub fn current() -> Option<RequestContext> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The middleware (mount with `actix_web::middleware::from_fn`, outermost).
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let incoming = req.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok());
    let id = incoming.and_then(RequestId::parse).unwrap_or_else(RequestId::generate);
    req.extensions_mut().insert(id.clone());
    let context = RequestContext { request_id: id.clone(), path: req.path().to_owned() };
    let span = tracing::info_span!(
        "http_request",
        request_id = %id,
        method = %req.method(),
        route = tracing::field::Empty,
        status = tracing::field::Empty,
    );

    // The inner services' synchronous part (CORS preflight answers, routing) runs inside `call`,
    // the rest inside the future: both see the context and the span.
    let future = CURRENT.sync_scope(context.clone(), || span.in_scope(|| next.call(req)));
    let outcome = CURRENT.scope(context.clone(), future).instrument(span.clone()).await;

    let header = HeaderValue::from_str(id.as_str()).expect("a sane request id is a valid header value");
    match outcome {
        Ok(response) => {
            let mut response = ensure_problem(response.map_into_boxed_body(), &context);
            span.record("status", response.status().as_u16());
            response.headers_mut().insert(X_REQUEST_ID, header);
            Ok(response)
        }
        // An inner middleware failed: render its error now, while the request id is known.
        Err(err) => {
            let mut response = CURRENT.sync_scope(context, || err.error_response());
            span.record("status", response.status().as_u16());
            response.headers_mut().insert(X_REQUEST_ID, header);
            Err(actix_web::error::InternalError::from_response(err.to_string(), response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept() {
        for id in ["abc", "01J9ZQ4Y5N8ZK6V0S8M2W3X4Y5", "a.b_c-d", &"x".repeat(128)] {
            assert_eq!(RequestId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn insane_ids_are_replaced() {
        for id in ["", "has space", "semi;colon", "ünïcode", "<script>", &"x".repeat(129)] {
            assert!(RequestId::parse(id).is_none(), "{id}");
        }
    }

    #[test]
    fn generated_ids_are_ulids() {
        let id = RequestId::generate();

        assert_eq!(id.as_str().len(), 26);
        assert!(id.as_str().parse::<ulid::Ulid>().is_ok());
    }

    #[test]
    fn current_is_none_outside_a_request() {
        assert!(current().is_none());
    }
}
