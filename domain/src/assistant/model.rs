//! The language-model port: what a chat-completion model is sent (messages and the tools it may
//! call) and what it answers (text, tool calls, token usage), with streamed text handed to a
//! [`ChunkSink`] as it arrives. Adapters speak a provider's wire format; nothing here does IO.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Who wrote a message sent to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The operator's instructions.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool's result (data, never instructions).
    Tool,
}

/// A call the model asked for: a tool name and its arguments as the JSON text the model wrote
/// (parsed and validated by the caller like API input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id of the call, echoed in the tool's result.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, JSON text as written by the model (possibly malformed).
    pub arguments: String,
}

/// One message of a model request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who wrote it.
    pub role: Role,
    /// Its text (a tool result's JSON for [`Role::Tool`]).
    pub content: String,
    /// The calls an assistant message asked for.
    pub tool_calls: Vec<ToolCall>,
    /// The call a tool message answers.
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    fn of(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }

    /// The operator's instructions.
    pub fn system(content: impl Into<String>) -> Self {
        Self::of(Role::System, content)
    }

    /// The user's words.
    pub fn user(content: impl Into<String>) -> Self {
        Self::of(Role::User, content)
    }

    /// The model's answer, with the calls it asked for.
    pub fn assistant(content: impl Into<String>, tool_calls: Vec<ToolCall>) -> Self {
        Self { tool_calls, ..Self::of(Role::Assistant, content) }
    }

    /// A tool's result for the call `call_id`.
    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self { tool_call_id: Some(call_id.into()), ..Self::of(Role::Tool, content) }
    }
}

/// A tool the model may call: its name, what it does and its arguments' JSON Schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolSchema {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// The JSON Schema of its arguments (an object).
    pub parameters: serde_json::Value,
}

/// What a model is asked.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ModelRequest {
    /// The conversation so far, system message first.
    pub messages: Vec<ChatMessage>,
    /// The tools it may call.
    pub tools: Vec<ToolSchema>,
}

/// Tokens a model counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens read.
    pub prompt_tokens: u64,
    /// Tokens written.
    pub completion_tokens: u64,
}

impl TokenUsage {
    /// Both counts added (saturating).
    pub fn plus(self, other: TokenUsage) -> TokenUsage {
        TokenUsage {
            prompt_tokens: self.prompt_tokens.saturating_add(other.prompt_tokens),
            completion_tokens: self.completion_tokens.saturating_add(other.completion_tokens),
        }
    }
}

/// A model's complete answer to one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelReply {
    /// Its text (already handed to the sink piece by piece when streaming).
    pub content: String,
    /// The tools it wants called before it answers.
    pub tool_calls: Vec<ToolCall>,
    /// Tokens used by this request.
    pub usage: TokenUsage,
}

/// Receives the answer's text as the model writes it, in order.
pub trait ChunkSink: Send {
    /// A piece of text (never empty).
    fn text(&mut self, delta: &str);
}

/// A sink that drops every piece (non-streaming calls).
impl ChunkSink for () {
    fn text(&mut self, _delta: &str) {}
}

/// Why a model gave no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The provider did not answer in time or answered 5xx (after retries).
    #[error("the language model is unavailable: {0}")]
    Unavailable(String),
    /// The provider kept answering 429 (after retries).
    #[error("the language model refused for its rate limit")]
    RateLimited,
    /// The provider refused the request (4xx other than 429: a bad key, an unknown model).
    #[error("the language model refused the request: {0}")]
    Rejected(String),
    /// The provider's answer could not be read.
    #[error("the language model's answer could not be read: {0}")]
    Malformed(String),
}

/// A chat-completion model with tool calling. (No `mockall` double: the sink's borrowed trait
/// object defeats it; tests script a model instead, in process or as a local fake server.)
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// The model's name (for logs and the conversation's record).
    fn name(&self) -> &str;
    /// Sends `request`; streamed text goes to `sink` in order as it arrives, and the whole
    /// answer is returned at the end. Errors: every [`ModelError`]; adapters retry 429 and 5xx
    /// with backoff before answering `RateLimited` or `Unavailable`.
    async fn complete(&self, request: &ModelRequest, sink: &mut dyn ChunkSink) -> Result<ModelReply, ModelError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_adds_up_and_saturates() {
        let a = TokenUsage { prompt_tokens: 3, completion_tokens: u64::MAX };
        let b = TokenUsage { prompt_tokens: 4, completion_tokens: 1 };
        assert_eq!(a.plus(b), TokenUsage { prompt_tokens: 7, completion_tokens: u64::MAX });
    }

    #[test]
    fn tool_results_name_their_call() {
        let m = ChatMessage::tool_result("call_1", "{}");
        assert_eq!((m.role, m.tool_call_id.as_deref()), (Role::Tool, Some("call_1")));
        assert!(ChatMessage::user("hi").tool_call_id.is_none());
    }
}
