//! [`Packed`]: a document as the embedded store holds it, its compact JSON text (a `serde_json`
//! map costs about 1.5 KB more per document, see docs/performance.md). A scan first reads only
//! the top-level members its filters look at, skipping the others without copying them (a bot's
//! aggregate text is most of its document), and parses the whole document only when it matches.

use std::borrow::Cow;
use std::fmt;

use domain::RepoError;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::eval::matches;
use crate::store::{malformed, Doc, Filter};

/// A document as stored: its compact JSON text.
#[derive(Debug)]
pub(super) struct Packed(Box<str>);

impl Packed {
    /// Packs `doc`.
    pub(super) fn pack(doc: &Doc) -> Result<Self, RepoError> {
        let text = serde_json::to_string(doc).map_err(|e| malformed(format!("a document does not serialise: {e}")))?;
        Ok(Self(text.into_boxed_str()))
    }

    /// The whole document.
    pub(super) fn unpack(&self) -> Result<Doc, RepoError> {
        serde_json::from_str(&self.0).map_err(unreadable)
    }

    /// The whole document when it satisfies `filters`, read first from the members they name.
    pub(super) fn unpack_if(&self, filters: &[Filter]) -> Result<Option<Doc>, RepoError> {
        if filters.is_empty() {
            return self.unpack().map(Some);
        }
        let names: Vec<&str> = filters.iter().map(|f| f.field.split('.').next().unwrap_or_default()).collect();
        let mut reader = serde_json::Deserializer::from_str(&self.0);
        let members = Members { names: &names }.deserialize(&mut reader).map_err(unreadable)?;
        if matches(&members, filters) {
            self.unpack().map(Some)
        } else {
            Ok(None)
        }
    }
}

fn unreadable(err: serde_json::Error) -> RepoError {
    malformed(format!("a stored document does not parse: {err}"))
}

/// Reads the top-level members named `names` of a JSON object; skips the others.
struct Members<'n> {
    names: &'n [&'n str],
}

impl<'de> DeserializeSeed<'de> for Members<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Doc, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Members<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let mut members = Doc::new();
        while let Some(Name(name)) = map.next_key()? {
            if self.names.contains(&name.as_ref()) {
                let value: Value = map.next_value()?;
                members.insert(name.into_owned(), value);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(members)
    }
}

/// A member's name, borrowed from the text unless it holds escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(name.to_owned())))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::Query;

    fn packed(value: Value) -> Packed {
        Packed::pack(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn a_document_is_unpacked_whole_only_when_it_matches() {
        let doc = packed(json!({"_id": "a", "k\\u0069nd": 1, "kind": "smart", "nested": {"status": "on"},
            "bot": "{\"big\": \"text\"}"}));
        let smart = Query::all().eq("kind", "smart").eq("nested.status", "on");
        let whole = doc.unpack_if(&smart.filters).unwrap().unwrap();
        assert_eq!(whole, doc.unpack().unwrap());
        assert_eq!(whole["bot"], "{\"big\": \"text\"}");
        assert!(doc.unpack_if(&Query::all().eq("kind", "dca").filters).unwrap().is_none());
        assert!(doc.unpack_if(&Query::all().eq("missing", Value::Null).filters).unwrap().is_some());
        assert!(doc.unpack_if(&Query::all().eq("nested.status", "off").filters).unwrap().is_none());
        assert!(doc.unpack_if(&[]).unwrap().is_some());
    }
}
