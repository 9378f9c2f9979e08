//! The catalogue of workflows: every periodic job the product knows, with its default interval.
//! The intervals of the trading workflows are the catalogue's (mostly coprime, so workflows
//! touching the same bots rarely start together); the upkeep jobs keep their historic defaults.

use std::time::Duration;

/// One catalogue workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The workflow's name (`sync_orders`): its lease is `workflow:<name>`.
    pub name: &'static str,
    /// How often it runs unless configured otherwise (before the interval scale).
    pub default_interval: Duration,
    /// What it does, for the status listing.
    pub description: &'static str,
}

const fn entry(name: &'static str, secs: u64, description: &'static str) -> CatalogueEntry {
    CatalogueEntry { name, default_interval: Duration::from_secs(secs), description }
}

/// Every workflow, in the order the status listing shows them.
pub const CATALOGUE: &[CatalogueEntry] = &[
    entry("sync_orders", 42, "Reads open orders from the exchanges and applies fills, cancellations and expiries."),
    entry(
        "sync_withdrawals",
        600,
        "Pauses running bots whose exchange account holds less quote than they need (funds withdrawn outside botfleet).",
    ),
    entry("sync_strategy_balances", 3600, "Synchronises the balances allotted to each strategy."),
    entry("anomaly_check", 60, "Detects market anomalies (spreads, volume)."),
    entry("smart_bot_purchase", 63, "Purchases of continuous SmartBots."),
    entry("smart_bot_sales", 67, "Sales of continuous SmartBots."),
    entry("smart_bot_check_situation", 33, "Risk monitoring of SmartBots."),
    entry("candle_bots_analysis", 60, "Technical analysis of Candle Bots."),
    entry("candle_bots_risk_management", 30, "Take profit and stop loss of Candle Bots."),
    entry("dca_execution", 60, "Purchases of DCA bots."),
    entry("dca_risk_management", 30, "Take profit and stop loss of DCA bots."),
    entry("channel_bots", 30, "Channel bots: breakout entries and scheduled sales."),
    entry("candle_analysis", 300, "Generates signals per context."),
    entry("credential_revalidation", 86_400, "Validates every stored exchange credential again."),
    entry("subscription_reconciliation", 3600, "Re-reads paid subscriptions from their payment provider."),
    entry("assistant_suggestions", 86_400, "Leaves MAX users a suggestion when one of their bots deserves attention."),
    entry("paper_matching", 5, "Fills resting paper orders the simulated price has reached."),
    entry("relay_events", 1, "Moves the events changes raised (outboxes, the event queue) into the users' event log."),
    entry("webhook_delivery", 1, "Creates outbound webhook deliveries from the event log and sends the due ones with retries."),
    entry("email_notifications", 2, "Queues the events users want by e-mail and mails each user one message for what is due."),
    entry("telegram_notifications", 1, "Queues the events users want on Telegram and sends them to the linked chats."),
    entry("telegram_updates", 1, "Long-polls the Telegram bot's updates and links the chats that send /start <code>."),
    entry(
        "operator_audit_expiry",
        3600,
        "Deletes backoffice audit entries older than a year, expired operator sessions and old rate-limit hits.",
    ),
];

/// The catalogue entry named `name`, if any.
pub fn find(name: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|entry| entry.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_intervals_positive() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len(), "duplicate names");
        for e in CATALOGUE {
            assert!(e.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", e.name);
            assert!(!e.default_interval.is_zero(), "{}", e.name);
        }
    }

    #[test]
    fn the_trading_intervals_are_the_catalogues() {
        let secs = |name| find(name).map(|e| e.default_interval.as_secs());
        assert_eq!(secs("sync_orders"), Some(42));
        assert_eq!(secs("smart_bot_check_situation"), Some(33));
        assert_eq!(secs("smart_bot_purchase"), Some(63));
        assert_eq!(secs("smart_bot_sales"), Some(67));
        assert_eq!(secs("candle_analysis"), Some(300));
        assert_eq!(secs("paper_matching"), Some(5));
        assert_eq!(find("nope"), None);
    }
}
