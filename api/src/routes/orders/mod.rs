//! `/api/orders`: every order of the caller (manual, placed by a bot, adopted), filtered and
//! paged; manual orders in a context; cancellation.

mod dto;
mod instant;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use application::orders::{amount_refusals, CreateOrderInput, OrderAmounts, OrderListQuery, OrderRequest};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::*;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorCode, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{page_of, validated};
use crate::routes::page::HistoryPage;
use crate::routes::wire::Id;
use crate::state::AppState;
use domain::shared::ids::OrderId;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "orders";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Orders: history of every order (manual and bots'), manual orders in a context, cancellation.",
    configure,
};

/// The request header that makes `POST /api/orders` idempotent.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The response header that marks an answer replayed for a repeated `Idempotency-Key`.
pub const IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";

/// The request's `Idempotency-Key`, if any (checked further by the use case). Errors: 400
/// `invalid_idempotency_key` when it is not ASCII.
pub(crate) fn idempotency_key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value
        .to_str()
        .map_err(|_| ApiError::new(ErrorCode::InvalidIdempotencyKey, "the Idempotency-Key must be printable ASCII"))?;
    Ok(Some(key.to_owned()))
}

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_orders).service(dashboard_orders).service(get_order).service(create_order).service(cancel_order);
}

/// The caller's orders, newest first, filtered by context, bot, statuses, side, strategy source
/// and creation time, inside their plan's history window (FREE 30 days, PRO 90, MAX all): an
/// earlier `from` is moved up to the window's start, which `history_window` says.
#[utoipa::path(
    tag = TAG,
    params(OrderListParams),
    responses(
        (status = 200, description = "A page of orders", body = HistoryPage<OrderResponse>),
    )
)]
#[get("/api/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<OrderListParams>,
) -> Result<HttpResponse, ApiError> {
    page_response(&orders_page(&state, &auth, params.into_inner()).await?)
}

/// Bytes reserved per order of a page's JSON: most orders take 600 to 700 (more with a creation
/// context), so the body is written without growing its buffer several times over.
const BYTES_PER_ORDER: usize = 768;

/// A page as `application/json` (as `HttpResponse::json` writes it), into a buffer sized for it.
fn page_response(list: &HistoryPage<OrderResponse>) -> Result<HttpResponse, ApiError> {
    let mut body = Vec::with_capacity(256 + BYTES_PER_ORDER * list.items.len());
    serde_json::to_writer(&mut body, list).map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// The dashboard's recent orders across every context: the same filters, paging and history
/// window as `GET /api/orders`.
#[utoipa::path(
    tag = TAG,
    params(OrderListParams),
    responses(
        (status = 200, description = "A page of orders, newest first", body = HistoryPage<OrderResponse>),
    )
)]
#[get("/api/dashboard/orders")]
pub async fn dashboard_orders(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<OrderListParams>,
) -> Result<HttpResponse, ApiError> {
    page_response(&orders_page(&state, &auth, params.into_inner()).await?)
}

/// The use case's query of the list parameters, each typed; a malformed one is a 422 naming it.
/// A blank filter is refused rather than read as absent (400 `invalid_query`): the spec gives
/// each filter a form (an id, a status list, an instant) that an empty value does not have.
pub(crate) fn order_query(p: OrderListParams) -> Result<OrderListQuery, ApiError> {
    crate::routes::common::refuse_blank(&[
        ("context_id", p.context_id.as_ref().is_some_and(Parsed::is_blank)),
        ("bot_id", p.bot_id.as_ref().is_some_and(Parsed::is_blank)),
        ("status", p.status.as_ref().is_some_and(Parsed::is_blank)),
        ("side", p.side.as_ref().is_some_and(Parsed::is_blank)),
        ("source", p.source.as_ref().is_some_and(Parsed::is_blank)),
        ("from", p.from.as_ref().is_some_and(Parsed::is_blank)),
        ("to", p.to.as_ref().is_some_and(Parsed::is_blank)),
    ])?;
    let mut check = FieldCheck::default();
    let query = OrderListQuery {
        context: check.optional("context_id", p.context_id),
        bot: check.optional("bot_id", p.bot_id),
        status: check.optional("status", p.status).unwrap_or_default(),
        side: check.optional("side", p.side),
        source: check.optional("source", p.source),
        from: check.optional("from", p.from),
        to: check.optional("to", p.to),
    };
    check.finish(Some(query))
}

async fn orders_page(
    state: &AppState,
    auth: &Authenticated,
    p: OrderListParams,
) -> Result<HistoryPage<OrderResponse>, ApiError> {
    let page = page_of(p.offset, p.limit)?;
    let query = order_query(p)?;
    Ok(HistoryPage::<OrderResponse>::from(state.orders.list(auth.0.user_id, &query, page).await?))
}

/// One of the caller's orders, whole: request, fills, fees, creation context, error.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Order id")),
    responses(
        (status = 200, description = "The order", body = OrderResponse),
    )
)]
#[get("/api/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<OrderId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(OrderResponse::from(state.orders.get(auth.0.user_id, *id).await?)))
}

/// Place a manual order in one of the caller's contexts. It is checked against the market's
/// filters (tick, step, minimum and maximum quantity, minimum notional: nothing is rounded) and
/// the free balance after what the context's running bots may still use, stored, then sent. The
/// answer is the order as stored: `filled` (a market order on the paper exchange), `new`,
/// `rejected` with the exchange's reason, or `pending` when the exchange's answer was lost (sync
/// resolves it). With an `Idempotency-Key`, a repeated request answers the order the first one
/// placed (200, `Idempotent-Replayed: true`) and places nothing. A refused field is named with
/// its code (`off_tick`, `off_step`, `below_min_quantity`, `above_max_quantity`,
/// `below_min_notional`, `insufficient_balance`, `not_allowed`, `required`, `invalid`) and the
/// nearest valid value.
#[utoipa::path(
    tag = TAG,
    params((
        "Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
        description = "1-255 printable ASCII characters, no spaces; repeating it returns the same order"
    )),
    request_body = CreateOrderRequest,
    responses(
        (status = 201, description = "Stored and sent", body = OrderResponse),
        (status = 200, description = "Placed earlier under the same Idempotency-Key", body = OrderResponse),
    )
)]
#[post("/api/orders")]
pub async fn create_order(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<CreateOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = validated(body.into_inner())?;
    let idempotency_key = idempotency_key_of(&req)?;
    let [quantity, quote_amount, price] = crate::routes::decimal::parse_all([
        ("quantity", b.quantity.as_ref()),
        ("quote_amount", b.quote_amount.as_ref()),
        ("price", b.price.as_ref()),
    ])?;
    let mut check = FieldCheck::default();
    let context_id = check.required("context_id", b.context_id);
    let side = check.required("side", b.side);
    let order_type = check.required("type", b.order_type);
    if side.is_none() || order_type.is_none() {
        // Named with the side or type: what the amounts break besides.
        check.extend(amount_refusals(side, order_type, OrderAmounts { quantity, quote_amount, price }));
    }
    let (context_id, (side, order_type)) = check.finish(context_id.zip(side.zip(order_type)))?;
    let request = OrderRequest { side, order_type, quantity, quote_amount, price, idempotency_key };
    let input = CreateOrderInput { context_id, request };
    let placed = state.orders.create(auth.0.user_id, input).await?;
    let body = OrderResponse::from(placed.order);
    if placed.replayed {
        return Ok(HttpResponse::Ok().insert_header((IDEMPOTENT_REPLAYED, "true")).json(body));
    }
    Ok(HttpResponse::Created().json(body))
}

/// Cancel one of the caller's open orders (manual or a bot's: the bot's blocked funds are
/// released at once). Answers the order as the exchange left it: `canceled` (with what filled
/// before), or `filled` when the fills won the race.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Order id")),
    responses(
        (status = 200, description = "Cancelled (or ended before the cancellation)", body = OrderResponse),
    )
)]
#[delete("/api/orders/{id}")]
pub async fn cancel_order(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<OrderId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(OrderResponse::from(state.orders.cancel(auth.0.user_id, *id).await?)))
}
