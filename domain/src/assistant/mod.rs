//! The assistant: the language-model port (messages, tool calls, tool schemas, streamed text,
//! token usage) and the stored conversations, their messages and the actions the assistant
//! proposes, with their repository port. No IO here: adapters implement [`LanguageModel`] and
//! [`ConversationRepository`].

mod conversation;
mod model;
mod ports;
mod proposal;

pub use conversation::{Author, Conversation, Message, MessageText, TEXT_MAX_CHARS, TITLE_MAX_CHARS};
pub use model::{
    ChatMessage, ChunkSink, LanguageModel, ModelError, ModelReply, ModelRequest, Role, TokenUsage, ToolCall, ToolSchema,
};
pub use ports::ConversationRepository;
pub use proposal::{Proposal, ProposalError, ProposalStatus, ProposedAction, PROPOSAL_TTL};

crate::ulid_id!(
    /// Identifies a conversation with the assistant.
    ConversationId
);
crate::ulid_id!(
    /// Identifies one message of a conversation.
    MessageId
);
crate::ulid_id!(
    /// Identifies an action the assistant proposed (confirmed by a separate request).
    ProposalId
);
