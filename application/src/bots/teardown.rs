//! Use case: stop every bot of an account being deleted. Every evaluated bot (running, paused,
//! tripped) is stopped first, so the engine stops acting on it; then the pending orders are
//! cancelled on the exchange through the engine; positions stay as they are on the user's
//! exchange account. Like a single stop, each bot that was evaluated is settled under its lease
//! (an evaluation in flight finishes first; what it left pending is cancelled). Safe to run
//! again: stopped bots are only swept for pending orders.

use domain::bots::{Bot, BotFilter, Command};
use domain::shared::ids::UserId;
use domain::{PageRequest, RepoError};

use super::{refused, BotService, BotServiceError};

/// Attempts at saving a bot the engine changed meanwhile.
const ATTEMPTS: u32 = 3;

/// What stopping every bot of an account did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BotsStopped {
    /// Bots stopped with this reason (now or by an earlier run), that were running, paused or
    /// tripped.
    pub bots_stopped: u32,
    /// Pending orders cancelled on the exchange.
    pub orders_canceled: u32,
    /// Open positions left as they are on the exchange account.
    pub positions_left: u32,
}

impl BotService {
    /// Stops every bot of `owner` with `reason`, then cancels their pending orders: every bot
    /// is stopped before the first exchange call, so an exchange failing cannot leave one
    /// running. Errors: what the exchange answers while cancelling, `Busy` (an evaluation still
    /// held a bot after the stop's wait): nothing is lost, running it again finishes the job.
    pub async fn stop_all(&self, owner: UserId, reason: &str) -> Result<BotsStopped, BotServiceError> {
        let mut report = BotsStopped::default();
        let mut settling = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .ports
                .bots
                .list(owner, &BotFilter::default(), PageRequest::new(offset, PageRequest::MAX_LIMIT))
                .await?;
            let count = page.items.len() as u64;
            for bot in page.items {
                let was_evaluated = bot.status.is_evaluated();
                let bot = self.stop_one(bot, reason).await?;
                // Counted from the state, so a run that finishes an interrupted one counts the
                // bots the first run stopped too.
                report.bots_stopped += u32::from(bot.status_reason.as_deref() == Some(reason));
                if was_evaluated || !bot.pending.is_empty() {
                    settling.push(bot);
                } else {
                    report.positions_left += held(&bot);
                }
            }
            offset += count;
            if count < PageRequest::MAX_LIMIT {
                break;
            }
        }
        // As a single stop does: wait for an evaluation in flight to finish (it may leave an
        // order pending), then cancel under the lease, so nothing trades once this answers.
        for bot in settling {
            let before = bot.pending.len();
            let bot = self.ports.executor.settle_stop(bot).await?;
            report.orders_canceled += before.saturating_sub(bot.pending.len()) as u32;
            report.positions_left += held(&bot);
        }
        Ok(report)
    }

    /// Stops `bot` when the engine evaluates it; re-reads and retries when the engine saved it
    /// meanwhile. Returns the bot as saved.
    pub(super) async fn stop_one(&self, mut bot: Bot, reason: &str) -> Result<Bot, BotServiceError> {
        for attempt in 1..=ATTEMPTS {
            if !bot.status.is_evaluated() {
                return Ok(bot);
            }
            bot.command(Command::Stop, reason, self.ports.clock.now()).map_err(refused)?;
            match self.ports.bots.update(&bot).await {
                Ok(saved) => {
                    self.touched(saved.user_id);
                    return Ok(saved);
                }
                Err(RepoError::Conflict) if attempt < ATTEMPTS => bot = self.ports.bots.find(bot.id).await?,
                Err(err) => return Err(err.into()),
            }
        }
        Err(BotServiceError::Busy("a bot kept changing while being stopped; retry".into()))
    }
}

/// The open positions `bot` holds on the exchange.
fn held(bot: &Bot) -> u32 {
    bot.positions.iter().filter(|p| p.entry_price().is_some()).count() as u32
}
