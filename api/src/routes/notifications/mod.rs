//! `/api/notifications`: the in-app inbox, the user's notification preferences and channels
//! (Telegram).

pub mod inbox;
pub mod preferences;
pub mod telegram;
