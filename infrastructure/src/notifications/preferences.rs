//! [`PreferenceRepository`] over a [`DocumentStore`]: collection `notification_preferences`, one
//! document per user (its id is the user's), holding only the types the user changed as a list of
//! `{type, channels}` pairs (event type names hold dots, which must never become field names).
//! A user without a document has the defaults.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::{ChannelSet, EventType, NotificationPreferences, PreferenceRepository};
use domain::shared::ids::UserId;
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis_opt};
use crate::store::{DocumentStore, IndexSpec};

/// The stored form of [`NotificationPreferences`].
#[derive(Serialize, Deserialize)]
struct PreferencesDocument {
    #[serde(rename = "_id")]
    id: UserId,
    chosen: Vec<ChoiceDocument>,
    #[serde(with = "millis_opt")]
    updated_at: Option<OffsetDateTime>,
    #[serde(default)]
    version: u64,
}

/// The channels a user chose for one event type.
#[derive(Serialize, Deserialize)]
struct ChoiceDocument {
    #[serde(rename = "type")]
    event_type: EventType,
    channels: ChannelSet,
}

impl From<&NotificationPreferences> for PreferencesDocument {
    fn from(p: &NotificationPreferences) -> Self {
        let chosen = p.chosen.iter().map(|(t, c)| ChoiceDocument { event_type: *t, channels: *c }).collect();
        Self { id: p.user_id, chosen, updated_at: p.updated_at, version: 0 }
    }
}

impl From<PreferencesDocument> for NotificationPreferences {
    fn from(d: PreferencesDocument) -> Self {
        let chosen = d.chosen.into_iter().map(|c| (c.event_type, c.channels)).collect();
        NotificationPreferences { user_id: d.id, chosen, updated_at: d.updated_at }
    }
}

/// Users' notification preferences in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StorePreferenceRepository {
    store: Arc<dyn DocumentStore>,
}

impl StorePreferenceRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "notification_preferences";
    /// Its indexes: none beyond the id (the user's).
    pub const INDEXES: &'static [IndexSpec] = &[];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl PreferenceRepository for StorePreferenceRepository {
    async fn get(&self, user: UserId) -> Result<NotificationPreferences, RepoError> {
        let found: Option<PreferencesDocument> = codec::get(&*self.store, Self::COLLECTION, &user.to_string()).await?;
        Ok(found.map_or_else(|| NotificationPreferences::defaults(user), NotificationPreferences::from))
    }

    async fn put(&self, preferences: &NotificationPreferences) -> Result<(), RepoError> {
        let document = PreferencesDocument::from(preferences);
        // The last writer wins: two racing writes of one user's choices both succeed in turn.
        for _ in 0..16 {
            let stored: Option<PreferencesDocument> =
                codec::get(&*self.store, Self::COLLECTION, &preferences.user_id.to_string()).await?;
            let written = match stored {
                Some(stored) => {
                    codec::replace(&*self.store, Self::COLLECTION, &document, stored.version).await.map(drop)
                }
                None => codec::insert(&*self.store, Self::COLLECTION, &document).await,
            };
            match written {
                Ok(()) => return Ok(()),
                Err(RepoError::Conflict | RepoError::NotFound) => continue,
                Err(RepoError::Duplicate { .. }) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(RepoError::Conflict)
    }

    async fn delete_of(&self, user: UserId) -> Result<(), RepoError> {
        self.store.delete(Self::COLLECTION, &user.to_string()).await.map(drop)
    }
}
