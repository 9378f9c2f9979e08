//! Test binary `api`: Identity, credentials, contexts, bots, orders, workflows and the HTTP contract (typed fields, paths, hygiene).
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/api_bot_commands.rs"]
mod api_bot_commands;
#[path = "../tests/api_bots.rs"]
mod api_bots;
#[path = "../tests/api_contexts.rs"]
mod api_contexts;
#[path = "../tests/api_credentials.rs"]
mod api_credentials;
#[path = "../tests/api_field_paths.rs"]
mod api_field_paths;
#[path = "../tests/api_hygiene.rs"]
mod api_hygiene;
#[path = "../tests/api_identity.rs"]
mod api_identity;
#[path = "../tests/api_input_fuzz.rs"]
mod api_input_fuzz;
#[path = "../tests/api_legal.rs"]
mod api_legal;
#[path = "../tests/api_orders.rs"]
mod api_orders;
#[path = "../tests/api_path_ids.rs"]
mod api_path_ids;
#[path = "../tests/api_reconcile.rs"]
mod api_reconcile;
#[path = "../tests/api_typed_fields.rs"]
mod api_typed_fields;
#[path = "../tests/api_withdrawals.rs"]
mod api_withdrawals;
#[path = "../tests/api_workflows.rs"]
mod api_workflows;
