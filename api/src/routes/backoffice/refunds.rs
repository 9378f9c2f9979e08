//! `POST /backoffice/api/users/{id}/invoices/{invoice_id}/refund`: refund one of the user's paid
//! invoices in full at its provider (ADMIN and up, `refund_payments`; audited with the user as
//! the target). The invoice is the entry of `GET /api/subscriptions/invoices` (and of the user's
//! backoffice detail), so the operator refunds exactly what the user sees.

use actix_web::{post, web, HttpResponse};
use domain::shared::ids::UserId;
use domain::subscriptions::ChargeId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::TAG;
use crate::error::{decode, ApiError};
use crate::path_id::PathIds;
use crate::routes::decimal::{parse_all, DecimalInput};
use crate::routes::subscriptions::InvoiceResponse;
use crate::routes::wire::Id;
use crate::state::AppState;
use application::{FieldCode, FieldError};

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_refund_invoice);
}

/// What to refund; an empty body (or no `amount`) refunds everything left.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// The part to refund, in the invoice's currency: above 0, at most 2 decimals, at most what is
    /// left to refund (the invoice's amount less its refunds so far).
    #[schema(value_type = Option<String>, example = "5.00", pattern = r"^[0-9]{1,9}(?:\.[0-9]{1,2})?$")]
    pub amount: Option<DecimalInput>,
}

/// A refund made at the provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundResponse {
    /// The provider's refund id (Mercado Pago refund id, Stripe `re_…`).
    pub refund_id: String,
    /// The provider's status of the refund (`approved`, `succeeded`, `pending`, …).
    pub provider_status: String,
    /// Amount refunded, when the provider says.
    #[schema(value_type = Option<String>, example = "19.90")]
    pub amount: Option<Decimal>,
    /// The refund's entry on the user's invoices (status `refunded`, amount negated).
    pub invoice: InvoiceResponse,
}

/// Refund the user's paid invoice at its provider, in full or in part (`amount`): Mercado Pago
/// `POST /v1/payments/{id}/refunds`, Stripe `POST /v1/refunds` of the invoice's payment, under an
/// idempotency key derived from the invoice (two clicks make one refund). The refund is listed
/// on the user's invoices at once; the plan follows from the provider's refund notification
/// (the plan ends when the refunded payment paid for the current period; a partial refund never
/// ends it, partial refunds up to the whole amount do). Parts: each one's key names what was
/// refunded before and its amount. 422 naming `amount` when it is not above 0, has more than 2
/// decimals or exceeds what is left; 409 `already_refunded` once nothing is left,
/// `not_refundable` for anything but an approved payment (a comp, a pending or expired PIX) or
/// when the provider refuses.
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = Id, Path, description = "The user"),
        ("invoice_id" = Id, Path, description = "The invoice (an item of the user's invoices)")
    ),
    request_body(content = Option<RefundBody>),
    responses((status = 200, description = "Refunded", body = RefundResponse))
)]
#[post("/backoffice/api/users/{id}/invoices/{invoice_id}/refund")]
pub async fn bo_refund_invoice(
    state: web::Data<AppState>,
    ids: PathIds<UserId, ChargeId>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // Read by hand: an optional extractor would take a bad body for none (a full refund).
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::validation(vec![FieldError::new("body", FieldCode::InvalidType, "must be UTF-8 JSON")])
    })?;
    let body: RefundBody = if text.trim().is_empty() { RefundBody::default() } else { decode(text)? };
    let [amount] = parse_all([("amount", body.amount.as_ref())])?;
    let (user, charge) = ids.into_inner();
    let user = state.backoffice.user(user).await?;
    let made = state.subscriptions.refund_charge(user.id, charge, amount).await?;
    let mut amount = made.refund.amount;
    if let Some(a) = amount.as_mut() {
        a.rescale(2);
    }
    Ok(HttpResponse::Ok().json(RefundResponse {
        refund_id: made.refund.id,
        provider_status: made.refund.status,
        amount,
        invoice: made.entry.into(),
    }))
}
