//! Decoding of internally tagged enums (`{"type": "continuous", "interval_seconds": 60}`) that
//! keeps every field's path.
//!
//! serde's derived decoder of an internally tagged enum buffers the whole object before it knows
//! the variant, so a path-tracking decoder (`serde_path_to_error`) stops at the enum: a bad
//! `interval_seconds` was named `config.mode`. Here the tag is read first and the variant's body is
//! decoded straight from the rest of the same map, so the path runs through the enum
//! (`config.mode.interval_seconds`). Entries that come before the tag are buffered; their paths
//! stop at the enum, which is why [`tag_first_json`] writes a client's config with tags first
//! before it is decoded. Encoding is untouched (the derived `Serialize` writes the tag first), so
//! the wire format, the OpenAPI schemas and the stored documents stay as they were.
//!
//! A tagged enum keeps `#[derive(Serialize)]` and its `#[serde(tag = ..)]` attributes (the OpenAPI
//! schema reads them) and replaces `Deserialize` with [`tagged_deserialize!`].

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// An enum read from an object whose `TAG` field names the variant (see the module docs).
pub trait Tagged: Sized {
    /// The enum's name, for messages.
    const NAME: &'static str;
    /// The field that names the variant.
    const TAG: &'static str;
    /// The variants' wire names.
    const VARIANTS: &'static [&'static str];

    /// Decodes the body (the object without its tag) of the variant named `tag`.
    fn variant<'de, D: Deserializer<'de>>(tag: &str, body: D) -> Result<Self, D::Error>;
}

/// Decodes a [`Tagged`] enum from `deserializer` (what the macro's `Deserialize` impl calls).
pub fn deserialize<'de, D: Deserializer<'de>, T: Tagged>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor(PhantomData))
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internally tagged enum {}", T::NAME)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut before = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == T::TAG {
                let tag = map.next_value_seed(TagSeed::<T>(PhantomData))?;
                let body = Body { before: before.into_iter(), value: None, rest: map };
                return T::variant(&tag, MapAccessDeserializer::new(body));
            }
            before.push((key, map.next_value::<Value>()?));
        }
        Err(de::Error::missing_field(T::TAG))
    }
}

/// Reads the tag and refuses a name that is no variant, listing the allowed ones.
struct TagSeed<T>(PhantomData<T>);

impl<'de, T: Tagged> DeserializeSeed<'de> for TagSeed<T> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        let tag = String::deserialize(deserializer)?;
        if T::VARIANTS.contains(&tag.as_str()) {
            Ok(tag)
        } else {
            Err(de::Error::unknown_variant(&tag, T::VARIANTS))
        }
    }
}

/// The object without its tag: the buffered entries that came before it, then the live rest.
struct Body<M> {
    before: std::vec::IntoIter<(String, Value)>,
    value: Option<Value>,
    rest: M,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for Body<M> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, M::Error> {
        match self.before.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: StringDeserializer<M::Error> = key.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
    }
}

/// Implements [`Tagged`] and `Deserialize` for an internally tagged enum from its variants' wire
/// names and shapes: `"rsi" => Rsi(RsiSpec)` (newtype), `"manual" => Manual` (unit: other fields
/// are ignored, as serde's derive does) or `"continuous" => Continuous { interval_seconds: u32 }`
/// (struct: unknown fields refused).
macro_rules! tagged_deserialize {
    ($enum:ident, tag = $tag:literal, { $($wire:literal => $variant:ident $(($($newtype:tt)*))? $({$($fields:tt)*})?),* $(,)? }) => {
        impl $crate::bots::config_tagged::Tagged for $enum {
            const NAME: &'static str = stringify!($enum);
            const TAG: &'static str = $tag;
            const VARIANTS: &'static [&'static str] = &[$($wire),*];

            fn variant<'de, D: serde::Deserializer<'de>>(tag: &str, body: D) -> Result<Self, D::Error> {
                match tag {
                    $($wire => $crate::bots::config_tagged::tagged_deserialize!(
                        @body $enum $variant body $(($($newtype)*))? $({$($fields)*})?
                    ),)*
                    other => Err(serde::de::Error::unknown_variant(other, Self::VARIANTS)),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::bots::config_tagged::deserialize(deserializer)
            }
        }
    };
    (@body $enum:ident $variant:ident $body:ident) => {{
        <serde::de::IgnoredAny as serde::Deserialize>::deserialize($body)?;
        Ok($enum::$variant)
    }};
    (@body $enum:ident $variant:ident $body:ident ($ty:ty)) => {
        <$ty as serde::Deserialize>::deserialize($body).map($enum::$variant)
    };
    (@body $enum:ident $variant:ident $body:ident { $($field:ident : $ty:ty),* $(,)? }) => {{
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields { $($field: $ty),* }
        let fields = <Fields as serde::Deserialize>::deserialize($body)?;
        Ok($enum::$variant { $($field: fields.$field),* })
    }};
}

pub(crate) use tagged_deserialize;

/// The JSON text of `value` with, in every object, the keys named in `tags` first, so that each
/// tagged enum's tag comes before its body and every path is kept (see the module docs).
pub fn tag_first_json(value: &Value, tags: &[&str]) -> String {
    let mut out = String::new();
    write_tag_first(value, tags, &mut out);
    out
}

fn write_tag_first(value: &Value, tags: &[&str], out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let is_tag = |key: &String| tags.contains(&key.as_str());
            let tagged = map.iter().filter(|(k, _)| is_tag(k));
            for (i, (key, item)) in tagged.chain(map.iter().filter(|(k, _)| !is_tag(k))).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_tag_first(item, tags, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_tag_first(item, tags, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
#[path = "config_tagged_tests.rs"]
mod tests;
