//! Isolation: one bot can never stop another. A panic or an internal error (a bug, a broken
//! invariant, a document that cannot be read) while evaluating, placing or syncing one bot is
//! caught, logged, counted in the run's report (the `/metrics` counter
//! `botfleet_bot_faults_total`) and the bot is paused with a reason naming what failed; the run
//! goes on with the other bots. Transient failures (an exchange or the store unavailable, a
//! version conflict, a lease held elsewhere) only skip the bot until the next run.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use domain::bots::BotStatus;
use domain::shared::ids::BotId;
use futures::FutureExt as _;

use super::Engine;
use crate::AppError;

/// The longest failure text kept in a bot's status reason.
const MAX_REASON_CHARS: usize = 300;

/// A failure of one bot's work that the engine contains by pausing the bot.
#[derive(Debug)]
pub(super) struct Fault(pub(super) String);

/// Runs `work` for one bot: its answer, `Err(Fault)` when it panicked or failed internally,
/// `Ok(Err(_))` for an ordinary (transient) error.
pub(super) async fn contained<T>(
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<Result<T, AppError>, Fault> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(Err(AppError::Internal(cause))) => Err(Fault(format!("{cause:#}"))),
        Ok(answer) => Ok(answer),
        Err(panic) => Err(Fault(format!("panic: {}", panic_message(&*panic)))),
    }
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

impl Engine {
    /// Contains `fault` of bot `id` during `stage` (`evaluation`, `sync`): logs it, gives back
    /// the bot's lease if this instance holds it, and pauses the bot (running or paused) with a
    /// reason that names the stage and the failure, through the optimistic-locking write path.
    pub(super) async fn isolate(&self, id: BotId, stage: &'static str, fault: &Fault) {
        tracing::error!(bot = %id, stage, error = %fault.0, "a bot failed; it is paused and the run goes on");
        // A task of this instance that still acts on the bot gives the lease back itself.
        if let Some(_claim) = self.claims.try_claim(id) {
            self.release(id).await;
        }
        let what: String = fault.0.chars().take(MAX_REASON_CHARS).collect();
        let reason = format!("paused by the engine: its {stage} failed ({what}); check the bot, then resume it");
        let now = self.ports.clock.now();
        let pause = self.modify(id, |bot| {
            if matches!(bot.status, BotStatus::Running | BotStatus::Paused) {
                bot.halt(BotStatus::Paused, &reason, now);
            }
            Ok(())
        });
        match AssertUnwindSafe(pause).catch_unwind().await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(bot = %id, error = ?err, "a failed bot could not be paused"),
            Err(panic) => {
                tracing::error!(bot = %id, error = %panic_message(&*panic), "pausing a failed bot panicked")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn panics_and_internal_errors_are_faults_other_errors_pass_through() {
        let panicked = contained(async { panic!("boom {}", 42) as Result<(), AppError> }).await;
        assert_eq!(panicked.unwrap_err().0, "panic: boom 42");
        let internal = contained(async { Err::<(), _>(AppError::internal(anyhow::anyhow!("broken invariant"))) }).await;
        assert_eq!(internal.unwrap_err().0, "broken invariant");
        let busy = contained(async { Err::<(), _>(AppError::BotBusy(String::new())) });
        assert!(matches!(busy.await, Ok(Err(AppError::BotBusy(_)))));
        assert!(matches!(contained(async { Ok::<_, AppError>(7) }).await, Ok(Ok(7))));
    }
}
