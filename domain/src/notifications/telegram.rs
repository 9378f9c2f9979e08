//! Telegram: a user links one chat to their account by sending the bot `/start <code>` (a
//! one-time code the API gave them, stored only as its hash, valid 10 minutes), and botfleet then
//! sends the chat the events the user wants there. The ports: the links and codes, and the Bot
//! API itself.

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::shared::error::RepoError;
use crate::shared::ids::UserId;

/// How long a link code is valid.
pub const LINK_CODE_LIFETIME: Duration = Duration::minutes(10);

/// A user's linked chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TelegramLink {
    /// The user.
    pub user_id: UserId,
    /// The private chat with the bot.
    pub chat_id: i64,
    /// When it was linked.
    pub linked_at: OffsetDateTime,
}

/// A one-time link code, as stored: its hash, never the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkCode {
    /// SHA-256 (hex) of the code.
    pub code_hash: String,
    /// Whose code it is.
    pub user_id: UserId,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Linked chats, link codes and the Bot API update offset.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TelegramRepository: Send + Sync {
    /// Stores `code`, replacing the user's previous code (only the newest works).
    async fn put_code(&self, code: &LinkCode) -> Result<(), RepoError>;

    /// Spends the code with that hash: its owner when it exists and has not expired at `now`;
    /// a spent code never works again, even racing.
    async fn take_code(&self, code_hash: &str, now: OffsetDateTime) -> Result<Option<UserId>, RepoError>;

    /// Links (or relinks) `link.user_id`'s account to `link.chat_id`; a chat belongs to one
    /// account at a time (another account's link to the same chat is removed).
    async fn link(&self, link: &TelegramLink) -> Result<(), RepoError>;

    /// The user's link, if any.
    async fn get(&self, user: UserId) -> Result<Option<TelegramLink>, RepoError>;

    /// Removes the user's link (and code); whether there was a link.
    async fn unlink(&self, user: UserId) -> Result<bool, RepoError>;

    /// Removes the link of `chat_id` (the chat blocked the bot); whether there was one.
    async fn unlink_chat(&self, chat_id: i64) -> Result<bool, RepoError>;

    /// The next `getUpdates` offset (0 before the first update).
    async fn offset(&self) -> Result<i64, RepoError>;

    /// Stores the next `getUpdates` offset.
    async fn set_offset(&self, offset: i64) -> Result<(), RepoError>;
}

/// A message a user sent the bot, as `getUpdates` reports it (other updates are ignored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TelegramUpdate {
    /// The update's id; the next poll asks for ids above the highest seen.
    pub update_id: i64,
    /// The chat it came from, when it is a message.
    pub chat_id: Option<i64>,
    /// The message's text, when it is a text message.
    pub text: Option<String>,
}

/// Why the Bot API refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    /// 429: too many requests; retry after that many seconds.
    #[error("Telegram asked to retry after {0} s")]
    RetryAfter(u64),
    /// 403: the user blocked the bot (or the chat is gone): sending there never works again.
    #[error("the chat refuses the bot: {0}")]
    Forbidden(String),
    /// Any other refusal or a transport failure; worth retrying later.
    #[error("Telegram failed: {0}")]
    Failed(String),
}

/// The Telegram Bot API, as botfleet uses it.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TelegramBot: Send + Sync {
    /// The bot's username (`getMe`), for the `https://t.me/<username>?start=<code>` link.
    async fn username(&self) -> Result<String, TelegramError>;

    /// Updates with an id of `offset` or more (`getUpdates`), waiting up to `timeout_secs` for
    /// one (long polling); asking with an offset confirms every update below it.
    async fn updates(&self, offset: i64, timeout_secs: u64) -> Result<Vec<TelegramUpdate>, TelegramError>;

    /// Sends `html` (Telegram's HTML subset, already escaped) to `chat_id` (`sendMessage`).
    async fn send(&self, chat_id: i64, html: &str) -> Result<(), TelegramError>;
}
