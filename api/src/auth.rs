//! The authentication extractor: a verified bearer token becomes the calling [`Principal`].

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use application::identity::Principal;
use application::AppError;

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller. Taking it as a handler argument makes the route require a valid
/// `Authorization: Bearer <access token>`; failures answer 401 problem+json.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(AppError::internal(anyhow::anyhow!("AppState missing"))))?;
            let token = token.ok_or_else(|| {
                ApiError::from(AppError::Unauthorized {
                    code: "missing_token",
                    detail: "send `Authorization: Bearer <access token>`".into(),
                })
            })?;
            Ok(Authenticated(state.identity.authenticate(&token).await?))
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}
