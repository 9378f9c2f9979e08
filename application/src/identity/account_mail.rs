//! Issuing a single-use e-mail token and mailing its link: the part of password recovery and
//! e-mail verification that talks to the mail server. It runs off the request (see
//! [`AccountMail::send_in_background`]) so answers take the same time whether or not a message
//! goes out, and a slow mail server never holds a request.

use std::sync::Arc;

use domain::identity::{EmailToken, EmailTokenRepository, Mailer, OutgoingMail, TokenPurpose, User};
use domain::Clock;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::templates::render;
use crate::Unexpected;

/// The SHA-256 (hex) under which an e-mail token is stored.
pub(crate) fn hash_email_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh token: 256 random bits, base64url without padding (43 characters, safe in a URL).
fn new_email_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// Sends the account e-mails: a mail server, the tokens' store and the address of the pages the
/// links open.
pub struct AccountMail {
    mailer: Arc<dyn Mailer>,
    tokens: Arc<dyn EmailTokenRepository>,
    clock: Arc<dyn Clock>,
    public_url: String,
}

impl std::fmt::Debug for AccountMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountMail").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

impl AccountMail {
    /// Mails through `mailer`; links are `{public_url}/reset-password?token=…` and
    /// `{public_url}/verify-email?token=…`.
    pub fn new(
        mailer: Arc<dyn Mailer>,
        tokens: Arc<dyn EmailTokenRepository>,
        clock: Arc<dyn Clock>,
        public_url: &str,
    ) -> Self {
        Self { mailer, tokens, clock, public_url: public_url.trim_end_matches('/').to_owned() }
    }

    /// The link that carries `token` for `purpose`.
    fn link(&self, purpose: TokenPurpose, token: &str) -> String {
        let page = match purpose {
            TokenPurpose::PasswordReset => "reset-password",
            TokenPurpose::EmailVerification => "verify-email",
        };
        format!("{}/{page}?token={token}", self.public_url)
    }

    /// Supersedes the user's older tokens of `purpose`, stores a new one (its hash) and mails it.
    pub async fn send(&self, user: &User, purpose: TokenPurpose) -> Result<(), Unexpected> {
        let now = self.clock.now();
        self.tokens.consume_all(user.id, purpose, now).await?;
        let token = new_email_token();
        self.tokens.create(&EmailToken::issue(user.id, purpose, hash_email_token(&token), now)).await?;
        let rendered = render(purpose, user.language, user.name.as_str(), &self.link(purpose, &token));
        let mail = OutgoingMail {
            to: user.email.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        };
        self.mailer.send(&mail).await.map_err(|e| Unexpected::Internal(e.into()))?;
        tracing::info!(user_id = %user.id, ?purpose, "account e-mail sent");
        Ok(())
    }

    /// [`Self::send`] on a task of its own; a failure is logged (the user may ask again).
    pub fn send_in_background(self: &Arc<Self>, user: User, purpose: TokenPurpose) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(err) = this.send(&user, purpose).await {
                tracing::error!(error = ?err, user_id = %user.id, ?purpose, "sending an account e-mail failed");
            }
        });
    }
}
