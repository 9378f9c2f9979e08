//! [`OpenAiChat`]: `POST {base_url}/chat/completions` with the bearer key, the tools and
//! `stream: true`; 429 and 5xx (and time-outs, refused connections) are retried with exponential
//! backoff (honouring a short `Retry-After`) before the answer is given up, but never once text
//! has been streamed (it would repeat). The key is never logged.

use std::time::Duration;

use async_trait::async_trait;
use domain::assistant::{ChunkSink, LanguageModel, ModelError, ModelReply, ModelRequest};
use domain::shared::secret::Secret;
use reqwest::StatusCode;

use super::wire::{self, Streamed};

/// The adapter's settings.
#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    /// The API root, ending before `/chat/completions` (`https://api.openai.com/v1`,
    /// `http://localhost:11434/v1` for Ollama).
    pub base_url: String,
    /// The model (`gpt-4o-mini`, `llama3.1`).
    pub model: String,
    /// The bearer key; self-hosted servers may need none.
    pub api_key: Option<Secret>,
    /// Time limit of one attempt, the streamed answer included.
    pub timeout: Duration,
    /// Retries after a 429, a 5xx or a time-out.
    pub max_retries: u32,
    /// Wait before the first retry (doubled before each next one).
    pub backoff: Duration,
    /// Ask for a streamed answer (`stream: true`).
    pub stream: bool,
}

impl OpenAiConfig {
    /// Settings with a 60 s time-out, 3 retries from 500 ms, streaming on.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>, api_key: Option<Secret>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            model: model.into(),
            api_key,
            timeout: Duration::from_secs(60),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            stream: true,
        }
    }
}

/// An OpenAI-compatible chat model.
#[derive(Debug)]
pub struct OpenAiChat {
    config: OpenAiConfig,
    client: reqwest::Client,
}

/// The longest `Retry-After` honoured; a longer one gives up at once.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Why one attempt failed, and whether another may follow.
enum Attempt {
    Retry(ModelError, Option<Duration>),
    Fail(ModelError),
}

impl OpenAiChat {
    /// The adapter. Errors: the HTTP client cannot be built.
    pub fn new(config: OpenAiConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()?;
        Ok(Self { config, client })
    }

    async fn attempt(&self, body: &serde_json::Value, sink: &mut dyn ChunkSink) -> Result<ModelReply, Attempt> {
        let url = format!("{}/chat/completions", self.config.base_url);
        let mut request = self.client.post(url).json(body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        let mut response = request.send().await.map_err(|err| Attempt::Retry(unavailable(&err), None))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let err = if status.is_server_error() {
                ModelError::Unavailable(format!("the provider answered {status}"))
            } else {
                ModelError::RateLimited
            };
            return Err(match wait {
                Some(wait) if wait > MAX_RETRY_AFTER => Attempt::Fail(err),
                wait => Attempt::Retry(err, wait),
            });
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let detail: String = detail.chars().take(200).collect();
            return Err(Attempt::Fail(ModelError::Rejected(format!("{status} {detail}").trim().to_owned())));
        }
        let streamed = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !streamed {
            let answer: serde_json::Value = response
                .json()
                .await
                .map_err(|_| Attempt::Fail(ModelError::Malformed("the answer is not JSON".into())))?;
            return wire::whole(&answer, sink).map_err(Attempt::Fail);
        }
        let mut reply = Streamed::default();
        // From the first byte on, a failure is final: the text already streamed would repeat.
        while let Some(bytes) = response.chunk().await.map_err(|err| Attempt::Fail(unavailable(&err)))? {
            reply.feed(&bytes, sink).map_err(Attempt::Fail)?;
        }
        reply.finish().map_err(Attempt::Fail)
    }
}

fn unavailable(err: &reqwest::Error) -> ModelError {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot be reached"
    } else {
        "failed"
    };
    ModelError::Unavailable(format!("the request {what}"))
}

#[async_trait]
impl LanguageModel for OpenAiChat {
    fn name(&self) -> &str {
        &self.config.model
    }

    #[tracing::instrument(skip_all, fields(model = %self.config.model), err)]
    async fn complete(&self, request: &ModelRequest, sink: &mut dyn ChunkSink) -> Result<ModelReply, ModelError> {
        let body = wire::body(&self.config.model, request, self.config.stream);
        let mut backoff = self.config.backoff;
        let mut tries = 0;
        loop {
            match self.attempt(&body, sink).await {
                Ok(reply) => return Ok(reply),
                Err(Attempt::Fail(err)) => return Err(err),
                Err(Attempt::Retry(err, wait)) => {
                    if tries >= self.config.max_retries {
                        return Err(err);
                    }
                    tries += 1;
                    tracing::warn!(attempt = tries, error = %err, "the language model failed; retrying");
                    tokio::time::sleep(wait.unwrap_or(backoff)).await;
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
    }
}
