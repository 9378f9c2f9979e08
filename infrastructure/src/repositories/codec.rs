//! What every repository's document mapping shares: timestamps as i64 unix milliseconds, decimals
//! as canonical strings, private document structs to and from [`Doc`], versions, and the
//! create/update/page plumbing.

use domain::{Page, PageRequest, RepoError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::store::{malformed, Doc, DocumentStore, Query, VERSION};

/// The version a created document starts at.
pub(crate) const FIRST_VERSION: u64 = 1;

/// `at` as unix milliseconds (sub-millisecond digits are dropped, as the domain does).
pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000)).unwrap_or(i64::MAX)
}

/// The instant of `millis` unix milliseconds.
pub(crate) fn from_millis(millis: i64) -> Result<OffsetDateTime, time::error::ComponentRange> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
}

/// `#[serde(with = "millis")]`: an `OffsetDateTime` field stored as unix milliseconds.
pub(crate) mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(super::to_millis(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        super::from_millis(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "millis_opt")]`: an optional instant stored as unix milliseconds or `null`.
pub(crate) mod millis_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_i64(super::to_millis(*at)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<i64>::deserialize(d)?.map(super::from_millis).transpose().map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "decimal")]`: a `Decimal` stored as its canonical string (no trailing zeros, no
/// exponent: `1.5`, `0.00001`), so equal amounts are stored alike on every engine.
pub(crate) mod decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&value.normalize())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(DecimalText)
    }

    /// Parses the stored string where the decoder holds it: no `String` per decimal.
    pub(super) struct DecimalText;

    impl serde::de::Visitor<'_> for DecimalText {
        type Value = Decimal;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a decimal string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Decimal, E> {
            text.parse::<Decimal>().map_err(|e| E::custom(format!("decimal `{text}`: {e}")))
        }
    }

    /// `Deserialize` through [`DecimalText`], for `Option` and other wrappers.
    pub(super) struct Borrowed(pub(super) Decimal);

    impl<'de> Deserialize<'de> for Borrowed {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(DecimalText).map(Borrowed)
        }
    }
}

/// `#[serde(with = "decimal_opt")]`: an optional `Decimal` stored as a canonical string or `null`.
pub(crate) mod decimal_opt {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => s.collect_str(&value.normalize()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<super::decimal::Borrowed>::deserialize(d)?.map(|b| b.0))
    }
}

/// The stored form of a serde value (an enum's wire name, say), for use in queries.
pub(crate) fn value_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A document struct as a store document.
pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<Doc, RepoError> {
    match serde_json::to_value(value).map_err(RepoError::unavailable)? {
        Value::Object(doc) => Ok(doc),
        _ => Err(malformed("a document struct did not serialise to an object")),
    }
}

/// A store document as a document struct; corrupt documents are `Unavailable`.
pub(crate) fn from_doc<T: DeserializeOwned>(coll: &str, doc: Doc) -> Result<T, RepoError> {
    let id = doc.get(crate::store::ID).cloned().unwrap_or(Value::Null);
    serde_json::from_value(Value::Object(doc))
        .map_err(|e| RepoError::unavailable(anyhow::Error::new(e).context(format!("unreadable {coll} document {id}"))))
}

/// Decodes a stored document's JSON text straight into `T` (no `Doc` in between).
pub(crate) fn from_json<T: DeserializeOwned>(coll: &str, text: &str) -> Result<T, RepoError> {
    serde_json::from_str(text).map_err(|e| {
        let id = serde_json::from_str::<Doc>(text).ok().and_then(|doc| doc.get(crate::store::ID).cloned());
        let id = id.unwrap_or(Value::Null);
        RepoError::unavailable(anyhow::Error::new(e).context(format!("unreadable {coll} document {id}")))
    })
}

/// Inserts `document` with version 1.
pub(crate) async fn insert<T: Serialize>(store: &dyn DocumentStore, coll: &str, document: &T) -> Result<(), RepoError> {
    let mut doc = to_doc(document)?;
    doc.insert(VERSION.to_owned(), FIRST_VERSION.into());
    store.insert(coll, doc).await
}

/// Replaces `document` when the stored version is `expected`; returns the new version.
pub(crate) async fn replace<T: Serialize>(
    store: &dyn DocumentStore,
    coll: &str,
    document: &T,
    expected: u64,
) -> Result<u64, RepoError> {
    store.replace(coll, to_doc(document)?, expected).await
}

/// The document with that id, if any.
pub(crate) async fn get<T: DeserializeOwned>(
    store: &dyn DocumentStore,
    coll: &str,
    id: &str,
) -> Result<Option<T>, RepoError> {
    store.get(coll, id).await?.map(|doc| from_doc(coll, doc)).transpose()
}

/// The first document matching `query`, if any.
pub(crate) async fn find_one<T: DeserializeOwned>(
    store: &dyn DocumentStore,
    coll: &str,
    query: Query,
) -> Result<Option<T>, RepoError> {
    let docs = store.find(coll, &query.limit(1)).await?;
    docs.into_iter().next().map(|doc| from_doc(coll, doc)).transpose()
}

/// Every document matching `query`, in its sort order.
pub(crate) async fn find_all<T: DeserializeOwned>(
    store: &dyn DocumentStore,
    coll: &str,
    query: &Query,
) -> Result<Vec<T>, RepoError> {
    store.find(coll, query).await?.into_iter().map(|doc| from_doc(coll, doc)).collect()
}

/// One page of the documents matching `query` (which carries the sort), with the total count.
pub(crate) async fn page<T: DeserializeOwned, E>(
    store: &dyn DocumentStore,
    coll: &str,
    query: Query,
    page: PageRequest,
    into_entity: impl FnMut(T) -> E,
) -> Result<Page<E>, RepoError> {
    let query = query.page(page);
    let (texts, total) = store.find_page_json(coll, &query).await?;
    let items = texts.iter().map(|text| from_json(coll, text)).collect::<Result<Vec<T>, _>>()?;
    Ok(Page { items: items.into_iter().map(into_entity).collect(), total, offset: page.offset(), limit: page.limit() })
}

/// [`page`] through `memo`: each document whose stored text was decoded before is not decoded
/// again (see [`super::memo`]). `decode` turns a stored text into the entity.
pub(crate) async fn page_memo<E: Clone>(
    store: &dyn DocumentStore,
    coll: &str,
    query: Query,
    page: PageRequest,
    memo: &super::memo::TextMemo<E>,
    decode: impl Fn(&str) -> Result<E, RepoError>,
) -> Result<Page<E>, RepoError> {
    let query = query.page(page);
    let (texts, total) = store.find_page_json(coll, &query).await?;
    let items = texts.into_iter().map(|text| memo.get_or_decode(text, &decode)).collect::<Result<Vec<E>, _>>()?;
    Ok(Page { items, total, offset: page.offset(), limit: page.limit() })
}

/// Sets the time field `field` to `at` on the documents matching `query` whose `field` is still
/// null (revoking sessions, consuming tokens): each document is stamped once, so of two racing
/// callers only one counts it. Returns how many were stamped.
pub(crate) async fn stamp_unset(
    store: &dyn DocumentStore,
    coll: &str,
    query: Query,
    field: &str,
    at: OffsetDateTime,
) -> Result<u64, RepoError> {
    let query = query.eq(field, Value::Null);
    let mut set = Doc::new();
    set.insert(field.to_owned(), to_millis(at).into());
    store.update_many_set(coll, &query, set).await
}

/// Deletes the documents matching `query` (its limit bounds one call's work): their ids are read,
/// then deleted as one write. Returns how many were deleted.
pub(crate) async fn delete_matching(store: &dyn DocumentStore, coll: &str, query: Query) -> Result<u64, RepoError> {
    let docs = store.find(coll, &query).await?;
    let ids = docs.iter().map(|doc| crate::store::doc_id(doc).map(str::to_owned)).collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(0);
    }
    store.delete_ids(coll, &ids).await
}
