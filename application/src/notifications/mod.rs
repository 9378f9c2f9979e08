//! The notification use cases: the in-app inbox, the user's channel preferences, the live event
//! stream (Server-Sent Events) with its single-use tickets, and the channels that carry the event
//! log to people (e-mail, Telegram).

mod dispatch;
#[cfg(test)]
mod dispatch_fakes;
mod dispatch_words;
mod email;
mod email_digest;
mod inbox;
mod preferences;
mod stream;
mod stream_ticket;
mod telegram;
#[cfg(test)]
mod telegram_fakes;
mod telegram_send;
mod telegram_updates;

pub use dispatch::{Audience, DispatchPorts, DispatchReport, Dispatcher, Everyone, MAX_AGE, QUEUE_LIMIT};
pub use email::{EmailNotifications, EmailReport, Recipient, Recipients, UserRecipients};
pub use inbox::{Inbox, InboxError, InboxPage, InboxQuery};
pub use preferences::{NotificationSettings, PreferenceView, PreferencesError, TypePreference};
pub use stream::{EventStreams, StreamConfig, StreamError, StreamItem};
pub use stream_ticket::{StreamTicket, StreamTickets, TicketError};
pub use telegram::{LinkOffer, TelegramLinkError, TelegramLinking};
pub use telegram_send::{LinkedChats, TelegramNotifications, TelegramReport};
pub use telegram_updates::{TelegramUpdates, UpdatesReport};
