//! The assistant's request and response bodies.

use application::assistant::{ChatQuota, SentMessage};
use domain::assistant::{Author, Conversation, Message, Proposal, ProposalStatus, TokenUsage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::bots::BotResponse;

/// Start a conversation.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversationRequest {
    /// A title (default: the start of the first message); no control characters.
    #[validate(length(max = 120))]
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$", example = "My bots")]
    pub title: Option<String>,
}

/// A message to the assistant.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// The text, 1 to 4000 characters (trimmed; not blank; no control characters but tabs and
    /// line breaks).
    #[validate(length(min = 1, max = 4000))]
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$",
        example = "Por que meu bot parou?"
    )]
    pub text: String,
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationResponse {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Started.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// The last message's time.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Conversation> for ConversationResponse {
    fn from(c: Conversation) -> Self {
        Self { id: c.id.to_string(), title: c.title, created_at: c.created_at, updated_at: c.updated_at }
    }
}

/// Tokens a language model used.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUsageResponse {
    /// Read.
    pub prompt_tokens: u64,
    /// Written.
    pub completion_tokens: u64,
}

impl From<TokenUsage> for TokenUsageResponse {
    fn from(u: TokenUsage) -> Self {
        Self { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens }
    }
}

/// A stored message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    /// Id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// `user` or `assistant`.
    #[schema(example = "assistant")]
    pub author: String,
    /// The text.
    pub text: String,
    /// The ids of the actions it proposed (confirm each with `POST /api/assistant/proposals/{id}/confirm`).
    pub proposals: Vec<String>,
    /// `guide` (offline) or the language model's name; `null` for the user's messages.
    pub answered_by: Option<String>,
    /// Tokens the model used for this answer.
    pub usage: Option<TokenUsageResponse>,
    /// Written.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl From<Message> for MessageResponse {
    fn from(m: Message) -> Self {
        Self {
            id: m.id.to_string(),
            conversation_id: m.conversation_id.to_string(),
            author: match m.author {
                Author::User => "user".into(),
                Author::Assistant => "assistant".into(),
            },
            text: m.text,
            proposals: m.proposals.iter().map(ToString::to_string).collect(),
            answered_by: m.answered_by,
            usage: m.usage.map(Into::into),
            at: m.at,
        }
    }
}

/// A conversation and a page of its messages, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationHistory {
    /// The conversation.
    pub conversation: ConversationResponse,
    /// Its messages.
    pub items: Vec<MessageResponse>,
    /// How many messages it has.
    pub total: u64,
    /// Skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
}

/// An action the assistant proposed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalResponse {
    /// Id (what the confirmation names).
    pub id: String,
    /// Where it was proposed.
    pub conversation_id: String,
    /// `pause_bot`, `resume_bot`, `reset_breaker`, `emergency_sell` or `create_bot`.
    #[schema(example = "pause_bot")]
    pub action: String,
    /// The action's arguments (the bot, or the bot to create).
    #[schema(value_type = Object)]
    pub arguments: serde_json::Value,
    /// What it does, in words.
    pub summary: String,
    /// `pending`, `executed` or `failed`.
    #[schema(example = "pending")]
    pub status: String,
    /// Why a confirmed action failed.
    pub outcome: Option<String>,
    /// Proposed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Confirmable until.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Confirmed.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<OffsetDateTime>,
}

impl From<Proposal> for ProposalResponse {
    fn from(p: Proposal) -> Self {
        let mut arguments = serde_json::to_value(&p.action).unwrap_or_default();
        if let Some(map) = arguments.as_object_mut() {
            map.remove("type");
        }
        Self {
            id: p.id.to_string(),
            conversation_id: p.conversation_id.to_string(),
            action: p.action.kind().to_owned(),
            arguments,
            expires_at: p.expires_at(),
            summary: p.summary,
            status: match p.status {
                ProposalStatus::Pending => "pending".into(),
                ProposalStatus::Executed => "executed".into(),
                ProposalStatus::Failed => "failed".into(),
            },
            outcome: p.outcome,
            created_at: p.created_at,
            decided_at: p.decided_at,
        }
    }
}

/// The assistant messages of the day against the plan's quota (the user's local day, in their profile's `time_zone`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatQuotaResponse {
    /// Messages sent today.
    pub used: u64,
    /// The daily limit (`null`: unlimited).
    pub limit: Option<u32>,
    /// When the count starts again: the user's next local midnight, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub resets_at: OffsetDateTime,
}

impl From<ChatQuota> for ChatQuotaResponse {
    fn from(q: ChatQuota) -> Self {
        Self { used: q.used, limit: q.limit.max(), resets_at: q.resets_at }
    }
}

/// A message and the assistant's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendMessageResponse {
    /// The message as stored.
    pub question: MessageResponse,
    /// The answer as stored.
    pub answer: MessageResponse,
    /// The actions the answer proposed (nothing is done until confirmed).
    pub proposals: Vec<ProposalResponse>,
    /// The quota after this message.
    pub quota: ChatQuotaResponse,
}

impl From<SentMessage> for SendMessageResponse {
    fn from(s: SentMessage) -> Self {
        Self {
            question: s.question.into(),
            answer: s.answer.into(),
            proposals: s.proposals.into_iter().map(Into::into).collect(),
            quota: s.quota.into(),
        }
    }
}

/// A confirmed proposal and the bot it acted on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmResponse {
    /// The proposal, executed.
    pub proposal: ProposalResponse,
    /// The bot as the action left it.
    pub bot: BotResponse,
}
