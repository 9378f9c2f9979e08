//! The outgoing e-mail port: the message botfleet composes and the adapter (SMTP) that sends it.

use async_trait::async_trait;

use super::Email;

/// One message, with a plain-text and an HTML body of the same content.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

impl std::fmt::Debug for OutgoingMail {
    // Bodies may carry single-use tokens: never formatted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail").field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The server refused the message, the connection or the login; the cause is for logs.
    #[error("the mail server refused or could not be reached")]
    Delivery(#[source] anyhow::Error),
}

/// Sends e-mail.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands `mail` to the mail server. Errors: `Delivery` when it refuses or cannot be reached.
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}
