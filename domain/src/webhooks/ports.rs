//! The ports of outbound webhooks: the endpoints' and the deliveries' stores, and the transport
//! that checks where a URL leads and POSTs a signed delivery there.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::delivery::Delivery;
use super::endpoint::{EndpointUrl, WebhookEndpoint, WebhookEndpointId};
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;
use crate::shared::page::{Page, PageRequest};

/// Stores users' webhook endpoints. Every read takes the owner: another user's id is `NotFound`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookEndpointRepository: Send + Sync {
    /// Inserts; returns it with its first version.
    async fn create(&self, endpoint: &WebhookEndpoint) -> Result<WebhookEndpoint, RepoError>;
    /// The owner's endpoint. Errors: `NotFound` (also for another owner's id).
    async fn get(&self, owner: UserId, id: WebhookEndpointId) -> Result<WebhookEndpoint, RepoError>;
    /// The owner's endpoints, oldest first.
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<WebhookEndpoint>, RepoError>;
    /// The owner's enabled endpoints (the dispatcher's fan-out).
    async fn enabled_of(&self, owner: UserId) -> Result<Vec<WebhookEndpoint>, RepoError>;
    /// How many endpoints the owner has.
    async fn count_of(&self, owner: UserId) -> Result<u64, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, endpoint: &WebhookEndpoint) -> Result<WebhookEndpoint, RepoError>;
    /// Deletes the owner's endpoint. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: WebhookEndpointId) -> Result<(), RepoError>;
    /// Erases every endpoint of the owner (account deletion); how many.
    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError>;
}

/// Stores deliveries and the dispatcher's cursor over the event log.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookDeliveryRepository: Send + Sync {
    /// Inserts; `false` (and nothing changes) when a delivery with its id exists.
    async fn insert(&self, delivery: &Delivery) -> Result<bool, RepoError>;
    /// The owner's delivery. Errors: `NotFound` (also for another owner's).
    async fn get(&self, owner: UserId, id: &str) -> Result<Delivery, RepoError>;
    /// One page of the deliveries to one of the owner's endpoints, newest first.
    async fn list(
        &self,
        owner: UserId,
        endpoint: WebhookEndpointId,
        page: PageRequest,
    ) -> Result<Page<Delivery>, RepoError>;
    /// Up to `limit` pending deliveries due at `now`, the longest due first, leaving out those to
    /// the `skip` endpoints (the sender's busy or finished ones, so one endpoint's backlog cannot
    /// fill the batch of every other).
    async fn due(
        &self,
        now: OffsetDateTime,
        limit: u64,
        skip: &[WebhookEndpointId],
    ) -> Result<Vec<Delivery>, RepoError>;
    /// How many deliveries are pending.
    async fn pending_count(&self) -> Result<u64, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, delivery: &Delivery) -> Result<Delivery, RepoError>;
    /// Erases the deliveries to one of the owner's endpoints; how many.
    async fn delete_of_endpoint(&self, owner: UserId, endpoint: WebhookEndpointId) -> Result<u64, RepoError>;
    /// Erases every delivery of the owner (account deletion); how many.
    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError>;
    /// The `seq` of the last event the dispatcher handled (0 before the first).
    async fn cursor(&self) -> Result<u64, RepoError>;
    /// Moves the dispatcher's cursor to `seq`.
    async fn set_cursor(&self, seq: u64) -> Result<(), RepoError>;
}

/// Why deliveries cannot go to a URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    /// The URL cannot be sent to.
    #[error("the URL is not valid: {0}")]
    Malformed(String),
    /// The host does not resolve.
    #[error("the host does not resolve")]
    Unresolvable,
    /// The host is, or resolves to, an address webhooks may not reach.
    #[error("{address} is a {reason} address, which webhooks may not reach")]
    Forbidden {
        /// The address.
        address: String,
        /// Which kind it is.
        reason: &'static str,
    },
}

/// A signed delivery, ready to POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRequest {
    /// Where.
    pub url: EndpointUrl,
    /// The JSON body.
    pub body: String,
    /// Extra headers (the signature, the event's id and type).
    pub headers: Vec<(&'static str, String)>,
}

/// What one POST gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptResult {
    /// The response status, if a response came.
    pub status: Option<u16>,
    /// From sending to the response's head or the failure.
    pub latency: Duration,
    /// The first bytes of the response body (bounded by the transport).
    pub response: Option<String>,
    /// Why no response came (a refused address, a time-out, a network failure).
    pub error: Option<String>,
}

/// Checks where a URL leads and POSTs deliveries, connecting only to addresses it checked.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebhookTransport: Send + Sync {
    /// Resolves the URL's host and checks every address (registration).
    async fn check(&self, url: &EndpointUrl) -> Result<(), DestinationError>;
    /// Sends `request` once: resolves and checks again, connects to a checked address, does not
    /// follow redirects, times out, and reads a bounded part of the response.
    async fn post(&self, request: &WebhookRequest) -> AttemptResult;
}
