//! The HTTP routes, one module per feature.
//!
//! # Adding a route module (e.g. `credentials`)
//!
//! 1. Create `routes/credentials.rs`. Write each handler with `#[utoipa::path(...)]` above an
//!    actix method macro (`#[get("/api/credentials/{id}")]`), with `tag = TAG`, its `responses`
//!    (errors as `body = Problem, content_type = "application/problem+json"`). No `security`
//!    line: `openapi_security.rs` sets the bearer token on every `/api/` operation but the
//!    public ones it lists, and the 401 comes with it. End the file with
//!    `pub const MODULE: RouteModule = RouteModule { tag: TAG, description: "...", configure };`
//!    and a `fn configure(cfg: &mut ServiceConfig)` calling `cfg.service(handler)` per handler.
//! 2. Here: add `pub mod credentials;` and `credentials::MODULE` to [`MODULES`].
//! 3. Regenerate the spec: `BOTFLEET_UPDATE_OPENAPI=1 cargo test -p botfleet-api openapi_is_up_to_date`.
//!
//! The contract house style (enums as `wire` types, every constraint in the schema, links from
//! create operations, the contract checks) is in `docs/contributing-routes.md`.
//!
//! `ServiceConfig` is `utoipa_actix_web`'s: it only accepts `#[utoipa::path]` handlers, and it
//! documents each route as it registers it, so no route is served undocumented, and the
//! 405-vs-404 fallback (`error::RouteTable`) learns every route from the same document.

pub mod assistant;
pub mod auth;
pub mod backoffice;
pub mod bots;
pub mod common;
pub mod contexts;
pub mod credentials;
pub mod dashboard;
pub mod decimal;
pub mod events;
pub mod exports;
pub mod health;
pub mod legal;
pub mod market;
pub mod metrics;
pub mod notifications;
pub mod orders;
pub mod page;
pub mod paper;
pub mod recovery;
pub mod reports;
pub mod subscriptions;
pub mod system;
pub mod users;
pub mod webhook_endpoints;
pub mod webhook_endpoints_deliveries;
pub mod webhooks;
pub mod wire;

use utoipa::openapi::tag::{Tag, TagBuilder};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers a module's handlers.
pub type RouteConfig = fn(&mut ServiceConfig<'_>);

/// A route module: its OpenAPI tag and its registration function.
#[derive(Clone, Copy, Debug)]
pub struct RouteModule {
    /// The OpenAPI tag every handler of the module uses.
    pub tag: &'static str,
    /// The tag's description in the OpenAPI document.
    pub description: &'static str,
    /// Registers the module's handlers.
    pub configure: RouteConfig,
}

/// Every route module, in the order their tags appear in the documentation.
pub const MODULES: &[RouteModule] = &[
    auth::MODULE,
    recovery::MODULE,
    users::MODULE,
    legal::MODULE,
    credentials::MODULE,
    contexts::MODULE,
    bots::MODULE,
    dashboard::MODULE,
    orders::MODULE,
    reports::MODULE,
    exports::MODULE,
    market::MODULE,
    paper::MODULE,
    subscriptions::MODULE,
    assistant::MODULE,
    notifications::inbox::MODULE,
    events::MODULE,
    notifications::telegram::MODULE,
    webhooks::MODULE,
    webhook_endpoints::MODULE,
    system::MODULE,
    backoffice::MODULE,
    health::MODULE,
    metrics::MODULE,
];

/// Registers every module's routes (the production route set).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    for module in MODULES {
        (module.configure)(cfg);
    }
}

/// The OpenAPI tags of every module.
pub fn tags() -> Vec<Tag> {
    MODULES.iter().map(|m| TagBuilder::new().name(m.tag).description(Some(m.description)).build()).collect()
}
