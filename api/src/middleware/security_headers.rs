//! HTTP hygiene headers on every response, errors included (docs/security.md, "HTTP headers"):
//!
//! - `X-Content-Type-Options: nosniff` everywhere, so a browser never runs a JSON body as a script;
//! - `Cache-Control: no-store` on every API answer that did not choose its own caching: they hold
//!   tokens, balances and personal data, which no shared or browser cache may keep;
//! - a `Content-Security-Policy` that forbids framing everywhere (`frame-ancestors 'none'`, with
//!   `X-Frame-Options: DENY` for older browsers); the docs UI gets the policy Swagger UI needs (its
//!   own scripts and styles only), every other answer one that allows nothing at all.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;

use crate::openapi::DOCS_PATH;

/// The policy of every answer but the docs UI: it loads nothing and may not be framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The docs UI's policy: Swagger UI's own scripts and styles (it sets inline style attributes),
/// its embedded images, the spec fetched from this origin; never framed.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// The middleware (mount with `actix_web::middleware::from_fn`, outermost so that every answer,
/// the problems rendered by other middleware included, carries the headers).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let docs = req.path().starts_with(DOCS_PATH.trim_end_matches('/'));
    match next.call(req).await {
        Ok(response) => {
            let mut response = response.map_into_boxed_body();
            apply(response.headers_mut(), docs);
            Ok(response)
        }
        // An inner middleware failed: its rendered answer carries the headers too.
        Err(err) => {
            let mut response = err.error_response();
            apply(response.headers_mut(), docs);
            Err(actix_web::error::InternalError::from_response(err.to_string(), response).into())
        }
    }
}

fn apply(headers: &mut HeaderMap, docs: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let csp = if docs { DOCS_CSP } else { API_CSP };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    if !docs && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};

    use super::*;

    async fn app_response(path: &str) -> ServiceResponse {
        let app = test::init_service(
            App::new()
                .route("/api/me", web::get().to(|| async { HttpResponse::Ok().json("me") }))
                .route(
                    "/api/cached",
                    web::get().to(|| async {
                        HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "max-age=5")).finish()
                    }),
                )
                .route("/docs/index.html", web::get().to(|| async { HttpResponse::Ok().body("<html>") }))
                .wrap(from_fn(security_headers)),
        )
        .await;
        test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await
    }

    fn header_of(response: &ServiceResponse, name: header::HeaderName) -> Option<&str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[actix_web::test]
    async fn api_answers_are_not_sniffed_cached_or_framed() {
        for path in ["/api/me", "/api/missing"] {
            let response = app_response(path).await;
            assert_eq!(header_of(&response, header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{path}");
            assert_eq!(header_of(&response, header::CACHE_CONTROL), Some("no-store"), "{path}");
            assert_eq!(header_of(&response, header::X_FRAME_OPTIONS), Some("DENY"), "{path}");
            assert_eq!(header_of(&response, header::CONTENT_SECURITY_POLICY), Some(API_CSP), "{path}");
        }
        assert_eq!(app_response("/api/missing").await.status(), StatusCode::NOT_FOUND);
    }

    #[actix_web::test]
    async fn a_route_that_chose_its_caching_keeps_it() {
        let response = app_response("/api/cached").await;
        assert_eq!(header_of(&response, header::CACHE_CONTROL), Some("max-age=5"));
        assert_eq!(header_of(&response, header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
    }

    #[actix_web::test]
    async fn the_docs_ui_gets_its_own_policy_and_refuses_framing() {
        let response = app_response("/docs/index.html").await;
        let csp = header_of(&response, header::CONTENT_SECURITY_POLICY).unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(header_of(&response, header::X_FRAME_OPTIONS), Some("DENY"));
        assert_eq!(header_of(&response, header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
    }
}
