//! Outbound-webhook adapters: endpoints, deliveries and the dispatcher's cursor over the
//! document store (both engines), and the HTTP transport that resolves, checks and connects
//! only to public addresses unless the operator allows private ones.

mod deliveries;
mod endpoints;
mod resolver;
mod transport;

use std::sync::Arc;

use domain::RepoError;

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
