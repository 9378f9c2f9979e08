//! Translation of Mercado Pago preapprovals and payments into the port's normalised types.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    parse_external_reference, PaymentError, PaymentProvider, Plan, ProviderPayment, ProviderPaymentStatus,
    ProviderSubscription, SubscriptionStatus,
};
use serde_json::Value;

use super::wire::{id_text, timestamp, Payment, Preapproval};

/// A preapproval status, normalised; `None` for a status we do not know (refused, never guessed).
pub(super) fn preapproval_status(status: &str) -> Option<SubscriptionStatus> {
    match status {
        "pending" => Some(SubscriptionStatus::Incomplete),
        "authorized" => Some(SubscriptionStatus::Active),
        "paused" => Some(SubscriptionStatus::Paused),
        // The API enum is `cancelled`; one guide spells it `canceled`.
        "cancelled" | "canceled" => Some(SubscriptionStatus::Canceled),
        _ => None,
    }
}

/// A payment status, normalised; only `approved` counts as paid.
pub(super) fn payment_status(status: &str) -> Option<ProviderPaymentStatus> {
    match status {
        "approved" => Some(ProviderPaymentStatus::Approved),
        "pending" | "authorized" | "in_process" | "in_mediation" => Some(ProviderPaymentStatus::Pending),
        "rejected" | "cancelled" => Some(ProviderPaymentStatus::Failed),
        "refunded" | "charged_back" => Some(ProviderPaymentStatus::Refunded),
        _ => None,
    }
}

/// Our user and plan, from an `external_reference` we wrote (`botfleet:<user>:<PLAN>`).
fn reference(raw: Option<&str>) -> (Option<UserId>, Option<Plan>) {
    match raw.and_then(parse_external_reference) {
        Some((user, plan)) => (Some(user), Some(plan)),
        None => (None, None),
    }
}

/// A preapproval as a [`ProviderSubscription`].
pub(super) fn subscription(preapproval: Preapproval) -> Result<ProviderSubscription, PaymentError> {
    let id = id_text(&preapproval.id).ok_or_else(|| PaymentError::Malformed("preapproval without an id".into()))?;
    let raw_status = preapproval.status.as_deref().unwrap_or_default();
    let status = preapproval_status(raw_status)
        .ok_or_else(|| PaymentError::Malformed(format!("unknown preapproval status `{raw_status}` of {id}")))?;
    let (user_id, plan) = reference(preapproval.external_reference.as_deref());
    Ok(ProviderSubscription {
        provider: PaymentProvider::Mercadopago,
        id,
        customer_id: id_text(&preapproval.payer_id),
        user_id,
        plan,
        status,
        current_period_end: timestamp(preapproval.next_payment_date.as_deref()),
        // Mercado Pago cancels at once; there is no "at period end".
        cancel_at_period_end: false,
        observed_at: timestamp(preapproval.last_modified.as_deref()),
    })
}

/// A payment as a [`ProviderPayment`].
pub(super) fn payment(payment: Payment) -> Result<ProviderPayment, PaymentError> {
    let id = id_text(&payment.id).ok_or_else(|| PaymentError::Malformed("payment without an id".into()))?;
    let raw_status = payment.status.as_deref().unwrap_or_default();
    let status = payment_status(raw_status)
        .ok_or_else(|| PaymentError::Malformed(format!("unknown payment status `{raw_status}` of {id}")))?;
    let amount = payment
        .transaction_amount
        .ok_or_else(|| PaymentError::Malformed(format!("payment {id} without transaction_amount")))?;
    let (user_id, plan) = reference(payment.external_reference.as_deref());
    let subscription_id = text_at(&payment.metadata, &["preapproval_id"])
        .or_else(|| text_at(&payment.point_of_interaction, &["transaction_data", "subscription_id"]));
    let approved_at = timestamp(payment.date_approved.as_deref());
    let observed_at = timestamp(payment.date_last_updated.as_deref()).or(approved_at);
    let external_reference = payment.external_reference.clone();
    Ok(ProviderPayment {
        id,
        status,
        subscription_id,
        user_id,
        plan,
        amount,
        refunded: payment.transaction_amount_refunded.unwrap_or_default(),
        observed_at,
        external_reference,
        approved_at,
    })
}

/// The id-like text at `path` inside a JSON object, when present.
fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(value, |v, key| v.get(key)).and_then(id_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_is_mapped() {
        for s in ["pending", "authorized", "paused", "cancelled"] {
            assert!(preapproval_status(s).is_some(), "{s}");
        }
        for s in [
            "pending",
            "approved",
            "authorized",
            "in_process",
            "in_mediation",
            "rejected",
            "cancelled",
            "refunded",
            "charged_back",
        ] {
            assert!(payment_status(s).is_some(), "{s}");
        }
        assert_eq!(preapproval_status("finished"), None);
        assert_eq!(payment_status("unknown"), None);
    }

    #[test]
    fn nested_text() {
        let v = serde_json::json!({"transaction_data": {"subscription_id": "2c93"}});
        assert_eq!(text_at(&v, &["transaction_data", "subscription_id"]), Some("2c93".into()));
        assert_eq!(text_at(&v, &["transaction_data", "nope"]), None);
        assert_eq!(text_at(&Value::Null, &["preapproval_id"]), None);
    }
}
