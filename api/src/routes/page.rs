//! [`Page`]: the one body of every plain paged list (`{items, total, offset, limit}`), generic over
//! its item DTO, so a new list needs no list type of its own: `body = Page<BotResponse>` in the
//! operation's responses (the spec names the schema `Page_BotResponse`) and
//! `Page::<BotResponse>::from(page)` from the use case's `domain::Page`.
//!
//! The operation's doc comment says the items' order. A list cut to the plan's history window is
//! a [`HistoryPage`], which also says that window (`history_window`), from the use case's
//! `Windowed` read.

use serde::Serialize;
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::ToSchema;

use application::reports::Windowed;

use super::common::HistoryWindowResponse;

/// The prefixes utoipa names a `Page<T>` and a `HistoryPage<T>` schema with (`Page_BotResponse`).
const PREFIXES: [&str; 2] = ["Page_", "HistoryPage_"];

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

/// A page of a history list, cut to the plan's window (FREE 30 days, PRO 90, MAX all).
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage<T> {
    /// This page's items, in the list's order.
    pub items: Vec<T>,
    /// Matches in all, inside the window.
    pub total: u64,
    /// Items skipped before this page.
    pub offset: u64,
    /// The page size applied.
    pub limit: u64,
    /// The history window the list was cut to (the plan's).
    pub history_window: HistoryWindowResponse,
}

impl<T, U: Into<T>> From<Windowed<U>> for HistoryPage<T> {
    fn from(read: Windowed<U>) -> Self {
        let Page { items, total, offset, limit } = Page::from(read.page);
        Self { items, total, offset, limit, history_window: read.window.into() }
    }
}

/// utoipa inlines a generic argument's schema: each `Page_X` schema's `items` then refers to the
/// `X` schema instead, so that a generated client names the item type once.
pub fn refer_items(document: &mut Document) {
    let Some(components) = document.components.as_mut() else { return };
    let named: Vec<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let item = PREFIXES.iter().find_map(|prefix| name.strip_prefix(prefix));
        let Some(item) = item.filter(|item| named.iter().any(|n| n == item)) else {
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
        let pages: Vec<(&String, &str)> = schemas
            .keys()
            .filter_map(|name| PREFIXES.iter().find_map(|prefix| name.strip_prefix(prefix)).map(|item| (name, item)))
            .collect();
        assert!(pages.len() >= 12, "{pages:?}");
        for (name, item) in pages {
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
