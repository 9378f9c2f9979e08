//! `/api/notifications`: the in-app inbox and the user's notification preferences.

pub mod inbox;
pub mod preferences;
