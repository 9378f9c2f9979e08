//! Leases: a named, expiring claim that one holder (a server instance) takes atomically in the
//! store, so that several instances sharing one database never act on the same thing at once.
//! Workflow runs take `workflow:<name>`; the engine takes `bot:<id>` while it evaluates a bot.

mod ports;

pub use ports::LeaseRepository;

#[cfg(feature = "mocks")]
pub use ports::MockLeaseRepository;

/// The lease name of a scheduled workflow's runs.
pub fn workflow_lease(workflow: &str) -> String {
    format!("workflow:{workflow}")
}

/// The lease name of one bot while it is being evaluated.
pub fn bot_lease(bot: impl std::fmt::Display) -> String {
    format!("bot:{bot}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_names_are_prefixed_by_what_they_guard() {
        assert_eq!(workflow_lease("sync_orders"), "workflow:sync_orders");
        assert_eq!(bot_lease("01J0000000000000000000000"), "bot:01J0000000000000000000000");
    }
}
