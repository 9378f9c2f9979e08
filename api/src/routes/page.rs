//! [`Page`]: the one body of every plain paged list (`{items, total, offset, limit}`), generic over
//! its item DTO, so a new list needs no list type of its own: `body = Page<BotResponse>` in the
//! operation's responses (the spec names the schema `Page_BotResponse`) and
//! `Page::<BotResponse>::from(page)` from the use case's `domain::Page`.
//!
//! The operation's doc comment says the items' order. A list cut to the plan's history window
//! also says `history_window` (`windowed_list!` in [`super::common`]).

use serde::Serialize;
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::ToSchema;

/// The prefix utoipa names a `Page<T>` schema with (`Page_BotResponse`).
const PREFIX: &str = "Page_";

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// This page's items, in the list's order.
    pub items: Vec<T>,
    /// Matches in all.
    pub total: u64,
    /// Items skipped before this page.
    pub offset: u64,
    /// The page size applied.
    pub limit: u64,
}

impl<T, U: Into<T>> From<domain::Page<U>> for Page<T> {
    fn from(page: domain::Page<U>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        }
    }
}

/// utoipa inlines a generic argument's schema: each `Page_X` schema's `items` then refers to the
/// `X` schema instead, so that a generated client names the item type once.
pub fn refer_items(document: &mut Document) {
    let Some(components) = document.components.as_mut() else { return };
    let named: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name.strip_prefix(PREFIX).filter(|item| named.iter().any(|n| n == item)) else {
            continue;
        };
        let RefOr::T(Schema::Object(page)) = schema else { continue };
        if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
            items.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_page_keeps_the_list_fields_and_converts_its_items() {
        let page = domain::Page { items: vec![1_u8, 2], total: 7, offset: 2, limit: 2 };
        let body = serde_json::to_value(Page::<u32>::from(page)).unwrap();
        assert_eq!(body, json!({"items": [1, 2], "total": 7, "offset": 2, "limit": 2}));
    }

    #[test]
    fn a_page_schema_refers_to_its_items_schema() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let schemas = json["components"]["schemas"].as_object().unwrap();
        let pages: Vec<&String> = schemas.keys().filter(|name| name.starts_with(PREFIX)).collect();
        assert!(pages.len() >= 8, "{pages:?}");
        for name in pages {
            let item = &name[PREFIX.len()..];
            assert_eq!(
                schemas[name]["properties"]["items"]["items"],
                json!({"$ref": format!("#/components/schemas/{item}")})
            );
            for field in ["items", "total", "offset", "limit"] {
                assert!(schemas[name]["required"].as_array().unwrap().contains(&json!(field)), "{name} {field}");
            }
        }
    }
}
