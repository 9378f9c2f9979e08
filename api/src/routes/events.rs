//! `/api/events`: the live stream of the caller's events (Server-Sent Events) and the
//! single-use tickets a browser opens it with (`EventSource` cannot send an `Authorization`
//! header, and the access token must never appear in a URL).

use std::convert::Infallible;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, post, web, FromRequest as _, HttpRequest, HttpResponse};
use application::notifications::StreamItem;
use application::{FieldCode, FieldError};
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::notifications::inbox::NotificationResponse;
use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorCode};
use crate::query::Query;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "events";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The live stream of the caller's events (Server-Sent Events) and its single-use tickets.",
    configure,
};

/// The header a reconnecting `EventSource` sends with the last `id:` it received.
pub const LAST_EVENT_ID: &str = "Last-Event-ID";

/// What the stream sends first: the reconnection delay a client should wait (milliseconds) and a
/// comment, so the client sees the stream open at once.
const PREAMBLE: &[u8] = b"retry: 3000\n: connected\n\n";

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_stream_ticket).service(event_stream);
}

/// A ticket to open the live stream with.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamTicketResponse {
    /// Pass it as `GET /api/events/stream?ticket=…` within 30 seconds; it works once.
    pub ticket: String,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// How to open the stream.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// A ticket from `POST /api/events/ticket` (browsers); without one, send
    /// `Authorization: Bearer <access token>`.
    #[param(min_length = 1, max_length = 512)]
    pub ticket: Option<String>,
    /// Resume after this event's `seq` (as the `Last-Event-ID` header, which wins when both are
    /// sent); without either, the stream starts with the next event.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub last_event_id: Option<u64>,
}

/// A single-use ticket that opens the caller's live stream within 30 seconds. Browsers use it
/// because `EventSource` cannot send the `Authorization` header; the access token itself must
/// never be put in a URL.
#[utoipa::path(
    tag = TAG,
    responses((status = 201, description = "A new ticket", body = StreamTicketResponse))
)]
#[post("/api/events/ticket")]
pub async fn create_stream_ticket(state: web::Data<AppState>, auth: Authenticated) -> HttpResponse {
    let ticket = state.stream_tickets.issue(auth.0.user_id);
    HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(StreamTicketResponse { ticket: ticket.value, expires_at: ticket.expires_at })
}

/// The caller's events as they happen, as Server-Sent Events: each is `id: <seq>`,
/// `event: <type>` and `data: <the notification JSON>` (every event of the user: preferences do
/// not filter the stream). A comment line (`: heartbeat`) comes after 15 seconds of silence.
/// After a reconnect the stream resumes after `Last-Event-ID` (or `?last_event_id=`), so nothing
/// is missed or repeated. Authenticate with `?ticket=` (from `POST /api/events/ticket`) or the
/// `Authorization` header. At most 5 streams per user and instance (429 `too_many_streams`).
#[utoipa::path(
    tag = TAG,
    params(
        StreamParams,
        ("Last-Event-ID" = Option<u64>, Header, nullable = false, minimum = 0, maximum = 9_223_372_036_854_775_807_u64, description = "The last `id:` received; the stream resumes after it"),
    ),
    responses((
        status = 200,
        description = "An endless `text/event-stream`; each event's `data` is a notification",
        content_type = "text/event-stream",
        body = NotificationResponse,
    ))
)]
#[get("/api/events/stream")]
pub async fn event_stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: Query<StreamParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let user = match params.ticket.as_deref() {
        Some(ticket) => state.stream_tickets.redeem(ticket).await?,
        None => Authenticated::from_request(&req, &mut Payload::None).await?.0.user_id,
    };
    let last_seen = last_event_id(&req)?.or(in_range("last_event_id", params.last_event_id)?);
    let events = state.event_streams.open(user, last_seen).await?;
    let frames =
        futures::stream::once(async { Bytes::from_static(PREAMBLE) }).chain(events.map(frame)).map(Ok::<_, Infallible>);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        // Tells nginx-like proxies not to buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(frames))
}

/// The `Last-Event-ID` header as a `seq`; a value that is not one is a 400 naming the header.
fn last_event_id(req: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(LAST_EVENT_ID) else { return Ok(None) };
    let seq = value.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|s| i64::try_from(*s).is_ok());
    let seq =
        seq.ok_or_else(|| {
            let message = "must be the `id` of an event received, a whole number";
            ApiError::new(ErrorCode::BadRequest, format!("{LAST_EVENT_ID} {message}"))
                .with_errors(vec![FieldError::new(LAST_EVENT_ID, FieldCode::InvalidValue, message)])
        })?;
    Ok(Some(seq))
}

/// `seq` when a stored `seq` can be it (the schema's `int64`); a larger one is a 400 naming `field`.
fn in_range(field: &str, seq: Option<u64>) -> Result<Option<u64>, ApiError> {
    match seq {
        Some(s) if i64::try_from(s).is_err() => {
            let message = "must be the `id` of an event received, at most 9223372036854775807";
            Err(ApiError::new(ErrorCode::BadRequest, format!("{field} {message}")).with_errors(vec![FieldError::new(
                field,
                FieldCode::InvalidValue,
                message,
            )]))
        }
        _ => Ok(seq),
    }
}

/// One item as an SSE frame.
fn frame(item: StreamItem) -> Bytes {
    match item {
        StreamItem::Heartbeat => Bytes::from_static(b": heartbeat\n\n"),
        StreamItem::Event(stored) => {
            let (seq, event_type) = (stored.seq, stored.event.event_type());
            // serde_json writes one line: newlines inside strings are escaped.
            let data = serde_json::to_string(&NotificationResponse::from(*stored)).unwrap_or_else(|_| "{}".to_owned());
            Bytes::from(format!("id: {seq}\nevent: {event_type}\ndata: {data}\n\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::notifications::{Event, EventPayload, PlanLimitData, StoredEvent};
    use domain::shared::ids::UserId;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_event_is_one_frame_with_its_seq_type_and_json() {
        let data = PlanLimitData { plan: "free".into(), limit: "bots\nline".into(), max: Some(1), upgrade_to: None };
        let event = Event::new(UserId::new(), EventPayload::PlanLimitReached(data), datetime!(2026-12-04 10:00 UTC));
        let frame = frame(StreamItem::Event(Box::new(StoredEvent { event, seq: 42, read_at: None })));
        let text = std::str::from_utf8(&frame).unwrap();

        let lines: Vec<_> = text.strip_suffix("\n\n").unwrap().split('\n').collect();
        assert_eq!(&lines[..2], ["id: 42", "event: plan.limit_reached"]);
        let json: serde_json::Value = serde_json::from_str(lines[2].strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!((json["seq"].as_u64(), json["type"].as_str()), (Some(42), Some("plan.limit_reached")));
        assert_eq!(json["data"]["limit"], "bots\nline");
        assert_eq!(lines.len(), 3, "a newline in the data never splits the frame");
    }

    #[test]
    fn a_heartbeat_is_a_comment() {
        assert_eq!(&frame(StreamItem::Heartbeat)[..], b": heartbeat\n\n");
    }
}
