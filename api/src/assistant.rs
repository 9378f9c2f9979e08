//! The assistant's language model, from the settings: the OpenAI-compatible adapter when
//! `BOTFLEET_LLM_BASE_URL` and `BOTFLEET_LLM_MODEL` are set, else none (the offline guide).

use std::sync::Arc;

use anyhow::Context;
use domain::assistant::LanguageModel;
use infrastructure::llm::OpenAiChat;

use crate::settings::Settings;

/// The configured model, if any.
pub fn language_model(settings: &Settings) -> anyhow::Result<Option<Arc<dyn LanguageModel>>> {
    let Some(config) = settings.llm.clone() else {
        tracing::info!("the assistant answers with its offline guide: BOTFLEET_LLM_BASE_URL is not set");
        return Ok(None);
    };
    tracing::info!(model = %config.model, stream = config.stream, "the assistant answers with a language model");
    let model = OpenAiChat::new(config).context("BOTFLEET_LLM_*")?;
    Ok(Some(Arc::new(model)))
}
