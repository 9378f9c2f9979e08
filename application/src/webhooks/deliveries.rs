//! Use cases on an endpoint's deliveries: list them with their attempts, and redeliver one now.

use domain::shared::ids::UserId;
use domain::webhooks::{Delivery, DeliveryId, WebhookEndpointId};
use domain::{Page, PageRequest};

use super::{WebhookError, WebhookService};

impl WebhookService {
    /// One page of an endpoint's deliveries, newest first. Errors: `NotFound` (the endpoint).
    pub async fn deliveries(
        &self,
        owner: UserId,
        endpoint: WebhookEndpointId,
        page: PageRequest,
    ) -> Result<Page<Delivery>, WebhookError> {
        self.ports.endpoints.get(owner, endpoint).await.map_err(WebhookError::from_lookup)?;
        Ok(self.ports.deliveries.list(owner, endpoint, page).await?)
    }

    /// Sends a delivery again now, whatever its status, signed with the endpoint's current
    /// secret; the attempt is logged as manual. A success marks it delivered; a failure leaves
    /// its status and schedule as they were. Errors: `NotFound`, `EndpointDisabled`.
    pub async fn redeliver(
        &self,
        owner: UserId,
        endpoint_id: WebhookEndpointId,
        delivery_id: DeliveryId,
    ) -> Result<Delivery, WebhookError> {
        let mut endpoint = self.ports.endpoints.get(owner, endpoint_id).await.map_err(WebhookError::from_lookup)?;
        let mut delivery =
            self.ports.deliveries.get(owner, &delivery_id.to_string()).await.map_err(WebhookError::from_lookup)?;
        if delivery.endpoint_id != endpoint_id {
            return Err(WebhookError::NotFound);
        }
        if !endpoint.enabled {
            return Err(WebhookError::EndpointDisabled);
        }
        let attempt = self.attempt(&endpoint, &delivery, true).await?;
        let succeeded = attempt.succeeded();
        delivery.record_manual_attempt(attempt);
        let stored = self.ports.deliveries.update(&delivery).await?;
        if succeeded && endpoint.record_success() {
            // Best effort: the scheduled sender records the endpoint's health too.
            if let Err(err) = self.ports.endpoints.update(&endpoint).await {
                tracing::warn!(error = ?err, endpoint = %endpoint.id, "cannot record the endpoint's recovery");
            }
        }
        Ok(stored)
    }
}
