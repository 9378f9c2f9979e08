//! Outbound webhooks: the HTTPS [`WebhookEndpoint`]s a user registers with an event filter and a
//! signing secret, the [`Delivery`] of each matching event to each endpoint with its logged
//! attempts and retry schedule, which addresses a delivery may reach ([`address`]), and the
//! ports the use cases need.

pub mod address;
mod delivery;
mod delivery_id;
mod endpoint;
mod ports;

pub use delivery::{Attempt, Delivery, DeliveryStatus, RetryPolicy, MAX_LOGGED_ATTEMPTS, RESPONSE_SNIPPET_BYTES};
pub use delivery_id::{DeliveryId, MalformedDeliveryId};
pub use endpoint::{EndpointUrl, EventSelection, UrlError, WebhookEndpoint, WebhookEndpointId, FAILING_LIMIT};
pub use ports::{
    AttemptResult, DestinationError, WebhookDeliveryRepository, WebhookEndpointRepository, WebhookRequest,
    WebhookTransport,
};

#[cfg(feature = "mocks")]
pub use ports::{MockWebhookDeliveryRepository, MockWebhookEndpointRepository, MockWebhookTransport};
