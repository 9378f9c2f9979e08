//! A stateful fake of the Telegram Bot API (<https://core.telegram.org/bots/api>) on a local
//! wiremock server: `getMe`, `getUpdates` with offsets (an offset confirms every update below it)
//! and `sendMessage`, each a `POST /bot<token>/<method>` with a JSON body. It checks the token in
//! the path (401 otherwise), the fields' types as Telegram documents them (400 otherwise) and, for
//! `parse_mode: "HTML"`, that the text only holds Telegram's tags and entities (400 "can't parse
//! entities" otherwise, as Telegram answers), records every message, and answers the 429s and
//! 403s a test scripts.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Handler;

/// The token the server under test is configured with.
pub const TOKEN: &str = "123456:TEST-fake-token_0123456789";

/// The bot's username.
pub const USERNAME: &str = "botfleet_test_bot";

/// A message the bot sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The chat.
    pub chat_id: i64,
    /// The text as sent.
    pub text: String,
    /// `parse_mode`, if any.
    pub parse_mode: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    updates: Vec<Value>,
    next_update_id: i64,
    sent: Vec<SentMessage>,
    scripted: VecDeque<ResponseTemplate>,
    blocked: HashSet<i64>,
    offsets: Vec<i64>,
    refused: Vec<String>,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeTelegram {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

fn fail(code: u16, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"ok": false, "error_code": code, "description": description}))
}

fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ok": true, "result": result}))
}

/// Whether `text` is valid in Telegram's HTML mode: only its tags, and `&` only in the named
/// entities it knows or numerical ones.
fn valid_html(text: &str) -> Result<(), String> {
    const TAGS: &[&str] =
        &["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "tg-spoiler", "blockquote"];
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&', '>']) {
        let tail = &rest[i..];
        if tail.starts_with('>') {
            return Err(format!("unexpected '>' at {:?}", &tail[..tail.len().min(20)]));
        }
        if tail.starts_with('&') {
            let end = tail.find(';').ok_or("an unterminated entity")?;
            let entity = &tail[1..end];
            let numeric =
                entity.strip_prefix('#').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !(numeric || ["lt", "gt", "amp", "quot"].contains(&entity)) {
                return Err(format!("unsupported entity &{entity};"));
            }
            rest = &tail[end + 1..];
            continue;
        }
        let end = tail.find('>').ok_or("an unclosed start tag")?;
        let name = tail[1..end].trim_start_matches('/');
        if !TAGS.contains(&name) {
            return Err(format!("unsupported start tag \"{name}\""));
        }
        rest = &tail[end + 1..];
    }
    Ok(())
}

fn get_me(_: &mut State, _: &Request) -> ResponseTemplate {
    ok(json!({"id": 123456, "is_bot": true, "first_name": "botfleet", "username": USERNAME}))
}

fn get_updates(state: &mut State, request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let offset = match &body["offset"] {
        Value::Null => 0,
        v => match v.as_i64() {
            Some(o) => o,
            None => return fail(400, "Bad Request: field \"offset\" must be an Integer"),
        },
    };
    if !(body["timeout"].is_null() || body["timeout"].is_u64()) {
        return fail(400, "Bad Request: field \"timeout\" must be an Integer");
    }
    if !(body["allowed_updates"].is_null()
        || body["allowed_updates"].as_array().is_some_and(|a| a.iter().all(Value::is_string)))
    {
        return fail(400, "Bad Request: field \"allowed_updates\" must be an Array of String");
    }
    state.offsets.push(offset);
    // An offset confirms every update below it: they are forgotten.
    state.updates.retain(|u| u["update_id"].as_i64().unwrap_or_default() >= offset);
    ok(Value::Array(state.updates.clone()))
}

fn send_message(state: &mut State, request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let Some(chat_id) = body["chat_id"].as_i64() else {
        return fail(400, "Bad Request: field \"chat_id\" must be an Integer or a String");
    };
    let Some(text) = body["text"].as_str() else { return fail(400, "Bad Request: message text is empty") };
    if text.is_empty() || text.chars().count() > 4096 {
        return fail(400, "Bad Request: message text is empty or too long");
    }
    let parse_mode = match &body["parse_mode"] {
        Value::Null => None,
        Value::String(mode) if ["HTML", "MarkdownV2", "Markdown"].contains(&mode.as_str()) => Some(mode.clone()),
        _ => return fail(400, "Bad Request: unsupported parse_mode"),
    };
    if !(body["link_preview_options"].is_null() || body["link_preview_options"]["is_disabled"].is_boolean()) {
        return fail(400, "Bad Request: field \"link_preview_options\" must be a LinkPreviewOptions");
    }
    if parse_mode.as_deref() == Some("HTML") {
        if let Err(why) = valid_html(text) {
            state.refused.push(text.to_owned());
            return fail(400, &format!("Bad Request: can't parse entities: {why}"));
        }
    }
    if let Some(scripted) = state.scripted.pop_front() {
        return scripted;
    }
    if state.blocked.contains(&chat_id) {
        return fail(403, "Forbidden: bot was blocked by the user");
    }
    state.sent.push(SentMessage { chat_id, text: text.to_owned(), parse_mode });
    ok(
        json!({"message_id": state.sent.len(), "date": 1_733_300_000, "chat": {"id": chat_id, "type": "private"}, "text": text}),
    )
}

fn route(state: &mut State, request: &Request) -> ResponseTemplate {
    let path = request.url.path();
    let Some((token, method)) = path.strip_prefix("/bot").and_then(|p| p.split_once('/')) else {
        return fail(404, "Not Found");
    };
    if token != TOKEN {
        return fail(401, "Unauthorized");
    }
    let json_body = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body || serde_json::from_slice::<Value>(&request.body).map_or(true, |b| !b.is_object()) {
        return fail(400, "Bad Request: the body must be a JSON object");
    }
    match method {
        "getMe" => get_me(state, request),
        "getUpdates" => get_updates(state, request),
        "sendMessage" => send_message(state, request),
        _ => fail(404, "Not Found: method not found"),
    }
}

impl FakeTelegram {
    /// Starts the fake.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State { next_update_id: 100_000, ..State::default() }));
        Mock::given(method("POST"))
            .and(path_regex("^/bot[^/]+/[A-Za-z]+$"))
            .respond_with(Handler(state.clone(), route))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The server settings that use this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BOTFLEET_TELEGRAM_BOT_TOKEN", TOKEN.to_owned()),
            ("BOTFLEET_TELEGRAM_API_URL", self.server.uri()),
            ("BOTFLEET_TELEGRAM_POLL_SECONDS", "0".to_owned()),
        ]
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The user of chat `chat_id` sends the bot `text` (a private chat).
    pub fn user_sends(&self, chat_id: i64, text: &str) {
        let mut state = self.state();
        state.next_update_id += 1;
        let update = json!({
            "update_id": state.next_update_id,
            "message": {
                "message_id": state.next_update_id, "date": 1_733_300_000, "text": text,
                "from": {"id": chat_id, "is_bot": false, "first_name": "Ana"},
                "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
            },
        });
        state.updates.push(update);
    }

    /// Every message sent so far.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state().sent.clone()
    }

    /// Texts refused because their HTML did not parse.
    pub fn refused(&self) -> Vec<String> {
        self.state().refused.clone()
    }

    /// The offsets `getUpdates` was called with.
    pub fn offsets(&self) -> Vec<i64> {
        self.state().offsets.clone()
    }

    /// The next `sendMessage` answers 429 with `retry_after`.
    pub fn too_many_requests(&self, retry_after: u64) {
        let answer = ResponseTemplate::new(429).set_body_json(json!({
            "ok": false, "error_code": 429, "description": format!("Too Many Requests: retry after {retry_after}"),
            "parameters": {"retry_after": retry_after},
        }));
        self.state().scripted.push_back(answer);
    }

    /// The user of `chat_id` blocks the bot: sends there answer 403.
    pub fn block(&self, chat_id: i64) {
        self.state().blocked.insert(chat_id);
    }

    /// Waits (up to 15 s) until `count` messages were sent and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<SentMessage> {
        for _ in 0..300 {
            let sent = self.sent();
            if sent.len() >= count {
                return sent;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {count} Telegram message(s), got {:?}", self.sent());
    }
}

#[cfg(test)]
mod tests {
    use super::valid_html;

    #[test]
    fn telegram_html_is_checked_as_telegram_parses_it() {
        assert!(valid_html("<b>Bot pausado</b>\nGrid &lt;BTC&gt; &amp; co &#39;x&#39; &quot;").is_ok());
        assert!(valid_html("Grid <BTC>").is_err());
        assert!(valid_html("a & b").is_err());
        assert!(valid_html("a > b").is_err());
        assert!(valid_html("&apos;").is_err());
    }
}
