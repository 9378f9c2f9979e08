//! `POST /api/bots/{id}/buy` and `/sell`: its owner's orders through a SmartBot. They go through
//! the bot's own rules and the placement protocol of its automatic orders: a buy becomes one of
//! its positions, a sale closes what it sells; both count for its circuit breaker.

use actix_web::{post, web, HttpRequest, HttpResponse};
use application::bots::{BotCommandInput, Commanded};
use application::orders::{amount_refusals, OrderAmounts};
use domain::exchange::OrderSide;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::dto::BotResponse;
use super::TAG;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::routes::common::validated;
use crate::routes::decimal::DecimalInput;
use crate::routes::orders::{idempotency_key_of, OrderResponse, IDEMPOTENT_REPLAYED};
use crate::routes::wire::{Id, OrderType};
use crate::state::AppState;
use domain::shared::ids::{BotId, PositionId};

/// An order through a bot. A buy gives `quantity`, or `quote_amount` at market; a sale gives
/// `position_id` (all of it, floored to the market's step, or `quantity` of it) or, at market,
/// a `quantity` of everything the bot holds. A limit order needs `price`. Nothing else is
/// rounded: values off the market's tick or step are refused with the nearest valid ones.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotOrderRequest {
    /// `market` or `limit`.
    #[serde(rename = "type")]
    #[schema(value_type = OrderType, example = "market")]
    pub order_type: Parsed<domain::exchange::OrderType>,
    /// Base quantity, a decimal string on the market's step, above 0 and at most 10000000000000
    /// with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "0.001", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.[0-9]*[1-9])(?:[0-9]{1,13}(?:\.[0-9]{1,18})?|10000000000000(?:\.0{1,18})?)$")]
    pub quantity: Option<DecimalInput>,
    /// Quote amount to spend, instead of `quantity` (market buys only), above 0 and at most
    /// 1000000000000000 with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "100", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.[0-9]*[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub quote_amount: Option<DecimalInput>,
    /// Limit price on the market's tick (limit orders only), from 0.000000000001 to
    /// 1000000000000000 with at most 18 decimal places.
    #[schema(value_type = Option<String>, example = "300000", pattern = r"^(?=[0-9]*[1-9]|[0-9]*\.0{0,11}[1-9])(?:[0-9]{1,15}(?:\.[0-9]{1,18})?|1000000000000000(?:\.0{1,18})?)$")]
    pub price: Option<DecimalInput>,
    /// Sales only: the position sold (required for a limit sale).
    #[schema(value_type = Option<Id>)]
    pub position_id: Option<Parsed<PositionId>>,
}

crate::opaque_debug!(BotOrderRequest);

/// What a command placed and the bot after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotOrderResponse {
    /// The order: `filled` (a market order on the paper exchange), `new` (resting), `rejected`
    /// with the exchange's reason, or `pending` when the exchange's answer was lost (sync
    /// resolves it).
    pub order: OrderResponse,
    /// The bot as stored after it (its books, positions and breaker).
    pub bot: BotResponse,
}

async fn command(
    state: &AppState,
    user: domain::shared::ids::UserId,
    (id, req, body): (BotId, &HttpRequest, BotOrderRequest),
    side: OrderSide,
) -> Result<HttpResponse, ApiError> {
    let b = validated(body)?;
    let [quantity, quote_amount, price] = crate::routes::decimal::parse_all([
        ("quantity", b.quantity.as_ref()),
        ("quote_amount", b.quote_amount.as_ref()),
        ("price", b.price.as_ref()),
    ])?;
    let mut check = FieldCheck::default();
    let order_type = check.required("type", b.order_type);
    let sized = quantity.is_some() || quote_amount.is_some() || b.position_id.is_none();
    let position_id = check.optional("position_id", b.position_id);
    if order_type.is_none() && sized {
        // Named with the type: what the amounts break besides (a whole position's sale has none).
        check.extend(amount_refusals(Some(side), None, OrderAmounts { quantity, quote_amount, price }));
    }
    let order_type = check.finish(order_type)?;
    let input = BotCommandInput {
        order_type,
        quantity,
        quote_amount,
        price,
        position_id,
        idempotency_key: idempotency_key_of(req)?,
    };
    let Commanded { bot, order, replayed } = match side {
        OrderSide::Buy => state.bots.buy(user, id, input).await?,
        OrderSide::Sell => state.bots.sell(user, id, input).await?,
    };
    let body = BotOrderResponse { order: OrderResponse::from(order), bot: BotResponse::from(bot) };
    if replayed {
        return Ok(HttpResponse::Ok().insert_header((IDEMPOTENT_REPLAYED, "true")).json(body));
    }
    Ok(HttpResponse::Created().json(body))
}

/// Buy through a SmartBot now (any mode; a manual-mode SmartBot buys only this way). The buy
/// passes the bot's entry rules (running, breaker not tripped, soft stop not halting buys, the
/// sanity check, `max_open_positions`, `max_entry_price`), blocks its quote in the bot's books, and becomes
/// one of its positions, guarded by its risk rules. With an `Idempotency-Key`, a repeated
/// request answers the order the first one placed (200, `Idempotent-Replayed: true`). A refused
/// field is named with its code (`insufficient_bot_funds`, `above_max_entry_price`, the market's
/// `off_tick`, `off_step`, `below_min_quantity`, `above_max_quantity`, `below_min_notional`;
/// `not_allowed`, `required`, `invalid`).
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = Id, Path, description = "Bot id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "1-255 printable ASCII characters, no spaces; repeating it returns the same order"),
    ),
    request_body = BotOrderRequest,
    responses(
        (status = 201, description = "Stored and sent", body = BotOrderResponse),
        (status = 200, description = "Placed earlier under the same Idempotency-Key", body = BotOrderResponse),
    )
)]
#[post("/api/bots/{id}/buy")]
pub async fn buy(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    req: HttpRequest,
    body: TrackedJson<BotOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    command(&state, auth.0.user_id, (*id, &req, body.into_inner()), OrderSide::Buy).await
}

/// Sell through a SmartBot now (running, paused or tripped): a position, part of it, or at
/// market a quantity of everything it holds (dust first, then the positions oldest first). The
/// sale closes each position it empties, with exit reason `manual`, and its result counts for
/// the circuit breaker as any trade does. With an `Idempotency-Key`, a repeated request answers
/// the order the first one placed (200, `Idempotent-Replayed: true`). A refused field is named
/// with its code (`insufficient_holdings`, `position_not_found`, the market's `off_tick`,
/// `off_step`, `below_min_quantity`, `above_max_quantity`, `below_min_notional`; `not_allowed`,
/// `required`, `invalid`).
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = Id, Path, description = "Bot id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "1-255 printable ASCII characters, no spaces; repeating it returns the same order"),
    ),
    request_body = BotOrderRequest,
    responses(
        (status = 201, description = "Stored and sent", body = BotOrderResponse),
        (status = 200, description = "Placed earlier under the same Idempotency-Key", body = BotOrderResponse),
    )
)]
#[post("/api/bots/{id}/sell")]
pub async fn sell(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    req: HttpRequest,
    body: TrackedJson<BotOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    command(&state, auth.0.user_id, (*id, &req, body.into_inner()), OrderSide::Sell).await
}
