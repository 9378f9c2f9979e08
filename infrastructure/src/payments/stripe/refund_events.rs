//! `charge.refunded` and `charge.dispute.created`: a card payment refunded (in full or in part:
//! `amount_refunded` is the total so far) or disputed. In API basil a charge no longer names its
//! invoice, so the payment intent is kept to find it (`invoice_of_payment`); older payloads'
//! `invoice` is read where present. A dispute names its charge and payment intent, not the
//! customer, and is taken as a chargeback of its `amount`.

use serde::Deserialize;
use serde_json::Value;

use domain::subscriptions::{CardRefund, PaymentError, WebhookSubject};

use super::events::money;
use super::mapping::Expandable;

/// The fields of a charge we use.
#[derive(Debug, Deserialize)]
struct Charge {
    id: String,
    amount: i64,
    #[serde(default)]
    amount_refunded: i64,
    currency: String,
    #[serde(default)]
    customer: Option<Expandable>,
    #[serde(default)]
    payment_intent: Option<Expandable>,
    /// Before API 2025-03-31.basil.
    #[serde(default)]
    invoice: Option<Expandable>,
}

/// The fields of a dispute we use.
#[derive(Debug, Deserialize)]
struct Dispute {
    amount: i64,
    currency: String,
    #[serde(default)]
    charge: Option<Expandable>,
    #[serde(default)]
    payment_intent: Option<Expandable>,
}

fn malformed(what: &str, err: &serde_json::Error) -> PaymentError {
    PaymentError::Malformed(format!("{what}: {err}"))
}

/// `charge.refunded`.
pub(super) fn refunded(object: Value) -> Result<WebhookSubject, PaymentError> {
    let charge: Charge = serde_json::from_value(object).map_err(|e| malformed("charge", &e))?;
    Ok(WebhookSubject::CardRefunded(CardRefund {
        payment_intent: charge.payment_intent.map(Expandable::into_id),
        charge_id: Some(charge.id),
        invoice_id: charge.invoice.map(Expandable::into_id),
        customer_id: charge.customer.map(Expandable::into_id),
        refunded: money(charge.amount_refunded, &charge.currency),
        amount: money(charge.amount, &charge.currency),
        currency: charge.currency.to_ascii_uppercase(),
        dispute: false,
    }))
}

/// `charge.dispute.created`.
pub(super) fn disputed(object: Value) -> Result<WebhookSubject, PaymentError> {
    let dispute: Dispute = serde_json::from_value(object).map_err(|e| malformed("dispute", &e))?;
    let amount = money(dispute.amount, &dispute.currency);
    Ok(WebhookSubject::CardRefunded(CardRefund {
        payment_intent: dispute.payment_intent.map(Expandable::into_id),
        charge_id: dispute.charge.map(Expandable::into_id),
        invoice_id: None,
        customer_id: None,
        refunded: amount,
        amount,
        currency: dispute.currency.to_ascii_uppercase(),
        dispute: true,
    }))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_partial_refund_and_a_dispute_are_read() {
        let charge = json!({"id": "ch_1", "object": "charge", "amount": 1990, "amount_refunded": 500,
            "currency": "brl", "customer": "cus_1", "payment_intent": "pi_1", "refunded": false});
        let WebhookSubject::CardRefunded(r) = refunded(charge).unwrap() else { panic!("a refund") };
        assert_eq!((r.refunded, r.amount, r.is_full()), (Decimal::new(500, 2), Decimal::new(1990, 2), false));
        assert_eq!((r.customer_id.as_deref(), r.payment_intent.as_deref()), (Some("cus_1"), Some("pi_1")));
        let dispute = json!({"id": "dp_1", "object": "dispute", "amount": 1990, "currency": "brl",
            "charge": {"id": "ch_1"}, "payment_intent": "pi_1", "status": "needs_response"});
        let WebhookSubject::CardRefunded(d) = disputed(dispute).unwrap() else { panic!("a dispute") };
        assert!(d.dispute && d.is_full());
        assert_eq!(d.charge_id.as_deref(), Some("ch_1"));
        assert!(refunded(json!({"id": "ch_2"})).is_err());
    }
}
