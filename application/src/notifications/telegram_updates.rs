//! The Telegram updates worker: long-polls `getUpdates` from the stored offset and links the chat
//! that sends `/start <code>` to the code's owner, replying with a confirmation in their
//! language. Runs as the `telegram_updates` workflow, under its lease (Telegram allows one
//! poller per bot).

use std::sync::Arc;

use domain::identity::Language;
use domain::notifications::{TelegramBot, TelegramLink, TelegramRepository, TelegramUpdate};
use domain::Clock;
use serde::Serialize;

use super::email::Recipients;
use super::telegram::hash_link_code;
use crate::identity::escape_html;
use crate::Unexpected;

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UpdatesReport {
    /// Updates read.
    pub updates: u64,
    /// Chats linked.
    pub linked: u64,
    /// `/start` messages with an unknown, spent or expired code.
    pub refused: u64,
}

/// The worker.
pub struct TelegramUpdates {
    bot: Arc<dyn TelegramBot>,
    links: Arc<dyn TelegramRepository>,
    recipients: Arc<dyn Recipients>,
    clock: Arc<dyn Clock>,
    poll_secs: u64,
}

impl std::fmt::Debug for TelegramUpdates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramUpdates").field("poll_secs", &self.poll_secs).finish_non_exhaustive()
    }
}

/// The code of a `/start <code>` (or `/start@bot <code>`) message.
fn start_code(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix("/start")?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with('@')) {
        return None;
    }
    let rest = match rest.strip_prefix('@') {
        Some(addressed) => addressed.split_once(char::is_whitespace).map_or("", |(_, code)| code),
        None => rest,
    };
    Some(rest.trim())
}

impl TelegramUpdates {
    /// Polls `bot`, waiting up to `poll_secs` for an update each time.
    pub fn new(
        bot: Arc<dyn TelegramBot>,
        links: Arc<dyn TelegramRepository>,
        recipients: Arc<dyn Recipients>,
        clock: Arc<dyn Clock>,
        poll_secs: u64,
    ) -> Self {
        Self { bot, links, recipients, clock, poll_secs }
    }

    /// One long poll and what it brought.
    pub async fn run(&self) -> Result<UpdatesReport, Unexpected> {
        let offset = self.links.offset().await?;
        let updates = self
            .bot
            .updates(offset, self.poll_secs)
            .await
            .map_err(|err| Unexpected::Internal(anyhow::anyhow!("getUpdates: {err}")))?;
        let mut report = UpdatesReport { updates: updates.len() as u64, ..UpdatesReport::default() };
        for update in &updates {
            self.handle(update, &mut report).await?;
        }
        if let Some(last) = updates.iter().map(|u| u.update_id).max() {
            self.links.set_offset(last + 1).await?;
        }
        Ok(report)
    }

    async fn handle(&self, update: &TelegramUpdate, report: &mut UpdatesReport) -> Result<(), Unexpected> {
        let (Some(chat_id), Some(text)) = (update.chat_id, update.text.as_deref()) else { return Ok(()) };
        let Some(code) = start_code(text) else { return Ok(()) };
        let now = self.clock.now();
        let owner = if code.is_empty() { None } else { self.links.take_code(&hash_link_code(code), now).await? };
        let reply = match owner {
            Some(user) => {
                self.links.link(&TelegramLink { user_id: user, chat_id, linked_at: now }).await?;
                report.linked += 1;
                tracing::info!(user_id = %user, "Telegram chat linked");
                let recipient = self.recipients.recipient(user).await?;
                let (name, language) = recipient.map_or((String::new(), Language::default()), |r| (r.name, r.language));
                linked_reply(&name, language)
            }
            None => {
                report.refused += 1;
                REFUSED_REPLY.to_owned()
            }
        };
        // The link stands even if the confirmation cannot be sent; the user sees it in the app.
        if let Err(err) = self.bot.send(chat_id, &reply).await {
            tracing::warn!(error = %err, "the Telegram link reply could not be sent");
        }
        Ok(())
    }
}

/// The answer to a code that does not work (the user's language is unknown: both).
const REFUSED_REPLY: &str = "Este código não vale (expirado ou já usado). Peça um novo link na botfleet.\n\
This code does not work (expired or already used). Ask botfleet for a new link.";

fn linked_reply(name: &str, language: Language) -> String {
    let name = escape_html(name);
    match language {
        Language::PtBr => format!(
            "<b>Pronto, {name}!</b>\nEste chat está vinculado à sua conta botfleet: as notificações que você escolher chegam aqui."
        ),
        Language::En => format!(
            "<b>Done, {name}!</b>\nThis chat is linked to your botfleet account: the notifications you choose arrive here."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_from_start_with_or_without_the_bots_name() {
        assert_eq!(start_code("/start abc_-1"), Some("abc_-1"));
        assert_eq!(start_code("  /start   abc  "), Some("abc"));
        assert_eq!(start_code("/start@botfleet_bot abc"), Some("abc"));
        assert_eq!(start_code("/start"), Some(""));
        assert_eq!(start_code("hello"), None);
        assert_eq!(start_code("/started abc"), None);
    }

    #[test]
    fn the_name_is_escaped_in_the_reply() {
        assert!(linked_reply("<Ana & Bia>", Language::En).contains("&lt;Ana &amp; Bia&gt;"));
        assert!(linked_reply("Ana", Language::PtBr).starts_with("<b>Pronto, Ana!</b>"));
    }
}
