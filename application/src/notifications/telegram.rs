//! Linking a Telegram chat: `POST /api/notifications/telegram/link` gives the user a one-time
//! code (only its SHA-256 is stored, valid [`LINK_CODE_LIFETIME`]) inside the deep link
//! `https://t.me/<bot>?start=<code>`; opening it makes Telegram send the bot `/start <code>`,
//! which the updates worker (`telegram_updates.rs`) turns into the link. The user reads and
//! removes the link here.

use std::sync::Arc;

use domain::notifications::{LinkCode, TelegramBot, TelegramLink, TelegramRepository, LINK_CODE_LIFETIME};
use domain::shared::ids::UserId;
use domain::Clock;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::Unexpected;

/// The SHA-256 (hex) under which a link code is stored.
pub(crate) fn hash_link_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// A fresh code: 128 random bits, base64url without padding (22 characters, all allowed in a
/// deep link's `start` parameter).
fn new_link_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// What the user gets to link a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkOffer {
    /// The one-time code (shown once; the user may also send `/start <code>` by hand).
    pub code: String,
    /// `https://t.me/<bot username>?start=<code>`.
    pub url: String,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// Why a link code cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum TelegramLinkError {
    /// The server has no Telegram bot (no token configured).
    #[error("Telegram is off on this server")]
    Off,
    /// The Bot API does not answer (the bot's username is unknown).
    #[error("Telegram is unavailable")]
    Unavailable,
    /// The store failed.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<domain::RepoError> for TelegramLinkError {
    fn from(err: domain::RepoError) -> Self {
        Self::Unexpected(err.into())
    }
}

/// The linking use cases.
pub struct TelegramLinking {
    bot: Arc<dyn TelegramBot>,
    links: Arc<dyn TelegramRepository>,
    clock: Arc<dyn Clock>,
    username: OnceCell<String>,
}

impl std::fmt::Debug for TelegramLinking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramLinking").field("username", &self.username.get()).finish_non_exhaustive()
    }
}

impl TelegramLinking {
    /// Links through `bot`, stored in `links`.
    pub fn new(bot: Arc<dyn TelegramBot>, links: Arc<dyn TelegramRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { bot, links, clock, username: OnceCell::new() }
    }

    /// A new code for `user` (their previous one stops working) and its deep link. Errors:
    /// `Unavailable` when the bot's username cannot be read from the Bot API.
    pub async fn offer(&self, user: UserId) -> Result<LinkOffer, TelegramLinkError> {
        let username = self.username.get_or_try_init(|| async { self.bot.username().await }).await.map_err(|err| {
            tracing::warn!(error = %err, "the Telegram bot's username could not be read (getMe)");
            TelegramLinkError::Unavailable
        })?;
        let code = new_link_code();
        let expires_at = self.clock.now() + LINK_CODE_LIFETIME;
        self.links.put_code(&LinkCode { code_hash: hash_link_code(&code), user_id: user, expires_at }).await?;
        let url = format!("https://t.me/{username}?start={code}");
        Ok(LinkOffer { code, url, expires_at })
    }

    /// `user`'s linked chat, if any.
    pub async fn status(&self, user: UserId) -> Result<Option<TelegramLink>, Unexpected> {
        Ok(self.links.get(user).await?)
    }

    /// Removes `user`'s link; whether there was one.
    pub async fn unlink(&self, user: UserId) -> Result<bool, Unexpected> {
        let removed = self.links.unlink(user).await?;
        if removed {
            tracing::info!(user_id = %user, "Telegram chat unlinked");
        }
        Ok(removed)
    }
}
