//! `/api/orders`: every order of the caller (manual, placed by a bot, adopted), filtered and
//! paged; manual orders in a context; cancellation.

mod dto;
mod instant;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use application::orders::{amount_refusals, CreateOrderInput, OrderAmounts, OrderListQuery, OrderRequest};
use application::reports::Windowed;
use domain::orders::Order;
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::*;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorCode, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::query::Query;
use crate::rendered::RenderedEach;
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
    page_response(&state, orders_page(&state, &auth, params.into_inner()).await?)
}

/// Bytes reserved per order of a page's JSON: most orders take 600 to 700 (more with a creation
/// context), so the body is written without growing its buffer several times over.
const BYTES_PER_ORDER: usize = 768;

/// How `HistoryPage`'s JSON opens when it has no item.
const EMPTY_ITEMS: &[u8] = br#"{"items":[]"#;

/// A page as `application/json` (see [`page_body`]).
fn page_response(state: &AppState, read: Windowed<Order>) -> Result<HttpResponse, ApiError> {
    let body = page_body(&state.order_json, read).map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// The JSON of `HistoryPage<OrderResponse>`, byte for byte, with each order's JSON from
/// `rendered` (rendered again only for an order that changed), into a buffer sized for it.
fn page_body(rendered: &RenderedEach<OrderId, Order>, read: Windowed<Order>) -> serde_json::Result<Vec<u8>> {
    let Windowed { page, window } = read;
    let mut body = Vec::with_capacity(256 + BYTES_PER_ORDER * page.items.len());
    body.extend_from_slice(br#"{"items":["#);
    for (n, order) in page.items.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&rendered.json(order.id, order, OrderResponse::from)?);
    }
    body.push(b']');
    // The rest is `HistoryPage`'s own JSON, written with no item: `{"items":[],"total":...}`
    // after its opening `{"items":[]`.
    let rest = HistoryPage::<OrderResponse> {
        items: Vec::new(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
        history_window: window.into(),
    };
    let rest = serde_json::to_vec(&rest)?;
    body.extend_from_slice(rest.get(EMPTY_ITEMS.len()..).unwrap_or_default());
    Ok(body)
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
    page_response(&state, orders_page(&state, &auth, params.into_inner()).await?)
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

async fn orders_page(state: &AppState, auth: &Authenticated, p: OrderListParams) -> Result<Windowed<Order>, ApiError> {
    let page = page_of(p.offset, p.limit)?;
    let query = order_query(p)?;
    Ok(state.orders.list(auth.0.user_id, &query, page).await?)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use domain::exchange::{ExchangeId, OrderKind, OrderSide, OrderSize};
    use domain::market::Symbol;
    use domain::orders::{CreationContext, MarketConditions, NewOrder, OrderFill, OrderStatus, StrategySource};
    use domain::shared::ids::{BotId, ContextId, UserId};
    use domain::subscriptions::HistoryWindow;
    use domain::Page;
    use rust_decimal::Decimal;
    use time::macros::datetime;

    use super::*;

    fn order(minute: i64, reason: &str) -> Order {
        let new = NewOrder {
            user_id: UserId::new(),
            context_id: ContextId::new(),
            exchange: ExchangeId::Binance,
            symbol: Symbol::parse("BTC-BRL").unwrap(),
            bot_id: Some(BotId::new()),
            source: StrategySource::Smart,
            side: OrderSide::Buy,
            kind: OrderKind::Limit { price: Decimal::new(3_000_001, 1) },
            size: OrderSize::Quantity(Decimal::new(5, 1)),
            creation: CreationContext {
                parameters: BTreeMap::from([("rsi \"period\"".to_owned(), "14\n".to_owned())]),
                indicators: BTreeMap::from([("rsi".to_owned(), Decimal::new(3125, 2))]),
                market: Some(MarketConditions {
                    best_bid: Decimal::new(299_990, 0),
                    best_ask: Decimal::new(300_010, 0),
                    spread: Decimal::new(20, 0),
                    spread_percent: Decimal::new(667, 5),
                }),
            },
            reason: Some(reason.to_owned()),
        };
        let mut order = Order::new(new, datetime!(2026-12-05 10:00 UTC) + time::Duration::minutes(minute)).unwrap();
        order.status = OrderStatus::PartiallyFilled;
        order.fills.push(OrderFill {
            trade_id: "t-1".into(),
            price: Decimal::new(300_000, 0),
            quantity: Decimal::new(2, 1),
            fee: Decimal::new(2, 4),
            fee_asset: "BTC".into(),
            at: Some(datetime!(2026-12-05 10:00:01.5 UTC)),
        });
        order
    }

    fn read(items: Vec<Order>) -> Windowed<Order> {
        let window = HistoryWindow { days: Some(30), from: Some(datetime!(2026-11-05 10:00:00.123456789 UTC)) };
        Windowed { page: Page { total: 120, offset: 50, limit: 50, items }, window }
    }

    #[test]
    fn the_page_is_the_history_pages_json_byte_for_byte() {
        let rendered = RenderedEach::default();
        let pages = [vec![], vec![order(1, "first")], vec![order(2, "a \"quoted\" é"), order(1, "x"), order(0, "")]];
        for items in pages {
            let expected = serde_json::to_vec(&HistoryPage::<OrderResponse>::from(read(items.clone()))).unwrap();
            // Twice: rendered, then from memory.
            for _ in 0..2 {
                let body = page_body(&rendered, read(items.clone())).unwrap();
                assert_eq!(String::from_utf8(body).unwrap(), String::from_utf8(expected.clone()).unwrap());
            }
        }
    }

    #[test]
    fn an_order_that_changed_is_rendered_again() {
        let rendered = RenderedEach::default();
        let before = order(1, "first");
        page_body(&rendered, read(vec![before.clone()])).unwrap();
        let after = Order { status: OrderStatus::Filled, version: before.version + 1, ..before };
        let body = String::from_utf8(page_body(&rendered, read(vec![after])).unwrap()).unwrap();
        assert!(body.contains(r#""status":"filled""#), "{body}");
    }
}
