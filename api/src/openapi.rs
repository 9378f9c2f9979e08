//! The OpenAPI 3.1 document: the root (info, `bearer` security scheme, `Problem` schema, tags)
//! plus every path the route modules register through `utoipa_actix_web`.
//!
//! `/openapi.json` and the Swagger UI at `/docs/` serve it; `openapi.yaml` at the repository
//! root is its committed copy, checked by the `openapi_is_up_to_date` test.

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt as _;

use crate::error::{Problem, ProblemField};
use crate::routes::wire::{DeliveryKey, Id};
use crate::routes::{self, RouteConfig};

/// The name of the JWT security scheme; [`crate::openapi_security`] sets it on every operation
/// under `/api/` but the public ones.
pub const BEARER: &str = "bearer";

/// Where the document is served.
pub const OPENAPI_JSON_PATH: &str = "/openapi.json";

/// Where the Swagger UI is served (`/docs` redirects here).
pub const DOCS_PATH: &str = "/docs/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "botfleet",
        description = "Multi-user crypto-trading bots as a service.\n\n\
            Errors are `application/problem+json` (RFC 9457) with a stable `code`; every response \
            carries an `X-Request-Id` to quote when reporting a problem. Authenticated routes take \
            `Authorization: Bearer <access token>`."
    ),
    components(schemas(Problem, ProblemField, Id, DeliveryKey)),
    modifiers(&RootAddon)
)]
struct RootDoc;

/// Adds what the derive cannot express: the security scheme and the route modules' tags.
struct RootAddon;

impl Modify for RootAddon {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from the auth routes."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            routes::backoffice::COOKIE_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                routes::backoffice::SESSION_COOKIE,
                "The backoffice session cookie set by `POST /backoffice/api/auth/login` (HttpOnly, Secure, \
                 SameSite=Strict, path `/backoffice`, 8 hours). State-changing requests also send the session's \
                 CSRF token in `X-CSRF-Token`.",
            ))),
        );
        components.add_security_scheme(
            crate::openapi_security::CSRF_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The backoffice session's CSRF token (answered by `POST /backoffice/api/auth/login`), \
                 sent with every backoffice request but `GET`.",
            ))),
        );
        openapi.tags = Some(routes::tags());
    }
}

/// Registers `routes` on `app` and returns the app with the document describing them.
pub fn collect<T>(app: App<T>, routes: RouteConfig) -> (App<T>, Document)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    // Paths and schemas are BTreeMaps: the output is stable whatever order modules register in.
    let (app, mut document) = app.into_utoipa_app().openapi(RootDoc::openapi()).configure(routes).split_for_parts();
    crate::routes::page::refer_items(&mut document);
    crate::openapi_security::add(&mut document);
    crate::openapi_common::add(&mut document);
    crate::openapi_links::add(&mut document);
    crate::error::documented::add(&mut document);
    (app, document)
}

/// The document of the production routes.
pub fn document() -> Document {
    collect(App::new(), routes::configure).1
}

/// The document as YAML (the committed `openapi.yaml`).
pub fn yaml() -> anyhow::Result<String> {
    Ok(document().to_yaml()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPDATE_VAR: &str = "BOTFLEET_UPDATE_OPENAPI";

    #[test]
    fn openapi_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
        let generated = yaml().unwrap();
        if std::env::var(UPDATE_VAR).as_deref() == Ok("1") {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "openapi.yaml is stale; regenerate it with:\n\n    \
             {UPDATE_VAR}=1 cargo test -p botfleet-api openapi_is_up_to_date\n"
        );
    }

    #[test]
    fn document_is_openapi_3_1_with_bearer_scheme_and_problem_schema() {
        let json = serde_json::to_value(document()).unwrap();

        assert_eq!(json["openapi"], "3.1.0");
        assert_eq!(json["info"]["title"], "botfleet");
        assert_eq!(json["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["components"]["securitySchemes"][BEARER]["scheme"], "bearer");
        assert!(json["components"]["schemas"]["Problem"].is_object());
        assert!(json["paths"]["/health/ready"]["get"].is_object());
        assert!(json["paths"]["/metrics"]["get"].is_object());
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(value: &serde_json::Value, schemas: &serde_json::Value) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(reference) = map.get("$ref").and_then(|r| r.as_str()) {
                        let name = reference.strip_prefix("#/components/schemas/").unwrap_or(reference);
                        assert!(schemas.get(name).is_some(), "{reference} does not resolve");
                    }
                    map.values().for_each(|v| walk(v, schemas));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, schemas)),
                _ => {}
            }
        }
        let json = serde_json::to_value(document()).unwrap();
        walk(&json, &json["components"]["schemas"]);
    }

    #[test]
    fn every_module_tag_is_declared() {
        let tags: Vec<String> = document().tags.unwrap().into_iter().map(|t| t.name).collect();

        assert_eq!(tags, routes::MODULES.iter().map(|m| m.tag).collect::<Vec<_>>());
    }
}
