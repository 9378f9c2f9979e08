//! Responses every operation of a kind can give, added to the document once instead of being
//! repeated on each handler: what the extractors answer before a handler runs. An operation with a
//! JSON body can be refused as malformed (400 `malformed_json`), too large (413), sent with
//! another content type (415) or not decoding into its schema (422 `validation_failed` naming the
//! field: a wrong type, an unknown or missing field); one with query parameters can be refused with 400
//! `invalid_query` naming the parameter. A response a handler already documents is kept as is.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};

/// The problem responses of an operation with a JSON request body.
const BODY: &[(&str, &str)] = &[
    ("400", "The body is not JSON (`malformed_json`, with line and column)"),
    ("413", "The body is larger than the server accepts (`payload_too_large`)"),
    ("415", "The body is not sent as `application/json` (`unsupported_media_type`)"),
    ("422", "A field is invalid, unknown or missing (`validation_failed`, naming each field)"),
];

/// The providers' webhooks: not decoded by the JSON extractor.
const WEBHOOKS: &str = "/api/webhooks/";

/// The problem response of an operation with query parameters.
const QUERY: (&str, &str) = ("400", "A query parameter does not parse or is out of range (`invalid_query`, naming it)");

/// Adds the extractors' responses to every operation of `document`.
pub fn add(document: &mut Document) {
    for (path, item) in document.paths.paths.iter_mut() {
        // Webhooks read their body as raw bytes (the signature covers them) and document their
        // own refusals.
        if path.starts_with(WEBHOOKS) {
            continue;
        }
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            add_to(operation);
        }
    }
}

fn add_to(operation: &mut Operation) {
    if operation.request_body.is_some() {
        for (status, description) in BODY {
            problem(operation, status, description);
        }
    }
    let has_query = operation.parameters.iter().flatten().any(|parameter| match parameter {
        RefOr::T(parameter) => parameter.parameter_in == ParameterIn::Query,
        RefOr::Ref(_) => false,
    });
    if has_query {
        problem(operation, QUERY.0, QUERY.1);
    }
}

/// Documents `status` as a problem response unless the operation already documents it.
fn problem(operation: &mut Operation, status: &str, description: &str) {
    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        RefOr::T(ResponseBuilder::new().description(description).content("application/problem+json", content).build())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_and_every_query_documents_the_extractors_refusals() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut bodies = 0;
        for (path, item) in json["paths"].as_object().unwrap() {
            if path.starts_with(WEBHOOKS) {
                continue;
            }
            for (method, operation) in item.as_object().unwrap() {
                let responses = &operation["responses"];
                if operation.get("requestBody").is_some()
                    && operation["requestBody"]["content"].get("application/json").is_some()
                {
                    bodies += 1;
                    for status in ["400", "413", "415", "422"] {
                        assert!(responses.get(status).is_some(), "{method} {path} lacks {status}");
                    }
                }
                let query = operation["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
                if query {
                    assert!(responses.get("400").is_some(), "{method} {path} lacks 400 for its query");
                }
            }
        }
        assert!(bodies > 10, "the walk saw the JSON bodies ({bodies})");
    }
}
