//! `/backoffice/api/users/{id}/comp`: grant a user PRO or MAX for some days, nothing billed
//! (`POST`), or end it early (`DELETE`). ADMIN and up (`manage_users`); audited with the target by
//! the guard. The grant is listed on the user's invoices as a `comp` entry (amount 0).

use actix_web::{delete, post, web, HttpResponse};
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, Subscription};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::TAG;
use crate::error::{ApiError, TrackedJson};
use crate::path_id::PathId;
use crate::routes::common::validated;
use crate::routes::subscriptions::InvoiceResponse;
use crate::routes::wire::{self, Id};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_grant_comp).service(bo_revoke_comp);
}

/// A plan granted for some days.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompRequest {
    /// `PRO` or `MAX`.
    #[schema(value_type = wire::PaidPlan, example = "PRO")]
    pub plan: String,
    /// How long, from now.
    #[validate(range(min = 1, max = 366))]
    #[schema(minimum = 1, maximum = 366, example = 30)]
    pub days: u32,
    /// Why (shown to the user as the subscription's reason): 1 to 200 characters, not blank.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s]", example = "compensation for the 2 May outage")]
    pub reason: String,
}

/// The user's subscription after a comp was granted or revoked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompResponse {
    /// The plan now.
    pub plan: wire::Plan,
    /// `active`.
    pub status: wire::SubscriptionStatus,
    /// Why it is so (the comp's reason, or why it ended).
    pub status_reason: Option<String>,
    /// When the comp ends (then FREE); null after a revoke.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub current_period_end: Option<OffsetDateTime>,
    /// The comp's entry on the user's invoices (on a grant).
    pub invoice: Option<InvoiceResponse>,
}

impl CompResponse {
    fn new(s: Subscription, invoice: Option<InvoiceResponse>) -> Self {
        Self {
            plan: s.plan.into(),
            status: s.status.into(),
            status_reason: s.status_reason,
            current_period_end: s.current_period_end,
            invoice,
        }
    }
}

/// Grant the user PRO or MAX for `days` days from now, nothing billed (a comp). It lapses to
/// FREE at its end (the limits enforced, as after a trial); a payment during it replaces it.
/// Refused with 409 `comp_refused` over a card subscription in good standing or a period paid
/// by PIX or boleto still running; a comp or trial running is replaced.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    request_body = CompRequest,
    responses((status = 200, description = "Granted", body = CompResponse))
)]
#[post("/backoffice/api/users/{id}/comp")]
pub async fn bo_grant_comp(
    state: web::Data<AppState>,
    id: PathId<UserId>,
    body: TrackedJson<CompRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.user(*id).await?;
    let body = validated(body.into_inner())?;
    let plan = match body.plan.as_str() {
        "PRO" => Plan::Pro,
        "MAX" => Plan::Max,
        _ => Plan::Free,
    };
    let granted = state.subscriptions.grant_comp(user.id, plan, body.days, &body.reason).await?;
    Ok(HttpResponse::Ok().json(CompResponse::new(granted.subscription, Some(granted.entry.into()))))
}

/// End the user's comp now: FREE, the limits enforced (what is over FREE's is paused); its
/// invoice entry's period ends now. 409 `no_comp` when the user has none.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "Revoked", body = CompResponse))
)]
#[delete("/backoffice/api/users/{id}/comp")]
pub async fn bo_revoke_comp(state: web::Data<AppState>, id: PathId<UserId>) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.user(*id).await?;
    let subscription = state.subscriptions.revoke_comp(user.id).await?;
    Ok(HttpResponse::Ok().json(CompResponse::new(subscription, None)))
}
