//! Plan changes of a Mercado Pago card subscription (preapproval): the amount of the next
//! charges is updated with `PUT /preapproval/{id}` (`auto_recurring.transaction_amount`, with
//! `currency_id` repeated as the API requires) and the external reference names the new plan, so
//! the payments that follow are read as that plan. Mercado Pago does not prorate: a change at once
//! is refused (`Rejected`, `proration_not_supported`). Only the amount and currency of a
//! preapproval can change after its creation, not its `frequency`: a change of billing period is
//! refused (`Rejected`, `period_change_not_supported`).

use reqwest::Method;
use serde::Serialize;
use serde_json::value::RawValue;

use domain::subscriptions::{
    external_reference, BillingPeriod, PaymentError, PlanChangeRequest, PlanChangeTiming, ProviderSubscription,
};

use super::wire::{self, Preapproval};
use super::{checked_id, mapping, MercadoPagoGateway};

/// `PUT /preapproval/{id}` body changing the amount of the next charges.
#[derive(Debug, Serialize)]
struct AmountChange {
    auto_recurring: NewAmount,
    external_reference: String,
}

#[derive(Debug, Serialize)]
struct NewAmount {
    transaction_amount: Box<RawValue>,
    currency_id: &'static str,
}

fn period(preapproval: &Preapproval) -> BillingPeriod {
    if preapproval.auto_recurring["frequency"].as_u64() == Some(12) {
        BillingPeriod::Annual
    } else {
        BillingPeriod::Monthly
    }
}

/// Mercado Pago has no proration: only a change from the next charge on is possible.
pub(super) fn not_prorated() -> PaymentError {
    PaymentError::Rejected {
        code: "proration_not_supported".to_owned(),
        message: "Mercado Pago preapprovals are not prorated; only the next charge's amount can change".to_owned(),
    }
}

impl MercadoPagoGateway {
    /// Monthly or annual, from the preapproval's `frequency` (12 months: annual).
    pub(super) async fn period_of(&self, subscription_id: &str) -> Result<BillingPeriod, PaymentError> {
        let current: Preapproval = self.api.get(&format!("/preapproval/{}", checked_id(subscription_id)?)).await?;
        Ok(period(&current))
    }

    /// Sets the amount of the next charges to the new plan's price.
    pub(super) async fn change_amount(
        &self,
        request: &PlanChangeRequest,
    ) -> Result<ProviderSubscription, PaymentError> {
        if request.timing != PlanChangeTiming::NextPeriod {
            return Err(not_prorated());
        }
        let path = format!("/preapproval/{}", checked_id(&request.subscription_id)?);
        // A yearly preapproval (`frequency: 12`) keeps its period: the new plan's annual price.
        let current: Preapproval = self.api.get(&path).await?;
        let yearly = period(&current) == BillingPeriod::Annual;
        if request.period.is_some_and(|p| p != period(&current)) {
            return Err(PaymentError::Rejected {
                code: "period_change_not_supported".to_owned(),
                message: "a Mercado Pago preapproval's frequency cannot change after its creation".to_owned(),
            });
        }
        let price = if yearly { self.config.annual_price(request.plan) } else { self.config.price(request.plan) };
        let amount = price.ok_or_else(|| PaymentError::Rejected {
            code: "plan_not_billable".into(),
            message: format!("the {} plan is free and is not billed", request.plan),
        })?;
        let body = AmountChange {
            auto_recurring: NewAmount { transaction_amount: wire::json_amount(amount)?, currency_id: "BRL" },
            external_reference: external_reference(request.user_id, request.plan),
        };
        // One key per change, repeated by its retries: undoing and scheduling again send the same body.
        let key = format!("botfleet-plan-{}", ulid::Ulid::new());
        let updated: Preapproval = self.api.send(Method::PUT, &path, &body, &key).await?;
        mapping::subscription(updated)
    }
}
