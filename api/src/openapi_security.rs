//! Who may call each operation, set once for the whole document instead of a `security(...)`
//! line on every handler:
//!
//! - under `/api/`: a bearer access token, except the operations of [`PUBLIC`] (none) and of
//!   [`OPTIONAL`] (a token or another proof, such as the event stream's ticket);
//! - under `/backoffice/api/`: the operator's session cookie, plus the session's CSRF token in
//!   `X-CSRF-Token` on every method but `GET`, except the routes the backoffice's route table
//!   ([`crate::routes::backoffice::ROUTES`]) marks public (its login and TOTP enrolment).
//!
//! The requirements are SET, replacing what a handler declared, so a leftover `security(...)`
//! line cannot duplicate or contradict them. Every bearer operation then gets its 401 from
//! [`crate::error::documented`], which runs after this.

use actix_web::http::Method;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::OpenApi as Document;

use crate::openapi::BEARER;
use crate::routes::backoffice::{self, Access};

/// The name of the backoffice's CSRF header scheme.
pub const CSRF_SCHEME: &str = "backoffice_csrf";

/// The user API, behind a bearer token unless listed below.
const API: &str = "/api/";

/// Operations under `/api/` anyone may call (`*` ends a prefix): account creation and login,
/// password recovery, public catalogues (plans, exchanges, markets, legal texts) and the payment
/// providers' webhooks (authenticated by their signatures).
pub const PUBLIC: &[(&str, &str)] = &[
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("post", "/api/auth/password/forgot"),
    ("post", "/api/auth/password/reset"),
    ("post", "/api/auth/email/verify"),
    ("get", "/api/plans"),
    ("get", "/api/exchanges*"),
    ("get", "/api/market/*"),
    ("get", "/api/legal/terms"),
    ("get", "/api/legal/privacy"),
    ("post", "/api/webhooks/*"),
];

/// Operations under `/api/` that take a bearer token or another proof of the user (the event
/// stream: a browser's `EventSource` cannot send headers, so it may send a ticket instead).
pub const OPTIONAL: &[(&str, &str)] = &[("get", "/api/events/stream")];

/// Sets the security requirements of every operation of `document`.
pub fn add(document: &mut Document) {
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                if let Some(requirements) = requirements(method, path) {
                    operation.security = requirements;
                }
            }
        }
    }
}

/// The requirements of `method path`: `Some(None)` for a public operation, `None` outside the
/// two APIs (health, metrics: their handlers say).
fn requirements(method: &str, path: &str) -> Option<Option<Vec<SecurityRequirement>>> {
    if path.starts_with(API) {
        if listed(PUBLIC, method, path) {
            return Some(None);
        }
        let bearer = SecurityRequirement::new(BEARER, Vec::<String>::new());
        if listed(OPTIONAL, method, path) {
            return Some(Some(vec![bearer, SecurityRequirement::default()]));
        }
        return Some(Some(vec![bearer]));
    }
    if path.starts_with(backoffice::PREFIX) {
        let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).ok()?;
        let route = backoffice::find(&http_method, path)?;
        if route.access == Access::Public {
            return Some(None);
        }
        let mut session = SecurityRequirement::new(backoffice::COOKIE_SCHEME, Vec::<String>::new());
        if http_method != Method::GET {
            session = session.add(CSRF_SCHEME, Vec::<String>::new());
        }
        return Some(Some(vec![session]));
    }
    None
}

fn listed(list: &[(&str, &str)], method: &str, path: &str) -> bool {
    list.iter().any(|(m, p)| *m == method && p.strip_suffix('*').map_or(*p == path, |prefix| path.starts_with(prefix)))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn operations() -> Vec<(String, String, Value)> {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut all = Vec::new();
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                all.push((method.clone(), path.clone(), operation.clone()));
            }
        }
        all
    }

    #[test]
    fn every_user_operation_takes_a_bearer_token_unless_listed_public() {
        let mut secured = 0;
        for (method, path, operation) in operations().into_iter().filter(|(_, p, _)| p.starts_with(API)) {
            let security = &operation["security"];
            if listed(PUBLIC, &method, &path) {
                assert!(security.is_null(), "{method} {path} is public: {security}");
                let unauthorized = operation["responses"]["401"]["description"].as_str().unwrap_or_default();
                assert!(!unauthorized.contains("`missing_token`"), "{method} {path} is public: {unauthorized}");
                continue;
            }
            assert_eq!(security[0], json!({ BEARER: [] }), "{method} {path}");
            assert!(operation["responses"]["401"]["description"].as_str().unwrap().contains("`missing_token`"));
            secured += 1;
        }
        assert!(secured > 60, "the walk saw the secured operations ({secured})");
    }

    #[test]
    fn every_public_entry_names_an_operation() {
        let all = operations();
        for (method, path) in PUBLIC.iter().chain(OPTIONAL) {
            assert!(all.iter().any(|(m, p, _)| m == method && listed(&[(method, path)], m, p)), "{method} {path}");
        }
    }

    #[test]
    fn backoffice_operations_take_the_session_and_writes_the_csrf_token() {
        let mut seen = 0;
        for (method, path, operation) in operations().into_iter().filter(|(_, p, _)| p.starts_with(backoffice::PREFIX))
        {
            let route =
                backoffice::find(&Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), &path).unwrap();
            let security = &operation["security"];
            match (route.access, method.as_str()) {
                (Access::Public, _) => assert!(security.is_null(), "{method} {path}"),
                (_, "get") => assert_eq!(security, &json!([{ backoffice::COOKIE_SCHEME: [] }]), "{method} {path}"),
                _ => assert_eq!(
                    security,
                    &json!([{ backoffice::COOKIE_SCHEME: [], CSRF_SCHEME: [] }]),
                    "{method} {path}"
                ),
            }
            seen += 1;
        }
        assert!(seen > 20, "the walk saw the backoffice ({seen})");
    }
}
