//! [`SpentTicketRepository`] over a [`DocumentStore`]: collection `stream_tickets_spent`, one
//! document per spent live-stream ticket (`_id` its random nonce, `expires_at`), never a user id
//! nor the ticket itself. Spending is an insert: the store's unique `_id` makes it atomic across
//! instances (the second insert of a nonce is a duplicate, whichever instance tries it).

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::SpentTicketRepository;
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis};
use crate::store::{DocumentStore, IndexSpec, Query};

/// The stored form of a spent ticket.
#[derive(Serialize, Deserialize)]
struct SpentDocument {
    #[serde(rename = "_id")]
    nonce: String,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
}

/// Expired documents removed per spend (the collection stays about as large as the tickets
/// spent in the last 30 s).
const PRUNE: u64 = 16;

/// The spent tickets in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreSpentTicketRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreSpentTicketRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "stream_tickets_spent";
    /// Its indexes: pruning finds the expired ones.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("stream_tickets_spent_expiry", &["expires_at"])];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Removes up to [`PRUNE`] tickets that expired before `now` (they can no longer be
    /// presented: the ticket's own expiry refuses them first).
    async fn prune(&self, now: OffsetDateTime) -> Result<(), RepoError> {
        let query = Query::all().lt("expires_at", codec::to_millis(now)).asc("expires_at").limit(PRUNE);
        let expired: Vec<SpentDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        if expired.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = expired.into_iter().map(|d| d.nonce).collect();
        self.store.delete_ids(Self::COLLECTION, &ids).await.map(drop)
    }
}

#[async_trait]
impl SpentTicketRepository for StoreSpentTicketRepository {
    async fn spend(&self, nonce: &str, expires_at: OffsetDateTime, now: OffsetDateTime) -> Result<bool, RepoError> {
        let doc = SpentDocument { nonce: nonce.to_owned(), expires_at };
        let spent = match codec::insert(&*self.store, Self::COLLECTION, &doc).await {
            Ok(()) => true,
            Err(RepoError::Duplicate { .. }) => false,
            Err(err) => return Err(err),
        };
        // Housekeeping never refuses a ticket: a failed prune is retried by the next spend.
        if let Err(err) = self.prune(now).await {
            tracing::warn!(error = %err, "expired stream tickets could not be pruned");
        }
        Ok(spent)
    }
}
