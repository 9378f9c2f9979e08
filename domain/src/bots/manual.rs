//! Manual commands: its owner tells a bot to buy or sell now (`POST /api/bots/{id}/buy|sell`).
//! The bot turns the command into an [`OrderIntent`] under the same rules as its own decisions:
//! a buy needs a running bot whose breaker and soft stop allow entries, a believable price (the
//! sanity check), a place under `max_open_positions`, a price within `max_entry_price` and the
//! quote in its books; a sale
//! sells what the bot holds and nothing more. The engine then places the intent with the
//! placement protocol, so a manual buy becomes a position and a sale closes position(s) as the
//! books require. Only SmartBots take commands (the catalogue's manual mode); other kinds decide
//! alone.

use rust_decimal::Decimal;

use super::bot::Bot;
use super::intent::{MarketView, OrderIntent, Purpose};
use super::position::ExitReason;
use super::status::BotStatus;
use super::{BotConfig, BotKind};
use crate::exchange::{OrderSide, OrderSize};
use crate::shared::ids::PositionId;

/// The margin a market buy sized by quantity blocks above the ask (it may fill a little higher).
const MARKET_MARGIN: Decimal = Decimal::from_parts(101, 0, 0, false, 2);

/// What the owner commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManualOrder {
    /// Buy or sell.
    pub side: OrderSide,
    /// Limit price; `None` at market.
    pub limit_price: Option<Decimal>,
    /// The size; `None` on a sale of a whole position.
    pub size: Option<OrderSize>,
    /// The position sold (sales only); required for a limit sale, whose rest must not hold
    /// back the other positions' exits.
    pub position: Option<PositionId>,
}

/// Why a bot refuses a manual command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManualRefused {
    /// The kind takes no commands.
    #[error("a {0} bot decides alone; manual commands are for smart bots")]
    NotForKind(BotKind),
    /// The status does not allow it.
    #[error("cannot {command} through a bot that is {status}")]
    Status {
        /// `buy` or `sell`.
        command: &'static str,
        /// The bot's status.
        status: &'static str,
    },
    /// The soft stop loss halted buying.
    #[error("the soft stop loss halted buying until the positions recover")]
    BuyingHalted,
    /// `anomaly_check` holds the market's entries until it is clear again.
    #[error("entries are held: {0}")]
    EntriesHeld(String),
    /// Every place under `max_open_positions` is taken.
    #[error("the bot holds {0} positions, its max_open_positions")]
    MaxOpenPositions(u32),
    /// The market price fails the bot's sanity check against the last price it accepted.
    #[error("the price {price} moved more than sanity_max_move_percent from the last accepted {last}")]
    InsanePrice {
        /// The market's last price.
        price: Decimal,
        /// The last price the bot accepted.
        last: Decimal,
    },
    /// The price is above `max_entry_price`.
    #[error("the price {price} is above the bot's max_entry_price {max}")]
    AboveMaxEntryPrice {
        /// The price the buy would pay (its limit, else the ask).
        price: Decimal,
        /// The bot's maximum.
        max: Decimal,
    },
    /// The bot's books hold less quote than the buy blocks.
    #[error("the buy blocks {wanted} but the bot may spend {spendable}")]
    InsufficientFunds {
        /// What the bot may spend.
        spendable: Decimal,
        /// What the buy blocks.
        wanted: Decimal,
    },
    /// The sale asks for more base than the bot (or the position) holds free.
    #[error("the sale asks for {wanted} but {free} is held and not already being sold")]
    InsufficientHoldings {
        /// What may be sold.
        free: Decimal,
        /// What was asked.
        wanted: Decimal,
    },
    /// No such open position.
    #[error("no open position {0}")]
    NoPosition(PositionId),
    /// The position's sale is pending already.
    #[error("position {0} is being sold already")]
    PositionSelling(PositionId),
    /// What the position holds is below the market's minimums.
    #[error("position {position} holds {quantity}, below what the market accepts (dust)")]
    Dust {
        /// The position.
        position: PositionId,
        /// What may be sold of it.
        quantity: Decimal,
    },
    /// A limit sale must name its position.
    #[error("a limit sale rests on the book: name the position it sells")]
    LimitSaleNeedsPosition,
    /// A size the books cannot represent.
    #[error("the order is too large")]
    TooLarge,
    /// A buy without a size, or a sale sized in quote.
    #[error("{0}")]
    Size(&'static str),
}

impl Bot {
    /// The intent of the owner's `order` at the market `view`, or why the bot refuses it.
    /// Market filters (tick, step, minimums) are the caller's to check: sizes are sent as given.
    pub fn manual_intent(&self, order: &ManualOrder, view: &MarketView<'_>) -> Result<OrderIntent, ManualRefused> {
        let BotConfig::Smart(config) = &self.config else { return Err(ManualRefused::NotForKind(self.kind())) };
        match order.side {
            OrderSide::Buy => {
                let status = |command| ManualRefused::Status { command, status: self.status.as_str() };
                if self.status != BotStatus::Running || !self.breaker.allows_new_positions() {
                    return Err(status("buy"));
                }
                if self.buying_halted {
                    return Err(ManualRefused::BuyingHalted);
                }
                if let Some(reason) = &self.entry_hold {
                    return Err(ManualRefused::EntriesHeld(reason.clone()));
                }
                // A buy on a tick the bot's own evaluation would ignore is refused; a sale is not:
                // it is the owner's way out.
                if !self.config.risk().is_sane_tick(self.last_price, view.price) {
                    let last = self.last_price.unwrap_or_default();
                    return Err(ManualRefused::InsanePrice { price: view.price, last });
                }
                let held = self.positions.iter().filter(|p| p.is_held()).count() as u32;
                if let Some(max) = config.max_open_positions.filter(|max| held >= *max) {
                    return Err(ManualRefused::MaxOpenPositions(max));
                }
                let price = order.limit_price.unwrap_or(view.ask);
                if let Some(max) = config.max_entry_price.filter(|max| price > *max) {
                    return Err(ManualRefused::AboveMaxEntryPrice { price, max });
                }
                self.manual_buy(order, view)
            }
            OrderSide::Sell => {
                if !self.status.is_evaluated() {
                    return Err(ManualRefused::Status { command: "sell", status: self.status.as_str() });
                }
                self.manual_sale(order, view)
            }
        }
    }

    fn manual_buy(&self, order: &ManualOrder, view: &MarketView<'_>) -> Result<OrderIntent, ManualRefused> {
        let (quantity, quote_amount, block) = match (order.size, order.limit_price) {
            (Some(OrderSize::QuoteAmount(amount)), _) => (None, Some(amount), amount),
            (Some(OrderSize::Quantity(q)), Some(limit)) => {
                (Some(q), None, q.checked_mul(limit).ok_or(ManualRefused::TooLarge)?)
            }
            (Some(OrderSize::Quantity(q)), None) => {
                let at_ask = q.checked_mul(view.ask).and_then(|v| v.checked_mul(MARKET_MARGIN));
                (Some(q), None, at_ask.ok_or(ManualRefused::TooLarge)?)
            }
            (None, _) => return Err(ManualRefused::Size("a buy needs a quantity or a quote amount")),
        };
        let spendable = self.spendable();
        if block > spendable {
            return Err(ManualRefused::InsufficientFunds { spendable, wanted: block });
        }
        Ok(OrderIntent {
            side: OrderSide::Buy,
            limit_price: order.limit_price,
            quantity,
            quote_amount,
            block,
            purpose: Purpose::Open { position: PositionId::new() },
            reason: "manual buy by its owner".to_owned(),
            indicators: Default::default(),
        })
    }

    fn manual_sale(&self, order: &ManualOrder, view: &MarketView<'_>) -> Result<OrderIntent, ManualRefused> {
        let asked = match order.size {
            Some(OrderSize::Quantity(q)) => Some(q),
            Some(OrderSize::QuoteAmount(_)) => return Err(ManualRefused::Size("a sale is sized by quantity")),
            None => None,
        };
        let Some(id) = order.position else {
            if order.limit_price.is_some() {
                return Err(ManualRefused::LimitSaleNeedsPosition);
            }
            // A market sale of part of everything: the books take it from dust and the positions,
            // oldest first, and close each one it empties.
            let wanted = asked.unwrap_or_default();
            let free = self.funds.free_holdings();
            if wanted > free {
                return Err(ManualRefused::InsufficientHoldings { free, wanted });
            }
            return Ok(super::exits::sell_intent(wanted, None, None, ExitReason::Manual, "manual sale by its owner"));
        };
        let position = self.position(id).filter(|p| p.is_held()).ok_or(ManualRefused::NoPosition(id))?;
        if self.selling(id) {
            return Err(ManualRefused::PositionSelling(id));
        }
        let free = position.quantity.min(self.funds.free_holdings());
        let quantity = match asked {
            Some(wanted) if wanted > free => return Err(ManualRefused::InsufficientHoldings { free, wanted }),
            Some(wanted) => wanted,
            None => {
                let whole = view.filters.floor_quantity(free);
                if view.filters.is_dust(whole, order.limit_price.unwrap_or(view.bid)) {
                    return Err(ManualRefused::Dust { position: id, quantity: whole });
                }
                whole
            }
        };
        let why = format!("manual sale of position {id} by its owner");
        Ok(super::exits::sell_intent(quantity, order.limit_price, Some(id), ExitReason::Manual, &why))
    }
}

#[cfg(test)]
#[path = "manual_tests.rs"]
mod tests;
