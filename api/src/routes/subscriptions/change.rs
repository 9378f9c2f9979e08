//! `/api/subscriptions/change`: PRO <-> MAX on a card subscription. `POST .../change/preview`
//! shows what a change does (an upgrade's proration from the provider's invoice preview);
//! `POST .../change` makes it (an upgrade at once, a downgrade scheduled for the period end);
//! `DELETE .../change` undoes a scheduled downgrade. An upgrade of a Mercado Pago card
//! subscription answers 202 `awaiting_payment` with the PIX of the difference; the plan changes
//! when it is paid.

use actix_web::{delete, post, web, HttpResponse};
use application::subscriptions::{PlanChangeOutcome, PlanChangeQuote};
use application::{FieldCode, FieldError};
use domain::shared::ids::UserId;
use domain::subscriptions::{BillingPeriod, Charge, Plan, PlanChangeKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::checkout::PixResponse;
use super::{SubscriptionResponse, TAG};
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::routes::common::validated;
use crate::routes::wire;
use crate::state::AppState;

/// The billing period of a card subscription after the change.
#[derive(Clone, Copy, Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code, reason = "schema only: the body reads the period as text to name a bad one")]
pub enum CardPeriod {
    /// Billed every month.
    Monthly,
    /// Billed every year.
    Annual,
}

/// How the difference of an upgrade of a Mercado Pago card subscription is paid. Only PIX:
/// charging the difference to the card is not built.
#[derive(Clone, Copy, Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code, reason = "schema only: the body reads the method as text to name a bad one")]
pub enum UpgradeMethod {
    /// A PIX payment (QR code, copy-and-paste code).
    Pix,
}

/// The plan to preview a change to.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChangePreviewBody {
    /// `PRO` or `MAX`.
    #[schema(value_type = wire::PaidPlan, example = "MAX")]
    pub plan: String,
    /// `monthly` or `annual`; omitted, the subscription's own period is kept. Monthly -> annual is
    /// an upgrade (at once, prorated, a new yearly period starting now), annual -> monthly a
    /// downgrade (at the end of the paid year). Stripe only (with annual prices configured):
    /// Mercado Pago cannot change a preapproval's frequency (409 `plan_change_unavailable`).
    #[schema(value_type = Option<CardPeriod>, example = "annual")]
    pub period: Option<String>,
}

/// The plan to change to.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChangeBody {
    /// `PRO` or `MAX`.
    #[schema(value_type = wire::PaidPlan, example = "MAX")]
    pub plan: String,
    /// `monthly` or `annual`; omitted, the subscription's own period is kept (see the preview).
    #[schema(value_type = Option<CardPeriod>, example = "annual")]
    pub period: Option<String>,
    /// Upgrade: the preview's `proration_date` (Unix seconds, at most an hour old), so the amount
    /// charged is the one previewed; without it the proration is computed for now.
    /// Read as any JSON number so that `1767225600.0`, an integer to JSON Schema, is accepted.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 253_402_300_799_i64, example = 1_767_225_600)]
    pub proration_date: Option<serde_json::Number>,
    /// Upgrade of a Mercado Pago card subscription: how the difference for the rest of the
    /// period is paid; `pix` only (the default). Stripe invoices the card on file and ignores it.
    #[schema(value_type = Option<UpgradeMethod>, example = "pix")]
    pub method: Option<String>,
}

/// What a plan change does.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanChangePreviewResponse {
    /// `upgrade` (at once, prorated) or `downgrade` (at the end of the paid period).
    #[schema(example = "upgrade")]
    pub kind: String,
    /// The plan now.
    pub from: wire::Plan,
    /// The plan after the change.
    pub to: wire::Plan,
    /// When the new plan takes effect.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub effective_at: OffsetDateTime,
    /// Upgrade: invoiced now, a decimal string in `currency` (`null` for a downgrade).
    #[schema(value_type = Option<String>, example = "25.45")]
    pub amount_due: Option<Decimal>,
    /// Upgrade: the net of the proration lines (the new plan's remaining time less the unused time).
    #[schema(value_type = Option<String>, example = "25.45")]
    pub proration: Option<Decimal>,
    /// Upgrade: the invoice's currency (`BRL`).
    pub currency: Option<String>,
    /// Upgrade: send it back with the change to be charged exactly this (Unix seconds).
    pub proration_date: Option<i64>,
    /// Upgrade of a Mercado Pago card subscription: `pix`, the difference (`amount_due`) is paid
    /// by PIX before the change applies; `null` when nothing is paid first (Stripe invoices the
    /// card at once; a difference below R$ 1,00 is not charged and the change applies at once).
    pub method: Option<wire::PaymentMethod>,
}

/// Where a plan change that answered 202 stands.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanChangeStatus {
    /// The plan changes when the PIX of the difference is paid; unpaid, nothing changes.
    AwaitingPayment,
}

/// An upgrade waiting for the payment of its difference (Mercado Pago card subscriptions).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanChangePaymentResponse {
    /// `awaiting_payment`: the plan changes when the PIX is paid.
    pub status: PlanChangeStatus,
    /// The plan now.
    pub from: wire::Plan,
    /// The plan once paid.
    pub to: wire::Plan,
    /// The charge of the difference (listed by the invoices as `upgrade_difference`).
    pub charge_id: String,
    /// Mercado Pago's payment id.
    pub reference: String,
    /// `pix`.
    pub method: wire::PaymentMethod,
    /// The difference for the rest of the period, a decimal string.
    #[schema(value_type = String, example = "51.40")]
    pub amount: Decimal,
    /// `BRL`.
    pub currency: String,
    /// The PIX can be paid until then; unpaid, nothing changes.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Mercado Pago's page for the payment.
    pub url: Option<String>,
    /// The PIX codes.
    pub pix: PixResponse,
}

impl From<Charge> for PlanChangePaymentResponse {
    fn from(c: Charge) -> Self {
        let mut amount = c.amount;
        amount.rescale(2);
        let from = c.upgrade.as_ref().map_or(c.plan, |u| u.from);
        let i = c.instructions;
        Self {
            status: PlanChangeStatus::AwaitingPayment,
            from: from.into(),
            to: c.plan.into(),
            charge_id: c.id.to_string(),
            reference: c.provider_payment_id.unwrap_or_default(),
            method: c.method.into(),
            amount,
            currency: c.currency,
            expires_at: c.expires_at,
            url: i.url,
            pix: PixResponse { qr_code: i.qr_code, qr_code_base64: i.qr_code_base64 },
        }
    }
}

impl From<PlanChangeQuote> for PlanChangePreviewResponse {
    fn from(q: PlanChangeQuote) -> Self {
        let upgrade = q.kind == PlanChangeKind::Upgrade;
        Self {
            kind: q.kind.as_str().to_owned(),
            from: q.from.into(),
            to: q.to.into(),
            effective_at: q.effective_at,
            amount_due: q.amount_due,
            proration: q.proration,
            currency: q.currency,
            proration_date: upgrade.then(|| q.effective_at.unix_timestamp()),
            method: q.method.map(Into::into),
        }
    }
}

/// The paid plan and the period (`None`: keep the subscription's), each bad field named.
fn parse_plan(plan: &str, period: Option<&str>) -> Result<(Plan, Option<BillingPeriod>), ApiError> {
    let mut errors = Vec::new();
    let plan = match plan.parse::<Plan>() {
        Ok(Plan::Free) => {
            errors.push(FieldError::new("plan", FieldCode::Invalid, "FREE is reached by cancelling the subscription"));
            None
        }
        Ok(plan) => Some(plan),
        Err(e) => {
            errors.push(FieldError::new("plan", FieldCode::Invalid, e.to_string()));
            None
        }
    };
    let period = match period.map(|p| (p, BillingPeriod::parse(p))) {
        None => None,
        Some((_, Some(period))) => Some(period),
        Some((_, None)) => {
            errors.push(FieldError::new("period", FieldCode::Invalid, "expected one of: monthly, annual"));
            None
        }
    };
    match plan {
        Some(plan) if errors.is_empty() => Ok((plan, period)),
        _ => Err(ApiError::validation(errors)),
    }
}

async fn subscription_of(state: &AppState, user: UserId) -> Result<HttpResponse, ApiError> {
    let overview = state.subscriptions.overview(user).await?;
    let quota = state.assistant.quota(user).await?;
    Ok(HttpResponse::Ok().json(SubscriptionResponse::new(overview, quota.used)))
}

/// What changing to `plan` would do: an upgrade's amount due now (Stripe: its proration; Mercado
/// Pago: the difference for the rest of the period, paid by PIX), or a downgrade's date. Nothing
/// changes.
#[utoipa::path(
    tag = TAG,
    request_body = PlanChangePreviewBody,
    responses((status = 200, description = "What the change does", body = PlanChangePreviewResponse))
)]
#[post("/api/subscriptions/change/preview")]
pub async fn preview_change(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<PlanChangePreviewBody>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let (plan, period) = parse_plan(&body.plan, body.period.as_deref())?;
    let quote = state.subscriptions.preview_plan_change(auth.0.user_id, plan, period).await?;
    Ok(HttpResponse::Ok().json(PlanChangePreviewResponse::from(quote)))
}

/// Change plans: an upgrade takes effect at once, the difference for the rest of the period
/// invoiced now (Stripe); on a Mercado Pago card subscription the difference is charged by PIX
/// first (202 `awaiting_payment`; asking again while it can be paid answers the same PIX) and the
/// plan changes when it is paid. A downgrade takes effect at the end of the paid period (shown as
/// `scheduled_change`) and can be undone until then.
#[utoipa::path(
    tag = TAG,
    request_body = PlanChangeBody,
    responses(
        (status = 200, description = "The subscription after the change", body = SubscriptionResponse),
        (status = 202, body = PlanChangePaymentResponse,
            description = "Mercado Pago upgrade: pay the PIX of the difference; the plan changes once it is paid"),
    )
)]
#[post("/api/subscriptions/change")]
pub async fn change_plan(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<PlanChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let (plan, period) = parse_plan(&body.plan, body.period.as_deref())?;
    let whole = |n: &serde_json::Number| {
        n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64))
    };
    let proration_date = match body.proration_date.as_ref().map(|n| whole(n).map(OffsetDateTime::from_unix_timestamp)) {
        None => None,
        Some(Some(Ok(at))) => Some(at),
        Some(_) => return Err(ApiError::field("proration_date", FieldCode::Invalid, "not a Unix time")),
    };
    if body.method.as_deref().is_some_and(|m| m != "pix") {
        let why = "expected pix (the only way to pay an upgrade's difference)";
        return Err(ApiError::field("method", FieldCode::Invalid, why));
    }
    let email = state.identity.profile(auth.0.user_id).await?.email;
    let outcome = state.subscriptions.request_plan_change(auth.0.user_id, plan, period, proration_date, &email).await?;
    match outcome {
        PlanChangeOutcome::Changed(_) => subscription_of(&state, auth.0.user_id).await,
        PlanChangeOutcome::AwaitingPayment(charge) => {
            Ok(HttpResponse::Accepted().json(PlanChangePaymentResponse::from(charge)))
        }
    }
}

/// Undo the scheduled downgrade: the current plan continues after the period end.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The subscription, nothing scheduled", body = SubscriptionResponse))
)]
#[delete("/api/subscriptions/change")]
pub async fn undo_change(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    state.subscriptions.undo_plan_change(auth.0.user_id).await?;
    subscription_of(&state, auth.0.user_id).await
}

crate::opaque_debug!(PlanChangeBody);
crate::opaque_debug!(PlanChangePreviewBody);
