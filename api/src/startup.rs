//! Building the actix `App` (routes, docs, extractor configs, middleware) and running the server.

use std::net::TcpListener;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{self, RouteTable};
use crate::middleware::{catch_panic, observe, request_context, security_headers, X_REQUEST_ID};
use crate::openapi::{self, DOCS_PATH, OPENAPI_JSON_PATH};
use crate::routes::{self, RouteConfig};
use crate::state::AppState;

/// How long in-flight requests get to finish after SIGTERM/SIGINT before workers are stopped.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long browsers may cache a CORS preflight answer.
const CORS_MAX_AGE_SECS: usize = 3600;

/// The app serving `routes`, plus the OpenAPI document, Swagger UI, 404/405 problems, extractor
/// configs and middleware. `startup` uses [`routes::configure`]; tests may add routes.
pub fn app(
    state: web::Data<AppState>,
    routes: RouteConfig,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, document) = openapi::collect(App::new(), routes);
    let mut table = RouteTable::from_openapi(&document);
    table.add(OPENAPI_JSON_PATH, &[Method::GET]);
    table.add("/docs", &[Method::GET]);
    table.add("/docs/{_:.*}", &[Method::GET]);
    let http = &state.settings.http;
    let cors = cors(&http.cors_origins);

    app.app_data(state.clone())
        .app_data(web::Data::new(table))
        .app_data(error::json_config(http.json_limit_bytes))
        .app_data(web::PayloadConfig::new(http.json_limit_bytes))
        .app_data(error::path_config())
        .service(SwaggerUi::new(format!("{DOCS_PATH}{{_:.*}}")).url(OPENAPI_JSON_PATH, document))
        .route("/docs", web::get().to(redirect_to_docs))
        .default_service(web::to(error::not_found_or_method_not_allowed))
        .wrap(from_fn(routes::backoffice::guard))
        .wrap(from_fn(catch_panic))
        .wrap(from_fn(observe))
        .wrap(Condition::new(cors.is_some(), cors.unwrap_or_default()))
        .wrap(from_fn(request_context))
        .wrap(from_fn(security_headers))
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, DOCS_PATH)).finish()
}

/// CORS for exactly `origins` (with credentials), or `None` when the list is empty: then no CORS
/// headers are sent and browsers keep the same-origin policy.
fn cors(origins: &[String]) -> Option<Cors> {
    if origins.is_empty() {
        return None;
    }
    let cors = origins.iter().fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    Some(
        cors.allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, X_REQUEST_ID])
            .expose_headers([X_REQUEST_ID, header::RETRY_AFTER])
            .supports_credentials()
            .max_age(CORS_MAX_AGE_SECS),
    )
}

/// The HTTP server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `BOTFLEET_HTTP_ADDR` (port 0 picks a free port) and prepares the workers.
    /// SIGTERM and SIGINT stop accepting connections and give in-flight requests
    /// [`SHUTDOWN_TIMEOUT`] to finish.
    pub fn build(state: AppState) -> anyhow::Result<Self> {
        let addr = state.settings.http.addr;
        let workers = state.settings.http.workers;
        let listener =
            TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr} (BOTFLEET_HTTP_ADDR)"))?;
        let port = listener.local_addr().context("the listener has no local address")?.port();
        let state = web::Data::new(state);
        let shared = state.clone();
        let server = HttpServer::new(move || app(shared.clone(), routes::configure))
            .workers(workers)
            .shutdown_timeout(SHUTDOWN_TIMEOUT.as_secs())
            .listen(listener)
            .context("cannot serve on the listener")?
            .run();
        Ok(Self { port, server, state })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere (tests; signals are handled already).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by a signal or a [`ServerHandle`], then finishes in-flight requests.
    /// The workflow scheduler runs meanwhile and stops with the server, releasing its leases.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.state.settings.workflows.workers {
            // Reconcile what a crash may have left half done before the workflows act on it.
            match self.state.engine.recover().await {
                Ok(report) => tracing::info!(?report, "recovery finished"),
                Err(err) => tracing::error!(error = %err, "recovery failed; sync_orders keeps reconciling"),
            }
        }
        let workflows = self.state.workflows.start();
        let relay_on_nudge = self.state.settings.workflows.workers.then(|| {
            let scheduler = self.state.workflows.clone();
            let streams = self.state.event_streams.clone();
            infrastructure::notifications::relay::on_nudge(self.state.relay_nudge.clone(), move || {
                let (scheduler, streams) = (scheduler.clone(), streams.clone());
                async move {
                    // Busy or held elsewhere: the pass in progress or the next tick moves the events.
                    let _ = scheduler.run_now("relay_events").await;
                    // The live streams of this process read what the pass logged at once.
                    streams.nudge();
                }
            })
        });
        let result = self.server.await;
        if let Some(task) = relay_on_nudge {
            task.abort();
        }
        workflows.shutdown().await;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_origins_means_no_cors_middleware() {
        assert!(cors(&[]).is_none());
        assert!(cors(&["https://app.example.com".to_owned()]).is_some());
    }
}
