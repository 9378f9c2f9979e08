//! The conversations' repository port.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{Conversation, ConversationId, Message, Proposal, ProposalId};
use crate::shared::ids::UserId;
use crate::{Page, PageRequest, RepoError};

/// Stores conversations (collection `assistant_conversations`), their messages
/// (`assistant_messages`) and proposals (`assistant_proposals`). Every read is scoped to the
/// owner: another user's id reads as `NotFound`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ConversationRepository: Send + Sync {
    /// Stores a new conversation. Errors: `Unavailable`.
    async fn create(&self, conversation: &Conversation) -> Result<(), RepoError>;
    /// Saves a conversation's title and time. Errors: `NotFound`, `Unavailable`.
    async fn update(&self, conversation: &Conversation) -> Result<(), RepoError>;
    /// The owner's conversation. Errors: `NotFound`.
    async fn get(&self, owner: UserId, id: ConversationId) -> Result<Conversation, RepoError>;
    /// The owner's conversations, most recently active first.
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<Conversation>, RepoError>;
    /// Deletes the owner's conversation with its messages and proposals. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: ConversationId) -> Result<(), RepoError>;
    /// Stores a message. Errors: `Unavailable`.
    async fn append(&self, message: &Message) -> Result<(), RepoError>;
    /// Removes one of the owner's messages (a refused message is not kept); whether it existed.
    async fn remove_message(&self, owner: UserId, id: super::MessageId) -> Result<bool, RepoError>;
    /// The conversation's messages, oldest first.
    async fn messages(&self, owner: UserId, id: ConversationId, page: PageRequest) -> Result<Page<Message>, RepoError>;
    /// The owner's messages of every conversation, oldest first (the personal-data export).
    async fn all_messages(&self, owner: UserId, page: PageRequest) -> Result<Page<Message>, RepoError>;
    /// How many messages the owner wrote (author `user`) at or after `since`.
    async fn user_messages_since(&self, owner: UserId, since: OffsetDateTime) -> Result<u64, RepoError>;
    /// Stores a new proposal. Errors: `Unavailable`.
    async fn propose(&self, proposal: &Proposal) -> Result<(), RepoError>;
    /// The owner's proposal. Errors: `NotFound`.
    async fn proposal(&self, owner: UserId, id: ProposalId) -> Result<Proposal, RepoError>;
    /// Saves `proposal` if it is still at its `version`; returns it at its new version.
    /// Errors: `Conflict` when another write came first, `NotFound`.
    async fn save_proposal(&self, proposal: &Proposal) -> Result<Proposal, RepoError>;
    /// Erases everything of the owner's (account deletion); returns the conversations removed.
    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError>;
}
