//! Start-up wiring of the notification channels: e-mail notifications (on with an SMTP server)
//! and Telegram (on with a bot token), each said once in the log when off, and their workflows
//! (`email_notifications`, `telegram_notifications`, `telegram_updates`) with their figures in
//! `/metrics` (`infrastructure::notifications::metrics`).

use std::sync::Arc;

use anyhow::Context as _;
use application::notifications::{
    DispatchPorts, EmailNotifications, TelegramLinking, TelegramNotifications, TelegramUpdates, UserRecipients,
};
use domain::Clock;
use infrastructure::notifications::metrics;
use infrastructure::repositories::Repositories;
use infrastructure::scheduler::{FnWorkflow, Scheduler};
use infrastructure::telegram::{TelegramBotApi, TelegramConfig};

use crate::settings::{Settings, TELEGRAM_TOKEN_VAR};

/// The Telegram channel's parts.
#[derive(Debug, Clone)]
pub struct TelegramChannel {
    /// Linking a chat (the API).
    pub linking: Arc<TelegramLinking>,
    /// The `getUpdates` worker.
    pub updates: Arc<TelegramUpdates>,
    /// The dispatcher and sender.
    pub notifications: Arc<TelegramNotifications>,
}

/// The channels this server runs.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    /// E-mail notifications; `None` without an SMTP server.
    pub email: Option<Arc<EmailNotifications>>,
    /// Telegram; `None` without a bot token.
    pub telegram: Option<TelegramChannel>,
}

/// Builds the channels the settings switch on.
pub fn build(settings: &Settings, repositories: &Repositories, clock: Arc<dyn Clock>) -> anyhow::Result<Channels> {
    let ports = DispatchPorts {
        events: repositories.events.clone(),
        preferences: repositories.preferences.clone(),
        deliveries: repositories.deliveries.clone(),
        cursors: repositories.cursors.clone(),
        clock: clock.clone(),
    };
    let recipients = Arc::new(UserRecipients(repositories.users.clone()));
    // E-mail being off is already said at start-up (`bootstrap::account_mail`).
    let email = match settings.mail.smtp.clone() {
        Some(smtp) => {
            let mailer = Arc::new(infrastructure::mail::SmtpMailer::new(smtp).context("BOTFLEET_SMTP_*")?);
            let window = time::Duration::try_from(settings.channels.email_batch).context("the e-mail batch window")?;
            Some(Arc::new(EmailNotifications::new(
                ports.clone(),
                recipients.clone(),
                recipients.clone(),
                mailer,
                window,
                &settings.mail.public_url,
            )))
        }
        None => None,
    };
    let Some(telegram) = settings.channels.telegram.as_ref() else {
        tracing::info!("Telegram is off: {TELEGRAM_TOKEN_VAR} is not set");
        return Ok(Channels { email, telegram: None });
    };
    let config = TelegramConfig {
        token: telegram.token.clone(),
        api_url: telegram.api_url.clone(),
        timeout: std::time::Duration::from_secs(10),
    };
    let bot = Arc::new(TelegramBotApi::new(config).context("building the Telegram Bot API client")?);
    tracing::info!(api_url = %telegram.api_url, "Telegram is on");
    let links = repositories.telegram.clone();
    let channel = TelegramChannel {
        linking: Arc::new(TelegramLinking::new(bot.clone(), links.clone(), clock.clone())),
        updates: Arc::new(TelegramUpdates::new(
            bot.clone(),
            links.clone(),
            recipients.clone(),
            clock,
            telegram.poll_secs,
        )),
        notifications: Arc::new(TelegramNotifications::new(ports, links, recipients, bot)),
    };
    Ok(Channels { email, telegram: Some(channel) })
}

/// Adds `n` deliveries of `channel` with `outcome` to `/metrics`.
fn count(channel: &str, outcome: &str, n: u64) {
    if n > 0 {
        metrics::DELIVERIES.with_label_values(&[channel, outcome]).inc_by(n);
    }
}

/// Registers the workflows of the channels that are on.
pub fn register(scheduler: &mut Scheduler, channels: &Channels) -> anyhow::Result<()> {
    if let Some(email) = channels.email.clone() {
        scheduler.register(Arc::new(FnWorkflow::new("email_notifications", move || {
            let email = email.clone();
            async move {
                let report = email.run().await?;
                count("email", "sent", report.sent);
                count("email", "failed", report.failed);
                count("email", "dead", report.dead);
                metrics::pending("email", report.pending);
                Ok(serde_json::to_string(&report).unwrap_or_default())
            }
        })))?;
    }
    if let Some(telegram) = channels.telegram.clone() {
        let sender = telegram.notifications.clone();
        scheduler.register(Arc::new(FnWorkflow::new("telegram_notifications", move || {
            let sender = sender.clone();
            async move {
                let report = sender.run().await?;
                count("telegram", "sent", report.sent);
                count("telegram", "failed", report.failed);
                count("telegram", "dead", report.dead);
                metrics::pending("telegram", report.pending);
                Ok(serde_json::to_string(&report).unwrap_or_default())
            }
        })))?;
        let updates = telegram.updates.clone();
        scheduler.register(Arc::new(FnWorkflow::new("telegram_updates", move || {
            let updates = updates.clone();
            async move { Ok(serde_json::to_string(&updates.run().await?).unwrap_or_default()) }
        })))?;
    }
    Ok(())
}
