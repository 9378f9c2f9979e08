//! The items of the export's sections that no other route shows as they are: payments,
//! positions and records tagged with their bot, sessions, audit entries and the Telegram link.

use domain::bots::BotRecord;
use domain::identity::{AuditEntry, RefreshSession};
use domain::notifications::TelegramLink;
use domain::subscriptions::PaymentEventRecord;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::routes::bots::{PositionResponse, RecordResponse};
use crate::routes::wire::PaymentProvider;

/// A payment-provider event about the user (what the provider told us, never card data).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentExport {
    /// `stripe` or `mercadopago`.
    pub provider: PaymentProvider,
    /// The provider's event id.
    pub event_id: String,
    /// The provider's event type (`invoice.paid`, `payment`, …).
    pub event_type: String,
    /// What we did with it (`applied`, `ignored`, …).
    pub outcome: String,
    /// Non-secret details.
    pub detail: Option<String>,
    /// When it first arrived.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

impl From<PaymentEventRecord> for PaymentExport {
    fn from(e: PaymentEventRecord) -> Self {
        Self {
            provider: e.provider.into(),
            event_id: e.event_id,
            event_type: e.event_type,
            outcome: wire(&e.outcome),
            detail: e.detail,
            received_at: e.received_at,
        }
    }
}

/// A position of one of the user's bots.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionExport {
    /// The bot.
    pub bot_id: String,
    /// `open` (open or scheduled, held by the bot now) or `closed`.
    #[schema(example = "open")]
    pub state: &'static str,
    /// The position.
    pub position: PositionResponse,
}

/// A record of one of the user's bots.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotRecordExport {
    /// The bot.
    pub bot_id: String,
    /// The record.
    pub record: RecordResponse,
}

impl From<BotRecord> for BotRecordExport {
    fn from(r: BotRecord) -> Self {
        Self { bot_id: r.bot_id.to_string(), record: r.into() }
    }
}

/// A login session, without its token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionExport {
    /// Session family (one per login).
    pub family_id: String,
    /// Issued.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Expires.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// When it was exchanged for a new one.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<RefreshSession> for SessionExport {
    fn from(s: RefreshSession) -> Self {
        Self {
            family_id: s.family_id.to_string(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            used_at: s.used_at,
            revoked_at: s.revoked_at,
        }
    }
}

/// An audit-log entry about the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditExport {
    /// What happened (`login_succeeded`, `credential_added`, …).
    pub action: String,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Non-secret details.
    pub detail: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// The wire name of a serde unit enum value (audit actions and payment outcomes are many and
/// internal: the export names them without a schema enum).
fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl From<AuditEntry> for AuditExport {
    fn from(a: AuditEntry) -> Self {
        Self { action: wire(&a.action), ip: a.ip, user_agent: a.user_agent, detail: a.detail, at: a.at }
    }
}

/// The Telegram chat linked to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct TelegramExport {
    /// The private chat with botfleet's bot (Telegram's id of it).
    pub chat_id: i64,
    /// When it was linked.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub linked_at: OffsetDateTime,
}

impl From<TelegramLink> for TelegramExport {
    fn from(l: TelegramLink) -> Self {
        Self { chat_id: l.chat_id, linked_at: l.linked_at }
    }
}
