//! `ApiError`: every failure a handler or extractor can answer with, rendered as RFC 9457
//! `application/problem+json` with a stable `code`. [`ApiError::status`] is the one table that
//! maps failures to HTTP statuses.

mod extractors;
mod fallback;
mod problem;
mod tracked_json;
mod validation;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use application::{AppError, FieldError};

pub use extractors::{json_config, path_config, query_error, redact_values};
pub use fallback::{not_found_or_method_not_allowed, RouteTable};
pub use problem::{code_for_status, Problem, ProblemField, PROBLEM_JSON, PROBLEM_TYPE_BASE};
pub use tracked_json::{decode, TrackedJson};
pub use validation::field_errors;

/// An error answered over HTTP. Handlers return `Result<_, ApiError>` and use `?` on
/// `AppError`, `RepoError` and `validator::ValidationErrors`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A use-case failure; its variant decides the status.
    #[error(transparent)]
    App(#[from] AppError),
    /// The body is not JSON (400 `malformed_json`); `detail` names the line and column.
    #[error("{detail}")]
    MalformedJson {
        /// What is wrong, with the position.
        detail: String,
    },
    /// The body is larger than `BOTFLEET_JSON_LIMIT_BYTES` (413 `payload_too_large`).
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Missing or wrong `Content-Type` (415 `unsupported_media_type`).
    #[error("{detail}")]
    UnsupportedMediaType {
        /// What was expected.
        detail: String,
    },
    /// A query-string or path parameter does not parse (400 `invalid_query` / `invalid_path`).
    #[error("{detail}")]
    InvalidParameter {
        /// `invalid_query` or `invalid_path`.
        code: &'static str,
        /// Human explanation naming the parameter.
        detail: String,
        /// The bad parameters.
        errors: Vec<FieldError>,
    },
    /// No route has this path (404 `route_not_found`).
    #[error("no route matches this path")]
    RouteNotFound,
    /// The path exists but not for this method (405 `method_not_allowed`, with `Allow`).
    #[error("this path does not accept this method")]
    MethodNotAllowed {
        /// The methods the path accepts.
        allow: Vec<Method>,
    },
}

impl ApiError {
    /// The HTTP status of this error: the single code -> status table.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::App(app) => match app {
                AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
                AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                AppError::PlanLimit { .. } => StatusCode::PAYMENT_REQUIRED,
                AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                AppError::Conflict { .. } => StatusCode::CONFLICT,
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::MalformedJson { .. } | ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::App(app) => app.code(),
            ApiError::MalformedJson { .. } => "malformed_json",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType { .. } => "unsupported_media_type",
            ApiError::InvalidParameter { code, .. } => code,
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
        }
    }

    /// The problem body. Internal errors say only "internal error".
    pub fn problem(&self) -> Problem {
        let detail = match self {
            ApiError::App(AppError::Validation(_)) => "one or more fields are invalid; see `errors`".to_owned(),
            other => other.to_string(),
        };
        let mut problem = Problem::new(self.status(), self.code(), detail);
        match self {
            ApiError::App(AppError::Validation(errors)) | ApiError::InvalidParameter { errors, .. } => {
                problem = problem.with_errors(errors.iter().cloned());
            }
            ApiError::App(AppError::PlanLimit { upgrade_to, .. }) => {
                problem.upgrade_to = upgrade_to.map(|plan| plan.as_str().to_owned());
            }
            _ => {}
        }
        problem
    }
}

/// The RFC 6750 challenge of a 401: `Bearer realm="botfleet"`, with `error="invalid_token"` when
/// a bearer token was sent and refused (bad, expired or ended), so a client knows to refresh or
/// log in again rather than to add a token.
pub fn www_authenticate(code: &str) -> header::HeaderValue {
    match code {
        "invalid_token" => header::HeaderValue::from_static(
            r#"Bearer realm="botfleet", error="invalid_token", error_description="the access token is not valid""#,
        ),
        "token_expired" => header::HeaderValue::from_static(
            r#"Bearer realm="botfleet", error="invalid_token", error_description="the access token has expired""#,
        ),
        _ => header::HeaderValue::from_static(r#"Bearer realm="botfleet""#),
    }
}

/// `outer: cause: root cause`, for logs only.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        if problem.status >= 500 {
            let request_id = problem.request_id.as_deref().unwrap_or("-");
            if problem.status == 500 {
                tracing::error!(request_id, error = %cause_chain(self), "internal error");
            } else {
                tracing::warn!(request_id, code = problem.code, error = %cause_chain(self), "dependency unavailable");
            }
        }
        let mut response = problem.to_response();
        let headers = response.headers_mut();
        match self {
            ApiError::App(AppError::RateLimited { retry_after_secs }) => {
                headers.insert(header::RETRY_AFTER, (*retry_after_secs).into());
            }
            ApiError::App(AppError::Unauthorized { code, .. }) => {
                headers.insert(header::WWW_AUTHENTICATE, www_authenticate(code));
            }
            ApiError::MethodNotAllowed { allow } => {
                let allow = allow.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
                if let Ok(value) = header::HeaderValue::from_str(&allow) {
                    headers.insert(header::ALLOW, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<domain::RepoError> for ApiError {
    fn from(err: domain::RepoError) -> Self {
        ApiError::App(err.into())
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        ApiError::App(AppError::Validation(field_errors(&errors)))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::App(AppError::Internal(err))
    }
}

#[cfg(test)]
mod tests;
