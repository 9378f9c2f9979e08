//! E-mail notifications: the dispatcher puts each event the user wants by e-mail in the queue,
//! held for the batch window (safety events are due at once); the sender then mails each user
//! ONE message for everything pending once any of it is due, and retries a failed send with
//! backoff until the deliveries are dead. Runs as the `email_notifications` workflow, under its
//! lease, so several instances send each message once.

use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{Email, Language, Mailer, OutgoingMail, UserRepository};
use domain::notifications::{Channel, DeliveryRepository};
use domain::shared::ids::UserId;
use domain::{Clock, RepoError};
use serde::Serialize;
use time::Duration;

use super::dispatch::{Audience, DispatchPorts, DispatchReport, Dispatcher};
use super::email_digest::digest;
use crate::Unexpected;

/// Users mailed per pass at most (the next pass goes on).
const USERS_PER_PASS: usize = 100;

/// Events in one message at most (the rest go in the next one).
const EVENTS_PER_MAIL: u64 = 200;

/// Who a notification e-mail goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The address.
    pub email: Email,
    /// The name to greet.
    pub name: String,
    /// The language of the message.
    pub language: Language,
}

/// Looks up the recipient of a user's notification e-mails.
#[async_trait]
pub trait Recipients: Send + Sync {
    /// `user`'s address, name and language; `None` when the account is gone or blocked.
    async fn recipient(&self, user: UserId) -> Result<Option<Recipient>, RepoError>;
}

/// [`Recipients`] over the users' store: active accounts only.
pub struct UserRecipients(pub Arc<dyn UserRepository>);

impl std::fmt::Debug for UserRecipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecipients").finish_non_exhaustive()
    }
}

#[async_trait]
impl Recipients for UserRecipients {
    async fn recipient(&self, user: UserId) -> Result<Option<Recipient>, RepoError> {
        match self.0.get(user).await {
            Ok(u) if u.is_active() => {
                Ok(Some(Recipient { email: u.email, name: u.name.as_str().to_owned(), language: u.language }))
            }
            Ok(_) | Err(RepoError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

#[async_trait]
impl Audience for UserRecipients {
    async fn reachable(&self, user: UserId) -> Result<bool, RepoError> {
        Ok(self.recipient(user).await?.is_some())
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmailReport {
    /// The dispatcher's part.
    pub dispatched: DispatchReport,
    /// Messages mailed.
    pub mails: u64,
    /// Deliveries sent (in those messages).
    pub sent: u64,
    /// Deliveries whose message failed and will be retried.
    pub failed: u64,
    /// Deliveries given up.
    pub dead: u64,
    /// Deliveries dropped (the account is gone).
    pub skipped: u64,
    /// Deliveries still pending after the pass.
    pub pending: u64,
}

/// The e-mail channel.
pub struct EmailNotifications {
    dispatcher: Dispatcher,
    deliveries: Arc<dyn DeliveryRepository>,
    recipients: Arc<dyn Recipients>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    public_url: String,
}

impl std::fmt::Debug for EmailNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailNotifications").field("dispatcher", &self.dispatcher).finish_non_exhaustive()
    }
}

impl EmailNotifications {
    /// The channel over `ports`, mailing through `mailer` to `recipients`, batching for `window`;
    /// links open `public_url`.
    pub fn new(
        ports: DispatchPorts,
        recipients: Arc<dyn Recipients>,
        audience: Arc<dyn Audience>,
        mailer: Arc<dyn Mailer>,
        window: Duration,
        public_url: &str,
    ) -> Self {
        let (deliveries, clock) = (ports.deliveries.clone(), ports.clock.clone());
        Self {
            dispatcher: Dispatcher::new(ports, Channel::Email, audience, window),
            deliveries,
            recipients,
            mailer,
            clock,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// One pass: dispatch, then mail every user with something due.
    pub async fn run(&self) -> Result<EmailReport, Unexpected> {
        let mut report = EmailReport { dispatched: self.dispatcher.run().await?, ..EmailReport::default() };
        let due = self.deliveries.due(Channel::Email, self.clock.now(), 1000).await?;
        let mut users: Vec<UserId> = Vec::new();
        for d in &due {
            if !users.contains(&d.user_id) && users.len() < USERS_PER_PASS {
                users.push(d.user_id);
            }
        }
        for user in users {
            self.mail(user, &mut report).await?;
        }
        report.pending = self.deliveries.pending_count(Channel::Email).await?;
        Ok(report)
    }

    /// Mails `user` everything pending in one message.
    async fn mail(&self, user: UserId, report: &mut EmailReport) -> Result<(), Unexpected> {
        let mut batch = self.deliveries.pending_of(Channel::Email, user, EVENTS_PER_MAIL).await?;
        let now = self.clock.now();
        let Some(to) = self.recipients.recipient(user).await? else {
            for d in &mut batch {
                d.skip("the account is gone or blocked", now);
                self.deliveries.save(d).await?;
            }
            report.skipped += batch.len() as u64;
            return Ok(());
        };
        batch.sort_by_key(|d| d.seq);
        let events: Vec<_> = batch.iter().map(|d| d.event.clone()).collect();
        let rendered = digest(&events, to.language, &to.name, &self.public_url);
        let mail = OutgoingMail { to: to.email, subject: rendered.subject, text: rendered.text, html: rendered.html };
        match self.mailer.send(&mail).await {
            Ok(()) => {
                for d in &mut batch {
                    d.sent(now);
                    self.deliveries.save(d).await?;
                }
                report.mails += 1;
                report.sent += batch.len() as u64;
                tracing::info!(user_id = %user, events = batch.len(), "notification e-mail sent");
            }
            Err(err) => {
                let error = err.to_string();
                tracing::warn!(user_id = %user, error = %error, "notification e-mail failed");
                for d in &mut batch {
                    if d.failed(&error, now, None) {
                        report.dead += 1;
                    } else {
                        report.failed += 1;
                    }
                    self.deliveries.save(d).await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "email_tests.rs"]
mod tests;
