//! After a downgrade: contexts over the new plan's limit are paused (never deleted), the newest
//! first, with the reason shown to the user.

use std::sync::Arc;

use async_trait::async_trait;
use domain::contexts::{ContextRepository, ContextStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::Entitlements;
use domain::{Clock, PageRequest};

use crate::subscriptions::LimitEnforcer;
use crate::AppError;

/// Pauses the newest contexts beyond the limit.
#[derive(Clone)]
pub struct ContextLimitEnforcer {
    /// Contexts.
    pub contexts: Arc<dyn ContextRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ContextLimitEnforcer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextLimitEnforcer").finish_non_exhaustive()
    }
}

#[async_trait]
impl LimitEnforcer for ContextLimitEnforcer {
    async fn enforce(&self, user: UserId, entitlements: &Entitlements, reason: &str) -> Result<(), AppError> {
        let Some(max) = entitlements.contexts.max() else { return Ok(()) };
        let all = self.contexts.list(user, PageRequest::new(0, 1_000)).await?;
        let active: Vec<_> = all.items.into_iter().filter(|c| c.status == ContextStatus::Active).collect();
        let over = active.len().saturating_sub(max as usize);
        for mut context in active.into_iter().rev().take(over) {
            if context.pause(&format!("paused: over the plan's context limit ({reason})"), self.clock.now()) {
                self.contexts.update(&context).await?;
            }
        }
        Ok(())
    }
}
