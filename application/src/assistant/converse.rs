//! Use cases: start, list, read and delete conversations, and send a message: the quota is
//! taken, the model (or the offline guide) answers through the tools, and the question and its
//! answer are stored together. A refused or failed message leaves nothing stored.

use domain::assistant::{
    ChunkSink, Conversation, ConversationId, Message, MessageText, Proposal, TokenUsage, TITLE_MAX_CHARS,
};
use domain::shared::ids::UserId;
use domain::{Page, PageRequest};

use super::errors::missing;
use super::quota::ChatQuota;
use super::{AssistantError, AssistantService};
use crate::{FieldCode, FieldError};

/// How many earlier messages the model is given.
const HISTORY: u64 = 20;

/// The assistant's answer before it is stored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    /// Its text.
    pub text: String,
    /// The actions it proposed.
    pub proposals: Vec<Proposal>,
    /// Tokens the model used (none for the guide).
    pub usage: Option<TokenUsage>,
}

/// A message sent and its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct SentMessage {
    /// The user's message as stored.
    pub question: Message,
    /// The answer as stored.
    pub answer: Message,
    /// The actions proposed in it.
    pub proposals: Vec<Proposal>,
    /// The quota after this message.
    pub quota: ChatQuota,
}

impl AssistantService {
    /// Starts a conversation. Errors: `Invalid` title (over 120 characters, or a control character).
    pub async fn start(&self, user: UserId, title: Option<&str>) -> Result<Conversation, AssistantError> {
        if title.is_some_and(|t| t.trim().chars().count() > TITLE_MAX_CHARS) {
            let e = FieldError::new("title", FieldCode::Length, "must be at most 120 characters");
            return Err(AssistantError::Invalid(vec![e]));
        }
        if title.is_some_and(|t| t.chars().any(char::is_control)) {
            let e = FieldError::new("title", FieldCode::Invalid, "must not contain control characters");
            return Err(AssistantError::Invalid(vec![e]));
        }
        let conversation = Conversation::start(user, title, self.now());
        self.ports.conversations.create(&conversation).await?;
        Ok(conversation)
    }

    /// The caller's conversations, most recently active first.
    pub async fn conversations(&self, user: UserId, page: PageRequest) -> Result<Page<Conversation>, AssistantError> {
        Ok(self.ports.conversations.list(user, page).await?)
    }

    /// One conversation and a page of its messages, oldest first. Errors: `NotFound`.
    pub async fn history(
        &self,
        user: UserId,
        id: ConversationId,
        page: PageRequest,
    ) -> Result<(Conversation, Page<Message>), AssistantError> {
        let conversation = self.ports.conversations.get(user, id).await.map_err(missing("conversation"))?;
        Ok((conversation, self.ports.conversations.messages(user, id, page).await?))
    }

    /// Deletes a conversation with its messages and proposals. Errors: `NotFound`.
    pub async fn delete(&self, user: UserId, id: ConversationId) -> Result<(), AssistantError> {
        self.ports.conversations.delete(user, id).await.map_err(missing("conversation"))
    }

    /// Sends `text` in the caller's conversation `id`; the answer's text goes to `sink` as it is
    /// written. Errors: `NotFound`, `Invalid` text, `QuotaExhausted`, `Model` (the provider did
    /// not answer; the message is not kept and not counted).
    pub async fn send(
        &self,
        user: UserId,
        id: ConversationId,
        text: &str,
        sink: &mut dyn ChunkSink,
    ) -> Result<SentMessage, AssistantError> {
        let text = MessageText::parse(text)
            .map_err(|m| AssistantError::Invalid(vec![FieldError::new("text", FieldCode::Invalid, m)]))?;
        let repo = &self.ports.conversations;
        let mut conversation = repo.get(user, id).await.map_err(missing("conversation"))?;
        let earlier = self.recent(user, id).await?;
        let question = Message::from_user(&conversation, &text, self.now());
        repo.append(&question).await?;
        let checked = async {
            let quota = self.quota(user).await?;
            // The refusal is written in the message's language, else the profile's.
            let lang = match super::guide::detect(text.as_str()) {
                Some(lang) => lang,
                None => self.preferences(user).await?.1.into(),
            };
            quota.check(self.ports.clock.now(), lang).map(|()| quota)
        };
        let quota = match checked.await {
            Ok(quota) => quota,
            Err(err) => {
                repo.remove_message(user, question.id).await?;
                return Err(err);
            }
        };
        let (reply, answered_by) = match &self.ports.model {
            Some(model) => {
                (self.model_answer(model.as_ref(), &conversation, &earlier, &text, sink).await, model.name())
            }
            None => (self.guide_answer(user, &conversation, &text, sink).await, "guide"),
        };
        let reply = match reply {
            Ok(reply) => reply,
            Err(err) => {
                repo.remove_message(user, question.id).await?;
                return Err(err);
            }
        };
        // Times are kept to the millisecond: an answer written in its question's millisecond would
        // tie with it and sort by its random id, so it is stamped one millisecond later at least.
        let at = self.now().max(question.at + time::Duration::milliseconds(1));
        let mut answer = Message::from_assistant(&conversation, reply.text, answered_by, at);
        answer.proposals = reply.proposals.iter().map(|p| p.id).collect();
        answer.usage = reply.usage;
        repo.append(&answer).await?;
        let first = earlier.is_empty().then_some(&text);
        conversation.record_message(first, answer.at);
        repo.update(&conversation).await?;
        Ok(SentMessage { question, answer, proposals: reply.proposals, quota })
    }

    /// The conversation's last [`HISTORY`] messages, oldest first.
    async fn recent(&self, user: UserId, id: ConversationId) -> Result<Vec<Message>, AssistantError> {
        let repo = &self.ports.conversations;
        let total = repo.messages(user, id, PageRequest::new(0, 1)).await?.total;
        let offset = total.saturating_sub(HISTORY);
        Ok(repo.messages(user, id, PageRequest::new(offset, HISTORY)).await?.items)
    }
}
