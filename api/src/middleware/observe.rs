//! Per-request metrics and the slow-request warning. Labels use the matched route TEMPLATE, never
//! the raw path, so label cardinality stays bounded.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error};

use crate::metrics::{method_label, UNMATCHED_ROUTE};
use crate::state::AppState;

/// The middleware (mount with `actix_web::middleware::from_fn`, inside `request_context` so its
/// logs carry the request id). Reads `Metrics` and the threshold from `web::Data<AppState>`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().clone();

    let outcome = next.call(req).await;

    let elapsed = started.elapsed();
    let (status, route) = match &outcome {
        Ok(response) => (response.status(), response.request().match_pattern()),
        Err(err) => (err.as_response_error().status_code(), None),
    };
    let route = route.unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    tracing::Span::current().record("route", route.as_str());
    if let Some(state) = state {
        state.metrics.observe_http(&method, &route, status.as_u16(), elapsed);
        log_completion(&method, &route, status, elapsed, state.settings.http.slow_request_threshold);
    }
    outcome
}

fn log_completion(
    method: &actix_web::http::Method,
    route: &str,
    status: StatusCode,
    elapsed: Duration,
    slow: Duration,
) {
    let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    let method = method_label(method);
    if elapsed > slow {
        tracing::warn!(method, route, status = status.as_u16(), duration_ms, "slow request");
    } else {
        tracing::debug!(method, route, status = status.as_u16(), duration_ms, "request completed");
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{test, App, HttpResponse};

    use super::*;
    use crate::settings::Settings;

    async fn served_metrics(uri: &str) -> String {
        let settings =
            Settings::from_pairs(&[("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:")]).unwrap();
        let state = web::Data::new(crate::bootstrap::state(settings).await.unwrap());
        let app = test::init_service(
            App::new()
                .app_data(state.clone())
                .route("/api/bots/{id}", web::get().to(HttpResponse::Ok))
                .wrap(from_fn(observe)),
        )
        .await;

        test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        state.metrics.render().unwrap()
    }

    #[actix_web::test]
    async fn matched_requests_are_labelled_by_template() {
        let text = served_metrics("/api/bots/01J9ZQ").await;

        assert!(text.contains(r#"route="/api/bots/{id}",status="200""#), "{text}");
        assert!(!text.contains("01J9ZQ"));
    }

    #[actix_web::test]
    async fn unmatched_requests_share_one_label() {
        let text = served_metrics("/wp-admin/install.php").await;

        assert!(text.contains(r#"route="<unmatched>",status="404""#), "{text}");
        assert!(!text.contains("wp-admin"));
    }
}
