//! Parsing a verified Stripe event (`{id, type, created, data: {object}}`) into a [`WebhookEvent`].
//!
//! Only called after the signature matched. `data.object` is rendered in the webhook endpoint's
//! API version, which may differ from the version our requests pin, so both invoice shapes are read:
//! `invoice.subscription` (before 2025-03-31.basil) and `invoice.parent.subscription_details.subscription`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use domain::shared::ids::UserId;
use domain::subscriptions::{PaidInvoice, PaymentError, PaymentProvider, WebhookEvent, WebhookSubject};
use rust_decimal::Decimal;

use super::mapping::{self, Expandable, List, StripeSubscription};
use super::StripeConfig;

/// The event envelope.
#[derive(Debug, Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    created: Option<i64>,
    data: RawData,
}

#[derive(Debug, Deserialize)]
struct RawData {
    object: Value,
}

/// The fields of a Checkout Session we use.
#[derive(Debug, Deserialize)]
struct CompletedSession {
    #[serde(default)]
    subscription: Option<Expandable>,
    #[serde(default)]
    customer: Option<Expandable>,
    #[serde(default)]
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    #[serde(default)]
    invoice: Option<Expandable>,
    #[serde(default)]
    currency: Option<String>,
}

/// The fields of an invoice we use.
#[derive(Debug, Deserialize)]
struct Invoice {
    /// Before API 2025-03-31.basil.
    #[serde(default)]
    subscription: Option<Expandable>,
    /// From API 2025-03-31.basil.
    #[serde(default)]
    parent: Option<InvoiceParent>,
    #[serde(default)]
    lines: Option<List<InvoiceLine>>,
    #[serde(default)]
    id: Option<String>,
    /// Minor units of `currency`.
    #[serde(default)]
    amount_paid: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    hosted_invoice_url: Option<String>,
    /// `subscription_update` for the invoice of a plan change's proration.
    #[serde(default)]
    billing_reason: Option<String>,
    /// Minor units, negative for a credit.
    #[serde(default)]
    total: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct InvoiceParent {
    #[serde(default)]
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Debug, Deserialize)]
struct SubscriptionDetails {
    #[serde(default)]
    subscription: Option<Expandable>,
}

#[derive(Debug, Deserialize)]
struct InvoiceLine {
    #[serde(default)]
    period: Option<Period>,
    #[serde(flatten)]
    proration: ProrationFlag,
}

impl InvoiceLine {
    fn is_proration(&self) -> bool {
        self.proration.is_set()
    }
}

/// An invoice line's proration flag in both of Stripe's layouts: `proration` before the basil
/// API version, `parent.subscription_item_details.proration` from basil on. Invoices (events) and
/// invoice previews (plan changes) carry the same lines.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProrationFlag {
    #[serde(default)]
    proration: Option<bool>,
    #[serde(default)]
    parent: Option<LineParent>,
}

#[derive(Debug, Default, Deserialize)]
struct LineParent {
    #[serde(default)]
    subscription_item_details: Option<ItemDetails>,
}

#[derive(Debug, Default, Deserialize)]
struct ItemDetails {
    #[serde(default)]
    proration: bool,
}

impl ProrationFlag {
    /// Whether the line is a proration.
    pub(super) fn is_set(&self) -> bool {
        self.proration.unwrap_or(false)
            || self.parent.as_ref().and_then(|p| p.subscription_item_details.as_ref()).is_some_and(|d| d.proration)
    }
}

#[derive(Debug, Deserialize)]
struct Period {
    #[serde(default)]
    start: Option<i64>,
    #[serde(default)]
    end: Option<i64>,
}

/// Stripe's zero-decimal currencies (amounts are whole units); every other one has 2 decimals
/// (the three-decimal ones are not offered by botfleet).
const ZERO_DECIMAL: [&str; 16] =
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

/// `minor` units of `currency` as a decimal amount.
pub(super) fn money(minor: i64, currency: &str) -> Decimal {
    let scale = if ZERO_DECIMAL.contains(&currency.to_ascii_lowercase().as_str()) { 0 } else { 2 };
    Decimal::new(minor, scale)
}

impl Invoice {
    /// Whether it is a plan change's proration invoice: `billing_reason: subscription_update`
    /// with proration lines.
    fn is_proration(&self) -> bool {
        self.billing_reason.as_deref() == Some("subscription_update")
            && self.lines.as_ref().is_some_and(|l| l.data.iter().any(InvoiceLine::is_proration))
    }

    /// What was paid, for the invoice list: needs the id, `amount_paid` (a proration invoice: its
    /// `total`, negative for a credit) and `currency`.
    fn paid(&self) -> Result<Option<PaidInvoice>, PaymentError> {
        let amount = if self.is_proration() { self.total.or(self.amount_paid) } else { self.amount_paid };
        let (Some(id), Some(minor), Some(currency)) = (&self.id, amount, &self.currency) else {
            return Ok(None);
        };
        let period = self.lines.as_ref().and_then(|l| l.data.first()).and_then(|line| line.period.as_ref());
        let at = |t: Option<i64>| t.map(mapping::timestamp).transpose();
        Ok(Some(PaidInvoice {
            id: id.clone(),
            amount: money(minor, currency),
            currency: currency.to_ascii_uppercase(),
            url: self.hosted_invoice_url.clone(),
            period_start: at(period.and_then(|p| p.start))?,
            period_end: at(period.and_then(|p| p.end))?,
        }))
    }

    fn subscription_id(self) -> Option<String> {
        self.subscription
            .or_else(|| self.parent.and_then(|parent| parent.subscription_details).and_then(|d| d.subscription))
            .map(Expandable::into_id)
    }
}

/// Parses the verified body.
pub(super) fn parse_event(body: &[u8], config: &StripeConfig) -> Result<WebhookEvent, PaymentError> {
    let raw: RawEvent = serde_json::from_slice(body).map_err(|e| malformed("event", &e))?;
    let created_at = raw.created.map(mapping::timestamp).transpose()?;
    let object = raw.data.object;
    let subject = match raw.kind.as_str() {
        "checkout.session.completed" => {
            let session: CompletedSession = from_object(object, "checkout session")?;
            WebhookSubject::CheckoutCompleted {
                subscription_id: session.subscription.map(Expandable::into_id),
                customer_id: session.customer.map(Expandable::into_id),
                user_id: session
                    .client_reference_id
                    .as_deref()
                    .and_then(UserId::parse)
                    .or_else(|| mapping::user_from_metadata(&session.metadata)),
                plan: mapping::plan_from_metadata(&session.metadata),
                invoice_id: session.invoice.map(Expandable::into_id),
                currency: session.currency.map(|c| c.to_uppercase()),
            }
        }
        "customer.subscription.updated" => {
            WebhookSubject::SubscriptionUpdated(subscription(object, config, created_at)?)
        }
        "customer.subscription.deleted" => {
            WebhookSubject::SubscriptionDeleted(subscription(object, config, created_at)?)
        }
        "invoice.paid" | "invoice.payment_succeeded" => {
            let invoice: Invoice = from_object(object, "invoice")?;
            let period_end = invoice
                .lines
                .as_ref()
                .and_then(|lines| lines.data.first())
                .and_then(|line| line.period.as_ref())
                .and_then(|period| period.end)
                .map(mapping::timestamp)
                .transpose()?;
            let paid = invoice.paid()?;
            let proration = invoice.is_proration();
            match invoice.subscription_id() {
                Some(subscription_id) => {
                    WebhookSubject::InvoicePaid { subscription_id, period_end, invoice: paid, proration }
                }
                // A one-off invoice: nothing to do with a plan.
                None => WebhookSubject::Ignored,
            }
        }
        "charge.refunded" => super::refund_events::refunded(object)?,
        "charge.dispute.created" => super::refund_events::disputed(object)?,
        "invoice.payment_failed" => match from_object::<Invoice>(object, "invoice")?.subscription_id() {
            Some(subscription_id) => WebhookSubject::InvoicePaymentFailed { subscription_id },
            None => WebhookSubject::Ignored,
        },
        _ => WebhookSubject::Ignored,
    };
    Ok(WebhookEvent { provider: PaymentProvider::Stripe, event_id: raw.id, event_type: raw.kind, created_at, subject })
}

fn subscription(
    object: Value,
    config: &StripeConfig,
    created_at: Option<time::OffsetDateTime>,
) -> Result<domain::subscriptions::ProviderSubscription, PaymentError> {
    let raw: StripeSubscription = from_object(object, "subscription")?;
    mapping::to_provider_subscription(raw, config, created_at)
}

fn from_object<T: for<'de> Deserialize<'de>>(object: Value, what: &str) -> Result<T, PaymentError> {
    serde_json::from_value(object).map_err(|e| malformed(what, &e))
}

fn malformed(what: &str, error: &serde_json::Error) -> PaymentError {
    PaymentError::Malformed(format!("stripe {what}: {error}"))
}

#[cfg(test)]
mod proration_tests {
    use super::ProrationFlag;

    fn flag(line: &str) -> bool {
        serde_json::from_str::<ProrationFlag>(line).unwrap().is_set()
    }

    #[test]
    fn the_flag_is_read_in_both_layouts_and_absent_means_no() {
        // Shapes from Stripe's invoice line item object, before and from the basil version.
        assert!(flag(r#"{"amount": 1000, "proration": true}"#));
        assert!(flag(
            r#"{"parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": true, "subscription": "sub_1"}}}"#
        ));
        assert!(!flag(r#"{"parent": {"subscription_item_details": {"proration": false}}, "proration": null}"#));
        assert!(!flag(r#"{"parent": null}"#));
        assert!(!flag("{}"));
    }
}
