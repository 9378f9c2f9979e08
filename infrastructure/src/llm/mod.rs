//! Language models: the OpenAI-compatible Chat Completions adapter of
//! [`domain::assistant::LanguageModel`] (OpenAI itself, or a self-hosted server that speaks the
//! same API: vLLM, llama.cpp's server, Ollama), with tool calling, streaming, time-outs, retries
//! on 429 and 5xx with backoff, and token usage read from the answer.

mod openai;
mod wire;

pub use openai::{OpenAiChat, OpenAiConfig};
