//! The app's default service: 404 `route_not_found`, or 405 `method_not_allowed` with `Allow`
//! when the path exists for other methods.
//!
//! actix's `#[get]`/`#[post]` put the method guard on the resource, so a wrong method falls through
//! to the default service like an unknown path. The [`RouteTable`] built from the OpenAPI document
//! (which lists every route registered through `utoipa_actix_web`) tells the two apart.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::{OpenApi, PathItem};

use super::ApiError;

/// Every known path template and the methods it accepts.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    /// The routes documented in `api` (all routes added through `utoipa_actix_web`).
    pub fn from_openapi(api: &OpenApi) -> Self {
        let mut table = Self::default();
        for (template, item) in &api.paths.paths {
            table.add(template, &methods_of(item));
        }
        table
    }

    /// Adds a route served outside the OpenAPI document (Swagger UI, `/openapi.json`).
    pub fn add(&mut self, template: &str, methods: &[Method]) {
        match self.routes.iter_mut().find(|(def, _)| def.pattern() == Some(template)) {
            Some((_, known)) => {
                let new: Vec<Method> = methods.iter().filter(|m| !known.contains(m)).cloned().collect();
                known.extend(new);
            }
            None => self.routes.push((ResourceDef::new(template), methods.to_vec())),
        }
    }

    /// The methods accepted on `path` (empty when no route matches it).
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let mut allowed: Vec<Method> = Vec::new();
        for (def, methods) in &self.routes {
            if def.is_match(path) {
                let new: Vec<Method> = methods.iter().filter(|m| !allowed.contains(m)).cloned().collect();
                allowed.extend(new);
            }
        }
        allowed.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        allowed
    }
}

fn methods_of(item: &PathItem) -> Vec<Method> {
    [
        (Method::GET, &item.get),
        (Method::PUT, &item.put),
        (Method::POST, &item.post),
        (Method::DELETE, &item.delete),
        (Method::OPTIONS, &item.options),
        (Method::HEAD, &item.head),
        (Method::PATCH, &item.patch),
        (Method::TRACE, &item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_ref().map(|_| method))
    .collect()
}

/// The default service: 405 with `Allow` when the path is known, else 404.
pub async fn not_found_or_method_not_allowed(
    req: HttpRequest,
    table: Option<web::Data<RouteTable>>,
) -> Result<HttpResponse, ApiError> {
    let allow = table.map(|t| t.allowed(req.path())).unwrap_or_default();
    Err(if allow.is_empty() { ApiError::route_not_found() } else { ApiError::method_not_allowed(allow) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let mut table = RouteTable::default();
        table.add("/api/credentials/{id}", &[Method::GET, Method::DELETE]);
        table.add("/api/credentials/{id}", &[Method::PUT, Method::GET]);
        table.add("/docs/{_:.*}", &[Method::GET]);
        table
    }

    #[test]
    fn templates_match_concrete_paths_and_merge_methods() {
        assert_eq!(table().allowed("/api/credentials/01J9"), [Method::DELETE, Method::GET, Method::PUT]);
        assert_eq!(table().allowed("/docs/swagger-ui.css"), [Method::GET]);
    }

    #[test]
    fn unknown_paths_allow_nothing() {
        assert!(table().allowed("/api/credentials/01J9/extra").is_empty());
        assert!(table().allowed("/nope").is_empty());
    }
}
