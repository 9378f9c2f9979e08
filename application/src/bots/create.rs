//! Use case: create a bot in one of the user's contexts. The config arrives parsed and validated
//! for its kind (`BotConfig::parse`, at the edge); the plan must allow the kind, one more bot
//! and, for candle bots, the indicators used.

use domain::bots::{Bot, BotConfig};
use domain::shared::clock::to_millis;
use domain::shared::ids::{ContextId, UserId};

use super::{BotService, BotServiceError};
use crate::FieldError;

/// A bot as requested.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateBotInput {
    /// The context it trades in.
    pub context_id: ContextId,
    /// Its name (1-80 characters).
    pub name: String,
    /// Its kind's settings (the kind is the config's).
    pub config: BotConfig,
}

/// Checks a bot name: trimmed, 1 to 80 characters.
pub fn check_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(FieldError::new("name", crate::FieldCode::Invalid, "must be 1 to 80 characters"));
    }
    Ok(name.to_owned())
}

impl BotService {
    /// Creates a bot (status `created`). Errors: `Invalid`; `ContextNotFound`; `Access`
    /// (inactive subscription, the plan's kinds, bot limit and advanced indicators).
    pub async fn create(&self, owner: UserId, input: CreateBotInput) -> Result<Bot, BotServiceError> {
        let CreateBotInput { context_id, config, .. } = input;
        let name = check_name(&input.name).map_err(|e| BotServiceError::Invalid(vec![e]))?;
        let kind = config.kind();
        let context = self.ports.contexts.get(owner, context_id).await?;
        let access = self.ports.subscriptions.access(owner).await?;
        access.require_active()?;
        let slot = access.require_bot(kind, self.ports.bots.count(owner).await?);
        self.ports.subscriptions.told(owner, slot).await?;
        self.check_indicators_told(owner, &access, &context, &config).await?;
        let bot = Bot::new(&context, name, config, to_millis(self.ports.clock.now()));
        let created = self.ports.bots.create(&bot).await?;
        self.touched(owner);
        Ok(created)
    }

    /// [`Self::check_indicators`], telling the owner of a plan's refusal (`plan.limit_reached`).
    pub(crate) async fn check_indicators_told(
        &self,
        owner: UserId,
        access: &crate::subscriptions::Access,
        context: &domain::contexts::TradingContext,
        config: &BotConfig,
    ) -> Result<(), BotServiceError> {
        let checked = self.check_indicators(access, context, config);
        if let Err(BotServiceError::Access(denied)) = &checked {
            self.ports.subscriptions.tell(owner, denied).await;
        }
        checked
    }

    /// Candle bots: advanced indicators need the plan and a Binance context. Channel bots: a
    /// window's timeframe must be one the context's exchange offers.
    pub(crate) fn check_indicators(
        &self,
        access: &crate::subscriptions::Access,
        context: &domain::contexts::TradingContext,
        config: &BotConfig,
    ) -> Result<(), BotServiceError> {
        // The engine reads a market's candles once for all its bots: a timeframe the exchange
        // does not offer would leave the whole market unread.
        let needed = match config {
            BotConfig::Channel(domain::bots::ChannelConfig { window: Some(window), .. }) => {
                Some(("config.window.timeframe", window.timeframe))
            }
            BotConfig::Candle(candle) => Some(("config.timeframe", candle.timeframe)),
            _ => None,
        };
        if let Some((field, timeframe)) = needed {
            let offered = self.ports.exchanges.gateway(context.exchange, context.mode)?.timeframes();
            if !offered.contains(&timeframe) {
                let names: Vec<&str> = offered.into_iter().map(domain::market::Timeframe::as_str).collect();
                return Err(BotServiceError::Invalid(vec![FieldError::new(
                    field,
                    crate::FieldCode::UnsupportedTimeframe,
                    format!(
                        "{} is not offered by {}; it offers {}",
                        timeframe.as_str(),
                        context.exchange,
                        names.join(", ")
                    ),
                )]));
            }
        }
        let BotConfig::Candle(candle) = config else { return Ok(()) };
        if !candle.uses_advanced() {
            return Ok(());
        }
        access.require_advanced_indicators()?;
        if context.exchange != domain::exchange::ExchangeId::Binance {
            let index = candle.indicators.iter().position(|i| i.is_advanced()).unwrap_or_default();
            return Err(BotServiceError::Invalid(vec![FieldError::new(
                format!("config.indicators[{index}]"),
                crate::FieldCode::AdvancedIndicatorUnavailable,
                format!("advanced indicators need a Binance context; this context is on {}", context.exchange),
            )]));
        }
        Ok(())
    }
}
