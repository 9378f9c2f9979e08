//! [`Mailer`] over SMTP with `lettre` (tokio, rustls): STARTTLS, implicit TLS, or plain text for
//! a server on loopback (tests, a local relay). Each message has a plain-text and an HTML part.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use domain::identity::{MailError, Mailer, OutgoingMail};
use domain::shared::secret::Secret;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte (SMTPS), usually port 465.
    Tls,
    /// No encryption at all: only for a server on loopback (the settings enforce it).
    None,
}

/// Where and how to send.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// Server host name (checked against its certificate under TLS).
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Login, when the server wants one.
    pub username: Option<String>,
    /// Password for `username`; never logged.
    pub password: Option<Secret>,
    /// The `From:` mailbox, e.g. `botfleet <no-reply@example.com>` (see [`is_mailbox`]).
    pub from: String,
    /// Connection protection.
    pub security: SmtpSecurity,
}

/// Whether `raw` is a mailbox (`name <address>` or a bare address) a message can come from.
pub fn is_mailbox(raw: &str) -> bool {
    raw.parse::<Mailbox>().is_ok()
}

/// Sends through one SMTP server, reusing connections from a small pool.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("from", &self.from).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `config`. Nothing is connected yet: the first message opens the connection.
    pub fn new(config: SmtpConfig) -> anyhow::Result<Self> {
        let builder = match config.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .context("invalid SMTP host for STARTTLS")?,
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).context("invalid SMTP host for TLS")?
            }
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone()),
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(20)));
        if let Some(username) = config.username {
            let password = config.password.map(|p| p.expose().to_owned()).unwrap_or_default();
            builder = builder.credentials(Credentials::new(username, password));
        }
        let from = config.from.parse().context("BOTFLEET_SMTP_FROM is not a mailbox")?;
        Ok(Self { transport: builder.build(), from })
    }

    fn message(&self, mail: &OutgoingMail) -> anyhow::Result<Message> {
        let to: Mailbox = mail.to.as_str().parse().context("recipient address")?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .context("composing the message")
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    #[tracing::instrument(skip_all, fields(subject = %mail.subject), err)]
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = self.message(mail).map_err(MailError::Delivery)?;
        self.transport.send(message).await.context("SMTP delivery").map_err(MailError::Delivery)?;
        Ok(())
    }
}
