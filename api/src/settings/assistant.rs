//! The assistant's language model (`BOTFLEET_LLM_*`): none by default (the offline guide
//! answers); an OpenAI-compatible Chat Completions server when `BOTFLEET_LLM_BASE_URL` is set,
//! which then needs `BOTFLEET_LLM_MODEL`. The key is optional (self-hosted servers may take none)
//! and never logged.

use std::time::Duration;

use infrastructure::llm::OpenAiConfig;

use super::Env;

/// The API root variable.
pub const BASE_URL_VAR: &str = "BOTFLEET_LLM_BASE_URL";
/// The model variable.
pub const MODEL_VAR: &str = "BOTFLEET_LLM_MODEL";
/// The key variable.
pub const API_KEY_VAR: &str = "BOTFLEET_LLM_API_KEY";

/// Reads the variables: `None` without `BOTFLEET_LLM_BASE_URL`.
pub(super) fn load(env: &mut Env) -> Option<OpenAiConfig> {
    let base_url = env.raw(BASE_URL_VAR).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    let timeout = env.parse("BOTFLEET_LLM_TIMEOUT_SECS", 60u64, "a whole number of seconds, 1 to 600");
    if !(1..=600).contains(&timeout) {
        env.error("BOTFLEET_LLM_TIMEOUT_SECS", "expected a whole number of seconds, 1 to 600");
    }
    let retries = env.parse("BOTFLEET_LLM_MAX_RETRIES", 3u32, "a whole number, 0 to 10");
    if retries > 10 {
        env.error("BOTFLEET_LLM_MAX_RETRIES", "expected a whole number, 0 to 10");
    }
    let backoff = env.parse("BOTFLEET_LLM_RETRY_BACKOFF_MS", 500u64, "a whole number of milliseconds, 1 to 60000");
    if !(1..=60_000).contains(&backoff) {
        env.error("BOTFLEET_LLM_RETRY_BACKOFF_MS", "expected a whole number of milliseconds, 1 to 60000");
    }
    let stream = env.bool("BOTFLEET_LLM_STREAM", true);
    let model = env.raw(MODEL_VAR).map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
    let api_key = env.secret(API_KEY_VAR).filter(|k| !k.is_empty());
    let base_url = base_url?;
    let host = base_url.strip_prefix("https://").or_else(|| base_url.strip_prefix("http://"));
    if !host.is_some_and(|h| !h.is_empty() && !h.starts_with('/') && !h.contains(char::is_whitespace)) {
        env.error(BASE_URL_VAR, "expected an http(s) URL, e.g. https://api.openai.com/v1");
        return None;
    }
    let Some(model) = model else {
        env.error(MODEL_VAR, format!("is required when {BASE_URL_VAR} is set (e.g. gpt-4o-mini)"));
        return None;
    };
    let mut config = OpenAiConfig::new(base_url, model, api_key);
    config.timeout = Duration::from_secs(timeout.clamp(1, 600));
    config.max_retries = retries.min(10);
    config.backoff = Duration::from_millis(backoff.clamp(1, 60_000));
    config.stream = stream;
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn no_model_by_default_and_a_configured_one_is_read() {
        assert!(Settings::dev_with(&[]).unwrap().llm.is_none());
        let s = Settings::dev_with(&[(BASE_URL_VAR, "http://127.0.0.1:11434/v1/"), (MODEL_VAR, "llama3.1")]).unwrap();
        let llm = s.llm.unwrap();
        assert_eq!((llm.base_url.as_str(), llm.model.as_str()), ("http://127.0.0.1:11434/v1", "llama3.1"));
        assert!(llm.api_key.is_none() && llm.stream && llm.max_retries == 3);
    }

    #[test]
    fn bad_values_are_refused_naming_the_variable() {
        let err = Settings::dev_with(&[(BASE_URL_VAR, "https://api.openai.com/v1")]).unwrap_err();
        assert_eq!(err.vars(), [MODEL_VAR]);
        let err = Settings::dev_with(&[(BASE_URL_VAR, "ftp://x"), (MODEL_VAR, "m")]).unwrap_err();
        assert_eq!(err.vars(), [BASE_URL_VAR]);
        let err = Settings::dev_with(&[("BOTFLEET_LLM_TIMEOUT_SECS", "0")]).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_LLM_TIMEOUT_SECS"]);
    }
}
