//! Part 1: pure evaluation. Every bot is evaluated in memory with `Bot::evaluate` on this thread,
//! market by market as the engine groups them, in each workflow of its kind (SmartBots three
//! times a round, candle and DCA bots twice, channel bots once). Markets are read before the
//! clock starts: only evaluation is timed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use application::engine::MarketSnapshot;
use domain::bots::{Bot, BotKind};
use domain::exchange::ExchangeGateway;
use domain::market::{CandleRange, Timeframe};
use time::OffsetDateTime;

use crate::cycle::WORKLOADS;
use crate::exchange::{symbol, BenchExchange};

/// What the evaluation rounds did.
#[derive(Debug, Default)]
pub struct Figures {
    /// Rounds run.
    pub rounds: u32,
    /// Calls of `Bot::evaluate`.
    pub evaluations: u64,
    /// Evaluations that changed the bot (the engine would write it back).
    pub changed: u64,
    /// Orders the evaluations asked for.
    pub intents: u64,
    /// Time spent evaluating.
    pub elapsed: Duration,
}

impl Figures {
    /// Evaluations per minute on this thread.
    pub fn per_minute(&self) -> f64 {
        self.evaluations as f64 / self.elapsed.as_secs_f64() * 60.0
    }

    /// Mean time of one evaluation, nanoseconds.
    pub fn nanos_each(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.evaluations.max(1) as f64
    }
}

/// Bot indexes by kind, then by market, as the engine groups them.
pub fn group(bots: &[Bot], markets: usize) -> BTreeMap<BotKind, Vec<Vec<usize>>> {
    let mut groups: BTreeMap<BotKind, Vec<Vec<usize>>> = BTreeMap::new();
    let index: std::collections::HashMap<_, _> = (0..markets).map(|m| (symbol(m), m)).collect();
    for (i, bot) in bots.iter().enumerate() {
        let by_market = groups.entry(bot.kind()).or_insert_with(|| vec![Vec::new(); markets]);
        by_market[index[&bot.symbol]].push(i);
    }
    groups
}

/// Every market's snapshot at the exchange's clock, with the hourly candles candle bots read.
pub async fn snapshots(exchange: &BenchExchange, markets: usize) -> Vec<MarketSnapshot> {
    let mut out = Vec::with_capacity(markets);
    for m in 0..markets {
        let s = symbol(m);
        let market = exchange.market(&s).await.expect("a bench market");
        let ticker = exchange.ticker(&s).await.expect("a bench ticker");
        let hourly = exchange.candles(&s, Timeframe::H1, CandleRange::latest(300)).await.expect("bench candles");
        let candles = BTreeMap::from([(Timeframe::H1, hourly)]);
        out.push(MarketSnapshot::new(market, ticker, candles, None));
    }
    out
}

/// One round at `at`: every workflow over its bots, against `snapshots`. Adds to `figures`.
pub fn round(
    bots: &mut [Bot],
    groups: &BTreeMap<BotKind, Vec<Vec<usize>>>,
    snapshots: &[MarketSnapshot],
    at: OffsetDateTime,
    figures: &mut Figures,
) {
    let started = Instant::now();
    for (_, workload) in WORKLOADS {
        let (kind, phase) = workload.scope();
        let Some(by_market) = groups.get(&kind) else { continue };
        for (snapshot, indexes) in snapshots.iter().zip(by_market) {
            for &i in indexes {
                let bot = &mut bots[i];
                let out = bot.evaluate(phase, &snapshot.view_for(bot), at);
                figures.evaluations += 1;
                figures.changed += u64::from(!out.is_idle());
                figures.intents += out.place.len() as u64;
            }
        }
    }
    figures.elapsed += started.elapsed();
    figures.rounds += 1;
}
