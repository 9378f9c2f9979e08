//! Telegram notifications: the dispatcher queues each event the user wants on Telegram (users
//! with a linked chat only), and the sender sends each as one `sendMessage` in the user's
//! language. A 429 puts every send off for Telegram's `retry_after` (no attempt counted); a 403
//! (the user blocked the bot) unlinks the chat and gives its deliveries up; other failures are
//! retried with backoff. Runs as the `telegram_notifications` workflow, under its lease.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::identity::Language;
use domain::notifications::{
    Channel, Delivery, DeliveryRepository, Event, TelegramBot, TelegramError, TelegramLink, TelegramRepository,
};
use domain::shared::ids::UserId;
use domain::{Clock, RepoError};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::dispatch::{Audience, DispatchPorts, DispatchReport, Dispatcher};
use super::dispatch_words::{detail, name};
use super::email::Recipients;
use crate::identity::escape_html;
use crate::Unexpected;

/// Messages sent per pass at most (Telegram allows about 30 a second per bot).
const MESSAGES_PER_PASS: u64 = 25;

/// The longest text Telegram takes is 4096 characters; details are cut well before.
const MAX_DETAIL_CHARS: usize = 3500;

/// Users with a linked chat.
pub struct LinkedChats(pub Arc<dyn TelegramRepository>);

impl std::fmt::Debug for LinkedChats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedChats").finish_non_exhaustive()
    }
}

#[async_trait]
impl Audience for LinkedChats {
    async fn reachable(&self, user: UserId) -> Result<bool, RepoError> {
        Ok(self.0.get(user).await?.is_some())
    }
}

/// The message telling `event`, in Telegram's HTML: the type in bold, then the figures.
pub(crate) fn message(event: &Event, language: Language) -> String {
    let (title, _) = name(event.event_type(), language);
    let detail: String = detail(&event.payload, language).chars().take(MAX_DETAIL_CHARS).collect();
    let mut title = title.to_owned();
    if let Some(first) = title.get(0..1) {
        title.replace_range(0..1, &first.to_uppercase());
    }
    format!("<b>{}</b>\n{}", escape_html(&title), escape_html(&detail))
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TelegramReport {
    /// The dispatcher's part.
    pub dispatched: DispatchReport,
    /// Messages sent.
    pub sent: u64,
    /// Attempts that failed and will be retried (429s included).
    pub failed: u64,
    /// Deliveries given up (a chat that blocked the bot, too many failures).
    pub dead: u64,
    /// Deliveries dropped (the chat was unlinked meanwhile).
    pub skipped: u64,
    /// Chats unlinked because they blocked the bot.
    pub unlinked: u64,
    /// Deliveries still pending after the pass.
    pub pending: u64,
}

/// The Telegram channel.
pub struct TelegramNotifications {
    dispatcher: Dispatcher,
    deliveries: Arc<dyn DeliveryRepository>,
    links: Arc<dyn TelegramRepository>,
    recipients: Arc<dyn Recipients>,
    bot: Arc<dyn TelegramBot>,
    clock: Arc<dyn Clock>,
    /// No send before this instant (Telegram's last `retry_after`).
    quiet_until: Mutex<Option<OffsetDateTime>>,
}

impl std::fmt::Debug for TelegramNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramNotifications").field("dispatcher", &self.dispatcher).finish_non_exhaustive()
    }
}

impl TelegramNotifications {
    /// The channel over `ports`, sending through `bot` to the chats in `links`.
    pub fn new(
        ports: DispatchPorts,
        links: Arc<dyn TelegramRepository>,
        recipients: Arc<dyn Recipients>,
        bot: Arc<dyn TelegramBot>,
    ) -> Self {
        let (deliveries, clock) = (ports.deliveries.clone(), ports.clock.clone());
        let audience = Arc::new(LinkedChats(links.clone()));
        Self {
            dispatcher: Dispatcher::new(ports, Channel::Telegram, audience, Duration::ZERO),
            deliveries,
            links,
            recipients,
            bot,
            clock,
            quiet_until: Mutex::new(None),
        }
    }

    fn quiet_until(&self) -> Option<OffsetDateTime> {
        *self.quiet_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One pass: dispatch, then send what is due.
    pub async fn run(&self) -> Result<TelegramReport, Unexpected> {
        let mut report = TelegramReport { dispatched: self.dispatcher.run().await?, ..TelegramReport::default() };
        let now = self.clock.now();
        if self.quiet_until().is_none_or(|until| until <= now) {
            self.send_due(now, &mut report).await?;
        }
        report.pending = self.deliveries.pending_count(Channel::Telegram).await?;
        Ok(report)
    }

    async fn send_due(&self, now: OffsetDateTime, report: &mut TelegramReport) -> Result<(), Unexpected> {
        let due = self.deliveries.due(Channel::Telegram, now, MESSAGES_PER_PASS).await?;
        let mut chats: HashMap<UserId, Option<(TelegramLink, Language)>> = HashMap::new();
        for mut delivery in due {
            let user = delivery.user_id;
            if let Entry::Vacant(slot) = chats.entry(user) {
                let chat = match self.links.get(user).await? {
                    Some(link) => self.recipients.recipient(user).await?.map(|r| (link, r.language)),
                    None => None,
                };
                slot.insert(chat);
            }
            let Some((link, language)) = chats[&user].clone() else {
                delivery.skip("no linked chat", now);
                self.deliveries.save(&delivery).await?;
                report.skipped += 1;
                continue;
            };
            let outcome = self.bot.send(link.chat_id, &message(&delivery.event, language)).await;
            let next = self.settle(&mut delivery, &link, outcome, now, report).await?;
            self.deliveries.save(&delivery).await?;
            match next {
                Next::Continue => {}
                Next::Unlinked => {
                    chats.insert(user, None);
                }
                Next::Stop => break,
            }
        }
        Ok(())
    }

    /// Records the outcome of one send and says how the pass goes on.
    async fn settle(
        &self,
        delivery: &mut Delivery,
        link: &TelegramLink,
        outcome: Result<(), TelegramError>,
        now: OffsetDateTime,
        report: &mut TelegramReport,
    ) -> Result<Next, Unexpected> {
        match outcome {
            Ok(()) => {
                delivery.sent(now);
                report.sent += 1;
            }
            Err(TelegramError::RetryAfter(secs)) => {
                let until = now + Duration::seconds(i64::try_from(secs.max(1)).unwrap_or(i64::MAX / 2).min(86_400));
                *self.quiet_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(until);
                delivery.postpone(until, &format!("429: retry after {secs} s"));
                report.failed += 1;
                tracing::warn!(retry_after = secs, "Telegram asked to slow down");
                return Ok(Next::Stop);
            }
            Err(TelegramError::Forbidden(reason)) => {
                self.links.unlink_chat(link.chat_id).await?;
                delivery.dead(&format!("403: {reason}"), now);
                report.dead += 1;
                report.unlinked += 1;
                tracing::info!(user_id = %delivery.user_id, "the Telegram chat blocked the bot: unlinked");
                return Ok(Next::Unlinked);
            }
            Err(TelegramError::Failed(reason)) => {
                if delivery.failed(&reason, now, None) {
                    report.dead += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
        Ok(Next::Continue)
    }
}

/// How a send pass goes on after one send.
enum Next {
    /// With the next delivery.
    Continue,
    /// With the next delivery; the user's chat is gone.
    Unlinked,
    /// Not at all: Telegram said to wait.
    Stop,
}

#[cfg(test)]
#[path = "telegram_tests.rs"]
mod tests;
