//! Notifications: the channels that carry the event log to people (e-mail, Telegram).

mod dispatch;
#[cfg(test)]
mod dispatch_fakes;
mod dispatch_words;
mod email;
mod email_digest;
mod telegram;
#[cfg(test)]
mod telegram_fakes;
mod telegram_send;
mod telegram_updates;

pub use dispatch::{Audience, DispatchPorts, DispatchReport, Dispatcher, Everyone, MAX_AGE, QUEUE_LIMIT};
pub use email::{EmailNotifications, EmailReport, Recipient, Recipients, UserRecipients};
pub use telegram::{LinkOffer, TelegramLinkError, TelegramLinking};
pub use telegram_send::{LinkedChats, TelegramNotifications, TelegramReport};
pub use telegram_updates::{TelegramUpdates, UpdatesReport};
