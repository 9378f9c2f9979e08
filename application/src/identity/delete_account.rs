//! Use case: delete one's account (LGPD erasure), so that it really ends.
//!
//! The steps run in an order chosen so that a crash anywhere never leaves bots trading for a
//! deleted user, and running the request again finishes the job:
//!
//! 1. every bot is stopped (the engine stops acting on it), then its pending orders are
//!    cancelled on the exchange, and so are the open manual orders; positions stay as they are
//!    on the user's exchange account;
//! 2. every context is paused, so nothing can be started again;
//! 3. the paid subscription is cancelled at its provider at once;
//! 4. exchange credentials are wiped (after step 1, which needs them to cancel live orders);
//! 5. the account is marked deleted: from here every access token is refused;
//! 6. every refresh session is revoked;
//! 7. the bots are swept once more (a start that raced step 1 is stopped too);
//! 8. every consent is withdrawn (the history is kept five years), the user's events and
//!    notification preferences, deliveries and Telegram link are erased, and so is their data
//!    version (last: every write before moved it), and the report is written to the audit log.
//!
//! A failure in steps 1 to 4 answers an error with the account still active: the user retries.
//! After step 5 the password is gone, so a repeated call authenticated by a token issued before
//! the deletion ([`IdentityService::authenticate_deleting`]) finishes steps 6 to 8 if needed and
//! answers the stored report.

use async_trait::async_trait;
use domain::identity::{AuditAction, AuditFilter, PlainPassword, RequestMeta, User, UserStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::PaymentProvider;
use domain::{PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::DeleteAccountError;
use super::IdentityService;
use crate::bots::BotsStopped;

/// The reason shown on bots stopped by an account deletion.
pub const DELETION_REASON: &str = "stopped: the account was deleted";

/// What ending an account involves outside identity: bots, contexts, the paid plan.
#[async_trait]
pub trait AccountTeardown: Send + Sync {
    /// Stops every bot of `user` with [`DELETION_REASON`] and cancels their pending orders and
    /// the user's open manual orders; positions stay on the exchange account.
    async fn stop_trading(&self, user: UserId) -> Result<BotsStopped, DeleteAccountError>;
    /// Pauses every active context of `user`; returns how many.
    async fn pause_contexts(&self, user: UserId) -> Result<u32, DeleteAccountError>;
    /// Cancels the paid subscription at its provider at once; returns that provider, or `None`
    /// when nothing is billed.
    async fn end_subscription(&self, user: UserId) -> Result<Option<PaymentProvider>, DeleteAccountError>;
    /// Erases the user's outbound webhook endpoints and deliveries.
    async fn erase_webhooks(&self, _user: UserId) -> Result<(), DeleteAccountError> {
        Ok(())
    }
    /// Erases the user's conversations with the assistant, their messages and proposals.
    async fn erase_conversations(&self, user: UserId) -> Result<(), DeleteAccountError>;
    /// Erases the user's data version (the per-user caches' hint, `data_versions`); called last,
    /// once nothing writes the user's bots, orders or contexts any more (each write moves it).
    async fn erase_data_version(&self, user: UserId) -> Result<(), DeleteAccountError>;
}

/// What deleting the account did; the same on every repeated call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionReport {
    /// When the account was marked deleted.
    #[serde(with = "time::serde::rfc3339")]
    pub deleted_at: OffsetDateTime,
    /// Bots stopped by the deletion (they were running, paused or tripped), also by an earlier
    /// attempt that failed midway.
    pub bots_stopped: u32,
    /// Pending orders cancelled on the exchanges by the call that completed the deletion.
    pub orders_canceled: u32,
    /// Open positions left as they are on the user's exchange accounts (sell them there).
    pub positions_left_on_exchange: u32,
    /// Contexts paused.
    pub contexts_paused: u32,
    /// The provider whose subscription was cancelled at once, if one was billing.
    pub subscription_canceled: Option<PaymentProvider>,
    /// Exchange credentials wiped.
    pub credentials_wiped: u32,
    /// Refresh sessions revoked.
    pub sessions_revoked: u64,
}

impl DeletionReport {
    /// Takes in a sweep of the bots: stopped bots and positions are counted from the state (so
    /// the last sweep holds the totals), cancelled orders add up.
    fn add(&mut self, bots: BotsStopped) {
        self.bots_stopped = bots.bots_stopped;
        self.orders_canceled += bots.orders_canceled;
        self.positions_left_on_exchange = bots.positions_left;
    }
}

impl IdentityService {
    /// Deletes the account after checking the password; see the module comment for the steps.
    /// A deleted account answers its stored report (the password is not asked again).
    /// Errors: `Invalid` (an incorrect password); `UserNotFound`; `Bots`, `Orders`, `Subscription`
    /// (what the engine, the exchanges or the payment provider answer: the account stays active,
    /// retrying finishes the job); `Busy`.
    pub async fn delete_account(
        &self,
        user_id: UserId,
        password: String,
        meta: &RequestMeta,
    ) -> Result<DeletionReport, DeleteAccountError> {
        let user = match self.ports.users.get(user_id).await {
            Ok(user) => user,
            Err(RepoError::NotFound) => return Err(DeleteAccountError::UserNotFound),
            Err(err) => return Err(err.into()),
        };
        match user.status {
            UserStatus::Deleted => {
                let report = DeletionReport::empty(user.updated_at);
                return self.finish_deletion(user, report, meta).await;
            }
            UserStatus::Blocked => return Err(DeleteAccountError::UserNotFound),
            UserStatus::Active => {}
        }
        if !self.ports.hasher.verify(&PlainPassword::unchecked(password), &user.password_hash) {
            let why = "the password is incorrect";
            return Err(DeleteAccountError::Invalid(vec![crate::FieldError::new(
                "password",
                crate::FieldCode::Incorrect,
                why,
            )]));
        }
        let teardown = &self.ports.teardown;
        let mut report = DeletionReport::empty(user.updated_at);
        report.add(teardown.stop_trading(user.id).await?);
        report.contexts_paused = teardown.pause_contexts(user.id).await?;
        report.subscription_canceled = teardown.end_subscription(user.id).await?;
        report.credentials_wiped = self.wipe_credentials(user.id).await?;
        teardown.erase_webhooks(user.id).await?;
        let user = self.mark_deleted(user).await?;
        report.deleted_at = user.updated_at;
        self.finish_deletion(user, report, meta).await
    }

    /// Steps 6 to 8 (see the module comment), or the stored report when they already ran.
    async fn finish_deletion(
        &self,
        user: User,
        mut report: DeletionReport,
        meta: &RequestMeta,
    ) -> Result<DeletionReport, DeleteAccountError> {
        if let Some(stored) = self.stored_report(user.id).await? {
            return Ok(stored);
        }
        report.sessions_revoked =
            self.ports.sessions.revoke_all_for_user(user.id, None, self.ports.clock.now()).await?;
        match self.ports.teardown.stop_trading(user.id).await {
            Ok(swept) => report.add(swept),
            // The sweep stops every bot before any exchange call; what fails here is cancelling
            // an order a racing start placed, which the credentials (gone) would have needed.
            Err(err) => tracing::error!(error = ?err, user_id = %user.id, "the last sweep of a deletion failed"),
        }
        self.ports.legal.withdraw_all(user.id, meta).await?;
        // The user's notifications go with the account; the relay logs no event of a deleted
        // account afterwards (those the teardown raised included).
        self.ports.events.delete_of(user.id).await?;
        self.ports.preferences.delete_of(user.id).await?;
        self.ports.deliveries.delete_of(user.id).await?;
        self.ports.telegram.unlink(user.id).await?;
        self.ports.teardown.erase_conversations(user.id).await?;
        self.ports.teardown.erase_data_version(user.id).await?;
        let detail = serde_json::to_string(&report).map_err(anyhow::Error::from)?;
        self.audit(Some(user.id), AuditAction::AccountDeleted, meta, Some(detail)).await;
        tracing::info!(user_id = %user.id, bots_stopped = report.bots_stopped, "account deleted");
        Ok(report)
    }

    async fn stored_report(&self, user: UserId) -> Result<Option<DeletionReport>, DeleteAccountError> {
        let filter = AuditFilter { action: Some(AuditAction::AccountDeleted) };
        let page = self.ports.audit.list_for_user(user, &filter, PageRequest::new(0, 1)).await?;
        Ok(page.items.into_iter().find_map(|e| e.detail.and_then(|d| serde_json::from_str(&d).ok())))
    }

    async fn wipe_credentials(&self, user: UserId) -> Result<u32, DeleteAccountError> {
        let mut wiped = 0;
        loop {
            let page = self.ports.credentials.list(user, None, PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
            if page.items.is_empty() {
                return Ok(wiped);
            }
            for credential in page.items {
                match self.ports.credentials.delete(user, credential.id).await {
                    Ok(()) => wiped += 1,
                    Err(RepoError::NotFound) => {}
                    Err(err) => return Err(err.into()),
                }
            }
        }
    }

    async fn mark_deleted(&self, mut user: User) -> Result<User, DeleteAccountError> {
        for _ in 0..3 {
            user.mark_deleted(domain::shared::clock::to_millis(self.ports.clock.now()));
            match self.ports.users.update(&user).await {
                Ok(saved) => return Ok(saved),
                // A concurrent profile write: re-read and mark again (deletion wins).
                Err(RepoError::Conflict) => user = self.ports.users.get(user.id).await?,
                Err(err) => return Err(err.into()),
            }
        }
        Err(DeleteAccountError::Busy)
    }
}

impl DeletionReport {
    fn empty(at: OffsetDateTime) -> Self {
        Self {
            deleted_at: at,
            bots_stopped: 0,
            orders_canceled: 0,
            positions_left_on_exchange: 0,
            contexts_paused: 0,
            subscription_canceled: None,
            credentials_wiped: 0,
            sessions_revoked: 0,
        }
    }
}

impl IdentityService {
    /// The caller of `DELETE /api/users/me`: an active user's valid token as everywhere, or the
    /// token of a deleted account issued before its deletion, so a client that lost the first
    /// answer reads the same report. Every other route refuses such a token.
    /// Errors: as [`Self::authenticate`].
    pub async fn authenticate_deleting(&self, token: &str) -> Result<super::Principal, super::AuthenticateError> {
        let refused = match self.authenticate(token).await {
            Err(err @ (super::AuthenticateError::Expired | super::AuthenticateError::Invalid)) => err,
            other => return other,
        };
        let Ok(claims) = self.ports.tokens.verify(token, self.ports.clock.now()) else { return Err(refused) };
        match self.ports.users.get(claims.user_id).await {
            Ok(user)
                if user.status == UserStatus::Deleted
                    && user.tokens_valid_after.is_some_and(|deleted| claims.issued_at <= deleted) =>
            {
                Ok(super::Principal { user_id: user.id, role: user.role })
            }
            _ => Err(refused),
        }
    }
}
