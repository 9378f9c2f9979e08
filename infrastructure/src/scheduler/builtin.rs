//! The workflows that exist today, over the application's services: credential revalidation,
//! subscription reconciliation and paper order matching. (The trading workflows are registered
//! beside them as the engine lands.)

use std::sync::Arc;

use application::credentials::CredentialService;
use application::subscriptions::SubscriptionService;
use domain::exchange::ExchangeId;

use super::workflow::FnWorkflow;
use crate::exchanges::paper::PaperExchange;

/// `credential_revalidation`: validates every stored exchange credential again.
pub fn credential_revalidation(credentials: Arc<CredentialService>) -> FnWorkflow {
    FnWorkflow::new("credential_revalidation", move || {
        let credentials = credentials.clone();
        async move {
            let (checked, unreachable) = credentials.revalidate_all().await?;
            Ok(format!("checked {checked} unreachable {unreachable}"))
        }
    })
}

/// `subscription_reconciliation`: re-reads paid subscriptions from their provider.
pub fn subscription_reconciliation(subscriptions: Arc<SubscriptionService>) -> FnWorkflow {
    FnWorkflow::new("subscription_reconciliation", move || {
        let subscriptions = subscriptions.clone();
        async move {
            let report = subscriptions.reconcile().await?;
            let charges = report.charges;
            Ok(format!(
                "checked {} changed {} failed {}; charges checked {} settled {} failed {}",
                report.checked, report.changed, report.failed, charges.checked, charges.settled, charges.failed
            ))
        }
    })
}

/// `paper_matching`: fills the resting orders of every paper exchange that the simulated price
/// has reached. Quiet: it runs every few seconds.
pub fn paper_matching(exchanges: Vec<(ExchangeId, Arc<PaperExchange>)>) -> FnWorkflow {
    let exchanges = Arc::new(exchanges);
    FnWorkflow::new("paper_matching", move || {
        let exchanges = exchanges.clone();
        async move {
            let mut parts = Vec::with_capacity(exchanges.len());
            for (id, paper) in exchanges.iter() {
                let filled = paper.tick().await.map_err(|e| anyhow::anyhow!("paper {id}: {e}"))?;
                parts.push(format!("{id}: filled {filled}"));
            }
            Ok(parts.join(", "))
        }
    })
    .quiet()
}
