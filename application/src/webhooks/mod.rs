//! Outbound webhooks: a user's endpoints (registered, listed, changed, deleted, their secret
//! rotated), the dispatcher that turns each logged event into one delivery per endpoint that
//! wants it, and the sender that signs and POSTs due deliveries with retries. The dispatcher
//! and the sender run in the `webhook_delivery` workflow, under its lease.

mod deliveries;
mod dispatch;
mod errors;
mod manage;
mod send;
mod signature;

use std::sync::Arc;

use domain::credentials::SecretCipher;
use domain::notifications::EventRepository;
use domain::webhooks::{
    EventSelection, RetryPolicy, WebhookDeliveryRepository, WebhookEndpoint, WebhookEndpointId,
    WebhookEndpointRepository, WebhookTransport,
};
use domain::Clock;
use time::OffsetDateTime;

pub use dispatch::DispatchReport;
pub use errors::WebhookError;
pub use manage::{CreateEndpointInput, EndpointCreated, UpdateEndpointInput};
pub use send::SendReport;
pub use signature::{sign, SIGNATURE_HEADER};

/// The most endpoints one account may register.
pub const MAX_ENDPOINTS: u64 = 10;

/// The ports the webhook use cases need.
#[derive(Clone)]
pub struct WebhookPorts {
    /// Endpoints.
    pub endpoints: Arc<dyn WebhookEndpointRepository>,
    /// Deliveries and the dispatcher's cursor.
    pub deliveries: Arc<dyn WebhookDeliveryRepository>,
    /// The event log (read by the dispatcher; `enqueue` tells a user an endpoint was disabled).
    pub events: Arc<dyn EventRepository>,
    /// Checks destinations and POSTs.
    pub transport: Arc<dyn WebhookTransport>,
    /// Encrypts the signing secrets at rest.
    pub cipher: Arc<dyn SecretCipher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WebhookPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookPorts").finish_non_exhaustive()
    }
}

/// How webhooks behave on this instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `BOTFLEET_WEBHOOKS_ALLOW_PRIVATE`: `http://` URLs are accepted (the transport then also
    /// reaches private addresses).
    pub allow_http: bool,
    /// The retry schedule.
    pub retry: RetryPolicy,
    /// Events the dispatcher reads from the log per batch.
    pub batch: u64,
    /// Deliveries the sender takes per pass.
    pub send_batch: u64,
    /// Endpoints the sender POSTs to at once.
    pub concurrency: usize,
    /// Requests one endpoint has in flight at once (its deliveries' outcomes are applied in order).
    pub per_endpoint: usize,
    /// How long one send pass keeps taking due deliveries (wall time); what is in flight then
    /// finishes, the rest waits for the next pass.
    pub pass_budget: std::time::Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            allow_http: false,
            retry: RetryPolicy::default(),
            batch: 500,
            send_batch: 200,
            concurrency: 16,
            per_endpoint: 4,
            pass_budget: std::time::Duration::from_millis(800),
        }
    }
}

/// What may be shown of an endpoint: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointView {
    /// Id.
    pub id: WebhookEndpointId,
    /// URL.
    pub url: String,
    /// Which events it receives.
    pub events: EventSelection,
    /// Its owner's note.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why botfleet switched it off.
    pub disabled_reason: Option<String>,
    /// Since when every attempt failed.
    pub failing_since: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl From<&WebhookEndpoint> for EndpointView {
    fn from(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url.as_str().to_owned(),
            events: e.events.clone(),
            description: e.description.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Outbound webhooks of users.
#[derive(Debug)]
pub struct WebhookService {
    ports: WebhookPorts,
    config: WebhookConfig,
}

impl WebhookService {
    /// A service over `ports`.
    pub fn new(ports: WebhookPorts, config: WebhookConfig) -> Self {
        Self { ports, config }
    }

    /// Now, to the millisecond the store keeps.
    fn now(&self) -> OffsetDateTime {
        domain::shared::clock::to_millis(self.ports.clock.now())
    }

    /// Erases the user's endpoints and deliveries (account deletion); how many of each.
    pub async fn erase(&self, owner: domain::shared::ids::UserId) -> Result<(u64, u64), WebhookError> {
        let deliveries = self.ports.deliveries.delete_of(owner).await?;
        let endpoints = self.ports.endpoints.delete_of(owner).await?;
        Ok((endpoints, deliveries))
    }
}
