//! Test binary `backoffice`: The operators' backoffice.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/api_backoffice.rs"]
mod api_backoffice;
#[path = "../tests/api_backoffice_comp.rs"]
mod api_backoffice_comp;
#[path = "../tests/api_backoffice_facets.rs"]
mod api_backoffice_facets;
#[path = "../tests/api_backoffice_metrics.rs"]
mod api_backoffice_metrics;
#[path = "../tests/api_backoffice_mrr.rs"]
mod api_backoffice_mrr;
#[path = "../tests/api_backoffice_operators.rs"]
mod api_backoffice_operators;
#[path = "../tests/api_backoffice_path_ids.rs"]
mod api_backoffice_path_ids;
#[path = "../tests/api_backoffice_refunds.rs"]
mod api_backoffice_refunds;
#[path = "../tests/api_backoffice_users.rs"]
mod api_backoffice_users;
#[path = "../tests/api_backoffice_workflow_health.rs"]
mod api_backoffice_workflow_health;
