//! What operators do to users: look them up (list and one-call detail), block and unblock,
//! pause one bot. Blocking ends every session at once and pauses every running bot with a reason.

use domain::backoffice::{OperatorAuditEntry, OperatorAuditFilter};
use domain::bots::{Bot, BotFilter, BotStatus, Command};
use domain::identity::{RefreshSession, User, UserStatus};
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest, RepoError};

use super::{Backoffice, BackofficeError};

pub use domain::identity::UserSort;

/// The reason a blocked user's bots carry.
pub const BLOCKED_REASON: &str = "paused: the account was blocked by an operator";

/// Attempts at saving a bot the engine changed meanwhile.
const ATTEMPTS: u32 = 3;

/// What blocking did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockReport {
    /// Refresh sessions revoked (access tokens stop working at once with the block itself).
    pub sessions_revoked: u64,
    /// Running bots paused.
    pub bots_paused: u32,
}

/// A user with what support needs on one screen.
#[derive(Debug)]
pub struct UserDetail {
    /// The account.
    pub user: User,
    /// Every bot (status and funds), oldest first, at most 200.
    pub bots: Vec<Bot>,
    /// The latest refresh sessions, newest first.
    pub sessions: Page<RefreshSession>,
    /// The latest backoffice audit entries about this user, newest first.
    pub audit: Page<OperatorAuditEntry>,
}

impl Backoffice {
    /// The user (blocked too). Errors: `NotFound` (also a deleted account).
    pub async fn user(&self, id: UserId) -> Result<User, BackofficeError> {
        match self.ports.users.get(id).await {
            Ok(user) if user.status != UserStatus::Deleted => Ok(user),
            Ok(_) | Err(RepoError::NotFound) => Err(BackofficeError::NotFound { resource: "user" }),
            Err(err) => Err(err.into()),
        }
    }

    /// The active user support is helping (the password-reset e-mail goes to them). Errors:
    /// `NotFound` (also a deleted account), `UserBlocked`.
    pub async fn active_user(&self, id: UserId) -> Result<User, BackofficeError> {
        let user = self.user(id).await?;
        if user.status == UserStatus::Blocked {
            return Err(BackofficeError::UserBlocked);
        }
        Ok(user)
    }

    /// The user's detail. Errors: `NotFound` (also a deleted account).
    pub async fn user_detail(&self, id: UserId) -> Result<UserDetail, BackofficeError> {
        let user = self.user(id).await?;
        let bots = self.ports.bots.list(id, &BotFilter::default(), PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
        let sessions = self.ports.user_sessions.list_for_user(id, PageRequest::new(0, 20)).await?;
        let filter = OperatorAuditFilter { target: Some(format!("user:{id}")), ..OperatorAuditFilter::default() };
        let audit = self.ports.audit.list(&filter, PageRequest::new(0, 20)).await?;
        Ok(UserDetail { user, bots: bots.items, sessions, audit })
    }

    /// Blocks the user: access tokens and refresh sessions stop working at once, login answers
    /// `account_blocked`, and every running bot is paused with [`BLOCKED_REASON`]. Blocking a
    /// blocked user finishes the job (pauses what raced the first run). Errors: `NotFound`.
    pub async fn block_user(&self, id: UserId) -> Result<BlockReport, BackofficeError> {
        let mut user = self.user(id).await?;
        let now = self.ports.clock.now();
        if user.status != UserStatus::Blocked {
            user.status = UserStatus::Blocked;
            user.end_sessions(now);
            user.updated_at = now;
            self.ports.users.update(&user).await?;
        }
        let sessions_revoked = self.ports.user_sessions.revoke_all_for_user(id, None, now).await?;
        let filter = BotFilter { status: Some(BotStatus::Running), ..BotFilter::default() };
        let mut bots_paused = 0;
        loop {
            // Paused bots leave the filter, so the first page is always the next one.
            let page = self.ports.bots.list(id, &filter, PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
            if page.items.is_empty() {
                break;
            }
            for bot in page.items {
                bots_paused += u32::from(self.pause(bot, BLOCKED_REASON).await?);
            }
        }
        Ok(BlockReport { sessions_revoked, bots_paused })
    }

    /// Unblocks the user (their bots stay paused until they resume them). Errors: `NotFound`.
    pub async fn unblock_user(&self, id: UserId) -> Result<User, BackofficeError> {
        let mut user = self.user(id).await?;
        if user.status == UserStatus::Blocked {
            user.status = UserStatus::Active;
            user.updated_at = self.ports.clock.now();
            user = self.ports.users.update(&user).await?;
        }
        Ok(user)
    }

    /// Pauses one of the user's bots with `reason`. Errors: `NotFound` (also another user's
    /// bot), `Refused` when the bot is not running.
    pub async fn pause_bot(&self, user: UserId, bot: BotId, reason: &str) -> Result<Bot, BackofficeError> {
        let found = match self.ports.bots.find(bot).await {
            Ok(found) if found.user_id == user => found,
            Ok(_) | Err(RepoError::NotFound) => return Err(BackofficeError::NotFound { resource: "bot" }),
            Err(err) => return Err(err.into()),
        };
        if found.status != BotStatus::Running {
            return Err(BackofficeError::Refused(format!("the bot is {}, not running", found.status.as_str())));
        }
        self.pause(found, reason).await?;
        Ok(self.ports.bots.find(bot).await?)
    }

    /// Pauses `bot` if it runs, re-reading it when the engine saved it meanwhile; whether it
    /// paused it.
    async fn pause(&self, mut bot: Bot, reason: &str) -> Result<bool, BackofficeError> {
        for attempt in 1..=ATTEMPTS {
            if bot.status != BotStatus::Running {
                return Ok(false);
            }
            bot.command(Command::Pause, reason, self.ports.clock.now())
                .map_err(|e| BackofficeError::Refused(e.to_string()))?;
            match self.ports.bots.update(&bot).await {
                Ok(_) => return Ok(true),
                Err(RepoError::Conflict) if attempt < ATTEMPTS => bot = self.ports.bots.find(bot.id).await?,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(false)
    }
}
