//! A bot's funds, in exact decimals, net of fees: what it may spend, what sits in open orders,
//! what its holdings cost, what sales brought and the realized profit. Every movement is a method
//! that refuses what would make anything negative, so the books always balance:
//! `allocated + realized_profit == available + blocked + invested`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::shared::checked::{mul_div, sum};

/// Which asset an exchange charged a fee in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeAsset {
    /// The quote asset (BRL, USDT).
    Quote,
    /// The base asset (BTC): it reduces what was bought, or what is left to sell.
    Base,
}

/// A movement the books refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FundsError {
    /// Amounts must be positive (fees may be zero).
    #[error("amounts must be positive")]
    NotPositive,
    /// Not enough available quote to block.
    #[error("not enough available funds: {available} available, {wanted} wanted")]
    InsufficientFunds {
        /// Available.
        available: Decimal,
        /// Wanted.
        wanted: Decimal,
    },
    /// More released or spent than is blocked.
    #[error("more than is blocked: {blocked} blocked, {wanted} wanted")]
    NotBlocked {
        /// Blocked.
        blocked: Decimal,
        /// Wanted.
        wanted: Decimal,
    },
    /// More base sold or locked than is held.
    #[error("more than is held: {held} held, {wanted} wanted")]
    NotHeld {
        /// Held (free for the movement).
        held: Decimal,
        /// Wanted.
        wanted: Decimal,
    },
    /// A figure would leave the range of a `Decimal`; nothing was changed.
    #[error("a figure of the books would overflow")]
    Overflow,
}

/// The books of one bot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funds {
    /// Quote capital given to the bot.
    pub allocated: Decimal,
    /// Quote it may spend now.
    pub available: Decimal,
    /// Quote held by its open buy orders (total_blocked).
    pub blocked: Decimal,
    /// What its holdings cost, quote fees included (total_invested).
    pub invested: Decimal,
    /// Base held, net of base fees.
    pub holdings: Decimal,
    /// Base held by its open sell orders (part of `holdings`).
    pub holdings_locked: Decimal,
    /// Quote received from sales, net of fees (total_proceeds).
    pub proceeds: Decimal,
    /// Realized profit (negative: a loss), net of fees.
    pub realized_profit: Decimal,
    /// Quote fees paid.
    pub fees_quote: Decimal,
    /// Base fees paid.
    pub fees_base: Decimal,
}

fn positive(values: &[Decimal]) -> Result<(), FundsError> {
    if values.iter().all(|v| *v > Decimal::ZERO) {
        Ok(())
    } else {
        Err(FundsError::NotPositive)
    }
}

/// `a + b`, or [`FundsError::Overflow`].
pub(super) fn add(a: Decimal, b: Decimal) -> Result<Decimal, FundsError> {
    a.checked_add(b).ok_or(FundsError::Overflow)
}

/// `a - b`, or [`FundsError::Overflow`].
pub(super) fn sub(a: Decimal, b: Decimal) -> Result<Decimal, FundsError> {
    a.checked_sub(b).ok_or(FundsError::Overflow)
}

fn not_negative(fee: Decimal) -> Result<(), FundsError> {
    if fee < Decimal::ZERO {
        Err(FundsError::NotPositive)
    } else {
        Ok(())
    }
}

impl Funds {
    /// Books for `allocated` quote.
    pub fn new(allocated: Decimal) -> Self {
        Self { allocated, available: allocated, ..Self::default() }
    }

    /// The same books with every figure in its shortest form (`0` rather than `0.0000000000`).
    pub fn normalized(&self) -> Self {
        Self {
            allocated: self.allocated.normalize(),
            available: self.available.normalize(),
            blocked: self.blocked.normalize(),
            invested: self.invested.normalize(),
            holdings: self.holdings.normalize(),
            holdings_locked: self.holdings_locked.normalize(),
            proceeds: self.proceeds.normalize(),
            realized_profit: self.realized_profit.normalize(),
            fees_quote: self.fees_quote.normalize(),
            fees_base: self.fees_base.normalize(),
        }
    }

    /// Base that may still be sold (held, not locked in sell orders).
    pub fn free_holdings(&self) -> Decimal {
        self.holdings.saturating_sub(self.holdings_locked)
    }

    /// The average cost of one unit of base held, if any is held (and it fits in a `Decimal`).
    pub fn average_cost(&self) -> Option<Decimal> {
        (self.holdings > Decimal::ZERO).then(|| self.invested.checked_div(self.holdings)).flatten()
    }

    /// Places a buy: `amount` quote moves from available to blocked.
    pub fn block(&mut self, amount: Decimal) -> Result<(), FundsError> {
        positive(&[amount])?;
        if amount > self.available {
            return Err(FundsError::InsufficientFunds { available: self.available, wanted: amount });
        }
        self.blocked = add(self.blocked, amount)?;
        self.available -= amount;
        Ok(())
    }

    /// A buy was cancelled, rejected or expired (or filled for less): `amount` goes back.
    pub fn release(&mut self, amount: Decimal) -> Result<(), FundsError> {
        positive(&[amount])?;
        if amount > self.blocked {
            return Err(FundsError::NotBlocked { blocked: self.blocked, wanted: amount });
        }
        self.available = add(self.available, amount)?;
        self.blocked -= amount;
        Ok(())
    }

    /// A buy filled (wholly or partly): `cost` quote of the blocked funds bought `quantity` base,
    /// paying `fee` in `fee_asset` (a quote fee also comes out of the blocked funds).
    pub fn fill_buy(
        &mut self,
        cost: Decimal,
        quantity: Decimal,
        fee: Decimal,
        fee_asset: FeeAsset,
    ) -> Result<(), FundsError> {
        positive(&[cost, quantity])?;
        not_negative(fee)?;
        let spent = if fee_asset == FeeAsset::Quote { add(cost, fee)? } else { cost };
        if spent > self.blocked {
            return Err(FundsError::NotBlocked { blocked: self.blocked, wanted: spent });
        }
        if fee_asset == FeeAsset::Base && fee >= quantity {
            return Err(FundsError::NotHeld { held: quantity, wanted: fee });
        }
        // Every figure is computed before any is written, so an overflow leaves the books as they were.
        let mut next = self.clone();
        next.blocked = sub(self.blocked, spent)?;
        next.invested = add(self.invested, spent)?;
        match fee_asset {
            FeeAsset::Quote => {
                next.holdings = add(self.holdings, quantity)?;
                next.fees_quote = add(self.fees_quote, fee)?;
            }
            FeeAsset::Base => {
                next.holdings = add(self.holdings, quantity - fee)?;
                next.fees_base = add(self.fees_base, fee)?;
            }
        }
        *self = next;
        Ok(())
    }

    /// Places a sell: `quantity` base is locked.
    pub fn lock(&mut self, quantity: Decimal) -> Result<(), FundsError> {
        positive(&[quantity])?;
        if quantity > self.free_holdings() {
            return Err(FundsError::NotHeld { held: self.free_holdings(), wanted: quantity });
        }
        self.holdings_locked = add(self.holdings_locked, quantity)?;
        Ok(())
    }

    /// A sell was cancelled: `quantity` base is free again.
    pub fn unlock(&mut self, quantity: Decimal) -> Result<(), FundsError> {
        positive(&[quantity])?;
        if quantity > self.holdings_locked {
            return Err(FundsError::NotHeld { held: self.holdings_locked, wanted: quantity });
        }
        self.holdings_locked -= quantity;
        Ok(())
    }

    /// A locked sell filled: `quantity` base (plus a base fee) brought `received` quote (minus a
    /// quote fee). Its share of the cost leaves `invested`; the difference is realized.
    /// Returns the realized profit of this fill.
    pub fn fill_sell(
        &mut self,
        quantity: Decimal,
        received: Decimal,
        fee: Decimal,
        fee_asset: FeeAsset,
    ) -> Result<Decimal, FundsError> {
        self.fill_sell_at_cost(quantity, received, fee, fee_asset, None)
    }

    /// [`Funds::fill_sell`] with the cost of what was sold given (specific identification: the
    /// cost of the lots sold) instead of the average; `None` takes the average share.
    pub fn fill_sell_at_cost(
        &mut self,
        quantity: Decimal,
        received: Decimal,
        fee: Decimal,
        fee_asset: FeeAsset,
        cost: Option<Decimal>,
    ) -> Result<Decimal, FundsError> {
        positive(&[quantity, received])?;
        not_negative(fee)?;
        let sold = if fee_asset == FeeAsset::Base { add(quantity, fee)? } else { quantity };
        if sold > self.holdings_locked {
            return Err(FundsError::NotHeld { held: self.holdings_locked, wanted: sold });
        }
        let net = if fee_asset == FeeAsset::Quote { sub(received, fee)? } else { received };
        // The cost share is rounded to 12 places so every sum in the books stays exact; selling the
        // whole holding takes the whole remaining cost, so nothing is left behind.
        let cost = match cost {
            _ if sold == self.holdings => self.invested,
            Some(given) => given.clamp(Decimal::ZERO, self.invested),
            None => mul_div(self.invested, sold, self.holdings).ok_or(FundsError::Overflow)?.round_dp(12),
        };
        let profit = sub(net, cost)?;
        let mut next = self.clone();
        next.holdings_locked -= sold;
        next.holdings -= sold;
        next.invested -= cost;
        next.available = add(self.available, net)?;
        next.proceeds = add(self.proceeds, net)?;
        next.realized_profit = add(self.realized_profit, profit)?;
        match fee_asset {
            FeeAsset::Quote => next.fees_quote = add(self.fees_quote, fee)?,
            FeeAsset::Base => next.fees_base = add(self.fees_base, fee)?,
        }
        *self = next;
        Ok(profit)
    }

    /// Whether the books balance and nothing is negative.
    pub fn is_consistent(&self) -> bool {
        let (Some(owned), Some(held)) =
            (self.allocated.checked_add(self.realized_profit), sum([self.available, self.blocked, self.invested]))
        else {
            return false;
        };
        let never_negative =
            [self.available, self.blocked, self.invested, self.holdings, self.holdings_locked, self.proceeds]
                .iter()
                .all(|v| *v >= Decimal::ZERO);
        never_negative && self.holdings_locked <= self.holdings && owned == held
    }
}

#[cfg(test)]
#[path = "funds_tests.rs"]
mod tests;
