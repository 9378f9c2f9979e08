//! Use case: export everything stored about the caller (LGPD portability), secrets excluded.
//! Every collection is read one page at a time, so the HTTP layer can stream a document of any
//! size: [`DataExport`] answers one page of one collection per call. Reads only: a failure is
//! [`Unexpected`] (a missing record included), never a refusal.

use std::sync::Arc;

use domain::bots::{Bot, BotFilter, BotRecord, BotRecordRepository, BotRepository};
use domain::contexts::{ContextRepository, ContextSignal, ContextSignalRepository, TradingContext};
use domain::credentials::{CredentialRepository, ExchangeCredential};
use domain::identity::{AuditEntry, AuditFilter, AuditRepository, RefreshSession, SessionRepository};
use domain::legal::{ConsentRecord, ConsentRepository};
use domain::notifications::{EventFilter, EventRepository, StoredEvent, TelegramLink, TelegramRepository};
use domain::orders::{Order, OrderFilter, OrderRepository};
use domain::shared::ids::{BotId, ContextId, UserId};
use domain::subscriptions::{PaymentEventRecord, PaymentEventRepository};
use domain::{Page, PageRequest, RepoError};

use crate::Unexpected;

/// The repositories an export reads.
#[derive(Clone)]
pub struct ExportPorts {
    /// The consent history.
    pub consents: Arc<dyn ConsentRepository>,
    /// Credentials (metadata only leaves the server).
    pub credentials: Arc<dyn CredentialRepository>,
    /// Sessions (never their token hashes).
    pub sessions: Arc<dyn SessionRepository>,
    /// The audit log.
    pub audit: Arc<dyn AuditRepository>,
    /// Contexts.
    pub contexts: Arc<dyn ContextRepository>,
    /// Signals per context.
    pub context_signals: Arc<dyn ContextSignalRepository>,
    /// Bots.
    pub bots: Arc<dyn BotRepository>,
    /// Bot records (signals, executions, closed positions, alerts).
    pub records: Arc<dyn BotRecordRepository>,
    /// Orders.
    pub orders: Arc<dyn OrderRepository>,
    /// Payment-provider events about the user.
    pub payment_events: Arc<dyn PaymentEventRepository>,
    /// Conversations with the assistant and their messages.
    pub conversations: Arc<dyn domain::assistant::ConversationRepository>,
    /// The user's events (every notification, read or not, whatever the preferences).
    pub events: Arc<dyn EventRepository>,
    /// The Telegram link (read even when Telegram is off on this server).
    pub telegram: Arc<dyn TelegramRepository>,
}

impl std::fmt::Debug for ExportPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportPorts").finish_non_exhaustive()
    }
}

/// Pages of the caller's collections, each newest or oldest first as its repository lists it.
#[derive(Debug)]
pub struct DataExport {
    ports: ExportPorts,
}

/// The page size of every read.
pub const EXPORT_PAGE: u64 = PageRequest::MAX_LIMIT;

impl DataExport {
    /// An export over `ports`.
    pub fn new(ports: ExportPorts) -> Self {
        Self { ports }
    }

    /// The page at `offset` of the user's consent history.
    pub async fn consents(&self, user: UserId, offset: u64) -> Result<Page<ConsentRecord>, Unexpected> {
        Ok(self.ports.consents.history(user, page(offset)).await?)
    }

    /// The page at `offset` of the user's credentials.
    pub async fn credentials(&self, user: UserId, offset: u64) -> Result<Page<ExchangeCredential>, Unexpected> {
        Ok(self.ports.credentials.list(user, None, page(offset)).await?)
    }

    /// The page at `offset` of the user's sessions.
    pub async fn sessions(&self, user: UserId, offset: u64) -> Result<Page<RefreshSession>, Unexpected> {
        Ok(self.ports.sessions.list_for_user(user, page(offset)).await?)
    }

    /// The page at `offset` of the user's audit trail.
    pub async fn audit(&self, user: UserId, offset: u64) -> Result<Page<AuditEntry>, Unexpected> {
        Ok(self.ports.audit.list_for_user(user, &AuditFilter::default(), page(offset)).await?)
    }

    /// The page at `offset` of the user's contexts.
    pub async fn contexts(&self, user: UserId, offset: u64) -> Result<Page<TradingContext>, Unexpected> {
        Ok(self.ports.contexts.list(user, page(offset)).await?)
    }

    /// The page at `offset` of the signals of the user's `context`.
    pub async fn context_signals(
        &self,
        user: UserId,
        context: ContextId,
        offset: u64,
    ) -> Result<Page<ContextSignal>, Unexpected> {
        Ok(self.ports.context_signals.list(user, context, None, page(offset)).await?)
    }

    /// The page at `offset` of the user's bots (configs, states, open positions).
    pub async fn bots(&self, user: UserId, offset: u64) -> Result<Page<Bot>, Unexpected> {
        Ok(self.ports.bots.list(user, &BotFilter::default(), page(offset)).await?)
    }

    /// The page at `offset` of the records of kind `kind` of `bot` (one of the user's bots, as
    /// listed by [`Self::bots`]).
    pub async fn bot_records(
        &self,
        bot: BotId,
        kind: &'static str,
        offset: u64,
    ) -> Result<Page<BotRecord>, Unexpected> {
        Ok(self.ports.records.list(bot, Some(kind), page(offset)).await?)
    }

    /// The page at `offset` of the user's orders (manual and placed by bots).
    pub async fn orders(&self, user: UserId, offset: u64) -> Result<Page<Order>, Unexpected> {
        Ok(self.ports.orders.list(user, &OrderFilter::default(), page(offset)).await?)
    }

    /// The page at `offset` of the payment-provider events about the user.
    /// The user's conversations with the assistant, most recently active first.
    pub async fn assistant_conversations(
        &self,
        user: UserId,
        offset: u64,
    ) -> Result<Page<domain::assistant::Conversation>, Unexpected> {
        Ok(self.ports.conversations.list(user, PageRequest::new(offset, EXPORT_PAGE)).await?)
    }

    /// Every message to and from the assistant, oldest first.
    pub async fn assistant_messages(
        &self,
        user: UserId,
        offset: u64,
    ) -> Result<Page<domain::assistant::Message>, Unexpected> {
        Ok(self.ports.conversations.all_messages(user, PageRequest::new(offset, EXPORT_PAGE)).await?)
    }

    pub async fn payments(&self, user: UserId, offset: u64) -> Result<Page<PaymentEventRecord>, Unexpected> {
        match self.ports.payment_events.list(Some(user), page(offset)).await {
            Ok(events) => Ok(events),
            Err(RepoError::NotFound) => Ok(Page { items: Vec::new(), total: 0, offset, limit: EXPORT_PAGE }),
            Err(err) => Err(err.into()),
        }
    }
}

impl DataExport {
    /// The page at `offset` of the user's events, newest first: every type, read or not.
    pub async fn events(&self, user: UserId, offset: u64) -> Result<Page<StoredEvent>, Unexpected> {
        Ok(self.ports.events.list(user, &EventFilter::default(), page(offset)).await?)
    }

    /// The user's Telegram link, if a chat is linked.
    pub async fn telegram(&self, user: UserId) -> Result<Option<TelegramLink>, Unexpected> {
        Ok(self.ports.telegram.get(user).await?)
    }
}

fn page(offset: u64) -> PageRequest {
    PageRequest::new(offset, EXPORT_PAGE)
}

impl super::IdentityService {
    /// Records in the audit log that the user exported their data.
    pub async fn record_export(&self, user: UserId, meta: &domain::identity::RequestMeta) {
        self.audit(Some(user), domain::identity::AuditAction::DataExported, meta, None).await;
    }
}
