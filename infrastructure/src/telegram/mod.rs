//! The Telegram Bot API adapter ([`TelegramBotApi`], the [`domain::notifications::TelegramBot`]
//! port): `getMe`, `getUpdates` (long polling) and `sendMessage` over HTTPS with JSON bodies, as
//! <https://core.telegram.org/bots/api> documents them. The token is part of every URL, so it is
//! never logged: errors carry the method's name, never the URL.

mod client;
mod wire;

pub use client::{TelegramBotApi, TelegramConfig, DEFAULT_API_URL};
