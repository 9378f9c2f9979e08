//! Received payment-provider webhook events: each provider event id is applied at most once, and
//! every event is kept with its outcome for audit.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::PaymentProvider;
use crate::shared::error::RepoError;
use crate::shared::ids::{PaymentEventId, UserId};
use crate::shared::page::{Page, PageRequest};

/// What became of a received event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    /// Claimed by a worker that is applying it.
    Processing,
    /// Applied: the subscription changed.
    Applied,
    /// Valid but changed nothing (already so, or older than the state applied).
    Unchanged,
    /// Not about anything we track (unknown subscription, event type we do not act on).
    Ignored,
    /// Applying it failed (provider or store unavailable); a redelivery retries it.
    Failed,
}

/// One received, signature-verified event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEventRecord {
    /// Id.
    pub id: PaymentEventId,
    /// Who sent it.
    pub provider: PaymentProvider,
    /// The provider's event id; unique per provider.
    pub event_id: String,
    /// The provider's event type.
    pub event_type: String,
    /// The user it concerned, once known.
    pub user_id: Option<UserId>,
    /// Outcome.
    pub outcome: EventOutcome,
    /// Why (for ignored, unchanged and failed events).
    pub detail: Option<String>,
    /// Processing attempts: a failed event is processed again when the provider redelivers it.
    pub deliveries: u32,
    /// First received.
    pub received_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl PaymentEventRecord {
    /// A freshly claimed event.
    pub fn claim(provider: PaymentProvider, event_id: &str, event_type: &str, at: OffsetDateTime) -> Self {
        Self {
            id: PaymentEventId::new(),
            provider,
            event_id: event_id.to_owned(),
            event_type: event_type.to_owned(),
            user_id: None,
            outcome: EventOutcome::Processing,
            detail: None,
            deliveries: 1,
            received_at: at,
            updated_at: at,
            version: 0,
        }
    }
}

/// Stores received events. Unique index `payment_events_provider_event` on (provider, event id).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PaymentEventRepository: Send + Sync {
    /// Inserts (claims) an event. Errors: `Duplicate { index: "payment_events_provider_event" }`.
    async fn create(&self, event: &PaymentEventRecord) -> Result<PaymentEventRecord, RepoError>;
    /// The event with that provider id. Errors: `NotFound`.
    async fn get(&self, provider: PaymentProvider, event_id: &str) -> Result<PaymentEventRecord, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, event: &PaymentEventRecord) -> Result<PaymentEventRecord, RepoError>;
    /// Events, newest first, optionally of one user.
    async fn list(&self, user: Option<UserId>, page: PageRequest) -> Result<Page<PaymentEventRecord>, RepoError>;
}
