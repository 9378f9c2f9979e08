//! Part 3: the top of the hour. Every candle bot last analysed the previous hourly candle; the
//! clock moves just past the hour, so a new hourly candle has closed in every market, and one
//! round of the eight workflows runs: every candle bot analyses the engine's 300 candles with its
//! indicators and acts on its signal. Afterwards every candle bot must have analysed the new
//! candle (its `last_candle_at` is the candle's open time) and no order may have been refused:
//! the bench fails otherwise, so a fast round that skipped its work cannot pass for a result.

use domain::bots::{BotKind, KindState};
use domain::orders::OrderStatus;
use domain::signals::Signal;
use infrastructure::repositories::{StoreBotRepository, StoreOrderRepository};
use infrastructure::store::Query;
use time::OffsetDateTime;

use crate::cycle::{Rig, Run};

/// What the candle bots did at the top of the hour, read back from the store.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Candle bots stored.
    pub candle_bots: u64,
    /// Running candle bots read back whose last analysed candle is the new one.
    pub analysed: u64,
    /// Their last signals: BUY, SELL, HOLD.
    pub signals: [u64; 3],
    /// Orders stored, by status: filled, rejected, every other.
    pub orders: [u64; 3],
}

/// Reads back what the round did, `candle` being the open time of the hourly candle that closed.
pub async fn outcome(rig: &Rig, candle: OffsetDateTime) -> Outcome {
    let store = &rig.repos.store;
    let candles = Query::all().eq("kind", "candle");
    let candle_bots = store.count(StoreBotRepository::COLLECTION, &candles).await.expect("the bots are counted");
    let bots = rig.repos.bots.evaluated(&[BotKind::Candle], None).await.expect("the candle bots are read back");
    let mut out = Outcome { candle_bots, ..Outcome::default() };
    for bot in &bots {
        let KindState::Candle(state) = &bot.state else { continue };
        if state.last_candle_at == Some(candle) {
            out.analysed += 1;
            let slot = match state.last_signal {
                Some(Signal::Buy) => 0,
                Some(Signal::Sell) => 1,
                _ => 2,
            };
            out.signals[slot] += 1;
        }
    }
    out.orders = orders(rig).await;
    out
}

/// Orders stored: filled, rejected, other.
pub async fn orders(rig: &Rig) -> [u64; 3] {
    let store = &rig.repos.store;
    let count = |status: Option<OrderStatus>| async move {
        let query = match status {
            Some(s) => Query::all().eq("status", serde_json::to_value(s).expect("a status serializes")),
            None => Query::all(),
        };
        store.count(StoreOrderRepository::COLLECTION, &query).await.expect("the orders are counted")
    };
    let all = count(None).await;
    let (filled, rejected) = (count(Some(OrderStatus::Filled)).await, count(Some(OrderStatus::Rejected)).await);
    [filled, rejected, all - filled - rejected]
}

/// Why the round does not count, if it does not: a run with skipped, isolated or refused bots,
/// a candle bot that did not analyse the new candle, an order refused.
pub fn failures(runs: &[Run], outcome: &Outcome) -> Vec<String> {
    let mut found: Vec<String> = runs.iter().filter_map(Run::failures).collect();
    if outcome.analysed != outcome.candle_bots {
        found.push(format!("{} of {} candle bots analysed the new candle", outcome.analysed, outcome.candle_bots));
    }
    if outcome.orders[1] > 0 {
        found.push(format!("{} orders were refused", outcome.orders[1]));
    }
    found
}
