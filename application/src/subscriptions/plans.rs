//! `GET /api/plans`: every plan with its price and entitlements, from the one table.

use domain::subscriptions::{Entitlements, Plan};
use rust_decimal::Decimal;

use super::SubscriptionService;

/// A plan as offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOffer {
    /// The plan.
    pub plan: Plan,
    /// Monthly price in BRL.
    pub monthly_price_brl: Decimal,
    /// What it allows.
    pub entitlements: Entitlements,
}

impl SubscriptionService {
    /// Every plan, cheapest first.
    pub fn plans(&self) -> Vec<PlanOffer> {
        Plan::ALL
            .into_iter()
            .map(|plan| PlanOffer {
                plan,
                monthly_price_brl: self.ports.table.monthly_price_brl(plan),
                entitlements: self.ports.table.for_plan(plan),
            })
            .collect()
    }
}
