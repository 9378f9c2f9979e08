//! The scripted exchange's market and account as tests move them: the book's best prices, the
//! candles it serves and the base balance of the account (see `gateway.rs` for the rest).

use domain::market::{Candle, Timeframe};
use rust_decimal::Decimal;

use super::gateway::ScriptedGateway;

impl ScriptedGateway {
    /// From now on the best bid is `bid`, the best ask `ask` and the last price `last`.
    pub fn set_book(&self, bid: Decimal, ask: Decimal, last: Decimal) {
        let mut state = self.state();
        state.ticker.bid = bid;
        state.ticker.ask = ask;
        state.ticker.last = last;
    }

    /// From now on the exchange serves `candles` (oldest first) for `timeframe`.
    pub fn set_candles(&self, timeframe: Timeframe, candles: Vec<Candle>) {
        self.state().candles.insert(timeframe, candles);
    }

    /// From now on the account holds `free` and `locked` base (1000 and 0 at first).
    pub fn set_base_balance(&self, free: Decimal, locked: Decimal) {
        self.state().base_balance = (free, locked);
    }
}
