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
use domain::shared::ids::{PositionId, UserId};
use rust_decimal::Decimal;

use super::allowance::OwnerVerdicts;
use super::{bot_not_found, refused, BotService};
use crate::AppError;

impl BotService {
    async fn save(&self, bot: &Bot) -> Result<Bot, AppError> {
        self.ports.bots.update(bot).await.map_err(bot_not_found)
    }

    /// Starts a created or stopped bot. Errors: 404; 403 `subscription_inactive`; 402
    /// `plan_bot_kind`, `plan_limit_bots`, `plan_advanced_indicators`; 409 `invalid_bot_status`,
    /// `context_paused`, `credential_required`, `credential_invalid`, `insufficient_balance`.
    pub async fn start(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        let mut bot = self.get(owner, id).await?;
        Command::Start.target(bot.status).map_err(|e| refused(e.into()))?;
        // 403 `terms_not_accepted` / `privacy_not_accepted` until the texts in force are accepted.
        self.ports.legal.require_current(owner).await?;
        let context = self.check_entitlements(owner, &bot).await?;
        if context.mode == ContextMode::Live {
            let credential = self.ports.credentials.find_for_exchange(owner, context.exchange).await?;
            match credential.map(|c| c.status) {
                None => {
                    return Err(AppError::Conflict {
                        code: "credential_required",
                        detail: format!("a live bot needs a {} credential", context.exchange),
                    })
                }
                Some(CredentialStatus::Invalid) => {
                    return Err(AppError::Conflict {
                        code: "credential_invalid",
                        detail: format!(
                            "the {} credential is invalid; replace it or validate it again",
                            context.exchange
                        ),
                    })
                }
                Some(_) => {}
            }
        }
        let balance = self.ports.contexts.balance(owner, context.id).await?;
        let others = self.committed_elsewhere(&bot).await?;
        let needed = bot.funds.available;
        let free = balance.quote.free - others;
        if needed > free {
            return Err(AppError::Conflict {
                code: "insufficient_balance",
                detail: format!(
                    "the bot may spend {needed} {q} but only {free} {q} is free on the exchange{}",
                    if others > Decimal::ZERO {
                        format!(" after {others} {} for the context's other running bots", context.quote)
                    } else {
                        String::new()
                    },
                    q = context.quote,
                ),
            });
        }
        bot.command(Command::Start, "started by its owner", self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// What the context's other running bots may still spend.
    async fn committed_elsewhere(&self, bot: &Bot) -> Result<Decimal, AppError> {
        let query = super::BotListQuery { context_id: Some(bot.context_id.to_string()), ..Default::default() };
        let all = self.list(bot.user_id, &query, domain::PageRequest::new(0, 200)).await?;
        Ok(all
            .items
            .iter()
            .filter(|b| b.id != bot.id && b.status.is_evaluated())
            .map(|b| b.funds.available + b.funds.blocked)
            .sum())
    }

    /// Pauses a running bot (its protective exits keep working). Errors: 404; 409 `invalid_bot_status`.
    pub async fn pause(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        self.simple(owner, id, Command::Pause, "paused by its owner").await
    }

    /// Resumes a paused bot (a tripped one resumes through the breaker reset), after the same
    /// plan and context checks as start. Errors: 404; 403 `subscription_inactive`; 402
    /// `plan_bot_kind`, `plan_limit_bots`, `plan_advanced_indicators`; 409 `bot_tripped`,
    /// `invalid_bot_status`, `context_paused`.
    pub async fn resume(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        let mut bot = self.get(owner, id).await?;
        if bot.status == BotStatus::Tripped {
            return Err(AppError::Conflict {
                code: "bot_tripped",
                detail: "the circuit breaker tripped; investigate, then POST circuit-breaker/reset to resume".into(),
            });
        }
        Command::Resume.target(bot.status).map_err(|e| refused(e.into()))?;
        self.check_entitlements(owner, &bot).await?;
        bot.command(Command::Resume, "resumed by its owner", self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// The checks `start` and `resume` share, in order, each with its problem code: the
    /// subscription is in good standing (403 `subscription_inactive`); the plan includes the
    /// bot's kind, has a place for it among the owner's bots (the bot counts itself once) and
    /// includes the advanced indicators it uses (402 `plan_*`); advanced indicators run on a
    /// Binance context (422); the context is active (409 `context_paused`). Returns the context.
    pub(super) async fn check_entitlements(&self, owner: UserId, bot: &Bot) -> Result<TradingContext, AppError> {
        let access = self.ports.subscriptions.access(owner).await?;
        access.require_active()?;
        let verdicts = OwnerVerdicts::load(&*self.ports.bots, owner, access.entitlements.clone()).await?;
        verdicts.require(&access, bot)?;
        let context = self.ports.contexts.get(owner, bot.context_id).await?;
        self.check_indicators(&access, &context, &bot.config)?;
        if context.status != ContextStatus::Active {
            return Err(AppError::Conflict {
                code: "context_paused",
                detail: format!("the context is paused: {}", context.status_reason.clone().unwrap_or_default()),
            });
        }
        Ok(context)
    }

    /// Stops a bot and cancels its pending orders; positions stay. Errors: 404; 409.
    pub async fn stop(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        let bot = self.simple(owner, id, Command::Stop, "stopped by its owner").await?;
        if bot.pending.is_empty() {
            return Ok(bot);
        }
        self.ports.executor.cancel_pending(bot).await
    }

    async fn simple(&self, owner: UserId, id: &str, command: Command, reason: &str) -> Result<Bot, AppError> {
        let mut bot = self.get(owner, id).await?;
        bot.command(command, reason, self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }

    /// Sells everything at market now and stops. Errors: 404; 409 `invalid_bot_status` (never started).
    pub async fn emergency_sell(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        let bot = self.get(owner, id).await?;
        if bot.status == BotStatus::Created {
            return Err(AppError::Conflict { code: "invalid_bot_status", detail: "the bot never started".into() });
        }
        self.ports.executor.emergency_sell(bot).await
    }

    /// Re-arms the circuit breaker; a tripped bot resumes. Errors: 404.
    pub async fn reset_breaker(&self, owner: UserId, id: &str) -> Result<Bot, AppError> {
        let mut bot = self.get(owner, id).await?;
        bot.reset_breaker(self.ports.clock.now());
        self.save(&bot).await
    }

    /// Schedules the sale of a channel position at entry + fees + `min_profit_percent` or better;
    /// the channel workflow places it. Errors: 404 bot or position; 409 `not_for_kind`.
    pub async fn schedule_sell(
        &self,
        owner: UserId,
        id: &str,
        position: &str,
        min_profit_percent: Option<Decimal>,
    ) -> Result<Bot, AppError> {
        let mut bot = self.get(owner, id).await?;
        let position = PositionId::parse(position).ok_or(AppError::NotFound { resource: "position" })?;
        if let Some(Err(message)) = min_profit_percent.map(|p| PROFIT_PERCENT.check(p)) {
            return Err(AppError::field("min_profit_percent", crate::FieldCode::Invalid, message));
        }
        bot.schedule_sale(position, min_profit_percent, self.ports.clock.now()).map_err(refused)?;
        self.save(&bot).await
    }
}
