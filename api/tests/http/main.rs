//! Black-box HTTP tests of the server shell: a real server on port 0 driven with reqwest, plus
//! in-process `actix_web::test` apps where a test-only route is needed (body/query/path errors).

mod docs;
mod errors;
mod extractors;
mod helpers;
mod observability;
