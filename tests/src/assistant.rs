//! Helpers of the assistant scenarios: conversations, messages (JSON and streamed) and the
//! frames of a streamed answer.

use serde_json::{json, Value};

use crate::app::{Answer, Session, TestApp};

/// Starts a conversation; returns its id.
pub async fn conversation(app: &TestApp, user: &Session) -> String {
    let body = app.post("/api/assistant/conversations", Some(&user.access), &json!({})).await;
    body.ok(201)["id"].as_str().expect("a conversation id").to_owned()
}

/// Sends `text` in `conversation` (JSON form).
pub async fn send(app: &TestApp, user: &Session, conversation: &str, text: &str) -> Answer {
    let path = format!("/api/assistant/conversations/{conversation}/messages");
    app.post(&path, Some(&user.access), &json!({ "text": text })).await
}

/// Sends `text` and returns the answer's body, which must be a 200.
pub async fn ask(app: &TestApp, user: &Session, conversation: &str, text: &str) -> Value {
    send(app, user, conversation, text).await.ok(200).clone()
}

/// The text of an answer body.
pub fn said(body: &Value) -> String {
    body["answer"]["text"].as_str().expect("an answer text").to_owned()
}

/// One event of a streamed answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `id:`, if any.
    pub id: Option<String>,
    /// `event:`.
    pub name: String,
    /// `data:` as JSON.
    pub data: Value,
}

/// Sends `text` asking for an event stream; the status, the content type and every event
/// until the server ends the stream.
pub async fn send_streaming(
    app: &TestApp,
    user: &Session,
    conversation: &str,
    text: &str,
) -> (u16, String, Vec<Event>) {
    let path = format!("/api/assistant/conversations/{conversation}/messages");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&user.access)
        .header("Accept", "text/event-stream")
        .json(&json!({ "text": text }))
        .send()
        .await
        .expect("the request is sent");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.text().await.expect("the stream ends");
    if !content_type.starts_with("text/event-stream") {
        let data = serde_json::from_str(&body).unwrap_or(Value::String(body));
        return (status, content_type, vec![Event { id: None, name: "problem".into(), data }]);
    }
    let events = body
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let (mut id, mut name, mut data) = (None, String::new(), String::new());
            for line in block.lines() {
                let (field, value) = line.split_once(": ").unwrap_or((line, ""));
                match field {
                    "id" => id = Some(value.to_owned()),
                    "event" => name = value.to_owned(),
                    "data" => data.push_str(value),
                    _ => {}
                }
            }
            Event { id, name, data: serde_json::from_str(&data).unwrap_or(Value::String(data)) }
        })
        .collect();
    (status, content_type, events)
}
