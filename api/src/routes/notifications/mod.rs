//! `/api/notifications/*`: the user's notification channels.

pub mod telegram;
