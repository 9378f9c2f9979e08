//! [`PathId`] and [`PathIds`]: the typed ids of a route's path, parsed before the handler runs.
//!
//! A segment that is not a well-formed id (a ULID for the domain's ids) is a 400 `invalid_path`
//! naming the parameter (`errors[0].field` = `id`, `position_id`…); its value is not repeated.
//! A well-formed id of a resource the caller cannot see goes on to the use case, which answers
//! 404 as for an id that does not exist (never 403: no existence leak).
//!
//! ```ignore
//! #[get("/api/bots/{id}")]
//! async fn get_bot(id: PathId<BotId>, ...)          // `{id}`
//! #[post("/api/bots/{id}/positions/{position_id}/schedule-sell")]
//! async fn schedule_sell(ids: PathIds<BotId, PositionId>, ...) // `{id}`, then the other one
//! ```
//!
//! In the handler's `#[utoipa::path]`, the parameter is `("id" = Id, Path, description = ...)`
//! ([`crate::routes::wire::Id`] shows the pattern the id must match).

use std::future::{ready, Ready};
use std::ops::Deref;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use application::{FieldCode, FieldError};

use crate::error::{ApiError, ErrorCode};

/// The path parameter a route's resource id is in.
pub const ID: &str = "id";

/// The typed id of the path segment `{id}` (or of the route's only segment).
#[derive(Clone, Copy, Debug)]
pub struct PathId<T>(pub T);

impl<T> PathId<T> {
    /// The id.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for PathId<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: FromStr + 'static> FromRequest for PathId<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(first_name(req).and_then(|name| parse(req, &name)).map(PathId))
    }
}

/// Two typed ids of a path: `{id}` (or the first segment), then the other segment
/// (`/api/bots/{id}/positions/{position_id}`).
#[derive(Clone, Copy, Debug)]
pub struct PathIds<A, B>(pub A, pub B);

impl<A, B> PathIds<A, B> {
    /// Both ids.
    pub fn into_inner(self) -> (A, B) {
        (self.0, self.1)
    }
}

impl<A: FromStr + 'static, B: FromStr + 'static> FromRequest for PathIds<A, B> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let first = first_name(req)?;
            let second = req
                .match_info()
                .iter()
                .map(|(name, _)| name)
                .find(|name| *name != first)
                .ok_or_else(|| missing("a second path parameter"))?
                .to_owned();
            Ok(PathIds(parse(req, &first)?, parse(req, &second)?))
        })())
    }
}

/// `{id}` when the route has it, else its first segment.
fn first_name(req: &HttpRequest) -> Result<String, ApiError> {
    let names: Vec<&str> = req.match_info().iter().map(|(name, _)| name).collect();
    names
        .iter()
        .find(|name| **name == ID)
        .or_else(|| names.first())
        .map(|name| (*name).to_owned())
        .ok_or_else(|| missing("a path parameter"))
}

/// The segment `name` as a `T`, or a 400 `invalid_path` naming it.
fn parse<T: FromStr>(req: &HttpRequest, name: &str) -> Result<T, ApiError> {
    let raw = req.match_info().get(name).unwrap_or_default();
    raw.parse().map_err(|_| invalid(name))
}

/// A 400 `invalid_path` naming `parameter` (the value is not repeated).
pub fn invalid(parameter: &str) -> ApiError {
    let message = "is not a well-formed id";
    ApiError::new(ErrorCode::InvalidPath, format!("invalid path parameter `{parameter}`: {message}"))
        .with_errors(vec![FieldError::new(parameter, FieldCode::InvalidValue, message)])
}

/// A route registered with an extractor its path does not fit: a programming error, answered
/// as a 400 rather than a panic.
fn missing(what: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidPath, format!("the route has no {what}"))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use domain::shared::ids::{BotId, PositionId};

    use super::*;

    fn request(params: &[(&'static str, String)]) -> HttpRequest {
        params
            .iter()
            .fold(TestRequest::default(), |req, (name, value)| req.param(*name, value.clone()))
            .to_http_request()
    }

    fn field(err: ApiError) -> String {
        assert_eq!(err.code(), ErrorCode::InvalidPath);
        err.field_errors()[0].field.clone()
    }

    #[actix_web::test]
    async fn a_malformed_id_is_refused_naming_its_parameter() {
        let id = BotId::new();
        let parsed = PathId::<BotId>::extract(&request(&[("id", id.to_string())])).await.unwrap();
        assert_eq!(parsed.into_inner(), id);

        let err = PathId::<BotId>::extract(&request(&[("id", "not-an-id".into())])).await.unwrap_err();
        assert_eq!(field(err), "id");
    }

    #[actix_web::test]
    async fn two_ids_are_read_by_name() {
        let (bot, position) = (BotId::new(), PositionId::new());
        let req = request(&[("id", bot.to_string()), ("position_id", position.to_string())]);
        let ids = PathIds::<BotId, PositionId>::extract(&req).await.unwrap();
        assert_eq!(ids.into_inner(), (bot, position));

        let req = request(&[("id", bot.to_string()), ("position_id", "nope".into())]);
        assert_eq!(field(PathIds::<BotId, PositionId>::extract(&req).await.unwrap_err()), "position_id");
        let req = request(&[("id", "nope".into()), ("position_id", position.to_string())]);
        assert_eq!(field(PathIds::<BotId, PositionId>::extract(&req).await.unwrap_err()), "id");
    }
}
