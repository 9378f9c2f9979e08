//! Stripe's wire objects (subscription, checkout session) and their translation to domain types.
//!
//! Parsing is tolerant of API versions: before 2025-03-31.basil a subscription carries
//! `current_period_end` at the top level, from basil on each item carries its own. Both are read.

use std::collections::HashMap;

use serde::Deserialize;
use time::OffsetDateTime;

use domain::shared::ids::UserId;
use domain::subscriptions::{
    parse_external_reference, PaymentError, PaymentProvider, Plan, ProviderSubscription, SubscriptionStatus,
};

use super::StripeConfig;

/// Metadata key holding our user id (on the session and, through `subscription_data`, the subscription).
pub(super) const META_USER_ID: &str = "user_id";
/// Metadata key holding the plan name (`PRO`, `MAX`).
pub(super) const META_PLAN: &str = "plan";
/// Metadata key holding [`domain::subscriptions::external_reference`], a fallback for both.
pub(super) const META_REFERENCE: &str = "external_reference";

/// A reference to another Stripe object: its id, or the object itself when expanded.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Expandable {
    /// `"cus_…"`.
    Id(String),
    /// `{ "id": "cus_…", … }`.
    Object {
        /// The object's id.
        id: String,
    },
}

impl Expandable {
    pub(super) fn into_id(self) -> String {
        match self {
            Expandable::Id(id) | Expandable::Object { id } => id,
        }
    }
}

/// The fields of a Stripe subscription we use.
#[derive(Debug, Deserialize)]
pub(super) struct StripeSubscription {
    id: String,
    status: String,
    #[serde(default)]
    customer: Option<Expandable>,
    #[serde(default)]
    cancel_at_period_end: bool,
    /// Top level before API 2025-03-31.basil.
    #[serde(default)]
    current_period_end: Option<i64>,
    #[serde(default)]
    items: Option<List<SubscriptionItem>>,
    #[serde(default)]
    metadata: HashMap<String, String>,
}

/// A Stripe list envelope (`{"object":"list","data":[…]}`).
#[derive(Debug, Deserialize)]
pub(super) struct List<T> {
    #[serde(default = "Vec::new")]
    pub(super) data: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct SubscriptionItem {
    #[serde(default)]
    price: Option<Expandable>,
    /// Per item from API 2025-03-31.basil.
    #[serde(default)]
    current_period_end: Option<i64>,
}

/// The fields of a created Checkout Session we use.
#[derive(Debug, Deserialize)]
pub(super) struct CreatedSession {
    pub(super) id: String,
    #[serde(default)]
    pub(super) url: Option<String>,
}

/// Maps a Stripe subscription. `observed_at` is the event's `created` when it came in a webhook.
pub(super) fn to_provider_subscription(
    raw: StripeSubscription,
    config: &StripeConfig,
    observed_at: Option<OffsetDateTime>,
) -> Result<ProviderSubscription, PaymentError> {
    let status = map_status(&raw.status)?;
    let first_item = raw.items.and_then(|items| items.data.into_iter().next());
    let period_end = raw.current_period_end.or_else(|| first_item.as_ref().and_then(|item| item.current_period_end));
    let price_plan =
        first_item.and_then(|item| item.price).map(Expandable::into_id).and_then(|price| config.plan_for_price(&price));
    Ok(ProviderSubscription {
        provider: PaymentProvider::Stripe,
        id: raw.id,
        customer_id: raw.customer.map(Expandable::into_id),
        user_id: user_from_metadata(&raw.metadata),
        // The price is what Stripe bills; metadata is only copied at checkout and goes stale after a plan switch.
        plan: price_plan.or_else(|| plan_from_metadata(&raw.metadata)),
        status,
        current_period_end: period_end.map(timestamp).transpose()?,
        cancel_at_period_end: raw.cancel_at_period_end,
        observed_at,
    })
}

/// Stripe's subscription status, normalised.
pub(super) fn map_status(status: &str) -> Result<SubscriptionStatus, PaymentError> {
    Ok(match status {
        "active" => SubscriptionStatus::Active,
        "trialing" => SubscriptionStatus::Trialing,
        "past_due" => SubscriptionStatus::PastDue,
        "unpaid" => SubscriptionStatus::Unpaid,
        "canceled" => SubscriptionStatus::Canceled,
        "incomplete" => SubscriptionStatus::Incomplete,
        // Terminal: the first invoice was never paid.
        "incomplete_expired" => SubscriptionStatus::Canceled,
        "paused" => SubscriptionStatus::Paused,
        // An unknown state grants nothing: refuse it rather than guess.
        other => return Err(PaymentError::Malformed(format!("unknown stripe subscription status `{other}`"))),
    })
}

/// Our user id from `metadata[user_id]`, else from `metadata[external_reference]`.
pub(super) fn user_from_metadata(metadata: &HashMap<String, String>) -> Option<UserId> {
    metadata
        .get(META_USER_ID)
        .and_then(|raw| UserId::parse(raw))
        .or_else(|| reference_from_metadata(metadata).map(|(user, _)| user))
}

/// The paid plan from `metadata[plan]`, else from `metadata[external_reference]`. FREE is never a paid plan.
pub(super) fn plan_from_metadata(metadata: &HashMap<String, String>) -> Option<Plan> {
    metadata
        .get(META_PLAN)
        .and_then(|raw| raw.parse::<Plan>().ok())
        .or_else(|| reference_from_metadata(metadata).map(|(_, plan)| plan))
        .filter(|plan| *plan != Plan::Free)
}

fn reference_from_metadata(metadata: &HashMap<String, String>) -> Option<(UserId, Plan)> {
    metadata.get(META_REFERENCE).and_then(|raw| parse_external_reference(raw))
}

/// A Unix timestamp in seconds.
pub(super) fn timestamp(seconds: i64) -> Result<OffsetDateTime, PaymentError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| PaymentError::Malformed(format!("timestamp {seconds} out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stripe_status_is_mapped() {
        let cases = [
            ("active", SubscriptionStatus::Active),
            ("trialing", SubscriptionStatus::Trialing),
            ("past_due", SubscriptionStatus::PastDue),
            ("unpaid", SubscriptionStatus::Unpaid),
            ("canceled", SubscriptionStatus::Canceled),
            ("incomplete", SubscriptionStatus::Incomplete),
            ("incomplete_expired", SubscriptionStatus::Canceled),
            ("paused", SubscriptionStatus::Paused),
        ];
        for (raw, expected) in cases {
            assert_eq!(map_status(raw).unwrap(), expected, "{raw}");
        }
        assert!(matches!(map_status("floating"), Err(PaymentError::Malformed(_))));
    }

    #[test]
    fn metadata_falls_back_to_the_external_reference_and_never_yields_free() {
        let user = UserId::new();
        let reference = domain::subscriptions::external_reference(user, Plan::Max);
        let metadata = HashMap::from([(META_REFERENCE.to_owned(), reference)]);
        assert_eq!(user_from_metadata(&metadata), Some(user));
        assert_eq!(plan_from_metadata(&metadata), Some(Plan::Max));

        let free = HashMap::from([(META_PLAN.to_owned(), "FREE".to_owned())]);
        assert_eq!(plan_from_metadata(&free), None);
    }
}
