//! The exchange of the random-path property test (`paths_props`): it fills every order a bot
//! places, in one to three partial fills (some orders end after the first), with the fee in the
//! asset the path chose, and keeps its own wallet of what the bot's account holds. The wallet is
//! written apart from the bot's books so that comparing the two after every fill means something.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::exchange::{ClientOrderId, OrderSide};
use crate::market::MarketFilters;
use crate::shared::ids::PositionId;

/// The fee rate of every fill.
pub(super) const FEE: Decimal = dec!(0.001);

/// What the exchange account holds, as the exchange counts it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Wallet {
    pub quote: Decimal,
    pub base: Decimal,
    pub fees_quote: Decimal,
    pub fees_base: Decimal,
}

/// How the path fills an order: in `chunks` parts, ending after the first when `early`.
#[derive(Clone, Copy, Debug)]
pub(super) struct FillPlan {
    pub chunks: u32,
    pub early: bool,
    pub buy_fee: FeeAsset,
    pub sell_fee: FeeAsset,
}

/// An order resting on the exchange.
pub(super) struct Resting {
    pub id: ClientOrderId,
    pub intent: OrderIntent,
    pub plan: FillPlan,
    /// The whole order's quantity and price, fixed at its first fill.
    pub size: Option<(Decimal, Decimal)>,
    pub done_chunks: u32,
    pub progress: OrderProgress,
}

/// What the test knows of each position from the fills alone: quote spent, base received.
pub(super) type Entries = BTreeMap<PositionId, (Decimal, Decimal)>;

impl Resting {
    /// Whether it fills at `price` (a limit order when the price reaches it).
    pub fn matches(&self, price: Decimal) -> bool {
        match (self.intent.side, self.intent.limit_price) {
            (_, None) => true,
            (OrderSide::Buy, Some(l)) => price <= l,
            (OrderSide::Sell, Some(l)) => price >= l,
        }
    }

    /// Fills its next part at `price`, moving the wallet; returns the cumulative progress.
    pub fn fill(
        &mut self,
        price: Decimal,
        filters: &MarketFilters,
        wallet: &mut Wallet,
        entries: &mut Entries,
    ) -> OrderProgress {
        let (side, fee_asset) = match self.intent.side {
            OrderSide::Buy => (OrderSide::Buy, self.plan.buy_fee),
            OrderSide::Sell => (OrderSide::Sell, self.plan.sell_fee),
        };
        let (quantity, at) = *self.size.get_or_insert_with(|| {
            let at = self.intent.limit_price.unwrap_or(price);
            let quantity = match (self.intent.quantity, self.intent.quote_amount) {
                (Some(q), _) => q,
                // A quote-sized buy paying its fee in quote keeps the fee inside the amount.
                (None, Some(a)) if fee_asset == FeeAsset::Quote => {
                    filters.floor_quantity(a / (at * (Decimal::ONE + FEE)))
                }
                (None, Some(a)) => filters.floor_quantity(a / at),
                _ => unreachable!("an intent has a quantity or an amount"),
            };
            (quantity, at)
        });
        self.done_chunks += 1;
        let last = self.done_chunks >= self.plan.chunks;
        let gross = if last {
            quantity - self.gross_so_far()
        } else {
            filters.floor_quantity(quantity * Decimal::from(self.done_chunks) / Decimal::from(self.plan.chunks))
                - self.gross_so_far()
        };
        let p = &mut self.progress;
        if gross > Decimal::ZERO {
            let (fee, filled) = match (side, fee_asset) {
                (OrderSide::Buy, FeeAsset::Base) => ((gross * FEE).round_dp(12), gross),
                (OrderSide::Sell, FeeAsset::Base) => {
                    let fee = (gross * FEE).round_dp(12);
                    (fee, gross - fee)
                }
                (_, FeeAsset::Quote) => ((gross * at * FEE).round_dp(12), gross),
            };
            let quote = filled * at;
            match side {
                OrderSide::Buy => {
                    let spent = if fee_asset == FeeAsset::Quote { quote + fee } else { quote };
                    let got = if fee_asset == FeeAsset::Base { filled - fee } else { filled };
                    wallet.quote -= spent;
                    wallet.base += got;
                    if let Purpose::Open { position } = self.intent.purpose {
                        let e = entries.entry(position).or_default();
                        *e = (e.0 + spent, e.1 + got);
                    }
                }
                OrderSide::Sell => {
                    wallet.base -= gross;
                    wallet.quote += if fee_asset == FeeAsset::Quote { quote - fee } else { quote };
                }
            }
            match fee_asset {
                FeeAsset::Quote => wallet.fees_quote += fee,
                FeeAsset::Base => wallet.fees_base += fee,
            }
            p.filled_quantity += filled;
            p.filled_quote += quote;
            p.fee += fee;
            p.fee_asset = Some(fee_asset);
        }
        p.done = last || self.plan.early;
        *p
    }

    /// Base that left (or reached) the account so far, fees in base included.
    fn gross_so_far(&self) -> Decimal {
        let p = &self.progress;
        match (self.intent.side, p.fee_asset) {
            (OrderSide::Sell, Some(FeeAsset::Base)) => p.filled_quantity + p.fee,
            _ => p.filled_quantity,
        }
    }

    /// The order ends now (cancelled): what it filled so far stands.
    pub fn cancelled(&self) -> OrderProgress {
        OrderProgress { done: true, ..self.progress }
    }
}

/// A fresh resting order for `intent`.
pub(super) fn rest(id: ClientOrderId, intent: OrderIntent, plan: FillPlan) -> Resting {
    let progress = OrderProgress { done: false, ..OrderProgress::ended() };
    Resting { id, intent, plan, size: None, done_chunks: 0, progress }
}
