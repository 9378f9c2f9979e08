//! After a downgrade: bots the new plan does not allow (their kind, or beyond its bot limit, the
//! newest first) are paused with the reason shown. Pausing keeps their protective exits working,
//! so no position is left unguarded; nothing is sold or deleted.

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{BotFilter, BotRepository, BotStatus, Command};
use domain::shared::ids::UserId;
use domain::subscriptions::Entitlements;
use domain::{Clock, PageRequest};

use crate::subscriptions::LimitEnforcer;
use crate::AppError;

/// Pauses running bots the plan no longer allows.
#[derive(Clone)]
pub struct BotLimitEnforcer {
    /// Bots.
    pub bots: Arc<dyn BotRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BotLimitEnforcer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotLimitEnforcer").finish_non_exhaustive()
    }
}

#[async_trait]
impl LimitEnforcer for BotLimitEnforcer {
    async fn enforce(&self, user: UserId, entitlements: &Entitlements, reason: &str) -> Result<(), AppError> {
        let all = self.bots.list(user, &BotFilter::default(), PageRequest::new(0, 1_000)).await?;
        let max = entitlements.bots.max().map_or(usize::MAX, |m| m as usize);
        let mut kept = 0usize;
        for mut bot in all.items {
            let allowed = entitlements.allows_kind(bot.kind()) && kept < max;
            if allowed {
                kept += 1;
                continue;
            }
            if bot.status == BotStatus::Running {
                let why = format!("paused: the plan does not allow this bot ({reason})");
                bot.command(Command::Pause, &why, self.clock.now()).map_err(super::refused)?;
                self.bots.update(&bot).await?;
            }
        }
        Ok(())
    }
}
