//! [`ConversationRepository`] over a [`DocumentStore`]: collections `assistant_conversations`,
//! `assistant_messages` and `assistant_proposals`, every query filtered by `user_id`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::assistant::{
    Author, Conversation, ConversationId, ConversationRepository, Message, MessageId, Proposal, ProposalId,
    ProposalStatus, ProposedAction, TokenUsage,
};
use domain::shared::ids::UserId;
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, to_millis};
use crate::store::{DocumentStore, IndexSpec, Query, ID, VERSION};

#[derive(Serialize, Deserialize)]
struct ConversationDocument {
    #[serde(rename = "_id")]
    id: ConversationId,
    user_id: UserId,
    title: String,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct MessageDocument {
    #[serde(rename = "_id")]
    id: MessageId,
    conversation_id: ConversationId,
    user_id: UserId,
    author: Author,
    text: String,
    proposals: Vec<ProposalId>,
    answered_by: Option<String>,
    usage: Option<TokenUsage>,
    #[serde(with = "millis")]
    at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct ProposalDocument {
    #[serde(rename = "_id")]
    id: ProposalId,
    user_id: UserId,
    conversation_id: ConversationId,
    action: ProposedAction,
    summary: String,
    status: ProposalStatus,
    outcome: Option<String>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    decided_at: Option<OffsetDateTime>,
    version: u64,
}

impl From<&Conversation> for ConversationDocument {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            title: c.title.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<ConversationDocument> for Conversation {
    fn from(d: ConversationDocument) -> Self {
        Self { id: d.id, user_id: d.user_id, title: d.title, created_at: d.created_at, updated_at: d.updated_at }
    }
}

impl From<&Message> for MessageDocument {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            user_id: m.user_id,
            author: m.author,
            text: m.text.clone(),
            proposals: m.proposals.clone(),
            answered_by: m.answered_by.clone(),
            usage: m.usage,
            at: m.at,
        }
    }
}

impl From<MessageDocument> for Message {
    fn from(d: MessageDocument) -> Self {
        Self {
            id: d.id,
            conversation_id: d.conversation_id,
            user_id: d.user_id,
            author: d.author,
            text: d.text,
            proposals: d.proposals,
            answered_by: d.answered_by,
            usage: d.usage,
            at: d.at,
        }
    }
}

impl From<&Proposal> for ProposalDocument {
    fn from(p: &Proposal) -> Self {
        Self {
            id: p.id,
            user_id: p.user_id,
            conversation_id: p.conversation_id,
            action: p.action.clone(),
            summary: p.summary.clone(),
            status: p.status,
            outcome: p.outcome.clone(),
            created_at: p.created_at,
            decided_at: p.decided_at,
            version: p.version,
        }
    }
}

impl From<ProposalDocument> for Proposal {
    fn from(d: ProposalDocument) -> Self {
        Self {
            id: d.id,
            user_id: d.user_id,
            conversation_id: d.conversation_id,
            action: d.action,
            summary: d.summary,
            status: d.status,
            outcome: d.outcome,
            created_at: d.created_at,
            decided_at: d.decided_at,
            version: d.version,
        }
    }
}

/// Conversations, messages and proposals in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreConversationRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreConversationRepository {
    /// The conversations' collection.
    pub const CONVERSATIONS: &'static str = "assistant_conversations";
    /// Its indexes.
    pub const CONVERSATION_INDEXES: &'static [IndexSpec] =
        &[IndexSpec::plain("assistant_conversations_user", &["user_id", "updated_at"])];
    /// The messages' collection.
    pub const MESSAGES: &'static str = "assistant_messages";
    /// Its indexes (the history, the export and the daily count).
    pub const MESSAGE_INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("assistant_messages_conversation", &["user_id", "conversation_id", "at"]),
        IndexSpec::plain("assistant_messages_user", &["user_id", "at"]),
        IndexSpec::plain("assistant_messages_author", &["user_id", "author", "at"]),
    ];
    /// The proposals' collection.
    pub const PROPOSALS: &'static str = "assistant_proposals";
    /// Its indexes.
    pub const PROPOSAL_INDEXES: &'static [IndexSpec] =
        &[IndexSpec::plain("assistant_proposals_user", &["user_id", "conversation_id"])];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Deletes every document of `coll` matching `query`, a page of ids at a time.
    async fn delete_where(&self, coll: &str, query: Query) -> Result<u64, RepoError> {
        let mut deleted = 0;
        loop {
            let docs = self.store.find(coll, &query.clone().limit(PageRequest::MAX_LIMIT)).await?;
            let ids: Vec<String> =
                docs.iter().filter_map(|d| d.get(ID).and_then(|v| v.as_str()).map(str::to_owned)).collect();
            if ids.is_empty() {
                return Ok(deleted);
            }
            deleted += self.store.delete_ids(coll, &ids).await?;
        }
    }
}

fn mine(user: UserId) -> Query {
    Query::all().eq("user_id", user.to_string())
}

#[async_trait]
impl ConversationRepository for StoreConversationRepository {
    async fn create(&self, conversation: &Conversation) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::CONVERSATIONS, &ConversationDocument::from(conversation)).await
    }

    async fn update(&self, conversation: &Conversation) -> Result<(), RepoError> {
        // Only the title and the time change, and the last writer's are as good as any: retry
        // on a concurrent write instead of failing the message that was answered.
        for _ in 0..3 {
            let stored = self.store.get(Self::CONVERSATIONS, &conversation.id.to_string()).await?;
            let stored =
                stored.filter(|d| d.get("user_id").and_then(|v| v.as_str()) == Some(&conversation.user_id.to_string()));
            let version =
                stored.and_then(|d| d.get(VERSION).and_then(serde_json::Value::as_u64)).ok_or(RepoError::NotFound)?;
            let doc = ConversationDocument::from(conversation);
            match codec::replace(&*self.store, Self::CONVERSATIONS, &doc, version).await {
                Err(RepoError::Conflict) => continue,
                other => return other.map(drop),
            }
        }
        Err(RepoError::Conflict)
    }

    async fn get(&self, owner: UserId, id: ConversationId) -> Result<Conversation, RepoError> {
        let query = mine(owner).eq(ID, id.to_string());
        codec::find_one::<ConversationDocument>(&*self.store, Self::CONVERSATIONS, query)
            .await?
            .map(Conversation::from)
            .ok_or(RepoError::NotFound)
    }

    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<Conversation>, RepoError> {
        let query = mine(owner).desc("updated_at").desc(ID);
        codec::page::<ConversationDocument, _>(&*self.store, Self::CONVERSATIONS, query, page, Conversation::from).await
    }

    async fn delete(&self, owner: UserId, id: ConversationId) -> Result<(), RepoError> {
        self.get(owner, id).await?;
        let of_it = mine(owner).eq("conversation_id", id.to_string());
        self.delete_where(Self::PROPOSALS, of_it.clone()).await?;
        self.delete_where(Self::MESSAGES, of_it).await?;
        self.store.delete(Self::CONVERSATIONS, &id.to_string()).await?;
        Ok(())
    }

    async fn append(&self, message: &Message) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::MESSAGES, &MessageDocument::from(message)).await
    }

    async fn remove_message(&self, owner: UserId, id: MessageId) -> Result<bool, RepoError> {
        Ok(self.delete_where(Self::MESSAGES, mine(owner).eq(ID, id.to_string())).await? > 0)
    }

    async fn messages(&self, owner: UserId, id: ConversationId, page: PageRequest) -> Result<Page<Message>, RepoError> {
        let query = mine(owner).eq("conversation_id", id.to_string()).asc("at").asc(ID);
        codec::page::<MessageDocument, _>(&*self.store, Self::MESSAGES, query, page, Message::from).await
    }

    async fn all_messages(&self, owner: UserId, page: PageRequest) -> Result<Page<Message>, RepoError> {
        let query = mine(owner).asc("at").asc(ID);
        codec::page::<MessageDocument, _>(&*self.store, Self::MESSAGES, query, page, Message::from).await
    }

    async fn user_messages_since(&self, owner: UserId, since: OffsetDateTime) -> Result<u64, RepoError> {
        let query = mine(owner).eq("author", "user").gte("at", to_millis(since));
        self.store.count(Self::MESSAGES, &query).await
    }

    async fn propose(&self, proposal: &Proposal) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::PROPOSALS, &ProposalDocument::from(proposal)).await
    }

    async fn proposal(&self, owner: UserId, id: ProposalId) -> Result<Proposal, RepoError> {
        let query = mine(owner).eq(ID, id.to_string());
        codec::find_one::<ProposalDocument>(&*self.store, Self::PROPOSALS, query)
            .await?
            .map(Proposal::from)
            .ok_or(RepoError::NotFound)
    }

    async fn save_proposal(&self, proposal: &Proposal) -> Result<Proposal, RepoError> {
        let version =
            codec::replace(&*self.store, Self::PROPOSALS, &ProposalDocument::from(proposal), proposal.version).await?;
        Ok(Proposal { version, ..proposal.clone() })
    }

    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError> {
        self.delete_where(Self::PROPOSALS, mine(owner)).await?;
        self.delete_where(Self::MESSAGES, mine(owner)).await?;
        self.delete_where(Self::CONVERSATIONS, mine(owner)).await
    }
}
