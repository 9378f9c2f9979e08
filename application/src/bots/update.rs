//! Use case: rename a bot or replace its configuration (only while it is not running; the kind
//! cannot change; entitlements are checked again).

use domain::bots::{Bot, BotConfig};
use domain::shared::ids::{BotId, UserId};

use super::create::check_name;
use super::{bot_not_found, refused, BotService, BotServiceError};

/// The changes requested; absent fields stay.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateBotInput {
    /// New name.
    pub name: Option<String>,
    /// New configuration (the whole config of the bot's kind; another kind is refused).
    pub config: Option<BotConfig>,
}

impl BotService {
    /// Applies `input`. Errors: `NotFound`; `Invalid`; `Refused` while running or for another
    /// kind; `Access`; a concurrent change.
    pub async fn update(&self, owner: UserId, id: BotId, input: UpdateBotInput) -> Result<Bot, BotServiceError> {
        let mut bot = self.get(owner, id).await?;
        let now = self.ports.clock.now();
        if let Some(name) = &input.name {
            bot.name = check_name(name).map_err(|e| BotServiceError::Invalid(vec![e]))?;
            bot.updated_at = now;
        }
        if let Some(config) = input.config {
            let context = self.ports.contexts.get(owner, bot.context_id).await?;
            let access = self.ports.subscriptions.access(owner).await?;
            self.check_indicators_told(owner, &access, &context, &config).await?;
            bot.reconfigure(config, now).map_err(refused)?;
        }
        let saved = self.ports.bots.update(&bot).await.map_err(bot_not_found)?;
        self.touched(owner);
        Ok(saved)
    }
}
