//! The end of a stop. The owner's stop stores the bot `stopped` at once (without the lease, so
//! an evaluation in flight sees it at its next write), then comes here: the engine waits, for
//! [`STOP_WAIT`] at the most, for whatever holds the bot's lease (an evaluation between the
//! steps of the placement protocol, a sync, another instance) to finish, and then, under the
//! lease, cancels every order the bot still has pending. Once a stop is answered the bot has no
//! pending order and nothing acts on it any more: an evaluation that read it running before
//! the stop has finished, and every later one reads it stopped (`Bot::evaluate` decides nothing
//! for it and the placement protocol refuses to accept an order for it, `place.rs`).
//!
//! Should the lease stay taken longer than [`STOP_WAIT`], the stop answers 409 `bot_busy`: the
//! bot is stopped, but something may still be acting on it; a retried stop finishes the job.

use std::time::Duration;

use domain::bots::Bot;
use domain::shared::ids::BotId;
use domain::RepoError;

use super::claims::Claim;
use super::Engine;
use crate::AppError;

/// How long a stop waits for the engine to finish acting on its bot before answering busy.
pub const STOP_WAIT: Duration = Duration::from_secs(10);

/// How often a waiting stop tries the lease again.
const RETRY_EVERY: Duration = Duration::from_millis(20);

impl Engine {
    /// Takes `bot`'s lease, waiting up to `wait` for its holder to give it back.
    async fn lease_within(&self, bot: BotId, wait: Duration) -> Result<Option<Claim<BotId>>, RepoError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(claim) = self.lease(bot).await? {
                return Ok(Some(claim));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
    }

    /// Finishes the stop of `bot` (stored stopped): waits for the engine to be done with it,
    /// then cancels its pending orders under its lease; returns the bot as stored after.
    pub(super) async fn settle_stopped(&self, bot: &Bot) -> Result<Bot, AppError> {
        let Some(_claim) = self.lease_within(bot.id, STOP_WAIT).await? else {
            return Err(AppError::BotBusy(
                "the bot is stopped, but the engine is still acting on it; retry the stop in a few seconds".into(),
            ));
        };
        let result = async {
            // Read under the lease: what an evaluation in flight left pending is seen here.
            let bot = self.ports.bots.find(bot.id).await?;
            if bot.pending.is_empty() {
                return Ok(bot);
            }
            let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
            let (gateway, creds) = self.connection(&context).await?;
            for pending in bot.pending.clone() {
                self.cancel_one(&bot, &pending.client_order_id, &*gateway, &creds).await?;
            }
            Ok(self.ports.bots.find(bot.id).await?)
        }
        .await;
        self.release(bot.id).await;
        result
    }
}
