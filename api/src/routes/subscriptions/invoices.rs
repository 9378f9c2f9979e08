//! `GET /api/subscriptions/invoices`: the caller's charges, newest first and paged: PIX and
//! boleto (pending, approved or expired) and every card payment of a subscription (Stripe
//! invoices, Mercado Pago preapproval payments), with amount, currency, provider, method, status,
//! the period paid and the provider's receipt or hosted-invoice URL.

use actix_web::{get, web, HttpResponse};
use domain::subscriptions::Charge;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::Paging;
use crate::routes::page::Page;
use crate::routes::wire;
use crate::state::AppState;

/// What an invoice entry is.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A payment: PIX, boleto, a card subscription's period.
    Payment,
    /// A plan change's proration invoice (Stripe); negative for a credit.
    Proration,
    /// A refund or chargeback (negative).
    Refund,
    /// A plan granted by an operator (amount 0).
    Comp,
    /// The one-off difference of an upgrade of a Mercado Pago card subscription (PIX); `plan`
    /// is the plan after it, `upgraded_from` the one before.
    UpgradeDifference,
}

impl From<domain::subscriptions::EntryKind> for EntryKind {
    fn from(k: domain::subscriptions::EntryKind) -> Self {
        use domain::subscriptions::EntryKind as K;
        match k {
            K::Payment => EntryKind::Payment,
            K::Proration => EntryKind::Proration,
            K::Refund => EntryKind::Refund,
            K::Comp => EntryKind::Comp,
            K::UpgradeDifference => EntryKind::UpgradeDifference,
        }
    }
}

/// One charge.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceResponse {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// `PRO` or `MAX`.
    pub plan: wire::Plan,
    /// `stripe` or `mercadopago`; null for a comp (nothing collected).
    pub provider: Option<wire::PaymentProvider>,
    /// `pix`, `boleto`, `card`, or `comp` (a plan granted by an operator, amount 0).
    pub method: wire::PaymentMethod,
    /// `monthly` or `annual`.
    pub period: wire::BillingPeriod,
    /// `pending`, `approved`, `expired`, `refunded` (amount negative) or `granted` (a comp).
    pub status: wire::ChargeStatus,
    /// `payment`, `proration` (a plan change's proration invoice, Stripe: its total, negative for
    /// a credit), `refund` (amount negative), `comp` or `upgrade_difference` (the difference for
    /// the rest of the period of a Mercado Pago upgrade, paid by PIX).
    pub kind: EntryKind,
    /// `upgrade_difference`: the plan before the upgrade (`plan` is the one after it).
    pub upgraded_from: Option<wire::Plan>,
    /// Amount, a decimal string.
    #[schema(value_type = String, example = "19.90")]
    pub amount: Decimal,
    /// ISO 4217 currency (`BRL`).
    pub currency: String,
    /// The provider's payment or invoice id.
    pub provider_reference: Option<String>,
    /// The receipt, hosted invoice, PIX ticket or boleto slip.
    pub url: Option<String>,
    /// When it was paid.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<OffsetDateTime>,
    /// Start of the period paid.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub period_start: Option<OffsetDateTime>,
    /// End of the period paid.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub period_end: Option<OffsetDateTime>,
    /// Unpaid after this, a PIX or boleto cannot be paid any more.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<Charge> for InvoiceResponse {
    fn from(c: Charge) -> Self {
        let mut amount = c.amount;
        amount.rescale(2);
        Self {
            id: c.id.to_string(),
            plan: c.plan.into(),
            provider: c.provider.map(Into::into),
            method: c.method.into(),
            period: c.period.into(),
            kind: c.kind().into(),
            upgraded_from: c.upgrade.as_ref().map(|u| u.from.into()),
            status: c.status.into(),
            amount,
            currency: c.currency,
            provider_reference: c.provider_payment_id,
            url: c.instructions.url,
            paid_at: c.paid_at,
            period_start: c.period_start,
            period_end: c.period_end,
            expires_at: c.expires_at,
            created_at: c.created_at,
        }
    }
}

/// The caller's charges, newest first: PIX and boleto (pending, approved, expired) and card
/// payments, with the provider's receipt or hosted-invoice URL.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses((status = 200, description = "A page of charges", body = Page<InvoiceResponse>))
)]
#[get("/api/subscriptions/invoices")]
pub async fn invoices(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.subscriptions.invoices(auth.0.user_id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<InvoiceResponse>::from(page)))
}
