//! `/api/users/me`: account deletion (which ends the account: bots, orders, plan, sessions) and
//! the personal-data export (LGPD portability, streamed; see [`export`]).

mod export;

use std::future::Future;
use std::pin::Pin;

use actix_web::{delete, dev::Payload, web, FromRequest, HttpRequest, HttpResponse};
use application::identity::{DeletionReport, Principal};
use application::subscriptions::provider_name;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

pub use export::*;

use super::RouteModule;
use crate::error::{ApiError, TrackedJson};
use crate::routes::common::{request_meta, validated};
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "users";

/// This module's routes.
pub const MODULE: RouteModule =
    RouteModule { tag: TAG, description: "Account deletion and personal-data export (LGPD).", configure };

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(delete_me).service(export::export_me);
}

/// Confirms account deletion.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// The account's current password (not checked again once the account is deleted).
    #[validate(length(max = 128))]
    #[schema(max_length = 128, format = Password)]
    pub password: String,
}

/// What deleting the account did. A repeated call answers the same.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletionResponse {
    /// When the account was deleted.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deleted_at: OffsetDateTime,
    /// Bots stopped (they were running, paused or tripped); none trades any more.
    pub bots_stopped: u32,
    /// Pending orders cancelled on the exchanges.
    pub orders_canceled: u32,
    /// Open positions left as they are on your exchange accounts: sell them there if you wish.
    pub positions_left_on_exchange: u32,
    /// Contexts paused.
    pub contexts_paused: u32,
    /// `stripe` or `mercadopago` when a paid plan was cancelled at once; `null` when none billed.
    pub subscription_canceled: Option<String>,
    /// Exchange credentials wiped.
    pub credentials_wiped: u32,
    /// Login sessions revoked (every access token is refused too).
    pub sessions_revoked: u64,
    /// What is kept: the consent history (five years, as the law requires) and the audit trail.
    pub retained: Vec<String>,
}

impl From<DeletionReport> for DeletionResponse {
    fn from(r: DeletionReport) -> Self {
        Self {
            deleted_at: r.deleted_at,
            bots_stopped: r.bots_stopped,
            orders_canceled: r.orders_canceled,
            positions_left_on_exchange: r.positions_left_on_exchange,
            contexts_paused: r.contexts_paused,
            subscription_canceled: r.subscription_canceled.map(|p| provider_name(p).to_owned()),
            credentials_wiped: r.credentials_wiped,
            sessions_revoked: r.sessions_revoked,
            retained: vec!["consent_history".into(), "audit_trail".into()],
        }
    }
}

/// The caller of the deletion: an active user's valid token, or the token of an account already
/// deleted that was issued before its deletion (to read the same report again).
#[derive(Debug)]
pub struct DeletingAccount(pub Principal);

impl FromRequest for DeletingAccount {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = crate::auth::state_and_token(req);
        Box::pin(async move {
            let (state, token) = found?;
            Ok(DeletingAccount(state.identity.authenticate_deleting(&token).await?))
        })
    }
}

/// Delete the caller's account. In this order: every bot stopped and its pending orders
/// cancelled (positions stay on the exchange account), contexts paused, the paid plan cancelled
/// at the provider at once, credentials wiped, the account marked deleted (every token refused),
/// sessions revoked. Repeating the call (even after a failure midway) finishes the job and
/// answers the same report. The consent history and the audit trail are kept.
#[utoipa::path(
    tag = TAG,
    request_body = DeleteAccountRequest,
    responses(
        (status = 200, description = "Account deleted; what was done", body = DeletionResponse),
    )
)]
#[delete("/api/users/me")]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: DeletingAccount,
    req: HttpRequest,
    body: TrackedJson<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    let report = state.identity.delete_account(auth.0.user_id, body.password, &meta).await?;
    Ok(HttpResponse::Ok().json(DeletionResponse::from(report)))
}

crate::opaque_debug!(DeleteAccountRequest);
