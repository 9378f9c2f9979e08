//! Annual -> monthly at the period end, through a subscription schedule: changing a subscription
//! item's price to one of another interval resets the billing cycle and invoices at once, so a
//! change that must wait for the end of the paid year is a schedule instead.
//! `POST /v1/subscription_schedules` with `from_subscription` (nothing else is allowed with it)
//! creates one whose first phase is the current period; `POST /v1/subscription_schedules/{id}`
//! then keeps that phase (`phases[0]` with its own `start_date`, `end_date` and price) and adds
//! `phases[1]` at the new price for one iteration, `end_behavior=release` (the subscription then
//! continues on its own at that price). `POST /v1/subscription_schedules/{id}/release` undoes it:
//! the subscription keeps its current price. `iterations` is the pinned basil API's way to size the
//! last phase (clover replaced it with `duration`).

use reqwest::Method;
use serde::Deserialize;

use domain::subscriptions::PaymentError;

use super::client::Call;
use super::StripeGateway;

/// A subscription schedule, the fields we read.
#[derive(Debug, Deserialize)]
struct Schedule {
    id: String,
    #[serde(default)]
    phases: Vec<Phase>,
}

#[derive(Debug, Deserialize)]
struct Phase {
    #[serde(default)]
    start_date: Option<i64>,
    #[serde(default)]
    end_date: Option<i64>,
}

/// `/v1/subscription_schedules/{id}` for ids made only of Stripe's id characters.
fn schedule_path(id: &str) -> Result<String, PaymentError> {
    let valid = !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(format!("/v1/subscription_schedules/{id}"))
    } else {
        Err(PaymentError::Malformed("a subscription schedule id with unexpected characters".to_owned()))
    }
}

impl StripeGateway {
    async fn post_schedule(&self, path: &str, form: &[(&str, String)]) -> Result<Schedule, PaymentError> {
        // A fresh key per operation, kept across its retries (scheduling again after an undo sends
        // the same form and must reach Stripe again).
        let key = format!("botfleet-{}", ulid::Ulid::new());
        let call = Call { method: Method::POST, path, form, idempotency_key: Some(&key) };
        self.client.send(&call).await
    }

    /// Bills `next_price` from the end of the current period of `subscription_id` (billed at
    /// `current_price` until then).
    pub(super) async fn schedule_price(
        &self,
        subscription_id: &str,
        current_price: &str,
        next_price: &str,
    ) -> Result<(), PaymentError> {
        let created = self
            .post_schedule("/v1/subscription_schedules", &[("from_subscription", subscription_id.to_owned())])
            .await?;
        let phase = created.phases.first().ok_or_else(|| {
            PaymentError::Malformed(format!("subscription schedule {} has no current phase", created.id))
        })?;
        let (Some(start), Some(end)) = (phase.start_date, phase.end_date) else {
            return Err(PaymentError::Malformed(format!("subscription schedule {} has no phase dates", created.id)));
        };
        let form: Vec<(&str, String)> = vec![
            ("phases[0][items][0][price]", current_price.to_owned()),
            ("phases[0][items][0][quantity]", "1".to_owned()),
            ("phases[0][start_date]", start.to_string()),
            ("phases[0][end_date]", end.to_string()),
            ("phases[1][items][0][price]", next_price.to_owned()),
            ("phases[1][items][0][quantity]", "1".to_owned()),
            ("phases[1][iterations]", "1".to_owned()),
            ("phases[1][proration_behavior]", "none".to_owned()),
            ("end_behavior", "release".to_owned()),
        ];
        self.post_schedule(&schedule_path(&created.id)?, &form).await?;
        Ok(())
    }

    /// Releases the schedule: the subscription keeps its current price and continues on its own.
    pub(super) async fn release_schedule(&self, schedule_id: &str) -> Result<(), PaymentError> {
        let path = format!("{}/release", schedule_path(schedule_id)?);
        self.post_schedule(&path, &[]).await?;
        Ok(())
    }
}
