//! The notification use cases: the in-app inbox, the user's channel preferences and the live
//! event stream (Server-Sent Events) with its single-use tickets.

mod inbox;
mod preferences;
mod stream;
mod stream_ticket;

pub use inbox::{Inbox, InboxError, InboxPage, InboxQuery};
pub use preferences::{NotificationSettings, PreferenceView, PreferencesError, TypePreference};
pub use stream::{EventStreams, StreamConfig, StreamError, StreamItem};
pub use stream_ticket::{StreamTicket, StreamTickets, TicketError};
