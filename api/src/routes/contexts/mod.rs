//! `/api/contexts`: trading contexts (a market on an exchange, live or paper), their balances
//! and their signals ([`signals`]).

mod signals;

pub use signals::ContextSignalResponse;

use actix_web::{delete, get, post, web, HttpResponse};
use application::contexts::{ContextBalance, CreateContextInput};
use application::FieldCode;
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::Balance;
use domain::market::Symbol;
use domain::shared::ids::ContextId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{validated, Paging};
use crate::routes::page::Page;
use crate::routes::wire::Id;
use crate::routes::wire::{ContextStatus, Exchange, TradingMode};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "contexts";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Trading contexts: a market (base and quote asset) on an exchange, live or paper.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_context)
        .service(list_contexts)
        .service(get_context)
        .service(delete_context)
        .service(context_balance)
        .service(signals::context_signals);
}

/// A new trading context.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContextRequest {
    /// `binance` or `mercado_bitcoin`.
    #[schema(value_type = Exchange, example = "mercado_bitcoin")]
    pub exchange: Parsed<domain::exchange::ExchangeId>,
    /// The market, `BASE-QUOTE`.
    #[validate(length(max = 32))]
    #[schema(max_length = 32, example = "BTC-BRL", pattern = r"^\s*[A-Za-z0-9]{2,12}\s*[-/_]\s*[A-Za-z0-9]{2,12}\s*$")]
    pub symbol: String,
    /// `live` (needs a credential for the exchange) or `paper` (simulated; the default).
    #[serde(default = "paper")]
    #[schema(value_type = TradingMode, example = "paper")]
    pub mode: Parsed<ContextMode>,
}

fn paper() -> Parsed<ContextMode> {
    Parsed::Valid(ContextMode::Paper)
}

/// A trading context.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextResponse {
    /// Id.
    pub id: String,
    /// Exchange.
    pub exchange: Exchange,
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// Base asset.
    pub base: String,
    /// Quote asset.
    pub quote: String,
    /// `live` or `paper`.
    pub mode: TradingMode,
    /// `active` or `paused`.
    pub status: ContextStatus,
    /// Why it is paused.
    pub status_reason: Option<String>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<TradingContext> for ContextResponse {
    fn from(c: TradingContext) -> Self {
        Self {
            id: c.id.to_string(),
            exchange: c.exchange.into(),
            symbol: c.symbol().to_string(),
            base: c.base.as_str().to_owned(),
            quote: c.quote.as_str().to_owned(),
            mode: c.mode.into(),
            status: c.status.into(),
            status_reason: c.status_reason,
            created_at: c.created_at,
        }
    }
}

/// One asset's balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceResponse {
    /// Asset.
    pub asset: String,
    /// Available, a decimal string.
    #[schema(value_type = String, example = "0.01500000")]
    pub free: Decimal,
    /// Held in open orders, a decimal string.
    #[schema(value_type = String, example = "0")]
    pub locked: Decimal,
}

impl From<Balance> for BalanceResponse {
    fn from(b: Balance) -> Self {
        Self { asset: b.asset, free: b.free, locked: b.locked }
    }
}

/// A context's balances on its exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextBalanceResponse {
    /// The context id.
    pub context_id: String,
    /// Base asset.
    pub base: BalanceResponse,
    /// Quote asset.
    pub quote: BalanceResponse,
}

impl From<ContextBalance> for ContextBalanceResponse {
    fn from(b: ContextBalance) -> Self {
        Self { context_id: b.context.id.to_string(), base: b.base.into(), quote: b.quote.into() }
    }
}

/// Open a trading context. Checks, in order: a credential that is not invalid (live mode), an
/// active subscription, the plan's context limit, the pair listed on the exchange.
#[utoipa::path(
    tag = TAG,
    request_body = CreateContextRequest,
    responses(
        (status = 201, description = "Opened", body = ContextResponse),
    )
)]
#[post("/api/contexts")]
pub async fn create_context(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<CreateContextRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let mut check = FieldCheck::default();
    let exchange = check.required("exchange", body.exchange);
    let symbol = check.parsed("symbol", FieldCode::InvalidSymbol, Symbol::parse(&body.symbol.to_ascii_uppercase()));
    let mode = check.required("mode", body.mode);
    let (exchange, (symbol, mode)) = check.finish(exchange.zip(symbol.zip(mode)))?;
    let input = CreateContextInput { exchange, symbol, mode };
    let context = state.contexts.create(auth.0.user_id, input).await?;
    Ok(HttpResponse::Created().json(ContextResponse::from(context)))
}

/// The caller's contexts, oldest first.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses(
        (status = 200, description = "A page of contexts", body = Page<ContextResponse>),
    )
)]
#[get("/api/contexts")]
pub async fn list_contexts(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.contexts.list(auth.0.user_id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<ContextResponse>::from(page)))
}

/// One of the caller's contexts.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Context id")),
    responses(
        (status = 200, description = "The context", body = ContextResponse),
    )
)]
#[get("/api/contexts/{id}")]
pub async fn get_context(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ContextId>,
) -> Result<HttpResponse, ApiError> {
    let context = state.contexts.get(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(ContextResponse::from(context)))
}

/// Delete one of the caller's contexts; refused while a bot in it is running.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Context id")),
    responses(
        (status = 204, description = "Deleted"),
    )
)]
#[delete("/api/contexts/{id}")]
pub async fn delete_context(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ContextId>,
) -> Result<HttpResponse, ApiError> {
    state.contexts.delete(auth.0.user_id, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The context's base and quote balances on its exchange, free and locked.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Context id")),
    responses(
        (status = 200, description = "Balances", body = ContextBalanceResponse),
    )
)]
#[get("/api/contexts/{id}/balance")]
pub async fn context_balance(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ContextId>,
) -> Result<HttpResponse, ApiError> {
    let balance = state.contexts.balance(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(ContextBalanceResponse::from(balance)))
}

crate::opaque_debug!(CreateContextRequest);
