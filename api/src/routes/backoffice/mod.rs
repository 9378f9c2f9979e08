//! `/backoffice/api`: the operators' API, with its own accounts, cookie sessions, CSRF tokens,
//! roles and audit trail (see `docs/backoffice.md`).
//!
//! Every route is in [`ROUTES`] with the permission it needs; the [`guard`] middleware admits a
//! request only through that table (a backoffice route missing from it is refused), checks the
//! session, the CSRF token and the list rate limit, and audits every request, reads included.

pub mod audit;
pub mod auth;
pub mod comp;
pub mod coupons;
mod csv_export;
mod guard;
pub mod metrics;
pub mod operators;
pub mod refunds;
pub mod user_detail;
pub mod user_list;
pub mod users;

use actix_web::http::Method;
use domain::backoffice::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::ErrorCode;

pub use guard::{guard, AuditSubject, BackofficeStaff, CSRF_HEADER, SESSION_COOKIE};

/// The OpenAPI tag of these routes.
pub const TAG: &str = "backoffice";

/// The path every backoffice route starts with.
pub const PREFIX: &str = "/backoffice/api/";

/// The name of the cookie security scheme in the spec.
pub const COOKIE_SCHEME: &str = "backoffice_session";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The operators' backoffice: its own login (password and TOTP), cookie session with a CSRF \
                  token, roles, users and the audit trail.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    auth::configure(cfg);
    // The list and its export before `/users/{id}`, which would take `export` for an id.
    user_list::configure(cfg);
    cfg.service(user_detail::bo_get_user);
    users::configure(cfg);
    comp::configure(cfg);
    refunds::configure(cfg);
    audit::configure(cfg);
    operators::configure(cfg);
    metrics::configure(cfg);
    coupons::configure(cfg);
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone (the login and enrolment forms, rate limited).
    Public,
    /// An operator whose role holds the permission.
    Requires(Permission),
}

/// One backoffice route: what it is called in the audit, who may call it, what it is about.
#[derive(Clone, Copy, Debug)]
pub struct BackofficeRoute {
    /// The HTTP method.
    pub method: &'static str,
    /// The path pattern as registered.
    pub path: &'static str,
    /// The audit action.
    pub action: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The path parameter naming the target, with the target's kind (`("id", "user")`).
    pub target: Option<(&'static str, &'static str)>,
    /// Counted against the operator's list limit (60 a minute).
    pub limited: bool,
}

const fn route(method: &'static str, path: &'static str, action: &'static str, access: Access) -> BackofficeRoute {
    BackofficeRoute { method, path, action, access, target: None, limited: false }
}

const fn on_user(mut r: BackofficeRoute) -> BackofficeRoute {
    r.target = Some(("id", "user"));
    r
}

const fn on_operator(mut r: BackofficeRoute) -> BackofficeRoute {
    r.target = Some(("id", "operator"));
    r
}

const fn on_coupon(mut r: BackofficeRoute) -> BackofficeRoute {
    r.target = Some(("id", "coupon"));
    r
}

const fn listed(mut r: BackofficeRoute) -> BackofficeRoute {
    r.limited = true;
    r
}

use Access::{Public, Requires};
use Permission as P;

/// Every backoffice route and its permission: the one place access is decided.
pub const ROUTES: &[BackofficeRoute] = &[
    route("POST", "/backoffice/api/auth/login", "auth.login", Public),
    route("POST", "/backoffice/api/auth/totp/enroll", "auth.totp_enroll", Public),
    route("POST", "/backoffice/api/auth/totp/confirm", "auth.totp_confirm", Public),
    route("POST", "/backoffice/api/auth/logout", "auth.logout", Requires(P::OwnSession)),
    route("GET", "/backoffice/api/auth/me", "auth.me", Requires(P::OwnSession)),
    listed(route("GET", "/backoffice/api/users", "users.list", Requires(P::ReadUsers))),
    listed(route("GET", "/backoffice/api/users/export", "users.export", Requires(P::ExportUsers))),
    on_user(route("GET", "/backoffice/api/users/{id}", "users.read", Requires(P::ReadUsers))),
    on_user(route("POST", "/backoffice/api/users/{id}/block", "users.block", Requires(P::ManageUsers))),
    on_user(route("POST", "/backoffice/api/users/{id}/unblock", "users.unblock", Requires(P::ManageUsers))),
    on_user(route("POST", "/backoffice/api/users/{id}/bots/{bot_id}/pause", "bots.pause", Requires(P::ManageUsers))),
    on_user(route("POST", "/backoffice/api/users/{id}/comp", "users.comp_grant", Requires(P::ManageUsers))),
    on_user(route("DELETE", "/backoffice/api/users/{id}/comp", "users.comp_revoke", Requires(P::ManageUsers))),
    on_user(route(
        "POST",
        "/backoffice/api/users/{id}/invoices/{invoice_id}/refund",
        "invoices.refund",
        Requires(P::RefundPayments),
    )),
    on_user(route(
        "POST",
        "/backoffice/api/users/{id}/password-reset",
        "users.password_reset",
        Requires(P::SendPasswordReset),
    )),
    listed(route("GET", "/backoffice/api/audit", "audit.list", Requires(P::ReadAudit))),
    listed(route("GET", "/backoffice/api/audit/export", "audit.export", Requires(P::ReadAudit))),
    route("GET", "/backoffice/api/metrics", "metrics.read", Requires(P::ReadMetrics)),
    listed(route("GET", "/backoffice/api/operators", "operators.list", Requires(P::ManageOperators))),
    route("POST", "/backoffice/api/operators", "operators.create", Requires(P::ManageOperators)),
    on_operator(route("POST", "/backoffice/api/operators/{id}/role", "operators.role", Requires(P::ManageOperators))),
    on_operator(route(
        "POST",
        "/backoffice/api/operators/{id}/disable",
        "operators.disable",
        Requires(P::ManageOperators),
    )),
    on_operator(route(
        "POST",
        "/backoffice/api/operators/{id}/totp-reset",
        "operators.totp_reset",
        Requires(P::ManageOperators),
    )),
    listed(route("GET", "/backoffice/api/coupons", "coupons.list", Requires(P::ManageCoupons))),
    route("POST", "/backoffice/api/coupons", "coupons.create", Requires(P::ManageCoupons)),
    on_coupon(route("GET", "/backoffice/api/coupons/{id}", "coupons.read", Requires(P::ManageCoupons))),
    on_coupon(route("POST", "/backoffice/api/coupons/{id}/disable", "coupons.disable", Requires(P::ManageCoupons))),
];

/// The table's entry for `method` and the matched `pattern`.
pub fn find(method: &Method, pattern: &str) -> Option<&'static BackofficeRoute> {
    ROUTES.iter().find(|r| r.method == method.as_str() && r.path == pattern)
}

/// Whether the table lists `pattern` under any method (then another method is simply not served:
/// 405, as everywhere else).
pub fn listed_path(pattern: &str) -> bool {
    ROUTES.iter().any(|r| r.path == pattern)
}

/// The codes the guard can answer on a route, for the spec.
pub fn guard_codes(access: Access, method: &str, limited: bool) -> Vec<ErrorCode> {
    match access {
        Access::Public => vec![ErrorCode::RateLimited],
        Access::Requires(_) => {
            let mut codes = vec![ErrorCode::BackofficeSessionRequired, ErrorCode::PermissionDenied];
            if method != "GET" {
                codes.push(ErrorCode::CsrfTokenInvalid);
            }
            if limited {
                codes.push(ErrorCode::RateLimited);
            }
            codes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_backoffice_operation_of_the_spec_is_in_the_table_and_back() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut documented = Vec::new();
        for (path, item) in json["paths"].as_object().unwrap() {
            if !path.starts_with(PREFIX) {
                continue;
            }
            for method in item.as_object().unwrap().keys() {
                let method = method.to_uppercase();
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                assert!(find(&method, path).is_some(), "{method} {path} has no permission in ROUTES");
                documented.push((method.to_string(), path.clone()));
            }
        }
        for route in ROUTES {
            let entry = (route.method.to_owned(), route.path.to_owned());
            assert!(documented.contains(&entry), "{} {} is in ROUTES but not served", route.method, route.path);
        }
    }

    #[test]
    fn actions_are_unique() {
        for (i, route) in ROUTES.iter().enumerate() {
            assert!(ROUTES[i + 1..].iter().all(|other| other.action != route.action), "{}", route.action);
        }
    }
}
