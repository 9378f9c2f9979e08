//! The Chat Completions wire format: the request body built from a
//! [`ModelRequest`](domain::assistant::ModelRequest), and the answer read back, whole (JSON) or
//! streamed (`data:` lines of chunks whose text and tool-call pieces add up, `[DONE]` last).

use std::collections::BTreeMap;

use domain::assistant::{ChatMessage, ChunkSink, ModelError, ModelReply, ModelRequest, Role, TokenUsage, ToolCall};
use serde_json::{json, Value};

/// The request body.
pub(super) fn body(model: &str, request: &ModelRequest, stream: bool) -> Value {
    let messages: Vec<Value> = request.messages.iter().map(message).collect();
    let mut body = json!({ "model": model, "messages": messages, "stream": stream });
    if stream {
        body["stream_options"] = json!({ "include_usage": true });
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
            .collect();
    }
    body
}

fn message(m: &ChatMessage) -> Value {
    let role = match m.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut out = json!({ "role": role, "content": m.content });
    if !m.tool_calls.is_empty() {
        out["tool_calls"] = m
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
    }
    if let Some(id) = &m.tool_call_id {
        out["tool_call_id"] = json!(id);
    }
    out
}

fn usage(v: &Value) -> TokenUsage {
    TokenUsage {
        prompt_tokens: v["prompt_tokens"].as_u64().unwrap_or(0),
        completion_tokens: v["completion_tokens"].as_u64().unwrap_or(0),
    }
}

/// A whole (non-streamed) answer; its text goes to `sink` at once.
pub(super) fn whole(answer: &Value, sink: &mut dyn ChunkSink) -> Result<ModelReply, ModelError> {
    let message = answer["choices"].get(0).map(|c| &c["message"]).ok_or_else(|| malformed("no choice"))?;
    let content = message["content"].as_str().unwrap_or_default().to_owned();
    if !content.is_empty() {
        sink.text(&content);
    }
    let tool_calls = message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| ToolCall {
            id: c["id"].as_str().unwrap_or_default().to_owned(),
            name: c["function"]["name"].as_str().unwrap_or_default().to_owned(),
            arguments: c["function"]["arguments"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(ModelReply { content, tool_calls, usage: usage(&answer["usage"]) })
}

fn malformed(what: &str) -> ModelError {
    ModelError::Malformed(what.to_owned())
}

/// Adds up a streamed answer, one `data:` payload at a time.
#[derive(Default)]
pub(super) struct Streamed {
    content: String,
    calls: BTreeMap<u64, ToolCall>,
    usage: TokenUsage,
    done: bool,
    buffer: Vec<u8>,
}

impl Streamed {
    /// Takes in received bytes (a chunk may end mid-line or mid-character).
    pub(super) fn feed(&mut self, bytes: &[u8], sink: &mut dyn ChunkSink) -> Result<(), ModelError> {
        self.buffer.extend_from_slice(bytes);
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = std::str::from_utf8(&line).map_err(|_| malformed("a stream line is not UTF-8"))?.trim();
            let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
            if data == "[DONE]" {
                self.done = true;
                continue;
            }
            let chunk: Value = serde_json::from_str(data).map_err(|_| malformed("a stream chunk is not JSON"))?;
            self.chunk(&chunk, sink);
        }
        Ok(())
    }

    fn chunk(&mut self, chunk: &Value, sink: &mut dyn ChunkSink) {
        if chunk["usage"].is_object() {
            self.usage = usage(&chunk["usage"]);
        }
        let Some(delta) = chunk["choices"].get(0).map(|c| &c["delta"]) else { return };
        if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
            self.content.push_str(text);
            sink.text(text);
        }
        for piece in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = piece["index"].as_u64().unwrap_or(0);
            let call = self.calls.entry(index).or_insert_with(|| ToolCall {
                id: String::new(),
                name: String::new(),
                arguments: String::new(),
            });
            if let Some(id) = piece["id"].as_str() {
                call.id = id.to_owned();
            }
            if let Some(name) = piece["function"]["name"].as_str() {
                call.name.push_str(name);
            }
            if let Some(arguments) = piece["function"]["arguments"].as_str() {
                call.arguments.push_str(arguments);
            }
        }
    }

    /// The whole answer, once the stream ended. Errors: `Malformed` when it ended before `[DONE]`.
    pub(super) fn finish(self) -> Result<ModelReply, ModelError> {
        if !self.done {
            return Err(malformed("the stream ended before [DONE]"));
        }
        Ok(ModelReply { content: self.content, tool_calls: self.calls.into_values().collect(), usage: self.usage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<String>);

    impl ChunkSink for Collect {
        fn text(&mut self, delta: &str) {
            self.0.push(delta.to_owned());
        }
    }

    #[test]
    fn streamed_pieces_add_up_across_chunk_boundaries() {
        let stream = concat!(
            "data: {\"choices\":[{\"delta\":{\"content\":\"Ol\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"á\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"get_bot\",\"arguments\":\"{\\\"bot\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"_id\\\": 1}\"}}]}}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n",
            "data: [DONE]\n\n"
        );
        let (mut streamed, mut sink) = (Streamed::default(), Collect(Vec::new()));
        for piece in stream.as_bytes().chunks(5) {
            streamed.feed(piece, &mut sink).unwrap();
        }
        let reply = streamed.finish().unwrap();
        assert_eq!(sink.0, ["Ol", "á"]);
        assert_eq!(reply.content, "Olá");
        assert_eq!(
            reply.tool_calls,
            [ToolCall { id: "c1".into(), name: "get_bot".into(), arguments: "{\"bot_id\": 1}".into() }]
        );
        assert_eq!(reply.usage, TokenUsage { prompt_tokens: 7, completion_tokens: 3 });
    }

    #[test]
    fn a_stream_cut_before_done_is_malformed() {
        let mut s = Streamed::default();
        s.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n", &mut ()).unwrap();
        assert!(matches!(s.finish(), Err(ModelError::Malformed(_))));
    }
}
