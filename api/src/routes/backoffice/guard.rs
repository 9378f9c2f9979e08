//! The backoffice guard: the middleware that admits each `/backoffice/api/` request through the
//! route table (session cookie, CSRF token, permission, list rate limit) and audits it, and the
//! extractor handlers take the admitted operator from.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, Error, FromRequest, HttpMessage as _, HttpRequest};
use application::backoffice::Staff;
use domain::backoffice::{OperatorAuditEntry, OperatorRole, Outcome, Permission};
use domain::identity::RequestMeta;
use domain::shared::ids::{AuditId, OperatorId};

use super::{find, Access, BackofficeRoute, PREFIX};
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::request_meta;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "botfleet_backoffice";
/// The header state-changing requests carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who a public route's request was about, set by its handler for the audit (the e-mail a
/// login tried, and the operator once known).
#[derive(Clone, Debug, Default)]
pub struct AuditSubject {
    /// The operator, once known.
    pub operator: Option<(OperatorId, OperatorRole)>,
    /// The e-mail given.
    pub email: Option<String>,
}

/// The operator the guard admitted. Taking it as a handler argument only reads what the guard
/// stored; a route the guard did not admit has none (401).
#[derive(Clone, Debug)]
pub struct BackofficeStaff(pub Staff);

impl FromRequest for BackofficeStaff {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let staff = req.extensions().get::<Staff>().cloned().map(BackofficeStaff);
        ready(
            staff.ok_or_else(|| ApiError::new(ErrorCode::BackofficeSessionRequired, "log in to the backoffice first")),
        )
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie(req: &ServiceRequest, name: &str) -> Option<String> {
    req.headers().get_all(header::COOKIE).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// What the route's path names: `user:<id>`.
fn target_of(route: &BackofficeRoute, pattern: &str, path: &str) -> Option<String> {
    let (param, kind) = route.target?;
    let placeholder = format!("{{{param}}}");
    let index = pattern.split('/').position(|segment| segment == placeholder)?;
    path.split('/').nth(index).map(|value| format!("{kind}:{}", value.chars().take(64).collect::<String>()))
}

/// The operator of the request's session cookie. Errors: `backoffice_session_required`.
async fn authenticate(state: &AppState, req: &ServiceRequest) -> Result<Staff, ApiError> {
    let token = cookie(req, SESSION_COOKIE)
        .ok_or_else(|| ApiError::new(ErrorCode::BackofficeSessionRequired, "log in to the backoffice first"))?;
    Ok(state.backoffice.authenticate(&token).await?)
}

/// Admits `staff`'s request to `route` (which needs `permission`) or says why not.
async fn admit(
    state: &AppState,
    req: &ServiceRequest,
    route: &BackofficeRoute,
    permission: Permission,
    staff: &Staff,
) -> Result<(), ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !staff.csrf_matches(sent) {
            return Err(ApiError::new(ErrorCode::CsrfTokenInvalid, "send this session's CSRF token in `X-CSRF-Token`"));
        }
    }
    if !permission.granted_to(staff.operator.role) {
        let detail = format!("the {} role does not hold `{}`", staff.operator.role.as_str(), permission.as_str());
        return Err(ApiError::new(ErrorCode::PermissionDenied, detail));
    }
    if route.limited {
        state.backoffice.limit_lists(staff.operator.id).await?;
    }
    Ok(())
}

/// The middleware (mount innermost with `from_fn`). Requests outside `/backoffice/api/` pass
/// untouched.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if !req.path().starts_with(PREFIX) {
        return next.call(req).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return next.call(req).await };
    let meta = request_meta(req.request(), &state);
    let pattern = req.match_pattern();
    let route = pattern.as_deref().and_then(|p| find(req.method(), p));
    let Some(route) = route else {
        // A served path missing from the table is refused: no route is reachable without a permission.
        // A listed path asked with a method it does not serve goes on to the router's 405.
        let unlisted = pattern.as_deref().is_some_and(|p| !super::listed_path(p));
        let denied = unlisted.then(|| ApiError::new(ErrorCode::PermissionDenied, "this route has no permission"));
        let action = if unlisted { "unlisted_route" } else { "unknown_route" };
        let draft = Draft { state: &state, meta, action, target: None, staff: None };
        return match denied {
            Some(err) => Err(draft.record_error(err, None).await),
            None => {
                let response = next.call(req).await?;
                draft.record(response.status().as_u16(), false, None).await;
                Ok(response)
            }
        };
    };
    let target = target_of(route, pattern.as_deref().unwrap_or_default(), req.path());
    let mut draft = Draft { state: &state, meta, action: route.action, target, staff: None };
    if let Access::Requires(permission) = route.access {
        let staff = match authenticate(&state, &req).await {
            Ok(staff) => staff,
            Err(err) => return Err(draft.record_error(err, None).await),
        };
        draft.staff = Some(staff.clone());
        if let Err(err) = admit(&state, &req, route, permission, &staff).await {
            return Err(draft.record_error(err, None).await);
        }
        req.extensions_mut().insert(staff);
    }
    let result = next.call(req).await;
    let (status, subject) = match &result {
        Ok(response) => (response.status().as_u16(), response.request().extensions().get::<AuditSubject>().cloned()),
        Err(err) => (err.as_response_error().status_code().as_u16(), None),
    };
    draft.record(status, false, subject).await;
    result
}

/// An audit entry being filled as the request goes.
struct Draft<'a> {
    state: &'a AppState,
    meta: RequestMeta,
    action: &'static str,
    target: Option<String>,
    staff: Option<Staff>,
}

impl Draft<'_> {
    async fn record_error(self, err: ApiError, subject: Option<AuditSubject>) -> Error {
        self.record(err.status().as_u16(), true, subject).await;
        err.into()
    }

    /// Appends the entry; a failure is logged (the answer is already decided).
    async fn record(self, status: u16, denied: bool, subject: Option<AuditSubject>) {
        let subject = subject.unwrap_or_default();
        let (operator_id, role, email) = match &self.staff {
            Some(staff) => {
                (Some(staff.operator.id), Some(staff.operator.role), Some(staff.operator.email.as_str().to_owned()))
            }
            None => (subject.operator.map(|o| o.0), subject.operator.map(|o| o.1), subject.email),
        };
        let entry = OperatorAuditEntry {
            id: AuditId::new(),
            operator_id,
            operator_email: email,
            role,
            action: self.action.to_owned(),
            target: self.target,
            ip: self.meta.ip,
            user_agent: self.meta.user_agent,
            at: self.state.clock.now(),
            status,
            outcome: Outcome::of_status(status, denied),
        };
        if let Err(err) = self.state.backoffice.record(&entry).await {
            tracing::error!(action = entry.action, status, error = %err, "the backoffice audit entry could not be written");
        }
    }
}
