//! `GET /api/users/me/export` (LGPD portability): one JSON document holding everything botfleet
//! stores about the caller, secrets excluded, streamed section by section. Each collection is
//! read one page at a time and written in chunks, so memory stays flat whatever the account
//! holds. The body is documented field by field by [`UserExportDocument`] (and in
//! `docs/privacy.md`). Should a read fail midway, the connection is cut before the closing brace:
//! the document is then invalid JSON, never silently incomplete.

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use application::identity::EXPORT_PAGE;
use application::Unexpected;
use domain::bots::BotEvent;
use domain::shared::ids::UserId;
use domain::PageRequest;
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::auth::UserResponse;
use crate::routes::bots::{BotResponse, PositionResponse};
use crate::routes::common::request_meta;
use crate::routes::contexts::{ContextResponse, ContextSignalResponse};
use crate::routes::credentials::CredentialResponse;
use crate::routes::legal::ConsentEntryResponse;
use crate::routes::notifications::inbox::NotificationResponse;
use crate::routes::notifications::preferences::PreferencesResponse;
use crate::routes::orders::OrderResponse;
use crate::routes::subscriptions::SubscriptionResponse;
use crate::routes::webhook_endpoints::EndpointResponse;
use crate::state::AppState;

mod records;

pub use records::*;

/// The `format` of the document; bumped when a field changes meaning.
pub const EXPORT_FORMAT: &str = "botfleet-export/1";

/// Bytes buffered before a chunk is sent.
const CHUNK: usize = 64 * 1024;

/// The export document, as streamed (sections in this order). Every list holds all items.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // Documents the streamed body in the OpenAPI schema; never built whole.
pub struct UserExportDocument {
    /// `botfleet-export/1`.
    pub format: String,
    /// When this export was made.
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: String,
    /// Account, plan and consent flags.
    pub profile: UserResponse,
    /// The consents now (the newest history entry).
    pub consents: ConsentEntryResponse,
    /// Every consent change, newest first, with time, client IP and user agent.
    pub consent_history: Vec<ConsentEntryResponse>,
    /// Exchange credentials: metadata only, never keys nor secrets.
    pub credentials: Vec<CredentialResponse>,
    /// Plan, billing state and usage.
    pub subscription: SubscriptionResponse,
    /// Payment-provider events about the user, newest first.
    pub payments: Vec<PaymentExport>,
    /// Trading contexts.
    pub contexts: Vec<ContextResponse>,
    /// Signals recorded for the contexts, newest candle first per context.
    pub context_signals: Vec<ContextSignalResponse>,
    /// Bots with their configs, states, funds, breakers and open positions.
    pub bots: Vec<BotResponse>,
    /// Every position of every bot: open and scheduled ones, then closed ones newest first.
    pub positions: Vec<PositionExport>,
    /// DCA executions of every bot, newest first.
    pub executions: Vec<BotRecordExport>,
    /// Candle analyses of every bot, newest first.
    pub signals: Vec<BotRecordExport>,
    /// The bots' other events (breaker trips, soft stops, scheduled sales, ignored ticks, ends).
    pub bot_events: Vec<BotRecordExport>,
    /// Every order, manual or placed by a bot, newest first.
    pub orders: Vec<OrderResponse>,
    /// Login sessions, without tokens.
    pub sessions: Vec<SessionExport>,
    /// The audit trail of sensitive actions, newest first.
    pub audit: Vec<AuditExport>,
    /// Conversations with the assistant, most recently active first.
    pub assistant_conversations: Vec<crate::routes::assistant::ConversationResponse>,
    /// Every message to and from the assistant, oldest first.
    pub assistant_messages: Vec<crate::routes::assistant::MessageResponse>,
    /// Every event of the user (the in-app notifications), newest first, read or not, whatever
    /// the preferences.
    pub notifications: Vec<NotificationResponse>,
    /// The notification preferences: channels per event type (defaults included).
    pub notification_preferences: PreferencesResponse,
    /// Outbound webhook endpoints, oldest first, never with their signing secrets.
    pub webhook_endpoints: Vec<EndpointResponse>,
    /// The linked Telegram chat; `null` when none is linked.
    pub telegram: Option<TelegramExport>,
}

/// Writes JSON into chunks sent to the response as they fill.
struct Writer {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
    first_field: bool,
    first_item: bool,
}

impl Writer {
    async fn flush(&mut self, force: bool) -> Result<(), Unexpected> {
        if self.buf.len() >= CHUNK || (force && !self.buf.is_empty()) {
            let chunk = Bytes::from(std::mem::take(&mut self.buf));
            self.tx.send(Ok(chunk)).await.map_err(|_| Unexpected::Internal(anyhow::anyhow!("the client went away")))?;
        }
        Ok(())
    }

    fn key(&mut self, name: &str) {
        self.buf.extend_from_slice(if self.first_field { b"{\"" } else { b",\"" });
        self.first_field = false;
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    async fn field<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), Unexpected> {
        self.key(name);
        serde_json::to_writer(&mut self.buf, value).map_err(|e| Unexpected::Internal(e.into()))?;
        self.flush(false).await
    }

    fn open(&mut self, name: &str) {
        self.key(name);
        self.buf.push(b'[');
        self.first_item = true;
    }

    async fn item<T: Serialize>(&mut self, value: &T) -> Result<(), Unexpected> {
        if !self.first_item {
            self.buf.push(b',');
        }
        self.first_item = false;
        serde_json::to_writer(&mut self.buf, value).map_err(|e| Unexpected::Internal(e.into()))?;
        self.flush(false).await
    }

    fn close(&mut self) {
        self.buf.push(b']');
    }
}

/// Runs `$body` for each item of every page `$fetch` (an expression of `$offset`) answers.
macro_rules! each {
    ($item:ident in |$offset:ident| $fetch:expr => $body:block) => {{
        let mut $offset: u64 = 0;
        loop {
            let page = $fetch.await?;
            let count = page.items.len() as u64;
            for $item in page.items $body
            $offset += count;
            if count < EXPORT_PAGE {
                break;
            }
        }
    }};
}

/// What is read before the first byte is sent, so that its errors are still a problem answer.
struct Head {
    profile: UserResponse,
    consents: ConsentEntryResponse,
    subscription: SubscriptionResponse,
    preferences: PreferencesResponse,
    telegram: Option<TelegramExport>,
    exported_at: OffsetDateTime,
}

async fn write_document(state: &AppState, user: UserId, head: Head, w: &mut Writer) -> Result<(), Unexpected> {
    let export = &state.export;
    w.field("format", &EXPORT_FORMAT).await?;
    w.field("exported_at", &head.exported_at.format(&time::format_description::well_known::Rfc3339).ok()).await?;
    w.field("profile", &head.profile).await?;
    w.field("consents", &head.consents).await?;
    w.open("consent_history");
    each!(c in |o| export.consents(user, o) => { w.item(&ConsentEntryResponse::from(c)).await?; });
    w.close();
    w.open("credentials");
    each!(c in |o| export.credentials(user, o) => {
        w.item(&CredentialResponse::from(application::credentials::CredentialView::from(&c))).await?;
    });
    w.close();
    w.field("subscription", &head.subscription).await?;
    w.open("payments");
    each!(p in |o| export.payments(user, o) => { w.item(&PaymentExport::from(p)).await?; });
    w.close();
    w.open("contexts");
    each!(c in |o| export.contexts(user, o) => { w.item(&ContextResponse::from(c)).await?; });
    w.close();
    w.open("context_signals");
    each!(c in |o| export.contexts(user, o) => {
        each!(s in |p| export.context_signals(user, c.id, p) => { w.item(&ContextSignalResponse::from(s)).await?; });
    });
    w.close();
    w.open("bots");
    each!(b in |o| export.bots(user, o) => { w.item(&BotResponse::from(b)).await?; });
    w.close();
    w.open("positions");
    each!(b in |o| export.bots(user, o) => {
        for p in &b.positions {
            let open = PositionResponse { entry_price: p.entry_price(), position: p.clone() };
            w.item(&PositionExport { bot_id: b.id.to_string(), state: "open", position: open }).await?;
        }
        each!(r in |p| export.bot_records(b.id, "position_closed", p) => {
            if let BotEvent::PositionClosed(position) = r.event {
                let closed = PositionResponse { entry_price: None, position };
                w.item(&PositionExport { bot_id: b.id.to_string(), state: "closed", position: closed }).await?;
            }
        });
    });
    w.close();
    for (section, kinds) in BOT_RECORD_SECTIONS {
        w.open(section);
        each!(b in |o| export.bots(user, o) => {
            for kind in *kinds {
                each!(r in |p| export.bot_records(b.id, kind, p) => { w.item(&BotRecordExport::from(r)).await?; });
            }
        });
        w.close();
    }
    w.open("orders");
    each!(order in |o| export.orders(user, o) => { w.item(&OrderResponse::from(order)).await?; });
    w.close();
    w.open("sessions");
    each!(s in |o| export.sessions(user, o) => { w.item(&SessionExport::from(s)).await?; });
    w.close();
    w.open("audit");
    each!(a in |o| export.audit(user, o) => { w.item(&AuditExport::from(a)).await?; });
    w.close();
    w.open("assistant_conversations");
    each!(c in |o| export.assistant_conversations(user, o) => {
        w.item(&crate::routes::assistant::ConversationResponse::from(c)).await?;
    });
    w.close();
    w.open("assistant_messages");
    each!(m in |o| export.assistant_messages(user, o) => {
        w.item(&crate::routes::assistant::MessageResponse::from(m)).await?;
    });
    w.close();
    w.open("notifications");
    each!(e in |o| export.events(user, o) => { w.item(&NotificationResponse::from(e)).await?; });
    w.close();
    w.field("notification_preferences", &head.preferences).await?;
    w.open("webhook_endpoints");
    let endpoints = |offset| async move {
        let read = state.webhooks.list(user, PageRequest::new(offset, EXPORT_PAGE)).await;
        read.map_err(|e| Unexpected::Internal(anyhow::anyhow!("reading the webhook endpoints: {e}")))
    };
    each!(e in |o| endpoints(o) => { w.item(&EndpointResponse::from(e)).await?; });
    w.close();
    w.field("telegram", &head.telegram).await?;
    w.buf.push(b'}');
    w.flush(true).await
}

/// The bot-record sections after `positions`, and the record kinds each holds.
const BOT_RECORD_SECTIONS: &[(&str, &[&str])] = &[
    ("executions", &["execution"]),
    ("signals", &["signal"]),
    (
        "bot_events",
        &[
            "tripped",
            "soft_stop",
            "sale_scheduled",
            "tick_ignored",
            "finished",
            "entries_held",
            "entries_resumed",
            "books_corrected",
            "books_untrusted",
        ],
    ),
];

/// Download everything stored about the caller as one JSON document (no secrets), streamed.
/// See `UserExportDocument` for every field.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The caller's data (an attachment)", body = UserExportDocument),
    )
)]
#[get("/api/users/me/export")]
pub async fn export_me(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let user = auth.0.user_id;
    let head = Head {
        profile: state.identity.profile(user).await?.into(),
        consents: state.legal.current(user).await?.into(),
        subscription: SubscriptionResponse::new(
            state.subscriptions.overview(user).await?,
            state.assistant.quota(user).await?.used,
        ),
        preferences: state.notification_preferences.get(user).await?.into(),
        telegram: state.export.telegram(user).await?.map(TelegramExport::from),
        exported_at: state.clock.now(),
    };
    state.identity.record_export(user, &meta).await;
    let (tx, rx) = mpsc::channel(4);
    let mut writer = Writer { tx, buf: Vec::with_capacity(CHUNK), first_field: true, first_item: true };
    let task_state = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(err) = write_document(&task_state, user, head, &mut writer).await {
            tracing::error!(error = ?err, user_id = %user, "the data export failed midway; the download is cut");
            let _ = writer.tx.send(Err(std::io::Error::other("the export failed"))).await;
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Content-Disposition", "attachment; filename=\"botfleet-export.json\""))
        .streaming(body))
}
