//! Outbound-webhook adapters: endpoints, deliveries and the dispatcher's cursor over the
//! document store (both engines), and the HTTP transport that resolves, checks and connects
//! only to public addresses unless the operator allows private ones.

mod deliveries;
mod endpoints;
mod resolver;
mod transport;

use std::sync::Arc;

use anyhow::Context as _;
use application::webhooks::{SendReport, WebhookConfig, WebhookPorts, WebhookService};
use domain::credentials::SecretCipher;
use domain::notifications::EventRepository;
use domain::{Clock, RepoError};

pub use deliveries::StoreDeliveryRepository;
pub use endpoints::StoreEndpointRepository;
pub use transport::{HttpWebhookTransport, RESPONSE_TIMEOUT};

use crate::store::DocumentStore;

/// The webhook stores over one document store, after ensuring their collections and indexes.
pub async fn repositories(
    store: Arc<dyn DocumentStore>,
) -> Result<(Arc<StoreEndpointRepository>, Arc<StoreDeliveryRepository>), RepoError> {
    store.ensure_collection(StoreEndpointRepository::COLLECTION, StoreEndpointRepository::INDEXES).await?;
    store.ensure_collection(StoreDeliveryRepository::COLLECTION, StoreDeliveryRepository::INDEXES).await?;
    store.ensure_collection(StoreDeliveryRepository::CURSORS, &[]).await?;
    Ok((Arc::new(StoreEndpointRepository::new(store.clone())), Arc::new(StoreDeliveryRepository::new(store))))
}

/// The webhook use cases over `store` (its collections ensured), reading and queuing events in
/// `events`; `allow_private` is `BOTFLEET_WEBHOOKS_ALLOW_PRIVATE`.
pub async fn service(
    store: Arc<dyn DocumentStore>,
    events: Arc<dyn EventRepository>,
    cipher: Arc<dyn SecretCipher>,
    clock: Arc<dyn Clock>,
    allow_private: bool,
) -> anyhow::Result<Arc<WebhookService>> {
    let (endpoints, deliveries) = repositories(store).await.context("preparing the webhook collections")?;
    let transport = HttpWebhookTransport::new(allow_private).context("building the webhook HTTP client")?;
    let ports = WebhookPorts { endpoints, deliveries, events, transport: Arc::new(transport), cipher, clock };
    let config = WebhookConfig { allow_http: allow_private, ..WebhookConfig::default() };
    Ok(Arc::new(WebhookService::new(ports, config)))
}

/// Reports a send pass in `/metrics` (channel `webhook`).
pub fn record_metrics(report: &SendReport) {
    use crate::notifications::metrics::{pending, DELIVERIES};
    for (outcome, count) in [("sent", report.sent), ("failed", report.failed), ("dead", report.dead)] {
        DELIVERIES.with_label_values(&["webhook", outcome]).inc_by(count);
    }
    pending("webhook", report.pending);
}
