//! Conversations with the assistant and their messages, stored per user.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ConversationId, MessageId, ProposalId, TokenUsage};
use crate::shared::ids::UserId;

/// The longest message a user may send, in characters.
pub const TEXT_MAX_CHARS: usize = 4000;
/// The longest conversation title, in characters.
pub const TITLE_MAX_CHARS: usize = 120;

/// A user's message text: 1 to [`TEXT_MAX_CHARS`] characters, not blank, no control characters
/// but line breaks and tabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    /// Parses `raw` (trimmed). Errors: what is wrong, for the `text` field.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("must not be blank");
        }
        if text.chars().count() > TEXT_MAX_CHARS {
            return Err("must be at most 4000 characters");
        }
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
            return Err("must not contain control characters");
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One conversation of a user's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    /// Id.
    pub id: ConversationId,
    /// Its owner.
    pub user_id: UserId,
    /// A title (the start of the first message until one is sent: "New conversation").
    pub title: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// The last message's time.
    pub updated_at: OffsetDateTime,
}

impl Conversation {
    /// A new, empty conversation.
    pub fn start(user_id: UserId, title: Option<&str>, now: OffsetDateTime) -> Self {
        let title = title.map(str::trim).filter(|t| !t.is_empty()).map(clip_title);
        Self {
            id: ConversationId::new(),
            user_id,
            title: title.unwrap_or_else(|| "New conversation".into()),
            created_at: now,
            updated_at: now,
        }
    }

    /// Takes note of a message sent at `at`; the first one names an untitled conversation.
    pub fn record_message(&mut self, first: Option<&MessageText>, at: OffsetDateTime) {
        if let Some(text) = first.filter(|_| self.title == "New conversation") {
            self.title = clip_title(text.as_str().lines().next().unwrap_or_default());
        }
        self.updated_at = self.updated_at.max(at);
    }
}

fn clip_title(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(TITLE_MAX_CHARS).collect()
}

/// Who wrote a stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The user (what counts against the daily quota).
    User,
    /// The assistant.
    Assistant,
}

/// One stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The conversation's owner.
    pub user_id: UserId,
    /// Who wrote it.
    pub author: Author,
    /// Its text.
    pub text: String,
    /// The actions an assistant message proposed.
    pub proposals: Vec<ProposalId>,
    /// What answered: `guide` (offline) or the model's name.
    pub answered_by: Option<String>,
    /// Tokens the model used for an assistant message.
    pub usage: Option<TokenUsage>,
    /// Written.
    pub at: OffsetDateTime,
}

impl Message {
    /// A user's message.
    pub fn from_user(conversation: &Conversation, text: &MessageText, at: OffsetDateTime) -> Self {
        Self {
            id: MessageId::new(),
            conversation_id: conversation.id,
            user_id: conversation.user_id,
            author: Author::User,
            text: text.as_str().to_owned(),
            proposals: Vec::new(),
            answered_by: None,
            usage: None,
            at,
        }
    }

    /// The assistant's answer.
    pub fn from_assistant(conversation: &Conversation, text: String, answered_by: &str, at: OffsetDateTime) -> Self {
        Self {
            id: MessageId::new(),
            conversation_id: conversation.id,
            user_id: conversation.user_id,
            author: Author::Assistant,
            text,
            proposals: Vec::new(),
            answered_by: Some(answered_by.to_owned()),
            usage: None,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(MessageText::parse("  oi \n").unwrap().as_str(), "oi");
        assert!(MessageText::parse(" \n\t ").is_err());
        assert!(MessageText::parse(&"a".repeat(TEXT_MAX_CHARS)).is_ok());
        assert!(MessageText::parse(&"é".repeat(TEXT_MAX_CHARS + 1)).is_err());
        assert!(MessageText::parse("a\u{0}b").is_err());
        assert!(MessageText::parse("line\nline\tcol").is_ok());
    }

    #[test]
    fn the_first_message_names_an_untitled_conversation() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut c = Conversation::start(UserId::new(), None, now);
        c.record_message(Some(&MessageText::parse("Why did my bot stop?\nmore").unwrap()), now);
        assert_eq!(c.title, "Why did my bot stop?");
        c.record_message(Some(&MessageText::parse("other").unwrap()), now);
        assert_eq!(c.title, "Why did my bot stop?");
        let named = Conversation::start(UserId::new(), Some(&"x".repeat(500)), now);
        assert_eq!(named.title.chars().count(), TITLE_MAX_CHARS);
    }
}
