//! The in-app inbox: the caller's notifications (their events of the types their preferences put
//! on `in_app`), newest first, with the unread count; marking one or all read.

use actix_web::{get, post, web, HttpResponse};
use application::notifications::{InboxPage, InboxQuery};
use domain::notifications::{EventPayload, EventType, StoredEvent};
use domain::shared::ids::EventId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{invalid_query, page_of};
use crate::routes::wire::Id;
use crate::routes::RouteModule;
use crate::state::AppState;

/// The OpenAPI tag of the inbox and preference routes.
pub const TAG: &str = "notifications";

/// The inbox and preference routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "In-app notifications (list, unread count, mark read) and the channels each event type goes to.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_notifications)
        .service(unread_count)
        .service(mark_all_notifications_read)
        .service(mark_notification_read);
    super::preferences::configure(cfg);
}

/// One of the user's events: the event (`id`, `at`, `type`, `data`) with its place in the log
/// and whether it was read. The live stream sends the same object.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    /// The event's id (a ULID); every channel's deliveries of it carry it.
    #[schema(example = "01JEX4V0AT0PZ9QF5Q8W3B7K2M")]
    pub id: String,
    /// Its place in the log of events: increasing in the order events were stored (the live
    /// stream's event id).
    pub seq: u64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// What happened: `type` and its `data`.
    #[serde(flatten)]
    pub payload: EventPayload,
    /// When the user marked it read; `null` while unread.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<OffsetDateTime>,
}

impl From<StoredEvent> for NotificationResponse {
    fn from(s: StoredEvent) -> Self {
        Self { id: s.event.id.to_string(), seq: s.seq, at: s.event.at, payload: s.event.payload, read_at: s.read_at }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// The page.
    pub items: Vec<NotificationResponse>,
    /// How many match the filter in all.
    pub total: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// The page size applied.
    pub limit: u64,
    /// Unread notifications in the inbox (whatever the filter).
    pub unread_count: u64,
}

impl From<InboxPage> for NotificationList {
    fn from(read: InboxPage) -> Self {
        let page = read.page;
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
            unread_count: read.unread_count,
        }
    }
}

/// The inbox's filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListParams {
    /// Only the unread ones (`true`), or every one (`false`, the default).
    pub unread: Option<bool>,
    /// Only notifications of this event type.
    #[param(value_type = Option<EventType>)]
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// How many of the inbox's notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread_count: u64,
}

/// What marking everything read changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications were unread and are read now.
    pub marked: u64,
}

/// The caller's notifications, newest first: their events of the types their preferences put
/// on `in_app` (see `GET /api/notifications/preferences`), with the unread count.
#[utoipa::path(
    tag = TAG,
    params(NotificationListParams),
    responses((status = 200, description = "A page of notifications", body = NotificationList))
)]
#[get("/api/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<NotificationListParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let page = page_of(p.offset, p.limit)?;
    let types = match p.event_type.as_deref() {
        None => None,
        Some(name) => Some(vec![EventType::parse(name).ok_or_else(|| invalid_query("type", "not an event type"))?]),
    };
    let query = InboxQuery { unread_only: p.unread.unwrap_or(false), types };
    let read = state.inbox.list(auth.0.user_id, &query, page).await?;
    Ok(HttpResponse::Ok().json(NotificationList::from(read)))
}

/// How many of the caller's in-app notifications are unread (a badge's figure).
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The unread count", body = UnreadCount))
)]
#[get("/api/notifications/unread-count")]
pub async fn unread_count(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let unread_count = state.inbox.unread_count(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(UnreadCount { unread_count }))
}

/// Mark one of the caller's notifications read (again is harmless: it keeps its first
/// `read_at`). Another user's id is 404.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Notification (event) id")),
    responses((status = 200, description = "The notification, read", body = NotificationResponse))
)]
#[post("/api/notifications/{id}/read")]
pub async fn mark_notification_read(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<EventId>,
) -> Result<HttpResponse, ApiError> {
    let read = state.inbox.mark_read(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(NotificationResponse::from(read)))
}

/// Mark every unread notification of the caller's read.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "How many were marked", body = MarkedRead))
)]
#[post("/api/notifications/read-all")]
pub async fn mark_all_notifications_read(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let marked = state.inbox.mark_all_read(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(MarkedRead { marked }))
}
