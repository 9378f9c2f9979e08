//! Use case: realized profit per strategy (smart, candle, dca, channel) and per bot, from the
//! positions closed inside the caller's history window, per mode and quote currency (BRL is
//! never added to USDT, live never to paper).

use std::collections::BTreeMap;

use domain::bots::BotKind;
use domain::contexts::ContextMode;
use domain::market::{Asset, Symbol};
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::HistoryWindow;
use rust_decimal::Decimal;

use super::{ReportError, ReportService, Trade};

/// What a set of trades adds up to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfitFigures {
    /// Closed positions.
    pub trades: u64,
    /// Of which won (realized profit, net of fees, above zero).
    pub wins: u64,
    /// What they cost, quote fees included.
    pub invested: Decimal,
    /// What their sales brought, net of fees.
    pub proceeds: Decimal,
    /// Realized profit, net of every fee (`proceeds - invested`).
    pub realized_profit: Decimal,
}

impl ProfitFigures {
    fn add(&mut self, trade: &Trade) {
        self.trades += 1;
        self.wins += u64::from(trade.won());
        self.invested += trade.cost();
        self.proceeds += trade.position.proceeds;
        self.realized_profit += trade.position.realized_profit;
    }

    /// Winning trades / trades × 100, to 2 places; `None` without trades.
    pub fn win_rate(&self) -> Option<Decimal> {
        (self.trades > 0).then(|| {
            let mut rate = (Decimal::from(self.wins) * Decimal::ONE_HUNDRED / Decimal::from(self.trades)).round_dp(2);
            rate.rescale(2);
            rate
        })
    }
}

/// One strategy's figures in one mode and quote currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrategyProfit {
    /// The strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: ContextMode,
    /// The quote currency of every amount.
    pub quote: Asset,
    /// Its figures.
    pub figures: ProfitFigures,
}

/// One bot's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotProfit {
    /// The bot.
    pub bot_id: BotId,
    /// Its name.
    pub name: String,
    /// Its strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: ContextMode,
    /// Its market (amounts are in its quote currency).
    pub symbol: Symbol,
    /// Its figures.
    pub figures: ProfitFigures,
}

/// The profit report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfitReport {
    /// The window applied.
    pub window: HistoryWindow,
    /// Per mode and quote currency the caller's bots trade in, each of the four strategies
    /// (zeros where none closed), in that order.
    pub by_strategy: Vec<StrategyProfit>,
    /// Per bot, oldest bot first.
    pub by_bot: Vec<BotProfit>,
}

/// The profit report's filter as the client sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfitQuery {
    /// Only this bot.
    pub bot_id: Option<String>,
}

impl ReportService {
    /// Realized profit per strategy and per bot inside the owner's window. Errors:
    /// `InvalidQuery` (`bot_id` malformed), `BotNotFound` (not one of the owner's).
    pub async fn profit(&self, owner: UserId, query: &ProfitQuery) -> Result<ProfitReport, ReportError> {
        let only = match query.bot_id.as_deref() {
            Some(raw) => {
                Some(BotId::parse(raw.trim()).ok_or_else(|| ReportError::invalid("bot_id", "must be a bot id"))?)
            }
            None => None,
        };
        let scope = self.scope(owner).await?;
        let bots = scope.ids(|b| only.is_none_or(|id| id == b.id));
        if only.is_some() && bots.is_empty() {
            return Err(ReportError::BotNotFound);
        }
        let trades = self.all_trades(&scope, &bots, scope.window.from).await?;
        let mut per_bot: BTreeMap<BotId, ProfitFigures> = BTreeMap::new();
        let mut per_strategy: BTreeMap<(ContextMode, Asset, BotKind), ProfitFigures> = BTreeMap::new();
        for bot in scope.bots().filter(|b| bots.contains(&b.id)) {
            per_bot.insert(bot.id, ProfitFigures::default());
            for kind in BotKind::ALL {
                per_strategy.entry((bot.mode, bot.symbol.quote().clone(), kind)).or_default();
            }
        }
        for trade in &trades {
            per_bot.entry(trade.bot_id).or_default().add(trade);
            per_strategy.entry((trade.mode, trade.symbol.quote().clone(), trade.strategy)).or_default().add(trade);
        }
        let mut by_bot: Vec<BotProfit> = scope
            .bots()
            .filter_map(|b| {
                let figures = per_bot.remove(&b.id)?;
                Some(BotProfit {
                    bot_id: b.id,
                    name: b.name.clone(),
                    strategy: b.kind,
                    mode: b.mode,
                    symbol: b.symbol.clone(),
                    figures,
                })
            })
            .collect();
        by_bot.sort_by_key(|b| b.bot_id);
        let mut by_strategy: Vec<StrategyProfit> = per_strategy
            .into_iter()
            .map(|((mode, quote, strategy), figures)| StrategyProfit { strategy, mode, quote, figures })
            .collect();
        let order = |k: BotKind| BotKind::ALL.iter().position(|x| *x == k);
        by_strategy.sort_by(|a, b| (a.mode, &a.quote, order(a.strategy)).cmp(&(b.mode, &b.quote, order(b.strategy))));
        Ok(ProfitReport { window: scope.window, by_strategy, by_bot })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn win_rate_has_two_places_and_none_without_trades() {
        let rate = |wins, trades| ProfitFigures { wins, trades, ..ProfitFigures::default() }.win_rate();
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 2).unwrap().to_string(), "50.00");
        assert_eq!(rate(2, 3).unwrap().to_string(), "66.67");
        assert_eq!(rate(1, 3), Some(dec!(33.33)));
        assert_eq!(rate(0, 7).unwrap().to_string(), "0.00");
    }
}
