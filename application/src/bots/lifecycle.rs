//! Use cases: the life-cycle commands. Start runs the checks in order, each with its problem
//! code: an active subscription whose plan allows the bot (kind, a place among the owner's bots,
//! advanced indicators; resume runs these too), an active context, a usable credential
//! (live contexts), and enough free quote on the exchange for what the bot may still spend
//! (after what the context's other running bots may spend). Stop cancels pending orders;
//! emergency sell also sells everything held; a breaker reset resumes a tripped bot.

use domain::bots::{Bot, BotStatus, Command};
use domain::contexts::{ContextMode, ContextStatus, TradingContext};
use domain::credentials::CredentialStatus;
use domain::shared::bounds::PROFIT_PERCENT;
use domain::shared::ids::{BotId, PositionId, UserId};
use rust_decimal::Decimal;

use super::allowance::OwnerVerdicts;
use super::{bot_not_found, refused, BotService, BotServiceError};
use crate::FieldError;

impl BotService {
    async fn save(&self, bot: &Bot) -> Result<Bot, BotServiceError> {
        let saved = self.ports.bots.update(bot).await.map_err(bot_not_found)?;
        self.touched(saved.user_id);
        Ok(saved)
    }

    /// Starts a created or stopped bot. Errors: `NotFound`; `Refused` (its status); `Consent`;
    /// `Access` (inactive subscription, the plan's kinds, bot limit, advanced indicators);
    /// `ContextPaused`, `EmailUnverified` (live), `CredentialRequired`, `CredentialInvalid`, `InsufficientBalance`.
    pub async fn start(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        Command::Start.target(bot.status).map_err(|e| refused(e.into()))?;
        // 403 `terms_not_accepted` / `privacy_not_accepted` until the texts in force are accepted.
        self.ports.legal.require_current(owner).await?;
        let context = self.check_entitlements(owner, &bot).await?;
        if context.mode == ContextMode::Live {
            // 403 `email_unverified` where e-mail verification is on; paper bots never ask.
            self.ports.email_gate.require(owner).await?;
            let credential = self.ports.credentials.find_for_exchange(owner, context.exchange).await?;
            match credential.map(|c| c.status) {
                None => {
                    let detail = format!("a live bot needs a {} credential", context.exchange);
                    return Err(BotServiceError::CredentialRequired(detail));
                }
                Some(CredentialStatus::Invalid) => {
                    return Err(BotServiceError::CredentialInvalid { exchange: context.exchange })
                }
                Some(_) => {}
            }
        }
        let balance = self.ports.contexts.balance(owner, context.id).await?;
        let others = self.committed_elsewhere(&bot).await?;
        let needed = bot.funds.available;
        let free = balance.quote.free - others;
        if needed > free {
            return Err(BotServiceError::InsufficientBalance(format!(
                "the bot may spend {needed} {q} but only {free} {q} is free on the exchange{}",
                if others > Decimal::ZERO {
                    format!(" after {others} {} for the context's other running bots", context.quote)
                } else {
                    String::new()
                },
                q = context.quote,
            )));
        }
        bot.command(Command::Start, "started by its owner", self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// What the context's other running bots may still spend.
    async fn committed_elsewhere(&self, bot: &Bot) -> Result<Decimal, BotServiceError> {
        let query = super::BotListQuery { context_id: Some(bot.context_id), ..Default::default() };
        let all = self.list(bot.user_id, &query, domain::PageRequest::new(0, 200)).await?;
        Ok(all
            .items
            .iter()
            .filter(|b| b.id != bot.id && b.status.is_evaluated())
            .map(|b| b.funds.available + b.funds.blocked)
            .sum())
    }

    /// Pauses a running bot (its protective exits keep working). Errors: `NotFound`, `Refused`.
    pub async fn pause(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        self.simple(owner, id, Command::Pause, "paused by its owner").await
    }

    /// Resumes a paused bot (a tripped one resumes through the breaker reset), after the same
    /// plan and context checks as start. Errors: `NotFound`; `Access`; `Tripped`, `Refused`,
    /// `ContextPaused`.
    pub async fn resume(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        if bot.status == BotStatus::Tripped {
            return Err(BotServiceError::Tripped);
        }
        Command::Resume.target(bot.status).map_err(|e| refused(e.into()))?;
        self.check_entitlements(owner, &bot).await?;
        bot.command(Command::Resume, "resumed by its owner", self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// The checks `start` and `resume` share, in order: the subscription is in good standing
    /// and the plan includes the bot's kind, has a place for it among the owner's bots (the bot
    /// counts itself once) and includes the advanced indicators it uses (`Access`); advanced
    /// indicators run on a Binance context (`Invalid`); the context is active
    /// (`ContextPaused`). Returns the context.
    /// A plan's refusal is told to the owner (`plan.limit_reached`).
    pub(super) async fn check_entitlements(&self, owner: UserId, bot: &Bot) -> Result<TradingContext, BotServiceError> {
        let checked = self.entitlements_of(owner, bot).await;
        if let Err(BotServiceError::Access(denied)) = &checked {
            self.ports.subscriptions.tell(owner, denied).await;
        }
        checked
    }

    async fn entitlements_of(&self, owner: UserId, bot: &Bot) -> Result<TradingContext, BotServiceError> {
        let access = self.ports.subscriptions.access(owner).await?;
        access.require_active()?;
        let verdicts = OwnerVerdicts::load(&*self.ports.bots, owner, access.entitlements.clone()).await?;
        verdicts.require(&access, bot)?;
        let context = self.ports.contexts.get(owner, bot.context_id).await?;
        self.check_indicators(&access, &context, &bot.config)?;
        if context.status != ContextStatus::Active {
            return Err(BotServiceError::ContextPaused { reason: context.status_reason.clone().unwrap_or_default() });
        }
        Ok(context)
    }

    /// Stops a bot and cancels its pending orders; positions stay. The bot is stored stopped at
    /// once (retried over concurrent writes), then the answer waits until the engine is done with
    /// it (an evaluation that read it running before, a placement in flight) and its pending
    /// orders are cancelled under its lease: once answered, the stop is final, nothing more is
    /// sent or filled for it. Stopping a stopped bot finishes that work again (the retry of a
    /// stop that answered `bot_busy`). Errors: `NotFound`, `Refused` (a created bot), `Busy`
    /// (the engine kept acting on it past the wait; the bot is stopped), the exchange's failures.
    pub async fn stop(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        let bot = self.get(owner, id).await?;
        let bot = if bot.status == BotStatus::Stopped {
            bot
        } else {
            Command::Stop.target(bot.status).map_err(|e| refused(e.into()))?;
            self.stop_one(bot, "stopped by its owner").await?
        };
        let bot = self.ports.executor.settle_stop(bot).await?;
        self.touched(owner);
        Ok(bot)
    }

    async fn simple(&self, owner: UserId, id: BotId, command: Command, reason: &str) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        bot.command(command, reason, self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// Sells everything at market now and stops. Errors: `NotFound`, `NeverStarted`.
    pub async fn emergency_sell(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        let bot = self.get(owner, id).await?;
        if bot.status == BotStatus::Created {
            return Err(BotServiceError::NeverStarted);
        }
        let bot = self.ports.executor.emergency_sell(bot).await?;
        self.touched(owner);
        Ok(bot)
    }

    /// Re-arms the circuit breaker; a tripped bot resumes. Errors: `NotFound`.
    pub async fn reset_breaker(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        bot.reset_breaker(self.ports.clock.now());
        self.save(&bot).await
    }

    /// Schedules the sale of a channel position at entry + fees + `min_profit_percent` or better;
    /// the channel workflow places it. Errors: `NotFound`, `PositionNotFound`, `Refused`
    /// (not a channel bot).
    pub async fn schedule_sell(
        &self,
        owner: UserId,
        id: BotId,
        position: PositionId,
        min_profit_percent: Option<Decimal>,
    ) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        if let Some(Err(message)) = min_profit_percent.map(|p| PROFIT_PERCENT.check(p)) {
            let field = FieldError::new("min_profit_percent", crate::FieldCode::Invalid, message);
            return Err(BotServiceError::Invalid(vec![field]));
        }
        bot.schedule_sale(position, min_profit_percent, self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }
}
