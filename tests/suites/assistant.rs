//! Test binary `assistant`: The assistant.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/api_assistant.rs"]
mod api_assistant;
#[path = "../tests/api_assistant_model.rs"]
mod api_assistant_model;
#[path = "../tests/api_assistant_quota.rs"]
mod api_assistant_quota;
#[path = "../tests/api_assistant_suggestions.rs"]
mod api_assistant_suggestions;
