//! Applying what the exchange reports about a bot's orders: fills move blocked quote into
//! positions (buys) or positions into proceeds and realized profit (sells), the end of an order
//! releases what it did not use, a closed position feeds the circuit breaker.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::bot::{Bot, BotError};
use super::funds::{add, sub};
use super::intent::{BotEvent, Purpose};
use super::position::PositionStatus;
use super::status::BotStatus;
use super::FeeAsset;
use crate::exchange::{ClientOrderId, OrderSide};
use crate::market::MarketFilters;
use crate::shared::checked::mul_div;
use crate::shared::ids::PositionId;

/// What the exchange reports of one order so far: cumulative totals, so applying the same
/// report twice changes nothing (the bot keeps what it already applied in its pending order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderProgress {
    /// Base filled so far (gross, before a base fee).
    pub filled_quantity: Decimal,
    /// Quote filled so far (gross, before a quote fee).
    pub filled_quote: Decimal,
    /// Fees charged so far, in `fee_asset`.
    pub fee: Decimal,
    /// The fees' asset; `None` for a third asset (e.g. BNB), which stays outside the bot's books.
    pub fee_asset: Option<FeeAsset>,
    /// Whether the order ended (filled, cancelled, rejected or expired): what it still blocks or
    /// locks is released.
    pub done: bool,
}

impl OrderProgress {
    /// An order that ended with nothing filled.
    pub fn ended() -> Self {
        Self {
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            fee: Decimal::ZERO,
            fee_asset: None,
            done: true,
        }
    }
}

/// One new fill computed from cumulative totals.
#[derive(Clone, Copy, Debug)]
struct Delta {
    quantity: Decimal,
    quote: Decimal,
    fee: Decimal,
    fee_asset: Option<FeeAsset>,
}

impl Delta {
    /// The fee as the books see it: a third asset's fee is left out (zero, in the quote asset).
    fn booked_fee(&self) -> (Decimal, FeeAsset) {
        match self.fee_asset {
            Some(asset) => (self.fee, asset),
            None => (Decimal::ZERO, FeeAsset::Quote),
        }
    }

    /// Adds the fee to what `order` has applied, when it is in the books' assets.
    fn record_fee(&self, order: &mut super::bot::PendingOrder) {
        if let Some(asset) = self.fee_asset {
            order.fee += self.fee;
            order.fee_asset = Some(asset);
        }
    }
}

/// Takes up to `left` base out of a holding (`quantity`, `cost`), with its share of the cost.
fn take_from((quantity, cost): (&mut Decimal, &mut Decimal), left: &mut Decimal) -> Option<(Decimal, Decimal)> {
    let take = (*left).min(*quantity);
    if take <= Decimal::ZERO {
        return None;
    }
    // take < quantity: the share is below the cost, so `mul_div` cannot overflow.
    let taken_cost = if take >= *quantity { *cost } else { mul_div(*cost, take, *quantity)?.round_dp(12) };
    *quantity -= take;
    *cost -= taken_cost;
    *left -= take;
    Some((take, taken_cost))
}

impl Bot {
    /// Applies `progress` of the pending order `id`. `filters` and `price` decide whether what a
    /// sale leaves of a position is dust (then it joins [`Bot::dust`] and the position closes).
    /// Returns the events it caused (closed positions, a trip, DCA executions).
    pub fn on_progress(
        &mut self,
        id: &ClientOrderId,
        progress: OrderProgress,
        filters: &MarketFilters,
        price: Decimal,
        at: OffsetDateTime,
    ) -> Result<Vec<BotEvent>, BotError> {
        let index = self
            .pending
            .iter()
            .position(|o| &o.client_order_id == id)
            .ok_or_else(|| BotError::UnknownOrder(id.to_string()))?;
        let mut events = Vec::new();
        let known = &self.pending[index];
        let delta = Delta {
            quantity: sub(progress.filled_quantity, known.filled_quantity)?,
            quote: sub(progress.filled_quote, known.filled_quote)?,
            fee: sub(progress.fee, known.fee)?.max(Decimal::ZERO),
            fee_asset: progress.fee_asset,
        };
        if delta.quantity > Decimal::ZERO && delta.quote > Decimal::ZERO {
            match self.pending[index].side {
                OrderSide::Buy => self.fill_buy(index, delta)?,
                OrderSide::Sell => self.fill_sell(index, delta)?,
            }
        }
        if progress.done {
            let order = self.pending.remove(index);
            if order.blocked > Decimal::ZERO {
                self.funds.release(order.blocked)?;
            }
            if order.locked > Decimal::ZERO {
                self.funds.unlock(order.locked)?;
            }
            match order.purpose {
                Purpose::Open { position } => {
                    self.after_buy(position, &order, at, &mut events);
                    // A sale that emptied the position while this buy was open left it open.
                    let reason = self.position(position).and_then(|p| p.exit_reason);
                    if let Some(reason) = reason {
                        self.after_sell(position, reason, filters, price, at, &mut events);
                    }
                }
                Purpose::Close { position, reason } => {
                    let targets: Vec<PositionId> = match position {
                        Some(p) => vec![p],
                        None => self.positions.iter().map(|p| p.id).collect(),
                    };
                    for target in targets {
                        self.after_sell(target, reason, filters, price, at, &mut events);
                    }
                }
            }
        }
        self.updated_at = at;
        Ok(events)
    }

    fn fill_buy(&mut self, index: usize, p: Delta) -> Result<(), BotError> {
        let (fee, asset) = p.booked_fee();
        let spent = if asset == FeeAsset::Quote { add(p.quote, fee)? } else { p.quote };
        let short = sub(spent, self.pending[index].blocked)?;
        if short > Decimal::ZERO {
            // The exchange spent more than was blocked (a quote fee on top): take it from what is free.
            self.funds.block(short)?;
            self.pending[index].blocked += short;
        }
        let order = &self.pending[index];
        let (filled_quantity, filled_quote) =
            (add(order.filled_quantity, p.quantity)?, add(order.filled_quote, p.quote)?);
        let net = if asset == FeeAsset::Base { p.quantity - fee } else { p.quantity };
        let position = match order.purpose {
            Purpose::Open { position } => self.positions.iter().position(|x| x.id == position),
            Purpose::Close { .. } => None,
        };
        let grown = match position.map(|i| &self.positions[i]) {
            Some(pos) => Some((add(pos.quantity, net)?, add(pos.cost, spent)?)),
            None => None,
        };
        // Every figure is computed (and checked) before the books change.
        self.funds.fill_buy(p.quote, p.quantity, fee, asset)?;
        let order = &mut self.pending[index];
        order.blocked -= spent;
        order.filled_quantity = filled_quantity;
        order.filled_quote = filled_quote;
        p.record_fee(order);
        if let (Some(i), Some((quantity, cost))) = (position, grown) {
            self.positions[i].quantity = quantity;
            self.positions[i].cost = cost;
        } else {
            // No position to grow (it closed meanwhile): the base stays in the books as dust.
            self.dust.quantity = add(self.dust.quantity, net)?;
            self.dust.cost = add(self.dust.cost, spent)?;
        }
        Ok(())
    }

    fn fill_sell(&mut self, index: usize, p: Delta) -> Result<(), BotError> {
        let (fee, asset) = p.booked_fee();
        let sold = if asset == FeeAsset::Base { add(p.quantity, fee)? } else { p.quantity };
        let over = sub(sold, self.pending[index].locked)?;
        if over > Decimal::ZERO {
            self.funds.lock(over)?;
            self.pending[index].locked += over;
        }
        let target = match self.pending[index].purpose {
            Purpose::Close { position, .. } => position,
            Purpose::Open { .. } => None,
        };
        // The books may still refuse the sale (an overflow): the positions are then put back as
        // they were, so nothing is half-written.
        let before = (self.positions.clone(), self.dust);
        // Selling the whole holding takes the whole remaining cost in the books; dust whose
        // quantity the holding could not represent (its digits beyond a Decimal's 28) goes with it.
        let whole = sold >= self.funds.holdings;
        let (cost, mut shares) = self.consume(target, sold);
        if whole && (!self.dust.quantity.is_zero() || !self.dust.cost.is_zero()) {
            if let Some(first) = shares.first_mut() {
                first.1 += self.dust.quantity;
                first.2 += self.dust.cost;
                self.dust = Default::default();
            }
        }
        if let Err(refused) = self.funds.fill_sell_at_cost(p.quantity, p.quote, fee, asset, Some(cost)) {
            (self.positions, self.dust) = before;
            return Err(refused.into());
        }
        let net = if asset == FeeAsset::Quote { p.quote - fee } else { p.quote };
        let last = shares.len().saturating_sub(1);
        let mut shared = Decimal::ZERO;
        for (i, (id, take, share_cost)) in shares.into_iter().enumerate() {
            // Proceeds split by quantity; the last share takes the remainder so the parts add up.
            let part = if i == last { net - shared } else { mul_div(net, take, sold).unwrap_or(net).round_dp(12) };
            shared += part;
            if let Some(pos) = self.positions.iter_mut().find(|x| x.id == id) {
                pos.sold_quantity += take;
                pos.proceeds += part;
                pos.realized_profit += part - share_cost;
            }
        }
        let order = &mut self.pending[index];
        order.locked -= sold;
        order.filled_quantity += p.quantity;
        order.filled_quote += p.quote;
        p.record_fee(order);
        Ok(())
    }

    /// Takes `sold` base out of the positions: the target first, then dust, then the others
    /// oldest first. Returns the total cost and, per position, what was taken and its cost.
    fn consume(&mut self, target: Option<PositionId>, sold: Decimal) -> (Decimal, Vec<(PositionId, Decimal, Decimal)>) {
        let mut left = sold;
        let mut cost = Decimal::ZERO;
        let mut shares = Vec::new();
        let first = target.and_then(|t| self.positions.iter().position(|p| p.id == t));
        if let Some(i) = first {
            if let Some((take, c)) = take_from(self.positions[i].holding(), &mut left) {
                cost += c;
                shares.push((self.positions[i].id, take, c));
            }
        }
        let dust = take_from(self.dust.holding(), &mut left);
        for i in (0..self.positions.len()).filter(|i| Some(*i) != first) {
            if let Some((take, c)) = take_from(self.positions[i].holding(), &mut left) {
                cost += c;
                shares.push((self.positions[i].id, take, c));
            }
        }
        if let Some((take, c)) = dust {
            // Dust joins the sale of the first position sold, which carries its cost and proceeds.
            cost += c;
            if let Some(first) = shares.first_mut() {
                first.1 += take;
                first.2 += c;
            }
        }
        (cost, shares)
    }

    fn after_buy(
        &mut self,
        position: PositionId,
        order: &super::bot::PendingOrder,
        at: OffsetDateTime,
        events: &mut Vec<BotEvent>,
    ) {
        let Some(index) = self.positions.iter().position(|p| p.id == position) else { return };
        if order.filled_quantity > Decimal::ZERO {
            self.positions[index].buys += 1;
            let price = order.filled_quote.checked_div(order.filled_quantity).unwrap_or(Decimal::MAX).round_dp(12);
            self.state.on_bought(self.id, &self.config, &mut self.positions[index], order, price, at, events);
        } else if self.positions[index].quantity.is_zero() && !self.pending.iter().any(|o| o.purpose == order.purpose) {
            self.positions.remove(index);
        }
    }

    fn after_sell(
        &mut self,
        position: PositionId,
        reason: super::position::ExitReason,
        filters: &MarketFilters,
        price: Decimal,
        at: OffsetDateTime,
        events: &mut Vec<BotEvent>,
    ) {
        let Some(index) = self.positions.iter().position(|p| p.id == position) else { return };
        let pos = &self.positions[index];
        let sold_something = pos.sold_quantity > Decimal::ZERO;
        let left_is_dust = pos.quantity.is_zero() || filters.is_dust(pos.quantity, price);
        if !(sold_something && left_is_dust) || self.selling(position) {
            return;
        }
        if self.pending.iter().any(|o| o.purpose == Purpose::Open { position }) {
            // Its buy is still open: it closes when that ends, with what the buy brings.
            self.positions[index].exit_reason = Some(reason);
            return;
        }
        let mut pos = self.positions.remove(index);
        self.dust.quantity += pos.quantity;
        self.dust.cost += pos.cost;
        pos.quantity = Decimal::ZERO;
        pos.cost = Decimal::ZERO;
        pos.status = PositionStatus::Closed;
        pos.exit_reason = Some(reason);
        pos.closed_at = Some(at);
        self.raise_closed(&pos, at);
        let pnl = pos.realized_profit;
        self.winning_trades = self.wins().map(|wins| wins + u64::from(pnl > Decimal::ZERO));
        self.trades += 1;
        if let Some(trip) = self.breaker.record_trade(pnl, self.funds.allocated, at) {
            let why = trip.reason.describe();
            if matches!(self.status, BotStatus::Running | BotStatus::Paused) {
                self.halt(BotStatus::Tripped, &format!("circuit breaker: {why}"), at);
            }
            events.push(BotEvent::Tripped { reason: why });
        }
        self.state.on_closed(&self.config, &pos, at, events);
        if let Some(reason) = self.state.finished(&self.config, &self.positions) {
            if self.status == BotStatus::Running {
                self.halt(BotStatus::Stopped, &reason, at);
                events.push(BotEvent::Finished { reason });
            }
        }
        events.push(BotEvent::PositionClosed(pos));
    }
}
