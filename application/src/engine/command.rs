//! An owner's buy or sell through a bot, under the bot's lease (taken by the caller): a retried
//! `Idempotency-Key` answers the order it placed; otherwise the bot, read fresh, turns the
//! command into an intent by its own rules, the market's filters check it (nothing is rounded
//! but a whole position's quantity, floored to the step by the bot), and the placement protocol
//! of automatic orders places it: stored, funds blocked, sent, its answer applied to the books.

use domain::bots::{ManualOrder, MarketView, OrderIntent};
use domain::exchange::{ClientOrderId, OrderKind, OrderSize};
use domain::orders::Order;
use domain::shared::ids::BotId;
use domain::RepoError;

use super::Engine;
use crate::bots::{manual_refused, BotCommand, Commanded};
use crate::exchanges::exchange_error;
use crate::orders::{check_filters, key_reused, OrderShape};
use crate::AppError;

/// The shape of what `intent` sends, to check against the market's filters.
fn shape_of(intent: &OrderIntent) -> OrderShape {
    let kind = intent.limit_price.map_or(OrderKind::Market, |price| OrderKind::Limit { price });
    let size = match (intent.quantity, intent.quote_amount) {
        (Some(q), _) => OrderSize::Quantity(q),
        (None, a) => OrderSize::QuoteAmount(a.unwrap_or_default()),
    };
    OrderShape { side: intent.side, kind, size }
}

/// Whether `order` is what `command` would place (same bot, side, type, and size when given).
fn same_command(order: &Order, bot: BotId, command: &ManualOrder) -> bool {
    let kind = command.limit_price.map_or(OrderKind::Market, |price| OrderKind::Limit { price });
    order.bot_id == Some(bot)
        && order.side == command.side
        && order.kind == kind
        && command.size.is_none_or(|size| size == order.size)
}

impl Engine {
    /// Carries out `command` for bot `id`; the caller holds the bot's lease.
    pub(super) async fn command_now(&self, id: BotId, command: BotCommand) -> Result<Commanded, AppError> {
        let bot = self.ports.bots.find(id).await?;
        if let Some(client_id) = &command.client_order_id {
            if let Some(order) = self.replayed(bot.user_id, id, client_id, &command.order).await? {
                return Ok(Commanded { bot, order, replayed: true });
            }
        }
        let context = self.ports.contexts.get(bot.user_id, bot.context_id).await?;
        let (gateway, creds) = self.connection(&context).await?;
        let market = gateway.market(&bot.symbol).await.map_err(exchange_error)?;
        let ticker = gateway.ticker(&bot.symbol).await.map_err(exchange_error)?;
        let view = MarketView {
            price: ticker.last,
            bid: ticker.bid,
            ask: ticker.ask,
            filters: &market.filters,
            trading: market.trading,
            volatility_percent: None,
            candles: None,
            columns: None,
            account_quote: None,
        };
        let intent = bot.manual_intent(&command.order, &view).map_err(|e| manual_refused(e, &command.order))?;
        check_filters(&market, &ticker, &shape_of(&intent), bot.symbol.quote().as_str())?;
        let (bot, order) = self.place_as(bot, &intent, &view, (&*gateway, &creds), command.client_order_id).await?;
        let order = order.ok_or_else(|| AppError::internal(anyhow::anyhow!("a sized intent places an order")))?;
        Ok(Commanded { bot, order, replayed: false })
    }

    /// The order an earlier command under `client_id` placed, when there is one. Errors: 409
    /// `idempotency_key_reused` when that key placed something else.
    async fn replayed(
        &self,
        user: domain::shared::ids::UserId,
        bot: BotId,
        client_id: &ClientOrderId,
        command: &ManualOrder,
    ) -> Result<Option<Order>, AppError> {
        let order = match self.ports.orders.get_by_client_id(client_id).await {
            Ok(order) => order,
            Err(RepoError::NotFound) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        if order.user_id != user || !same_command(&order, bot, command) {
            return Err(key_reused().into());
        }
        Ok(Some(order))
    }
}

#[cfg(test)]
mod tests {
    use domain::exchange::OrderSide;
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn an_intent_is_checked_as_it_is_sent() {
        let buy = OrderIntent {
            side: OrderSide::Buy,
            limit_price: None,
            quantity: None,
            quote_amount: Some(dec!(250)),
            block: dec!(250),
            purpose: domain::bots::Purpose::Open { position: domain::shared::ids::PositionId::new() },
            reason: "manual".into(),
            indicators: Default::default(),
        };
        let shape = shape_of(&buy);
        assert_eq!((shape.kind, shape.size), (OrderKind::Market, OrderSize::QuoteAmount(dec!(250))));
        let limit =
            OrderIntent { limit_price: Some(dec!(99000)), quantity: Some(dec!(0.01)), quote_amount: None, ..buy };
        let shape = shape_of(&limit);
        assert_eq!(
            (shape.kind, shape.size),
            (OrderKind::Limit { price: dec!(99000) }, OrderSize::Quantity(dec!(0.01)))
        );
    }
}
