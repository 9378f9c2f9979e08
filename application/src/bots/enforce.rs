//! After a downgrade: running bots the new plan does not allow (their kind, beyond its bot limit
//! the newest first, or candle bots using advanced indicators it does not include) are paused
//! with the reason shown. Pausing keeps their protective exits working,
//! so no position is left unguarded; nothing is sold or deleted.

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{BotRepository, BotStatus, Command};
use domain::shared::ids::UserId;
use domain::subscriptions::Entitlements;
use domain::Clock;

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
        let all = super::allowance::all_bots(&*self.bots, user).await?;
        for (mut bot, (_, verdict)) in all.iter().cloned().zip(entitlements.bot_verdicts(&all)) {
            let Some(refusal) = verdict else { continue };
            if bot.status == BotStatus::Running {
                let why = format!("paused: {refusal} ({reason})");
                bot.command(Command::Pause, &why, self.clock.now()).map_err(super::refused)?;
                self.bots.update(&bot).await?;
            }
        }
        Ok(())
    }
}
