//! `GET /api/plans`: every plan with its price and entitlements, from the one table.

use domain::subscriptions::{Entitlements, PaymentMethod, PaymentProvider, Plan};
use rust_decimal::Decimal;

use super::SubscriptionService;

/// A plan as offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOffer {
    /// The plan.
    pub plan: Plan,
    /// Monthly price in BRL.
    pub monthly_price_brl: Decimal,
    /// A year paid at once (PIX or boleto), in BRL.
    pub annual_price_brl: Decimal,
    /// The annual price a month, rounded to the centavo (half away from zero).
    pub annual_monthly_equivalent_brl: Decimal,
    /// Twelve monthly prices less the annual one.
    pub annual_saving_brl: Decimal,
    /// What it allows.
    pub entitlements: Entitlements,
    /// Days of free trial, on the trial's plan when trials are offered.
    pub trial_days: Option<u32>,
    /// Where a year can be bought on this server (paid plans, configured providers only):
    /// Mercado Pago's PIX, boleto and yearly card preapproval at `annual_price_brl`, Stripe's card
    /// at its annual price when configured.
    pub annual_offered_by: Vec<(PaymentProvider, PaymentMethod)>,
}

impl SubscriptionService {
    /// Every plan, cheapest first.
    pub fn plans(&self) -> Vec<PlanOffer> {
        Plan::ALL
            .into_iter()
            .map(|plan| {
                let (monthly, annual) =
                    (self.ports.table.monthly_price_brl(plan), self.ports.table.annual_price_brl(plan));
                PlanOffer {
                    plan,
                    monthly_price_brl: monthly,
                    annual_price_brl: annual,
                    annual_monthly_equivalent_brl: (annual / Decimal::from(12))
                        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
                    annual_saving_brl: monthly * Decimal::from(12) - annual,
                    entitlements: self.ports.table.for_plan(plan),
                    trial_days: self.trial_days().filter(|_| plan == domain::subscriptions::TRIAL_PLAN),
                    annual_offered_by: if plan == Plan::Free { Vec::new() } else { self.annual_offered_by() },
                }
            })
            .collect()
    }

    /// The providers and methods that sell a year here.
    fn annual_offered_by(&self) -> Vec<(PaymentProvider, PaymentMethod)> {
        let mut offered = Vec::new();
        if self.ports.gateways.mercadopago.is_some() {
            for method in [PaymentMethod::Pix, PaymentMethod::Boleto, PaymentMethod::Card] {
                offered.push((PaymentProvider::Mercadopago, method));
            }
        }
        if self.ports.gateways.stripe.as_ref().is_some_and(|g| g.offers_annual_card()) {
            offered.push((PaymentProvider::Stripe, PaymentMethod::Card));
        }
        offered
    }
}
