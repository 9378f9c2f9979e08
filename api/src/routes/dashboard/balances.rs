//! `GET /api/dashboard/balances`: every exchange account of the caller's contexts, read now; and
//! the reachability of each account, which the health view shows from the same reads.

use actix_web::{get, web, HttpResponse};
use application::dashboard::{AccountBalances, AccountError, AssetBalance, Balances, ExchangeHealth};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::wire::{Exchange, TradingMode};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(dashboard_balances);
}

/// Why an account could not be read: a stable code and a message (never a secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountErrorResponse {
    /// `exchange_unavailable`, `credential_required`, `credential_rejected` or `internal_error`.
    #[schema(example = "exchange_unavailable")]
    pub code: String,
    /// What happened.
    pub message: String,
}

impl From<AccountError> for AccountErrorResponse {
    fn from(e: AccountError) -> Self {
        Self { code: e.code.to_owned(), message: e.message }
    }
}

/// One asset: on the exchange, and the part the bots count as theirs.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetBalanceResponse {
    /// The asset.
    #[schema(example = "BRL")]
    pub asset: String,
    /// Free on the exchange, a decimal string.
    #[schema(value_type = String, example = "1500.25")]
    pub free: Decimal,
    /// Held by open orders on the exchange.
    #[schema(value_type = String, example = "0")]
    pub locked: Decimal,
    /// `free + locked`.
    #[schema(value_type = String, example = "1500.25")]
    pub total: Decimal,
    /// What the bots count as theirs: quote of their unspent allocations (available, and blocked
    /// in open buys) and the base they hold.
    #[schema(value_type = String, example = "1000")]
    pub bots: Decimal,
    /// `total - bots`: the user's outside the bots; negative when the exchange holds less than
    /// the bots count on (funds withdrawn or spent outside botfleet).
    #[schema(value_type = String, example = "500.25")]
    pub outside_bots: Decimal,
}

impl From<AssetBalance> for AssetBalanceResponse {
    fn from(a: AssetBalance) -> Self {
        let n = |d: Decimal| d.normalize();
        Self {
            total: n(a.total()),
            outside_bots: n(a.outside_bots()),
            free: n(a.free),
            locked: n(a.locked),
            bots: n(a.bots),
            asset: a.asset,
        }
    }
}

/// One exchange account (an exchange in one mode), shared by the contexts listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountBalancesResponse {
    /// The exchange.
    pub exchange: Exchange,
    /// `live` (the caller's credential) or `paper` (the paper exchange's account).
    pub mode: TradingMode,
    /// The contexts trading through it.
    pub context_ids: Vec<String>,
    /// When the exchange was read.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub read_at: OffsetDateTime,
    /// Its assets, by name; empty when it could not be read.
    pub assets: Vec<AssetBalanceResponse>,
    /// Why it could not be read (the other accounts still answer).
    pub error: Option<AccountErrorResponse>,
}

impl From<AccountBalances> for AccountBalancesResponse {
    fn from(a: AccountBalances) -> Self {
        Self {
            exchange: a.exchange.into(),
            mode: a.mode.into(),
            context_ids: a.contexts.iter().map(ToString::to_string).collect(),
            read_at: a.read_at,
            assets: a.assets.into_iter().map(Into::into).collect(),
            error: a.error.map(Into::into),
        }
    }
}

/// The caller's totals per currency in one mode.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModeTotalsResponse {
    /// `live` or `paper`: never summed together.
    pub mode: TradingMode,
    /// Whether every account of this mode was read (else the totals leave the others out).
    pub complete: bool,
    /// Per currency, summed over the accounts of this mode that were read.
    pub currencies: Vec<AssetBalanceResponse>,
}

/// Balances of every exchange account of the caller's contexts.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalancesResponse {
    /// Each account, by exchange then mode.
    pub accounts: Vec<AccountBalancesResponse>,
    /// Per mode, per currency. Currencies are never converted into one another.
    pub totals: Vec<ModeTotalsResponse>,
}

impl From<Balances> for BalancesResponse {
    fn from(b: Balances) -> Self {
        let totals = b
            .totals
            .into_iter()
            .map(|(mode, assets)| ModeTotalsResponse {
                mode: mode.into(),
                complete: b.accounts.iter().filter(|a| a.mode == mode).all(|a| a.error.is_none()),
                currencies: assets.into_iter().map(Into::into).collect(),
            })
            .collect();
        Self { accounts: b.accounts.into_iter().map(Into::into).collect(), totals }
    }
}

/// Whether an exchange account answered now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeHealthResponse {
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// Whether its balances were read.
    pub reachable: bool,
    /// When it was asked.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub checked_at: OffsetDateTime,
    /// Why not.
    pub error: Option<AccountErrorResponse>,
}

impl From<ExchangeHealth> for ExchangeHealthResponse {
    fn from(e: ExchangeHealth) -> Self {
        Self {
            exchange: e.exchange.into(),
            mode: e.mode.into(),
            reachable: e.reachable,
            checked_at: e.checked_at,
            error: e.error.map(Into::into),
        }
    }
}

/// Balances per exchange account and per currency across every context of the caller, live and
/// paper apart, each account read once from its exchange now (with the time of the read), beside
/// the part the caller's bots count as theirs. An exchange that cannot be reached gives its
/// account an `error`; the other accounts still answer.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "Balances", body = BalancesResponse))
)]
#[get("/api/dashboard/balances")]
pub async fn dashboard_balances(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let balances = state.dashboard_accounts.balances(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(BalancesResponse::from(balances)))
}
