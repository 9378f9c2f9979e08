//! The Bot API's JSON shapes botfleet reads and writes (only the fields it uses).

use serde::{Deserialize, Serialize};

/// Every answer: `{"ok": true, "result": ...}` or `{"ok": false, "error_code", "description",
/// "parameters": {"retry_after"}}`.
#[derive(Debug, Deserialize)]
pub(super) struct Answer<T> {
    pub ok: bool,
    pub result: Option<T>,
    pub description: Option<String>,
    pub parameters: Option<ResponseParameters>,
}

/// Why a request failed, when Telegram says more.
#[derive(Debug, Deserialize)]
pub(super) struct ResponseParameters {
    /// Seconds to wait after a 429.
    pub retry_after: Option<u64>,
}

/// `getMe`'s result.
#[derive(Debug, Deserialize)]
pub(super) struct Me {
    pub username: Option<String>,
}

/// One update of `getUpdates`.
#[derive(Debug, Deserialize)]
pub(super) struct Update {
    pub update_id: i64,
    pub message: Option<Message>,
}

/// A message (only its chat and text).
#[derive(Debug, Deserialize)]
pub(super) struct Message {
    pub chat: Chat,
    pub text: Option<String>,
}

/// A chat (only its id).
#[derive(Debug, Deserialize)]
pub(super) struct Chat {
    pub id: i64,
}

/// `getUpdates`' parameters.
#[derive(Debug, Serialize)]
pub(super) struct GetUpdates {
    pub offset: i64,
    pub timeout: u64,
    pub allowed_updates: [&'static str; 1],
}

/// `sendMessage`'s parameters.
#[derive(Debug, Serialize)]
pub(super) struct SendMessage<'a> {
    pub chat_id: i64,
    pub text: &'a str,
    pub parse_mode: &'static str,
    pub link_preview_options: LinkPreviewOptions,
}

/// No link previews under notifications.
#[derive(Debug, Serialize)]
pub(super) struct LinkPreviewOptions {
    pub is_disabled: bool,
}
