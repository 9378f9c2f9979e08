//! Refunds of a paid invoice: Stripe refunds payments, not invoices, so the invoice's payment is
//! read first (`GET /v1/invoice_payments?invoice=in_…`, API basil: `payment.payment_intent` or
//! `payment.charge` of the `paid` entry), then `POST /v1/refunds` with `payment_intent` (or
//! `charge`) and `metadata[invoice]`, under the caller's `Idempotency-Key`. Without `amount` the
//! refund is of everything still refundable: a full refund.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use domain::subscriptions::{PaymentError, ProviderRefund, RefundRequest};

use super::client::Call;
use super::events::money;

/// `GET /v1/invoice_payments` answer; only the fields we read.
#[derive(Debug, Deserialize)]
struct InvoicePayments {
    #[serde(default)]
    data: Vec<InvoicePayment>,
}

#[derive(Debug, Deserialize)]
struct InvoicePayment {
    invoice: Option<String>,
    status: Option<String>,
    payment: Option<PaymentRef>,
}

#[derive(Debug, Deserialize)]
struct PaymentRef {
    payment_intent: Option<String>,
    charge: Option<String>,
}

/// A refund as `POST /v1/refunds` answers it.
#[derive(Debug, Deserialize)]
struct Refund {
    id: String,
    amount: Option<i64>,
    currency: Option<String>,
    status: Option<String>,
}

/// `amount` in Stripe's minor units of `currency` (cents; whole units for zero-decimal ones).
fn minor_units(amount: Decimal, currency: &str) -> Result<i64, PaymentError> {
    let unit = money(1, currency);
    let minor = amount / unit;
    if minor.fract() != Decimal::ZERO {
        return Err(PaymentError::Rejected {
            code: "amount_invalid".into(),
            message: format!("{amount} is not a whole number of {currency}'s minor units"),
        });
    }
    i64::try_from(minor)
        .map_err(|_| PaymentError::Rejected { code: "amount_invalid".into(), message: "too large".into() })
}

fn stripe_id(id: &str, prefix: &str) -> Result<String, PaymentError> {
    let valid = id.starts_with(prefix) && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(id.to_owned())
    } else {
        Err(PaymentError::NotFound)
    }
}

impl super::StripeGateway {
    /// The invoice paid by `payment_intent`:
    /// `GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_…`.
    pub(super) async fn invoice_paid_by(&self, payment_intent: &str) -> Result<Option<String>, PaymentError> {
        let intent = stripe_id(payment_intent, "pi_")?;
        let path = format!("/v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]={intent}");
        let read = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
        let payments: InvoicePayments = self.client.send(&read).await?;
        Ok(payments.data.into_iter().find_map(|p| p.invoice))
    }

    /// Refunds the paid invoice `request.payment_id` (`in_…`) in full.
    pub(super) async fn refund_invoice(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        let invoice = stripe_id(&request.payment_id, "in_")?;
        let path = format!("/v1/invoice_payments?invoice={invoice}");
        let read = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
        let payments: InvoicePayments = self.client.send(&read).await?;
        let paid = payments
            .data
            .into_iter()
            .filter(|p| p.status.as_deref() == Some("paid"))
            .find_map(|p| p.payment)
            .ok_or_else(|| PaymentError::Rejected {
                code: "invoice_not_paid".into(),
                message: format!("invoice {invoice} has no paid payment to refund"),
            })?;
        let target = match (paid.payment_intent, paid.charge) {
            (Some(intent), _) => ("payment_intent", intent),
            (None, Some(charge)) => ("charge", charge),
            (None, None) => return Err(PaymentError::Malformed(format!("invoice {invoice}'s payment names nothing"))),
        };
        let mut form = vec![(target.0, target.1), ("metadata[invoice]", invoice)];
        if let Some(amount) = request.amount {
            form.push(("amount", minor_units(amount, &request.currency)?.to_string()));
        }
        let call = Call {
            method: Method::POST,
            path: "/v1/refunds",
            form: &form,
            idempotency_key: Some(request.idempotency_key.as_str()),
        };
        let refund: Refund = self.client.send(&call).await?;
        let amount = refund.amount.zip(refund.currency.as_deref()).map(|(minor, currency)| money(minor, currency));
        Ok(ProviderRefund { id: refund.id, amount, status: refund.status.unwrap_or_else(|| "pending".into()) })
    }
}
