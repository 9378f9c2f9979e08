//! The authentication extractors: a verified bearer token becomes the calling [`Principal`];
//! [`Operator`] admits an admin user or the ops token to the system endpoints.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use application::identity::Principal;
use domain::identity::Role;
use domain::shared::ids::UserId;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The authenticated caller. Taking it as a handler argument makes the route require a valid
/// `Authorization: Bearer <access token>`; failures answer 401 problem+json.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = state_and_token(req);
        Box::pin(async move {
            let (state, token) = found?;
            Ok(Authenticated(state.identity.authenticate(&token).await?))
        })
    }
}

/// The application state and the bearer token of `req`; a missing token is a 401
/// `missing_token`. Extractors then verify the token their way.
pub(crate) fn state_and_token(req: &HttpRequest) -> Result<(web::Data<AppState>, String), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
    let token = bearer_token(req)
        .ok_or_else(|| ApiError::new(ErrorCode::MissingToken, "send `Authorization: Bearer <access token>`"))?;
    Ok((state, token))
}

/// Who may operate the system endpoints. Taking it as a handler argument requires either an
/// admin user's access token or `BOTFLEET_OPS_TOKEN` as the bearer token: no token or a bad one
/// answers 401, another user's valid token 403 `admin_required`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    /// An admin user.
    Admin(UserId),
    /// The holder of the ops token.
    OpsToken,
}

impl FromRequest for Operator {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let is_ops_token = state.as_ref().is_some_and(|s| bearer_is_ops_token(req, s));
        let authenticated = Authenticated::from_request(req, payload);
        Box::pin(async move {
            if is_ops_token {
                return Ok(Operator::OpsToken);
            }
            let Authenticated(principal) = authenticated.await?;
            match principal.role {
                Role::Admin => Ok(Operator::Admin(principal.user_id)),
                Role::User => {
                    Err(ApiError::new(ErrorCode::AdminRequired, "this endpoint is for administrators and operators"))
                }
            }
        })
    }
}

/// Whether the request's bearer token is `BOTFLEET_OPS_TOKEN` (false when none is configured).
pub fn bearer_is_ops_token(req: &HttpRequest, state: &AppState) -> bool {
    match (bearer_token(req), &state.settings.workflows.ops_token) {
        (Some(token), Some(expected)) => same_secret(&token, expected.expose()),
        _ => false,
    }
}

/// Compares in time independent of where (or whether) the values differ, their lengths included:
/// both sides are hashed first.
fn same_secret(given: &str, expected: &str) -> bool {
    Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into()
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret("ops-token-0123456789", "ops-token-0123456789"));
        assert!(!same_secret("ops-token-0123456788", "ops-token-0123456789"));
        assert!(!same_secret("ops-token", "ops-token-0123456789"));
        assert!(!same_secret("", "ops-token-0123456789"));
    }
}
