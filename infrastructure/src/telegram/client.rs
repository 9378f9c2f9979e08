//! [`TelegramBotApi`]: the Bot API over reqwest. Each method is a `POST
//! {api_url}/bot<token>/<method>` with a JSON body; 429 becomes `RetryAfter` (Telegram's
//! `parameters.retry_after`), 403 `Forbidden` (the user blocked the bot), anything else `Failed`.

use std::time::Duration;

use async_trait::async_trait;
use domain::notifications::{TelegramBot, TelegramError, TelegramUpdate};
use domain::shared::secret::Secret;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::wire::{Answer, GetUpdates, LinkPreviewOptions, Me, SendMessage, Update};

/// Telegram's own address.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

/// Where and as whom to call the Bot API.
#[derive(Clone)]
pub struct TelegramConfig {
    /// The bot's token (a secret: never logged).
    pub token: Secret,
    /// The API's address (`https://api.telegram.org`; a local fake in tests).
    pub api_url: String,
    /// The time-out of a call other than a long poll.
    pub timeout: Duration,
}

impl std::fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("token", &"[redacted]")
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The Bot API client.
#[derive(Debug, Clone)]
pub struct TelegramBotApi {
    http: reqwest::Client,
    config: TelegramConfig,
}

impl TelegramBotApi {
    /// A client for `config`. Errors when the HTTP client cannot be built (no TLS backend).
    pub fn new(config: TelegramConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .user_agent(concat!("botfleet/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, config: TelegramConfig { api_url: config.api_url.trim_end_matches('/').to_owned(), ..config } })
    }

    /// Calls `method` with `body`, waiting up to `timeout`.
    async fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<T, TelegramError> {
        let url = format!("{}/bot{}/{method}", self.config.api_url, self.config.token.expose());
        let response = self
            .http
            .post(url)
            .json(body)
            .timeout(timeout)
            .send()
            .await
            // The URL carries the token: drop it from the error.
            .map_err(|e| TelegramError::Failed(format!("{method}: {}", e.without_url())))?;
        let status = response.status();
        let answer: Option<Answer<T>> = response.json().await.ok();
        let description = answer.as_ref().and_then(|a| a.description.clone()).unwrap_or_default();
        match (status.as_u16(), answer) {
            (200, Some(Answer { ok: true, result: Some(result), .. })) => Ok(result),
            (429, answer) => {
                let retry_after = answer.and_then(|a| a.parameters).and_then(|p| p.retry_after);
                Err(TelegramError::RetryAfter(retry_after.unwrap_or(1)))
            }
            (403, _) => Err(TelegramError::Forbidden(description)),
            (code, _) => Err(TelegramError::Failed(format!("{method}: {code} {description}"))),
        }
    }
}

#[async_trait]
impl TelegramBot for TelegramBotApi {
    async fn username(&self) -> Result<String, TelegramError> {
        let me: Me = self.call("getMe", &serde_json::json!({}), self.config.timeout).await?;
        me.username.ok_or_else(|| TelegramError::Failed("getMe: the bot has no username".into()))
    }

    async fn updates(&self, offset: i64, timeout_secs: u64) -> Result<Vec<TelegramUpdate>, TelegramError> {
        let body = GetUpdates { offset, timeout: timeout_secs, allowed_updates: ["message"] };
        // The long poll may hold the answer for `timeout_secs`: the call waits that long and more.
        let wait = self.config.timeout + Duration::from_secs(timeout_secs);
        let updates: Vec<Update> = self.call("getUpdates", &body, wait).await?;
        Ok(updates
            .into_iter()
            .map(|u| TelegramUpdate {
                update_id: u.update_id,
                chat_id: u.message.as_ref().map(|m| m.chat.id),
                text: u.message.and_then(|m| m.text),
            })
            .collect())
    }

    async fn send(&self, chat_id: i64, html: &str) -> Result<(), TelegramError> {
        let body = SendMessage {
            chat_id,
            text: html,
            parse_mode: "HTML",
            link_preview_options: LinkPreviewOptions { is_disabled: true },
        };
        let _message: serde_json::Value = self.call("sendMessage", &body, self.config.timeout).await?;
        Ok(())
    }
}
