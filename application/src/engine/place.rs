//! The placement protocol. (1) The order is stored, pending, with its client order id; (2) the
//! bot blocks its funds and records the order as pending, and is stored; (3) only then is the
//! exchange called. The answer is applied to the bot, then stored on the order. When the answer
//! is lost (time-out, unknown outcome) nothing is guessed: the order stays pending and sync looks
//! it up by client order id. A crash between any two steps leaves a state that sync or recovery
//! completes: an order is never placed twice and never lost (docs/engine.md, "Crashes and
//! recovery", walks through each step boundary; tests arm a [`super::CrashPoint`] there).

use std::collections::BTreeMap;

use domain::bots::{Bot, BotStatus, ExitReason, FeeAsset, MarketView, OrderIntent, OrderProgress, Purpose};
use domain::exchange::{ApiCredentials, ClientOrderId, ExchangeError, ExchangeGateway, OrderKind, OrderSize};
use domain::orders::{CreationContext, MarketConditions, NewOrder, Order};
use domain::RepoError;

use super::{CrashPoint, Engine};
use crate::AppError;

/// The bot-books view of an order's cumulative state.
pub fn progress_of(order: &Order) -> OrderProgress {
    let base = order.symbol.base().as_str();
    let quote = order.symbol.quote().as_str();
    let (fee, fee_asset) = match (order.fees.get(base), order.fees.get(quote)) {
        (Some(f), _) => (*f, Some(FeeAsset::Base)),
        (None, Some(f)) => (*f, Some(FeeAsset::Quote)),
        (None, None) => (rust_decimal::Decimal::ZERO, None),
    };
    OrderProgress {
        filled_quantity: order.filled_quantity,
        filled_quote: order.filled_quote,
        fee,
        fee_asset,
        done: !order.is_open(),
    }
}

/// Whether an exchange error says for sure that the order was not placed.
fn refused_for_sure(err: &ExchangeError) -> bool {
    !matches!(err, ExchangeError::OutcomeUnknown(_) | ExchangeError::Unavailable(_))
}

fn creation(intent: &OrderIntent, view: &MarketView<'_>) -> CreationContext {
    let mut parameters = BTreeMap::new();
    parameters.insert("reason".to_owned(), intent.reason.clone());
    parameters.insert("block".to_owned(), intent.block.to_string());
    parameters.insert("price".to_owned(), view.price.to_string());
    if let Some(q) = intent.quantity {
        parameters.insert("quantity".to_owned(), q.to_string());
    }
    if let Some(a) = intent.quote_amount {
        parameters.insert("quote_amount".to_owned(), a.to_string());
    }
    if let Some(p) = intent.limit_price {
        parameters.insert("limit_price".to_owned(), p.to_string());
    }
    CreationContext {
        parameters,
        indicators: intent.indicators.clone(),
        market: MarketConditions::from_book(view.bid, view.ask),
    }
}

/// How step (2) of the protocol ended.
enum Accepted {
    /// The bot blocked the funds and knows the order; as stored.
    Stored(Bot),
    /// Nothing may be sent: the bot as stored, and why.
    Refused(Bot, String),
}

/// Whether `intent` still applies to `bot` as stored now: entries only while it runs, protective
/// exits while it is evaluated, an emergency sell always. Checked before every write of step (2),
/// the first included: the bot handed to the protocol may have been stopped since its evaluation
/// decided (a stop or a plan's halt stored meanwhile, seen through an earlier placement of the same
/// evaluation, whose answer was applied on the stopped bot).
pub(super) fn still_applies(bot: &Bot, intent: &OrderIntent) -> bool {
    match intent.purpose {
        Purpose::Close { reason: ExitReason::Emergency, .. } => true,
        // An owner's sale stands while the bot is evaluated, as its protective exits do.
        Purpose::Close { reason, .. } if reason.is_protective() || reason == ExitReason::Manual => {
            bot.status.is_evaluated()
        }
        _ => bot.status == BotStatus::Running,
    }
}

impl Engine {
    /// Places `intent` for `bot` (which must be the stored version) and returns the bot as stored
    /// after it. Errors only for storage failures; exchange refusals end in a rejected order.
    pub(super) async fn place(
        &self,
        bot: Bot,
        intent: &OrderIntent,
        view: &MarketView<'_>,
        gateway: &dyn ExchangeGateway,
        creds: &ApiCredentials,
    ) -> Result<Bot, AppError> {
        Ok(self.place_as(bot, intent, view, (gateway, creds), None).await?.0)
    }

    /// [`Engine::place`] under `client_order_id` when given (an idempotency key's), returning the
    /// order as last known too (`None` for an intent without a size, which places nothing).
    pub(super) async fn place_as(
        &self,
        bot: Bot,
        intent: &OrderIntent,
        view: &MarketView<'_>,
        (gateway, creds): (&dyn ExchangeGateway, &ApiCredentials),
        client_order_id: Option<ClientOrderId>,
    ) -> Result<(Bot, Option<Order>), AppError> {
        let now = self.ports.clock.now();
        let kind = intent.limit_price.map_or(OrderKind::Market, |price| OrderKind::Limit { price });
        let size = match (intent.quantity, intent.quote_amount) {
            (Some(q), _) => OrderSize::Quantity(q),
            (None, Some(a)) => OrderSize::QuoteAmount(a),
            (None, None) => return Ok((bot, None)),
        };
        let new = NewOrder {
            user_id: bot.user_id,
            context_id: bot.context_id,
            exchange: bot.exchange,
            symbol: bot.symbol.clone(),
            bot_id: Some(bot.id),
            source: bot.kind().into(),
            side: intent.side,
            kind,
            size,
            creation: creation(intent, view),
            reason: Some(intent.reason.clone()),
        };
        let mut order = Order::new(new, now).map_err(AppError::internal)?;
        if let Some(id) = client_order_id {
            order.client_order_id = id;
        }
        // (1) The order exists before anything else.
        let mut order = self.ports.orders.create(&order).await?;
        self.crash_point(CrashPoint::AfterOrderStored).await;
        // (2) The bot blocks its funds and knows the order.
        let mut bot = match self.accept(bot, intent, &order.client_order_id, now).await? {
            Accepted::Stored(saved) => saved,
            Accepted::Refused(bot, why) => {
                tracing::warn!(bot = %bot.id, reason = %why, "an intent that cannot be accepted is not placed");
                order.mark_rejected(&format!("not sent: {why}"), now).map_err(AppError::internal)?;
                let order = self.ports.orders.update(&order).await?;
                return Ok((bot, Some(order)));
            }
        };
        self.crash_point(CrashPoint::AfterFundsBlocked).await;
        // (3) The exchange.
        let answer = gateway.place_order(creds, &order.request()).await;
        if answer.is_ok() {
            self.crash_point(CrashPoint::AfterExchangeAccepted).await;
        }
        let now = self.ports.clock.now();
        match answer {
            Ok(report) => {
                if let Err(err) = order.acknowledge(&report, now) {
                    tracing::error!(order = %order.id, error = %err, "the exchange answered for another order");
                    return Ok((bot, Some(order)));
                }
            }
            Err(err) if refused_for_sure(&err) => {
                tracing::info!(bot = %bot.id, order = %order.id, error = %err, "the exchange refused an order");
                order.mark_rejected(&err.to_string(), now).map_err(AppError::internal)?;
            }
            Err(err) => {
                tracing::warn!(bot = %bot.id, order = %order.id, error = %err, "placement outcome unknown; sync resolves it by client order id");
                return Ok((bot, Some(order)));
            }
        }
        // The bot before the order: should the bot's write fail, the order stays stored pending
        // and sync applies the answer later (by client order id); the other way round, an order
        // stored as ended would never be read again and its bot would wait for it forever.
        let progress = progress_of(&order);
        let price = order.average_fill_price.unwrap_or(view.price);
        let filters = *view.filters;
        let id = order.client_order_id.clone();
        let (saved, events) = self
            .modify(bot.id, |b| match b.on_progress(&id, progress, &filters, price, now) {
                Ok(events) => Ok(events),
                Err(domain::bots::BotError::UnknownOrder(_)) => Ok(Vec::new()),
                Err(err) => Err(AppError::internal(err)),
            })
            .await?;
        bot = saved;
        self.record(&bot, events).await;
        let order = self.ports.orders.update(&order).await?;
        self.touched(bot.user_id);
        Ok((bot, Some(order)))
    }

    /// Step (2): `bot` accepts `intent` under `id` (blocks or locks its funds, records the order
    /// as pending) and is stored. A version conflict re-reads the bot and accepts again on the
    /// fresh copy, three times at most, as long as the intent still applies to it: a concurrent
    /// write (a sync, the owner) must not cost the bot its decision, but a stop ends it.
    async fn accept(
        &self,
        mut bot: Bot,
        intent: &OrderIntent,
        id: &ClientOrderId,
        now: time::OffsetDateTime,
    ) -> Result<Accepted, AppError> {
        let mut wait = std::time::Duration::from_millis(10);
        for attempt in 1..=super::ATTEMPTS {
            if !still_applies(&bot, intent) {
                let why = format!("the bot is {} now", bot.status.as_str());
                return Ok(Accepted::Refused(bot, why));
            }
            let stored = bot.clone();
            if let Err(err) = bot.accept(intent, id.clone(), now) {
                return Ok(Accepted::Refused(stored, err.to_string()));
            }
            match self.ports.bots.update(&bot).await {
                Ok(saved) => return Ok(Accepted::Stored(saved)),
                Err(RepoError::Conflict) if attempt < super::ATTEMPTS => {
                    tracing::debug!(bot = %bot.id, attempt, "bot changed concurrently; accepting again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    bot = self.ports.bots.find(bot.id).await?;
                }
                Err(RepoError::Conflict) => {
                    let fresh = self.ports.bots.find(bot.id).await?;
                    return Ok(Accepted::Refused(fresh, "the bot changed concurrently".into()));
                }
                Err(err) => return Err(err.into()),
            }
        }
        unreachable!("the last attempt returns")
    }
}
