//! [`TelegramRepository`] over a [`DocumentStore`]: collection `telegram_links` (`_id` the user,
//! unique index on the chat: a chat belongs to one account), collection `telegram_codes` (`_id`
//! the code's SHA-256, never the code; spent by stamping `used_at` once, so of two racing
//! `/start`s only one links), and the `getUpdates` offset as the cursor `telegram:updates`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::{LinkCode, TelegramLink, TelegramRepository};
use domain::shared::ids::UserId;
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, to_millis};
use super::dispatch_cursors;
use crate::store::{doc_id, DocumentStore, IndexSpec, Query, ID};

/// The name of the `getUpdates` offset among the cursors.
const OFFSET: &str = "telegram:updates";

#[derive(Serialize, Deserialize)]
struct LinkDocument {
    #[serde(rename = "_id")]
    user_id: UserId,
    chat_id: i64,
    #[serde(with = "millis")]
    linked_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct CodeDocument {
    #[serde(rename = "_id")]
    code_hash: String,
    user_id: UserId,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    used_at: Option<OffsetDateTime>,
}

/// Telegram links and codes in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreTelegramRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreTelegramRepository {
    /// The links' collection.
    pub const LINKS: &'static str = "telegram_links";
    /// Its indexes.
    pub const LINK_INDEXES: &'static [IndexSpec] = &[IndexSpec::unique("telegram_links_chat", &["chat_id"])];
    /// The codes' collection.
    pub const CODES: &'static str = "telegram_codes";
    /// Its indexes.
    pub const CODE_INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("telegram_codes_user", &["user_id"])];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Deletes every document of `coll` matching `query`; how many.
    async fn delete_where(&self, coll: &str, query: &Query) -> Result<u64, RepoError> {
        let mut deleted = 0;
        for doc in self.store.find(coll, query).await? {
            deleted += u64::from(self.store.delete(coll, doc_id(&doc)?).await?);
        }
        Ok(deleted)
    }
}

#[async_trait]
impl TelegramRepository for StoreTelegramRepository {
    async fn put_code(&self, code: &LinkCode) -> Result<(), RepoError> {
        self.delete_where(Self::CODES, &Query::all().eq("user_id", code.user_id.to_string())).await?;
        let doc = CodeDocument {
            code_hash: code.code_hash.clone(),
            user_id: code.user_id,
            expires_at: code.expires_at,
            used_at: None,
        };
        codec::insert(&*self.store, Self::CODES, &doc).await
    }

    async fn take_code(&self, code_hash: &str, now: OffsetDateTime) -> Result<Option<UserId>, RepoError> {
        let query = Query::all().eq(ID, code_hash).gt("expires_at", to_millis(now));
        if codec::stamp_unset(&*self.store, Self::CODES, query, "used_at", now).await? == 0 {
            return Ok(None);
        }
        let code: Option<CodeDocument> = codec::get(&*self.store, Self::CODES, code_hash).await?;
        Ok(code.map(|c| c.user_id))
    }

    async fn link(&self, link: &TelegramLink) -> Result<(), RepoError> {
        // The chat leaves any other account, and the account any other chat.
        self.delete_where(Self::LINKS, &Query::all().eq("chat_id", link.chat_id)).await?;
        self.store.delete(Self::LINKS, &link.user_id.to_string()).await?;
        let doc = LinkDocument { user_id: link.user_id, chat_id: link.chat_id, linked_at: link.linked_at };
        codec::insert(&*self.store, Self::LINKS, &doc).await
    }

    async fn get(&self, user: UserId) -> Result<Option<TelegramLink>, RepoError> {
        let found: Option<LinkDocument> = codec::get(&*self.store, Self::LINKS, &user.to_string()).await?;
        Ok(found.map(|d| TelegramLink { user_id: d.user_id, chat_id: d.chat_id, linked_at: d.linked_at }))
    }

    async fn unlink(&self, user: UserId) -> Result<bool, RepoError> {
        self.delete_where(Self::CODES, &Query::all().eq("user_id", user.to_string())).await?;
        self.store.delete(Self::LINKS, &user.to_string()).await
    }

    async fn unlink_chat(&self, chat_id: i64) -> Result<bool, RepoError> {
        Ok(self.delete_where(Self::LINKS, &Query::all().eq("chat_id", chat_id)).await? > 0)
    }

    async fn offset(&self) -> Result<i64, RepoError> {
        dispatch_cursors::read(&*self.store, OFFSET).await
    }

    async fn set_offset(&self, offset: i64) -> Result<(), RepoError> {
        dispatch_cursors::write(&*self.store, OFFSET, offset).await
    }
}
