//! Notifications: the channels that carry the event log to people (e-mail, Telegram).

mod dispatch;
#[cfg(test)]
mod dispatch_fakes;
mod dispatch_words;
mod email;
mod email_digest;

pub use dispatch::{Audience, DispatchPorts, DispatchReport, Dispatcher, Everyone, MAX_AGE, QUEUE_LIMIT};
pub use email::{EmailNotifications, EmailReport, Recipient, Recipients, UserRecipients};
