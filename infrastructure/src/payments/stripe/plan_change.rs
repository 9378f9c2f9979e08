//! Plan changes at Stripe: the subscription item's price is replaced (`POST /v1/subscriptions/{id}`
//! with `items[0][id]`, `items[0][price]`), at once with `proration_behavior=always_invoice` and a
//! `proration_date` (the difference is invoiced and charged now), or from the next period with
//! `proration_behavior=none` (the period paid keeps its plan; the next invoice bills the new
//! price). The proration is previewed with `POST /v1/invoices/create_preview` (API basil and
//! later; the older `GET /v1/invoices/upcoming` was removed by basil).

use reqwest::Method;
use serde::Deserialize;

use domain::subscriptions::{
    BillingPeriod, PaymentError, Plan, PlanChangeRequest, PlanChangeTiming, ProrationPreview, ProviderSubscription,
};

use super::client::Call;
use super::events::{money, ProrationFlag};
use super::mapping::{self, Expandable, List, StripeSubscription};
use super::{subscription_path, StripeGateway};

/// What a plan change needs from the subscription: its customer and the item to replace.
#[derive(Debug, Deserialize)]
struct SubscriptionHead {
    #[serde(default)]
    customer: Option<Expandable>,
    #[serde(default)]
    items: Option<List<ItemHead>>,
    /// The subscription schedule managing it (a scheduled annual -> monthly change), if any.
    #[serde(default)]
    schedule: Option<Expandable>,
}

#[derive(Debug, Deserialize)]
struct ItemHead {
    id: String,
    #[serde(default)]
    price: Option<PriceHead>,
}

#[derive(Debug, Deserialize)]
struct PriceHead {
    id: String,
}

/// A subscription's customer, first item and that item's price.
struct Head {
    customer: String,
    item: String,
    price: Option<String>,
    schedule: Option<String>,
}

/// The preview invoice (`upcoming_in_…`), the fields we read.
#[derive(Debug, Deserialize)]
struct PreviewInvoice {
    amount_due: i64,
    currency: String,
    #[serde(default)]
    lines: Option<List<PreviewLine>>,
}

#[derive(Debug, Deserialize)]
struct PreviewLine {
    amount: i64,
    #[serde(flatten)]
    proration: ProrationFlag,
}

impl StripeGateway {
    /// The subscription's customer, first item id and price. Errors: `NotFound`, `Malformed` (no item).
    async fn head(&self, subscription_id: &str) -> Result<Head, PaymentError> {
        let path = subscription_path(subscription_id)?;
        let call = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
        let head: SubscriptionHead = self.client.send(&call).await?;
        let item = head.items.and_then(|items| items.data.into_iter().next());
        let item =
            item.ok_or_else(|| PaymentError::Malformed(format!("subscription {subscription_id} has no item")))?;
        let customer = head
            .customer
            .map(Expandable::into_id)
            .ok_or_else(|| PaymentError::Malformed(format!("subscription {subscription_id} has no customer")))?;
        let schedule = head.schedule.map(Expandable::into_id);
        Ok(Head { customer, item: item.id, price: item.price.map(|p| p.id), schedule })
    }

    /// Whether `price` is one of the configured annual prices.
    fn is_annual(&self, price: Option<&str>) -> bool {
        price.is_some_and(|c| [Plan::Pro, Plan::Max].iter().any(|p| self.config.annual_price_for(*p) == Some(c)))
    }

    /// How often the subscription bills, from its item's price.
    pub(super) async fn period_of(&self, subscription_id: &str) -> Result<BillingPeriod, PaymentError> {
        let head = self.head(subscription_id).await?;
        Ok(if self.is_annual(head.price.as_deref()) { BillingPeriod::Annual } else { BillingPeriod::Monthly })
    }

    /// The new plan's price for the period asked for, else for the period the subscription is
    /// billed: yearly when its current price is one of the annual ones, else monthly.
    fn price(&self, request: &PlanChangeRequest, current: Option<&str>) -> Result<String, PaymentError> {
        let annual = match request.period {
            Some(period) => period == BillingPeriod::Annual,
            None => self.is_annual(current),
        };
        if annual && !self.config.offers_annual() {
            return Err(PaymentError::Rejected {
                code: "period_not_offered".to_owned(),
                message: "no annual Stripe prices are configured".to_owned(),
            });
        }
        let price =
            if annual { self.config.annual_price_for(request.plan) } else { self.config.price_for(request.plan) };
        price.map(str::to_owned).ok_or_else(|| PaymentError::Rejected {
            code: "plan_not_purchasable".to_owned(),
            message: format!("the {} plan is free and is not sold through Stripe", request.plan),
        })
    }

    /// `POST /v1/invoices/create_preview` for the price change at `proration_date`.
    pub(super) async fn preview_change(&self, request: &PlanChangeRequest) -> Result<ProrationPreview, PaymentError> {
        let PlanChangeTiming::Now { proration_date } = request.timing else {
            return Err(PaymentError::Rejected {
                code: "nothing_to_prorate".to_owned(),
                message: "a change from the next period on is not prorated".to_owned(),
            });
        };
        let head = self.head(&request.subscription_id).await?;
        let price = self.price(request, head.price.as_deref())?;
        let form: Vec<(&str, String)> = vec![
            ("customer", head.customer),
            ("subscription", request.subscription_id.clone()),
            ("subscription_details[items][0][id]", head.item),
            ("subscription_details[items][0][price]", price),
            ("subscription_details[proration_date]", proration_date.unix_timestamp().to_string()),
            ("subscription_details[proration_behavior]", "always_invoice".to_owned()),
        ];
        // A preview creates nothing: no idempotency key is needed.
        let call =
            Call { method: Method::POST, path: "/v1/invoices/create_preview", form: &form, idempotency_key: None };
        let invoice: PreviewInvoice = self.client.send(&call).await?;
        let proration: i64 =
            invoice.lines.iter().flat_map(|l| l.data.iter()).filter(|l| l.proration.is_set()).map(|l| l.amount).sum();
        Ok(ProrationPreview {
            amount_due: money(invoice.amount_due, &invoice.currency),
            proration: money(proration, &invoice.currency),
            currency: invoice.currency.to_ascii_uppercase(),
            proration_date,
        })
    }

    /// `POST /v1/subscriptions/{id}` replacing the item's price; from the next period on with
    /// another period length, a subscription schedule instead (see [`super::schedules`]). A
    /// schedule already there (an earlier annual -> monthly change) is released first: every
    /// change replaces what was scheduled.
    pub(super) async fn change(&self, request: &PlanChangeRequest) -> Result<ProviderSubscription, PaymentError> {
        let head = self.head(&request.subscription_id).await?;
        let price = self.price(request, head.price.as_deref())?;
        if let Some(schedule) = &head.schedule {
            self.release_schedule(schedule).await?;
        }
        let annual_now = self.is_annual(head.price.as_deref());
        let other_length = request.period.is_some_and(|p| (p == BillingPeriod::Annual) != annual_now);
        if request.timing == PlanChangeTiming::NextPeriod && other_length {
            let current = head.price.as_deref().ok_or_else(|| {
                PaymentError::Malformed(format!("subscription {} has no price", request.subscription_id))
            })?;
            self.schedule_price(&request.subscription_id, current, &price).await?;
            let path = subscription_path(&request.subscription_id)?;
            let call = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
            let raw: StripeSubscription = self.client.send(&call).await?;
            return mapping::to_provider_subscription(raw, &self.config, None);
        }
        let mut form: Vec<(&str, String)> = vec![("items[0][id]", head.item), ("items[0][price]", price)];
        match request.timing {
            PlanChangeTiming::Now { proration_date } => {
                form.push(("proration_behavior", "always_invoice".to_owned()));
                form.push(("proration_date", proration_date.unix_timestamp().to_string()));
            }
            PlanChangeTiming::NextPeriod => form.push(("proration_behavior", "none".to_owned())),
        }
        // A fresh key per change, kept across its retries: scheduling, undoing and scheduling
        // again send the same form, and a derived key would replay the first answer instead.
        let key = format!("botfleet-{}", ulid::Ulid::new());
        let path = subscription_path(&request.subscription_id)?;
        let call = Call { method: Method::POST, path: &path, form: &form, idempotency_key: Some(&key) };
        let raw: StripeSubscription = self.client.send(&call).await?;
        mapping::to_provider_subscription(raw, &self.config, None)
    }
}
