//! What the engine decides for a bot by itself: `anomaly_check` holds and releases its entries
//! (its status stays; every exit keeps working), `sync_strategy_balances` pauses it (protective
//! exits keep working). Each change is made on the bot's freshest copy under its lease and
//! recorded; a bot another instance is acting on is left for the next run.

use domain::bots::{Bot, BotEvent, BotStatus, Command};
use domain::shared::ids::BotId;

use super::Engine;
use crate::AppError;

/// The start of the entry hold of a bot of a market `anomaly_check` found anomalous.
pub const ANOMALY_HOLD: &str = "entries held for a market anomaly";

/// The start of the status reason of a bot `sync_strategy_balances` paused.
pub const UNTRUSTED_BOOKS: &str = "paused: its books cannot be trusted";

impl Engine {
    /// Applies `change` to bot `id` under its lease; `Some(bot)` when it changed something, then
    /// `event` is recorded.
    async fn decide(
        &self,
        id: BotId,
        change: impl Fn(&mut Bot) -> Result<bool, AppError>,
        event: BotEvent,
    ) -> Result<bool, AppError> {
        let Some(_claim) = self.lease(id).await? else {
            tracing::info!(bot = %id, "a bot the engine acts on is busy; it is left for the next run");
            return Ok(false);
        };
        let result = async {
            // A bot nothing would change is not written (a write bumps its version).
            if !change(&mut self.ports.bots.find(id).await?)? {
                return Ok(false);
            }
            let (bot, changed) = self.modify(id, &change).await?;
            if changed {
                self.record(&bot, vec![event]).await;
            }
            Ok(changed)
        }
        .await;
        self.release(id).await;
        result
    }

    /// Pauses running bot `id` with `reason` (its protective exits keep working).
    pub(super) async fn pause_running(&self, id: BotId, reason: &str, event: BotEvent) -> Result<bool, AppError> {
        let now = self.ports.clock.now();
        let pause = |b: &mut Bot| {
            if b.status != BotStatus::Running {
                return Ok(false);
            }
            b.command(Command::Pause, reason, now).map_err(AppError::internal)?;
            Ok(true)
        };
        self.decide(id, pause, event).await
    }

    /// Holds bot `id`'s entries for `reason` unless they are held already.
    pub(super) async fn hold_entries(&self, id: BotId, reason: &str) -> Result<bool, AppError> {
        let now = self.ports.clock.now();
        let event = BotEvent::EntriesHeld { reason: reason.to_owned() };
        self.decide(id, |b| Ok(b.hold_entries(reason, now)), event).await
    }

    /// Releases bot `id`'s entry hold, saying `why`.
    pub(super) async fn release_entries(&self, id: BotId, why: &str) -> Result<bool, AppError> {
        let now = self.ports.clock.now();
        let event = BotEvent::EntriesResumed { reason: why.to_owned() };
        self.decide(id, |b| Ok(b.release_entries(now)), event).await
    }
}
