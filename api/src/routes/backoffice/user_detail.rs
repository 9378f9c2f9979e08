//! `GET /backoffice/api/users/{id}`: everything support needs about one user in one call:
//! profile, consents, subscription and invoices, contexts, bots with status and books (P&L),
//! recent orders, credentials (masked: the key's last 4 characters, never a secret) with their
//! validity, refresh sessions (dates only) and the recent backoffice audit about them. Each part
//! comes from the same use case the user's own routes call.

use actix_web::{get, web, HttpResponse};
use application::backoffice::UserDetail;
use application::orders::OrderListQuery;
use domain::bots::Funds;
use domain::shared::ids::UserId;
use domain::PageRequest;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::audit::AuditEntryResponse;
use super::users::BackofficeUser;
use super::TAG;
use crate::error::ApiError;
use crate::path_id::PathId;
use crate::routes::contexts::ContextResponse;
use crate::routes::credentials::CredentialResponse;
use crate::routes::legal::ConsentEntryResponse;
use crate::routes::orders::OrderResponse;
use crate::routes::subscriptions::{InvoiceResponse, SubscriptionResponse};
use crate::routes::wire::{BotKind, BotStatus, Exchange, Id, TradingMode};
use crate::state::AppState;

/// How many of the latest consents, invoices and orders the detail holds.
const RECENT: u64 = 20;

/// One of the user's bots, as support sees it: status and books.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeBot {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Strategy.
    pub kind: BotKind,
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// Market, `BASE-QUOTE`.
    pub symbol: String,
    /// Status.
    pub status: BotStatus,
    /// Why it has that status.
    pub status_reason: Option<String>,
    /// Its books (decimal strings): `realized_profit` is its realised P&L, net of fees.
    pub funds: Funds,
}

impl From<domain::bots::Bot> for BackofficeBot {
    fn from(b: domain::bots::Bot) -> Self {
        Self {
            id: b.id.to_string(),
            name: b.name.clone(),
            kind: b.kind().into(),
            exchange: b.exchange.into(),
            mode: b.mode.into(),
            symbol: b.symbol.to_string(),
            status: b.status.into(),
            status_reason: b.status_reason.clone(),
            funds: b.funds.normalized(),
        }
    }
}

/// A refresh session of the user (no token).
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUserSession {
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Expires.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A user's whole picture. Holds no secret: credentials show the key's last 4 characters only.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUserDetail {
    /// The profile.
    pub user: BackofficeUser,
    /// The latest consent changes, newest first.
    pub consents: Vec<ConsentEntryResponse>,
    /// The subscription, plan limits and usage, as the user sees them.
    pub subscription: SubscriptionResponse,
    /// The latest invoices (charges), newest first.
    pub invoices: Vec<InvoiceResponse>,
    /// The trading contexts.
    pub contexts: Vec<ContextResponse>,
    /// Every bot with its status and books.
    pub bots: Vec<BackofficeBot>,
    /// The latest orders, newest first.
    pub orders: Vec<OrderResponse>,
    /// The exchange credentials, masked, with their validation state.
    pub credentials: Vec<CredentialResponse>,
    /// The latest refresh sessions, newest first.
    pub sessions: Vec<BackofficeUserSession>,
    /// The latest backoffice audit entries about the user, newest first.
    pub audit: Vec<AuditEntryResponse>,
}

/// A user's detail in one call. A deleted account is a 404.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "The user", body = BackofficeUserDetail))
)]
#[get("/backoffice/api/users/{id}")]
pub async fn bo_get_user(state: web::Data<AppState>, id: PathId<UserId>) -> Result<HttpResponse, ApiError> {
    let UserDetail { user, bots, sessions, audit } = state.backoffice.user_detail(*id).await?;
    let (owner, recent, all) = (user.id, PageRequest::new(0, RECENT), PageRequest::new(0, PageRequest::MAX_LIMIT));
    let consents = state.legal.history(owner, recent).await?;
    let overview = state.subscriptions.overview(owner).await?;
    let quota = state.assistant.quota(owner).await?;
    let invoices = state.subscriptions.invoices(owner, recent).await?;
    let contexts = state.contexts.list(owner, all).await?;
    let orders = state.orders.list(owner, &OrderListQuery::default(), recent).await?;
    let credentials = state.credentials.list(owner, all).await?;
    let sessions = sessions.items.into_iter().map(|s| BackofficeUserSession {
        created_at: s.created_at,
        expires_at: s.expires_at,
        revoked: s.revoked_at.is_some(),
    });
    let detail = BackofficeUserDetail {
        user: user.into(),
        consents: consents.items.into_iter().map(Into::into).collect(),
        subscription: SubscriptionResponse::new(overview, quota.used),
        invoices: invoices.items.into_iter().map(Into::into).collect(),
        contexts: contexts.items.into_iter().map(Into::into).collect(),
        bots: bots.into_iter().map(Into::into).collect(),
        orders: orders.page.items.into_iter().map(Into::into).collect(),
        credentials: credentials.items.into_iter().map(Into::into).collect(),
        sessions: sessions.collect(),
        audit: audit.items.into_iter().map(Into::into).collect(),
    };
    Ok(HttpResponse::Ok().json(detail))
}
