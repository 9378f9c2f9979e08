//! A scripted fake of an OpenAI-compatible Chat Completions server: each test queues the answers
//! (streamed text, tool calls, error statuses) in order; every request must carry the bearer key
//! (else 401, as OpenAI answers) and is recorded for the test to inspect.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Handler;

/// The key the fake accepts.
pub const FAKE_KEY: &str = "sk-fake-test-key-0123456789";
/// The model name the fake is asked for.
pub const FAKE_MODEL: &str = "fake-gpt";

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Step {
    /// Streamed text, one chunk per piece.
    Text(Vec<String>),
    /// Tool calls: (id, name, raw arguments), arguments streamed in two pieces.
    Tools(Vec<(String, String, String)>),
    /// A bare error status.
    Status(u16),
    /// Streamed text cut off before `[DONE]` (the connection dropped midway).
    Cut(Vec<String>),
}

/// Text in pieces.
pub fn text(pieces: &[&str]) -> Step {
    Step::Text(pieces.iter().map(|p| (*p).to_owned()).collect())
}

/// One tool call.
pub fn tool(id: &str, name: &str, arguments: &str) -> Step {
    Step::Tools(vec![(id.to_owned(), name.to_owned(), arguments.to_owned())])
}

#[derive(Debug, Default)]
struct State {
    script: VecDeque<Step>,
    requests: Vec<Value>,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeLlm {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

/// Tokens every answer reports.
pub const USAGE: (u64, u64) = (11, 5);

fn sse(chunks: &[Value]) -> ResponseTemplate {
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str(&format!(
        "data: {}\n\n",
        json!({"choices": [], "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1}})
    ));
    body.push_str("data: [DONE]\n\n");
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

fn route(state: &mut State, request: &Request) -> ResponseTemplate {
    let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if auth != format!("Bearer {FAKE_KEY}") {
        return ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "Incorrect API key provided"}}));
    }
    state.requests.push(serde_json::from_slice(&request.body).unwrap_or(Value::Null));
    let Some(step) = state.script.pop_front() else {
        return ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "unscripted request"}}));
    };
    match step {
        Step::Status(status) => ResponseTemplate::new(status).set_body_json(json!({"error": {"message": "scripted"}})),
        Step::Text(pieces) => {
            sse(&pieces.iter().map(|p| json!({"choices": [{"delta": {"content": p}}]})).collect::<Vec<_>>())
        }
        Step::Cut(pieces) => {
            let body: String = pieces
                .iter()
                .map(|p| format!("data: {}\n\n", json!({"choices": [{"delta": {"content": p}}]})))
                .collect();
            ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
        }
        Step::Tools(calls) => {
            let mut chunks = Vec::new();
            for (index, (id, name, arguments)) in calls.iter().enumerate() {
                let cut = arguments.char_indices().nth(arguments.chars().count() / 2).map_or(0, |(i, _)| i);
                let (head, tail) = arguments.split_at(cut);
                chunks.push(json!({"choices": [{"delta": {"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": head}}]}}]}));
                chunks.push(json!({"choices": [{"delta": {"tool_calls": [{"index": index, "function": {"arguments": tail}}]}}]}));
            }
            sse(&chunks)
        }
    }
}

impl FakeLlm {
    /// Starts the fake with `script`.
    pub async fn start(script: Vec<Step>) -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State { script: script.into(), requests: Vec::new() }));
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(Handler(state.clone(), route))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The base URL to configure (`BOTFLEET_LLM_BASE_URL`).
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.server.uri())
    }

    /// Queues more answers.
    pub fn script(&self, steps: Vec<Step>) {
        self.state.lock().unwrap().script.extend(steps);
    }

    /// The request bodies received with the right key, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Answers not consumed yet.
    pub fn left(&self) -> usize {
        self.state.lock().unwrap().script.len()
    }
}
