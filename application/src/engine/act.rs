//! Acting on a bot: cancelling its orders and placing what an evaluation decided, under the
//! bot's lease; and the commands that need the exchange at once (stop, emergency sell, an
//! owner's buy or sell: `command.rs`).

use async_trait::async_trait;
use domain::bots::{Bot, Evaluation, OrderProgress};
use domain::exchange::{ApiCredentials, ClientOrderId, ExchangeError, ExchangeGateway, OrderRef};
use domain::RepoError;

use super::market::MarketSnapshot;
use super::Engine;
use crate::bots::BotExecutor;
use crate::AppError;

impl Engine {
    /// Cancels one pending order of `bot` on the exchange and applies the answer to the order
    /// and the bot.
    pub(super) async fn cancel_one(
        &self,
        bot: &Bot,
        id: &ClientOrderId,
        gateway: &dyn ExchangeGateway,
        creds: &ApiCredentials,
    ) -> Result<(), AppError> {
        let order = match self.ports.orders.get_by_client_id(id).await {
            Ok(order) => order,
            Err(RepoError::NotFound) => {
                // The bot recorded an order that was never stored: nothing was sent.
                let now = self.ports.clock.now();
                let market = gateway.market(&bot.symbol).await.map_err(crate::exchanges::exchange_error)?;
                let price = bot.last_price.unwrap_or_default();
                self.modify(bot.id, |b| {
                    let _ = b.on_progress(id, OrderProgress::ended(), &market.filters, price, now);
                    Ok(())
                })
                .await?;
                return Ok(());
            }
            Err(err) => return Err(err.into()),
        };
        match gateway.cancel_order(creds, &bot.symbol, &OrderRef::Client(id.clone())).await {
            Ok(_) | Err(ExchangeError::OrderNotFound) => {}
            Err(err) => return Err(crate::exchanges::exchange_error(err).into()),
        }
        self.sync_one(order, gateway, creds).await.map(|_| ())
    }

    /// Carries out `out` for `bot`, which must be the stored version: cancels, then places.
    pub(super) async fn carry_out(
        &self,
        mut bot: Bot,
        out: &Evaluation,
        snapshot: &MarketSnapshot,
        gateway: &dyn ExchangeGateway,
    ) -> Result<(Bot, usize), AppError> {
        let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
        let (_, creds) = self.connection(&context).await?;
        for id in &out.cancel {
            self.cancel_one(&bot, id, gateway, &creds).await?;
        }
        if !out.cancel.is_empty() {
            bot = self.ports.bots.find(bot.id).await?;
        }
        let view = snapshot.view_for(&bot);
        let mut placed = 0;
        for intent in &out.place {
            // An earlier placement may have found the bot stopped meanwhile (its answer applied to
            // the stored bot): what the evaluation decided for a running bot is not sent.
            if !super::place::still_applies(&bot, intent) {
                tracing::info!(bot = %bot.id, status = bot.status.as_str(), "the bot changed status mid-evaluation; an intent that no longer applies is dropped");
                continue;
            }
            bot = self.place(bot, intent, &view, gateway, &creds).await?;
            placed += 1;
        }
        Ok((bot, placed))
    }

    pub(super) async fn with_lease<T>(
        &self,
        bot: &Bot,
        work: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let Some(_claim) = self.lease(bot.id).await? else {
            return Err(AppError::BotBusy("the engine is acting on this bot right now; retry in a few seconds".into()));
        };
        let result = work.await;
        self.release(bot.id).await;
        result
    }
}

#[async_trait]
impl BotExecutor for Engine {
    async fn cancel_pending(&self, bot: Bot) -> Result<Bot, AppError> {
        self.with_lease(&bot, async {
            let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
            let (gateway, creds) = self.connection(&context).await?;
            for pending in bot.pending.clone() {
                self.cancel_one(&bot, &pending.client_order_id, &*gateway, &creds).await?;
            }
            Ok(self.ports.bots.find(bot.id).await?)
        })
        .await
    }

    async fn settle_stop(&self, bot: Bot) -> Result<Bot, AppError> {
        self.settle_stopped(&bot).await
    }

    async fn emergency_sell(&self, bot: Bot) -> Result<Bot, AppError> {
        self.with_lease(&bot, async {
            let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
            let (gateway, creds) = self.connection(&context).await?;
            for pending in bot.pending.clone() {
                self.cancel_one(&bot, &pending.client_order_id, &*gateway, &creds).await?;
            }
            let key = super::market::key_of(&bot);
            let (_, snapshot) = MarketSnapshot::read(&self.ports.exchanges, &key, std::slice::from_ref(&bot)).await?;
            let now = self.ports.clock.now();
            let (fresh, out) = self.modify(bot.id, |b| Ok(b.emergency_sell(&snapshot.view(), now))).await?;
            let view = snapshot.view();
            let mut bot = fresh;
            for intent in &out.place {
                bot = self.place(bot, intent, &view, &*gateway, &creds).await?;
            }
            Ok(bot)
        })
        .await
    }

    async fn command(&self, bot: Bot, command: crate::bots::BotCommand) -> Result<crate::bots::Commanded, AppError> {
        self.with_lease(&bot, self.command_now(bot.id, command)).await
    }
}
