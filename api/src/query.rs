//! [`Query`]: the query-string extractor of every handler. Like `web::Query`, but a value that
//! does not deserialise is a 400 `invalid_query` naming its parameter (`limit`, `from`, …):
//! `web::Query` cannot name it, as `serde_urlencoded`'s messages ("invalid digit found in
//! string") do not, so the parameters are read through `serde_path_to_error`.

use std::future::{ready, Ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{query_error, ApiError};

/// The query string deserialised into `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Deserialises `query` (without the `?`), naming the parameter that fails.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let parameter = (path != ".").then_some(path);
        query_error(&err.inner().to_string(), parameter.as_deref())
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Params {
        offset: Option<u64>,
        limit: Option<u64>,
        side: Option<String>,
    }

    fn field_of(err: ApiError) -> String {
        assert_eq!(err.code(), crate::error::ErrorCode::InvalidQuery, "{err:?}");
        err.field_errors()[0].field.clone()
    }

    #[test]
    fn parameters_are_read_and_a_bad_one_is_named() {
        let read: Params = parse("limit=20&side=buy").unwrap();
        assert_eq!(read, Params { offset: None, limit: Some(20), side: Some("buy".into()) });
        assert_eq!(field_of(parse::<Params>("limit=lots").unwrap_err()), "limit");
        assert_eq!(field_of(parse::<Params>("side=buy&offset=-1").unwrap_err()), "offset");
    }
}
