//! OpenAPI `links` from each create operation to the operations that take the created id, added
//! once to the document: a client (or a stateful fuzzer) follows `201 -> $response.body#/id` to
//! `GET /api/bots/{id}`, `POST /api/bots/{id}/start`, `GET /api/orders?bot_id=...` and so on.
//!
//! Every operation under `{create path}/{id}` is linked by its path parameter, so a new
//! `/api/bots/{id}/...` route is linked without a line here; [`REFERENCES`] adds the operations
//! that take the id elsewhere (a query filter, a field of a request body).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use utoipa::openapi::link::{Link, LinkBuilder};
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi as Document, RefOr};

/// A create operation: `POST path` answering the new resource (with its `id`) under `statuses`.
struct Create {
    path: &'static str,
    statuses: &'static [&'static str],
}

/// The create operations whose id other operations take.
const CREATES: &[Create] = &[
    Create { path: "/api/contexts", statuses: &["201"] },
    Create { path: "/api/bots", statuses: &["201"] },
    Create { path: "/api/credentials", statuses: &["201"] },
    // 200 answers an idempotent replay with the order first created.
    Create { path: "/api/orders", statuses: &["201", "200"] },
    Create { path: "/backoffice/api/coupons", statuses: &["201"] },
];

/// Where a created id goes outside its own path: the id of the resource created by `POST from`
/// is `at` (`query.context_id`, or `body.context_id` for a field of the request body) of
/// `method path`.
struct Reference {
    from: &'static str,
    method: &'static str,
    path: &'static str,
    at: &'static str,
}

/// The operations that take a created id outside `{create path}/{id}`.
const REFERENCES: &[Reference] = &[
    Reference { from: "/api/contexts", method: "get", path: "/api/bots", at: "query.context_id" },
    Reference { from: "/api/contexts", method: "post", path: "/api/bots", at: "body.context_id" },
    Reference { from: "/api/contexts", method: "get", path: "/api/orders", at: "query.context_id" },
    Reference { from: "/api/contexts", method: "post", path: "/api/orders", at: "body.context_id" },
    Reference { from: "/api/bots", method: "get", path: "/api/orders", at: "query.bot_id" },
];

/// The runtime expression of the created resource's id.
const CREATED_ID: &str = "$response.body#/id";

/// Adds the links of every create operation of `document`.
pub fn add(document: &mut Document) {
    for create in CREATES {
        let links = links_from(document, create);
        let Some(operation) = document.paths.paths.get_mut(create.path).and_then(|item| item.post.as_mut()) else {
            continue;
        };
        for status in create.statuses {
            if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) {
                response.links.extend(links.clone());
            }
        }
    }
}

/// The links from `create` to every operation taking its id, named by their operation ids.
fn links_from(document: &Document, create: &Create) -> BTreeMap<String, RefOr<Link>> {
    let nested = format!("{}/{{id}}", create.path);
    let mut links = BTreeMap::new();
    for (path, item) in &document.paths.paths {
        if path != &nested && !path.starts_with(&format!("{nested}/")) {
            continue;
        }
        for operation in [&item.get, &item.put, &item.post, &item.delete, &item.patch].into_iter().flatten() {
            if let Some(id) = &operation.operation_id {
                let link = LinkBuilder::new().operation_id(id).parameter("path.id", CREATED_ID).build();
                links.insert(id.clone(), RefOr::T(link));
            }
        }
    }
    for reference in REFERENCES.iter().filter(|r| r.from == create.path) {
        let Some(operation) = operation(document, reference.method, reference.path) else { continue };
        let Some(id) = &operation.operation_id else { continue };
        let builder = LinkBuilder::new().operation_id(id);
        let link = match reference.at.strip_prefix("body.") {
            Some(field) => builder.request_body(Some(json!({ field: CREATED_ID }))),
            None => builder.parameter(reference.at, Value::from(CREATED_ID)),
        };
        links.insert(id.clone(), RefOr::T(link.build()));
    }
    links
}

/// The operation `method path` of `document`.
fn operation<'a>(document: &'a Document, method: &str, path: &str) -> Option<&'a Operation> {
    let item = document.paths.paths.get(path)?;
    match method {
        "get" => item.get.as_ref(),
        "post" => item.post.as_ref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(method: &str, path: &str, status: &str) -> serde_json::Map<String, Value> {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        json["paths"][path][method]["responses"][status]["links"].as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_create_links_to_each_operation_taking_its_id() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        for create in CREATES {
            let nested = format!("{}/{{id}}", create.path);
            let created = links("post", create.path, create.statuses[0]);
            let mut expected = 0;
            for (path, item) in json["paths"].as_object().unwrap() {
                if path == &nested || path.starts_with(&format!("{nested}/")) {
                    for operation in item.as_object().unwrap().values() {
                        let id = operation["operationId"].as_str().unwrap();
                        assert_eq!(created[id]["parameters"]["path.id"], CREATED_ID, "{} -> {id}", create.path);
                        expected += 1;
                    }
                }
            }
            assert!(expected >= 2, "{} links {expected} operations", create.path);
        }
    }

    #[test]
    fn a_context_leads_to_its_bots_and_orders_through_their_filters_and_bodies() {
        let created = links("post", "/api/contexts", "201");
        let by_target = |method: &str, path: &str| {
            let id = operation(&crate::openapi::document(), method, path).unwrap().operation_id.clone().unwrap();
            created[&id].clone()
        };

        assert_eq!(by_target("get", "/api/bots")["parameters"]["query.context_id"], CREATED_ID);
        assert_eq!(by_target("post", "/api/bots")["requestBody"], json!({ "context_id": CREATED_ID }));
        assert_eq!(by_target("get", "/api/orders")["parameters"]["query.context_id"], CREATED_ID);
        assert_eq!(links("post", "/api/orders", "200").len(), links("post", "/api/orders", "201").len());
    }
}
