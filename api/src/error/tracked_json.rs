//! A JSON body extractor like `web::Json` whose decoding errors name the whole path of the bad
//! field (`config`, `risk.trailing_stop.distance_percent`), where serde alone names only the last
//! key or nothing (`invalid type: integer, expected a string` used to be reported as `body`).
//!
//! The body is first read by `web::Json` as raw JSON text, so the content type, the size limit
//! and malformed JSON are answered exactly as [`super::json_config`] says; the text is then
//! decoded with `serde_path_to_error` (duplicate keys are still refused, as serde refuses them).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::extractors::{serde_field_error, strip_position};
use super::ApiError;

/// A JSON request body decoded into `T`, each decoding error named by its path.
#[derive(Debug)]
pub struct TrackedJson<T>(pub T);

impl<T> TrackedJson<T> {
    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for TrackedJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for TrackedJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            decode(raw.get()).map(TrackedJson).map_err(Into::into)
        })
    }
}

/// Decodes the JSON text `text` into `T`; a refusal is a 422 naming the bad field's path.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    // serde also reads a struct from an array of its fields in order (`[null, null]`); every
    // body the API documents is an object, so any other top-level value is refused here.
    if !text.trim_start().starts_with('{') {
        let field = application::FieldError::new("body", application::FieldCode::InvalidType, "must be a JSON object");
        return Err(ApiError::validation(vec![field]));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let message = strip_position(&err.into_inner().to_string());
        let parent = (path != ".").then_some(path.as_str());
        let mut field = serde_field_error(&message, parent);
        // The path ends at the bad field, except for a missing one: it ends at its parent.
        if let Some(path) = parent {
            field.field = if field.code == application::FieldCode::Required {
                format!("{path}.{}", field.field)
            } else {
                path.to_owned()
            };
        }
        ApiError::validation(vec![field])
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        items: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn field(text: &str) -> (String, String) {
        let Err(err) = decode::<Outer>(text) else { panic!("{text} decoded") };
        assert_eq!(err.code(), crate::error::ErrorCode::ValidationFailed);
        (err.field_errors()[0].field.clone(), err.field_errors()[0].code.as_str().to_owned())
    }

    #[test]
    fn every_refusal_names_the_whole_path() {
        assert_eq!(field(r#"{"name": 5}"#), ("name".into(), "invalid_type".into()));
        assert_eq!(field(r#"{}"#), ("name".into(), "required".into()));
        assert_eq!(field(r#"{"name": "a", "nmae": 1}"#), ("nmae".into(), "unknown_field".into()));
        assert_eq!(field(r#"{"name": "a", "name": "b"}"#), ("name".into(), "duplicate_field".into()));
        assert_eq!(field(r#"{"name": "a", "inner": {"count": -1}}"#), ("inner.count".into(), "invalid_value".into()));
        assert_eq!(field(r#"{"name": "a", "inner": {}}"#), ("inner.count".into(), "required".into()));
        assert_eq!(
            field(r#"{"name": "a", "inner": {"count": 1, "x": 2}}"#),
            ("inner.x".into(), "unknown_field".into())
        );
        assert_eq!(
            field(r#"{"name": "a", "items": [{"count": 1}, {"count": "2"}]}"#),
            ("items[1].count".into(), "invalid_type".into())
        );
        assert_eq!(field("true"), ("body".into(), "invalid_type".into()));
        assert_eq!(field(r#"["a", null, null]"#), ("body".into(), "invalid_type".into()));
    }
}
