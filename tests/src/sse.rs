//! A small Server-Sent Events client over reqwest for the live-stream tests and the events
//! benchmark: it connects, reads frames (`id:`, `event:`, `data:`, comments) as they arrive,
//! and closes the connection when dropped. Written from the SSE grammar of the HTML standard, not
//! from the server's code.

use std::time::Duration;

use serde_json::Value;

use crate::app::TestApp;

/// One dispatched SSE message, or a comment line block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The `id:` field.
    pub id: Option<String>,
    /// The `event:` field.
    pub event: Option<String>,
    /// The `data:` lines joined by `\n`.
    pub data: String,
    /// The comment lines (`: heartbeat`), without the colon and the space after it.
    pub comments: Vec<String>,
    /// The `retry:` field.
    pub retry: Option<u64>,
}

impl Frame {
    /// `data` as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("data is not JSON ({e}): {}", self.data))
    }

    /// Whether it carries an event (data), rather than only comments or a `retry:`.
    pub fn is_event(&self) -> bool {
        !self.data.is_empty()
    }
}

/// An open stream.
#[derive(Debug)]
pub struct SseClient {
    response: reqwest::Response,
    /// Bytes received and not parsed yet (a chunk may end inside a character).
    buffer: Vec<u8>,
}

/// Opens `GET /api/events/stream{query}` with `headers`; the status and body when not 200.
pub async fn connect(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> Result<SseClient, (u16, Value)> {
    let mut request = app.client.get(app.url(&format!("/api/events/stream{query}")));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the stream request is sent");
    let status = response.status().as_u16();
    if status != 200 {
        return Err((status, response.json().await.unwrap_or(Value::Null)));
    }
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/event-stream"), "content type {content_type}");
    Ok(SseClient { response, buffer: Vec::new() })
}

impl SseClient {
    /// The next frame within `within`; `None` on time-out or when the server ended the stream.
    pub async fn next_frame(&mut self, within: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                return Some(parse(std::str::from_utf8(&block).expect("the stream is UTF-8")));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            self.buffer.extend_from_slice(&chunk);
        }
    }

    /// The next frame that carries an event, skipping comments; panics after `within`.
    pub async fn next_event(&mut self, within: Duration) -> Frame {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.next_frame(left).await.expect("an event within the time allowed");
            if frame.is_event() {
                return frame;
            }
        }
    }
}

/// Parses one block of lines (the SSE field grammar: `name: value`, `:comment`).
fn parse(block: &str) -> Frame {
    let mut frame = Frame::default();
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            frame.comments.push(comment.strip_prefix(' ').unwrap_or(comment).to_owned());
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "id" => frame.id = Some(value.to_owned()),
            "event" => frame.event = Some(value.to_owned()),
            "data" => data.push(value),
            "retry" => frame.retry = value.parse().ok(),
            _ => {}
        }
    }
    frame.data = data.join("\n");
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_comments_are_read() {
        let frame = parse("id: 7\nevent: order.filled\ndata: {\"a\":\ndata: 1}\n: hi\n\n");
        assert_eq!(frame.id.as_deref(), Some("7"));
        assert_eq!(frame.event.as_deref(), Some("order.filled"));
        assert_eq!(frame.data, "{\"a\":\n1}");
        assert_eq!(frame.comments, ["hi"]);
        assert!(parse(": heartbeat\n\n").data.is_empty());
    }
}
