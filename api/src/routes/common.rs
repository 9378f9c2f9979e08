//! Pieces shared by route modules: request metadata, body validation, paging parameters.

use actix_web::HttpRequest;
use domain::identity::RequestMeta;
use domain::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Client IP (resolved through trusted proxies) and user agent of a request.
pub fn request_meta(req: &HttpRequest, state: &AppState) -> RequestMeta {
    let ip = crate::client_ip::client_ip(req, &state.settings.http.trusted_proxies).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(512).collect());
    RequestMeta { ip, user_agent }
}

/// Runs the body's `validator` rules; failures are a 422 naming each field.
pub fn validated<T: Validate>(body: T) -> Result<T, ApiError> {
    body.validate().map_err(ApiError::from)?;
    Ok(body)
}

/// Paging parameters of list endpoints. A value that is not a whole number is refused by the
/// [`Query`](crate::query::Query) extractor naming it; [`Paging::page`] refuses a `limit` outside
/// 1 to 200. Either way a 400 `invalid_query` names the parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

impl Paging {
    /// The page to read, or a 400 naming `limit` when it is out of range.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        page_of(self.offset, self.limit)
    }
}

/// The page of an `offset` and a `limit` from a query (defaults 0 and 50), or a 400 naming
/// `limit` when it is outside 1 to 200, or `offset` when it is above 100,000,000.
pub fn page_of(offset: Option<u64>, limit: Option<u64>) -> Result<PageRequest, ApiError> {
    let range = 1..=PageRequest::MAX_LIMIT;
    let limit = limit.unwrap_or(PageRequest::DEFAULT_LIMIT);
    if !range.contains(&limit) {
        return Err(invalid_query("limit", &format!("must be a whole number from 1 to {}", range.end())));
    }
    let offset = offset.unwrap_or(0);
    if offset > PageRequest::MAX_OFFSET {
        return Err(invalid_query("offset", &format!("must be a whole number from 0 to {}", PageRequest::MAX_OFFSET)));
    }
    Ok(PageRequest::new(offset, limit))
}

/// A 400 `invalid_query` naming `field` (the value is not repeated: queries may carry secrets).
pub fn invalid_query(field: &str, message: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, format!("invalid query parameter `{field}`: {message}"))
        .with_errors(vec![application::FieldError::new(field, application::FieldCode::InvalidValue, message)])
}

/// 400 `invalid_query` naming the first of `filters` sent blank (`?status=`): a list filter has a
/// form (an id, a status, an instant) an empty value does not have, so it is refused rather than
/// read as absent.
pub fn refuse_blank(filters: &[(&str, bool)]) -> Result<(), ApiError> {
    match filters.iter().find(|(_, blank)| *blank) {
        Some((name, _)) => Err(invalid_query(name, "must not be empty; leave it out to match everything")),
        None => Ok(()),
    }
}

/// Implements `Debug` printing only the type name, for DTOs that carry secrets (passwords,
/// tokens, API keys), so that no log line can ever show them.
#[macro_export]
macro_rules! opaque_debug {
    ($type:ty) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($type), "(<redacted>)"))
            }
        }
    };
}

/// The history window a read was cut to (the plan's: FREE 30 days, PRO 90, MAX all). Asking for
/// older data is not an error: the window is applied and said here.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryWindowResponse {
    /// The plan's days of history (`null`: unlimited).
    pub days: Option<u32>,
    /// The earliest instant the read reached (`null`: unlimited), RFC 3339.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub from: Option<time::OffsetDateTime>,
}

impl From<domain::subscriptions::HistoryWindow> for HistoryWindowResponse {
    fn from(w: domain::subscriptions::HistoryWindow) -> Self {
        Self { days: w.days, from: w.from }
    }
}
