//! Trading bots.

mod kind;

pub use kind::{BotKind, UnknownBotKind};
