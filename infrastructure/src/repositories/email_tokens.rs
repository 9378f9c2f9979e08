//! [`EmailTokenRepository`] over a [`DocumentStore`]: collection `email_tokens`, unique index
//! `email_tokens_hash`, plus one by user and purpose for superseding older tokens.

use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{EmailToken, EmailTokenRepository, TokenPurpose};
use domain::shared::ids::{EmailTokenId, UserId};
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, value_of};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of an [`EmailToken`] (the token's hash, never the token).
#[derive(Serialize, Deserialize)]
struct EmailTokenDocument {
    #[serde(rename = "_id")]
    id: EmailTokenId,
    user_id: UserId,
    purpose: TokenPurpose,
    token_hash: String,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    consumed_at: Option<OffsetDateTime>,
}

impl From<&EmailToken> for EmailTokenDocument {
    fn from(t: &EmailToken) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            purpose: t.purpose,
            token_hash: t.token_hash.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            consumed_at: t.consumed_at,
        }
    }
}

impl From<EmailTokenDocument> for EmailToken {
    fn from(d: EmailTokenDocument) -> Self {
        EmailToken {
            id: d.id,
            user_id: d.user_id,
            purpose: d.purpose,
            token_hash: d.token_hash,
            created_at: d.created_at,
            expires_at: d.expires_at,
            consumed_at: d.consumed_at,
        }
    }
}

/// Single-use e-mail tokens in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreEmailTokenRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreEmailTokenRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "email_tokens";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("email_tokens_hash", &["token_hash"]),
        IndexSpec::plain("email_tokens_user", &["user_id", "purpose"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Marks the unconsumed tokens matching `query` consumed at `at`.
    async fn consume_where(&self, query: Query, at: OffsetDateTime) -> Result<u64, RepoError> {
        codec::stamp_unset(&*self.store, Self::COLLECTION, query, "consumed_at", at).await
    }
}

#[async_trait]
impl EmailTokenRepository for StoreEmailTokenRepository {
    async fn create(&self, token: &EmailToken) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &EmailTokenDocument::from(token)).await
    }

    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<EmailToken>, RepoError> {
        let query = Query::all().eq("token_hash", token_hash);
        let found: Option<EmailTokenDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(EmailToken::from))
    }

    async fn consume(&self, id: EmailTokenId, at: OffsetDateTime) -> Result<bool, RepoError> {
        Ok(self.consume_where(Query::all().eq(ID, id.to_string()), at).await? == 1)
    }

    async fn consume_all(&self, user: UserId, purpose: TokenPurpose, at: OffsetDateTime) -> Result<u64, RepoError> {
        let query = Query::all().eq("user_id", user.to_string()).eq("purpose", value_of(&purpose));
        self.consume_where(query, at).await
    }
}
