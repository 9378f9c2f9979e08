//! Test binary `engine`: The trading engine: sync, recovery, conflicts, races, dust and the bots end to end.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/engine_anomalies.rs"]
mod engine_anomalies;
#[path = "../tests/engine_channel.rs"]
mod engine_channel;
#[path = "../tests/engine_conflicts.rs"]
mod engine_conflicts;
#[path = "../tests/engine_dust_channel.rs"]
mod engine_dust_channel;
#[path = "../tests/engine_dust_smart.rs"]
mod engine_dust_smart;
#[path = "../tests/engine_e2e.rs"]
mod engine_e2e;
#[path = "../tests/engine_forgotten.rs"]
mod engine_forgotten;
#[path = "../tests/engine_instances.rs"]
mod engine_instances;
#[path = "../tests/engine_isolation.rs"]
mod engine_isolation;
#[path = "../tests/engine_placement_race.rs"]
mod engine_placement_race;
#[path = "../tests/engine_reconcile.rs"]
mod engine_reconcile;
#[path = "../tests/engine_recovery.rs"]
mod engine_recovery;
#[path = "../tests/engine_stop_race.rs"]
mod engine_stop_race;
#[path = "../tests/engine_sync.rs"]
mod engine_sync;
#[path = "../tests/engine_withdrawals.rs"]
mod engine_withdrawals;
