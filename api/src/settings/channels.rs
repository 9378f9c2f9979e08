//! Notification channel settings: the e-mail batch window
//! (`BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS`) and the Telegram bot (`BOTFLEET_TELEGRAM_*`;
//! without a token Telegram is off).

use std::time::Duration;

use infrastructure::telegram::DEFAULT_API_URL;

use super::{Env, Secret};

/// The variable holding the Telegram bot's token; Telegram is off when it is unset.
pub const TELEGRAM_TOKEN_VAR: &str = "BOTFLEET_TELEGRAM_BOT_TOKEN";

/// The notification channels.
#[derive(Clone, Debug)]
pub struct ChannelSettings {
    /// `BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS` (default 60, 0 to 86400): how long the
    /// oldest pending event waits for others to join its e-mail (safety events do not wait).
    pub email_batch: Duration,
    /// The Telegram bot; `None` (no `BOTFLEET_TELEGRAM_BOT_TOKEN`): Telegram is off.
    pub telegram: Option<TelegramSettings>,
}

/// The Telegram bot.
#[derive(Clone, Debug)]
pub struct TelegramSettings {
    /// `BOTFLEET_TELEGRAM_BOT_TOKEN`: the token @BotFather gave (a secret).
    pub token: Secret,
    /// `BOTFLEET_TELEGRAM_API_URL` (default `https://api.telegram.org`).
    pub api_url: String,
    /// `BOTFLEET_TELEGRAM_POLL_SECONDS` (default 25, 0 to 50): how long one `getUpdates` waits.
    pub poll_secs: u64,
}

impl ChannelSettings {
    /// Reads the variables.
    pub(super) fn load(env: &mut Env) -> Self {
        let batch =
            env.parse("BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS", 60u64, "a whole number of seconds, 0 to 86400");
        if batch > 86_400 {
            env.error("BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS", "expected a whole number of seconds, 0 to 86400");
        }
        Self { email_batch: Duration::from_secs(batch.min(86_400)), telegram: load_telegram(env) }
    }
}

fn load_telegram(env: &mut Env) -> Option<TelegramSettings> {
    let token = env.secret(TELEGRAM_TOKEN_VAR);
    let api_url = env.string("BOTFLEET_TELEGRAM_API_URL", DEFAULT_API_URL).trim_end_matches('/').to_owned();
    if !api_url.starts_with("https://") && !api_url.starts_with("http://") {
        env.error("BOTFLEET_TELEGRAM_API_URL", format!("expected an http(s) URL, got `{api_url}`"));
    }
    let poll_secs = env.parse("BOTFLEET_TELEGRAM_POLL_SECONDS", 25u64, "a whole number of seconds, 0 to 50");
    if poll_secs > 50 {
        env.error("BOTFLEET_TELEGRAM_POLL_SECONDS", "expected a whole number of seconds, 0 to 50");
    }
    let token = token?;
    // A token is `<bot id>:<secret>`; anything else would only fail at the first call.
    let well_formed = token
        .expose()
        .split_once(':')
        .is_some_and(|(id, rest)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty());
    if !well_formed {
        env.error(TELEGRAM_TOKEN_VAR, "expected a bot token like `123456:ABC-DEF…` (from @BotFather)");
    }
    Some(TelegramSettings { token, api_url, poll_secs })
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn telegram_is_off_without_a_token_and_the_batch_defaults_to_a_minute() {
        let settings = Settings::from_pairs(&[("BOTFLEET_DEV_MODE", "true")]).unwrap();
        assert!(settings.channels.telegram.is_none());
        assert_eq!(settings.channels.email_batch.as_secs(), 60);
    }

    #[test]
    fn a_token_turns_telegram_on_and_bad_values_name_their_variable() {
        let on = Settings::from_pairs(&[
            ("BOTFLEET_DEV_MODE", "true"),
            ("BOTFLEET_TELEGRAM_BOT_TOKEN", "123:abc"),
            ("BOTFLEET_TELEGRAM_API_URL", "http://127.0.0.1:9/"),
        ])
        .unwrap();
        let telegram = on.channels.telegram.unwrap();
        assert_eq!((telegram.api_url.as_str(), telegram.poll_secs), ("http://127.0.0.1:9", 25));
        assert!(!format!("{telegram:?}").contains("123:abc"), "the token is redacted");

        let bad = Settings::from_pairs(&[
            ("BOTFLEET_DEV_MODE", "true"),
            ("BOTFLEET_TELEGRAM_BOT_TOKEN", "not-a-token"),
            ("BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS", "999999"),
            ("BOTFLEET_TELEGRAM_POLL_SECONDS", "x"),
        ])
        .unwrap_err();
        assert_eq!(
            bad.vars(),
            vec![
                "BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS",
                "BOTFLEET_TELEGRAM_POLL_SECONDS",
                "BOTFLEET_TELEGRAM_BOT_TOKEN"
            ]
        );
        assert!(!bad.to_string().contains("not-a-token"));
    }
}
