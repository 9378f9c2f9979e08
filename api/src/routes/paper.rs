//! Control of the paper exchange, so a scenario can be driven through the HTTP API alone:
//! `POST /api/paper/prices` sets a paper market's price, `POST /api/paper/withdrawals` takes funds
//! out of the caller's paper account as a withdrawal outside botfleet would. Served only with
//! `BOTFLEET_PAPER_CONTROL=true` (refused in production); else 404.

use actix_web::{post, web, HttpResponse};
use application::exchanges::paper_credentials;
use domain::exchange::{ExchangeError, ExchangeId};
use domain::market::{Asset, Symbol};
use domain::shared::bounds::{Bound, AMOUNT, PRICE};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::decimal::DecimalInput;
use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem, TrackedJson};
use crate::routes::wire::Exchange;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "paper";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Control of the paper exchange for scenarios and demos (BOTFLEET_PAPER_CONTROL=true only).",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(set_paper_price).service(paper_withdrawal);
}

/// `input` as a decimal inside `bound`: 422 `not_positive` at or below zero, `invalid` otherwise.
fn bounded(input: &DecimalInput, field: &str, bound: Bound) -> Result<Decimal, ApiError> {
    let value = input.parse(field).map_err(|e| ApiError::validation(vec![e]))?;
    if value <= Decimal::ZERO {
        return Err(ApiError::field(field, application::FieldCode::NotPositive, "must be greater than zero"));
    }
    bound.check(value).map_err(|message| ApiError::field(field, application::FieldCode::Invalid, message))
}

/// A price to set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPriceRequest {
    /// `binance` or `mercado_bitcoin`.
    #[schema(value_type = Exchange)]
    pub exchange: String,
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL", pattern = r"^\s*[A-Za-z0-9]{2,12}\s*[-/_]\s*[A-Za-z0-9]{2,12}\s*$")]
    pub symbol: String,
    /// The new price, a decimal string from 0.000000000001 to 1000000000000000 with at most 18
    /// decimal places (rounded to the market's tick).
    #[schema(value_type = String, example = "350000.00", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.0{0,11}[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub price: DecimalInput,
}

/// The price now in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceSet {
    /// Exchange.
    pub exchange: Exchange,
    /// `BASE-QUOTE`.
    pub symbol: String,
    /// The price after tick rounding.
    #[schema(value_type = String)]
    pub price: Decimal,
}

/// Set a paper market's price; resting paper orders it reaches fill at once.
#[utoipa::path(
    tag = TAG,
    request_body = SetPriceRequest,
    responses(
        (status = 200, description = "Set", body = PriceSet),
        (status = 404, description = "Paper control is off on this server", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown exchange or pair, or a price out of bounds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/paper/prices")]
pub async fn set_paper_price(
    state: web::Data<AppState>,
    _auth: Authenticated,
    body: TrackedJson<SetPriceRequest>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.exchanges.paper_control {
        return Err(ApiError::not_found("route"));
    }
    let exchange = body
        .exchange
        .parse::<ExchangeId>()
        .map_err(|e| ApiError::field("exchange", application::FieldCode::UnknownExchange, e.to_string()))?;
    let symbol = Symbol::parse(&body.symbol.to_ascii_uppercase())
        .map_err(|e| ApiError::field("symbol", application::FieldCode::InvalidSymbol, e.to_string()))?;
    let price = bounded(&body.price, "price", PRICE)?;
    let paper = state.paper.get(&exchange).ok_or(ApiError::not_found("exchange"))?;
    let price = paper.set_price(&symbol, price).await.map_err(|err| match err {
        ExchangeError::Filter(_) => {
            ApiError::field("price", application::FieldCode::NotPositive, "must be greater than zero")
        }
        other => application::exchanges::exchange_error(other).into(),
    })?;
    Ok(HttpResponse::Ok().json(PriceSet { exchange: exchange.into(), symbol: symbol.to_string(), price }))
}

/// A withdrawal from the caller's paper account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    /// `binance` or `mercado_bitcoin`: whose paper account.
    #[schema(value_type = Exchange)]
    pub exchange: String,
    /// The asset, e.g. `BRL`: 2 to 12 letters or digits.
    #[schema(example = "BRL", pattern = r"^\s*[A-Za-z0-9]{2,12}\s*$")]
    pub asset: String,
    /// How much to take out of the free balance, a decimal string above 0 and at most
    /// 1000000000000000 with at most 18 decimal places.
    #[schema(value_type = String, example = "500.00", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.[0-9]*[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub amount: DecimalInput,
}

/// The asset's balance after the withdrawal.
#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalDone {
    /// Exchange.
    pub exchange: Exchange,
    /// The asset.
    pub asset: String,
    /// Free balance left.
    #[schema(value_type = String)]
    pub free: Decimal,
    /// Balance held by open orders (a withdrawal never takes it).
    #[schema(value_type = String)]
    pub locked: Decimal,
}

/// Withdraw funds from the caller's paper account, as a withdrawal outside botfleet would on a
/// real exchange (only from the free balance; what open orders lock stays).
#[utoipa::path(
    tag = TAG,
    request_body = WithdrawalRequest,
    responses(
        (status = 200, description = "Withdrawn", body = WithdrawalDone),
        (status = 404, description = "Paper control is off on this server", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown exchange or asset, an amount out of bounds, or more than the free balance", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/paper/withdrawals")]
pub async fn paper_withdrawal(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<WithdrawalRequest>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.exchanges.paper_control {
        return Err(ApiError::not_found("route"));
    }
    let exchange = body
        .exchange
        .parse::<ExchangeId>()
        .map_err(|e| ApiError::field("exchange", application::FieldCode::UnknownExchange, e.to_string()))?;
    let asset = Asset::new(&body.asset)
        .map_err(|e| ApiError::field("asset", application::FieldCode::InvalidAsset, e.to_string()))?;
    let amount = bounded(&body.amount, "amount", AMOUNT)?;
    let paper = state.paper.get(&exchange).ok_or(ApiError::not_found("exchange"))?;
    let creds = paper_credentials(auth.0.user_id);
    let left = paper.withdraw(&creds, asset.as_str(), amount).await.map_err(|err| match err {
        ExchangeError::Filter(_) => {
            ApiError::field("amount", application::FieldCode::NotPositive, "must be greater than zero")
        }
        ExchangeError::InsufficientBalance => {
            ApiError::field("amount", application::FieldCode::InsufficientBalance, "more than the free balance")
        }
        other => application::exchanges::exchange_error(other).into(),
    })?;
    Ok(HttpResponse::Ok().json(WithdrawalDone {
        exchange: exchange.into(),
        asset: left.asset,
        free: left.free,
        locked: left.locked,
    }))
}

crate::opaque_debug!(SetPriceRequest);
crate::opaque_debug!(WithdrawalRequest);
