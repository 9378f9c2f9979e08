//! The repository adapters: one file per aggregate, each implementing its domain port over any
//! [`DocumentStore`] with a private document struct, so the embedded store and MongoDB share one
//! mapping. To add an aggregate: a file with its `*Document`, `COLLECTION`, `INDEXES` and port
//! impl, then a field and an `ensure` line in [`Repositories::on`].

mod audit;
pub mod backoffice;
mod bots;
mod charges;
mod closed_records;
pub(crate) mod codec;
mod consents;
mod context_signals;
mod contexts;
mod conversations;
mod coupons;
mod credentials;
mod data_versions;
mod deliveries;
mod dispatch_cursors;
mod email_tokens;
mod leases;
mod memo;
mod order_document;
mod orders;
mod outbox;
mod payment_events;
mod sessions;
mod spent_tickets;
mod subscriptions;
mod telegram_links;
mod usage;
mod users;
mod versioned;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use domain::backoffice::{
    HitCounter, OperatorAuditRepository, OperatorRepository, OperatorSessionRepository, UserFacetRepository,
};
use domain::bots::{BotRecordRepository, BotRepository};
use domain::contexts::{ContextRepository, ContextSignalRepository};
use domain::credentials::CredentialRepository;
use domain::identity::{AuditRepository, EmailTokenRepository, SessionRepository, UserRepository};
use domain::leases::LeaseRepository;
use domain::legal::ConsentRepository;
use domain::notifications::{
    CursorRepository, DeliveryRepository, EventRepository, PreferenceRepository, SpentTicketRepository,
    TelegramRepository,
};
use domain::orders::OrderRepository;
use domain::shared::data_version::DataVersionRepository;
use domain::subscriptions::{ChargeRepository, CouponRepository, PaymentEventRepository, SubscriptionRepository};
use domain::RepoError;

pub use self::audit::StoreAuditRepository;
pub use self::backoffice::{Faceted, StoreUserFacets};
use self::backoffice::{
    StoreHitCounter, StoreOperatorAuditRepository, StoreOperatorRepository, StoreOperatorSessionRepository,
    StorePlatformCounts,
};
pub use self::bots::{StoreBotRecordRepository, StoreBotRepository, UNREADABLE_BOTS};
pub use self::charges::StoreChargeRepository;
pub use self::consents::StoreConsentRepository;
pub use self::context_signals::StoreContextSignalRepository;
pub use self::contexts::StoreContextRepository;
pub use self::conversations::StoreConversationRepository;
pub use self::coupons::StoreCouponRepository;
pub use self::credentials::StoreCredentialRepository;
pub use self::data_versions::StoreDataVersionRepository;
pub use self::deliveries::StoreDeliveryRepository;
pub use self::dispatch_cursors::StoreCursorRepository;
pub use self::email_tokens::StoreEmailTokenRepository;
pub use self::leases::StoreLeaseRepository;
pub use self::orders::StoreOrderRepository;
pub use self::outbox::{RelayNudge, OUTBOX, OUTBOX_AT};
pub use self::payment_events::StorePaymentEventRepository;
pub use self::sessions::StoreSessionRepository;
pub use self::spent_tickets::StoreSpentTicketRepository;
pub use self::subscriptions::StoreSubscriptionRepository;
pub use self::telegram_links::StoreTelegramRepository;
pub use self::usage::{StoreRunningBots, StoreUsageCounter, BOTS, CONTEXTS};
pub use self::users::StoreUserRepository;
pub use self::versioned::Versioned;
use crate::notifications::{StoreEventRepository, StorePreferenceRepository};
use crate::store::mongo::MongoStore;
use crate::store::sqlite::{SqliteOptions, SqliteStore};
use crate::store::{DocumentStore, IndexSpec};

/// Every collection of the repositories with its indexes, declared once (by each repository) and
/// created by both engines at start-up.
pub const COLLECTION_INDEXES: &[(&str, &[IndexSpec])] = &[
    (StoreUserRepository::COLLECTION, StoreUserRepository::INDEXES),
    (StoreSessionRepository::COLLECTION, StoreSessionRepository::INDEXES),
    (StoreAuditRepository::COLLECTION, StoreAuditRepository::INDEXES),
    (StoreEmailTokenRepository::COLLECTION, StoreEmailTokenRepository::INDEXES),
    (StoreConsentRepository::COLLECTION, StoreConsentRepository::INDEXES),
    (StoreCredentialRepository::COLLECTION, StoreCredentialRepository::INDEXES),
    (StoreSubscriptionRepository::COLLECTION, StoreSubscriptionRepository::INDEXES),
    (StorePaymentEventRepository::COLLECTION, StorePaymentEventRepository::INDEXES),
    (StoreChargeRepository::COLLECTION, StoreChargeRepository::INDEXES),
    (StoreCouponRepository::COLLECTION, StoreCouponRepository::INDEXES),
    (StoreCouponRepository::REDEMPTIONS, StoreCouponRepository::REDEMPTION_INDEXES),
    (StoreContextRepository::COLLECTION, StoreContextRepository::INDEXES),
    (StoreContextSignalRepository::COLLECTION, StoreContextSignalRepository::INDEXES),
    (StoreBotRepository::COLLECTION, StoreBotRepository::INDEXES),
    (StoreBotRecordRepository::COLLECTION, StoreBotRecordRepository::INDEXES),
    (StoreOrderRepository::COLLECTION, StoreOrderRepository::INDEXES),
    (StoreLeaseRepository::COLLECTION, StoreLeaseRepository::INDEXES),
    (StoreDeliveryRepository::COLLECTION, StoreDeliveryRepository::INDEXES),
    (StoreCursorRepository::COLLECTION, StoreCursorRepository::INDEXES),
    (StoreTelegramRepository::LINKS, StoreTelegramRepository::LINK_INDEXES),
    (StoreTelegramRepository::CODES, StoreTelegramRepository::CODE_INDEXES),
    (StoreEventRepository::COLLECTION, StoreEventRepository::INDEXES),
    (StoreEventRepository::QUEUE, StoreEventRepository::QUEUE_INDEXES),
    (StoreEventRepository::MARK, &[]),
    (StorePreferenceRepository::COLLECTION, StorePreferenceRepository::INDEXES),
    (StoreConversationRepository::CONVERSATIONS, StoreConversationRepository::CONVERSATION_INDEXES),
    (StoreConversationRepository::MESSAGES, StoreConversationRepository::MESSAGE_INDEXES),
    (StoreConversationRepository::PROPOSALS, StoreConversationRepository::PROPOSAL_INDEXES),
    (StoreSpentTicketRepository::COLLECTION, StoreSpentTicketRepository::INDEXES),
    (StoreOperatorRepository::COLLECTION, StoreOperatorRepository::INDEXES),
    (StoreOperatorSessionRepository::COLLECTION, StoreOperatorSessionRepository::INDEXES),
    (StoreOperatorAuditRepository::COLLECTION, StoreOperatorAuditRepository::INDEXES),
    (StoreHitCounter::COLLECTION, StoreHitCounter::INDEXES),
    (StoreUserFacets::COLLECTION, StoreUserFacets::INDEXES),
    (crate::scheduler::StoreWorkflowHealth::COLLECTION, crate::scheduler::StoreWorkflowHealth::INDEXES),
    (StoreDataVersionRepository::COLLECTION, StoreDataVersionRepository::INDEXES),
];

/// Every repository, over one store.
#[derive(Clone)]
pub struct Repositories {
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Refresh-token sessions.
    pub sessions: Arc<dyn SessionRepository>,
    /// The audit log.
    pub audit: Arc<dyn AuditRepository>,
    /// Single-use e-mail tokens (password reset, e-mail verification).
    pub email_tokens: Arc<dyn EmailTokenRepository>,
    /// The consent history (kept after account deletion).
    pub consents: Arc<dyn ConsentRepository>,
    /// Exchange credentials.
    pub credentials: Arc<dyn CredentialRepository>,
    /// Subscriptions.
    pub subscriptions: Arc<dyn SubscriptionRepository>,
    /// Received payment-provider webhook events.
    pub payment_events: Arc<dyn PaymentEventRepository>,
    /// One-off charges (PIX, boleto).
    pub charges: Arc<dyn ChargeRepository>,
    /// Coupons and their redemptions.
    pub coupons: Arc<dyn CouponRepository>,
    /// Trading contexts.
    pub contexts: Arc<dyn ContextRepository>,
    /// Signals the `candle_analysis` workflow records per context.
    pub context_signals: Arc<dyn ContextSignalRepository>,
    /// Bots.
    pub bots: Arc<dyn BotRepository>,
    /// Bot records (signals, executions, closed positions).
    pub bot_records: Arc<dyn BotRecordRepository>,
    /// Orders.
    pub orders: Arc<dyn OrderRepository>,
    /// Leases of workflow runs and bots, shared by every instance on the store.
    pub leases: Arc<dyn LeaseRepository>,
    /// Notification deliveries (e-mail, Telegram).
    pub deliveries: Arc<dyn DeliveryRepository>,
    /// The notification dispatchers' cursors.
    pub cursors: Arc<dyn CursorRepository>,
    /// Linked Telegram chats and link codes.
    pub telegram: Arc<dyn TelegramRepository>,
    /// The users' event log (what every notification channel reads).
    pub events: Arc<dyn EventRepository>,
    /// The users' notification preferences.
    pub preferences: Arc<dyn PreferenceRepository>,
    /// The assistant's conversations, messages and proposals.
    pub conversations: Arc<dyn domain::assistant::ConversationRepository>,
    /// The live stream's spent tickets.
    pub spent_tickets: Arc<dyn SpentTicketRepository>,
    /// Backoffice operators.
    pub operators: Arc<dyn OperatorRepository>,
    /// Backoffice operators' sessions.
    pub operator_sessions: Arc<dyn OperatorSessionRepository>,
    /// The backoffice audit trail.
    pub operator_audit: Arc<dyn OperatorAuditRepository>,
    /// Store-backed request counters (the backoffice's rate limits).
    pub hits: Arc<dyn HitCounter>,
    /// Which users have what plan, running bots, live or paper contexts (backoffice filters).
    pub user_facets: Arc<dyn UserFacetRepository>,
    /// The counts behind the backoffice's platform metrics.
    pub platform_counts: Arc<dyn domain::backoffice::PlatformCounts>,
    /// The users' data versions, moved by every write to `bots`, `bot_records` (closed
    /// positions), `orders` and `contexts` (those repositories are [`Versioned`]), read by the
    /// per-user caches of the dashboard.
    pub data_versions: Arc<dyn DataVersionRepository>,
    /// Woken by writes that carry events (the relay of this process listens).
    pub relay_nudge: RelayNudge,
    /// The store underneath (for health checks).
    pub store: Arc<dyn DocumentStore>,
}

impl Repositories {
    /// The repositories over `store`, after ensuring every collection and index.
    pub async fn on(store: Arc<dyn DocumentStore>) -> Result<Self, RepoError> {
        for (coll, indexes) in COLLECTION_INDEXES {
            store.ensure_collection(coll, indexes).await?;
        }
        let facets = StoreUserFacets::new(store.clone());
        let filled = facets.backfill().await?;
        if filled > 0 {
            tracing::info!(users = filled, "backoffice user facets built for the users that had none");
        }
        let nudge = RelayNudge::new();
        let versions: Arc<dyn DataVersionRepository> = Arc::new(StoreDataVersionRepository::new(store.clone()));
        let bots: Arc<dyn BotRepository> = Arc::new(StoreBotRepository::new(store.clone()).with_nudge(nudge.clone()));
        let bot_records: Arc<dyn BotRecordRepository> = Arc::new(StoreBotRecordRepository::new(store.clone()));
        let orders: Arc<dyn OrderRepository> =
            Arc::new(StoreOrderRepository::new(store.clone()).with_nudge(nudge.clone()));
        let contexts: Arc<dyn ContextRepository> = Arc::new(StoreContextRepository::new(store.clone()));
        let contexts: Arc<dyn ContextRepository> = Arc::new(Versioned::new(contexts, versions.clone()));
        let bots: Arc<dyn BotRepository> = Arc::new(Versioned::new(bots, versions.clone()));
        let users: Arc<dyn UserRepository> = Arc::new(StoreUserRepository::new(store.clone()));
        let subscriptions: Arc<dyn SubscriptionRepository> =
            Arc::new(StoreSubscriptionRepository::new(store.clone()).with_nudge(nudge.clone()));
        Ok(Self {
            users: Arc::new(Faceted::new(users, facets.clone())),
            sessions: Arc::new(StoreSessionRepository::new(store.clone())),
            audit: Arc::new(StoreAuditRepository::new(store.clone())),
            email_tokens: Arc::new(StoreEmailTokenRepository::new(store.clone())),
            consents: Arc::new(StoreConsentRepository::new(store.clone())),
            credentials: Arc::new(StoreCredentialRepository::new(store.clone()).with_nudge(nudge.clone())),
            subscriptions: Arc::new(Faceted::new(subscriptions, facets.clone())),
            payment_events: Arc::new(StorePaymentEventRepository::new(store.clone())),
            charges: Arc::new(StoreChargeRepository::new(store.clone())),
            coupons: Arc::new(StoreCouponRepository::new(store.clone())),
            contexts: Arc::new(Faceted::new(contexts, facets.clone())),
            context_signals: Arc::new(StoreContextSignalRepository::new(store.clone())),
            bots: Arc::new(Faceted::new(bots, facets.clone())),
            bot_records: Arc::new(Versioned::new(bot_records, versions.clone())),
            orders: Arc::new(Versioned::new(orders, versions.clone())),
            leases: Arc::new(StoreLeaseRepository::new(store.clone())),
            deliveries: Arc::new(StoreDeliveryRepository::new(store.clone())),
            cursors: Arc::new(StoreCursorRepository::new(store.clone())),
            telegram: Arc::new(StoreTelegramRepository::new(store.clone())),
            events: Arc::new(StoreEventRepository::new(store.clone()).with_nudge(nudge.clone())),
            preferences: Arc::new(StorePreferenceRepository::new(store.clone())),
            conversations: Arc::new(StoreConversationRepository::new(store.clone())),
            spent_tickets: Arc::new(StoreSpentTicketRepository::new(store.clone())),
            operators: Arc::new(StoreOperatorRepository::new(store.clone())),
            operator_sessions: Arc::new(StoreOperatorSessionRepository::new(store.clone())),
            operator_audit: Arc::new(StoreOperatorAuditRepository::new(store.clone())),
            hits: Arc::new(StoreHitCounter::new(store.clone())),
            user_facets: Arc::new(facets),
            platform_counts: Arc::new(StorePlatformCounts::new(store.clone())),
            data_versions: versions,
            relay_nudge: nudge,
            store,
        })
    }
}

impl fmt::Debug for Repositories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repositories").field("store", &self.store).finish_non_exhaustive()
    }
}

/// The repositories on the embedded store (SQLite) persisted in `data_dir`, or purely in memory
/// for `None` (`BOTFLEET_DATA_DIR=:memory:`). Errors when the directory is in use by another process.
pub async fn open_embedded(data_dir: Option<&Path>) -> anyhow::Result<Repositories> {
    Ok(open_embedded_store(data_dir, SqliteOptions::default()).await?.1)
}

/// [`open_embedded`] with options, also returning the store itself (for backups).
pub async fn open_embedded_store(
    data_dir: Option<&Path>,
    options: SqliteOptions,
) -> anyhow::Result<(Arc<SqliteStore>, Repositories)> {
    let dir: Option<PathBuf> = data_dir.map(Path::to_path_buf);
    // Opening may import a whole journal: keep it off the async workers.
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(dir.as_deref(), options))
        .await
        .context("the embedded store's opening task failed")??;
    let store = Arc::new(store);
    let repos = Repositories::on(store.clone()).await.context("cannot prepare the embedded store's collections")?;
    Ok((store, repos))
}

/// The repositories on the MongoDB database `database` at `uri`; fails within seconds when no
/// server answers. The URI is not repeated in errors, as it may hold a password.
pub async fn open_mongo(uri: &str, database: &str) -> anyhow::Result<Repositories> {
    let store = MongoStore::connect(uri, database).await.context("invalid MongoDB connection string")?;
    store.ping().await.with_context(|| format!("cannot reach MongoDB (database `{database}`)"))?;
    Repositories::on(Arc::new(store)).await.with_context(|| format!("cannot create the indexes of `{database}`"))
}
