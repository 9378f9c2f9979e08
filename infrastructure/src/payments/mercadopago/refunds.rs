//! Refunds through the Payments API: `POST /v1/payments/{id}/refunds` with an empty JSON object
//! (a full refund) or `{"amount": 5.5}` (a part, exact decimal text) and `X-Idempotency-Key`. The answer is the
//! refund (`id`, `payment_id`, `amount`, `status`); the payment itself becomes `refunded`, which
//! its `payment` notification reports.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use domain::subscriptions::{PaymentError, ProviderRefund, RefundRequest};

use super::wire::{self, id_text};

/// `POST /v1/payments/{id}/refunds` body: no `amount` for a full refund.
#[derive(Debug, Serialize)]
struct NewRefund {
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Box<serde_json::value::RawValue>>,
}

/// A refund as Mercado Pago answers it; only the fields we read.
#[derive(Debug, Deserialize)]
struct Refund {
    id: Value,
    #[serde(default, deserialize_with = "wire::exact_decimal")]
    amount: Option<Decimal>,
    status: Option<String>,
}

impl super::MercadoPagoGateway {
    /// Refunds the payment in full under the caller's idempotency key.
    pub(super) async fn refund_payment(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        let path = format!("/v1/payments/{}/refunds", super::checked_id(&request.payment_id)?);
        let amount = request.amount.map(wire::json_amount).transpose()?;
        let refund: Refund =
            self.api.send(Method::POST, &path, &NewRefund { amount }, &request.idempotency_key).await?;
        let id = id_text(&refund.id).ok_or_else(|| PaymentError::Malformed("refund without an id".into()))?;
        Ok(ProviderRefund { id, amount: refund.amount, status: refund.status.unwrap_or_else(|| "approved".into()) })
    }
}
