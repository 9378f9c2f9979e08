//! Stripe promotion codes at checkout: a code the user typed is looked up with
//! `GET /v1/promotion_codes?code=…&active=true&limit=1` and applied to the Checkout Session as
//! `discounts[0][promotion_code]`; without one, the session has `allow_promotion_codes=true` so
//! the payer may enter a code on Stripe's page (Stripe refuses both at once). Stripe enforces the
//! code's own limits (redemptions, expiry, first-time customers).

use reqwest::Method;
use serde::Deserialize;

use domain::subscriptions::{CheckoutRequest, PaymentError};

use super::client::Call;
use super::StripeGateway;

#[derive(Deserialize)]
struct PromotionCodeList {
    #[serde(default)]
    data: Vec<PromotionCode>,
}

#[derive(Deserialize)]
struct PromotionCode {
    id: String,
    #[serde(default)]
    active: Option<bool>,
}

/// The discount fields of a Checkout Session's form for `request`.
pub(super) fn discount_fields(request: &CheckoutRequest) -> Vec<(&'static str, String)> {
    match &request.promotion_code {
        Some(id) => vec![("discounts[0][promotion_code]", id.clone())],
        None => vec![("allow_promotion_codes", "true".to_owned())],
    }
}

/// The trial field of a Checkout Session's form: `subscription_data[trial_period_days]`.
pub(super) fn trial_fields(request: &CheckoutRequest) -> Vec<(&'static str, String)> {
    request.trial_days.map(|days| ("subscription_data[trial_period_days]", days.to_string())).into_iter().collect()
}

/// Whether `code` could be a promotion code at all (letters, digits, `-` and `_`, at most 64):
/// anything else is unknown without a call.
fn plausible(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl StripeGateway {
    /// The id of the active promotion code `code`, if Stripe has one.
    pub(super) async fn lookup_promotion_code(&self, code: &str) -> Result<Option<String>, PaymentError> {
        if !plausible(code) {
            return Ok(None);
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("code", code), ("active", "true"), ("limit", "1")])
            .finish();
        let path = format!("/v1/promotion_codes?{query}");
        let call = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
        let list: PromotionCodeList = self.client.send(&call).await?;
        Ok(list.data.into_iter().find(|p| p.active != Some(false)).map(|p| p.id))
    }
}
